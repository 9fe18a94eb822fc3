/**
 * The payload formats `runner load` reads, the raw tables each writes, and how `--format auto`
 * recognises them from the payload's shape (JSON, or a CSV table for a file named *.csv).
 */
import type { RawTableName } from "./raw_tables.ts";
import { BDL_BOXSCORES_TABLES, looksLikeBdlBoxscores } from "./formats/bdl-boxscores.ts";
import { looksLikeNbacBoxscore, NBAC_BOXSCORE_TABLES } from "./formats/nbac-boxscore.ts";
import { looksLikeNbacGamebook, NBAC_GAMEBOOK_TABLES } from "./formats/nbac-gamebook.ts";
import { looksLikeNbacLeaguegamelog, NBAC_LEAGUEGAMELOG_TABLES } from "./formats/nbac-leaguegamelog.ts";
import { looksLikeNbacSchedule, NBAC_SCHEDULE_TABLES } from "./formats/nbac-schedule.ts";
import { looksLikeOddsApiGameLines, ODDS_API_GAME_LINES_TABLES } from "./formats/odds-api-game-lines.ts";
import { looksLikeNbacInjuryReport, NBAC_INJURY_REPORT_TABLES } from "./formats/nbac-injury-report.ts";
import { ESPN_SCOREBOARD_TABLES, looksLikeEspnScoreboard } from "./formats/espn-scoreboard.ts";
import { looksLikeTravelDistances, TRAVEL_DISTANCES_TABLES } from "./formats/travel-distances.ts";
import { looksLikeNbacPlayByPlay, NBAC_PLAY_BY_PLAY_TABLES } from "./formats/nbac-play-by-play.ts";
import { BIGDATABALL_PBP_TABLES, looksLikeBigDataBallPbp } from "./formats/bigdataball-pbp.ts";
import { looksLikeNbacPlayerList, NBAC_PLAYER_LIST_TABLES } from "./formats/nbac-player-list.ts";
import { isPlayerMarket, looksLikeOddsApiPlayerProps, oddsMarketKeys, ODDS_API_PLAYER_PROPS_TABLES } from "./formats/odds-api-player-props.ts";
import { ESPN_ROSTER_TABLES, looksLikeEspnRoster } from "./formats/espn-roster.ts";
import { CsvTable } from "./csv.ts";

