/**
 * A local HTTP fake of the BigQuery REST API (v2) for the engine's tests: node:http on 127.0.0.1,
 * a random port. It records every request (method, path, query, body) and answers the calls the
 * engine makes: jobs.insert / jobs.get / jobs.cancel / jobs.query / jobs.getQueryResults (with
 * pageToken paging), datasets.get/insert, tables.get/insert/list/delete and tabledata.list.
 *
 * Answers are scripted by SQL substring: rows (paged), a dry-run byte count, DML affected rows, an
 * HTTP error on insert (a 503 once, a 400 invalidQuery), a failed job, or a job still running. A
 * query no script matches runs and returns no rows. DDL keeps a table registry so tables.get sees
 * what CREATE TABLE made: a CTAS gets the schema `tableSchema` gives it, `AS SELECT * FROM x LIMIT
 * 0` copies x's, ALTER TABLE ... ADD COLUMN [IF NOT EXISTS] appends to it, and DROP TABLE removes it.
 *
 * Sessions: a job with createSession gets a new session id (statistics.sessionInfo), a job whose
 * connectionProperties name session_id runs in it, CALL BQ.ABORT_SESSION() ends it; a job naming a
 * session that is unknown or ended fails, and so does BEGIN/COMMIT/ROLLBACK TRANSACTION outside a
 * session, as on BigQuery. Transactions are not modelled further: every statement applies at once.
 *
 * Partition filters (FakeOptions.partitionFilters): every job, dry runs included, is analyzed by
 * ZetaSQL (BigQuery's analyzer) against the fake's tables, and a scan of a partitioned table with
 * no filter on its partition column that can eliminate partitions fails as BigQuery fails it
 * (partition_filters.ts says what counts). A table is partitioned as its resource says
 * (timePartitioning.field), which tables.insert and a CREATE TABLE ... PARTITION BY column set;
 * require_partition_filter as tables.insert (requirePartitionFilter) or OPTIONS
 * (require_partition_filter = TRUE) set it. A statement the analyzer rejects fails as invalid.
 * Dry runs answer statistics.query.referencedTables (the tables the statement reads) and, for a
 * query, its schema: from the analysis when it runs, else scripted (or the backquoted names).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { partitionFilterError, partitionViolations, tablesRead } from "./partition_filters.ts";
import type { ZetaColumn, ZetaSqlAnalyzer, ZetaType } from "./zetasql.ts";

export interface Field {
  name: string;
  type: string;
  mode?: string;
  fields?: Field[];
}

export interface ApiErrorAnswer {
  status: number;
  reason: string;
  message: string;
}

export interface ScriptedAnswer {
  /** The job's SQL must contain this (or match it). */
  match: string | RegExp;
  /** Only dry-run jobs (true), only real ones (false), or both (unset). */
  dryRun?: boolean;
  /** How many jobs the answer serves; default 1, Infinity for all. */
  times?: number;
  rows?: Record<string, unknown>[];
  /** Schema of `rows`; inferred from the first row when absent. */
  schema?: Field[];
  /** Rows per getQueryResults page (all at once when absent). */
  pageSize?: number;
  totalBytesProcessed?: number;
  /** A dry run's statistics.query.referencedTables, as `project.dataset.table`. */
  referencedTables?: string[];
  numDmlAffectedRows?: number;
  /** jobs.insert answers this HTTP error (the job is not created). */
  httpError?: ApiErrorAnswer;
  /** The job is created and fails with this (getQueryResults answers the error). */
  jobError?: ApiErrorAnswer;
  /** getQueryResults answers jobComplete: false this many times first ("forever": never done). */
  pendingPolls?: number | "forever";
}

export interface RecordedRequest {
  method: string;
  /** Path without the /bigquery/v2 prefix, e.g. /projects/p/jobs. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The Authorization header, if the client sent one. */
  authorization: string | undefined;
}

