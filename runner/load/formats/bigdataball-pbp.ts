/**
 * BigDataBall play-by-play CSV (one game per file: `game_id`, `date`, `period`, `remaining_time`,
 * `play_id`, `team`, `event_type`, `player`, `assist`, `block`, `steal`, `result`, `type`,
 * `shot_distance`, `points`, `description`, lineups `a1..a5`/`h1..h5`) →
 * nba_raw.bigdataball_play_by_play: one row per event (spec 9.2).
 *
 * The file's `game_id` lacks NBA.com's leading zeros (42400407 is 0042400407) and the file names no
 * home team (the original took it from the file name), so it is read in two steps like the NBA.com
 * boxscore: `readBigDataBallPbp` validates the file and says which game, date and teams it covers;
 * the loader places the game with the schedule (or `--home`), and `bigDataBallRows` builds the rows.
 * A shot's type is the source's: 3PT when `type` starts with "3pt", else 2PT, and a made shot's
 * `points` must agree. Names get the canonical lookup (spec 3.0, jr/sr kept), so they join to the
 * player summary.
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { isCalendarDate } from "../../dates.ts";
import { CsvTable } from "../csv.ts";
import { PayloadProblems, ProblemList, show } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import type { BoxscoreGame } from "./nbac-boxscore.ts";

export const BIGDATABALL_PBP_TABLES = ["bigdataball_play_by_play"] as const;

const REQUIRED_COLUMNS = [
  "game_id",
  "date",
  "period",
  "remaining_time",
  "play_id",
  "team",
  "event_type",
  "player",
  "assist",
  "block",
  "steal",
  "result",
  "type",
  "shot_distance",
  "points",
  "description",
] as const;

/** Columns no other CSV format has: enough to recognise the file. */
const SIGNATURE_COLUMNS = ["game_id", "play_id", "remaining_time", "event_type"] as const;

const SHOT = "shot";
const FREE_THROW = "free throw";

const digits = (what: string, example: string) =>
  z.string().regex(/^\d+$/, { error: (issue) => `expected ${what} like "${example}", got ${show(issue.input)}` });

const EventRecord = z.object({
  game_id: z.string().regex(/^\d{1,10}$/, { error: (issue) => `expected an NBA.com game id like "42400407", got ${show(issue.input)}` }),
  date: z.string().refine(isCalendarDate, { error: (issue) => `expected a date like "2025-06-22", got ${show(issue.input)}` }),
  period: digits("a period", "1").refine((value) => Number(value) >= 1, { error: "expected a period of 1 or more, got 0" }),
  remaining_time: z
    .string()
    .regex(/^\d+:[0-5]\d:[0-5]\d(\.\d+)?$/, { error: (issue) => `expected a clock like "0:11:44", got ${show(issue.input)}` }),
  play_id: digits("a play number", "3"),
  team: z.string(),
  event_type: z.string(),
  player: z.string(),
  assist: z.string(),
  block: z.string(),
  steal: z.string(),
  result: z.enum(["", "made", "missed"]),
  type: z.string(),
  shot_distance: z.string().regex(/^(\d+(\.\d+)?)?$/, { error: (issue) => `expected a distance in feet like "14", got ${show(issue.input)}` }),
  points: z.string().regex(/^\d?$/, { error: (issue) => `expected the points of the event like "2", got ${show(issue.input)}` }),
  description: z.string(),
});
type EventRecord = z.infer<typeof EventRecord>;

/** A validated event, with the file's line and the acting team as an NBA.com tricode. */
export interface BigDataBallEvent extends EventRecord {
  line: number;
  teamTricode: string | null;
}

/** A validated file: one game, its date and two teams, every event. */
export interface BigDataBallGame {
  /** Padded to NBA.com's ten digits. */
  nbaGameId: string;
  /** The file's `date`. */
  fileDate: string;
  /** The two teams' NBA.com tricodes, in order of first appearance. */
  teams: [string, string];
  events: BigDataBallEvent[];
}

/** The BigDataBall play-by-play CSV, by its header. */
export function looksLikeBigDataBallPbp(payload: unknown): boolean {
  return payload instanceof CsvTable && SIGNATURE_COLUMNS.every((column) => payload.header.includes(column));
}

/** "0:11:44" -> 704 seconds. */
function clockSeconds(clock: string): number {
  const [hours, minutes, seconds] = clock.split(":").map(Number) as [number, number, number];
  return Math.round((hours * 3600 + minutes * 60 + seconds) * 100) / 100;
}

export function shotTypeOf(eventType: string, type: string): "2PT" | "3PT" | "FT" | null {
  if (eventType === SHOT) return type.trim().toLowerCase().startsWith("3pt") ? "3PT" : "2PT";
  if (eventType === FREE_THROW) return "FT";
  return null;
}

const POINTS: Record<string, number> = { "2PT": 2, "3PT": 3, FT: 1 };

