/**
 * The ESPN scoreboard as the scraper writes it (`scoreDate`, `games[]` with `teams[]`) →
 * nba_raw.espn_scoreboard: one row per game. ESPN's team codes are mapped to NBA.com tricodes
 * (NY -> NYK, GS -> GSW, NO -> NOP, SA -> SAS, UTAH -> UTA, WSH -> WAS; spec 0) and the system
 * game id is built from them, so the games join to every other source; ESPN's own codes are kept
 * beside. A team outside the league (All-Star teams) keeps ESPN's code. The game date is the
 * scoreboard's date (Eastern); ESPN's state gives the status: pre scheduled, in in_progress,
 * post final (or the status text, lowercased, for a postponed or canceled game).
 */
import { z } from "zod";
import { toTricode } from "../../nba/teams.ts";
import { isCalendarDate } from "../../dates.ts";
import { ProblemList, show } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const ESPN_SCOREBOARD_TABLES = ["espn_scoreboard"] as const;

const compactDate = z.string().refine((value) => /^\d{8}$/.test(value) && isCalendarDate(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`), {
  error: (issue) => `expected a date like "20240115", got ${show(issue.input)}`,
});

const Team = z.object({
  displayName: z.string().nullish(),
  abbreviation: z.string().regex(/^[A-Z]{2,4}$/, { error: (issue) => `expected a team code like "NY", got ${show(issue.input)}` }),
  score: z
    .string()
    .regex(/^\d*$/, { error: (issue) => `expected a score like "112", got ${show(issue.input)}` })
    .nullish(),
  winner: z.boolean().nullish(),
  homeAway: z.enum(["home", "away"]),
});

const Game = z.object({
  gameId: z.string().regex(/^\d+$/, { error: (issue) => `expected an ESPN game id like "401585183", got ${show(issue.input)}` }),
  state: z.enum(["pre", "in", "post"]),
  status: z.string(),
  startTime: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), { error: (issue) => `expected a timestamp like "2024-01-15T18:00Z", got ${show(issue.input)}` })
    .nullish(),
  teams: z.array(Team),
});

const Payload = z.object({
  scoreDate: compactDate,
  gameCount: z.number().int().min(0).nullish(),
  games: z.array(Game),
});

/** The ESPN scoreboard: `scoreDate` and `games[]` with `teams[]`. */
export function looksLikeEspnScoreboard(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("scoreDate" in payload) || !("games" in payload) || !Array.isArray(payload.games)) return false;
  const first: unknown = payload.games[0];
  return first === undefined || (typeof first === "object" && first !== null && "teams" in first);
}

function statusOf(state: "pre" | "in" | "post", status: string): string {
  if (state === "pre") return "scheduled";
  if (state === "in") return "in_progress";
  return /^final/i.test(status) ? "final" : status.trim().toLowerCase().replace(/\s+/g, "_");
}

export function parseEspnScoreboard(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return { espn_scoreboard: [] };
  const gameDate = `${parsed.scoreDate.slice(0, 4)}-${parsed.scoreDate.slice(4, 6)}-${parsed.scoreDate.slice(6)}`;
  if (parsed.gameCount !== null && parsed.gameCount !== undefined && parsed.gameCount !== parsed.games.length) {
    problems.add(["gameCount"], `says ${parsed.gameCount} games but games[] has ${parsed.games.length}: a truncated scrape`);
  }
  const seen = new Map<string, number>();
  const rows: RawRow[] = [];
  parsed.games.forEach((game, index) => {
    const earlier = seen.get(game.gameId);
    if (earlier !== undefined) {
      problems.add(["games", index, "gameId"], `${show(game.gameId)} already appears at games[${earlier}]`);
      return;
    }
    seen.set(game.gameId, index);
    const home = game.teams.filter((team) => team.homeAway === "home");
    const away = game.teams.filter((team) => team.homeAway === "away");
    if (home.length !== 1 || away.length !== 1) {
      problems.add(["games", index, "teams"], `expected one home and one away team, got ${home.length} home and ${away.length} away`);
      return;
    }
    const [homeTeam, awayTeam] = [home[0], away[0]] as [z.infer<typeof Team>, z.infer<typeof Team>];
    const homeAbbr = toTricode(homeTeam.abbreviation) ?? homeTeam.abbreviation;
    const awayAbbr = toTricode(awayTeam.abbreviation) ?? awayTeam.abbreviation;
    const started = game.state !== "pre";
    const score = (team: z.infer<typeof Team>) => (started && team.score ? Number(team.score) : null);
    const gameStatus = statusOf(game.state, game.status);
    rows.push({
      game_id: systemGameId(gameDate, awayAbbr, homeAbbr),
      espn_game_id: game.gameId,
      game_date: gameDate,
      season_year: seasonYear(gameDate),
      home_team_abbr: homeAbbr,
      away_team_abbr: awayAbbr,
      home_team_espn_abbr: homeTeam.abbreviation,
      away_team_espn_abbr: awayTeam.abbreviation,
      home_team_name: homeTeam.displayName ?? null,
      away_team_name: awayTeam.displayName ?? null,
      game_status: gameStatus,
      game_status_detail: game.status,
      espn_state: game.state,
      is_completed: gameStatus === "final",
      scheduled_start_time: game.startTime ? new Date(game.startTime).toISOString() : null,
      home_team_score: score(homeTeam),
      away_team_score: score(awayTeam),
      home_team_winner: homeTeam.winner ?? null,
      away_team_winner: awayTeam.winner ?? null,
      ...metaColumns(meta),
    });
  });
  problems.throwIfAny();
  return { espn_scoreboard: rows };
}
