/**
 * Small, consistent raw data for end-to-end scenarios: one game = a schedule row, gamebook rows
 * for both teams (team totals = the players' sums) and the two NBA.com team box score rows;
 * completeGameExtras adds the registry, props and play-by-play a date needs to verify clean.
 */
import { openDuckDBEngine } from "../runner/engines/duckdb/engine.ts";
import type { Engine } from "../runner/engines/engine.ts";
import { RAW_TABLE_NAMES, rawTableRef, rawTables, type RawTableName } from "../runner/load/raw_tables.ts";

export interface Game {
  date: string;
  away: string;
  home: string;
  /** NBA.com numeric id, e.g. 0022400561. */
  nbaGameId: string;
}

export type RawRows = Partial<Record<RawTableName, Record<string, unknown>[]>>;

export function gameId(game: Game): string {
  return `${game.date.replaceAll("-", "")}_${game.away}_${game.home}`;
}

interface StatLine {
  fga: number;
  fgm: number;
  tpa: number;
  tpm: number;
  fta: number;
  ftm: number;
  oreb: number;
  dreb: number;
  ast: number;
  stl: number;
  blk: number;
  tov: number;
  pf: number;
}

const points = (line: StatLine) => 2 * line.fgm + line.tpm + line.ftm;

/** Five starters at 48:00; the home side shoots a little better, so the home team wins. */
function lines(home: boolean): StatLine[] {
  return [0, 1, 2, 3, 4].map((index) => ({
    fga: 18 + index,
    fgm: 8 + (home ? 1 : 0) + (index % 2),
    tpa: 6,
    tpm: 2,
    fta: 4,
    ftm: 3,
    oreb: 1 + (index % 2),
    dreb: 5,
    ast: 4,
    stl: 1,
    blk: index % 2,
    tov: 2,
    pf: 2,
  }));
}

export function processedAt(date: string, hour = 6): string {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return `${next}T${String(hour).padStart(2, "0")}:00:00Z`;
}

/** Raw rows for one Final game; `parts` picks which sources arrived. */
export function gameRows(game: Game, parts: { schedule?: boolean; gamebook?: boolean; teamBoxscore?: boolean; loadedAt?: string } = {}): RawRows {
  const { schedule = true, gamebook = true, teamBoxscore = true, loadedAt = processedAt(game.date) } = parts;
  const id = gameId(game);
  const teams = [
    { team: game.away, home: false, lines: lines(false) },
    { team: game.home, home: true, lines: lines(true) },
  ];
  const totals = teams.map(({ lines: teamLines }) => teamLines.reduce((sum, line) => sum + points(line), 0));
  const rows: RawRows = {};
  if (schedule) {
    rows.nbac_schedule = [
      {
        game_id: game.nbaGameId,
        game_code: `${game.date.replaceAll("-", "")}/${game.away}${game.home}`,
        season_year: 2024,
        game_date: game.date,
        game_status: 3,
        game_status_text: "Final",
        home_team_tricode: game.home,
        away_team_tricode: game.away,
        home_team_score: totals[1],
        away_team_score: totals[0],
        winning_team_tricode: (totals[1] ?? 0) > (totals[0] ?? 0) ? game.home : game.away,
        processed_at: loadedAt,
      },
    ];
  }
  if (gamebook) {
    rows.nbac_gamebook_player_stats = teams.flatMap(({ team, lines: teamLines }) =>
      teamLines.map((line, index) => ({
        game_id: id,
        game_date: game.date,
        season_year: 2024,
        home_team_abbr: game.home,
        away_team_abbr: game.away,
        player_name: `${team} Player ${index + 1}`,
        player_name_original: `${team} Player ${index + 1}`,
        player_lookup: `${team.toLowerCase()}player${index + 1}`,
        team_abbr: team,
        player_status: "active",
        minutes: "48:00",
        points: points(line),
        field_goals_made: line.fgm,
        field_goals_attempted: line.fga,
        three_pointers_made: line.tpm,
        three_pointers_attempted: line.tpa,
        free_throws_made: line.ftm,
        free_throws_attempted: line.fta,
        offensive_rebounds: line.oreb,
        defensive_rebounds: line.dreb,
        total_rebounds: line.oreb + line.dreb,
        assists: line.ast,
        steals: line.stl,
        blocks: line.blk,
        turnovers: line.tov,
        personal_fouls: line.pf,
        processed_at: loadedAt,
      })),
    );
  }
  if (teamBoxscore) {
    rows.nbac_team_boxscore = teams.map(({ team, home, lines: teamLines }, index) => {
      const sum = (key: keyof StatLine) => teamLines.reduce((total, line) => total + line[key], 0);
      const margin = (totals[index] ?? 0) - (totals[1 - index] ?? 0);
      return {
        game_id: id,
        nba_game_id: game.nbaGameId,
        game_date: game.date,
        season_year: 2024,
        team_abbr: team,
        is_home: home,
        minutes: "240:00",
        fg_made: sum("fgm"),
        fg_attempted: sum("fga"),
        three_pt_made: sum("tpm"),
        three_pt_attempted: sum("tpa"),
        ft_made: sum("ftm"),
        ft_attempted: sum("fta"),
        offensive_rebounds: sum("oreb"),
        defensive_rebounds: sum("dreb"),
        total_rebounds: sum("oreb") + sum("dreb"),
        assists: sum("ast"),
        steals: sum("stl"),
        blocks: sum("blk"),
        turnovers: sum("tov") + 1,
        personal_fouls: sum("pf"),
        points: totals[index],
        plus_minus: margin,
        processed_at: loadedAt,
      };
    });
  }
  return rows;
}

