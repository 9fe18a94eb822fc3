/**
 * The production engine: BigQuery through `@google-cloud/bigquery`. Statements arrive in BigQuery
 * SQL and are sent as they are, as query jobs with named parameters, the configured location,
 * labels (run_id, action, game_date), a job timeout and, when configured, maximumBytesBilled.
 *
 * Retries are the engine's own (the client's automatic retries are off): every statement has one
 * retry budget (errors.ts). A job is inserted under an id the engine chooses, so an insert retried
 * after a lost answer finds the job it already created (409) instead of running the statement twice;
 * a job that failed for a transient reason runs again under a new id (a failed job changed nothing),
 * except inside a transaction, which rolls back instead (transaction()).
 *
 * `transaction(work)` is a real multi-statement transaction: BEGIN TRANSACTION, the work's
 * statements and COMMIT TRANSACTION (ROLLBACK TRANSACTION on failure) as jobs of one session.
 *
 * Rows are written with DML (`INSERT ... SELECT ... FROM UNNEST(@rows)`), not streaming inserts:
 * streamed rows sit in a buffer that DML cannot touch for a while, and the runner MERGEs and
 * deletes right after writing. Load jobs would work too but are capped at 1,500 per table per day,
 * which one ledger row per action of a long backfill would exceed; DML INSERT has no daily cap.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { BigQuery, type BigQueryOptions } from "@google-cloud/bigquery";
import { PassThroughClient } from "google-auth-library";
import { DataFailureError } from "../../errors.ts";
import type { ColumnSpec, ColumnType, Engine, ExecuteResult, Row, StatementContext, StatementOptions, TableRef, TableSpec } from "../engine.ts";
import type { RunnerTables } from "../runner_tables.ts";
import type { BigQuerySettings } from "./config.ts";
import { JobFailedError, JobTimeoutError, RetryBudget, describeProblem, failure, sleep, transientInTransaction, withRetries, type Sleep } from "./errors.ts";
import { bigQueryNames, type BigQueryNames } from "./names.ts";
import { jobLabels, labelValue, toClientParams, type ClientType, type ClientValue } from "./params.ts";
import { columnType, columnsOf, ddlType, normaliseRows, type RestRow, type SchemaField } from "./rows.ts";
import { SessionTransaction, notAllowedInTransaction, refusedInTransaction, transactionAborted } from "./transaction.ts";

/** How long one getQueryResults call waits for the job before answering "not complete yet". */
const POLL_MS = 10_000;
/** Rows per INSERT statement and a ceiling on the parameter payload, well under the 10 MB request limit. */
const INSERT_BATCH_ROWS = 5_000;
const INSERT_BATCH_BYTES = 4_000_000;

type RequestOptions = Parameters<BigQuery["request"]>[0];

interface QueryResultsResponse {
  jobComplete?: boolean;
  schema?: { fields?: SchemaField[] };
  rows?: RestRow[];
  pageToken?: string;
  numDmlAffectedRows?: string;
}

interface ErrorProto {
  reason?: string | null;
  message?: string | null;
}

interface JobResource {
  jobReference?: { jobId?: string | null; location?: string | null } | null;
  status?: { state?: string | null; errorResult?: ErrorProto | null; errors?: ErrorProto[] | null } | null;
  statistics?: {
    totalBytesProcessed?: string | null;
    query?: {
      totalBytesProcessed?: string | null;
      /** Dry runs: the tables the statement reads, and a query's result schema. */
      referencedTables?: { projectId?: string | null; datasetId?: string | null; tableId?: string | null }[] | null;
      schema?: { fields?: SchemaField[] } | null;
    } | null;
    sessionInfo?: { sessionId?: string | null } | null;
  } | null;
}

/** What a dry-run job tells about a statement before it runs. */
export interface DryRunStatistics {
  bytesProcessed: number;
  /** The tables it reads, `project.dataset.table`. */
  referencedTables: string[];
  /** A query's result columns (undefined for DML and DDL). */
  schema: SchemaField[] | undefined;
}

interface TableResource {
  schema?: { fields?: SchemaField[] };
}

