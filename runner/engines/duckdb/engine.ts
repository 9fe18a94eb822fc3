/**
 * The embedded engine: a DuckDB file (`.warehouse/` under the project by default). BigQuery
 * dataset `X` table `T` is DuckDB schema `X` table `T`. Statements arrive in BigQuery SQL and are
 * translated (translate/); the translation macros are installed once on each connection, in one
 * round trip, and the connections are pooled for the engine's lifetime.
 *
 * One process writes a DuckDB file at a time: a second process gets "warehouse busy" (retryable).
 * Staging tables live in one schema that is emptied whenever the file is opened for writing, which is safe
 * because no other process can be using it then; a run killed mid-write leaves nothing behind
 * that the next run would see, and the MERGE itself is one transaction.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import * as DuckDB from "@duckdb/node-api";
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
import { tokenize, type Token } from "./tokenizer.ts";
import { duckdbTypeOf, translateToDuckDB } from "./translate/index.ts";

// Bundled by npm run build (only its native binding, @duckdb/node-bindings, loads from
// node_modules): a cold run then skips resolving and reading its forty CommonJS files, ~25 ms.
// Run from the sources (tsx), Node's ES module loader scans them for their named exports instead.
const {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
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
} = DuckDB;
type DuckDBConnection = DuckDB.DuckDBConnection;
type DuckDBInstance = DuckDB.DuckDBInstance;
type DuckDBAppender = DuckDB.DuckDBAppender;
type DuckDBType = DuckDB.DuckDBType;
type DuckDBValue = DuckDB.DuckDBValue;

/**
 * Where the stages live: an in-memory database attached under this name when the warehouse is
 * opened for writing, so `runner_staging.<table>` names a stage as on BigQuery. A stage never
 * reaches the file: creating, filling and dropping it writes no WAL and nothing to checkpoint (a
 * season backfill 5.1 to 4.5 s), and a crashed run leaves none behind. Under memory pressure
 * DuckDB spills it to the warehouse's temporary directory (<file>.tmp), as it does intermediates.
 */
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

/**
 * DuckDB's SUM of integers is a 128-bit HUGEINT (BigQuery's SUM of INT64 is INT64). DuckDB 1.5
 * scans a stored HUGEINT column about ten times slower than a BIGINT one (team_game_boxscore's
 * 2,460 rows of a season: 22 ms with its 15 sums as HUGEINT, 2 ms as BIGINT), and the published
 * tables are read back as history by every later date, so the tables the runner creates from a
 * stage store such columns as BIGINT.
 */
function isWideInt64(duckdbType: string): boolean {
  return duckdbType.toUpperCase() === "HUGEINT";
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

/**
 * What every connection needs before its first statement: UTC (the macros assume BigQuery's
 * default time zone) and the translation macros, as temporary (connection-scoped) macros:
 * persistent ones would be catalog writes that conflict between concurrent transactions, and
 * would be left in the user's warehouse file.
 */
const CONNECTION_SETUP = [
  "SET TimeZone = 'UTC'",
  ...DUCKDB_MACROS.map((macro) => macro.replace(/^CREATE OR REPLACE MACRO /, "CREATE OR REPLACE TEMP MACRO ")),
].join(";\n");

interface DuckDBColumn {
  name: string;
  duckdbType: string;
}

/** Translated statements an engine keeps. */
const TRANSLATIONS_KEPT = 1000;

/** What a transaction's DDL set holds when it ran DDL on relations it could not name. */
const ANY_RELATION = "*";

/**
 * A dataset's rows in a catalog view (its catalog and schema columns named): a schema of the
 * warehouse file, or the staging database, whose tables are in its schema main. $schema is the dataset.
 */
function inDataset(dataset: string, catalogColumn: string, schemaColumn: string): string {
  return dataset === STAGING_SCHEMA ? `${catalogColumn} = $schema AND ${schemaColumn} = 'main'` : `${catalogColumn} = current_database() AND ${schemaColumn} = $schema`;
}

function nameClash(location: string, dataset: string): BadInputError {
  return new BadInputError(
    "warehouse_name_clash",
    `warehouse ${location} is named like the dataset ${dataset}: DuckDB names the file's database after the file, and could not tell the two apart`,
    { suggestion: "Rename the warehouse file, e.g. --warehouse .warehouse/nba.duckdb." },
  );
}

function cacheKey(ref: TableRef): string {
  return `${ref.dataset}\u0000${ref.table}`;
}

/** The lower-cased table of a cache key: invalidation matches names as DuckDB does, without case. */
function tableOfKey(key: string): string {
  return key.slice(key.indexOf("\u0000") + 1).toLowerCase();
}

/** Statements that never change a table's columns or existence. */
const NO_SCHEMA_CHANGE = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|BEGIN|COMMIT|ROLLBACK|ABORT|START|END|SET|RESET|VALUES|FROM|TABLE|DESCRIBE|SHOW|SUMMARIZE|EXPLAIN|CHECKPOINT|PRAGMA\s+(table_info|show|database_size|storage_info))\b/i;
/** One identifier, quoted or not. */
const IDENTIFIER = String.raw`(?:"(?:[^"]|"")+"|\`[^\`]+\`|[A-Za-z_][A-Za-z0-9_$]*)`;
/** DDL naming the one relation it creates, alters or drops. */
const RELATION_DDL = new RegExp(
  String.raw`^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+)?(?:TABLE|VIEW)(?:\s+IF\s+NOT\s+EXISTS)?|ALTER\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?|DROP\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?)\s+(${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})*)(?=\s|\(|;|$)`,
  "i",
);

