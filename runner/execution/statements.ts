/**
 * Where the runner's own SQL is built: staging, target creation and the publishing MERGE. All of
 * it is BigQuery SQL with named parameters; the DuckDB engine translates it like any model.
 */
import type { Engine, TableRef } from "../engines/engine.ts";

/** What statement builders need from an engine: how to name tables in its SQL. */
export type SqlNames = Pick<Engine, "qualify" | "stagingTable">;

/**
 * The column a run replaces data by: a game's rows in the stage replace that game's rows in the
 * target, so a game that lost a player row loses it in the target too, and games absent from the
 * stage are left alone.
 */
export const REPLACE_SCOPE_COLUMN = "game_id";

/** Columns that say when a row was written, not what it says: a change to them alone is no change. */
export const BOOKKEEPING_COLUMNS = new Set(["processed_at"]);

export function stageStatement(engine: SqlNames, stage: TableRef, query: string): string {
  return `CREATE OR REPLACE TABLE ${engine.qualify(stage)} AS\n${query}`;
}

export interface TargetLayout {
  partitionBy: string | undefined;
  clusterBy: string[];
}

/** Creates the target empty, with the stage's columns and the model's partitioning/clustering. */
export function createTargetStatement(engine: SqlNames, target: TableRef, stage: TableRef, layout: TargetLayout, replace: boolean): string {
  const partition = layout.partitionBy ? `\nPARTITION BY ${layout.partitionBy}` : "";
  const cluster = layout.clusterBy.length > 0 ? `\nCLUSTER BY ${layout.clusterBy.join(", ")}` : "";
  // IF NOT EXISTS: two runs of different dates may both find the table missing and create it.
  const create = replace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE IF NOT EXISTS";
  return `${create} ${engine.qualify(target)}${partition}${cluster} AS\nSELECT * FROM ${engine.qualify(stage)} LIMIT 0`;
}

export interface MergeSpec {
  target: TableRef;
  stage: TableRef;
  uniqueKey: string[];
  /** Every column of the stage, in order. */
  columns: string[];
  /** The partition column the run dates restrict. */
  windowColumn: string;
}

/**
 * Publishes the stage: one MERGE on the unique key, restricted to the run dates (@start_date,
 * @end_date) and, for deletions, to the staged games (@staged_games). Rows whose values did not
 * change are not touched, so re-running a date writes nothing.
 */
export function mergeStatement(engine: SqlNames, spec: MergeSpec): string {
  const { windowColumn } = spec;
  const inWindow = `target.${windowColumn} BETWEEN @start_date AND @end_date`;
  const keyMatch = spec.uniqueKey.map((column) => `target.${column} = source.${column}`).join("\n  AND ");
  const valueColumns = spec.columns.filter((column) => !spec.uniqueKey.includes(column));
  const compared = valueColumns.filter((column) => !BOOKKEEPING_COLUMNS.has(column));
  const unchanged = compared.map((column) => `target.${column} IS NOT DISTINCT FROM source.${column}`).join("\n    AND ");
  const changed = compared.length > 0 ? ` AND NOT (\n    ${unchanged}\n  )` : " AND FALSE";
  return [
    `MERGE ${engine.qualify(spec.target)} AS target`,
    `USING ${engine.qualify(spec.stage)} AS source`,
    `ON ${inWindow}\n  AND ${keyMatch}`,
    `WHEN MATCHED${changed} THEN`,
    `  UPDATE SET ${valueColumns.map((column) => `${column} = source.${column}`).join(",\n    ")}`,
    "WHEN NOT MATCHED BY TARGET THEN",
    `  INSERT (${spec.columns.join(", ")})`,
    `  VALUES (${spec.columns.map((column) => `source.${column}`).join(", ")})`,
    `WHEN NOT MATCHED BY SOURCE AND ${inWindow}`,
    `  AND target.${REPLACE_SCOPE_COLUMN} IN UNNEST(@staged_games) THEN`,
    "  DELETE",
  ].join("\n");
}
