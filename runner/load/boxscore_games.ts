/**
 * Where and when the game of a payload that names it only by its NBA.com id was played (the
 * NBA.com boxscore and play-by-play, BigDataBall's play-by-play): the date and the home team come
 * from nbac_schedule (rows loaded in the same call first, then the warehouse), or from
 * `--game-date` (plus the schedule for that date, or `--home`). Anything less is refused: a
 * guessed home team would put the game under a wrong system game id.
 *
 * Also who played in it, for the NBA.com play-by-play, which names players by person id only:
 * the full names of the game's box score (nbac_player_boxscores) and of the NBA.com player index
 * (nbac_player_list), from the same call's rows or the warehouse.
 */
import { param, type Engine } from "../engines/engine.ts";
import type { BoxscoreGame } from "./formats/nbac-boxscore.ts";
import { PayloadProblems } from "./problems.ts";
import { rawTableRef } from "./raw_tables.ts";
import type { RawRow } from "./rows.ts";

export interface ScheduledGame extends BoxscoreGame {
  nbaGameId: string;
}

/** What a payload itself says of its game: the NBA.com id and the two teams (NBA.com tricodes). */
export interface GameToPlace {
  nbaGameId: string;
  teams: readonly [string, string];
}

export interface BoxscoreGameOptions {
  /** `--game-date`: the ET date of the game. */
  gameDate?: string | undefined;
  /** `--home`: NBA.com tricode of the home team. */
  home?: string | undefined;
}

/** Schedule entries by NBA.com id and by date; the first entry given for a game wins. */
export class ScheduleIndex {
  private readonly byGameId = new Map<string, ScheduledGame>();

  add(games: Iterable<ScheduledGame>): void {
    for (const game of games) if (!this.byGameId.has(game.nbaGameId)) this.byGameId.set(game.nbaGameId, game);
  }

  byId(nbaGameId: string): ScheduledGame | undefined {
    return this.byGameId.get(nbaGameId);
  }

  /** The game between these two teams on that date. */
  between(gameDate: string, teams: readonly string[]): ScheduledGame | undefined {
    const wanted = [...teams].sort().join(",");
    for (const game of this.byGameId.values()) {
      if (game.gameDate === gameDate && [game.homeTricode, game.awayTricode].sort().join(",") === wanted) return game;
    }
    return undefined;
  }
}

/** Schedule entries from nbac_schedule rows (e.g. a schedule file loaded in the same call). */
export function scheduledGamesFromRows(rows: readonly RawRow[]): ScheduledGame[] {
  const games: ScheduledGame[] = [];
  for (const row of rows) {
    const { game_id, game_date, home_team_tricode, away_team_tricode } = row;
    if (typeof game_id === "string" && typeof game_date === "string" && typeof home_team_tricode === "string" && typeof away_team_tricode === "string") {
      games.push({ nbaGameId: game_id, gameDate: game_date, homeTricode: home_team_tricode, awayTricode: away_team_tricode });
    }
  }
  return games;
}

/** The dates a season's games can fall on, from the season digits of an NBA.com id (0022400561 -> 2024). */
function seasonWindow(nbaGameId: string): { first: string; last: string } {
  const digits = Number(nbaGameId.slice(3, 5));
  const year = digits >= 46 ? 1900 + digits : 2000 + digits;
  // Generous on both ends: preseason starts in October, the 2020 bubble finals ended in October.
  return { first: `${year}-07-01`, last: `${year + 1}-12-31` };
}

interface ScheduleRow {
  [key: string]: string | number | null;
  game_id: string;
  game_date: string;
  home_team_tricode: string | null;
  away_team_tricode: string | null;
}

function fromRow(row: ScheduleRow): ScheduledGame[] {
  if (!row.home_team_tricode || !row.away_team_tricode) return [];
  return [{ nbaGameId: row.game_id, gameDate: row.game_date, homeTricode: row.home_team_tricode, awayTricode: row.away_team_tricode }];
}

