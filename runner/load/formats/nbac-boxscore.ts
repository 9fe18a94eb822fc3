/**
 * NBA.com stats `boxscore` resource (result sets PlayerStats and TeamStats) →
 * nba_raw.nbac_player_boxscores and nba_raw.nbac_team_boxscore.
 *
 * The payload names one game by its NBA.com id and carries neither the date nor which team was at
 * home, so it is read in two steps: `readNbacBoxscore` validates it and says which game and teams
 * it covers; the loader then finds the date and sides (schedule, or the person's options) and
 * `nbacBoxscoreRows` builds the rows. Both steps are pure.
 *
 * PlayerStats lists every rostered player; those with no minutes did not play and are not written,
 * because nbac_player_boxscores holds players who appeared (the models treat its rows as active).
 * The resource is fetched once a game is over, so rows are 'Final', as for the league game log.
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { count, nbaGameId, PayloadProblems, ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { clockMinutes, PLAYER_COUNTS, playerStatColumns, readResultSet, StatsEnvelope, statsEnvelopeOf } from "./stats-api.ts";

export const NBAC_BOXSCORE_TABLES = ["nbac_player_boxscores", "nbac_team_boxscore"] as const;

const BoxCounts = { ...PLAYER_COUNTS, TO: count };

const PlayerRow = z.object({
  GAME_ID: nbaGameId,
  TEAM_ABBREVIATION: z.string(),
  PLAYER_ID: z.number().int(),
  PLAYER_NAME: z.string().min(1, { error: "expected a player name, got an empty string" }),
  START_POSITION: z.string().nullable(),
  MIN: clockMinutes.nullable(),
  ...BoxCounts,
});

const TeamRow = z.object({
  GAME_ID: nbaGameId,
  TEAM_ID: z.number().int(),
  TEAM_NAME: z.string(),
  TEAM_ABBREVIATION: z.string(),
  MIN: clockMinutes,
  ...BoxCounts,
});

type PlayerRow = z.infer<typeof PlayerRow>;
type TeamRow = z.infer<typeof TeamRow>;

/** A validated boxscore: one game, two teams, the players who appeared. */
export interface NbacBoxscore {
  nbaGameId: string;
  /** The two teams' NBA.com tricodes, in TeamStats order. */
  teams: [string, string];
  players: (PlayerRow & { team: string; lookup: string })[];
  teamLines: (TeamRow & { team: string })[];
  /** PlayerStats rows without minutes (did not play), not written. */
  didNotPlay: number;
}

/** Where the game was played and when: from the schedule or the person's options. */
export interface BoxscoreGame {
  gameDate: string;
  homeTricode: string;
  awayTricode: string;
}

/** A stats API envelope of the boxscore resource, or one with PlayerStats and TeamStats. */
export function looksLikeNbacBoxscore(payload: unknown): boolean {
  const envelope = statsEnvelopeOf(payload);
  if (envelope === undefined) return false;
  return envelope.resource === "boxscore" || (envelope.names.includes("PlayerStats") && envelope.names.includes("TeamStats"));
}