/** The lower-cased last part of a (possibly qualified, possibly quoted) relation name. */
function relationName(text: string): string {
  const parts = text.match(new RegExp(IDENTIFIER, "g")) ?? [text];
  const last = (parts.at(-1) ?? text).replace(/^"(.*)"$/s, "$1").replace(/^`(.*)`$/s, "$1").replace(/""/g, '"');
  // A backquoted BigQuery name `dataset.table` is one token: its table is after the dot.
  return (last.split(".").at(-1) ?? last).toLowerCase();
}

export type SchemaEffect = { kind: "none" } | { kind: "relation"; name: string } | { kind: "any" };

/**
 * What a statement (BigQuery SQL, as the engine receives it) may do to the cached schemas:
 * nothing, one relation (by name), or anything: several statements, or DDL this does not
 * recognise (a RENAME gives a relation a second name), and then everything is forgotten.
 */
export function schemaEffect(sql: string): SchemaEffect {
  // Only the tokenizer tells a `;` ending a statement from one inside a string or a comment.
  if (sql.includes(";")) {
    let tokens: Token[];
    try {
      tokens = tokenize(sql);
    } catch {
      return { kind: "any" };
    }
    const end = tokens.findIndex((token) => token.kind === "punct" && token.upper === ";");
    if (end !== -1 && end < tokens.length - 1) return { kind: "any" };
  }
  if (NO_SCHEMA_CHANGE.test(sql)) return { kind: "none" };
  if (/\bRENAME\b/i.test(sql)) return { kind: "any" };
  const relation = RELATION_DDL.exec(sql);
  return relation?.[1] ? { kind: "relation", name: relationName(relation[1]) } : { kind: "any" };
}

/**
 * RUNNER_TRACE_SQL=FILE: every statement the engine sends is appended to FILE as one JSON line
 * (connection, DuckDB SQL, parameters, start and duration in ms, whether it succeeded), and every append of
 * rows with its flush time. For profiling, and for `npm run bench`, which sums a run's model
 * queries and MERGEs from it and replays them as its floor (bench/floor.ts).
 */
export const TRACE_ENV = "RUNNER_TRACE_SQL";
const TRACE_FILE = process.env[TRACE_ENV] || undefined;
let tracedConnections = 0;

export interface TraceEntry {
  connection: number;
  kind: "statement" | "append";
  sql?: string;
  /** Parameters as bound: DuckDB type name and value (DATE as YYYY-MM-DD, lists as arrays). */
  params?: Record<string, { type: string; value: SqlValue }>;
  table?: string;
  rows?: number;
  /** When it started, in ms since the process started (performance.now()). */
  at: number;
  ms: number;
  ok: boolean;
}

type StatementMethod = (sql: string, values?: Record<string, DuckDBValue>, types?: Record<string, DuckDBType>) => Promise<unknown>;

function traceConnection(connection: DuckDBConnection, file: string): void {
  const id = ++tracedConnections;
  const write = (entry: TraceEntry) => fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
  // runAndReadAll goes through run (node-api reads the materialized result of run): one line per statement.
  const run = (connection.run as StatementMethod).bind(connection);
  const traced: StatementMethod = async (sql, values, types) => {
    const started = performance.now();
    let ok = false;
    try {
      const result = await run(sql, values, types);
      ok = true;
      return result;
    } finally {
      const params = values ? Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { type: String(types?.[name] ?? "?"), value: fromDuckDB(value) }])) : undefined;
      write({ connection: id, kind: "statement", sql, ...(params ? { params } : {}), at: started, ms: performance.now() - started, ok });
    }
  };
  Object.assign(connection, { run: traced });
  const createAppender = connection.createAppender.bind(connection);
  Object.assign(connection, {
    createAppender: async (table: string, schema?: string | null) => {
      const appender = await createAppender(table, schema);
      let rows = 0;
      const endRow = appender.endRow.bind(appender);
      const flushSync = appender.flushSync.bind(appender);
      Object.assign(appender, {
        endRow: () => {
          rows++;
          endRow();
        },
        flushSync: () => {
          const started = performance.now();
          flushSync();
          write({ connection: id, kind: "append", table: `${schema}.${table}`, rows, at: started, ms: performance.now() - started, ok: true });
        },
      });
      return appender;
    },
  });
}