/**
 * nbac_schedule rows from the warehouse for these games (and, with `gameDate`, every game of that
 * date): the most advanced status, then the latest load, first. Empty when the table does not exist.
 */
export async function warehouseScheduledGames(engine: Engine, nbaGameIds: readonly string[], gameDate: string | undefined): Promise<ScheduledGame[]> {
  const ref = rawTableRef("nbac_schedule");
  if (!(await engine.describeTable(ref))) return [];
  const columns = "game_id, game_date, home_team_tricode, away_team_tricode";
  const games: ScheduledGame[] = [];
  for (const nbaGameId of nbaGameIds) {
    const { first, last } = seasonWindow(nbaGameId);
    const rows = await engine.query<ScheduleRow>(
      `SELECT ${columns}
FROM ${engine.qualify(ref)}
WHERE game_date BETWEEN @first_date AND @last_date
  AND game_id = @game_id
ORDER BY game_status DESC, processed_at DESC
LIMIT 1`,
      { params: { first_date: param.date(first), last_date: param.date(last), game_id: param.string(nbaGameId) }, context: { action: "load" } },
    );
    games.push(...rows.flatMap(fromRow));
  }
  if (gameDate) {
    const rows = await engine.query<ScheduleRow>(
      `SELECT ${columns}
FROM ${engine.qualify(ref)}
WHERE game_date = @game_date
ORDER BY game_id, game_status DESC, processed_at DESC`,
      { params: { game_date: param.date(gameDate) }, context: { action: "load" } },
    );
    games.push(...rows.flatMap(fromRow));
  }
  return games;
}

function refuse(reason: string): never {
  throw new PayloadProblems([{ path: "", reason }]);
}

/**
 * The date and sides of a boxscore's game (or another payload's: `payload` names it in the
 * messages), or PayloadProblems saying what is missing.
 */
export function resolveBoxscoreGame(box: GameToPlace, schedule: ScheduleIndex, options: BoxscoreGameOptions, payload = "the boxscore"): BoxscoreGame {
  const [first, second] = box.teams;
  const id = box.nbaGameId;
  const scheduled = schedule.byId(id);
  if (scheduled) {
    if (options.gameDate && options.gameDate !== scheduled.gameDate) {
      refuse(`nbac_schedule has game ${id} on ${scheduled.gameDate}, not on --game-date ${options.gameDate}`);
    }
    if (options.home && options.home !== scheduled.homeTricode) {
      refuse(`nbac_schedule has ${scheduled.homeTricode} at home in game ${id}, not --home ${options.home}`);
    }
    return scheduled;
  }
  if (!options.gameDate) {
    refuse(
      `${payload} of game ${id} (${first}, ${second}) carries no date and nbac_schedule has no row for it: ` +
        "load the season schedule first (it may be loaded in the same call), or pass --game-date YYYY-MM-DD",
    );
  }
  const onDate = schedule.between(options.gameDate, box.teams);
  if (onDate) {
    if (options.home && options.home !== onDate.homeTricode) {
      refuse(`nbac_schedule has ${onDate.homeTricode} at home against ${options.home === first ? second : first} on ${options.gameDate}, not --home ${options.home}`);
    }
    return { gameDate: options.gameDate, homeTricode: onDate.homeTricode, awayTricode: onDate.awayTricode };
  }
  if (!options.home) {
    refuse(`nbac_schedule has no game between ${first} and ${second} on ${options.gameDate}, so the home team is unknown: pass --home TRICODE`);
  }
  if (options.home !== first && options.home !== second) {
    refuse(`--home ${options.home} is neither team of game ${id} (${first}, ${second})`);
  }
  return { gameDate: options.gameDate, homeTricode: options.home, awayTricode: options.home === first ? second : first };
}

/**
 * The game of a payload that carries its own date (BigDataBall): the schedule must agree with that
 * date, and so must `--game-date`; without the game in the schedule, the date is the file's.
 */