interface RunResult {
  rows: Row[];
  rowsAffected: number | undefined;
}

/** One query job as the job loop sends it. */
interface JobSpec {
  sql: string;
  /** For error messages (the action's name) and the retry budget. */
  context: StatementContext | undefined;
  labels: Record<string, string>;
  /** Goes into the job id, for finding the job in the console. */
  jobName: string;
  readRows: boolean;
  /** Typed parameters in the client's form, or in REST form with their mode. */
  parameters?: { params: Record<string, ClientValue>; types: Record<string, ClientType> } | { parameterMode: "NAMED"; queryParameters: RestParameter[] };
  dryRun?: boolean;
  /** "create": this job creates a session (BEGIN TRANSACTION); { id }: it runs in that session. */
  session?: "create" | { id: string };
  /** Whether a job that failed for a transient reason runs again as a new job (default true). */
  rerun?: boolean;
}

interface RestParameter {
  name: string;
  parameterType: { type: string; arrayType?: { type: string; structTypes?: { name: string; type: { type: string } }[] } };
  /** A struct field without `value` is NULL. */
  parameterValue: { arrayValues: { structValues: Record<string, { value?: string }> }[] };
}

function isNotFound(error: unknown): boolean {
  const problem = describeProblem(error);
  return problem.status === 404 || problem.reason === "notFound";
}

function isAlreadyExists(error: unknown): boolean {
  const problem = describeProblem(error);
  return problem.status === 409 || problem.reason === "duplicate";
}

function jobFailure(job: JobResource, jobId: string): JobFailedError | undefined {
  const result = job.status?.errorResult;
  if (!result) return undefined;
  const details = (job.status?.errors ?? []).map((entry) => entry.message).filter((message): message is string => Boolean(message));
  const message = result.message ?? details[0] ?? "the job failed";
  return new JobFailedError(result.reason ?? undefined, message, jobId);
}

/** A value for a struct field of the INSERT parameter: BigQuery reads every scalar from a string. */
function insertValue(type: ColumnType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case "STRING":
    case "JSON":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "INT64":
      return String(Math.trunc(Number(value)));
    case "FLOAT64":
      return String(Number(value));
    case "NUMERIC":
      // NUMERIC keeps 9 decimal digits; more would be rejected rather than rounded.
      return Number(value)
        .toFixed(9)
        .replace(/\.?0+$/, "");
    case "BOOL":
      return value ? "true" : "false";
    case "DATE":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case "TIMESTAMP":
      return value instanceof Date ? value.toISOString() : String(value);
  }
}

