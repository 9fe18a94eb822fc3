/**
 * Where and when an NBA.com boxscore's game was played. The boxscore names the game only by its
 * NBA.com id, so the date and the home team come from nbac_schedule (rows loaded in the same
 * call first, then the warehouse), or from `--game-date` (plus the schedule for that date, or
 * `--home`). Anything less is refused: a guessed home team would put the game under a wrong
 * system game id.
 */
import { param, type Engine } from "../engines/engine.ts";
import type { BoxscoreGame, NbacBoxscore } from "./formats/nbac-boxscore.ts";
import { PayloadProblems } from "./problems.ts";
import { rawTableRef } from "./raw_tables.ts";
import type { RawRow } from "./rows.ts";

export interface ScheduledGame extends BoxscoreGame {
  nbaGameId: string;
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

/** The date and sides of a boxscore's game, or PayloadProblems saying what is missing. */
export function resolveBoxscoreGame(box: NbacBoxscore, schedule: ScheduleIndex, options: BoxscoreGameOptions): BoxscoreGame {
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
      `the boxscore of game ${id} (${first}, ${second}) carries no date and nbac_schedule has no row for it: ` +
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