/**
 * What a complete date has besides the box scores, so that no post-write check warns: every player
 * in the registry, a pre-tip points line for each (The Odds API, one bookmaker), and an NBA.com
 * play-by-play with each player's field-goal attempts as his line has them (twos alternately at 3
 * and 15 feet, threes at 25; the makes first).
 */
export function completeGameExtras(game: Game, loadedAt = processedAt(game.date)): RawRows {
  const id = gameId(game);
  const tipoff = `${game.date}T23:30:00Z`;
  const snapshot = `${game.date}T22:30:00Z`;
  const players = [
    { team: game.away, lines: lines(false) },
    { team: game.home, lines: lines(true) },
  ].flatMap(({ team, lines: teamLines }) =>
    teamLines.map((line, index) => ({ team, line, lookup: `${team.toLowerCase()}player${index + 1}`, name: `${team} Player ${index + 1}` })),
  );
  const shots = players.flatMap(({ team, line, lookup }) => {
    const twos = line.fga - line.tpa;
    const twoMakes = line.fgm - line.tpm;
    return [
      ...Array.from({ length: twos }, (_, index) => ({ type: "2PT", made: index < twoMakes, distance: index % 2 === 0 ? 3 : 15 })),
      ...Array.from({ length: line.tpa }, (_, index) => ({ type: "3PT", made: index < line.tpm, distance: 25 })),
    ].map((shot) => ({ ...shot, team, lookup }));
  });
  return {
    nba_players_registry: players.map(({ team, lookup, name }) => ({
      universal_player_id: `${lookup}_001`,
      player_lookup: lookup,
      player_full_name: name,
      team_abbr: team,
      season_year: 2024,
      first_seen_source: "nbac_gamebook_player_stats",
      processed_at: loadedAt,
    })),
    odds_api_player_points_props: players.map(({ lookup, name, line }) => ({
      snapshot_timestamp: snapshot,
      game_id: `odds_${id}`,
      commence_time: tipoff,
      game_date: game.date,
      home_team_abbr: game.home,
      away_team_abbr: game.away,
      bookmaker: "draftkings",
      bookmaker_last_update: snapshot,
      player_name: name,
      player_lookup: lookup,
      points_line: points(line) - 0.5,
      over_price: 1.91,
      under_price: 1.91,
      minutes_before_tipoff: 60,
      source_file_path: `odds/${id}.json`,
      processed_at: snapshot,
    })),
    nbac_play_by_play: shots.map((shot, index) => ({
      game_id: id,
      game_date: game.date,
      season_year: 2024,
      home_team_abbr: game.home,
      away_team_abbr: game.away,
      nba_game_id: game.nbaGameId,
      event_sequence: index + 1,
      period: 1 + Math.floor((4 * index) / shots.length),
      event_type: shot.type === "3PT" ? "3pt" : "2pt",
      is_field_goal: true,
      shot_type: shot.type,
      shot_made: shot.made,
      shot_distance: shot.distance,
      player_1_lookup: shot.lookup,
      player_1_team_abbr: shot.team,
      points: shot.made ? (shot.type === "3PT" ? 3 : 2) : 0,
      source_file_path: `pbp/${game.nbaGameId}.json`,
      processed_at: loadedAt,
    })),
  };
}