function isLockError(error: unknown): boolean {
  return error instanceof Error && /Could not set lock on file|Conflicting lock is held/i.test(error.message);
}

class DuckDBEngine implements Engine {
  readonly name = "duckdb" as const;
  private readonly pinned = new AsyncLocalStorage<DuckDBConnection>();
  /** The DDL of the open transaction of this async context: its names are invalidated again when it ends. */
  private readonly transactionDdl = new AsyncLocalStorage<Set<string>>();
  private readonly idle: DuckDBConnection[] = [];
  private readonly all: DuckDBConnection[] = [];
  private closed = false;
  /**
   * Columns of the tables looked up so far (undefined: the table did not exist), so that a run
   * asks the catalog once per table instead of before every statement that needs them. Only this
   * engine can change the file's schemas while it is open (DuckDB lets one process write a file,
   * and none while others read it), so an entry stays right until DDL sent through this engine
   * touches the table: see `schemaChanged`. Keyed `schema.table` as given.
   */
  private readonly columnsCache = new Map<string, DuckDBColumn[] | undefined>();
  /**
   * Schemas whose tables were all read at once, each with the tables forgotten since (lower-cased):
   * a table of such a schema that is neither cached nor forgotten does not exist, and a forgotten
   * one is looked up alone (DESCRIBE), not with its whole schema again.
   */
  private readonly listedSchemas = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a lookup that raced one does not store what it read. */
  private schemaGeneration = 0;
  /** Schemas this engine has created or found, so ensureDataset sends CREATE SCHEMA once per schema. */
  private readonly knownSchemas = new Set<string>();
  /** The name DuckDB gives the file's database (the file's name without its extension), lower-cased: see checkName. */
  private catalog = "";

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
    if (TRACE_FILE) traceConnection(connection, TRACE_FILE);
    // Once per connection, as one multi-statement string (one round trip instead of one per macro).
    await connection.run(CONNECTION_SETUP);
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

  /**
   * Forgets what the caches know of a relation (in every schema: names are matched without case,
   * as DuckDB matches them), or of everything. Called after the DDL ran; inside a transaction the
   * names are forgotten again when it ends, since other connections may have read the catalog as
   * it was before the commit (or the rollback undoes the change).
   */
  private schemaChanged(effect: SchemaEffect): void {
    if (effect.kind === "none") return;
    this.schemaGeneration++;
    if (effect.kind === "any") {
      this.columnsCache.clear();
      this.knownSchemas.clear();
      this.listedSchemas.clear();
    } else {
      for (const key of [...this.columnsCache.keys()]) if (tableOfKey(key) === effect.name) this.columnsCache.delete(key);
      for (const forgotten of this.listedSchemas.values()) forgotten.add(effect.name);
    }
    this.transactionDdl.getStore()?.add(effect.kind === "any" ? ANY_RELATION : effect.name);
  }

  /**
   * Translations by statement text: the runner's own statements (MERGEs, checks, rules) repeat
   * for every date of a range, and a check's query is sent twice when it finds rows. Only
   * successful translations are kept (an error names the action of the statement that failed).
   */
  private readonly translations = new Map<string, string>();

