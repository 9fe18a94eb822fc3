/**
 * A deterministic synthetic season in the raw tables. Pure: the same options always give
 * identical rows. The season-wide parts (rosters, trades, schedule, injuries) are drawn for the
 * whole season from streams named by the seed, and each game's box score from a stream named by
 * the seed and its game id (its play-by-play and props too), so a week seeded alone equals that
 * week inside a seeded season. The registry is the exception that proves it: it holds the players
 * seen on the seeded dates, so a week's registry is the season's rows of those players.
 */
import { BadInputError } from "../errors.ts";
import { TEAMS } from "../nba/teams.ts";
import { buildAvailability, SeasonRosters } from "./availability.ts";
import { simulateGame } from "./boxscore.ts";
import { seasonCalendar, seasonWindow, type SeasonCalendar } from "./calendar.ts";
import { Random } from "./random.ts";
import { buildRosters, type Roster } from "./rosters.ts";
import { RAW_TABLE_NAMES, type RawTableName } from "../load/raw_tables.ts";
import type { RawRow } from "../load/rows.ts";
import {
  bdlRows,
  gameCode,
  gamebookRows,
  playerBoxscoreRows,
  processedAt,
  scheduleRow,
  systemGameId,
  teamBoxscoreRows,
  type SeededGame,
} from "./rows.ts";
import { buildSchedule } from "./schedule.ts";
import { gameLineRows } from "./lines.ts";
import { injuryReportRows } from "./injuries.ts";
import { playByPlayRows, playByPlaySources, type PlayByPlaySource } from "./play_by_play.ts";
import { playerPropRows } from "./props.ts";
import { espnRosterRows } from "./espn_rosters.ts";
import { aliasRows, chooseAliases, registryRows, universalIds, type SeenOnTeam } from "./registry.ts";
import { addDays } from "../dates.ts";

/**
 * The raw tables a seed does not write: the ESPN scoreboard (a fallback for dates without an
 * NBA.com schedule, which a seeded season always has), NBA.com's player index (the play-by-play
 * loader's name lookup; seeded play-by-play carries its names) and the reference table of travel
 * distances (real data: runner load nba_static_travel_distances.csv).
 */
export const UNSEEDED_TABLES = ["espn_scoreboard", "nbac_player_list", "travel_distances"] as const satisfies readonly RawTableName[];
export type SeededTableName = Exclude<RawTableName, (typeof UNSEEDED_TABLES)[number]>;

/** The raw tables a seed writes: every other raw table, in the loader's order. */
export const SEEDED_TABLES: readonly SeededTableName[] = RAW_TABLE_NAMES.filter(
  (table): table is SeededTableName => !(UNSEEDED_TABLES as readonly string[]).includes(table),
);

export const DEFAULT_SEED = 42;
export const DEFAULT_SEASON = 2024;

export interface MissingBoxscores {
  /** The N latest Final games of the range (late-arriving box scores). */
  latest?: number;
  /** These games, by NBA.com id (0022400561) or system id (20250115_LAL_PHI). */
  games?: string[];
  /** Each Final game independently with this probability (stable per game and seed). */
  rate?: number;
}

export interface SeasonOptions {
  /** Starting year of the season: 2024 = 2024-25. */
  seasonYear: number;
  seed: number;
  /** First and last date seeded; default: the whole regular season. */
  start?: string;
  end?: string;
  /** Games on or before this date are Final, later ones scheduled. Default: the end of the range. */
  today?: string;
  missing?: MissingBoxscores;
  /**
   * Only these tables' rows are built (the others are empty); default all. A table's rows are
   * the same whichever others are built.
   */
  tables?: readonly SeededTableName[];
}

export interface SeasonGame {
  nbaGameId: string;
  gameId: string;
  gameDate: string;
  home: string;
  away: string;
  status: "final" | "scheduled";
  overtimePeriods: number;
  homeScore: number | undefined;
  awayScore: number | undefined;
  boxScoreMissing: boolean;
  /** The table holding the game's play-by-play; undefined without box scores (not played, or missing). */
  playByPlaySource: PlayByPlaySource | undefined;
}

export interface GeneratedSeason {
  seasonYear: number;
  seed: number;
  start: string;
  end: string;
  today: string;
  calendar: SeasonCalendar;
  /** The games of the range, in date and tip-off order. */
  games: SeasonGame[];
  rows: Record<SeededTableName, RawRow[]>;
}