/** What jobs.insert received: the parts the tests assert on. */
export interface JobInsert {
  jobId: string;
  projectId: string;
  location: string | undefined;
  sql: string;
  dryRun: boolean;
  labels: Record<string, string>;
  parameterMode: string | undefined;
  queryParameters: QueryParameter[];
  maximumBytesBilled: string | undefined;
  jobTimeoutMs: string | undefined;
  /** configuration.query.createSession. */
  createSession: boolean;
  /** configuration.query.connectionProperties, as sent. */
  connectionProperties: { key: string; value: string }[];
  /** The session the job ran in: the one it created, or the one its session_id property named. */
  sessionId: string | undefined;
}

export interface QueryParameter {
  name: string;
  parameterType: { type: string; arrayType?: { type: string; structTypes?: { name: string; type: { type: string } }[] } };
  parameterValue: { value?: string; arrayValues?: { value?: string; structValues?: Record<string, { value?: string }> }[] };
}

interface FakeJob {
  insert: JobInsert;
  answer: ScriptedAnswer | undefined;
  polls: number;
  /** What the analysis found (partition filters on), for the job's statistics. */
  analysis?: Analysis | undefined;
}

interface TableEntry {
  fields: Field[];
  resource: Record<string, unknown>;
}

export interface FakeBigQuery {
  url: string;
  requests: RecordedRequest[];
  /** Adds an answer; answers are tried in the order they were added. */
  script(answer: ScriptedAnswer): void;
  /** Every jobs.insert, in arrival order (retries included). */
  jobs(): JobInsert[];
  datasets: Set<string>;
  tables: Map<string, TableEntry>;
  /** Partition filters on: every read of a table the rule applies to that passed it, by job. */
  partitionReads(): { jobId: string; table: string }[];
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Schema of a table a CTAS creates, by its full id `project.dataset.table`. */
  tableSchema?: (tableId: string, sql: string) => Field[] | undefined;
  /**
   * Enforce BigQuery's partition filter rule with this analyzer: on the tables that require a
   * filter (`required`, BigQuery's behaviour), or on every partitioned table (`partitioned`). The
   * analyzer's catalog is the fake's tables (their fields, typed), plus what the test added to it
   * (tables a test registers with loose fields can be given exact types there) and the tables a
   * CREATE TABLE ... AS made, with the columns it resolved (which a CTAS then gets as its fields
   * when tableSchema gives none).
   */
  partitionFilters?: { analyzer: ZetaSqlAnalyzer; enforce: "required" | "partitioned" };
}

/** BigQuery's table resource fields the fake reads a table's partitioning from. */
export function partitionResource(column: string, required: boolean): Record<string, unknown> {
  return { timePartitioning: { type: "DAY", field: column }, ...(required ? { requirePartitionFilter: true } : {}) };
}

/** ZetaSQL's TypeKind numbers, as the analyzer answers them. */
const TYPE_KINDS: Record<number, string> = {
  2: "TYPE_INT64",
  5: "TYPE_BOOL",
  7: "TYPE_DOUBLE",
  8: "TYPE_STRING",
  9: "TYPE_BYTES",
  10: "TYPE_DATE",
  16: "TYPE_ARRAY",
  17: "TYPE_STRUCT",
  19: "TYPE_TIMESTAMP",
  20: "TYPE_TIME",
  21: "TYPE_DATETIME",
  22: "TYPE_GEOGRAPHY",
  23: "TYPE_NUMERIC",
  24: "TYPE_BIGNUMERIC",
  26: "TYPE_JSON",
  27: "TYPE_INTERVAL",
};
const REST_OF_KIND: Record<string, string> = {
  TYPE_INT64: "INTEGER",
  TYPE_BOOL: "BOOLEAN",
  TYPE_DOUBLE: "FLOAT",
  TYPE_STRING: "STRING",
  TYPE_BYTES: "BYTES",
  TYPE_DATE: "DATE",
  TYPE_TIMESTAMP: "TIMESTAMP",
  TYPE_TIME: "TIME",
  TYPE_DATETIME: "DATETIME",
  TYPE_GEOGRAPHY: "GEOGRAPHY",
  TYPE_NUMERIC: "NUMERIC",
  TYPE_BIGNUMERIC: "BIGNUMERIC",
  TYPE_JSON: "JSON",
  TYPE_INTERVAL: "INTERVAL",
};
const KIND_OF_REST: Record<string, string> = {
  ...Object.fromEntries(Object.entries(REST_OF_KIND).map(([kind, rest]) => [rest, kind])),
  INT64: "TYPE_INT64",
  FLOAT64: "TYPE_DOUBLE",
  BOOL: "TYPE_BOOL",
};

