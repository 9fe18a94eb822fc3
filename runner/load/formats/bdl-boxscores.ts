/**
 * balldontlie `box_scores?date=` → nba_raw.bdl_player_boxscores: one row per player listed for a
 * game, both teams, including players with "00" minutes (did not play). Values are kept as the
 * source gives them; what a DNP is stays the models' decision.
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { count, dateLike, ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const BDL_BOXSCORES_TABLES = ["bdl_player_boxscores"] as const;

/** Whole minutes ("28", "00" = did not play) or "MM:SS"; empty or null when the source has none. */
const minutes = z
  .string()
  .regex(/^(\d{1,3}(:[0-5]\d)?)?$/, { error: (issue) => `expected minutes like "28" or "28:30", got ${show(issue.input)}` })
  .nullable();

const PlayerLine = z.object({
  min: minutes,
  fgm: count,
  fga: count,
  fg3m: count,
  fg3a: count,
  ftm: count,
  fta: count,
  oreb: count,
  dreb: count,
  reb: count,
  ast: count,
  stl: count,
  blk: count,
  turnover: count,
  pf: count,
  pts: count,
  player: z.object({
    id: z.number().int(),
    first_name: z.string(),
    last_name: z.string(),
    position: z.string().nullish(),
  }),
});

const TeamBox = z.object({
  abbreviation: z.string(),
  players: z.array(PlayerLine),
});

const Game = z.object({
  date: dateLike,
  status: z.string(),
  period: z.number().int().min(0),
  home_team_score: count,
  visitor_team_score: count,
  home_team: TeamBox,
  visitor_team: TeamBox,
});

const Payload = z.object({ data: z.array(Game) });

/** A balldontlie box-score payload: `data[]` of games with `home_team`/`visitor_team` line-ups. */
export function looksLikeBdlBoxscores(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("data" in payload) || !Array.isArray(payload.data)) return false;
  const first: unknown = payload.data[0];
  return first === undefined || (typeof first === "object" && first !== null && "home_team" in first && "visitor_team" in first);
}

export function parseBdlBoxscores(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  const rows: RawRow[] = [];
  parsed?.data.forEach((game, gameIndex) => {
    const at = (...segments: PathSegment[]) => ["data", gameIndex, ...segments];
    const tricode = (side: "home_team" | "visitor_team"): string | undefined => {
      const code = toTricode(game[side].abbreviation);
      if (!code) problems.add(at(side, "abbreviation"), `not an NBA team code: ${show(game[side].abbreviation)}`);
      return code;
    };
    const home = tricode("home_team");
    const away = tricode("visitor_team");
    if (!home || !away) return;
    const gameColumns: RawRow = {
      game_id: systemGameId(game.date, away, home),
      game_date: game.date,
      season_year: seasonYear(game.date),
      game_status: game.status,
      period: game.period,
      home_team_abbr: home,
      away_team_abbr: away,
      home_team_score: game.home_team_score,
      away_team_score: game.visitor_team_score,
    };
    for (const [side, team] of [["home_team", home], ["visitor_team", away]] as const) {
      game[side].players.forEach((line, playerIndex) => {
        const name = `${line.player.first_name} ${line.player.last_name}`.trim();
        const lookup = playerLookup(name);
        if (!lookup) {
          problems.add(at(side, "players", playerIndex, "player"), `no usable player name, got ${show(name)}`);
          return;
        }
        rows.push({
          ...gameColumns,
          team_abbr: team,
          bdl_player_id: line.player.id,
          player_full_name: name,
          player_lookup: lookup,
          position: line.player.position || null,
          minutes: line.min || null,
          points: line.pts,
          field_goals_made: line.fgm,
          field_goals_attempted: line.fga,
          three_pointers_made: line.fg3m,
          three_pointers_attempted: line.fg3a,
          free_throws_made: line.ftm,
          free_throws_attempted: line.fta,
          offensive_rebounds: line.oreb,
          defensive_rebounds: line.dreb,
          rebounds: line.reb,
          assists: line.ast,
          steals: line.stl,
          blocks: line.blk,
          turnovers: line.turnover,
          personal_fouls: line.pf,
          ...metaColumns(meta),
        });
      });
    }
  });
  problems.throwIfAny();
  return { bdl_player_boxscores: rows };
}