/** The dates the options cover, checked against the season. */
export function resolveRange(options: Pick<SeasonOptions, "seasonYear" | "start" | "end">): { start: string; end: string; calendar: SeasonCalendar } {
  const calendar = seasonCalendar(options.seasonYear);
  const start = options.start ?? calendar.openingDay;
  const end = options.end ?? calendar.finalDay;
  const window = seasonWindow(options.seasonYear);
  if (start > end) throw new BadInputError("reversed_range", `the start date ${start} is after the end date ${end}`);
  if (start < window.start || end > window.end) {
    throw new BadInputError(
      "outside_season",
      `${start}..${end} is not inside the ${options.seasonYear}-${String((options.seasonYear + 1) % 100).padStart(2, "0")} season (${window.start}..${window.end})`,
      { suggestion: `Seed one season at a time; its regular season runs ${calendar.openingDay}..${calendar.finalDay}.` },
    );
  }
  return { start, end, calendar };
}

function chooseMissing(games: SeededGame[], missing: MissingBoxscores | undefined, seed: number): Set<string> {
  const chosen = new Set<string>();
  if (!missing) return chosen;
  const finals = games.filter((game) => game.result);
  const rate = missing.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new BadInputError("invalid_missing_rate", `the missing-box-score rate ${rate} is not between 0 and 1`);
  if (rate > 0) {
    // One draw per game from its own stream: the same games go missing whatever range is seeded.
    for (const game of finals) {
      if (Random.of(seed, "missing", game.schedule.nbaGameId).next() < rate) chosen.add(game.schedule.nbaGameId);
    }
  }
  for (const wanted of missing.games ?? []) {
    const game = games.find((candidate) => candidate.schedule.nbaGameId === wanted || candidate.gameId === wanted);
    if (!game) {
      throw new BadInputError("unknown_game", `game ${wanted} is not in the seeded range`, {
        suggestion: "Use an NBA.com id (0022400561) or a system id (20250115_LAL_PHI) of a game inside --start-date..--end-date.",
      });
    }
    if (!game.result) throw new BadInputError("game_not_final", `game ${wanted} is after --today, so it has no box score to leave out`);
    chosen.add(game.schedule.nbaGameId);
  }
  const latest = missing.latest ?? 0;
  if (!Number.isInteger(latest) || latest < 0) throw new BadInputError("invalid_missing_count", `cannot leave ${latest} box scores out`);
  if (latest > finals.length) {
    throw new BadInputError("too_many_missing", `cannot leave ${latest} box scores out: the range has ${finals.length} Final games`);
  }
  for (const game of finals.slice(finals.length - latest)) chosen.add(game.schedule.nbaGameId);
  return chosen;
}

/** `build`'s value, computed on first use. */
function once<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}

/** Each player and team on the rosters of the seeded dates, once, with the date he joined the team. */
function seenOnRosters(opening: readonly Roster[], rosters: SeasonRosters, dates: readonly string[], calendar: SeasonCalendar): SeenOnTeam[] {
  const seen = new Map<string, SeenOnTeam>();
  for (const date of dates) {
    TEAMS.forEach((_, teamIndex) => {
      for (const player of rosters.on(teamIndex, date)) {
        const key = `${player.lookup}|${teamIndex}`;
        if (seen.has(key)) continue;
        const original = opening[teamIndex]?.players.some((candidate) => candidate.lookup === player.lookup);
        seen.set(key, { player, teamIndex, since: original ? calendar.openingDay : addDays(calendar.tradeDeadline, 1) });
      }
    });
  }
  return [...seen.values()];
}

