/**
 * What a BigQuery error means for a run. Transient problems (rate limits, backend errors, 5xx,
 * concurrent-update conflicts, network blips, a job not done in time, too many DML jobs queued on
 * one table) are retried with exponential backoff a bounded number of times, then surface as NOT
 * READY (exit 75 / HTTP 500, so Pub/Sub redelivers later). Everything else (syntax, missing table,
 * permission, budget, a per-day quota used up) is a failure carrying BigQuery's own message and
 * the action's name: retrying would not help.
 *
 * Two reasons need their message read (https://cloud.google.com/bigquery/docs/troubleshoot-quotas):
 * - `resourcesExceeded` is permanent (the query needs more than a slot can give it), except
 *   "Too many DML statements outstanding against table ...": BigQuery queues at most 20 mutating
 *   DML jobs per table, and the queue drains as they finish.
 * - `quotaExceeded` is a longer-term quota. Most clear within minutes (concurrent queries, queued
 *   jobs, requests per second) and are retried; a per-day (or monthly) one, such as the query
 *   bytes per day, partition modifications or table appends per table per day, lasts until the
 *   quota resets: it fails at once, saying so, instead of retrying into NOT READY all day.
 */
import { DataFailureError, NotReadyError, RunnerError } from "../../errors.ts";
import type { StatementContext } from "../engine.ts";

export type ProblemKind = "transient" | "permanent";

export interface BigQueryProblem {
  kind: ProblemKind;
  /** BigQuery's error reason (invalidQuery, notFound, rateLimitExceeded...) when it gave one. */
  reason: string | undefined;
  /** HTTP status of the failed request, when the problem came from one. */
  status: number | undefined;
  message: string;
}

/** Reasons BigQuery documents as "retry later". */
const TRANSIENT_REASONS = new Set([
  "backendError",
  "internalError",
  "jobBackendError",
  "jobInternalError",
  "rateLimitExceeded",
  "jobRateLimitExceeded",
  "quotaExceeded",
  "timeout",
  "runnerTimeout",
]);

/** Reasons that will fail the same way next time. */
const PERMANENT_REASONS = new Set([
  "accessDenied",
  "billingNotEnabled",
  "billingTierLimitExceeded",
  "blocked",
  "bytesBilledLimitExceeded",
  "duplicate",
  "invalid",
  "invalidQuery",
  "invalidUser",
  "notFound",
  "notImplemented",
  "resourceInUse",
  "resourcesExceeded",
  "responseTooLarge",
  "stopped",
]);

/** resourcesExceeded that clears by itself: the table's queue of mutating DML jobs is full. */
const DML_QUEUE_FULL = /too many DML statements outstanding/i;

/**
 * quotaExceeded for a quota counted per day or month (the troubleshooting page's messages): it
 * does not clear until the quota resets.
 */
const LONG_TERM_QUOTA =
  /per[ _-]?day|daily|per[ _-]?month|monthly|free query bytes|partition modifications|imports or query appends per table|copies per project/i;

/** A quotaExceeded that lasts until the quota resets (see LONG_TERM_QUOTA). */
export function isLongTermQuota(reason: string | undefined, message: string): boolean {
  return reason === "quotaExceeded" && LONG_TERM_QUOTA.test(message);
}

/** Serialisation conflicts between concurrent DML on one table: the losing job may simply run again. */
const CONFLICT = /could not serialize access|concurrent update|aborted due to concurrent/i;
const NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|socket hang up|network timeout|request to .* failed/i;

