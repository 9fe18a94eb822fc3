/**
 * NBA.com season schedule (scheduleleaguev2, flattened by the scraper into `games[]`) →
 * nba_raw.nbac_schedule: one row per game, keyed by the numeric NBA.com game id (not the system
 * id). Every game of the file is written (preseason, All-Star and play-in included); the models
 * tell them apart by the game id prefix.
 *
 * Values follow what the production processor writes, so a model behaves the same locally and on
 * the real tables: `game_status_text` is "Scheduled" / "In Progress" / "Final" from the numeric
 * status (NBA.com's "Final/OT" is not kept, so `game_status_text = 'Final'` finds overtime games
 * too), and `is_regular_season` / `is_playoffs` are the scraper's flags as given. A postponed game
 * is the exception: its status is 1 like any game not played yet, and only NBA.com's text ("PPD",
 * includes/constants.js SCHEDULE_POSTPONED_STATUS_TEXTS) says it will not be played that day, so
 * that text is kept as given.
 */
import { z } from "zod";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { toTricode } from "../../nba/teams.ts";
import { projectConstants } from "../../project_constants.ts";
import { dateLike, nbaGameId, ProblemList, show } from "../problems.ts";
import { metaColumns, seasonYear, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const NBAC_SCHEDULE_TABLES = ["nbac_schedule"] as const;

const STATUS_TEXT: Record<number, string> = { 1: "Scheduled", 2: "In Progress", 3: "Final" };

const timestamp = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
  error: (issue) => `expected a timestamp like "2025-01-15T19:00:00Z", got ${show(issue.input)}`,
});

/** Teams of playoff games not yet decided have no tricode. */
const Side = z.object({
  teamTricode: z
    .string()
    .regex(/^([A-Z]{2,4})?$/, { error: (issue) => `expected a team tricode like "LAL", got ${show(issue.input)}` })
    .nullish(),
  score: z.number().int().min(0).nullish(),
});

const Game = z.object({
  gameId: nbaGameId,
  gameCode: z.string().nullish(),
  gameStatus: z.number().refine((value) => STATUS_TEXT[value] !== undefined, {
    error: (issue) => `expected 1 (scheduled), 2 (live) or 3 (final), got ${show(issue.input)}`,
  }),
  gameStatusText: z.string().nullish(),
  gameDateEst: dateLike,
  gameDateTimeEst: timestamp.nullish(),
  homeTeam: Side,
  awayTeam: Side,
  isPrimetime: z.boolean().nullish(),
  isRegularSeason: z.boolean().nullish(),
  isPlayoffs: z.boolean().nullish(),
});

const Payload = z.object({ games: z.array(Game) });

/** The flattened schedule: `games[]` of NBA.com games (`gameId`, `homeTeam`, `awayTeam`). */
export function looksLikeNbacSchedule(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("games" in payload) || !Array.isArray(payload.games)) return false;
  const first: unknown = payload.games[0];
  return first === undefined || (typeof first === "object" && first !== null && "gameId" in first && "homeTeam" in first);
}

/** NBA.com tricodes as they are; the few variants other sources use are mapped. Non-NBA teams
 * (international preseason opponents, All-Star teams) keep NBA.com's code for them. */
function tricode(code: string | null | undefined): string | null {
  if (!code) return null;
  return toTricode(code) ?? code;
}

/** NBA.com's status text when it says the game is postponed ("PPD"), else the text of the numeric status. */
function statusText(status: number, text: string | null | undefined, postponedTexts: string[]): string | null {
  const given = text?.trim() ?? "";
  if (postponedTexts.some((postponed) => postponed.toLowerCase() === given.toLowerCase())) return given;
  return STATUS_TEXT[status] ?? null;
}

export function parseNbacSchedule(payload: unknown, meta: FileMeta): RowsByTable {
  const postponedTexts = projectConstants(PROJECT_DIR).SCHEDULE_POSTPONED_STATUS_TEXTS;
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  const seen = new Map<string, number>();
  const rows: RawRow[] = [];
  parsed?.games.forEach((game, index) => {
    const earlier = seen.get(game.gameId);
    if (earlier !== undefined) {
      problems.add(["games", index, "gameId"], `${show(game.gameId)} already appears at games[${earlier}]`);
      return;
    }
    seen.set(game.gameId, index);
    const home = tricode(game.homeTeam.teamTricode);
    const away = tricode(game.awayTeam.teamTricode);
    const homeScore = game.homeTeam.score ?? null;
    const awayScore = game.awayTeam.score ?? null;
    const final = game.gameStatus === 3 && homeScore !== null && awayScore !== null && homeScore !== awayScore;
    rows.push({
      game_id: game.gameId,
      game_code: game.gameCode || null,
      season_year: seasonYear(game.gameDateEst),
      game_date: game.gameDateEst,
      // Tip-off as NBA.com gives it: Eastern wall-clock time (labelled Z); midnight when unknown.
      game_date_est: new Date(game.gameDateTimeEst ?? `${game.gameDateEst}T00:00:00Z`).toISOString(),
      game_status: game.gameStatus,
      game_status_text: statusText(game.gameStatus, game.gameStatusText, postponedTexts),
      home_team_tricode: home,
      away_team_tricode: away,
      home_team_score: homeScore,
      away_team_score: awayScore,
      winning_team_tricode: final ? (homeScore > awayScore ? home : away) : null,
      is_primetime: game.isPrimetime ?? null,
      is_regular_season: game.isRegularSeason ?? null,
      is_playoffs: game.isPlayoffs ?? null,
      ...metaColumns(meta),
    });
  });
  problems.throwIfAny();
  return { nbac_schedule: rows };
}
