/**
 * Writes a generated season into the warehouse's raw tables: creates the dataset and tables
 * (columns from includes/raw_tables.js), then in one transaction deletes the rows the seed
 * replaces from each table it writes and inserts the new ones: the rows of the seeded dates (by
 * game_date, or the roster date of the ESPN rosters), and in the undated reference tables (the
 * registry, the aliases) the rows with the keys it writes. Seeding the same range again gives the
 * same rows, never duplicates, and leaves the rows other loads wrote to the reference tables.
 */
import { param, type Engine, type QueryParams } from "../engines/engine.ts";
import { BadInputError, DataFailureError } from "../errors.ts";
import { generateSeason, SEEDED_TABLES, type GeneratedSeason, type SeasonOptions, type SeededTableName } from "./generate.ts";
import { ensureRawTables, rawTableRef, rawTables, type RawTableName } from "../load/raw_tables.ts";
import { PROJECT_DIR } from "../compile/compile.ts";
import { projectConstants } from "../project_constants.ts";

export interface SeedOptions extends Omit<SeasonOptions, "tables"> {
  /** The raw tables to write; default all the seeded ones (SEEDED_TABLES). */
  tables?: readonly RawTableName[];
}

export interface SeedSummary {
  seasonYear: number;
  seed: number;
  start: string;
  end: string;
  today: string;
  dataset: string;
  dryRun: boolean;
  games: {
    total: number;
    final: number;
    scheduled: number;
    overtime: number;
    /** NBA.com ids of Final games left without box-score rows. */
    missingBoxscores: string[];
  };
  /** Rows written per table (only the tables written). */
  rows: Partial<Record<SeededTableName, number>>;
  generationMs: number;
  writeMs: number;
}

/** Every column of every generated row must be a column of its table: a typo would be lost as NULL. */
function checkColumns(table: SeededTableName, rows: readonly Record<string, unknown>[]): void {
  const known = new Set(rawTables().specs[table].columns.map((column) => column.name));
  for (const row of rows) {
    const unknown = Object.keys(row).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new DataFailureError("seed_unknown_column", `the seed produced columns ${unknown.join(", ")} that ${table} does not have`, {
        suggestion: "includes/raw_tables.js and runner/seed/rows.ts disagree; align them.",
      });
    }
  }
}

export function summarise(season: GeneratedSeason, tables: readonly SeededTableName[], dryRun: boolean, timings: { generationMs: number; writeMs: number }): SeedSummary {
  return {
    seasonYear: season.seasonYear,
    seed: season.seed,
    start: season.start,
    end: season.end,
    today: season.today,
    dataset: rawTables().dataset,
    dryRun,
    games: {
      total: season.games.length,
      final: season.games.filter((game) => game.status === "final").length,
      scheduled: season.games.filter((game) => game.status === "scheduled").length,
      overtime: season.games.filter((game) => game.overtimePeriods > 0).length,
      missingBoxscores: season.games.filter((game) => game.boxScoreMissing).map((game) => game.nbaGameId),
    },
    rows: Object.fromEntries(tables.map((table) => [table, season.rows[table].length])),
    ...timings,
  };
}

interface PreparedSeed {
  season: GeneratedSeason;
  tables: readonly SeededTableName[];
  generationMs: number;
}

/** The tables to seed: the ones asked for, each of which must be one the seed writes. */
function seededTables(requested: readonly RawTableName[] | undefined): readonly SeededTableName[] {
  if (!requested) return SEEDED_TABLES;
  const seeded = new Set<RawTableName>(SEEDED_TABLES);
  const other = requested.filter((table) => !seeded.has(table));
  if (other.length > 0) {
    throw new BadInputError("table_not_seeded", `runner seed does not write ${other.join(", ")}: it writes ${SEEDED_TABLES.join(", ")}`, {
      suggestion: "Load real data into those tables with runner load (travel distances: runner load ../shared/fixtures/nba_static_travel_distances.csv).",
    });
  }
  return requested as readonly SeededTableName[];
}

function prepare(options: SeedOptions): PreparedSeed {
  const tables = seededTables(options.tables);
  const generationStart = performance.now();
  // Only the tables written are built: --tables nbac_schedule does not simulate play-by-play.
  const season = generateSeason({ ...options, tables });
  const generationMs = Math.round(performance.now() - generationStart);
  for (const table of tables) checkColumns(table, season.rows[table]);
  return { season, tables, generationMs };
}

/** What a seed would write, without a warehouse. */
export function dryRunSeed(options: SeedOptions): SeedSummary {
  const { season, tables, generationMs } = prepare(options);
  return summarise(season, tables, true, { generationMs, writeMs: 0 });
}

/** The key columns of the undated tables a seed writes: a row with the key of a seeded row is replaced. */
const REFERENCE_KEYS: Partial<Record<SeededTableName, readonly string[]>> = {
  nba_players_registry: ["player_lookup", "team_abbr", "season_year"],
  player_aliases: ["alias_lookup"],
};

/** The rows of `table` that the season's rows replace: a WHERE condition and its parameters. */
function replacedRows(table: SeededTableName, season: GeneratedSeason): { where: string; params: QueryParams } {
  const keys = REFERENCE_KEYS[table];
  if (keys) {
    const key = keys.map((column) => `CAST(${column} AS STRING)`).join(", '|', ");
    const values = season.rows[table].map((row) => keys.map((column) => String(row[column])).join("|"));
    return { where: `CONCAT(${key}) IN UNNEST(@keys)`, params: { keys: param.strings(values) } };
  }
  const spec = rawTables().specs[table];
  // Injury reports are partitioned by report date but belong to the games of their game_date.
  const dateColumn = spec.columns.some((column) => column.name === "game_date") ? "game_date" : spec.partitionBy;
  if (!dateColumn) throw new Error(`the seed does not know which rows of ${table} it replaces`);
  const params = { start: param.date(season.start), end: param.date(season.end) };
  if (spec.partitionBy && spec.partitionBy !== dateColumn) {
    // Also a filter on the partition column, which BigQuery requires: a game's reports are issued
    // at most INJURY_REPORT_LOOKBACK_DAYS before it (the models look no further back either).
    const lookback = projectConstants(PROJECT_DIR).INJURY_REPORT_LOOKBACK_DAYS;
    return {
      where: `${dateColumn} BETWEEN @start AND @end AND ${spec.partitionBy} BETWEEN DATE_SUB(@start, INTERVAL ${lookback} DAY) AND @end`,
      params,
    };
  }
  return { where: `${dateColumn} BETWEEN @start AND @end`, params };
}

export async function seedWarehouse(engine: Engine, options: SeedOptions): Promise<SeedSummary> {
  const { season, tables, generationMs } = prepare(options);
  const writeStart = performance.now();
  await ensureRawTables(engine);
  await engine.transaction(async () => {
    for (const table of tables) {
      const ref = rawTableRef(table);
      const replaced = replacedRows(table, season);
      const context = { action: `seed ${table}` };
      await engine.execute(`DELETE FROM ${engine.qualify(ref)} WHERE ${replaced.where}`, { params: replaced.params, context });
      await engine.insertRows(ref, rawTables().specs[table].columns, season.rows[table], context);
    }
  });
  return summarise(season, tables, false, { generationMs, writeMs: Math.round(performance.now() - writeStart) });
}