export function readBigDataBallPbp(payload: unknown): BigDataBallGame {
  const problems = new ProblemList();
  if (!(payload instanceof CsvTable)) {
    problems.add([], "expected a CSV file with a header line");
    problems.throwIfAny();
    throw new PayloadProblems(problems.problems);
  }
  const missing = REQUIRED_COLUMNS.filter((column) => !payload.header.includes(column));
  if (missing.length > 0) problems.add(["line 1"], `the header has no column ${missing.join(", ")}`);
  if (payload.records.length === 0) problems.add([], "no events: the file has a header line only");
  problems.throwIfAny();

  const events: BigDataBallEvent[] = [];
  const teams: string[] = [];
  const gameIds = new Set<string>();
  const dates = new Set<string>();
  const plays = new Map<string, number>();
  for (const record of payload.records) {
    const at = `line ${record.line}`;
    const fields = Object.fromEntries(payload.header.map((name, index) => [name, record.fields[index] ?? ""]));
    const row = problems.parse(EventRecord, fields, [at]);
    if (!row) continue;
    const before = problems.problems.length;
    gameIds.add(row.game_id.padStart(10, "0"));
    dates.add(row.date);
    const earlier = plays.get(row.play_id);
    if (earlier !== undefined) problems.add([at, "play_id"], `${row.play_id} is also the play_id of line ${earlier}`);
    plays.set(row.play_id, record.line);
    let teamTricode: string | null = null;
    if (row.team.trim()) {
      teamTricode = toTricode(row.team) ?? null;
      if (!teamTricode) problems.add([at, "team"], `not an NBA team code: ${show(row.team)}`);
      else if (!teams.includes(teamTricode)) teams.push(teamTricode);
    }
    const shotType = shotTypeOf(row.event_type, row.type);
    if (shotType && !row.result) problems.add([at, "result"], `a ${row.event_type} without a result (expected made or missed)`);
    if (shotType && row.result === "made" && row.points !== "" && Number(row.points) !== POINTS[shotType]) {
      problems.add([at, "points"], `${row.points} points for a made ${shotType === "FT" ? "free throw" : `${shotType} shot`} (type ${show(row.type)})`);
    }
    const seconds = [row.assist, row.block, row.steal].filter((name) => name.trim() !== "");
    if (seconds.length > 1) problems.add([at], `names ${seconds.length} second players (assist, block, steal): at most one per event`);
    if (seconds.length > 0 && !teamTricode) problems.add([at, "team"], "an assist, block or steal on an event without a team");
    if (problems.problems.length === before) events.push({ ...row, line: record.line, teamTricode });
  }
  if (gameIds.size > 1) problems.add(["game_id"], `expected the events of one game, got ${[...gameIds].join(", ")}`);
  if (dates.size > 1) problems.add(["date"], `expected the events of one date, got ${[...dates].join(", ")}`);
  if (teams.length !== 2) problems.add(["team"], `expected the events of two teams, got ${teams.length === 0 ? "none" : teams.join(", ")}`);
  problems.throwIfAny();
  return { nbaGameId: [...gameIds][0] as string, fileDate: [...dates][0] as string, teams: teams as [string, string], events };
}

const orNull = (value: string) => (value.trim() === "" ? null : value.trim());

/** The rows of a validated file once its game's date and sides are known. */
export function bigDataBallRows(game: BigDataBallGame, placed: BoxscoreGame, meta: FileMeta): RowsByTable {
  if ([placed.homeTricode, placed.awayTricode].sort().join(",") !== [...game.teams].sort().join(",")) {
    throw new PayloadProblems([
      {
        path: "team",
        reason: `game ${game.nbaGameId} is ${placed.awayTricode} at ${placed.homeTricode}, but the file's teams are ${game.teams.join(" and ")}`,
      },
    ]);
  }
  const otherTeam = (team: string) => (team === placed.homeTricode ? placed.awayTricode : placed.homeTricode);
  const lookup = (name: string | null) => (name === null ? null : playerLookup(name) || null);
  const gameColumns: RawRow = {
    game_id: systemGameId(placed.gameDate, placed.awayTricode, placed.homeTricode),
    nba_game_id: game.nbaGameId,
    game_date: placed.gameDate,
    season_year: seasonYear(placed.gameDate),
    home_team_abbr: placed.homeTricode,
    away_team_abbr: placed.awayTricode,
  };
  const rows = game.events.map((event): RawRow => {
    const player1 = orNull(event.player);
    const [role, player2] = event.assist.trim()
      ? (["assist", orNull(event.assist)] as const)
      : event.block.trim()
        ? (["block", orNull(event.block)] as const)
        : event.steal.trim()
          ? (["steal", orNull(event.steal)] as const)
          : ([null, null] as const);
    const team = event.teamTricode;
    return {
      ...gameColumns,
      event_sequence: Number(event.play_id),
      period: Number(event.period),
      period_seconds_remaining: clockSeconds(event.remaining_time),
      event_type: orNull(event.event_type),
      event_subtype: orNull(event.type),
      shot_type: shotTypeOf(event.event_type, event.type),
      shot_made: event.result === "" ? null : event.result === "made",
      shot_distance: event.shot_distance === "" ? null : Number(event.shot_distance),
      player_1_name: player1,
      player_1_lookup: lookup(player1),
      player_1_team_abbr: team,
      player_2_name: player2,
      player_2_lookup: lookup(player2),
      player_2_team_abbr: role === null || team === null ? null : role === "assist" ? team : otherTeam(team),
      player_2_role: role,
      points: event.points === "" ? 0 : Number(event.points),
      description: orNull(event.description),
      data_source: "bigdataball",
      ...metaColumns(meta),
    };
  });
  return { bigdataball_play_by_play: rows };
}