export function readNbacBoxscore(payload: unknown): NbacBoxscore {
  const problems = new ProblemList();
  const envelope = problems.parse(StatsEnvelope, payload);
  problems.throwIfAny();
  if (!envelope) throw new PayloadProblems(problems.problems);
  const playerSet = envelope.resultSets.findIndex((set) => set.name === "PlayerStats");
  const teamSet = envelope.resultSets.findIndex((set) => set.name === "TeamStats");
  const playerRows = readResultSet(problems, envelope, "PlayerStats", Object.keys(PlayerRow.shape), PlayerRow);
  const teamRows = readResultSet(problems, envelope, "TeamStats", Object.keys(TeamRow.shape), TeamRow);
  problems.throwIfAny();

  const gameIds = new Set([...teamRows, ...playerRows].map((row) => row.value.GAME_ID));
  if (gameIds.size !== 1) {
    problems.add(["resultSets"], `expected the rows of one game, got ${gameIds.size === 0 ? "none" : [...gameIds].join(", ")}`);
    problems.throwIfAny();
  }
  const nbaGameId = [...gameIds][0] as string;

  const teamLines: NbacBoxscore["teamLines"] = [];
  for (const { index, value } of teamRows) {
    const team = toTricode(value.TEAM_ABBREVIATION);
    if (!team) problems.add(["resultSets", teamSet, "rowSet", index, "TEAM_ABBREVIATION"], `not an NBA team code: ${show(value.TEAM_ABBREVIATION)}`);
    else teamLines.push({ ...value, team });
  }
  const teams = teamLines.map((line) => line.team);
  if (teamRows.length !== 2 || new Set(teams).size !== teamRows.length) {
    problems.add(["resultSets", teamSet, "rowSet"], `expected one row for each of the two teams, got ${teamRows.length} (${teams.join(", ")})`);
  }

  const players: NbacBoxscore["players"] = [];
  let didNotPlay = 0;
  for (const { index, value } of playerRows) {
    const at = (field: string): PathSegment[] => ["resultSets", playerSet, "rowSet", index, field];
    const team = toTricode(value.TEAM_ABBREVIATION);
    if (!team || !teams.includes(team)) {
      problems.add(at("TEAM_ABBREVIATION"), `${show(value.TEAM_ABBREVIATION)} is not one of the teams in TeamStats (${teams.join(", ")})`);
      continue;
    }
    const lookup = playerLookup(value.PLAYER_NAME);
    if (!lookup) {
      problems.add(at("PLAYER_NAME"), `no usable player name, got ${show(value.PLAYER_NAME)}`);
      continue;
    }
    if (value.MIN === null) didNotPlay += 1;
    else players.push({ ...value, team, lookup });
  }
  problems.throwIfAny();
  return { nbaGameId, teams: teams as [string, string], players, teamLines, didNotPlay };
}

/** The rows of a validated boxscore once its date and sides are known. */
export function nbacBoxscoreRows(box: NbacBoxscore, game: BoxscoreGame, meta: FileMeta): RowsByTable {
  const sides = [game.homeTricode, game.awayTricode].sort().join(",");
  if (sides !== [...box.teams].sort().join(",")) {
    throw new PayloadProblems([
      {
        path: "resultSets",
        reason: `game ${box.nbaGameId} is ${game.awayTricode} at ${game.homeTricode}, but the boxscore's teams are ${box.teams.join(" and ")}`,
      },
    ]);
  }
  const gameColumns: RawRow = {
    game_id: systemGameId(game.gameDate, game.awayTricode, game.homeTricode),
    nba_game_id: box.nbaGameId,
    game_date: game.gameDate,
    season_year: seasonYear(game.gameDate),
  };
  const players: RawRow[] = box.players.map((line) => ({
    ...gameColumns,
    game_status: "Final",
    home_team_abbr: game.homeTricode,
    away_team_abbr: game.awayTricode,
    nba_player_id: line.PLAYER_ID,
    player_full_name: line.PLAYER_NAME,
    player_lookup: line.lookup,
    team_abbr: line.team,
    starter: Boolean(line.START_POSITION?.trim()),
    minutes: line.MIN,
    ...playerStatColumns(line, line.TO),
    ...metaColumns(meta),
  }));
  const teams: RawRow[] = box.teamLines.map((line) => ({
    ...gameColumns,
    team_id: line.TEAM_ID,
    team_abbr: line.team,
    team_name: line.TEAM_NAME,
    is_home: line.team === game.homeTricode,
    minutes: line.MIN,
    fg_made: line.FGM,
    fg_attempted: line.FGA,
    three_pt_made: line.FG3M,
    three_pt_attempted: line.FG3A,
    ft_made: line.FTM,
    ft_attempted: line.FTA,
    offensive_rebounds: line.OREB,
    defensive_rebounds: line.DREB,
    total_rebounds: line.REB,
    assists: line.AST,
    steals: line.STL,
    blocks: line.BLK,
    turnovers: line.TO,
    personal_fouls: line.PF,
    points: line.PTS,
    plus_minus: line.PLUS_MINUS,
    ...metaColumns(meta),
  }));
  return { nbac_player_boxscores: players, nbac_team_boxscore: teams };
}
