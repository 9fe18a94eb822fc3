/**
 * The warehouse interface the runner executes against. Every statement handed to an engine is
 * BigQuery SQL (the models are BigQuery SQL, and the runner writes its own statements in the same
 * dialect); the local DuckDB engine translates, the BigQuery engine sends as is. Tables are named
 * by dataset and table; `qualify` gives the name to write inside SQL for this engine.
 */

import type { RunnerTables } from "./runner_tables.ts";

/** A relation: dataset (BigQuery dataset, DuckDB schema) and table. */
export interface TableRef {
  dataset: string;
  table: string;
}

/** BigQuery column types the runner uses when it creates tables itself (raw tables, ledger...). */
export type ColumnType = "STRING" | "INT64" | "FLOAT64" | "NUMERIC" | "BOOL" | "DATE" | "TIMESTAMP" | "JSON";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  description?: string;
}

export interface TableSpec {
  columns: ColumnSpec[];
  partitionBy?: string;
  clusterBy?: string[];
  description?: string;
}

/** A value in a result row, normalised across engines. */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };
export type Row = Record<string, SqlValue>;

/**
 * A typed query parameter, written `@name` in SQL. Types matter: BigQuery sends a plain string
 * typed DATE as NULL, and DuckDB cannot bind a NULL or an empty list without a type.
 */
export type QueryParam =
  | { type: "STRING"; value: string | null }
  | { type: "INT64"; value: number | null }
  | { type: "FLOAT64"; value: number | null }
  | { type: "BOOL"; value: boolean | null }
  | { type: "DATE"; value: string | null }
  | { type: "TIMESTAMP"; value: string | null }
  | { type: "ARRAY<STRING>"; value: string[] }
  | { type: "ARRAY<DATE>"; value: string[] };

export type QueryParams = Record<string, QueryParam>;

export const param = {
  string: (value: string | null): QueryParam => ({ type: "STRING", value }),
  int: (value: number | null): QueryParam => ({ type: "INT64", value }),
  float: (value: number | null): QueryParam => ({ type: "FLOAT64", value }),
  bool: (value: boolean | null): QueryParam => ({ type: "BOOL", value }),
  date: (value: string | null): QueryParam => ({ type: "DATE", value }),
  timestamp: (value: string | null): QueryParam => ({ type: "TIMESTAMP", value }),
  strings: (value: string[]): QueryParam => ({ type: "ARRAY<STRING>", value }),
  dates: (value: string[]): QueryParam => ({ type: "ARRAY<DATE>", value }),
};

/** What a statement is for: error messages name the action, BigQuery jobs carry it as labels. */
export interface StatementContext {
  action?: string;
  runId?: string;
  gameDate?: string;
}

export interface StatementOptions {
  params?: QueryParams;
  context?: StatementContext;
}

export interface ExecuteResult {
  /** Rows inserted, updated or deleted, when the engine reports it. */
  rowsAffected: number | undefined;
}

export interface Engine {
  readonly name: "duckdb" | "bigquery";

  /** The table's name as it must appear in this engine's SQL, e.g. `nba_analytics.player_game_summary`. */
  qualify(ref: TableRef): string;

  /** Runs one statement (DDL or DML). */
  execute(sql: string, options?: StatementOptions): Promise<ExecuteResult>;

  /** Runs a query and returns its rows. DATE as "YYYY-MM-DD", TIMESTAMP as ISO 8601, NUMERIC as number. */
  query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]>;

  /** Creates the dataset if it does not exist. */
  ensureDataset(dataset: string): Promise<void>;

  /** Creates the table if it does not exist (partitioned and clustered as the spec says). */
  ensureTable(ref: TableRef, spec: TableSpec): Promise<void>;

  /** Column names and types of an existing table, or undefined when it does not exist. */
  describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined>;

  /**
   * Adds the named columns of the table `like` to the existing table `ref`, with the exact types
   * they have in `like` (what `CREATE TABLE ... AS SELECT * FROM like` would give them; the
   * ColumnType of describeTable is coarser). Rows already in `ref` hold NULL in them. A column
   * `ref` already has is left as it is (ADD COLUMN IF NOT EXISTS), so two runs adding the same
   * column both succeed.
   */
  addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void>;

  /**
   * The INT64 columns of `ref` the engine holds wider than 64 bits, which a table created from
   * `ref` declares INT64 (DuckDB: an integer SUM is a 128-bit HUGEINT, slow to scan back, see
   * isWideInt64 in duckdb/engine.ts; BigQuery's SUM of INT64 is INT64). Absent: none.
   */
  wideInt64Columns?(ref: TableRef): Promise<string[]>;

  /** Tables of a dataset (empty when the dataset does not exist). */
  listTables(dataset: string): Promise<string[]>;

  /**
   * Appends rows to an existing table; values are converted to the given column types. `context`
   * names what the rows are for (BigQuery labels the insert jobs run_id / action / game_date with
   * it, as every other job of the action).
   */
  insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[], context?: StatementContext): Promise<void>;

  /**
   * Runs `work` as one unit: every statement and query it sends commits together or not at all
   * (rolled back when `work` throws; the error is rethrown), and its queries see its uncommitted
   * changes. On DuckDB a transaction on one connection; on BigQuery a multi-statement transaction
   * in a session (BEGIN TRANSACTION ... COMMIT TRANSACTION), which accepts only queries and DML:
   * DDL on permanent tables (CREATE TABLE, ALTER TABLE, DROP TABLE) must run outside, and the
   * BigQuery engine refuses it inside. A nested call joins the outer unit; concurrent work
   * outside `work` is not part of it.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;

  /** A scratch table name for staging `action` in run `runId`, cleaned up by `dropStaging`. */
  stagingTable(action: string, runId: string): TableRef;

  /**
   * DDL options the stage's CREATE TABLE carries, written between its name and AS (BigQuery: an
   * explicit expiration, so a stage a crashed run left behind goes away on its own). Empty or
   * absent when the engine needs none.
   */
  stagingTableOptions?(): string;

  /**
   * A version of each table's content, keyed by `qualify(ref)`: equal versions mean equal rows
   * (`absent` for a table that does not exist). The unchanged re-run compares them
   * (execution/unchanged.ts); an engine without it always runs.
   */
  tableVersions?(refs: TableRef[]): Promise<Map<string, string>>;

  /** The runner's own tables in this warehouse (ledger, deliveries) when not the defaults: runner_tables.ts. */
  readonly runnerTables?: RunnerTables;

  close(): Promise<void>;
}