function kindName(type: ZetaType): string {
  return typeof type.typeKind === "number" ? (TYPE_KINDS[type.typeKind] ?? "TYPE_UNKNOWN") : type.typeKind;
}

/** A resolved column as a table field (what tables.get answers for it). */
export function fieldOfZeta(name: string, type: ZetaType): Field {
  const kind = kindName(type);
  if (kind === "TYPE_ARRAY" && type.arrayType) return { ...fieldOfZeta(name, type.arrayType.elementType), mode: "REPEATED" };
  if (kind === "TYPE_STRUCT") {
    return { name, type: "RECORD", mode: "NULLABLE", fields: (type.structType?.field ?? []).map((field) => fieldOfZeta(field.fieldName, field.fieldType)) };
  }
  return { name, type: REST_OF_KIND[kind] ?? "STRING", mode: "NULLABLE" };
}

/** A table field as the analyzer's column type. */
export function zetaOfField(field: Field): ZetaType {
  const type = field.type.toUpperCase();
  const element: ZetaType =
    type === "RECORD" || type === "STRUCT"
      ? { typeKind: "TYPE_STRUCT", structType: { field: (field.fields ?? []).map((inner) => ({ fieldName: inner.name, fieldType: zetaOfField(inner) })) } }
      : { typeKind: KIND_OF_REST[type] ?? "TYPE_STRING" };
  return field.mode === "REPEATED" ? { typeKind: "TYPE_ARRAY", arrayType: { elementType: element } } : element;
}

/** A REST query parameter type as the analyzer's. */
function zetaOfParameter(type: QueryParameter["parameterType"]): ZetaType {
  const name = type.type.toUpperCase();
  if (name === "ARRAY" && type.arrayType) {
    const element = type.arrayType;
    if (element.type.toUpperCase() === "STRUCT") {
      const fields = (element.structTypes ?? []).map((field) => ({ fieldName: field.name, fieldType: zetaOfParameter(field.type) }));
      return { typeKind: "TYPE_ARRAY", arrayType: { elementType: { typeKind: "TYPE_STRUCT", structType: { field: fields } } } };
    }
    return { typeKind: "TYPE_ARRAY", arrayType: { elementType: zetaOfParameter(element) } };
  }
  return { typeKind: KIND_OF_REST[name] ?? "TYPE_STRING" };
}

const API_PREFIX = "/bigquery/v2";

function inferType(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? "INTEGER" : "FLOAT";
  if (typeof value === "boolean") return "BOOLEAN";
  return "STRING";
}

function cell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => ({ v: cell(item) }));
  if (typeof value === "object") return { f: Object.values(value as Record<string, unknown>).map((item) => ({ v: cell(item) })) };
  return String(value);
}

function errorBody(error: ApiErrorAnswer) {
  return { error: { code: error.status, message: error.message, errors: [{ message: error.message, domain: "global", reason: error.reason }] } };
}

/** A statement as the analyzer resolved it: the tables it reads and the columns it outputs. */
interface Analysis {
  tablesRead: string[];
  columns: ZetaColumn[];
}

