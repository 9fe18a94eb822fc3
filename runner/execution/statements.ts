/**
 * Where the runner's own SQL is built: staging, target creation and the publishing MERGE. All of
 * it is BigQuery SQL with named parameters; the DuckDB engine translates it like any model.
 */
import type { Engine, Row, TableRef } from "../engines/engine.ts";

/** What statement builders need from an engine: how to name tables in its SQL (and the stage's DDL options). */
export type SqlNames = Pick<Engine, "qualify" | "stagingTable" | "stagingTableOptions">;

/**
 * The column a run replaces data by: a game's rows in the stage replace that game's rows in the
 * target, so a game that lost a player row loses it in the target too, and games absent from the
 * stage are left alone.
 */
export const REPLACE_SCOPE_COLUMN = "game_id";

/** Columns that say when a row was written, not what it says: a change to them alone is no change. */
export const BOOKKEEPING_COLUMNS = new Set(["processed_at"]);

export function stageStatement(engine: SqlNames, stage: TableRef, query: string): string {
  // BigQuery: an explicit expiration (Engine.stagingTableOptions), so a stage never outlives a crashed run for long.
  const options = engine.stagingTableOptions?.() ?? "";
  return `CREATE OR REPLACE TABLE ${engine.qualify(stage)}${options ? `\n${options}` : ""} AS\n${query}`;
}

export interface TargetLayout {
  partitionBy: string | undefined;
  clusterBy: string[];
  /** BigQuery then refuses any query of the table without a filter on its partition column. */
  requirePartitionFilter?: boolean | undefined;
}

/**
 * The stage's rows as a table created from it stores them: `int64`, the INT64 columns the engine
 * holds wider (Engine.wideInt64Columns), declared INT64.
 */
function fromStage(engine: SqlNames, stage: TableRef, int64: string[]): string {
  const declared = int64.length > 0 ? ` REPLACE (${int64.map((column) => `CAST(${column} AS INT64) AS ${column}`).join(", ")})` : "";
  return `SELECT *${declared} FROM ${engine.qualify(stage)}`;
}

