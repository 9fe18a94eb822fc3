/**
 * The BigQuery engine's jobs: query jobs submitted, polled and retried, and the REST calls of the
 * client, all through one retry loop (withRetries, errors.ts) with one budget per statement.
 *
 * A job is inserted under an id the engine chooses, so an insert retried after a lost answer finds
 * the job it already created (409) instead of running the statement twice; a job that failed for a
 * transient reason runs again under a new id (a failed job changed nothing), except inside a
 * transaction, which rolls back instead (engine.ts, transaction()).
 */
import { randomUUID } from "node:crypto";
import type { BigQuery } from "@google-cloud/bigquery";
import { DataFailureError } from "../../errors.ts";
import type { Row, StatementContext, StatementOptions } from "../engine.ts";
import type { BigQuerySettings } from "./config.ts";
import { JobFailedError, JobTimeoutError, RetryBudget, describeProblem, failure, transientInTransaction, withRetries, type Sleep } from "./errors.ts";
import { jobLabels, labelValue, toClientParams, type ClientType, type ClientValue } from "./params.ts";
import { normaliseRows, type RestRow, type SchemaField } from "./rows.ts";

/** How long one getQueryResults call waits for the job before answering "not complete yet". */
const POLL_MS = 10_000;

export type RequestOptions = Parameters<BigQuery["request"]>[0];

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

export interface JobResource {
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

export interface RunResult {
  rows: Row[];
  rowsAffected: number | undefined;
}

/** A query parameter in REST form (the INSERT of rows sends its struct array so). */
export interface RestParameter {
  name: string;
  parameterType: { type: string; arrayType?: { type: string; structTypes?: { name: string; type: { type: string } }[] } };
  /** A struct field without `value` is NULL. */
  parameterValue: { arrayValues: { structValues: Record<string, { value?: string }> }[] };
}

/** One query job as the job loop sends it. */
export interface JobSpec {
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

/** A statement with the engine's typed parameters, labelled run_id / action / game_date (and the configured labels). */
export function statementJob(labels: Record<string, string>, sql: string, options: StatementOptions | undefined, readRows: boolean): JobSpec {
  const context = options?.context;
  const params = toClientParams(options?.params);
  return {
    sql,
    context,
    labels: jobLabels(labels, context),
    jobName: context?.action ?? "statement",
    readRows,
    ...(params ? { parameters: { params: params.params, types: params.types } } : {}),
  };
}

/** What a REST call may find instead of failing: the resource missing (404), or already there (409). */
export type Tolerated = "notFound" | "alreadyExists";

function isTolerated(error: unknown, tolerated: Tolerated): boolean {
  const problem = describeProblem(error);
  return tolerated === "notFound" ? problem.status === 404 || problem.reason === "notFound" : problem.status === 409 || problem.reason === "duplicate";
}

function jobFailure(job: JobResource, jobId: string): JobFailedError | undefined {
  const result = job.status?.errorResult;
  if (!result) return undefined;
  const details = (job.status?.errors ?? []).map((entry) => entry.message).filter((message): message is string => Boolean(message));
  const message = result.message ?? details[0] ?? "the job failed";
  return new JobFailedError(result.reason ?? undefined, message, jobId);
}

export class BigQueryJobs {
  private closed = false;

  constructor(
    private readonly client: BigQuery,
    private readonly settings: BigQuerySettings,
    private readonly wait: Sleep,
  ) {}

  /** The retry allowance of one statement (or one metadata call): every try made for it shares it. */
  budget(context: StatementContext | undefined): RetryBudget {
    return new RetryBudget(this.settings.retry, context, this.wait);
  }

  assertOpen(): void {
    if (this.closed) throw new DataFailureError("engine_closed", "the BigQuery engine is closed");
  }

  close(): void {
    this.closed = true;
  }

  /** One authenticated REST call through the client (endpoint, credentials, project already set). */
  private rest<T>(options: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.client.request(options, (error, body) => (error ? reject(error) : resolve(body as T)));
    });
  }

