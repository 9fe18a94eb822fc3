/** Chooses and opens the engine a command runs against (`--target`, `--warehouse`). */
import path from "node:path";
import { PROJECT_DIR } from "../compile/compile.ts";
import { BadInputError } from "../errors.ts";
import type { Engine } from "./engine.ts";

/** Environment variable naming the local warehouse file when --warehouse is not given. */
export const WAREHOUSE_ENV = "RUNNER_WAREHOUSE";

export function defaultWarehousePath(): string {
  return process.env[WAREHOUSE_ENV] ?? path.join(PROJECT_DIR, ".warehouse", "nba.duckdb");
}

/** Environment variable choosing the target when --target is not given (e.g. on Cloud Run). */
export const TARGET_ENV = "RUNNER_TARGET";
export const TARGETS = ["local", "bigquery"] as const;
export type Target = (typeof TARGETS)[number];

export interface EngineChoice {
  warehouse?: string | undefined;
  /** local (DuckDB, the default) or bigquery. */
  target?: string | undefined;
  /** The Dataform project: dataform.json and runner.config.json give the BigQuery defaults. */
  project?: string | undefined;
  /** --max-bytes: the dry-run budget on BigQuery. */
  maxBytes?: string | undefined;
}

export function targetOf(choice: EngineChoice): Target {
  const target = choice.target ?? process.env[TARGET_ENV] ?? "local";
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new BadInputError("invalid_target", `unknown target "${target}"`, { suggestion: `Use --target ${TARGETS.join(" or --target ")}.` });
  }
  return target as Target;
}

export async function openEngine(choice: EngineChoice): Promise<Engine> {
  // Loaded on demand: compile and plan never pay for the native DuckDB module or the cloud client.
  if (targetOf(choice) === "bigquery") {
    const [{ loadBigQueryConfig }, { openBigQueryEngine }] = await Promise.all([import("./bigquery/config.ts"), import("./bigquery/engine.ts")]);
    return openBigQueryEngine(loadBigQueryConfig({ projectDir: choice.project ?? PROJECT_DIR, flags: { maxBytesEstimate: choice.maxBytes } }));
  }
  const { openDuckDBEngine } = await import("./duckdb/engine.ts");
  return openDuckDBEngine({ path: choice.warehouse ?? defaultWarehousePath() });
}
