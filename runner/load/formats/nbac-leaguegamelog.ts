/**
 * NBA.com stats `leaguegamelog` (player rows, resultSets[0]) → nba_raw.nbac_player_boxscores: one
 * row per player who appeared. A game log only lists games that are over, so every row is
 * 'Final'. MATCHUP gives home and away: "GSW vs. NYK" is GSW at home, "MIL @ IND" is MIL away.
 * MIN is whole minutes, kept as the string "35" ("0" stays "0").
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { count, dateLike, nbaGameId, ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { PLAYER_COUNTS, playerStatColumns, readResultSet, StatsEnvelope, statsEnvelopeOf } from "./stats-api.ts";

export const NBAC_LEAGUEGAMELOG_TABLES = ["nbac_player_boxscores"] as const;

const matchup = z.string().regex(/^[A-Z]{2,4} (vs\.|@) [A-Z]{2,4}$/, {
  error: (issue) => `expected a matchup like "GSW vs. NYK" or "MIL @ IND", got ${show(issue.input)}`,
});

const Row = z.object({
  PLAYER_ID: z.number().int(),
  PLAYER_NAME: z.string().min(1, { error: "expected a player name, got an empty string" }),
  TEAM_ABBREVIATION: z.string(),
  GAME_ID: nbaGameId,
  GAME_DATE: dateLike,
  MATCHUP: matchup,
  MIN: z.number().int().min(0).nullable(),
  ...PLAYER_COUNTS,
  TOV: count,
});
const HEADERS = Object.keys(Row.shape);

/** A stats API envelope whose resource (or first result set) is the league game log. */
export function looksLikeNbacLeaguegamelog(payload: unknown): boolean {
  const envelope = statsEnvelopeOf(payload);
  return envelope !== undefined && (envelope.resource === "leaguegamelog" || envelope.names[0] === "LeagueGameLog");
}

interface GameSides {
  date: string;
  home: string;
  away: string;
  at: string;
}

export function parseNbacLeaguegamelog(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const envelope = problems.parse(StatsEnvelope, payload);
  problems.throwIfAny();
  if (!envelope) return {};
  const games = new Map<string, GameSides>();
  const rows: RawRow[] = [];
  for (const { index, value: line } of readResultSet(problems, envelope, 0, HEADERS, Row)) {
    const at = (field: string): PathSegment[] => ["resultSets", 0, "rowSet", index, field];
    const [first, separator, second] = line.MATCHUP.split(" ") as [string, string, string];
    const own = toTricode(first);
    const opponent = toTricode(second);
    const team = toTricode(line.TEAM_ABBREVIATION);
    if (!own || !opponent) {
      problems.add(at("MATCHUP"), `not two NBA team codes: ${show(line.MATCHUP)}`);
      continue;
    }
    if (team !== own) {
      problems.add(at("MATCHUP"), `${show(line.MATCHUP)} does not start with the player's team ${show(line.TEAM_ABBREVIATION)}`);
      continue;
    }
    const [home, away] = separator === "@" ? [opponent, own] : [own, opponent];
    const known = games.get(line.GAME_ID);
    if (known && (known.date !== line.GAME_DATE || known.home !== home || known.away !== away)) {
      problems.add(
        at("MATCHUP"),
        `game ${line.GAME_ID} is ${away} at ${home} on ${line.GAME_DATE} here but ${known.away} at ${known.home} on ${known.date} at ${known.at}`,
      );
      continue;
    }
    if (!known) games.set(line.GAME_ID, { date: line.GAME_DATE, home, away, at: `rowSet[${index}]` });
    const lookup = playerLookup(line.PLAYER_NAME);
    if (!lookup) {
      problems.add(at("PLAYER_NAME"), `no usable player name, got ${show(line.PLAYER_NAME)}`);
      continue;
    }
    rows.push({
      game_id: systemGameId(line.GAME_DATE, away, home),
      nba_game_id: line.GAME_ID,
      game_date: line.GAME_DATE,
      season_year: seasonYear(line.GAME_DATE),
      game_status: "Final",
      home_team_abbr: home,
      away_team_abbr: away,
      nba_player_id: line.PLAYER_ID,
      player_full_name: line.PLAYER_NAME,
      player_lookup: lookup,
      team_abbr: own,
      // The game log does not say who started.
      starter: null,
      minutes: line.MIN === null ? null : String(line.MIN),
      ...playerStatColumns(line, line.TOV),
      ...metaColumns(meta),
    });
  }
  problems.throwIfAny();
  return { nbac_player_boxscores: rows };
}