/** Splits rows into INSERT batches by count and by the size of their parameter payload. */
function batches<T>(rows: T[], size: (row: T) => number): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = size(row);
    if (current.length > 0 && (current.length >= INSERT_BATCH_ROWS || bytes + rowBytes > INSERT_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += rowBytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * The DDL that adds `fields` (as a table resource describes them) to the table named `qualified`:
 * one statement, so all of them or none are added; IF NOT EXISTS keeps it idempotent.
 */
export function addColumnsStatement(qualified: string, fields: SchemaField[]): string {
  const clauses = fields.map((field) => `  ADD COLUMN IF NOT EXISTS \`${field.name}\` ${ddlType(field, false)}`);
  return `ALTER TABLE ${qualified}\n${clauses.join(",\n")}`;
}

/** The stage's DDL options: an explicit expiration `hours` after the statement runs. */
export function stagingTableOptions(hours: number): string {
  return `OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL ${hours} HOUR))`;
}

/**
 * What an existing table lacks of `spec`, and what in it the runner cannot write: a column of
 * another type, or a REQUIRED column the spec does not have (every insert would fail). The first
 * is added in place; the second means the table is someone else's.
 */
export function compareToSpec(fields: SchemaField[], spec: TableSpec): { missing: ColumnSpec[]; conflicts: string[] } {
  const missing = spec.columns.filter((column) => !fields.some((field) => field.name.toLowerCase() === column.name.toLowerCase()));
  const conflicts: string[] = [];
  for (const field of fields) {
    const column = spec.columns.find((candidate) => candidate.name.toLowerCase() === field.name.toLowerCase());
    const repeated = field.mode?.toUpperCase() === "REPEATED";
    if (column && (repeated || columnType(field) !== column.type)) conflicts.push(`${field.name} is ${ddlType(field, false)}, not ${column.type}`);
    if (!column && field.mode?.toUpperCase() === "REQUIRED") conflicts.push(`${field.name} is REQUIRED and not written by the runner`);
  }
  return { missing, conflicts };
}

/** A bare column name, as opposed to an expression such as DATE_TRUNC(col, MONTH). */
const BARE_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class BigQueryEngine implements Engine {
  readonly name = "bigquery" as const;
  private readonly knownDatasets = new Set<string>();
  private readonly names: BigQueryNames;
  /** The transaction the current async context runs in (see transaction()). */
  private readonly transactions = new AsyncLocalStorage<SessionTransaction>();
  /** Settles when the transaction running now, if any, has ended. */
  private transactionQueue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly client: BigQuery,
    readonly settings: BigQuerySettings,
    private readonly wait: Sleep = sleep,
  ) {
    this.names = bigQueryNames(settings.dataProject, settings.stagingDataset);
  }

  qualify(ref: TableRef): string {
    return this.names.qualify(ref);
  }

  stagingTable(action: string, runId: string): TableRef {
    return this.names.stagingTable(action, runId);
  }

  /**
   * Every stage expires on its own (stagingExpirationHours after it was created), whatever the
   * dataset's default: a run that dies before its DROP leaves nothing behind for long, and a
   * staging dataset created by hand without a default expiration does not fill up.
   */
  stagingTableOptions(): string {
    return stagingTableOptions(this.settings.stagingExpirationHours);
  }

  get runnerTables(): RunnerTables {
    return this.settings.runnerTables;
  }

  private budget(context: StatementContext | undefined): RetryBudget {
    return new RetryBudget(this.settings.retry, context, this.wait);
  }

  private open(): void {
    if (this.closed) throw new DataFailureError("engine_closed", "the BigQuery engine is closed");
  }

  /** One authenticated REST call through the client (endpoint, credentials, project already set). */
  private rest<T>(options: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.client.request(options, (error, body) => (error ? reject(error) : resolve(body as T)));
    });
  }

  async execute(sql: string, options?: StatementOptions): Promise<ExecuteResult> {
    const result = await this.statement(this.jobSpec(sql, options, false));
    return { rowsAffected: result.rowsAffected };
  }

  async query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const result = await this.statement(this.jobSpec(sql, options, true));
    return result.rows as T[];
  }

  /** Bytes the statement would process, from a dry-run job (nothing runs, nothing is billed, no session is joined). */
  async estimateBytes(sql: string, options?: StatementOptions): Promise<number> {
    return (await this.dryRun(sql, options)).bytesProcessed;
  }

  /** A dry-run job of the statement: the bytes it would process, the tables it reads, a query's schema. */
  async dryRun(sql: string, options?: StatementOptions): Promise<DryRunStatistics> {
    this.open();
    const spec: JobSpec = { ...this.jobSpec(sql, options, false), dryRun: true };
    const job = await this.insertJob(spec, this.budget(spec.context));
    const failed = jobFailure(job, job.jobReference?.jobId ?? "dry run");
    if (failed) throw failure(describeProblem(failed), sql, spec.context, failed);
    const query = job.statistics?.query;
    return {
      bytesProcessed: Number(job.statistics?.totalBytesProcessed ?? query?.totalBytesProcessed ?? 0),
      referencedTables: (query?.referencedTables ?? []).map((table) => `${table.projectId ?? ""}.${table.datasetId ?? ""}.${table.tableId ?? ""}`),
      schema: query?.schema?.fields ?? undefined,
    };
  }

  /** A statement with the engine's typed parameters, labelled run_id / action / game_date. */
  private jobSpec(sql: string, options: StatementOptions | undefined, readRows: boolean): JobSpec {
    const context = options?.context;
    const params = toClientParams(options?.params);
    return {
      sql,
      context,
      labels: jobLabels(this.settings.labels, context),
      jobName: context?.action ?? "statement",
      readRows,
      ...(params ? { parameters: { params: params.params, types: params.types } } : {}),
    };
  }

  private newJobId(name: string): string {
    return `runner_${labelValue(name)}_${randomUUID()}`;
  }

  /**
   * Inserts a query job, retrying the request under the same job id; a 409 means an earlier try
   * did create it, and its metadata is fetched instead (a dry run creates no job to fetch).
   */
  private async insertJob(spec: JobSpec, budget: RetryBudget): Promise<JobResource> {
    const jobId = this.newJobId(spec.jobName);
    const { maximumBytesBilled } = this.settings;
    const session = spec.session;
    return withRetries(budget, spec.sql, spec.context, async () => {
      try {
        const [, metadata] = await this.client.createQueryJob({
          query: spec.sql,
          useLegacySql: false,
          ...(spec.parameters ?? {}),
          jobId,
          location: this.settings.location,
          labels: spec.labels,
          jobTimeoutMs: this.settings.jobTimeoutMs,
          ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(maximumBytesBilled) } : {}),
          ...(session === "create" ? { createSession: true } : {}),
          ...(session && session !== "create" ? { connectionProperties: [{ key: "session_id", value: session.id }] } : {}),
          ...(spec.dryRun ? { dryRun: true } : {}),
        });
        return metadata as JobResource;
      } catch (error) {
        if (!spec.dryRun && isAlreadyExists(error)) return this.getJob(jobId);
        throw error;
      }
    });
  }

  private getJob(jobId: string): Promise<JobResource> {
    return this.rest<JobResource>({ method: "GET", uri: `/jobs/${jobId}`, qs: { location: this.settings.location } });
  }

  private async cancelJob(jobId: string): Promise<void> {
    try {
      await this.rest({ method: "POST", uri: `/jobs/${jobId}/cancel`, qs: { location: this.settings.location } });
    } catch {
      // Best effort: the job carries jobTimeoutMs, so BigQuery stops it on its own anyway.
    }
  }

  /**
   * The one job loop: insert, wait, read every page. Requests are retried within the statement's
   * budget (an insert under the same job id, polls); a job that failed for a transient reason runs
   * again as a new job unless `spec.rerun` is false (inside a transaction, see transaction()).
   */
  private async runJob(spec: JobSpec): Promise<{ result: RunResult; job: JobResource }> {
    const budget = this.budget(spec.context);
    for (;;) {
      const job = await this.insertJob(spec, budget);
      const jobId = job.jobReference?.jobId ?? "";
      try {
        const failed = jobFailure(job, jobId);
        if (failed) throw failed;
        return { result: await this.results(jobId, spec.sql, spec.context, budget, spec.readRows), job };
      } catch (error) {
        if (!(error instanceof JobFailedError || error instanceof JobTimeoutError)) throw error;
        const problem = describeProblem(error);
        if (problem.kind === "permanent") throw failure(problem, spec.sql, spec.context, error);
        if (spec.rerun === false) throw transientInTransaction(problem, spec.context, error);
        await budget.backoff(problem, error);
      }
    }
  }

  /**
   * Runs a statement to completion: on its own, or, inside transaction(), as the next job of the
   * transaction's session. Work outside the transaction, even concurrent work of the same engine,
   * has no transaction in its async context and never joins the session.
   */
  private async statement(spec: JobSpec): Promise<RunResult> {
    this.open();
    const transaction = this.transactions.getStore();
    if (!transaction) return (await this.runJob(spec)).result;
    return transaction.serial(async () => {
      if (transaction.failed) throw transactionAborted(spec.context, transaction.failed.error);
      try {
        const refused = refusedInTransaction(spec.sql);
        if (refused) throw notAllowedInTransaction(refused, spec.sql, spec.context);
        const sessionId = transaction.sessionId ?? (await this.begin(transaction, spec.context));
        return (await this.runJob({ ...spec, session: { id: sessionId }, rerun: false })).result;
      } catch (error) {
        transaction.fail(error);
        throw error;
      }
    });
  }

  /**
   * Waits for the job with long polls of jobs.getQueryResults and reads every page. A failed
   * request is told apart from a failed job by looking the job up.
   */
  private async results(jobId: string, sql: string, context: StatementContext | undefined, budget: RetryBudget, readRows: boolean): Promise<RunResult> {
    const deadline = Date.now() + this.settings.jobTimeoutMs;
    const rows: Row[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        await this.cancelJob(jobId);
        throw new JobTimeoutError(`job ${jobId} was not done within ${this.settings.jobTimeoutMs} ms`);
      }
      let page: QueryResultsResponse;
      try {
        page = await this.rest<QueryResultsResponse>({
          method: "GET",
          uri: `/queries/${jobId}`,
          qs: {
            location: this.settings.location,
            timeoutMs: Math.min(POLL_MS, remaining),
            "formatOptions.useInt64Timestamp": true,
            ...(readRows ? {} : { maxResults: 0 }),
            ...(pageToken ? { pageToken } : {}),
          },
        });
      } catch (error) {
        const problem = describeProblem(error);
        if (problem.kind === "permanent") throw failure(problem, sql, context, error);
        const job = await withRetries(budget, sql, context, () => this.getJob(jobId));
        const failed = jobFailure(job, jobId);
        if (failed) throw failed;
        await budget.backoff(problem, error);
        continue;
      }
      if (!page.jobComplete) continue;
      if (readRows) rows.push(...normaliseRows(page.schema?.fields ?? [], page.rows ?? []));
      if (readRows && page.pageToken) {
        pageToken = page.pageToken;
        continue;
      }
      const affected = page.numDmlAffectedRows;
      return { rows, rowsAffected: affected === undefined ? undefined : Number(affected) };
    }
  }

  async ensureDataset(dataset: string): Promise<void> {
    this.open();
    if (this.knownDatasets.has(dataset)) return;
    const budget = this.budget(undefined);
    const projectId = this.settings.dataProject;
    const exists = await withRetries(budget, undefined, undefined, async () => {
      try {
        await this.rest({ method: "GET", uri: `/datasets/${dataset}`, projectId });
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    });
    if (!exists) {
      const staging = dataset === this.settings.stagingDataset;
      await withRetries(budget, undefined, undefined, async () => {
        try {
          await this.rest({
            method: "POST",
            uri: "/datasets",
            projectId,
            json: {
              datasetReference: { projectId, datasetId: dataset },
              location: this.settings.location,
              ...(staging
                ? {
                    // A run that dies mid-write leaves its stage behind; the dataset's expiry removes it.
                    defaultTableExpirationMs: String(this.settings.stagingExpirationHours * 3_600_000),
                    description: "Scratch tables of the runner's staged writes; they expire on their own.",
                  }
                : {}),
            },
          });
        } catch (error) {
          // Created meanwhile by a concurrent action or run: what we wanted.
          if (!isAlreadyExists(error)) throw error;
        }
      });
    }
    this.knownDatasets.add(dataset);
  }

  private tablePath(ref: TableRef): string {
    return `/datasets/${ref.dataset}/tables/${ref.table}`;
  }

  private async tableResource(ref: TableRef): Promise<TableResource | undefined> {
    this.open();
    return withRetries(this.budget(undefined), undefined, undefined, async () => {
      try {
        return await this.rest<TableResource>({ method: "GET", uri: this.tablePath(ref), projectId: this.settings.dataProject });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  /**
   * Creates the table, or brings an existing one up to `spec`: the columns it lacks are added in
   * place (one ALTER TABLE ... ADD COLUMN IF NOT EXISTS, NULL in its rows), as the DuckDB engine
   * does, so a ledger or quarantine table of an older runner keeps working. A table whose columns
   * contradict the spec (another type, a REQUIRED column the runner does not write) is refused
   * before anything is changed: it is not the runner's table.
   */
  async ensureTable(ref: TableRef, spec: TableSpec): Promise<void> {
    await this.ensureDataset(ref.dataset);
    const existing = await this.tableResource(ref);
    if (existing) {
      await this.evolveTable(ref, existing.schema?.fields ?? [], spec);
      return;
    }
    const partition = spec.partitionBy;
    const partitionColumn = partition && BARE_COLUMN.test(partition) ? spec.columns.find((column) => column.name === partition) : undefined;
    if (partition && !(partitionColumn && (partitionColumn.type === "DATE" || partitionColumn.type === "TIMESTAMP"))) {
      // An expression (or a non-date column): only DDL can say it.
      const columns = spec.columns.map((column) => `  ${column.name} ${column.type}`).join(",\n");
      const cluster = spec.clusterBy?.length ? `\nCLUSTER BY ${spec.clusterBy.join(", ")}` : "";
      await this.execute(`CREATE TABLE IF NOT EXISTS ${this.qualify(ref)} (\n${columns}\n)\nPARTITION BY ${partition}${cluster}`);
      return;
    }
    const projectId = this.settings.dataProject;
    await withRetries(this.budget(undefined), undefined, undefined, async () => {
      try {
        await this.rest({
          method: "POST",
          uri: `/datasets/${ref.dataset}/tables`,
          projectId,
          json: {
            tableReference: { projectId, datasetId: ref.dataset, tableId: ref.table },
            schema: { fields: spec.columns.map((column) => ({ name: column.name, type: column.type, mode: "NULLABLE", description: column.description })) },
            ...(partitionColumn ? { timePartitioning: { type: "DAY", field: partitionColumn.name } } : {}),
            ...(spec.clusterBy?.length ? { clustering: { fields: spec.clusterBy } } : {}),
            ...(spec.description ? { description: spec.description } : {}),
          },
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    });
  }

  private async evolveTable(ref: TableRef, fields: SchemaField[], spec: TableSpec): Promise<void> {
    const { missing, conflicts } = compareToSpec(fields, spec);
    const name = `${ref.dataset}.${ref.table}`;
    if (conflicts.length > 0) {
      throw new DataFailureError("table_schema_conflict", `${this.settings.dataProject}.${name} is not a table the runner can write: ${conflicts.join("; ")}`, {
        suggestion:
          "For the ledger or the deliveries, point the runner at a table of its own (bigquery.ledgerTable / bigquery.deliveriesTable in runner.config.json, RUNNER_BIGQUERY_LEDGER_TABLE / RUNNER_BIGQUERY_DELIVERIES_TABLE); otherwise fix or drop the table.",
      });
    }
    if (missing.length === 0) return;
    const added = missing.map((column): SchemaField => ({ name: column.name, type: column.type, mode: "NULLABLE" }));
    await this.statement({
      sql: addColumnsStatement(this.qualify(ref), added),
      context: { action: `evolve ${name}` },
      labels: { ...jobLabels(this.settings.labels, undefined), table: labelValue(name) },
      jobName: "evolve",
      readRows: false,
    });
  }

  async describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    const table = await this.tableResource(ref);
    return table ? columnsOf(table.schema?.fields ?? []) : undefined;
  }

  async addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    if (columns.length === 0) return;
    const fields = (await this.tableResource(like))?.schema?.fields ?? [];
    const added = columns.map((name) => {
      const field = fields.find((candidate) => candidate.name === name);
      if (!field) throw new DataFailureError("unknown_columns", `${like.dataset}.${like.table} has no column ${name}`);
      return field;
    });
    await this.execute(addColumnsStatement(this.qualify(ref), added), { context });
  }

  async listTables(dataset: string): Promise<string[]> {
    this.open();
    const names: string[] = [];
    let pageToken: string | undefined;
    const budget = this.budget(undefined);
    do {
      const page = await withRetries(budget, undefined, undefined, async () => {
        try {
          return await this.rest<{ tables?: { tableReference?: { tableId?: string } }[]; nextPageToken?: string }>({
            method: "GET",
            uri: `/datasets/${dataset}/tables`,
            projectId: this.settings.dataProject,
            qs: { maxResults: 1000, ...(pageToken ? { pageToken } : {}) },
          });
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      });
      if (!page) return [];
      for (const table of page.tables ?? []) if (table.tableReference?.tableId) names.push(table.tableReference.tableId);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return names.sort();
  }

  async insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[], context?: StatementContext): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((row) =>
      Object.fromEntries(
        columns.map((column) => {
          const value = insertValue(column.type, row[column.name]);
          return [column.name, value === undefined ? {} : { value }];
        }),
      ),
    );
    // JSON travels as STRING and is parsed in SQL: query parameters of type JSON are not accepted everywhere.
    const select = columns.map((column) => (column.type === "JSON" ? `PARSE_JSON(${column.name}) AS ${column.name}` : column.name)).join(", ");
    const sql = `INSERT INTO ${this.qualify(ref)} (${columns.map((column) => column.name).join(", ")})\nSELECT ${select}\nFROM UNNEST(@rows)`;
    for (const batch of batches(values, (row) => JSON.stringify(row).length)) {
      const parameter: RestParameter = {
        name: "rows",
        parameterType: {
          type: "ARRAY",
          arrayType: {
            type: "STRUCT",
            structTypes: columns.map((column) => ({ name: column.name, type: { type: column.type === "JSON" ? "STRING" : column.type } })),
          },
        },
        parameterValue: { arrayValues: batch.map((structValues) => ({ structValues })) },
      };
      // Parameters in REST form: the client's own conversion mangles a struct field named `type`.
      const table = `${ref.dataset}.${ref.table}`;
      await this.statement({
        sql,
        // Labelled as the action's other jobs (run_id, action, game_date), plus the table; an
        // error names the action (the statement's start, in its suggestion, names the table).
        context: context ?? { action: `insert into ${table}` },
        labels: { ...jobLabels(this.settings.labels, context), table: labelValue(table) },
        jobName: "insert",
        readRows: false,
        parameters: { parameterMode: "NAMED", queryParameters: [parameter] },
      });
    }
  }

  /**
   * Runs `work` as one BigQuery multi-statement transaction: every statement and query it sends
   * (execute, query, insertRows, here or in anything it calls) runs in one session between
   * BEGIN TRANSACTION and COMMIT TRANSACTION, sees the transaction's uncommitted changes, and is
   * committed with the others or rolled back with them (ROLLBACK TRANSACTION when anything in it
   * throws; the error is rethrown).
   *
   * - The session is created by the BEGIN TRANSACTION job (createSession), sent just before the
   *   first statement; the others name it in connectionProperties (session_id). Work that sends no
   *   statement creates no session.
   * - The transaction is found through AsyncLocalStorage, as the DuckDB engine pins its
   *   connection: a nested transaction() joins the outer one, and concurrent work of the same
   *   engine outside `work` never enters the session. Inside, jobs run one at a time (a session
   *   runs no concurrent queries).
   * - Only reads and DML may run inside (transaction.ts lists what BigQuery allows); DDL on a
   *   permanent table fails with statement_not_allowed_in_transaction before anything is sent.
   * - Retries: requests are retried as everywhere (an insert under the same job id cannot run a
   *   statement twice), but a job inside that failed is never run again. BigQuery may already
   *   have ended the transaction when one of its jobs failed, and a statement re-run then would
   *   commit on its own, outside the unit. A transient failure (including a concurrent-update
   *   conflict on COMMIT) rolls the transaction back and surfaces as NOT READY, so the whole run is
   *   retried later; only BEGIN, before anything happened, runs again in a new session.
   * - A COMMIT whose answer is lost may have committed: the run is reported NOT READY, and its
   *   statements are idempotent, so running it again gives the same tables.
   * - The session is ended afterwards with CALL BQ.ABORT_SESSION(), best effort, rather than left
   *   to expire: BigQuery keeps an idle session for 24 hours, and a transaction still open in it
   *   (a ROLLBACK that did not get through) would keep conflicting with every other transaction on
   *   its tables until then. Ending it also ends that transaction. The cost is one unbilled job.
   * - The engine runs its transactions one at a time: two concurrent transactions that mutate one
   *   table (every model's DELETE from held_back_games) would have BigQuery cancel one of them.
   *   Statements outside transactions are not held up.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.transactions.getStore()) return work();
    this.open();
    return this.oneTransactionAtATime(async () => {
      const transaction = new SessionTransaction();
      try {
        let result: T;
        try {
          result = await this.transactions.run(transaction, work);
        } catch (error) {
          await this.rollBack(transaction);
          throw error;
        }
        await transaction.serial(async () => {
          if (transaction.failed) {
            await this.control(transaction, "ROLLBACK TRANSACTION").catch(() => undefined);
            throw transaction.failed.error;
          }
          if (transaction.sessionId === undefined) return;
          try {
            await this.control(transaction, "COMMIT TRANSACTION");
          } catch (error) {
            await this.control(transaction, "ROLLBACK TRANSACTION").catch(() => undefined);
            throw error;
          }
        });
        return result;
      } finally {
        if (transaction.sessionId !== undefined) await transaction.serial(() => this.control(transaction, "CALL BQ.ABORT_SESSION()")).catch(() => undefined);
      }
    });
  }

  private async oneTransactionAtATime<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.transactionQueue;
    let release = () => {};
    this.transactionQueue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** BEGIN TRANSACTION as the job that creates the session; returns the session's id. */
  private async begin(transaction: SessionTransaction, context: StatementContext | undefined): Promise<string> {
    transaction.context = context;
    const { job } = await this.runJob({ ...this.controlSpec(transaction, "BEGIN TRANSACTION"), session: "create" });
    const jobId = job.jobReference?.jobId ?? "";
    // The job resource names its session; read it again once done if the insert's answer did not.
    const sessionId =
      job.statistics?.sessionInfo?.sessionId ??
      (await withRetries(this.budget(context), "BEGIN TRANSACTION", context, () => this.getJob(jobId))).statistics?.sessionInfo?.sessionId;
    if (!sessionId) {
      throw new DataFailureError("bigquery_no_session", `${context?.action ? `${context.action}: ` : ""}BEGIN TRANSACTION (job ${jobId}) did not report the session it created`);
    }
    transaction.sessionId = sessionId;
    return sessionId;
  }

  /** COMMIT, ROLLBACK or the session's end: a job in the session, never run again if it failed. */
  private async control(transaction: SessionTransaction, sql: string): Promise<void> {
    const sessionId = transaction.sessionId;
    if (sessionId === undefined) return;
    await this.runJob({ ...this.controlSpec(transaction, sql), session: { id: sessionId }, rerun: false });
  }

  private controlSpec(transaction: SessionTransaction, sql: string): JobSpec {
    const context = transaction.context;
    return { sql, context, labels: jobLabels(this.settings.labels, context), jobName: context?.action ?? "transaction", readRows: false };
  }

  /** Rolls back what was sent, best effort: the error that caused it is what the caller sees. */
  private async rollBack(transaction: SessionTransaction): Promise<void> {
    await transaction.serial(() => this.control(transaction, "ROLLBACK TRANSACTION")).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Creates the client for the settings: no credentials for endpoints that are not Google's. */
export function bigQueryClient(settings: BigQuerySettings): BigQuery {
  const options: BigQueryOptions = {
    projectId: settings.project,
    location: settings.location,
    // The engine retries by itself, with one budget per statement (errors.ts).
    retryOptions: { autoRetry: false, maxRetries: 0 },
    userAgent: "nba-phase3-runner",
  };
  if (settings.apiEndpoint) options.apiEndpoint = settings.apiEndpoint;
  // An explicit client without credentials: never look for ADC or a metadata server.
  if (!settings.useCredentials) options.authClient = new PassThroughClient();
  const client = new BigQuery(options);
  // Per-request timeout: the Service reads it from its options, which BigQueryOptions does not declare.
  client.timeout = settings.requestTimeoutMs;
  return client;
}

export function openBigQueryEngine(settings: BigQuerySettings, options: { sleep?: Sleep } = {}): BigQueryEngine {
  return new BigQueryEngine(bigQueryClient(settings), settings, options.sleep);
}
