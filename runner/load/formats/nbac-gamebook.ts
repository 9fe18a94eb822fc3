/**
 * Parsed NBA.com gamebook (the PDF scraper's JSON) → nba_raw.nbac_gamebook_player_stats: every
 * rostered player of the game, `active` with a box score, `dnp` and `inactive` with NULL stats and
 * the gamebook's reason. The gamebook names teams in full ("Memphis Grizzlies", "BROOKLYN NETS").
 *
 * Inactive players are printed by last name only ("Morant"); production resolves them against
 * rosters, which a local load does not have, so they keep the printed name, and their
 * player_lookup is built from it, as production does when its roster lookup finds nothing.
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { teamByFullName, toTricode } from "../../nba/teams.ts";
import { count, dateLike, ProblemList, show, signedInt, type PathSegment } from "../problems.ts";
import { metaColumns, nullColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const NBAC_GAMEBOOK_TABLES = ["nbac_gamebook_player_stats"] as const;

const minutes = z
  .string()
  .regex(/^\d{1,3}:[0-5]\d$/, { error: (issue) => `expected minutes like "35:42", got ${show(issue.input)}` })
  .nullable();

const Stats = z.object({
  minutes,
  points: count,
  field_goals_made: count,
  field_goals_attempted: count,
  three_pointers_made: count,
  three_pointers_attempted: count,
  free_throws_made: count,
  free_throws_attempted: count,
  offensive_rebounds: count,
  defensive_rebounds: count,
  total_rebounds: count,
  assists: count,
  steals: count,
  blocks: count,
  turnovers: count,
  personal_fouls: count,
  plus_minus: signedInt,
});
type Stats = z.infer<typeof Stats>;

const Player = z.object({ name: z.string().min(1, { error: "expected a player name, got an empty string" }), team: z.string() });

const Payload = z.object({
  game_code: z.string().regex(/^\d{8}\/[A-Z]{6}$/, {
    error: (issue) => `expected a game code like "20240410/MEMCLE", got ${show(issue.input)}`,
  }),
  date: dateLike.optional(),
  away_team: z.string().optional(),
  home_team: z.string().optional(),
  active_players: z.array(Player.extend({ stats: Stats })).default([]),
  dnp_players: z.array(Player.extend({ dnp_reason: z.string().nullish() })).default([]),
  inactive_players: z.array(Player.extend({ reason: z.string().nullish() })).default([]),
});

/** A parsed gamebook: a `game_code` and at least one of the player lists. */
export function looksLikeNbacGamebook(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("game_code" in payload)) return false;
  return "active_players" in payload || "dnp_players" in payload || "inactive_players" in payload;
}

/** A DNP or inactive player's line: every stat of the box score NULL. */
const NULL_STATS: Stats = nullColumns(Stats.shape);

export function parseNbacGamebook(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return {};

  // game_code "YYYYMMDD/AWAYHOME" is authoritative; date/away_team/home_team must agree with it.
  const codeDate = `${parsed.game_code.slice(0, 4)}-${parsed.game_code.slice(4, 6)}-${parsed.game_code.slice(6, 8)}`;
  const codeAway = toTricode(parsed.game_code.slice(9, 12));
  const codeHome = toTricode(parsed.game_code.slice(12, 15));
  if (!codeAway || !codeHome) problems.add(["game_code"], `not two NBA team codes: ${show(parsed.game_code)}`);
  if (parsed.date !== undefined && parsed.date !== codeDate) {
    problems.add(["date"], `${show(parsed.date)} disagrees with game_code ${show(parsed.game_code)}`);
  }
  for (const [field, expected] of [["away_team", codeAway], ["home_team", codeHome]] as const) {
    const given = parsed[field];
    if (given !== undefined && expected && toTricode(given) !== expected) {
      problems.add([field], `${show(given)} disagrees with game_code ${show(parsed.game_code)}`);
    }
  }
  problems.throwIfAny();
  const away = codeAway as string;
  const home = codeHome as string;
  const gameColumns: RawRow = {
    game_id: systemGameId(codeDate, away, home),
    game_code: parsed.game_code,
    game_date: codeDate,
    season_year: seasonYear(codeDate),
    home_team_abbr: home,
    away_team_abbr: away,
  };

  const rows: RawRow[] = [];
  const addPlayer = (at: PathSegment[], player: { name: string; team: string }, status: string, reason: string | null, stats: Stats) => {
    const team = teamByFullName(player.team)?.tricode ?? toTricode(player.team);
    if (!team) {
      problems.add([...at, "team"], `not an NBA team name: ${show(player.team)}`);
      return;
    }
    if (team !== home && team !== away) {
      problems.add([...at, "team"], `${show(player.team)} is neither team of ${parsed.game_code}`);
      return;
    }
    const lookup = playerLookup(player.name);
    if (!lookup) {
      problems.add([...at, "name"], `no usable player name, got ${show(player.name)}`);
      return;
    }
    rows.push({
      ...gameColumns,
      player_name: player.name,
      player_name_original: player.name,
      player_lookup: lookup,
      team_abbr: team,
      player_status: status,
      dnp_reason: reason,
      ...stats,
      ...metaColumns(meta),
    });
  };
  parsed.active_players.forEach((player, index) => addPlayer(["active_players", index], player, "active", null, player.stats));
  parsed.dnp_players.forEach((player, index) => addPlayer(["dnp_players", index], player, "dnp", player.dnp_reason ?? null, NULL_STATS));
  parsed.inactive_players.forEach((player, index) => addPlayer(["inactive_players", index], player, "inactive", player.reason ?? null, NULL_STATS));
  problems.throwIfAny();
  return { nbac_gamebook_player_stats: rows };
}