export function resolveDatedGame(game: GameToPlace, fileDate: string, schedule: ScheduleIndex, options: BoxscoreGameOptions, payload: string): BoxscoreGame {
  const scheduled = schedule.byId(game.nbaGameId);
  if (scheduled && scheduled.gameDate !== fileDate) {
    refuse(`${payload} dates game ${game.nbaGameId} ${fileDate}, but nbac_schedule has it on ${scheduled.gameDate}`);
  }
  if (options.gameDate && options.gameDate !== fileDate) refuse(`${payload} dates game ${game.nbaGameId} ${fileDate}, not --game-date ${options.gameDate}`);
  return resolveBoxscoreGame(game, schedule, { gameDate: fileDate, home: options.home }, payload);
}

/** NBA.com person id -> full name. */
export type PersonNames = Map<number, string>;

/** The first name given for each person wins. */
function addNames(names: PersonNames, entries: Iterable<[unknown, unknown]>): void {
  for (const [id, name] of entries) {
    if (typeof id === "number" && typeof name === "string" && name.trim() !== "" && !names.has(id)) names.set(id, name);
  }
}

/** The players of a game's box score, from nbac_player_boxscores rows (e.g. a boxscore loaded in the same call). */
export function boxscoreNamesFromRows(rows: readonly RawRow[], nbaGameId: string): PersonNames {
  const names: PersonNames = new Map();
  addNames(
    names,
    rows.filter((row) => row.nba_game_id === nbaGameId).map((row) => [row.nba_player_id, row.player_full_name]),
  );
  return names;
}

/** Players of the NBA.com player index, from nbac_player_list rows (e.g. an index loaded in the same call): the latest season first. */
export function indexNamesFromRows(rows: readonly RawRow[]): PersonNames {
  const names: PersonNames = new Map();
  const latestFirst = [...rows].sort((a, b) => Number(b.season_year ?? 0) - Number(a.season_year ?? 0));
  addNames(
    names,
    latestFirst.map((row) => [row.nba_person_id, row.player_full_name]),
  );
  return names;
}

interface NameRow {
  [key: string]: string | number | null;
  person_id: number;
  full_name: string;
}

/** The players of the game's box score in the warehouse (the latest load first). Empty when the table does not exist. */
export async function warehouseBoxscoreNames(engine: Engine, nbaGameId: string, gameDate: string): Promise<PersonNames> {
  const ref = rawTableRef("nbac_player_boxscores");
  const names: PersonNames = new Map();
  if (!(await engine.describeTable(ref))) return names;
  const rows = await engine.query<NameRow>(
    `SELECT nba_player_id AS person_id, player_full_name AS full_name
FROM ${engine.qualify(ref)}
WHERE game_date = @game_date
  AND nba_game_id = @nba_game_id
  AND nba_player_id IS NOT NULL
ORDER BY processed_at DESC`,
    { params: { game_date: param.date(gameDate), nba_game_id: param.string(nbaGameId) }, context: { action: "load" } },
  );
  addNames(names, rows.map((row) => [row.person_id, row.full_name]));
  return names;
}

/**
 * These persons in the NBA.com player index in the warehouse (the latest season, then the latest
 * load, first). Empty when the table does not exist or has none of them.
 */
export async function warehouseIndexNames(engine: Engine, personIds: readonly number[]): Promise<PersonNames> {
  const ref = rawTableRef("nbac_player_list");
  const names: PersonNames = new Map();
  if (personIds.length === 0 || !(await engine.describeTable(ref))) return names;
  const rows = await engine.query<NameRow>(
    `SELECT nba_person_id AS person_id, player_full_name AS full_name
FROM ${engine.qualify(ref)}
WHERE CAST(nba_person_id AS STRING) IN UNNEST(@person_ids)
  AND player_full_name IS NOT NULL
ORDER BY season_year DESC, processed_at DESC`,
    { params: { person_ids: param.strings(personIds.map(String)) }, context: { action: "load" } },
  );
  addNames(names, rows.map((row) => [row.person_id, row.full_name]));
  return names;
}
