/**
 * The raw (Phase 2) tables as includes/raw_tables.js declares them, read once and validated, in
 * the engine's TableSpec shape. That file is the only list of raw columns: the loader and the
 * seeder create tables from it and check every row they write against it.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { PROJECT_DIR } from "../compile/compile.ts";
import type { ColumnSpec, ColumnType, Engine, TableRef, TableSpec } from "../engines/engine.ts";
import { DataFailureError } from "../errors.ts";

/** The raw tables the loader writes. Their columns come from includes/raw_tables.js. */
export const RAW_TABLE_NAMES = [
  "nbac_schedule",
  "nbac_gamebook_player_stats",
  "nbac_player_boxscores",
  "nbac_team_boxscore",
  "bdl_player_boxscores",
  "odds_api_game_lines",
  "nbac_injury_report",
  "espn_scoreboard",
  "nbac_play_by_play",
  "bigdataball_play_by_play",
  "nbac_player_list",
  "odds_api_player_points_props",
  "bettingpros_player_points_props",
  "espn_team_rosters",
  "travel_distances",
  "nba_players_registry",
  "player_aliases",
] as const;
export type RawTableName = (typeof RAW_TABLE_NAMES)[number];

const COLUMN_TYPES = ["STRING", "INT64", "FLOAT64", "NUMERIC", "BOOL", "DATE", "TIMESTAMP", "JSON"] as const satisfies readonly ColumnType[];

const RawTablesModuleSchema = z.object({
  RAW_DATASET: z.string().min(1),
  tables: z.record(
    z.string(),
    z.object({
      /** Another dataset than RAW_DATASET (reference tables: nba_static). */
      dataset: z.string().min(1).optional(),
      description: z.string(),
      partitionBy: z.string().optional(),
      columns: z.record(z.string(), z.tuple([z.enum(COLUMN_TYPES), z.string()])),
    }),
  ),
});

export interface RawTables {
  /** The Phase 2 dataset, nba_raw. */
  dataset: string;
  /** The dataset of each table: nba_raw, or the one it names (nba_static.travel_distances). */
  datasets: Record<RawTableName, string>;
  specs: Record<RawTableName, TableSpec>;
}

function readRawTables(file: string): RawTables {
  const require = createRequire(import.meta.url);
  const parsed = RawTablesModuleSchema.safeParse(require(file));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`${file} does not have the expected shape:\n  ${lines.join("\n  ")}`);
  }
  const specs = {} as Record<RawTableName, TableSpec>;
  const datasets = {} as Record<RawTableName, string>;
  for (const name of RAW_TABLE_NAMES) {
    const table = parsed.data.tables[name];
    if (!table) throw new Error(`${file} does not declare the raw table ${name}`);
    const columns: ColumnSpec[] = Object.entries(table.columns).map(([column, [type, description]]) => ({
      name: column,
      type,
      description,
    }));
    if (table.partitionBy && !columns.some((column) => column.name === table.partitionBy)) {
      throw new Error(`${file}: ${name} is partitioned by ${table.partitionBy}, which is not one of its columns`);
    }
    specs[name] = { columns, partitionBy: table.partitionBy, description: table.description };
    datasets[name] = table.dataset ?? parsed.data.RAW_DATASET;
  }
  return { dataset: parsed.data.RAW_DATASET, datasets, specs };
}

let cached: RawTables | undefined;

/** The raw table specs from the project's includes/raw_tables.js (read on first use). */
export function rawTables(): RawTables {
  cached ??= readRawTables(path.join(PROJECT_DIR, "includes", "raw_tables.js"));
  return cached;
}

export function rawTableRef(table: RawTableName): TableRef {
  return { dataset: rawTables().datasets[table], table };
}

/**
 * Creates the raw dataset and every raw table that is missing, so that a local warehouse always
 * has all the Phase 2 tables the models read (empty until something is loaded or seeded). A table
 * created from an older includes/raw_tables.js that lacks a declared column is refused.
 */
export async function ensureRawTables(engine: Engine): Promise<void> {
  const { specs } = rawTables();
  for (const dataset of new Set(RAW_TABLE_NAMES.map((table) => rawTableRef(table).dataset))) await engine.ensureDataset(dataset);
  for (const table of RAW_TABLE_NAMES) {
    const ref = rawTableRef(table);
    const existing = await engine.describeTable(ref);
    if (!existing) {
      await engine.ensureTable(ref, specs[table]);
      continue;
    }
    const missing = specs[table].columns.filter((column) => !existing.some((present) => present.name === column.name)).map((column) => column.name);
    if (missing.length > 0) {
      throw new DataFailureError("raw_table_outdated", `${ref.dataset}.${table} in the warehouse has no column ${missing.join(", ")}, which includes/raw_tables.js declares`, {
        suggestion: `Drop ${ref.dataset}.${table} (or start a new warehouse file) and load its data again.`,
      });
    }
  }
}
