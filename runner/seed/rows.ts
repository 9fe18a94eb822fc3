/**
 * Simulated games as rows of the raw tables, in the shapes the Phase 2 processors write: the
 * schedule keyed by the numeric NBA.com id, everything else by the system id YYYYMMDD_AWAY_HOME;
 * "MM:SS" minutes in the NBA.com gamebook and box scores, whole minutes ("00" for a DNP) in
 * balldontlie; NULL stats for DNP and inactive gamebook rows. Column names are those of
 * includes/raw_tables.js (the tests hold every row to that list).
 */
import { addDays } from "../dates.ts";
import { nullColumns, systemGameId as formatSystemGameId, type RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import { points, type GameResult, type PlayerLine, type StatLine, type TeamResult } from "./boxscore.ts";
import type { ScheduledGame } from "./schedule.ts";

/** A game of the seeded range with everything the row builders need. */
export interface SeededGame {
  schedule: ScheduledGame;
  seasonYear: number;
  /** YYYYMMDD_AWAY_HOME. */
  gameId: string;
  /** YYYYMMDD/AWAYHOME. */
  gameCode: string;
  /** Undefined for a game not yet played (status 1). */
  result: GameResult | undefined;
  /** Final, but no box-score rows in any source (late-arriving data). */
  boxScoreMissing: boolean;
  /** When Phase 2 wrote the game's rows (see processedAt). */
  processedAt: string;
}

const team = (index: number): Team => TEAMS[index] as Team;

export function systemGameId(game: ScheduledGame): string {
  return formatSystemGameId(game.gameDate, team(game.away).tricode, team(game.home).tricode);
}

export function gameCode(game: ScheduledGame): string {
  return `${game.gameDate.replaceAll("-", "")}/${team(game.away).tricode}${team(game.home).tricode}`;
}

/** When the Phase 2 processors wrote a game's rows: 06:00 UTC the morning after. */
export function processedAt(gameDate: string): string {
  return `${addDays(gameDate, 1)}T06:00:00.000Z`;
}

function sourcePath(source: string, game: SeededGame, seed: number): string {
  return `seed://${seed}/${source}/${game.schedule.gameDate}/${game.schedule.nbaGameId}.json`;
}

export function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * game_status_text as the Phase 2 processor writes it: derived from the status, so overtime games
 * are "Final" too (NBA.com's "Final/OT" is not kept), as in runner load.
 */
const STATUS_TEXT = { scheduled: "Scheduled", final: "Final" } as const;

export function scheduleRow(game: SeededGame, seed: number, scheduleLoadedAt: string): RawRow {
  const { schedule, result } = game;
  const home = team(schedule.home);
  const away = team(schedule.away);
  const homeScore = result?.home.points ?? 0;
  const awayScore = result?.away.points ?? 0;
  return {
    game_id: schedule.nbaGameId,
    game_code: game.gameCode,
    season_year: game.seasonYear,
    game_date: schedule.gameDate,
    // NBA.com prints the Eastern wall-clock time with a Z (gameDateTimeEst).
    game_date_est: `${schedule.gameDate}T${schedule.tipoffEt}:00Z`,
    game_status: result ? 3 : 1,
    game_status_text: result ? STATUS_TEXT.final : STATUS_TEXT.scheduled,
    home_team_tricode: home.tricode,
    away_team_tricode: away.tricode,
    home_team_score: homeScore,
    away_team_score: awayScore,
    winning_team_tricode: result ? (homeScore > awayScore ? home.tricode : away.tricode) : null,
    is_primetime: schedule.isPrimetime,
    is_regular_season: true,
    is_playoffs: false,
    source_file_path: sourcePath("nbac_schedule", game, seed),
    processed_at: result ? game.processedAt : scheduleLoadedAt,
  };
}

function teamMinutes(result: GameResult): string {
  return `${5 * (48 + 5 * result.overtimePeriods)}:00`;
}

export function teamBoxscoreRows(game: SeededGame, seed: number): RawRow[] {
  const result = game.result as GameResult;
  return [result.away, result.home].map((side) => {
    const t = team(side.teamIndex);
    const s = side.totals;
    return {
      game_id: game.gameId,
      nba_game_id: game.schedule.nbaGameId,
      game_date: game.schedule.gameDate,
      season_year: game.seasonYear,
      team_id: t.teamId,
      team_abbr: t.tricode,
      team_name: t.nickname,
      is_home: side.isHome,
      minutes: teamMinutes(result),
      fg_made: s.fgm,
      fg_attempted: s.fga,
      three_pt_made: s.fg3m,
      three_pt_attempted: s.fg3a,
      ft_made: s.ftm,
      ft_attempted: s.fta,
      offensive_rebounds: s.oreb,
      defensive_rebounds: s.dreb,
      total_rebounds: s.oreb + s.dreb,
      assists: s.ast,
      steals: s.stl,
      blocks: s.blk,
      turnovers: s.tov,
      personal_fouls: s.pf,
      points: side.points,
      plus_minus: side.plusMinus,
      source_file_path: sourcePath("nbac_team_boxscore", game, seed),
      processed_at: game.processedAt,
    };
  });
}

const NO_STATS: StatLine = { fgm: 0, fga: 0, fg3m: 0, fg3a: 0, ftm: 0, fta: 0, oreb: 0, dreb: 0, ast: 0, stl: 0, blk: 0, tov: 0, pf: 0 };

/** The player box-score columns (gamebook naming); NULL, or 0 with `zeroWhenMissing`, without stats. */
function statColumns(stats: StatLine | null, zeroWhenMissing = false): RawRow {
  const s = stats ?? NO_STATS;
  const columns = {
    points: points(s),
    field_goals_made: s.fgm,
    field_goals_attempted: s.fga,
    three_pointers_made: s.fg3m,
    three_pointers_attempted: s.fg3a,
    free_throws_made: s.ftm,
    free_throws_attempted: s.fta,
    offensive_rebounds: s.oreb,
    defensive_rebounds: s.dreb,
    assists: s.ast,
    steals: s.stl,
    blocks: s.blk,
    turnovers: s.tov,
    personal_fouls: s.pf,
  };
  return stats || zeroWhenMissing ? columns : nullColumns(columns);
}

/** A player's line as NBA.com's gamebook and box scores print it: the stats, total rebounds and plus/minus. */
function nbacLineColumns(line: PlayerLine): RawRow {
  return { ...statColumns(line.stats), total_rebounds: line.stats ? line.stats.oreb + line.stats.dreb : null, plus_minus: line.plusMinus };
}

function sides(game: SeededGame): TeamResult[] {
  const result = game.result as GameResult;
  return [result.away, result.home];
}

function matchup(game: SeededGame): RawRow {
  return { home_team_abbr: team(game.schedule.home).tricode, away_team_abbr: team(game.schedule.away).tricode };
}

export function gamebookRows(game: SeededGame, seed: number): RawRow[] {
  return sides(game).flatMap((side) =>
    side.lines.map((line: PlayerLine) => ({
      game_id: game.gameId,
      game_code: game.gameCode,
      game_date: game.schedule.gameDate,
      season_year: game.seasonYear,
      ...matchup(game),
      player_name: line.player.name,
      // The PDF lists inactive players by last name only; the processor resolves the full name.
      player_name_original: line.status === "inactive" ? line.player.lastName : line.player.name,
      player_lookup: line.player.lookup,
      team_abbr: team(side.teamIndex).tricode,
      player_status: line.status,
      dnp_reason: line.reason,
      minutes: line.status === "active" ? clock(line.seconds) : null,
      ...nbacLineColumns(line),
      source_file_path: sourcePath("nbac_gamebook", game, seed),
      processed_at: game.processedAt,
    })),
  );
}

/** NBA.com player box scores: only the players who appeared. */
export function playerBoxscoreRows(game: SeededGame, seed: number): RawRow[] {
  return sides(game).flatMap((side) =>
    side.lines
      .filter((line) => line.status === "active")
      .map((line) => ({
        game_id: game.gameId,
        nba_game_id: game.schedule.nbaGameId,
        game_date: game.schedule.gameDate,
        season_year: game.seasonYear,
        game_status: "Final",
        ...matchup(game),
        nba_player_id: line.player.nbaPlayerId,
        player_full_name: line.player.name,
        player_lookup: line.player.lookup,
        team_abbr: team(side.teamIndex).tricode,
        starter: line.starter,
        minutes: clock(line.seconds),
        ...nbacLineColumns(line),
        source_file_path: sourcePath("nbac_player_boxscores", game, seed),
        processed_at: game.processedAt,
      })),
  );
}

/**
 * balldontlie: every player who dressed (DNPs with "00" minutes and zeros, as its API prints
 * them), whole minutes rounded so that a team's add up to its player-minutes.
 */
export function bdlRows(game: SeededGame, seed: number): RawRow[] {
  const result = game.result as GameResult;
  return sides(game).flatMap((side) => {
    const dressed = side.lines.filter((line) => line.status !== "inactive");
    const wholeMinutes = roundMinutes(dressed.map((line) => line.seconds));
    return dressed.map((line, i) => ({
      game_id: game.gameId,
      game_date: game.schedule.gameDate,
      season_year: game.seasonYear,
      game_status: "Final",
      period: 4 + result.overtimePeriods,
      ...matchup(game),
      home_team_score: result.home.points,
      away_team_score: result.away.points,
      team_abbr: team(side.teamIndex).tricode,
      bdl_player_id: line.player.bdlPlayerId,
      player_full_name: line.player.name,
      player_lookup: line.player.lookup,
      position: line.player.position,
      minutes: String(wholeMinutes[i]).padStart(2, "0"),
      ...statColumns(line.stats, true),
      rebounds: line.stats ? line.stats.oreb + line.stats.dreb : 0,
      source_file_path: sourcePath("bdl_player_boxscores", game, seed),
      processed_at: game.processedAt,
    }));
  });
}

/** Whole minutes per player, summing to the team's whole minutes (largest remainder). */
function roundMinutes(seconds: number[]): number[] {
  const total = Math.round(seconds.reduce((a, b) => a + b, 0) / 60);
  const floors = seconds.map((value) => Math.floor(value / 60));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = seconds.map((value, i) => ({ i, rest: value % 60 })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left--;
  }
  return floors;
}