interface ErrorEntry {
  reason?: unknown;
  message?: unknown;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A job's failure (`status.errorResult`), in the same shape as a request's. */
export class JobFailedError extends Error {
  constructor(
    readonly reason: string | undefined,
    message: string,
    readonly jobId: string,
  ) {
    super(message);
    this.name = "JobFailedError";
  }
}

/** Raised by the engine itself when a job is not done within the configured job timeout. */
export class JobTimeoutError extends Error {
  readonly reason = "runnerTimeout";
  constructor(message: string) {
    super(message);
    this.name = "JobTimeoutError";
  }
}

/** The reason, status and message of whatever the client or the engine threw. */
export function describeProblem(error: unknown): BigQueryProblem {
  const record = asRecord(error) ?? {};
  const errors = Array.isArray(record.errors) ? (record.errors as ErrorEntry[]) : [];
  const first = errors.find((entry) => typeof entry?.reason === "string" || typeof entry?.message === "string");
  const reason = typeof record.reason === "string" ? record.reason : typeof first?.reason === "string" ? first.reason : undefined;
  const status = typeof record.code === "number" ? record.code : undefined;
  const raw = typeof first?.message === "string" && first.message ? first.message : error instanceof Error ? error.message : String(error);
  const message = raw.trim() || `HTTP ${status ?? "error"}`;
  return { kind: classify(reason, status, message, record.code), reason, status, message };
}

function classify(reason: string | undefined, status: number | undefined, message: string, code: unknown): ProblemKind {
  if (CONFLICT.test(message)) return "transient";
  if (reason === "resourcesExceeded" && DML_QUEUE_FULL.test(message)) return "transient";
  if (isLongTermQuota(reason, message)) return "permanent";
  if (reason && TRANSIENT_REASONS.has(reason)) return "transient";
  if (reason && PERMANENT_REASONS.has(reason)) return "permanent";
  if (status !== undefined) return status === 429 || status >= 500 ? "transient" : "permanent";
  if (typeof code === "string" && NETWORK.test(code)) return "transient";
  return NETWORK.test(message) ? "transient" : "permanent";
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function prefix(context: StatementContext | undefined): string {
  return context?.action ? `${context.action}: ` : "";
}

function statementStart(sql: string): string {
  const line = sql
    .split("\n")
    .map((text) => text.trim())
    .find((text) => text && !text.startsWith("--"));
  return (line ?? "").slice(0, 120);
}

/** A permanent problem as the runner reports it: BigQuery's message, the action, the statement. */
export function failure(problem: BigQueryProblem, sql: string | undefined, context: StatementContext | undefined, cause: unknown): DataFailureError {
  const code = problem.reason ? `bigquery_${problem.reason.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}` : "bigquery_error";
  const longTermQuota = isLongTermQuota(problem.reason, problem.message);
  const suggestion =
    problem.reason === "accessDenied"
      ? "Check the roles of the credentials the runner uses (README: Running on BigQuery)."
      : problem.reason === "bytesBilledLimitExceeded"
        ? "The job would bill more than maximumBytesBilled; raise it or narrow the run."
        : longTermQuota
          ? "Retrying before the quota resets (daily quotas at midnight Pacific time) fails the same way: wait for the reset, ask for a higher quota (https://cloud.google.com/bigquery/quotas), or spread the work over more days."
          : sql
            ? `The statement began: ${statementStart(sql)}`
            : undefined;
  const what = longTermQuota ? "quotaExceeded (a per-day or monthly quota, used up: not retried)" : (problem.reason ?? "error");
  return new DataFailureError(code, `${prefix(context)}BigQuery ${what}: ${problem.message}`, { suggestion, cause });
}

/**
 * A job inside a multi-statement transaction that failed (or was not done in time) for a
 * transient reason. It is not run again: the transaction rolls back and the whole run is retried
 * later (NOT READY), because BigQuery may already have ended the transaction when the job failed,
 * and a statement run again then would commit on its own, outside the unit.
 */
export function transientInTransaction(problem: BigQueryProblem, context: StatementContext | undefined, cause: unknown): NotReadyError {
  return new NotReadyError(
    "bigquery_transient",
    `${prefix(context)}BigQuery ${problem.reason ?? `HTTP ${problem.status ?? "error"}`} inside a transaction, which was rolled back: ${problem.message}`,
    { suggestion: "A transient BigQuery problem: the run can be retried later as it is.", cause },
  );
}

/**
 * The retry allowance of one statement, shared by every request made for it (insert, polls,
 * re-runs), so a statement never makes more than `maxAttempts` tries in all.
 */
export class RetryBudget {
  private attempt = 1;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly context: StatementContext | undefined,
    private readonly wait: Sleep = sleep,
  ) {}

  /** Waits before the next try, or throws NOT READY when the tries are used up. */
  async backoff(problem: BigQueryProblem, cause: unknown): Promise<void> {
    if (this.attempt >= this.policy.maxAttempts) {
      throw new NotReadyError(
        "bigquery_transient",
        `${prefix(this.context)}BigQuery ${problem.reason ?? `HTTP ${problem.status ?? "error"}`} after ${this.attempt} attempts: ${problem.message}`,
        { suggestion: "A transient BigQuery problem: the run can be retried later as it is.", cause },
      );
    }
    const exponential = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (this.attempt - 1));
    // Half fixed, half random: concurrent actions that failed together do not retry in lockstep.
    await this.wait(Math.round(exponential / 2 + (Math.random() * exponential) / 2));
    this.attempt += 1;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** A job's own failure, which only the job loop retries (as a new job), never the request that reported it. */
export function isJobFailure(error: unknown): boolean {
  return error instanceof JobFailedError || error instanceof JobTimeoutError;
}

export interface RetryOptions {
  /** What is retried (default "request"): any error but the runner's own and a job's failure, or only a job's failure. */
  retried?: "request" | "job";
  /** A transient problem not to be tried again (a job inside a transaction): thrown as this instead. */
  notAgain?: (problem: BigQueryProblem, cause: unknown) => Error;
}

/**
 * The one retry loop of the engine: runs `attempt` until it succeeds, backing off within the
 * budget after each transient problem; a permanent one becomes a failure naming the statement.
 * Requests (inserts of a job, polls, metadata) and whole jobs (run again under a new id) both go
 * through it, the job loop around the request loops, sharing the statement's budget.
 */
export async function withRetries<T>(
  budget: RetryBudget,
  sql: string | undefined,
  context: StatementContext | undefined,
  attempt: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const retried = options.retried === "job" ? isJobFailure(error) : !(error instanceof RunnerError || isJobFailure(error));
      if (!retried) throw error;
      const problem = describeProblem(error);
      if (problem.kind === "permanent") throw failure(problem, sql, context, error);
      if (options.notAgain) throw options.notAgain(problem, error);
      await budget.backoff(problem, error);
    }
  }
}