  private translate(sql: string, options: StatementOptions | undefined): string {
    const known = this.translations.get(sql);
    if (known !== undefined) return known;
    const translated = translateToDuckDB(sql, { action: options?.context?.action });
    // Bounded: the oldest entry goes first (Map keeps insertion order).
    if (this.translations.size >= TRANSLATIONS_KEPT) this.translations.delete(this.translations.keys().next().value as string);
    this.translations.set(sql, translated);
    return translated;
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
      } finally {
        this.schemaChanged(schemaEffect(sql));
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
      } finally {
        this.schemaChanged(schemaEffect(sql));
      }
    });
  }

  async ensureDataset(dataset: string): Promise<void> {
    // The staging database is attached at open; a schema of that name in the file would make
    // every `runner_staging.<table>` ambiguous.
    if (dataset === STAGING_SCHEMA || this.knownSchemas.has(dataset)) return;
    if (dataset.toLowerCase() === this.catalog) throw nameClash(this.location, dataset);
    await this.withConnection((connection) => connection.run(`CREATE SCHEMA IF NOT EXISTS "${dataset}"`));
    // Inside a transaction the schema is only certain once it commits.
    if (!this.pinned.getStore()) this.knownSchemas.add(dataset);
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
      try {
        await this.withConnection((connection) =>
          connection.run(
            `ALTER TABLE ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${duckdbTypeOf(column.type)}`,
          ),
        );
      } finally {
        this.schemaChanged({ kind: "relation", name: ref.table.toLowerCase() });
      }
    }
  }

  /**
   * Row count and the sum of every row's hash (the whole row: a struct of all its columns), in one
   * query over all the tables: order-independent, and any changed, added or removed row changes it.
   */
  async tableVersions(refs: TableRef[]): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    const present: TableRef[] = [];
    for (const ref of refs) {
      if (await this.duckdbColumns(ref)) present.push(ref);
      else versions.set(this.qualify(ref), "absent");
    }
    if (present.length === 0) return versions;
    const digests = present.map(
      (ref, index) => `SELECT ${index} AS table_index, count(*) AS row_count, CAST(coalesce(sum(hash(t)::HUGEINT), 0) AS VARCHAR) AS row_hashes FROM ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)} AS t`,
    );
    const rows = await this.withConnection(async (connection) => (await connection.runAndReadAll(digests.join("\nUNION ALL\n"))).getRows());
    for (const [index, count, hashes] of rows) versions.set(this.qualify(present[Number(index)] as TableRef), `${String(count)}:${String(hashes)}`);
    return versions;
  }

  async describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    const columns = await this.duckdbColumns(ref);
    return columns?.map((column) => ({ name: column.name, type: bigQueryType(column.duckdbType) }));
  }

  async wideInt64Columns(ref: TableRef): Promise<string[]> {
    return ((await this.duckdbColumns(ref)) ?? []).filter((column) => isWideInt64(column.duckdbType)).map((column) => column.name);
  }

  async addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    if (columns.length === 0) return;
    const source = await this.duckdbColumns(like);
    // DuckDB's own type names (INTEGER, DECIMAL(10,2), VARCHAR[], STRUCT(...)) as information_schema
    // gives them: valid DDL as they are, and what a CTAS from `like` would create, except that a
    // HUGEINT is declared BIGINT, as a target created from `like` declares it (wideInt64Columns).
    const statements = columns.map((name) => {
      const column = source?.find((candidate) => candidate.name === name);
      if (!column) throw new DataFailureError("unknown_columns", `${like.dataset}.${like.table} has no column ${name}`);
      const type = isWideInt64(column.duckdbType) ? "BIGINT" : column.duckdbType;
      return `ALTER TABLE ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(name)} ${type}`;
    });
    const options = { context };
    await this.transaction(() =>
      this.withConnection(async (connection) => {
        for (const statement of statements) {
          try {
            await connection.run(statement);
          } catch (error) {
            throw this.wrapError(error, statement, options);
          } finally {
            this.schemaChanged({ kind: "relation", name: ref.table.toLowerCase() });
          }
        }
      }),
    );
  }

  /** Whether the open transaction of this async context changed the table (not committed yet). */
  private changedInTransaction(table: string): boolean {
    const pending = this.transactionDdl.getStore();
    return pending !== undefined && (pending.has(ANY_RELATION) || pending.has(table.toLowerCase()));
  }

  /** The table's columns (undefined when it does not exist), from the cache or else the catalog. */
  private async duckdbColumns(ref: TableRef): Promise<DuckDBColumn[] | undefined> {
    const key = cacheKey(ref);
    if (this.columnsCache.has(key)) return this.columnsCache.get(key);
    const forgotten = this.listedSchemas.get(ref.dataset);
    if (forgotten && !forgotten.has(ref.table.toLowerCase())) return undefined;
    if (forgotten) return this.describeOne(ref);
    const generation = this.schemaGeneration;
    // Every table of the schema at once (a run asks for most of them): duckdb_columns(), which
    // information_schema.columns is a view over, without the view's joins, a few times faster.
    const rows = await this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT table_name, column_name, data_type FROM duckdb_columns()
         WHERE ${inDataset(ref.dataset, "database_name", "schema_name")} ORDER BY table_name, column_index`,
        { schema: ref.dataset },
      );
      return reader.getRows();
    });
    const tables = new Map<string, DuckDBColumn[]>();
    for (const [table, name, type] of rows) {
      const columns = tables.get(String(table)) ?? [];
      columns.push({ name: String(name), duckdbType: String(type) });
      tables.set(String(table), columns);
    }
    // Not stored when DDL ran meanwhile, or for a table this transaction changed and has not committed.
    const pending = this.transactionDdl.getStore();
    if (generation === this.schemaGeneration) {
      for (const [table, columns] of tables) if (!this.changedInTransaction(table)) this.columnsCache.set(cacheKey({ dataset: ref.dataset, table }), columns);
      if (!tables.has(ref.table) && !this.changedInTransaction(ref.table)) this.columnsCache.set(key, undefined);
      if (!pending?.has(ANY_RELATION)) this.listedSchemas.set(ref.dataset, new Set(pending));
    }
    return tables.get(ref.table);
  }

  /** One table's columns by DESCRIBE (DuckDB's type names, as duckdb_columns() gives them). */
  private async describeOne(ref: TableRef): Promise<DuckDBColumn[] | undefined> {
    const generation = this.schemaGeneration;
    const rows = await this.withConnection(async (connection) => {
      try {
        return (await connection.runAndReadAll(`DESCRIBE ${quoteIdentifier(ref.dataset)}.${quoteIdentifier(ref.table)}`)).getRows();
      } catch (error) {
        if (error instanceof Error && /^Catalog Error: .* does not exist/s.test(error.message)) return undefined;
        throw error;
      }
    });
    const columns = rows?.map(([name, type]) => ({ name: String(name), duckdbType: String(type) }));
    if (generation === this.schemaGeneration && !this.changedInTransaction(ref.table)) {
      this.columnsCache.set(cacheKey(ref), columns);
      this.listedSchemas.get(ref.dataset)?.delete(ref.table.toLowerCase());
    }
    return columns;
  }

  async listTables(dataset: string): Promise<string[]> {
    return this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT table_name FROM information_schema.tables WHERE ${inDataset(dataset, "table_catalog", "table_schema")} ORDER BY table_name`,
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
    // In a transaction (the caller's, or one of its own): the rows are committed all or none, and
    // the commit runs as a statement, off the event loop. node-api's appender flushes
    // synchronously, and a flush that commits may make DuckDB checkpoint the file there (54-253 ms
    // seen in traces), which blocked every other request of `serve`, /healthz included.
    await this.transaction(() =>
      this.withConnection(async (connection) => {
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
      }),
    );
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.pinned.getStore()) return work();
    const ddl = new Set<string>();
    return this.withConnection((connection) =>
      this.pinned.run(connection, () =>
        this.transactionDdl.run(ddl, async () => {
          await connection.run("BEGIN TRANSACTION");
          try {
            const result = await work();
            await connection.run("COMMIT");
            return result;
          } catch (error) {
            await connection.run("ROLLBACK");
            throw error;
          } finally {
            for (const name of ddl) this.schemaChanged(name === ANY_RELATION ? { kind: "any" } : { kind: "relation", name });
          }
        }),
      ),
    );
  }

  /**
   * Attaches the staging database (STAGING_SCHEMA). A file written by an earlier version can hold
   * a schema of that name, with the stages of a run that crashed: it is dropped first, or every
   * `runner_staging.<table>` would be ambiguous between the two.
   */
  async attachStaging(): Promise<void> {
    if (this.catalog === STAGING_SCHEMA) throw nameClash(this.location, STAGING_SCHEMA);
    const name = quoteIdentifier(STAGING_SCHEMA);
    try {
      await this.withConnection((connection) => connection.run(`DROP SCHEMA IF EXISTS ${name} CASCADE;\nATTACH ':memory:' AS ${name}`));
    } finally {
      this.schemaChanged({ kind: "any" });
    }
  }

  /**
   * DuckDB names the file's database after the file, so in nba_analytics.duckdb the name
   * `nba_analytics.t` could mean that database or the schema nba_analytics, and every statement
   * naming it fails as ambiguous. A file holding a schema of its own name is refused when opened,
   * and no such schema is created (ensureDataset).
   */
  async checkName(): Promise<void> {
    const [row] = await this.withConnection(async (connection) =>
      (
        await connection.runAndReadAll(
          `SELECT current_database(), count(*) FILTER (WHERE lower(schema_name) = lower(current_database()))
           FROM duckdb_schemas() WHERE database_name = current_database()`,
        )
      ).getRows(),
    );
    this.catalog = String(row?.[0] ?? "").toLowerCase();
    if (Number(row?.[1] ?? 0) > 0) throw nameClash(this.location, this.catalog);
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
  try {
    await engine.checkName();
    // A read-only open stages nothing.
    if (!readOnly) await engine.attachStaging();
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}
