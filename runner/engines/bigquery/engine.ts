/**
 * The production engine: BigQuery through `@google-cloud/bigquery`. Statements arrive in BigQuery
 * SQL and are sent as they are, as query jobs with named parameters, the configured location,
 * labels (run_id, action, game_date), a job timeout and, when configured, maximumBytesBilled.
 *
 * Retries are the engine's own (the client's automatic retries are off): every statement has one
 * retry budget (errors.ts). A job is inserted under an id the engine chooses, so an insert retried
 * after a lost answer finds the job it already created (409) instead of running the statement twice;
 * a job that failed for a transient reason runs again under a new id (a failed job changed nothing).
 *
 * Rows are written with DML (`INSERT ... SELECT ... FROM UNNEST(@rows)`), not streaming inserts:
 * streamed rows sit in a buffer that DML cannot touch for a while, and the runner MERGEs and
 * deletes right after writing. Load jobs would work too but are capped at 1,500 per table per day,
 * which one ledger row per action of a long backfill would exceed; DML INSERT has no daily cap.
 */
import { randomUUID } from "node:crypto";
import { BigQuery, type BigQueryOptions } from "@google-cloud/bigquery";
import { PassThroughClient } from "google-auth-library";
import { DataFailureError } from "../../errors.ts";
import type { ColumnSpec, ColumnType, Engine, ExecuteResult, Row, StatementContext, StatementOptions, TableRef, TableSpec } from "../engine.ts";
import type { BigQuerySettings } from "./config.ts";
import { JobFailedError, JobTimeoutError, RetryBudget, describeProblem, failure, sleep, withRetries, type Sleep } from "./errors.ts";
import { bigQueryNames, type BigQueryNames } from "./names.ts";
import { jobLabels, labelValue, toClientParams } from "./params.ts";
import { columnsOf, ddlType, normaliseRows, type RestRow, type SchemaField } from "./rows.ts";

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
  statistics?: { totalBytesProcessed?: string | null; query?: { totalBytesProcessed?: string | null } | null } | null;
}

interface TableResource {
  schema?: { fields?: SchemaField[] };
}

interface RunResult {
  rows: Row[];
  rowsAffected: number | undefined;
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

/** A bare column name, as opposed to an expression such as DATE_TRUNC(col, MONTH). */
const BARE_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class BigQueryEngine implements Engine {
  readonly name = "bigquery" as const;
  private readonly knownDatasets = new Set<string>();
  private readonly names: BigQueryNames;
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
    const result = await this.run(sql, options, false);
    return { rowsAffected: result.rowsAffected };
  }

  async query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const result = await this.run(sql, options, true);
    return result.rows as T[];
  }

  /** Bytes the statement would process, from a dry-run job (nothing runs, nothing is billed). */
  async estimateBytes(sql: string, options?: StatementOptions): Promise<number> {
    this.open();
    const context = options?.context;
    const budget = this.budget(context);
    const job = await this.insertJob(sql, options, budget, true);
    const failed = jobFailure(job, job.jobReference?.jobId ?? "dry run");
    if (failed) throw failure(describeProblem(failed), sql, context, failed);
    return Number(job.statistics?.totalBytesProcessed ?? job.statistics?.query?.totalBytesProcessed ?? 0);
  }

  private newJobId(context: StatementContext | undefined): string {
    return `runner_${labelValue(context?.action ?? "statement")}_${randomUUID()}`;
  }

  /**
   * Inserts a query job, retrying the request under the same job id; a 409 means an earlier try
   * did create it, and its metadata is fetched instead.
   */
  private async insertJob(sql: string, options: StatementOptions | undefined, budget: RetryBudget, dryRun: boolean): Promise<JobResource> {
    const context = options?.context;
    const jobId = this.newJobId(context);
    const params = toClientParams(options?.params);
    const { maximumBytesBilled } = this.settings;
    return withRetries(budget, sql, context, async () => {
      try {
        const [, metadata] = await this.client.createQueryJob({
          query: sql,
          useLegacySql: false,
          ...(params ? { params: params.params, types: params.types } : {}),
          jobId,
          location: this.settings.location,
          labels: jobLabels(this.settings.labels, context),
          jobTimeoutMs: this.settings.jobTimeoutMs,
          ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(maximumBytesBilled) } : {}),
          ...(dryRun ? { dryRun: true } : {}),
        });
        return metadata as JobResource;
      } catch (error) {
        if (!dryRun && isAlreadyExists(error)) return this.getJob(jobId);
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

  /** Runs a statement to completion: insert, wait, read every page; re-runs transient job failures. */
  private async run(sql: string, options: StatementOptions | undefined, readRows: boolean): Promise<RunResult> {
    this.open();
    const context = options?.context;
    const budget = this.budget(context);
    for (;;) {
      const job = await this.insertJob(sql, options, budget, false);
      const jobId = job.jobReference?.jobId ?? "";
      try {
        const failed = jobFailure(job, jobId);
        if (failed) throw failed;
        return await this.results(jobId, sql, context, budget, readRows);
      } catch (error) {
        if (!(error instanceof JobFailedError || error instanceof JobTimeoutError)) throw error;
        const problem = describeProblem(error);
        if (problem.kind === "permanent") throw failure(problem, sql, context, error);
        await budget.backoff(problem, error);
      }
    }
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

  async ensureTable(ref: TableRef, spec: TableSpec): Promise<void> {
    await this.ensureDataset(ref.dataset);
    if (await this.tableResource(ref)) return;
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

  async insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[]): Promise<void> {
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
      await this.runWithRestParameters(sql, [parameter], { table: `${ref.dataset}.${ref.table}` });
    }
  }

  /**
   * A statement whose parameters are already in REST form (the INSERT's array of structs, which
   * the client's own conversion mangles for a column named `type`).
   */
  private async runWithRestParameters(sql: string, parameters: RestParameter[], what: { table: string }): Promise<void> {
    this.open();
    const context: StatementContext = { action: `insert into ${what.table}` };
    const budget = this.budget(context);
    const { maximumBytesBilled } = this.settings;
    for (;;) {
      const jobId = this.newJobId({ action: "insert" });
      const job = await withRetries(budget, sql, context, async () => {
        try {
          const [, metadata] = await this.client.createQueryJob({
            query: sql,
            useLegacySql: false,
            parameterMode: "NAMED",
            queryParameters: parameters,
            jobId,
            location: this.settings.location,
            labels: { ...jobLabels(this.settings.labels, undefined), table: labelValue(what.table) },
            jobTimeoutMs: this.settings.jobTimeoutMs,
            ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(maximumBytesBilled) } : {}),
          });
          return metadata as JobResource;
        } catch (error) {
          if (isAlreadyExists(error)) return this.getJob(jobId);
          throw error;
        }
      });
      try {
        const failed = jobFailure(job, jobId);
        if (failed) throw failed;
        await this.results(jobId, sql, context, budget, false);
        return;
      } catch (error) {
        if (!(error instanceof JobFailedError || error instanceof JobTimeoutError)) throw error;
        const problem = describeProblem(error);
        if (problem.kind === "permanent") throw failure(problem, sql, context, error);
        await budget.backoff(problem, error);
      }
    }
  }

  /**
   * BigQuery has no transaction across jobs without sessions, so the work runs in order. Each DML
   * statement is atomic on its own, and the runner keeps its statements idempotent (CREATE OR
   * REPLACE, a MERGE that re-applies cleanly, DROP IF EXISTS), so a run that stops between two of
   * them is repaired by running it again.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return work();
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
