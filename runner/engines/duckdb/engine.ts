/**
 * The embedded engine: a DuckDB file (`.warehouse/` under the project by default). BigQuery
 * dataset `X` table `T` is DuckDB schema `X` table `T`. Statements arrive in BigQuery SQL and are
 * translated (translate.ts); the translation macros are installed on every connection.
 *
 * One process writes a DuckDB file at a time: a second process gets "warehouse busy" (retryable).
 * Staging tables live in one schema that is emptied whenever the file is opened for writing, which is safe
 * because no other process can be using it then; a run killed mid-write leaves nothing behind
 * that the next run would see, and the MERGE itself is one transaction.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  LIST,
  TIMESTAMPTZ,
  VARCHAR,
  dateValue,
  listValue,
  timestampTZValue,
  timestampValue,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";
import { BadInputError, DataFailureError, NotReadyError, RunnerError } from "../../errors.ts";
import type {
  ColumnSpec,
  ColumnType,
  Engine,
  ExecuteResult,
  QueryParam,
  QueryParams,
  Row,
  SqlValue,
  StatementContext,
  StatementOptions,
  TableRef,
  TableSpec,
} from "../engine.ts";
import { DUCKDB_MACROS } from "./macros.ts";
import { duckdbTypeOf, translateToDuckDB } from "./translate.ts";

/** The schema holding staging tables; emptied when the warehouse is opened. */
export const STAGING_SCHEMA = "runner_staging";

const DAY_MS = 86_400_000;

/**
 * How a command uses the warehouse file: "create" (load, seed: made when missing), "write" (run:
 * the file must exist) or "read" (verify, quarantine: must exist, opened READ_ONLY so that a
 * read-only file, or a second reader, works and nothing can be written by mistake).
 */
export type WarehouseAccess = "create" | "write" | "read";

export interface DuckDBEngineOptions {
  /** The DuckDB file, or ":memory:". */
  path: string;
  /** Default "create". */
  access?: WarehouseAccess;
  /**
   * Whether the parent directory may be made (the default .warehouse/); an explicit path in a
   * directory that does not exist is a typo more often than a wish.
   */
  createDirectory?: boolean;
}

/** DuckDB type -> the BigQuery type the runner and its users reason in. */
function bigQueryType(duckdbType: string): ColumnType {
  const type = duckdbType.toUpperCase();
  if (type === "VARCHAR") return "STRING";
  if (["BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"].includes(type)) return "INT64";
  if (type === "DOUBLE" || type === "FLOAT") return "FLOAT64";
  if (type.startsWith("DECIMAL")) return "NUMERIC";
  if (type === "BOOLEAN") return "BOOL";
  if (type === "DATE") return "DATE";
  if (type.startsWith("TIMESTAMP")) return "TIMESTAMP";
  if (type === "JSON") return "JSON";
  return "STRING";
}

/** A DuckDB identifier in double quotes. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function toDays(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function toMicros(timestamp: string): bigint {
  const millis = Date.parse(timestamp);
  if (Number.isNaN(millis)) throw new DataFailureError("invalid_timestamp", `not a timestamp: ${timestamp}`);
  return BigInt(millis) * 1000n;
}

/** A DuckDB value as plain JSON-friendly JavaScript. */
export function fromDuckDB(value: DuckDBValue): SqlValue {
  if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return new Date(Number(value.micros / 1000n)).toISOString();
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue) return value.items.map(fromDuckDB);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, entry]) => [key, fromDuckDB(entry)]));
  }
  return String(value);
}

function bindParam(param: QueryParam): { value: DuckDBValue; type: DuckDBType } {
  switch (param.type) {
    case "STRING":
      return { value: param.value, type: VARCHAR };
    case "INT64":
      return { value: param.value === null ? null : BigInt(Math.trunc(param.value)), type: BIGINT };
    case "FLOAT64":
      return { value: param.value, type: DOUBLE };
    case "BOOL":
      return { value: param.value, type: BOOLEAN };
    case "DATE":
      return { value: param.value === null ? null : dateValue(toDays(param.value)), type: DATE };
    case "TIMESTAMP":
      return { value: param.value === null ? null : timestampTZValue(toMicros(param.value)), type: TIMESTAMPTZ };
    case "ARRAY<STRING>":
      return { value: listValue(param.value), type: LIST(VARCHAR) };
    case "ARRAY<DATE>":
      return { value: listValue(param.value.map((date) => dateValue(toDays(date)))), type: LIST(DATE) };
  }
}