export function generateSeason(options: SeasonOptions): GeneratedSeason {
  const { seasonYear, seed } = options;
  const { start, end, calendar } = resolveRange(options);
  const today = options.today ?? end;

  const opening = buildRosters(seed, seasonYear);
  const rosters = new SeasonRosters(opening, calendar.tradeDeadline, seed, seasonYear);
  const schedule = buildSchedule(seed, calendar);
  const availability = buildAvailability(seed, calendar, rosters, schedule);

  const games: SeededGame[] = schedule
    .filter((game) => game.gameDate >= start && game.gameDate <= end)
    .map((game) => {
      const night = availability.get(game.nbaGameId);
      if (!night) throw new Error(`no availability for game ${game.nbaGameId}`);
      return {
        schedule: game,
        seasonYear,
        gameId: systemGameId(game),
        gameCode: gameCode(game),
        result: game.gameDate <= today ? simulateGame(seed, game, night) : undefined,
        boxScoreMissing: false,
        processedAt: processedAt(game.gameDate),
      };
    });
  const missing = chooseMissing(games, options.missing, seed);
  for (const game of games) game.boxScoreMissing = missing.has(game.schedule.nbaGameId);

  // The schedule as loaded the morning after `today`, when later games were still scheduled.
  const scheduleLoadedAt = processedAt(today);
  const withBoxScores = games.filter((game) => game.result && !game.boxScoreMissing);
  const nightOf = (game: SeededGame) => availability.get(game.schedule.nbaGameId) ?? { away: [], home: [] };
  // A game without box scores has no play-by-play either: both arrive from the same games.
  const sources = playByPlaySources(seed, schedule);
  const sourceOf = (game: SeededGame) => sources.get(game.schedule.nbaGameId) as PlayByPlaySource;
  const playByPlay = once(() => withBoxScores.map((game) => ({ source: sourceOf(game), rows: playByPlayRows(game, seed, sourceOf(game)) })));
  const aliases = chooseAliases(opening);
  const oddsAlias = aliases.find((alias) => alias.usedByOddsProps);
  const props = once(() => games.map((game) => playerPropRows(game, nightOf(game), seed, oddsAlias)));
  const dates: string[] = [];
  for (let date = start; date <= end; date = addDays(date, 1)) dates.push(date);
  const builders: Record<SeededTableName, () => RawRow[]> = {
    nbac_schedule: () => games.map((game) => scheduleRow(game, seed, scheduleLoadedAt)),
    nbac_team_boxscore: () => withBoxScores.flatMap((game) => teamBoxscoreRows(game, seed)),
    nbac_gamebook_player_stats: () => withBoxScores.flatMap((game) => gamebookRows(game, seed)),
    nbac_player_boxscores: () => withBoxScores.flatMap((game) => playerBoxscoreRows(game, seed)),
    bdl_player_boxscores: () => withBoxScores.flatMap((game) => bdlRows(game, seed)),
    // Lines and injury reports exist for every game, played or not, box scores or not.
    odds_api_game_lines: () => games.flatMap((game) => gameLineRows(game, seed)),
    nbac_injury_report: () => games.flatMap((game) => injuryReportRows(game, nightOf(game), seed)),
    nbac_play_by_play: () => playByPlay().flatMap((game) => (game.source === "nbacom" ? game.rows : [])),
    bigdataball_play_by_play: () => playByPlay().flatMap((game) => (game.source === "bigdataball" ? game.rows : [])),
    // Props are posted before the game: for every game, played or not, box scores or not.
    odds_api_player_points_props: () => props().flatMap((game) => game.odds),
    bettingpros_player_points_props: () => props().flatMap((game) => game.bettingPros),
    espn_team_rosters: () => espnRosterRows(seed, seasonYear, rosters, schedule, availability, dates),
    nba_players_registry: () => registryRows(seenOnRosters(opening, rosters, dates, calendar), universalIds(opening), seasonYear),
    player_aliases: () => aliasRows(aliases, calendar),
  };
  const wanted = new Set<SeededTableName>(options.tables ?? SEEDED_TABLES);
  const rows = Object.fromEntries(SEEDED_TABLES.map((table) => [table, wanted.has(table) ? builders[table]() : []])) as Record<SeededTableName, RawRow[]>;
  const withPlayByPlay = new Set(withBoxScores.map((game) => game.schedule.nbaGameId));

  return {
    seasonYear,
    seed,
    start,
    end,
    today,
    calendar,
    games: games.map((game) => ({
      nbaGameId: game.schedule.nbaGameId,
      gameId: game.gameId,
      gameDate: game.schedule.gameDate,
      home: TEAMS[game.schedule.home]?.tricode as string,
      away: TEAMS[game.schedule.away]?.tricode as string,
      status: game.result ? "final" : "scheduled",
      overtimePeriods: game.result?.overtimePeriods ?? 0,
      homeScore: game.result?.home.points,
      awayScore: game.result?.away.points,
      boxScoreMissing: game.boxScoreMissing,
      playByPlaySource: withPlayByPlay.has(game.schedule.nbaGameId) ? sources.get(game.schedule.nbaGameId) : undefined,
    })),
    rows,
  };
}