/** gameRows with completeGameExtras: a game no post-write check warns about. */
export function completeGameRows(game: Game, parts: Parameters<typeof gameRows>[1] = {}): RawRows {
  return merge(gameRows(game, parts), completeGameExtras(game, parts.loadedAt));
}

/**
 * Up to eight games on one date between the first sixteen tricodes. NBA.com ids are unique across
 * dates, as the real ones are (a shared id would be one game moved from date to date).
 */
export function slate(date: string, count: number): Game[] {
  const teams = ["ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM", "MIA"];
  const day = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse("2024-10-01T00:00:00Z")) / 86_400_000);
  return Array.from({ length: count }, (_, index) => ({
    date,
    away: teams[2 * index] as string,
    home: teams[2 * index + 1] as string,
    nbaGameId: `00224${String(10 * day + index).padStart(5, "0")}`,
  }));
}

/**
 * A Final game whose third gamebook line is impossible (9 threes of 6 attempts) while its points
 * follow the line and the schedule and the team box score agree with them: the source is complete,
 * only the line breaks a row rule.
 */
export function impossibleLineGame(game: Game): RawRows {
  const rows = gameRows(game);
  const line = rows.nbac_gamebook_player_stats?.[2] as Record<string, number | string>;
  const before = Number(line.points);
  const threesBefore = Number(line.three_pointers_made);
  line.three_pointers_made = 9;
  line.field_goals_made = Number(line.field_goals_made) + 7;
  line.field_goals_attempted = Number(line.field_goals_attempted) + 7;
  line.points = 2 * Number(line.field_goals_made) + 9 + Number(line.free_throws_made);
  const delta = Number(line.points) - before;
  const schedule = rows.nbac_schedule?.[0] as Record<string, number>;
  const side = line.team_abbr === game.home ? "home_team_score" : "away_team_score";
  schedule[side] = Number(schedule[side]) + delta;
  const team = rows.nbac_team_boxscore?.find((row) => row.team_abbr === line.team_abbr) as Record<string, number>;
  team.points = Number(team.points) + delta;
  team.fg_made = Number(team.fg_made) + 7;
  team.fg_attempted = Number(team.fg_attempted) + 7;
  team.three_pt_made = Number(team.three_pt_made) + 9 - threesBefore;
  return rows;
}

export function merge(...parts: RawRows[]): RawRows {
  const merged: RawRows = {};
  for (const part of parts) {
    for (const [table, rows] of Object.entries(part) as [RawTableName, Record<string, unknown>[]][]) {
      merged[table] = [...(merged[table] ?? []), ...rows];
    }
  }
  return merged;
}

export async function insertRawRows(engine: Engine, rows: RawRows): Promise<void> {
  const { specs } = rawTables();
  // Raw tables live in nba_raw, the reference table of travel distances in nba_static.
  for (const name of RAW_TABLE_NAMES) {
    await engine.ensureDataset(rawTableRef(name).dataset);
    await engine.ensureTable(rawTableRef(name), specs[name]);
  }
  for (const [table, tableRows] of Object.entries(rows) as [RawTableName, Record<string, unknown>[]][]) {
    await engine.insertRows(rawTableRef(table), specs[table].columns, tableRows);
  }
}

/** Writes raw rows into a warehouse file (opened and closed, so the CLI can open it next). */
export async function writeRaw(warehouse: string, rows: RawRows): Promise<void> {
  const engine = await openDuckDBEngine({ path: warehouse });
  try {
    await insertRawRows(engine, rows);
  } finally {
    await engine.close();
  }
}

/** Runs a query against a warehouse file and closes it. */
export async function queryWarehouse(warehouse: string, sql: string): Promise<Record<string, unknown>[]> {
  const engine = await openDuckDBEngine({ path: warehouse });
  try {
    return await engine.query(sql);
  } finally {
    await engine.close();
  }
}

/** Runs statements against a warehouse file, in order, and closes it. */
export async function executeInWarehouse(warehouse: string, ...statements: string[]): Promise<void> {
  const engine = await openDuckDBEngine({ path: warehouse });
  try {
    for (const statement of statements) await engine.execute(statement);
  } finally {
    await engine.close();
  }
}