export const FORMAT_NAMES = [
  "bdl-boxscores",
  "nbac-gamebook",
  "nbac-schedule",
  "nbac-leaguegamelog",
  "nbac-boxscore",
  "odds-api-game-lines",
  "nbac-injury-report",
  "espn-scoreboard",
  "travel-distances",
  "nbac-play-by-play",
  "bigdataball-pbp",
  "nbac-player-list",
  "odds-api-player-props",
  "espn-roster",
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface FormatInfo {
  /** What the payload is, for help texts and messages. */
  describe: string;
  /** The raw tables a file of this format writes (and whose rows from the same file a reload replaces). */
  tables: readonly RawTableName[];
  /**
   * What a load replaces: the rows of the same file (default), or the whole table, for reference
   * data that is one snapshot (the travel distances).
   */
  replaces?: "file" | "table";
  looksLike: (payload: unknown) => boolean;
}

/**
 * The Odds API snapshots of both formats share one envelope: the market keys decide. Player
 * markets (player_points, ...) are odds-api-player-props, the others (spreads, totals, h2h)
 * odds-api-game-lines; a snapshot without any market is game lines. A snapshot with both kinds
 * fits both formats, so --format auto asks for --format: load it once per format, and each loader
 * writes only its own markets (the rest are counted in a note).
 */
function looksLikeGameLinesSnapshot(payload: unknown): boolean {
  if (!looksLikeOddsApiGameLines(payload)) return false;
  const keys = [...(oddsMarketKeys(payload) ?? [])];
  return keys.length === 0 || keys.some((key) => !isPlayerMarket(key));
}

export const FORMATS: Record<FormatName, FormatInfo> = {
  "bdl-boxscores": {
    describe: "balldontlie box_scores?date= (data[] with home_team/visitor_team players)",
    tables: BDL_BOXSCORES_TABLES,
    looksLike: looksLikeBdlBoxscores,
  },
  "nbac-gamebook": {
    describe: "parsed NBA.com gamebook (game_code, active/dnp/inactive_players)",
    tables: NBAC_GAMEBOOK_TABLES,
    looksLike: looksLikeNbacGamebook,
  },
  "nbac-schedule": {
    describe: "NBA.com season schedule, flattened games[]",
    tables: NBAC_SCHEDULE_TABLES,
    looksLike: looksLikeNbacSchedule,
  },
  "nbac-leaguegamelog": {
    describe: "NBA.com stats leaguegamelog, player rows",
    tables: NBAC_LEAGUEGAMELOG_TABLES,
    looksLike: looksLikeNbacLeaguegamelog,
  },
  "nbac-boxscore": {
    describe: "NBA.com stats boxscore (PlayerStats, TeamStats)",
    tables: NBAC_BOXSCORE_TABLES,
    looksLike: looksLikeNbacBoxscore,
  },
  "odds-api-game-lines": {
    describe: "The Odds API historical event odds (timestamp, data with bookmakers[] spreads/totals)",
    tables: ODDS_API_GAME_LINES_TABLES,
    looksLike: looksLikeGameLinesSnapshot,
  },
  "nbac-injury-report": {
    describe: "parsed NBA.com injury report (metadata.gamedate, records[] with player and status)",
    tables: NBAC_INJURY_REPORT_TABLES,
    looksLike: looksLikeNbacInjuryReport,
  },
  "espn-scoreboard": {
    describe: "ESPN scoreboard scraper output (scoreDate, games[] with teams[])",
    tables: ESPN_SCOREBOARD_TABLES,
    looksLike: looksLikeEspnScoreboard,
  },
  "travel-distances": {
    describe: "travel distances CSV (from_team, to_team, distance_miles, ...): reference data, a load replaces the table",
    tables: TRAVEL_DISTANCES_TABLES,
    replaces: "table",
    looksLike: looksLikeTravelDistances,
  },
  "nbac-play-by-play": {
    describe: "NBA.com live play-by-play (playByPlay.game.actions[]; person ids named from the box score or player index)",
    tables: NBAC_PLAY_BY_PLAY_TABLES,
    looksLike: looksLikeNbacPlayByPlay,
  },
  "bigdataball-pbp": {
    describe: "BigDataBall play-by-play CSV (game_id, play_id, remaining_time, event_type, ...)",
    tables: BIGDATABALL_PBP_TABLES,
    looksLike: looksLikeBigDataBallPbp,
  },
  "nbac-player-list": {
    describe: "NBA.com stats playerindex (PlayerIndex rows; the season from parameters.Season)",
    tables: NBAC_PLAYER_LIST_TABLES,
    looksLike: looksLikeNbacPlayerList,
  },
  "odds-api-player-props": {
    describe: "The Odds API event odds with player markets (player_points Over/Under per player)",
    tables: ODDS_API_PLAYER_PROPS_TABLES,
    looksLike: looksLikeOddsApiPlayerProps,
  },
  "espn-roster": {
    describe: "ESPN roster API (team.athletes[]; the date from espn_roster_api_<TEAM>_<DATE>.json or --roster-date, --scrape-hour)",
    tables: ESPN_ROSTER_TABLES,
    looksLike: looksLikeEspnRoster,
  },
};

export type Detection = { format: FormatName } | { reason: string };

function shapeOf(payload: unknown): string {
  if (payload instanceof CsvTable) return `a CSV table with columns ${payload.header.slice(0, 8).join(", ")}${payload.header.length > 8 ? ", ..." : ""}`;
  if (Array.isArray(payload)) return "a JSON array";
  if (typeof payload !== "object" || payload === null) return `a JSON ${payload === null ? "null" : typeof payload}`;
  const keys = Object.keys(payload);
  const shown = keys.slice(0, 8).join(", ");
  return keys.length === 0 ? "an empty object" : `an object with keys ${shown}${keys.length > 8 ? ", ..." : ""}`;
}

/** The one format whose shape the payload has, or why none (or several) fit. */
export function detectFormat(payload: unknown): Detection {
  const matches = FORMAT_NAMES.filter((name) => FORMATS[name].looksLike(payload));
  if (matches.length === 1) return { format: matches[0] as FormatName };
  if (matches.length > 1) return { reason: `the payload fits several formats (${matches.join(", ")}); pass --format` };
  const known = FORMAT_NAMES.map((name) => `${name}: ${FORMATS[name].describe}`).join("; ");
  return { reason: `cannot tell the format: the payload is ${shapeOf(payload)}, which is none of ${known}; pass --format if it is one of them` };
}