function bindParams(params: QueryParams | undefined): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } | undefined {
  if (!params || Object.keys(params).length === 0) return undefined;
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, param] of Object.entries(params)) {
    const bound = bindParam(param);
    values[name] = bound.value;
    types[name] = bound.type;
  }
  return { values, types };
}

function appendValue(appender: DuckDBAppender, type: ColumnType, duckdbType: string, value: unknown): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case "STRING":
    case "JSON":
      appender.appendVarchar(typeof value === "string" ? value : JSON.stringify(value));
      return;
    case "INT64":
      appender.appendBigInt(BigInt(Math.trunc(Number(value))));
      return;
    case "FLOAT64":
    case "NUMERIC":
      appender.appendDouble(Number(value));
      return;
    case "BOOL":
      appender.appendBoolean(Boolean(value));
      return;
    case "DATE":
      appender.appendDate(dateValue(toDays(String(value))));
      return;
    case "TIMESTAMP": {
      const micros = toMicros(value instanceof Date ? value.toISOString() : String(value));
      if (duckdbType.toUpperCase().includes("TIME ZONE") || duckdbType.toUpperCase() === "TIMESTAMPTZ") {
        appender.appendTimestampTZ(timestampTZValue(micros));
      } else {
        appender.appendTimestamp(timestampValue(micros));
      }
      return;
    }
  }
}

function isLockError(error: unknown): boolean {
  return error instanceof Error && /Could not set lock on file|Conflicting lock is held/i.test(error.message);
}