  /**
   * A REST call retried within `budget` (its own by default); with `tolerated`, a 404 or a 409
   * answers undefined instead of failing (a missing table, a dataset created meanwhile).
   */
  async request<T>(options: RequestOptions, { budget = this.budget(undefined), tolerated }: { budget?: RetryBudget; tolerated?: Tolerated } = {}): Promise<T | undefined> {
    return withRetries(budget, undefined, undefined, async () => {
      try {
        return await this.rest<T>(options);
      } catch (error) {
        if (tolerated && isTolerated(error, tolerated)) return undefined;
        throw error;
      }
    });
  }

  getJob(jobId: string): Promise<JobResource> {
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
   * Runs a job to completion: insert, wait, read every page. Requests are retried within the
   * statement's budget (an insert under the same job id, polls); a job that failed for a
   * transient reason runs again as a new job unless `spec.rerun` is false (inside a transaction).
   */
  async run(spec: JobSpec): Promise<{ result: RunResult; job: JobResource }> {
    const budget = this.budget(spec.context);
    return withRetries(
      budget,
      spec.sql,
      spec.context,
      async () => {
        const job = await this.insertJob(spec, budget);
        const jobId = job.jobReference?.jobId ?? "";
        const failed = jobFailure(job, jobId);
        if (failed) throw failed;
        return { result: await this.results(jobId, spec, budget), job };
      },
      { retried: "job", notAgain: spec.rerun === false ? (problem, cause) => transientInTransaction(problem, spec.context, cause) : undefined },
    );
  }

  /** A dry-run job of the statement: the bytes it would process, the tables it reads, a query's schema. */
  async dryRun(spec: JobSpec): Promise<DryRunStatistics> {
    const job = await this.insertJob({ ...spec, dryRun: true }, this.budget(spec.context));
    const failed = jobFailure(job, job.jobReference?.jobId ?? "dry run");
    if (failed) throw failure(describeProblem(failed), spec.sql, spec.context, failed);
    const query = job.statistics?.query;
    return {
      bytesProcessed: Number(job.statistics?.totalBytesProcessed ?? query?.totalBytesProcessed ?? 0),
      referencedTables: (query?.referencedTables ?? []).map((table) => `${table.projectId ?? ""}.${table.datasetId ?? ""}.${table.tableId ?? ""}`),
      schema: query?.schema?.fields ?? undefined,
    };
  }

  /**
   * Inserts a query job, retrying the request under the same job id; a 409 means an earlier try
   * did create it, and its metadata is fetched instead (a dry run creates no job to fetch).
   */
  private async insertJob(spec: JobSpec, budget: RetryBudget): Promise<JobResource> {
    const jobId = `runner_${labelValue(spec.jobName)}_${randomUUID()}`;
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
        if (!spec.dryRun && isTolerated(error, "alreadyExists")) return this.getJob(jobId);
        throw error;
      }
    });
  }

  /**
   * Waits for the job with long polls of jobs.getQueryResults and reads every page. A failed
   * request is told apart from a failed job by looking the job up: a job's failure goes to the
   * job loop (run), a request's is retried here.
   */
  private async results(jobId: string, spec: JobSpec, budget: RetryBudget): Promise<RunResult> {
    const deadline = Date.now() + this.settings.jobTimeoutMs;
    const rows: Row[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page = await withRetries(budget, spec.sql, spec.context, async () => {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          await this.cancelJob(jobId);
          throw new JobTimeoutError(`job ${jobId} was not done within ${this.settings.jobTimeoutMs} ms`);
        }
        try {
          return await this.rest<QueryResultsResponse>({
            method: "GET",
            uri: `/queries/${jobId}`,
            qs: {
              location: this.settings.location,
              timeoutMs: Math.min(POLL_MS, remaining),
              "formatOptions.useInt64Timestamp": true,
              ...(spec.readRows ? {} : { maxResults: 0 }),
              ...(pageToken ? { pageToken } : {}),
            },
          });
        } catch (error) {
          if (describeProblem(error).kind === "transient") {
            const failed = jobFailure(await this.getJob(jobId), jobId);
            if (failed) throw failed;
          }
          throw error;
        }
      });
      if (!page.jobComplete) continue;
      if (spec.readRows) rows.push(...normaliseRows(page.schema?.fields ?? [], page.rows ?? []));
      if (spec.readRows && page.pageToken) {
        pageToken = page.pageToken;
        continue;
      }
      const affected = page.numDmlAffectedRows;
      return { rows, rowsAffected: affected === undefined ? undefined : Number(affected) };
    }
  }
}