const DDL_CREATE = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`([^`]+)`/i;
const DDL_DROP = /^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?`([^`]+)`/i;
const COPY_EMPTY = /AS\s+SELECT \* FROM `([^`]+)` LIMIT 0\s*$/i;
const DML = /^\s*(INSERT|MERGE|UPDATE|DELETE)\b/i;
const DDL_ALTER = /^\s*ALTER\s+TABLE\s+`([^`]+)`([\s\S]*)$/i;
const ADD_COLUMN = /^\s*ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?\s+([\s\S]+?)\s*$/i;
/** A CREATE TABLE's partitioning by a column (an expression, DATE(ts) or a range, is not modelled). */
const PARTITION_COLUMN = /\bPARTITION\s+BY\s+([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/i;
const REQUIRE_PARTITION_FILTER = /\brequire_partition_filter\s*=\s*TRUE\b/i;
/** Statements the analyzer has no catalog entry for: transaction control, the end of a session. */
const NOT_ANALYZED = /^\s*(?:(?:BEGIN|COMMIT|ROLLBACK)(?:\s+TRANSACTION)?|CALL\s+BQ\.ABORT_SESSION\(\s*\))\s*;?\s*$/i;

/** The tables a statement names in backquotes (`project.dataset.table` or `dataset.table`), but the one it creates. */
function namedTables(projectId: string, sql: string): string[] {
  const created = DDL_CREATE.exec(sql)?.[1];
  const names = [...sql.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "").filter((name) => name !== created && name.split(".").length >= 2);
  return [...new Set(names.map((name) => (name.split(".").length === 2 ? `${projectId}.${name}` : name)))];
}

/** The clauses of an ALTER TABLE, split at the commas outside <> and (). */
function alterClauses(text: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "<" || char === "(") depth += 1;
    if (char === ">" || char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      clauses.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (current.trim()) clauses.push(current);
  return clauses;
}

/** A DDL column type as a schema field: the top-level type name (nested types are not modelled). */
function fieldOfDdl(name: string, type: string): Field {
  const repeated = /^ARRAY\s*</i.exec(type);
  const inner = repeated ? type.replace(/^ARRAY\s*<([\s\S]*)>$/i, "$1") : type;
  const base = (/^[A-Za-z0-9_]+/.exec(inner.trim())?.[0] ?? "STRING").toUpperCase();
  const legacy: Record<string, string> = { INT64: "INTEGER", FLOAT64: "FLOAT", BOOL: "BOOLEAN", STRUCT: "RECORD" };
  return { name, type: legacy[base] ?? base, mode: repeated ? "REPEATED" : "NULLABLE" };
}

export async function startFakeBigQuery(options: FakeOptions = {}): Promise<FakeBigQuery> {
  const requests: RecordedRequest[] = [];
  const answers: { answer: ScriptedAnswer; left: number }[] = [];
  const inserts: JobInsert[] = [];
  const jobs = new Map<string, FakeJob>();
  const datasets = new Set<string>();
  const tables = new Map<string, TableEntry>();
  /** Session id -> whether it is still active. */
  const sessions = new Map<string, boolean>();

  const take = (sql: string, dryRun: boolean): ScriptedAnswer | undefined => {
    const found = answers.find(
      ({ answer, left }) =>
        left > 0 &&
        (answer.dryRun === undefined || answer.dryRun === dryRun) &&
        (typeof answer.match === "string" ? sql.includes(answer.match) : answer.match.test(sql)),
    );
    if (!found) return undefined;
    found.left -= 1;
    return found.answer;
  };

  const analyzer = options.partitionFilters?.analyzer;
  const partitionReads: { jobId: string; table: string }[] = [];

  /** The partition column a statement must filter on this table, if the rule applies to it. */
  const partitionColumn = (tableId: string): string | undefined => {
    const resource = tables.get(tableId)?.resource ?? {};
    const partitioning = (resource.timePartitioning ?? {}) as { field?: string; requirePartitionFilter?: boolean };
    if (!partitioning.field) return undefined;
    const required = resource.requirePartitionFilter === true || partitioning.requirePartitionFilter === true;
    return options.partitionFilters?.enforce === "partitioned" || required ? partitioning.field : undefined;
  };

  /**
   * Analyzes a job's statement against the fake's tables: its problem (BigQuery's message) when
   * it would fail, else what it reads and outputs. Undefined when partition filters are off.
   */
  const analyze = async (insert: JobInsert): Promise<{ problem: ApiErrorAnswer } | Analysis | undefined> => {
    if (!analyzer || NOT_ANALYZED.test(insert.sql)) return undefined;
    for (const [id, table] of tables) {
      if (!analyzer.hasTable(id)) analyzer.addTable(id, table.fields.map((field) => ({ name: field.name, type: zetaOfField(field) })));
    }
    const params = Object.fromEntries(insert.queryParameters.map((parameter) => [parameter.name, zetaOfParameter(parameter.parameterType)]));
    const verdict = await analyzer.analyze(insert.sql, params);
    if (!verdict.ok) {
      // A missing table is BigQuery's notFound; anything else the analyzer refuses, invalid SQL.
      const missing = /Table not found: `?([^`\s]+)`?/.exec(verdict.error ?? "")?.[1];
      if (missing) {
        const [project, dataset, table] = missing.split(".");
        return { problem: { status: 404, reason: "notFound", message: `Not found: Table ${project}:${dataset}.${table} was not found in location ${insert.location ?? "US"}` } };
      }
      return { problem: { status: 400, reason: "invalidQuery", message: `the fake's analyzer (ZetaSQL) rejects the statement: ${verdict.error ?? ""}` } };
    }
    const [violation] = partitionViolations(verdict.resolved, partitionColumn);
    if (violation) return { problem: { status: 400, reason: "invalidQuery", message: partitionFilterError(violation) } };
    const read = tablesRead(verdict.resolved);
    for (const table of read.filter((candidate) => partitionColumn(candidate))) partitionReads.push({ jobId: insert.jobId, table });
    return { tablesRead: read, columns: verdict.columns };
  };

  const applyDdl = (projectId: string, sql: string, analysis: Analysis | undefined) => {
    const created = DDL_CREATE.exec(sql)?.[1];
    if (created) {
      const id = created.split(".").length === 2 ? `${projectId}.${created}` : created;
      if (/IF\s+NOT\s+EXISTS/i.test(sql) && tables.has(id)) return;
      const source = COPY_EMPTY.exec(sql)?.[1];
      const resolved = analysis && analysis.columns.length > 0 ? analysis.columns.map((column) => fieldOfZeta(column.name, column.type)) : undefined;
      const fields = (source ? tables.get(source)?.fields : undefined) ?? options.tableSchema?.(id, sql) ?? resolved ?? [];
      const partition = PARTITION_COLUMN.exec(sql.split(/\bAS\b/i)[0] ?? "")?.[1];
      tables.set(id, { fields, resource: partition ? partitionResource(partition, REQUIRE_PARTITION_FILTER.test(sql)) : {} });
      // The analyzer reads what the CTAS resolved (exact types), or what the table was copied from.
      if (analyzer && analysis && analysis.columns.length > 0) analyzer.addTable(id, analysis.columns);
      else if (analyzer && source && analyzer.columns(source)) analyzer.addTable(id, analyzer.columns(source) ?? []);
      return;
    }
    const dropped = DDL_DROP.exec(sql)?.[1];
    if (dropped) {
      tables.delete(dropped);
      analyzer?.removeTable(dropped);
      return;
    }
    const altered = DDL_ALTER.exec(sql);
    const alteredId = altered?.[1];
    const table = alteredId ? tables.get(alteredId) : undefined;
    if (!altered || !alteredId || !table) return;
    for (const clause of alterClauses(altered[2] ?? "")) {
      const [, name, type] = ADD_COLUMN.exec(clause) ?? [];
      if (!name || !type || table.fields.some((field) => field.name === name)) continue;
      const field = fieldOfDdl(name, type);
      table.fields = [...table.fields, field];
      const known = analyzer?.columns(alteredId);
      if (analyzer && known) analyzer.addTable(alteredId, [...known, { name, type: zetaOfField(field) }]);
    }
  };

  const jobResource = (job: FakeJob, done: boolean) => {
    const failed = done && job.answer?.jobError;
    return {
      kind: "bigquery#job",
      id: `${job.insert.projectId}:${job.insert.location ?? "US"}.${job.insert.jobId}`,
      jobReference: { projectId: job.insert.projectId, jobId: job.insert.jobId, location: job.insert.location ?? "US" },
      configuration: { query: { query: job.insert.sql }, labels: job.insert.labels },
      status: {
        state: done ? "DONE" : "RUNNING",
        ...(failed ? { errorResult: { reason: failed.reason, message: failed.message }, errors: [{ reason: failed.reason, message: failed.message }] } : {}),
      },
      statistics: {
        totalBytesProcessed: String(job.answer?.totalBytesProcessed ?? 0),
        query: {
          totalBytesProcessed: String(job.answer?.totalBytesProcessed ?? 0),
          ...(job.insert.dryRun ? dryRunStatistics(job) : {}),
        },
        ...(job.insert.sessionId ? { sessionInfo: { sessionId: job.insert.sessionId } } : {}),
      },
    };
  };

  const queryResults = (job: FakeJob, query: Record<string, string>): { status: number; body: unknown; held?: boolean } => {
    const answer = job.answer;
    const reference = { projectId: job.insert.projectId, jobId: job.insert.jobId, location: job.insert.location ?? "US" };
    const pending = answer?.pendingPolls;
    if (pending === "forever" || (pending !== undefined && job.polls < pending)) {
      job.polls += 1;
      return { status: 200, held: true, body: { kind: "bigquery#getQueryResultsResponse", jobReference: reference, jobComplete: false } };
    }
    if (answer?.jobError) return { status: answer.jobError.status, body: errorBody(answer.jobError) };
    const rows = answer?.rows ?? [];
    const fields = answer?.schema ?? Object.entries(rows[0] ?? {}).map(([name, value]) => ({ name, type: inferType(value) }));
    const start = Number(query.pageToken ?? 0);
    const wanted = query.maxResults === undefined ? Infinity : Number(query.maxResults);
    const size = Math.min(answer?.pageSize ?? Infinity, wanted);
    const page = rows.slice(start, start + size);
    const next = start + page.length;
    const dml = DML.test(job.insert.sql);
    return {
      status: 200,
      body: {
        kind: "bigquery#getQueryResultsResponse",
        jobReference: reference,
        jobComplete: true,
        schema: { fields },
        totalRows: String(rows.length),
        ...(page.length > 0 ? { rows: page.map((row) => ({ f: fields.map((field) => ({ v: cell(row[field.name]) })) })) } : {}),
        ...(size > 0 && next < rows.length ? { pageToken: String(next) } : {}),
        ...(dml ? { numDmlAffectedRows: String(answer?.numDmlAffectedRows ?? 0) } : {}),
      },
    };
  };

  /** A dry run's referenced tables and, for a query, its schema: scripted, else from the analysis, else the names in the SQL. */
  const dryRunStatistics = (job: FakeJob) => {
    const referenced = job.answer?.referencedTables ?? job.analysis?.tablesRead ?? namedTables(job.insert.projectId, job.insert.sql);
    const fields = job.answer?.schema ?? job.analysis?.columns.map((column) => fieldOfZeta(column.name, column.type));
    return {
      referencedTables: referenced.map((id) => {
        const [projectId = "", datasetId = "", tableId = ""] = id.split(".");
        return { projectId, datasetId, tableId };
      }),
      ...(fields && fields.length > 0 && !DML.test(job.insert.sql) ? { schema: { fields } } : {}),
    };
  };

  const insertJob = async (projectId: string, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> => {
    const configuration = (body.configuration ?? {}) as Record<string, unknown>;
    const queryConfig = (configuration.query ?? {}) as Record<string, unknown>;
    const reference = (body.jobReference ?? {}) as Record<string, unknown>;
    const connectionProperties = (queryConfig.connectionProperties ?? []) as { key: string; value: string }[];
    const createSession = queryConfig.createSession === true;
    const insert: JobInsert = {
      jobId: String(reference.jobId ?? `job_${inserts.length}`),
      projectId,
      location: typeof reference.location === "string" ? reference.location : undefined,
      sql: String(queryConfig.query ?? ""),
      dryRun: configuration.dryRun === true,
      labels: (configuration.labels ?? {}) as Record<string, string>,
      parameterMode: typeof queryConfig.parameterMode === "string" ? queryConfig.parameterMode : undefined,
      queryParameters: (queryConfig.queryParameters ?? []) as QueryParameter[],
      maximumBytesBilled: typeof queryConfig.maximumBytesBilled === "string" ? queryConfig.maximumBytesBilled : undefined,
      jobTimeoutMs: typeof configuration.jobTimeoutMs === "string" ? configuration.jobTimeoutMs : undefined,
      createSession,
      connectionProperties,
      sessionId: connectionProperties.find((property) => property.key === "session_id")?.value,
    };
    inserts.push(insert);
    if (!insert.dryRun && jobs.has(insert.jobId)) {
      return { status: 409, body: errorBody({ status: 409, reason: "duplicate", message: `Already Exists: Job ${projectId}:${insert.jobId}` }) };
    }
    const scripted = take(insert.sql, insert.dryRun);
    if (scripted?.httpError) return { status: scripted.httpError.status, body: errorBody(scripted.httpError) };
    let answer = scripted;
    const analyzed = await analyze(insert);
    const analysis = analyzed && "problem" in analyzed ? undefined : analyzed;
    const refused = analyzed && "problem" in analyzed ? ({ match: "", jobError: analyzed.problem } satisfies ScriptedAnswer) : undefined;
    if (!insert.dryRun) {
      if (createSession) {
        insert.sessionId = `session_${sessions.size + 1}`;
        sessions.set(insert.sessionId, true);
      }
      // What BigQuery itself refuses fails the job, whatever the script says.
      if (insert.sessionId && !sessions.get(insert.sessionId)) {
        answer = { match: "", jobError: { status: 400, reason: "invalid", message: `Session ${insert.sessionId} is not active` } };
      } else if (!insert.sessionId && /^\s*(BEGIN|COMMIT|ROLLBACK)\s+TRANSACTION\b/i.test(insert.sql)) {
        answer = { match: "", jobError: { status: 400, reason: "invalidQuery", message: "Transaction control statements are supported only in scripts or sessions" } };
      } else if (insert.sessionId && /^\s*CALL\s+BQ\.ABORT_SESSION\(\s*\)/i.test(insert.sql)) {
        sessions.set(insert.sessionId, false);
      } else if (refused) {
        answer = refused;
      }
    }
    if (insert.dryRun) {
      const failed = refused?.jobError ?? answer?.jobError;
      if (failed) return { status: failed.status, body: errorBody(failed) };
      return { status: 200, body: jobResource({ insert, answer, polls: 0, analysis }, true) };
    }
    const job: FakeJob = { insert, answer, polls: 0, analysis };
    jobs.set(insert.jobId, job);
    if (!answer?.jobError) applyDdl(projectId, insert.sql, analysis);
    return { status: 200, body: jobResource(job, false) };
  };

  const notFound = (what: string) => ({ status: 404, body: errorBody({ status: 404, reason: "notFound", message: `Not found: ${what}` }) });

  const route = async (method: string, path: string, query: Record<string, string>, body: unknown): Promise<{ status: number; body: unknown; held?: boolean }> => {
    const parts = path.split("/").filter(Boolean);
    if (parts[0] !== "projects" || !parts[1]) return notFound(`URL ${path}`);
    const projectId = decodeURIComponent(parts[1]);
    const [collection, id, sub, subId, subSub] = parts.slice(2).map(decodeURIComponent);
    const json = (body ?? {}) as Record<string, unknown>;

    if (collection === "jobs") {
      if (method === "POST" && !id) return insertJob(projectId, json);
      const job = id ? jobs.get(id) : undefined;
      if (!job) return notFound(`Job ${projectId}:${id}`);
      if (method === "POST" && sub === "cancel") return { status: 200, body: { kind: "bigquery#jobCancelResponse", job: jobResource(job, true) } };
      const pending = job.answer?.pendingPolls;
      const done = !(pending === "forever" || (pending !== undefined && job.polls < pending));
      return { status: 200, body: jobResource(job, done) };
    }
    if (collection === "queries") {
      if (method === "POST" && !id) {
        const request = json as { query?: string; dryRun?: boolean; location?: string; labels?: Record<string, string> };
        const jobId = `query_${inserts.length}`;
        const inserted = await insertJob(projectId, {
          jobReference: { jobId, location: request.location },
          configuration: { query: json, labels: request.labels, dryRun: request.dryRun },
        });
        if (inserted.status !== 200 || request.dryRun) return inserted;
        const job = jobs.get(jobId);
        return job ? queryResults(job, query) : notFound(`Job ${jobId}`);
      }
      const job = id ? jobs.get(id) : undefined;
      return job ? queryResults(job, query) : notFound(`Job ${projectId}:${id}`);
    }
    if (collection === "datasets") {
      if (method === "POST" && !id) {
        const reference = (json.datasetReference ?? {}) as { datasetId?: string };
        const key = `${projectId}.${reference.datasetId}`;
        if (datasets.has(key)) return { status: 409, body: errorBody({ status: 409, reason: "duplicate", message: `Already Exists: Dataset ${projectId}:${reference.datasetId}` }) };
        datasets.add(key);
        return { status: 200, body: { kind: "bigquery#dataset", ...json } };
      }
      const datasetKey = `${projectId}.${id}`;
      if (!sub) {
        return datasets.has(datasetKey)
          ? { status: 200, body: { kind: "bigquery#dataset", datasetReference: { projectId, datasetId: id } } }
          : notFound(`Dataset ${projectId}:${id}`);
      }
      if (sub === "tables") {
        if (method === "POST" && !subId) {
          const reference = (json.tableReference ?? {}) as { tableId?: string };
          const key = `${datasetKey}.${reference.tableId}`;
          if (tables.has(key)) return { status: 409, body: errorBody({ status: 409, reason: "duplicate", message: `Already Exists: Table ${key}` }) };
          const schema = (json.schema ?? {}) as { fields?: Field[] };
          tables.set(key, { fields: schema.fields ?? [], resource: json });
          return { status: 200, body: { kind: "bigquery#table", ...json } };
        }
        if (!subId) {
          if (!datasets.has(datasetKey)) return notFound(`Dataset ${projectId}:${id}`);
          const names = [...tables.keys()].filter((key) => key.startsWith(`${datasetKey}.`)).sort();
          const start = Number(query.pageToken ?? 0);
          const size = Number(query.maxResults ?? 50);
          const page = names.slice(start, start + size);
          return {
            status: 200,
            body: {
              kind: "bigquery#tableList",
              tables: page.map((key) => ({ tableReference: { projectId, datasetId: id, tableId: key.split(".").at(-1) } })),
              totalItems: names.length,
              ...(start + size < names.length ? { nextPageToken: String(start + size) } : {}),
            },
          };
        }
        const key = `${datasetKey}.${subId}`;
        const table = tables.get(key);
        if (method === "DELETE") {
          tables.delete(key);
          return table ? { status: 204, body: undefined } : notFound(`Table ${key}`);
        }
        if (!table) return notFound(`Table ${projectId}:${id}.${subId}`);
        if (subSub === "data") return { status: 200, body: { kind: "bigquery#tableDataList", totalRows: "0", rows: [] } };
        return {
          status: 200,
          body: { kind: "bigquery#table", ...table.resource, tableReference: { projectId, datasetId: id, tableId: subId }, schema: { fields: table.fields } },
        };
      }
    }
    return notFound(`URL ${path}`);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const query = Object.fromEntries(url.searchParams.entries());
      const method = request.method ?? "GET";
      requests.push({ method, path, query, body, authorization: request.headers.authorization });
      const respond = (answer: { status: number; body: unknown; held?: boolean }) => {
        const send = () => {
          if (answer.body === undefined) {
            response.writeHead(answer.status).end();
            return;
          }
          response.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" }).end(JSON.stringify(answer.body));
        };
        // A job still running: BigQuery holds the poll for up to timeoutMs; a short hold keeps the loop calm.
        if (answer.held) setTimeout(send, Math.min(Number(query.timeoutMs ?? 0), 50));
        else send();
      };
      // A failure of the fake itself (the analyzer gone) is a 500 naming it, never a hung request.
      route(method, path, query, body).then(respond, (error: unknown) =>
        respond({ status: 500, body: errorBody({ status: 500, reason: "backendError", message: `the fake failed: ${String(error)}` }) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(answer) {
      answers.push({ answer, left: answer.times ?? 1 });
    },
    jobs: () => [...inserts],
    datasets,
    tables,
    partitionReads: () => [...partitionReads],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
