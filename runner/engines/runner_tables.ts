/**
 * The tables the runner itself owns in a warehouse (never a model's): the run ledger and the
 * record of push deliveries, under names of their own. `nba_orchestration.processor_run_history`
 * belongs to the original platform: it has another schema, its monitors read it, and the runner
 * never writes there.
 *
 * Dev isolation (`--schema-suffix`): every dataset the runner writes its own tables to gets the
 * suffix too, as Dataform gives it to the project's actions, so an analyst's run leaves the
 * production ledger, deliveries and held-back record alone. The raw sources (declarations) never
 * get it.
 */
import type { Engine, TableRef } from "./engine.ts";

export interface RunnerTables {
  /** One row per (run, action, game date): runner/ledger/ledger.ts. */
  ledger: TableRef;
  /** One row per answered push delivery: runner/server/deliveries.ts. */
  deliveries: TableRef;
  /** --schema-suffix in effect, if any: the runner's other datasets (held_back_games) get it too. */
  schemaSuffix: string | undefined;
}

/** Runner-owned names: never the original platform's nba_orchestration.processor_run_history. */
export const DEFAULT_LEDGER_TABLE = "nba_orchestration.phase3_runner_runs";
export const DEFAULT_DELIVERIES_TABLE = "nba_orchestration.phase3_runner_deliveries";

/** The original platform's run history: another schema, read by its monitors. Never ours to write. */
export const FOREIGN_TABLES: ReadonlyMap<string, string> = new Map([
  ["nba_orchestration.processor_run_history", "the original platform's run history (another schema; its monitors read it)"],
]);

/** `dataset.table`: letters, digits and underscores in each part (BigQuery dataset and table names). */
export const TABLE_NAME = /^[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_]{1,1024}$/;

export function parseTableName(text: string): TableRef {
  const [dataset = "", table = ""] = text.split(".");
  return { dataset, table };
}

/** `dataset_suffix` for a suffix, the dataset itself without one (Dataform's `<schema>_<suffix>`). */
export function suffixedDataset(dataset: string, schemaSuffix: string | undefined): string {
  return schemaSuffix ? `${dataset}_${schemaSuffix}` : dataset;
}

export function suffixed(ref: TableRef, schemaSuffix: string | undefined): TableRef {
  return { dataset: suffixedDataset(ref.dataset, schemaSuffix), table: ref.table };
}

export interface RunnerTableNames {
  ledger?: string | undefined;
  deliveries?: string | undefined;
  schemaSuffix?: string | undefined;
}

/** The runner's tables for configured names (`dataset.table`, defaults above) and a schema suffix. */
export function runnerTables(names: RunnerTableNames = {}): RunnerTables {
  const { schemaSuffix } = names;
  return {
    ledger: suffixed(parseTableName(names.ledger ?? DEFAULT_LEDGER_TABLE), schemaSuffix),
    deliveries: suffixed(parseTableName(names.deliveries ?? DEFAULT_DELIVERIES_TABLE), schemaSuffix),
    schemaSuffix: schemaSuffix || undefined,
  };
}

const DEFAULTS = runnerTables();

/** The engine's runner tables: those it was opened with, else the defaults. */
export function runnerTablesOf(engine: Pick<Engine, "runnerTables">): RunnerTables {
  return engine.runnerTables ?? DEFAULTS;
}

/**
 * Gives an engine opened without them (the local DuckDB engine) its runner tables. The engine
 * modules do not read the runner's configuration; open.ts does, and attaches the result.
 */
export function withRunnerTables<E extends Engine>(engine: E, tables: RunnerTables): E {
  Object.defineProperty(engine, "runnerTables", { value: tables, enumerable: true, configurable: true });
  return engine;
}
