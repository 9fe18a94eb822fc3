/** Chooses and opens the engine a command runs against (`--target`, `--warehouse`). */
import path from "node:path";
import { PROJECT_DIR } from "../compile/compile.ts";
import { BadInputError } from "../errors.ts";
import type { Engine } from "./engine.ts";
import { runnerTables, withRunnerTables } from "./runner_tables.ts";
import type { WarehouseAccess } from "./duckdb/engine.ts";

/** Environment variable naming the local warehouse file when --warehouse is not given. */
export const WAREHOUSE_ENV = "RUNNER_WAREHOUSE";

/** The warehouse when neither --warehouse nor RUNNER_WAREHOUSE names one: made on first use. */
export const DEFAULT_WAREHOUSE = path.join(PROJECT_DIR, ".warehouse", "nba.duckdb");

/**
 * --warehouse, else RUNNER_WAREHOUSE, else the default. An empty value is refused: DuckDB would
 * take it for an in-memory database, and a run would vanish with the process.
 */
export function warehousePath(given?: string | undefined): string {
  const chosen = given ?? process.env[WAREHOUSE_ENV];
  if (chosen === undefined) return DEFAULT_WAREHOUSE;
  if (chosen.trim() === "") {
    const source = given !== undefined ? "--warehouse" : WAREHOUSE_ENV;
    throw new BadInputError("empty_warehouse", `${source} is empty`, {
      suggestion: `Name a DuckDB file (e.g. .warehouse/nba.duckdb), or unset ${WAREHOUSE_ENV} to use the default.`,
    });
  }
  return chosen;
}

/** Environment variable choosing the engine when --target is not given (e.g. on Cloud Run). */
export const TARGET_ENV = "RUNNER_TARGET";
/** What --target chooses: the engine a command runs on (not a table: that is an action's target). */
export const ENGINE_KINDS = ["local", "bigquery"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface EngineChoice {
  warehouse?: string | undefined;
  /** local (DuckDB, the default) or bigquery. */
  target?: string | undefined;
  /** The Dataform project: dataform.json and runner.config.json give the BigQuery defaults. */
  project?: string | undefined;
  /** --max-bytes: the dry-run budget on BigQuery. */
  maxBytes?: string | undefined;
  /** How the command uses a local warehouse (default "create"): see WarehouseAccess. */
  access?: WarehouseAccess | undefined;
  /** --schema-suffix: the runner's own tables (and BigQuery's staging dataset) get `_<suffix>`, as the models do. */
  schemaSuffix?: string | undefined;
  /** --default-database: the BigQuery project the tables live in (no part of a local table's name). */
  defaultDatabase?: string | undefined;
}

/** --target, else RUNNER_TARGET, else local. */
export function engineKindOf(choice: EngineChoice): EngineKind {
  const target = choice.target ?? process.env[TARGET_ENV] ?? "local";
  if (!(ENGINE_KINDS as readonly string[]).includes(target)) {
    throw new BadInputError("invalid_target", `unknown target "${target}"`, { suggestion: `Use --target ${ENGINE_KINDS.join(" or --target ")}.` });
  }
  return target as EngineKind;
}

export async function openEngine(choice: EngineChoice): Promise<Engine> {
  // Loaded on demand: compile and plan never pay for the native DuckDB module or the cloud client.
  if (engineKindOf(choice) === "bigquery") {
    const [{ loadBigQueryConfig }, { requireCredentials }, { openBigQueryEngine }] = await Promise.all([
      import("./bigquery/config.ts"),
      import("./bigquery/credentials.ts"),
      import("./bigquery/engine.ts"),
    ]);
    const settings = loadBigQueryConfig({
      projectDir: choice.project ?? PROJECT_DIR,
      flags: { maxBytesEstimate: choice.maxBytes },
      overrides: { schemaSuffix: choice.schemaSuffix, defaultDatabase: choice.defaultDatabase },
    });
    // Before any job: without credentials the client would retry the metadata server for seconds.
    if (settings.useCredentials) requireCredentials();
    return openBigQueryEngine(settings);
  }
  const file = warehousePath(choice.warehouse);
  const { openDuckDBEngine } = await import("./duckdb/engine.ts");
  const engine = await openDuckDBEngine({ path: file, access: choice.access ?? "create", createDirectory: path.resolve(file) === DEFAULT_WAREHOUSE });
  // The local warehouse keeps the default names; only a schema suffix moves its runner tables.
  return choice.schemaSuffix ? withRunnerTables(engine, runnerTables({ schemaSuffix: choice.schemaSuffix })) : engine;
}