class DuckDBEngine implements Engine {
  readonly name = "duckdb" as const;
  private readonly pinned = new AsyncLocalStorage<DuckDBConnection>();
  private readonly idle: DuckDBConnection[] = [];
  private readonly all: DuckDBConnection[] = [];
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    readonly location: string,
  ) {}

  qualify(ref: TableRef): string {
    return `\`${ref.dataset}.${ref.table}\``;
  }

  stagingTable(action: string, runId: string): TableRef {
    return { dataset: STAGING_SCHEMA, table: `${action}__${runId}`.replace(/[^A-Za-z0-9_]/g, "_") };
  }

  private async newConnection(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    // Temporary (connection-scoped) macros: persistent ones would be catalog writes that
    // conflict between concurrent transactions, and would be left in the user's warehouse file.
    for (const macro of DUCKDB_MACROS) await connection.run(macro.replace(/^CREATE OR REPLACE MACRO /, "CREATE OR REPLACE TEMP MACRO "));
    this.all.push(connection);
    return connection;
  }

  /** Runs `work` on the pinned connection, or on one borrowed from the pool for its duration. */
  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new DataFailureError("engine_closed", "the warehouse connection is closed");
    const pinned = this.pinned.getStore();
    if (pinned) return work(pinned);
    const connection = this.idle.pop() ?? (await this.newConnection());
    try {
      return await work(connection);
    } finally {
      this.idle.push(connection);
    }
  }

  private translate(sql: string, options: StatementOptions | undefined): string {
    return translateToDuckDB(sql, { action: options?.context?.action });
  }

  private wrapError(error: unknown, sql: string, options: StatementOptions | undefined): Error {
    if (error instanceof RunnerError) return error;
    const action = options?.context?.action;
    const message = error instanceof Error ? error.message : String(error);
    if (/TransactionContext Error|Conflict on/i.test(message)) {
      return new NotReadyError("warehouse_conflict", `${action ? `${action}: ` : ""}concurrent write conflict: ${message}`, {
        suggestion: "Another write touched the same table; retry the run.",
        cause: error,
      });
    }
    const firstLine = sql.trim().split("\n")[0]?.slice(0, 120) ?? "";
    return new DataFailureError("sql_error", `${action ? `${action}: ` : ""}${message}`, {
      suggestion: `The statement began: ${firstLine}`,
      cause: error,
    });
  }

  async execute(sql: string, options?: StatementOptions): Promise<ExecuteResult> {
    const translated = this.translate(sql, options);
    const bound = bindParams(options?.params);
    return this.withConnection(async (connection) => {
      try {
        const result = await connection.run(translated, bound?.values, bound?.types);
        return { rowsAffected: result.rowsChanged };
      } catch (error) {
        throw this.wrapError(error, sql, options);
      }
    });
  }

  async query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const translated = this.translate(sql, options);
    const bound = bindParams(options?.params);
    return this.withConnection(async (connection) => {
      try {
        const reader = await connection.runAndReadAll(translated, bound?.values, bound?.types);
        const names = reader.columnNames();
        return reader.getRows().map((values) => {
          const row: Row = {};
          names.forEach((name, index) => {
            row[name] = fromDuckDB(values[index] ?? null);
          });
          return row as T;
        });
      } catch (error) {
        throw this.wrapError(error, sql, options);
      }
    });
  }

  async ensureDataset(dataset: string): Promise<void> {
    await this.withConnection((connection) => connection.run(`CREATE SCHEMA IF NOT EXISTS "${dataset}"`));
  }

  /**
   * Creates the table, or adds to an existing one the columns of the spec it lacks (NULL in its
   * rows): the runner's own tables (ledger, quarantine, held-back games) evolve in place.
   */
  async ensureTable(ref: TableRef, spec: TableSpec): Promise<void> {
    await this.ensureDataset(ref.dataset);
    const existing = await this.duckdbColumns(ref);
    if (!existing) {
      const columns = spec.columns.map((column) => `  ${column.name} ${column.type}`).join(",\n");
      await this.execute(`CREATE TABLE IF NOT EXISTS ${this.qualify(ref)} (\n${columns}\n)`);
      return;
    }
    const missing = spec.columns.filter((column) => !existing.some((present) => present.name === column.name));
    for (const column of missing) {
      await this.withConnection((connection) =>
        connection.run(
          `ALTER TABLE ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${duckdbTypeOf(column.type)}`,
        ),
      );
    }
  }

  async describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    const columns = await this.duckdbColumns(ref);
    return columns?.map((column) => ({ name: column.name, type: bigQueryType(column.duckdbType) }));
  }

  async addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    if (columns.length === 0) return;
    const source = await this.duckdbColumns(like);
    // DuckDB's own type names (INTEGER, DECIMAL(10,2), VARCHAR[], STRUCT(...)) as information_schema
    // gives them: valid DDL as they are, and what a CTAS from `like` would create.
    const statements = columns.map((name) => {
      const column = source?.find((candidate) => candidate.name === name);
      if (!column) throw new DataFailureError("unknown_columns", `${like.dataset}.${like.table} has no column ${name}`);
      return `ALTER TABLE ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(name)} ${column.duckdbType}`;
    });
    const options = { context };
    await this.transaction(() =>
      this.withConnection(async (connection) => {
        for (const statement of statements) {
          try {
            await connection.run(statement);
          } catch (error) {
            throw this.wrapError(error, statement, options);
          }
        }
      }),
    );
  }

  private async duckdbColumns(ref: TableRef): Promise<{ name: string; duckdbType: string }[] | undefined> {
    const rows = await this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position`,
        { schema: ref.dataset, table: ref.table },
      );
      return reader.getRows();
    });
    if (rows.length === 0) return undefined;
    return rows.map(([name, type]) => ({ name: String(name), duckdbType: String(type) }));
  }

  async listTables(dataset: string): Promise<string[]> {
    return this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $schema ORDER BY table_name",
        { schema: dataset },
      );
      return reader.getRows().map(([name]) => String(name));
    });
  }

  async insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const tableColumns = await this.duckdbColumns(ref);
    if (!tableColumns) throw new DataFailureError("missing_table", `cannot insert into ${ref.dataset}.${ref.table}: it does not exist`);
    const given = new Map(columns.map((column) => [column.name, column]));
    const unknown = columns.filter((column) => !tableColumns.some((existing) => existing.name === column.name));
    if (unknown.length > 0) {
      throw new DataFailureError("unknown_columns", `${ref.dataset}.${ref.table} has no column ${unknown.map((column) => column.name).join(", ")}`);
    }
    await this.withConnection(async (connection) => {
      const appender = await connection.createAppender(ref.table, ref.dataset);
      try {
        for (const row of rows) {
          for (const column of tableColumns) {
            const spec = given.get(column.name);
            appendValue(appender, spec?.type ?? bigQueryType(column.duckdbType), column.duckdbType, spec ? row[column.name] : null);
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    });
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.pinned.getStore()) return work();
    return this.withConnection((connection) =>
      this.pinned.run(connection, async () => {
        await connection.run("BEGIN TRANSACTION");
        try {
          const result = await work();
          await connection.run("COMMIT");
          return result;
        } catch (error) {
          await connection.run("ROLLBACK");
          throw error;
        }
      }),
    );
  }

  /** Drops every staging table: called when the file is opened, when no run can be using them. */
  async clearStaging(): Promise<void> {
    await this.ensureDataset(STAGING_SCHEMA);
    for (const table of await this.listTables(STAGING_SCHEMA)) {
      await this.withConnection((connection) => connection.run(`DROP TABLE IF EXISTS "${STAGING_SCHEMA}"."${table}"`));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.all) connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Opens the local warehouse as `access` says. A file that is missing (for "write" and "read"), a
 * directory that does not exist, or a file that cannot be opened for lack of permission is bad
 * input (exit 2) naming what to do; a file another process holds gives a retryable "warehouse busy".
 */
export async function openDuckDBEngine(options: DuckDBEngineOptions): Promise<Engine> {
  const access = options.access ?? "create";
  const readOnly = access === "read";
  if (options.path !== ":memory:") {
    const resolved = path.resolve(options.path);
    const directory = path.dirname(resolved);
    if (access !== "create" && !fs.existsSync(resolved)) {
      throw new BadInputError("warehouse_missing", `warehouse ${options.path} does not exist`, {
        suggestion: "Create it with `runner seed` (synthetic data) or `runner load <files>` (real payloads), or point --warehouse / RUNNER_WAREHOUSE at an existing file.",
      });
    }
    if (!fs.existsSync(directory)) {
      if (!options.createDirectory) {
        throw new BadInputError("warehouse_directory_missing", `the directory of warehouse ${options.path} does not exist: ${directory}`, {
          suggestion: "Create the directory first, or fix the --warehouse / RUNNER_WAREHOUSE path.",
        });
      }
      fs.mkdirSync(directory, { recursive: true });
    }
    if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
      throw new BadInputError("warehouse_not_a_file", `warehouse ${options.path} is a directory, not a DuckDB file`, { suggestion: "Name the file, e.g. --warehouse .warehouse/nba.duckdb." });
    }
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, readOnly ? { access_mode: "READ_ONLY" } : undefined);
  } catch (error) {
    const message = (error as Error).message;
    if (isLockError(error)) {
      const holder = message.match(/PID (\d+)/)?.[1];
      throw new NotReadyError("warehouse_busy", `warehouse busy: ${options.path} is in use by another process${holder ? ` (PID ${holder})` : ""}`, {
        suggestion: "Wait for the other runner command to finish, then retry.",
        cause: error,
      });
    }
    if (/permission denied|read-only file system|EACCES|EROFS/i.test(message)) {
      throw new BadInputError("warehouse_permission", `cannot open warehouse ${options.path}: ${message}`, {
        suggestion: readOnly ? "Make the file readable by this user." : "Make the file and its directory writable by this user (verify and quarantine only need to read it).",
        cause: error,
      });
    }
    throw new DataFailureError("warehouse_open_failed", `cannot open warehouse ${options.path}: ${message}`, { cause: error });
  }
  const engine = new DuckDBEngine(instance, options.path);
  // A read-only open cannot (and need not) clear staging: only a writer leaves staging tables.
  if (!readOnly) await engine.clearStaging();
  return engine;
}
