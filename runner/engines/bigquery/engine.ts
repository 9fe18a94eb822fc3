/**
 * The production engine: BigQuery through `@google-cloud/bigquery`. Statements arrive in BigQuery
 * SQL and are sent as they are, as query jobs with named parameters, the configured location,
 * labels (run_id, action, game_date), a job timeout and, when configured, maximumBytesBilled.
 *
 * This file composes the engine and holds its transactions; the parts are beside it:
 * - jobs.ts: query jobs submitted, polled and retried, and the REST calls, through one retry loop
 *   with one budget per statement (the client's automatic retries are off);
 * - tables.ts: datasets and tables created, evolved to their spec, described and listed;
 * - inserts.ts: rows written with DML INSERT from an array parameter, in batches.
 *
 * `transaction(work)` is a real multi-statement transaction: BEGIN TRANSACTION, the work's
 * statements and COMMIT TRANSACTION (ROLLBACK TRANSACTION on failure) as jobs of one session.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { BigQuery, type BigQueryOptions } from "@google-cloud/bigquery";
import { PassThroughClient } from "google-auth-library";
import { DataFailureError } from "../../errors.ts";
import type { ColumnSpec, Engine, ExecuteResult, Row, StatementContext, StatementOptions, TableRef, TableSpec } from "../engine.ts";
import type { RunnerTables } from "../runner_tables.ts";
import type { BigQuerySettings } from "./config.ts";
import { sleep, withRetries, type Sleep } from "./errors.ts";
import { insertJobs } from "./inserts.ts";
import { BigQueryJobs, statementJob, type DryRunStatistics, type JobSpec, type RunResult } from "./jobs.ts";
import { bigQueryNames, type BigQueryNames } from "./names.ts";
import { jobLabels } from "./params.ts";
import { BigQueryTables, stagingTableOptions } from "./tables.ts";
import { SessionTransaction, notAllowedInTransaction, refusedInTransaction, transactionAborted } from "./transaction.ts";

export type { DryRunStatistics } from "./jobs.ts";
export { addColumnsStatement, compareToSpec, stagingTableOptions } from "./tables.ts";

export class BigQueryEngine implements Engine {
  readonly name = "bigquery" as const;
  private readonly names: BigQueryNames;
  private readonly jobs: BigQueryJobs;
  private readonly tables: BigQueryTables;
  /** The transaction the current async context runs in (see transaction()). */
  private readonly transactions = new AsyncLocalStorage<SessionTransaction>();
  /** Settles when the transaction running now, if any, has ended. */
  private transactionQueue: Promise<void> = Promise.resolve();

  constructor(
    client: BigQuery,
    readonly settings: BigQuerySettings,
    wait: Sleep = sleep,
  ) {
    this.names = bigQueryNames(settings.dataProject, settings.stagingDataset);
    this.jobs = new BigQueryJobs(client, settings, wait);
    this.tables = new BigQueryTables(this.jobs, settings, this.names, (spec) => this.statement(spec));
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

  async execute(sql: string, options?: StatementOptions): Promise<ExecuteResult> {
    const result = await this.statement(statementJob(this.settings.labels, sql, options, false));
    return { rowsAffected: result.rowsAffected };
  }

  async query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const result = await this.statement(statementJob(this.settings.labels, sql, options, true));
    return result.rows as T[];
  }

  /** Bytes the statement would process, from a dry-run job (nothing runs, nothing is billed, no session is joined). */
  async estimateBytes(sql: string, options?: StatementOptions): Promise<number> {
    return (await this.dryRun(sql, options)).bytesProcessed;
  }

  /** A dry-run job of the statement: the bytes it would process, the tables it reads, a query's schema. */
  async dryRun(sql: string, options?: StatementOptions): Promise<DryRunStatistics> {
    this.jobs.assertOpen();
    return this.jobs.dryRun(statementJob(this.settings.labels, sql, options, false));
  }

  /**
   * Runs a statement to completion: on its own, or, inside transaction(), as the next job of the
   * transaction's session. Work outside the transaction, even concurrent work of the same engine,
   * has no transaction in its async context and never joins the session.
   */
  private async statement(spec: JobSpec): Promise<RunResult> {
    this.jobs.assertOpen();
    const transaction = this.transactions.getStore();
    if (!transaction) return (await this.jobs.run(spec)).result;
    return transaction.serial(async () => {
      if (transaction.failed) throw transactionAborted(spec.context, transaction.failed.error);
      try {
        const refused = refusedInTransaction(spec.sql);
        if (refused) throw notAllowedInTransaction(refused, spec.sql, spec.context);
        const sessionId = transaction.sessionId ?? (await this.begin(transaction, spec.context));
        return (await this.jobs.run({ ...spec, session: { id: sessionId }, rerun: false })).result;
      } catch (error) {
        transaction.fail(error);
        throw error;
      }
    });
  }

  ensureDataset(dataset: string): Promise<void> {
    return this.tables.ensureDataset(dataset);
  }

  ensureTable(ref: TableRef, spec: TableSpec): Promise<void> {
    return this.tables.ensureTable(ref, spec);
  }

  describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    return this.tables.describeTable(ref);
  }

  addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    return this.tables.addColumns(ref, like, columns, context);
  }

  listTables(dataset: string): Promise<string[]> {
    return this.tables.listTables(dataset);
  }

  async insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[], context?: StatementContext): Promise<void> {
    for (const job of insertJobs(ref, this.qualify(ref), columns, rows, context, this.settings.labels)) await this.statement(job);
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
    this.jobs.assertOpen();
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
    const { job } = await this.jobs.run({ ...this.controlSpec(transaction, "BEGIN TRANSACTION"), session: "create" });
    const jobId = job.jobReference?.jobId ?? "";
    // The job resource names its session; read it again once done if the insert's answer did not.
    const sessionId =
      job.statistics?.sessionInfo?.sessionId ??
      (await withRetries(this.jobs.budget(context), "BEGIN TRANSACTION", context, () => this.jobs.getJob(jobId))).statistics?.sessionInfo?.sessionId;
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
    await this.jobs.run({ ...this.controlSpec(transaction, sql), session: { id: sessionId }, rerun: false });
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
    this.jobs.close();
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