/** Creates the target empty, with the stage's columns and the model's partitioning/clustering. */
export function createTargetStatement(engine: SqlNames, target: TableRef, stage: TableRef, layout: TargetLayout, replace: boolean, int64: string[]): string {
  const partition = layout.partitionBy ? `\nPARTITION BY ${layout.partitionBy}` : "";
  const cluster = layout.clusterBy.length > 0 ? `\nCLUSTER BY ${layout.clusterBy.join(", ")}` : "";
  const options = layout.partitionBy && layout.requirePartitionFilter ? "\nOPTIONS (require_partition_filter = TRUE)" : "";
  // IF NOT EXISTS: two runs of different dates may both find the table missing and create it.
  const create = replace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE IF NOT EXISTS";
  return `${create} ${engine.qualify(target)}${partition}${cluster}${options} AS\n${fromStage(engine, stage, int64)} LIMIT 0`;
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

/** The column of the MERGE's source that marks a row of the target to delete (never a model column). */
export const DELETE_MARKER_COLUMN = "runner_delete_row";

/**
 * Publishes the stage: one MERGE on the unique key, restricted to the run dates (@start_date,
 * @end_date), that replaces the staged games (@staged_games) per game. Rows of a staged game are
 * inserted or updated; rows of a staged game the stage no longer has are deleted; games absent
 * from the stage (held back, or not re-staged) are untouched; rows whose values did not change are
 * not rewritten, so re-running a date writes nothing.
 *
 * The shape is the one BigQuery can prune (https://cloud.google.com/bigquery/docs/using-dml-with-partitioned-tables,
 * "Pruning partitions when using a MERGE statement"). A MERGE with both WHEN NOT MATCHED and WHEN
 * NOT MATCHED BY SOURCE usually cannot be pruned (unless its ON is constant false), because NOT
 * MATCHED BY SOURCE is about every row of the target; so there is none here. The deletions are
 * delete markers in the source instead: for each row of a staged game that the stage no longer
 * has, its key and TRUE in runner_delete_row, read from the target with a filter on the partition
 * column ("Using a subquery to filter source data"), and deleted by WHEN MATCHED. The target
 * itself is filtered on its partition column in the ON clause ("Using a filter in the
 * merge_condition"): a target row outside the run dates can match nothing, and with no NOT
 * MATCHED BY SOURCE clause it is left alone, so BigQuery reads only the run dates' partitions. No
 * property of the per-game publish is given up for it.
 */
export function mergeStatement(engine: SqlNames, spec: MergeSpec): string {
  const { windowColumn } = spec;
  const target = engine.qualify(spec.target);
  const stage = engine.qualify(spec.stage);
  const inWindow = (alias: string) => `${alias}.${windowColumn} BETWEEN @start_date AND @end_date`;
  const keyMatch = (left: string, right: string, separator: string) =>
    spec.uniqueKey.map((column) => `${left}.${column} = ${right}.${column}`).join(separator);
  const valueColumns = spec.columns.filter((column) => !spec.uniqueKey.includes(column));
  const compared = valueColumns.filter((column) => !BOOKKEEPING_COLUMNS.has(column));
  const unchanged = compared.map((column) => `target.${column} IS NOT DISTINCT FROM source.${column}`).join("\n    AND ");
  const changed = compared.length > 0 ? ` AND NOT (\n    ${unchanged}\n  )` : " AND FALSE";
  // A marker carries the key only; UNION ALL gives its NULLs the staged columns' types.
  const marker = spec.columns.map((column) => (spec.uniqueKey.includes(column) ? `existing.${column}` : `NULL AS ${column}`));
  return [
    `MERGE ${target} AS target`,
    "USING (",
    `  SELECT ${spec.columns.map((column) => `staged.${column}`).join(", ")}, FALSE AS ${DELETE_MARKER_COLUMN}`,
    `  FROM ${stage} AS staged`,
    "  UNION ALL",
    `  SELECT ${marker.join(", ")}, TRUE AS ${DELETE_MARKER_COLUMN}`,
    `  FROM ${target} AS existing`,
    `  WHERE ${inWindow("existing")}`,
    `    AND existing.${REPLACE_SCOPE_COLUMN} IN UNNEST(@staged_games)`,
    `    AND NOT EXISTS (SELECT 1 FROM ${stage} AS staged WHERE ${keyMatch("staged", "existing", " AND ")})`,
    ") AS source",
    `ON ${inWindow("target")}\n  AND ${keyMatch("target", "source", "\n  AND ")}`,
    `WHEN MATCHED AND source.${DELETE_MARKER_COLUMN} THEN`,
    "  DELETE",
    `WHEN MATCHED${changed} THEN`,
    `  UPDATE SET ${valueColumns.map((column) => `${column} = source.${column}`).join(",\n    ")}`,
    `WHEN NOT MATCHED BY TARGET AND NOT source.${DELETE_MARKER_COLUMN} THEN`,
    `  INSERT (${spec.columns.join(", ")})`,
    `  VALUES (${spec.columns.map((column) => `source.${column}`).join(", ")})`,
  ].join("\n");
}

/**
 * Publishes the stage into a target created empty for this write: every staged row is new, so
 * the MERGE's join and delete markers would find nothing and write exactly these rows. An INSERT
 * lets DuckDB write large appends straight to the table's blocks instead of through the WAL (a
 * season's first backfill ~15 % less in its publishes). The checks after it are the MERGE's.
 * Only where nothing else can write the new table meanwhile (write.ts, newTargetsOwned).
 */
export function firstPublishStatement(engine: SqlNames, spec: Pick<MergeSpec, "target" | "stage" | "columns">): string {
  const columns = spec.columns.join(", ");
  return `INSERT INTO ${engine.qualify(spec.target)} (${columns})\nSELECT ${columns} FROM ${engine.qualify(spec.stage)}`;
}

/*
 * --full-refresh: the model rebuilt from source is built into a new table beside its target (the
 * "rebuilt" table, a scratch table of the staging dataset), checked there, then put in the
 * target's place by one statement. See publishIncremental in write.ts for the order.
 */

/** The PARTITION BY / CLUSTER BY / OPTIONS clauses of a CREATE TABLE for `layout`, plus `options`. */
function layoutClauses(layout: TargetLayout, options: string[]): string {
  const partition = layout.partitionBy ? `\nPARTITION BY ${layout.partitionBy}` : "";
  const cluster = layout.clusterBy.length > 0 ? `\nCLUSTER BY ${layout.clusterBy.join(", ")}` : "";
  return `${partition}${cluster}${options.length > 0 ? `\nOPTIONS (${options.join(", ")})` : ""}`;
}

/** The inside of an `OPTIONS (...)` clause the engine gives its scratch tables (BigQuery: their expiration). */
function scratchOptions(engine: SqlNames): string[] {
  const options = engine.stagingTableOptions?.() ?? "";
  const inside = /^\s*OPTIONS\s*\(([\s\S]*)\)\s*$/i.exec(options)?.[1]?.trim();
  return inside ? [inside] : [];
}

/**
 * The rebuilt table, first with the published stage: the model's columns as it outputs them now
 * and its partitioning and clustering (so the checks that read it by date are pruned too), with
 * the scratch tables' expiration. Not require_partition_filter: the table is read whole once,
 * into the target.
 */
export function createRebuiltStatement(engine: SqlNames, rebuilt: TableRef, stage: TableRef, layout: TargetLayout, int64: string[]): string {
  return `CREATE OR REPLACE TABLE ${engine.qualify(rebuilt)}${layoutClauses({ ...layout, requirePartitionFilter: false }, scratchOptions(engine))} AS\n${fromStage(engine, stage, int64)}`;
}

/**
 * Copies into the rebuilt table the target rows a refresh keeps: every row outside the refreshed
 * dates (@start_date..@end_date), and the rows of the games held back this time (@kept_games),
 * which keep what was published for them. `columns` are the columns both tables have: a column
 * the model no longer outputs is dropped, a new one is NULL in those rows, and a retyped one is
 * converted as INSERT converts (or the refresh stops, naming the column, before anything changed).
 * Both disjuncts filter the partition column, as a table with require_partition_filter demands.
 */
export function keepRowsStatement(engine: SqlNames, rebuilt: TableRef, target: TableRef, columns: string[], windowColumn: string): string {
  const list = columns.join(", ");
  return [
    `INSERT INTO ${engine.qualify(rebuilt)} (${list})`,
    `SELECT ${columns.map((column) => `kept.${column}`).join(", ")}`,
    `FROM ${engine.qualify(target)} AS kept`,
    `WHERE kept.${windowColumn} NOT BETWEEN @start_date AND @end_date`,
    `  OR (kept.${windowColumn} BETWEEN @start_date AND @end_date AND kept.${REPLACE_SCOPE_COLUMN} IN UNNEST(@kept_games))`,
  ].join("\n");
}

/**
 * Puts the rebuilt table in the target's place, with the model's partitioning, clustering and
 * options: one statement, so readers see the old table or the new one, never a mix. On BigQuery a
 * CREATE OR REPLACE TABLE job replaces the table when it completes and leaves it as it was when
 * it fails; BigQuery refuses it when the partitioning itself changes (drop the table first: that
 * step is not atomic, so the runner never does it on its own).
 */
export function replaceTargetStatement(engine: SqlNames, target: TableRef, rebuilt: TableRef, layout: TargetLayout): string {
  const options = layout.partitionBy && layout.requirePartitionFilter ? ["require_partition_filter = TRUE"] : [];
  return `CREATE OR REPLACE TABLE ${engine.qualify(target)}${layoutClauses(layout, options)} AS\nSELECT * FROM ${engine.qualify(rebuilt)}`;
}

/**
 * One query counting the rows of each of `queries`, a row per query: (query_index, row_count).
 * As one row of scalar subqueries instead, DuckDB took 40-47 ms for player_game_summary's ten
 * post-write checks; this way 12 ms. Read its answer with rowCountsOf.
 */
export function rowCountsStatement(queries: string[]): string {
  return queries.map((sql, index) => `SELECT ${index} AS query_index, (SELECT COUNT(*) FROM (\n${sql}\n) AS check_rows) AS row_count`).join("\nUNION ALL\n");
}

/** The counts of rowCountsStatement's answer, by query index; a count the answer lacks (or NULL) is undefined. */
export function rowCountsOf(rows: Row[], queries: number): (number | undefined)[] {
  const counts: (number | undefined)[] = Array.from({ length: queries }, () => undefined);
  for (const row of rows) {
    const index = Number(row.query_index);
    if (Number.isInteger(index) && index >= 0 && index < queries && row.row_count !== null && row.row_count !== undefined) counts[index] = Number(row.row_count);
  }
  return counts;
}
