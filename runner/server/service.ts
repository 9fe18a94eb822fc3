/**
 * One push delivery from arrival to answer: the HTTP status contract of DESIGN section 6 and spec
 * 1.5, independent of the HTTP plumbing (server.ts).
 *
 *   401/403              token missing or invalid / of another account: checked on the headers,
 *                        before the body is read; a log line and a counter, never a row
 *   413 too_large        body over the limit (not read beyond it)
 *   400 bad_request      not JSON, envelope or payload invalid or over Pub/Sub's limits
 *                        (messageId, attributes: limits.ts), unknown trigger table
 *   200 no_processors    known trigger table with no model in this project
 *   200 skipped          Phase 2 reported a failure, or the date has no games
 *   200 duplicate        this messageId already got a final answer
 *   500 busy             a run of the same date is in progress, or no run slot freed in time
 *   200 completed        the run succeeded
 *   200 completed_with_warnings  it succeeded with a gate bypassed or ignored, or games held back:
 *                        all named in the body's warnings
 *   200 failed           a model or blocking check failed, or the run was refused (byte budget):
 *                        acknowledged, not retried (ledger, deliveries table, ERROR log)
 *   500 not_ready        a gate is unmet, the warehouse is busy, a write conflicted: Pub/Sub retries later
 *   500 timeout          the run outlived --run-timeout; it goes on, its result is recorded late
 *   500 error            unexpected error
 *   500 shutting_down    the server is stopping
 * Every 500 carries Retry-After. Every answer to an authenticated request is recorded in the
 * deliveries table. A run is compiled in the compile worker (planner.ts), off the event loop.
 */
import { describeError, NotReadyError, RunnerError } from "../errors.ts";
import type { Engine } from "../engines/engine.ts";
import type { ProjectOverrides } from "../compile/compile.ts";
import { actionJson, newRunId, runProject, warningsOf, type RunSummary } from "../execution/run.ts";
import { rangeOf } from "../dates.ts";
import { targetOf, type WriteChecks } from "../execution/write.ts";
import type { Logger } from "../log.ts";
import type { ProjectGraph } from "../plan/actions.ts";
import type { Plan, Selection } from "../plan/plan.ts";
import { AnsweredCache } from "./answered_cache.ts";
import type { Authenticator } from "./auth.ts";
import { KeyedLocks, Slots, type Release } from "./concurrency.ts";
import { DONE_OUTCOMES, findDone, recordDelivery, timestampOrNull, type DeliveryOutcome, type DeliveryRecord } from "./deliveries.ts";
import { parseDelivery, type Delivery } from "./envelope.ts";
import { gamesOnDate } from "./games_on_date.ts";
import { DUPLICATE_CACHE_MAX_BYTES } from "./limits.ts";
import type { Counters } from "./metrics.ts";
import type { Planner } from "./planner.ts";
import type { ResolvedTrigger } from "./triggers.ts";

/** Seconds a client should wait before retrying: a gate unmet needs new data (spec: "5 minutes"). */
export const NOT_READY_RETRY_AFTER_S = 300;
/** Seconds before retrying a busy date, a timeout or an error: the obstacle is usually gone soon. */
export const BUSY_RETRY_AFTER_S = 60;

/** The longest table name quoted back in a 400 (the name may be as long as TABLE_NAME_MAX_CHARS). */
const QUOTED_NAME_MAX_CHARS = 100;

/** Outcomes of requests refused by authentication: answered, logged and counted, never recorded. */
export type RefusedOutcome = "unauthorized" | "forbidden";

export interface ServiceOptions {
  engine: Engine;
  graph: ProjectGraph;
  projectDir: string;
  triggers: Map<string, ResolvedTrigger>;
  authenticator: Authenticator;
  /** Compiles and plans a run off the event loop (planner.ts). */
  planner: Planner;
  counters: Counters;
  /** Compilation vars of one run (as_of_date is "today" at the time of the delivery). */
  varsFor: () => Record<string, string>;
  /** --schema-suffix / --default-database: compiled into every run. */
  overrides?: ProjectOverrides | undefined;
  checks: WriteChecks;
  /** Called before each run with what it will run; a throw refuses the run (the BigQuery byte budget). */
  beforeRun?: (run: { gameDate: string; selection: Selection; vars: Record<string, string>; plan: Plan }) => Promise<void>;
  /** Actions of one level run at most this many at a time. */
  actionConcurrency: number;
  /** Runs (dates) at most this many at a time; more wait for a slot. */
  maxRuns: number;
  /** Answer 500 timeout after this long (waiting for a slot included). */
  runTimeoutMs: number;
  log: Logger;
}

/** An authenticated request (DeliveryService.authenticate said yes) and its body, read within the limit. */
export interface IncomingDelivery {
  body: Buffer;
  /** The body went over the limit (body holds what was read of it, possibly nothing). */
  tooLarge: boolean;
  bodyLimit: number;
  trace: string | undefined;
  receivedAt: Date;
  log: Logger;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: { status: string; [key: string]: unknown };
  /** The outcome as recorded (refusals: logged only) and logged. */
  outcome: DeliveryOutcome | RefusedOutcome;
}

interface Context {
  request: IncomingDelivery;
  /** Called once the answer is recorded (the date lock waits for it, so a redelivery sees the record). */
  afterRecord?: Release;
  delivery?: Delivery;
  messageId?: string;
  subscription?: string;
  payloadText?: string;
  runId?: string;
  log: Logger;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Two releases that call `release` once both have been called. */
function afterBoth(release: Release): [Release, Release] {
  let left = 2;
  const part = (): Release => {
    let called = false;
    return () => {
      if (called) return;
      called = true;
      if (--left === 0) release();
    };
  };
  return [part(), part()];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A timer that resolves undefined after `ms`, and can be cancelled so it keeps nothing alive. */
function deadline(ms: number): { expired: Promise<undefined>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

function answer(status: number, outcome: DeliveryOutcome | RefusedOutcome, body: Record<string, unknown> = {}, retryAfter?: number): Answer {
  return {
    status,
    outcome,
    headers: retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) },
    body: { status: outcome, ...body },
  };
}

/** The per-action part of an answer: models and gates, and assertions that did not pass. */
function actionResults(summary: RunSummary) {
  return summary.results
    .flatMap((result) => result.actions)
    .filter((action) => action.role !== "assertion" || (action.status !== "succeeded" && action.status !== "unchanged"))
    .map(actionJson);
}

function summaryReason(summary: RunSummary): string | undefined {
  const unchanged = summary.results.find((result) => result.unchangedSince)?.unchangedSince;
  if (unchanged) return `not run again: unchanged since ${unchanged.runId} (finished ${unchanged.finishedAt})`;
  if (summary.outcome === "warnings") {
    return summary.results.flatMap((result) => warningsOf(result.actions)).map((warning) => `${warning.action}: ${warning.message}`).join("; ");
  }
  const wanted = summary.outcome === "not_ready" ? "blocked" : summary.outcome === "failed" ? "failed" : undefined;
  if (!wanted) return undefined;
  const actions = summary.results.flatMap((result) => result.actions).filter((action) => action.status === wanted);
  return actions.map((action) => `${action.action}: ${action.message ?? action.status}`).join("; ");
}

export class DeliveryService {
  private readonly dateLocks = new KeyedLocks<{ messageId: string; since: number }>();
  private readonly slots: Slots;
  /** Messages this instance answered with a done outcome (the fast path of duplicates), bounded in bytes. */
  private readonly answered = new AnsweredCache(DUPLICATE_CACHE_MAX_BYTES);
  /** Target tables known to exist: once created, the server never drops them. */
  private readonly existingTargets = new Set<string>();
  /** Deliveries not answered yet (abandonPending answers them). */
  private readonly pending = new Set<Deferred<Answer>>();
  /** Runs in progress, including those whose delivery was already answered 500 timeout. */
  private readonly runs = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: ServiceOptions) {
    this.slots = new Slots(options.maxRuns);
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Runs in progress and deliveries waiting for an answer. */
  get busy(): { runs: number; deliveries: number; waitingForSlot: number } {
    return { runs: this.runs.size, deliveries: this.pending.size, waitingForSlot: this.slots.waiting };
  }

  get counters(): Counters {
    return this.options.counters;
  }

  /** What GET /metrics shows of the service: counters, runs, compiles, the duplicate cache. */
  metrics(): Record<string, unknown> {
    const { counters, planner } = this.options;
    return {
      refused: { ...counters.refused },
      answered: { ...counters.answered },
      compiles: { ...counters.compiles, in_progress: planner.inProgress },
      runs: { in_progress: this.runs.size, deliveries_waiting: this.pending.size, waiting_for_slot: this.slots.waiting, slots_in_use: this.slots.inUse, slots: this.slots.capacity },
      duplicate_cache: { entries: this.answered.size, bytes: this.answered.bytes, max_bytes: this.answered.maxBytes },
    };
  }

  /**
   * Checks a request's credentials from its headers alone: the server calls this before it reads
   * any of the body. A refusal is answered, logged and counted here; it is not a delivery and is
   * never recorded in the deliveries table (strangers must not be able to write to the warehouse).
   */
  async authenticate(authorization: string | undefined, request: { log: Logger; path: string; remoteAddress: string | undefined }): Promise<Answer | undefined> {
    const auth = await this.options.authenticator.check(authorization);
    if (auth.ok) return undefined;
    const kind = auth.status === 401 ? "unauthorized" : auth.status === 403 ? "forbidden" : "auth_unavailable";
    this.options.counters.refuse(kind);
    request.log.log(auth.status === 500 ? "ERROR" : "WARNING", `Refused ${auth.status} ${kind}: ${auth.reason}`, {
      status_code: auth.status,
      outcome: kind,
      path: request.path,
      ...(request.remoteAddress ? { remote_address: request.remoteAddress } : {}),
      ...(auth.detail ? { detail: auth.detail } : {}),
    });
    if (auth.status === 500) return answer(500, "error", { reason: auth.reason }, BUSY_RETRY_AFTER_S);
    return answer(auth.status, auth.status === 401 ? "unauthorized" : "forbidden", { reason: auth.reason });
  }

  /** An authenticated delivery: answered, recorded in the deliveries table, logged. */
  async handle(request: IncomingDelivery): Promise<Answer> {
    const early = deferred<Answer>();
    this.pending.add(early);
    const context: Context = { request, log: request.log };
    try {
      const processed = this.process(context).catch((error: unknown) => {
        context.log.error(`Unexpected error handling a delivery: ${describeError(error)}`);
        return answer(500, "error", { reason: describeError(error) }, BUSY_RETRY_AFTER_S);
      });
      const result = await Promise.race([processed, early.promise]);
      this.options.counters.answer(result.outcome);
      await this.record(context, result);
      this.logAnswer(context, result);
      return result;
    } finally {
      context.afterRecord?.();
      this.pending.delete(early);
    }
  }

  /** Stops taking deliveries: new ones, and those still waiting for a slot, get 500 shutting_down. */
  beginShutdown(): void {
    this.stopping = true;
  }

  /** Waits up to `timeoutMs` for the deliveries and runs in progress; true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    const idle = () => this.runs.size === 0 && this.pending.size === 0;
    while (!idle() && Date.now() < until) await sleep(50);
    return idle();
  }

  /** Waits up to `timeoutMs` until every delivery has its answer (runs may go on). */
  async drainAnswers(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < until) await sleep(20);
  }

  /** Answers every delivery still waiting with 500 shutting_down (their runs, if any, are abandoned). */
  abandonPending(): void {
    for (const entry of this.pending) {
      entry.resolve(answer(500, "shutting_down", { reason: "the server stopped before the run finished; Pub/Sub will redeliver" }, BUSY_RETRY_AFTER_S));
    }
  }

  private async process(context: Context): Promise<Answer> {
    const { request } = context;
    if (this.stopping) return answer(500, "shutting_down", { reason: "the server is shutting down" }, BUSY_RETRY_AFTER_S);
    if (request.tooLarge) {
      if (request.body.length > 0) context.payloadText = request.body.toString("utf8");
      return answer(413, "too_large", { reason: `(body): larger than ${request.bodyLimit} bytes` });
    }

    const parsed = parseDelivery(request.body);
    if (!parsed.ok) {
      Object.assign(context, { messageId: parsed.messageId, subscription: parsed.subscription, payloadText: parsed.dataText ?? request.body.toString("utf8") });
      return answer(400, "bad_request", { reason: parsed.reasons.join("\n"), reasons: parsed.reasons });
    }
    const delivery = parsed.delivery;
    context.delivery = delivery;
    context.messageId = delivery.messageId;
    context.subscription = delivery.subscription;
    context.payloadText = delivery.dataText;
    context.log = context.log.child({ messageId: delivery.messageId, game_date: delivery.gameDate, source_table: delivery.sourceTable });
    const about = { message_id: delivery.messageId, game_date: delivery.gameDate, source_table: delivery.sourceTable };

    const trigger = this.options.triggers.get(delivery.sourceTable);
    if (!trigger) {
      const known = [...this.options.triggers.keys()].sort().join(", ");
      const name = delivery.sourceTable.length > QUOTED_NAME_MAX_CHARS ? `${delivery.sourceTable.slice(0, QUOTED_NAME_MAX_CHARS)}...` : delivery.sourceTable;
      const reason = `message.data.${delivery.payload.output_table ? "output_table" : "source_table"}: unknown trigger table "${name}" (known: ${known})`;
      return answer(400, "bad_request", { ...about, reason, reasons: [reason] });
    }
    if (trigger.models.length === 0) {
      return answer(200, "no_processors", { ...about, reason: `no model of this project is triggered by ${trigger.table}` });
    }
    if (delivery.upstreamFailed) {
      return answer(200, "skipped", { ...about, reason: `Phase 2 reported a failure (${delivery.payload.status ?? "success: false"}); nothing to run` });
    }

    // A redelivery of a message this instance already answered needs no lock; one answered by
    // another instance (or before a restart) is found in the deliveries table under the lock.
    const known = this.answered.get(delivery.messageId);
    if (known) return answer(200, "duplicate", { ...about, reason: `message already answered ${known.outcome}`, first_run_id: known.runId });

    const releaseDate = this.dateLocks.tryAcquire(delivery.gameDate, { messageId: delivery.messageId, since: Date.now() });
    if (!releaseDate) {
      const holder = this.dateLocks.holder(delivery.gameDate);
      const seconds = holder ? Math.round((Date.now() - holder.since) / 1000) : 0;
      return answer(500, "busy", { ...about, reason: `a run for ${delivery.gameDate} is in progress (message ${holder?.messageId}, for ${seconds}s)` }, BUSY_RETRY_AFTER_S);
    }
    // The date stays locked until this answer is recorded and the run (if any) has finished.
    const [recorded, finished] = afterBoth(releaseDate);
    context.afterRecord = recorded;
    let handedOver = false;
    try {
      const done = await this.safely(context, () => findDone(this.options.engine, delivery.messageId, this.today()));
      if (done instanceof Error) return this.engineError(about, done);
      if (done) {
        return answer(200, "duplicate", { ...about, reason: `message already answered ${done.outcome}`, first_run_id: done.run_id });
      }

      const games = await this.safely(context, () => gamesOnDate(this.options.engine, this.options.graph, delivery.gameDate));
      if (games instanceof Error) return this.engineError(about, games);
      if (games.scheduled === 0 && games.boxscoreRows === 0) {
        return answer(200, "skipped", { ...about, reason: `no games on ${delivery.gameDate}: nothing in the schedule and no box score rows` });
      }

      const exclusive = await this.safely(context, () => this.createsTables(trigger));
      if (exclusive instanceof Error) return this.engineError(about, exclusive);
      const budget = this.options.runTimeoutMs - (Date.now() - context.request.receivedAt.getTime());
      const releaseSlot = await this.slots.acquire(exclusive ? this.slots.capacity : 1, Math.max(0, budget));
      if (!releaseSlot) {
        return answer(500, "busy", { ...about, reason: `${this.slots.inUse} run slot(s) in use, none freed within the run timeout` }, BUSY_RETRY_AFTER_S);
      }
      if (this.stopping) {
        releaseSlot();
        return answer(500, "shutting_down", { ...about, reason: "the server is shutting down" }, BUSY_RETRY_AFTER_S);
      }
      handedOver = true;
      return await this.run(context, delivery, trigger, exclusive, () => {
        releaseSlot();
        finished();
      });
    } finally {
      if (!handedOver) finished();
    }
  }

  /** A run: its answer within the time left, or 500 timeout while it goes on. */
  private async run(context: Context, delivery: Delivery, trigger: ResolvedTrigger, exclusive: boolean, release: Release): Promise<Answer> {
    const { options } = this;
    const runId = newRunId();
    context.runId = runId;
    const log = context.log.child({ run_id: runId });
    const about = { message_id: delivery.messageId, game_date: delivery.gameDate, source_table: delivery.sourceTable, run_id: runId };
    if (delivery.backfillMode) {
      log.warn(`BACKFILL MODE: gates are NOT evaluated for ${delivery.gameDate} (message ${delivery.messageId} asked for backfill_mode)`);
    }
    log.info(`Running ${trigger.models.join(", ")} for ${delivery.gameDate} (trigger ${trigger.table}${exclusive ? ", alone: it creates tables" : ""})`);

    // An async function: even a synchronous throw (vars) becomes a result and frees the date.
    const start = async () => {
      const vars = options.varsFor();
      // Compiled in the worker: the event loop goes on answering while the project compiles.
      const plan = await options.planner.plan({
        projectDir: options.projectDir,
        selection: trigger.selection,
        vars,
        overrides: options.overrides,
        window: { start: delivery.gameDate, end: delivery.gameDate },
      });
      await options.beforeRun?.({ gameDate: delivery.gameDate, selection: trigger.selection, vars, plan });
      return runProject(options.engine, {
        projectDir: options.projectDir,
        dates: rangeOf(delivery.gameDate, delivery.gameDate),
        selection: trigger.selection,
        vars,
        overrides: options.overrides,
        plan,
        fullRefresh: false,
        ignoreGates: delivery.backfillMode,
        trigger: "pubsub",
        concurrency: options.actionConcurrency,
        checks: options.checks,
        runId,
        log: context.log,
      });
    };
    const running = start().then(
      (summary) => ({ summary }) as const,
      (error: unknown) => ({ error }) as const,
    );
    let answeredTimeout = false;
    // The date stays locked until a late result is recorded, so a redelivery then sees it.
    const tracked = running.then((late) => (answeredTimeout ? this.recordLate(context, late) : undefined)).finally(release);
    this.runs.add(tracked);
    void tracked.finally(() => this.runs.delete(tracked));

    const left = options.runTimeoutMs - (Date.now() - context.request.receivedAt.getTime());
    const timer = deadline(Math.max(0, left));
    const result = await Promise.race([running, timer.expired]);
    timer.cancel();
    if (!result) {
      answeredTimeout = true;
      return answer(
        500,
        "timeout",
        { ...about, reason: `the run did not finish within ${options.runTimeoutMs / 1000}s; it goes on and its result is recorded as late_<outcome>` },
        BUSY_RETRY_AFTER_S,
      );
    }
    return this.answerFor(about, result);
  }

  private answerFor(about: Record<string, unknown>, result: { summary: RunSummary } | { error: unknown }): Answer {
    if ("error" in result) {
      const { error } = result;
      const reason = describeError(error);
      if (error instanceof NotReadyError) return answer(500, "not_ready", { ...about, reason }, NOT_READY_RETRY_AFTER_S);
      // A typed refusal (over the byte budget, a failed dry run) fails the same way when retried.
      if (error instanceof RunnerError) return answer(200, "failed", { ...about, reason });
      return answer(500, "error", { ...about, reason }, BUSY_RETRY_AFTER_S);
    }
    const { summary } = result;
    const unchangedSince = summary.results.find((date) => date.unchangedSince)?.unchangedSince?.runId ?? null;
    const body = { ...about, reason: summaryReason(summary), duration_ms: summary.durationMs, unchanged_since: unchangedSince, actions: actionResults(summary) };
    if (summary.outcome === "success") return answer(200, "completed", body);
    if (summary.outcome === "warnings") return answer(200, "completed_with_warnings", { ...body, warnings: summary.results.flatMap((date) => warningsOf(date.actions)) });
    if (summary.outcome === "failed") return answer(200, "failed", body);
    return answer(500, "not_ready", body, NOT_READY_RETRY_AFTER_S);
  }

  /** True when the trigger's run would create a table (first run, or a model that is not incremental). */
  private async createsTables(trigger: ResolvedTrigger): Promise<boolean> {
    for (const write of trigger.writes) {
      if (write.kind !== "incremental") return true;
      if (this.existingTargets.has(write.id)) continue;
      if (!(await this.options.engine.describeTable(targetOf(write)))) return true;
      this.existingTargets.add(write.id);
    }
    return false;
  }

  private engineError(about: Record<string, unknown>, error: Error): Answer {
    return answer(500, "error", { ...about, reason: `warehouse error: ${describeError(error)}` }, BUSY_RETRY_AFTER_S);
  }

  /** Runs a warehouse step; an error is returned (and logged), to become a retryable answer. */
  private async safely<T>(context: Context, work: () => Promise<T>): Promise<T | Error> {
    try {
      return await work();
    } catch (error) {
      context.log.error(`Warehouse error: ${describeError(error)}`);
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Today (UTC): the duplicate look-up window ends here. */
  private today(): string {
    return new Date().toISOString().slice(0, 10);
  }

  private recordOf(context: Context, result: Pick<Answer, "status" | "outcome" | "body"> | { status: null; outcome: string; reason: string | null }): DeliveryRecord {
    const { request, delivery } = context;
    const reason = "body" in result ? (typeof result.body.reason === "string" ? result.body.reason : null) : result.reason;
    return {
      received_at: request.receivedAt.toISOString(),
      responded_at: new Date().toISOString(),
      message_id: context.messageId ?? null,
      subscription: context.subscription ?? null,
      delivery_attempt: delivery?.deliveryAttempt ?? null,
      publish_time: timestampOrNull(delivery?.publishTime),
      source_table: delivery?.sourceTable ?? null,
      game_date: delivery?.gameDate ?? null,
      backfill_mode: delivery ? delivery.backfillMode : null,
      status_code: result.status,
      outcome: result.outcome as DeliveryRecord["outcome"],
      run_id: context.runId ?? null,
      reason,
      duration_ms: Date.now() - request.receivedAt.getTime(),
      trace: request.trace ?? null,
      payload: context.payloadText ?? null,
    };
  }

  /** Keeps a message that is done in the duplicate fast path. */
  private remember(record: DeliveryRecord): void {
    if (!record.message_id || !DONE_OUTCOMES.includes(record.outcome) || this.answered.has(record.message_id)) return;
    this.answered.set(record.message_id, { outcome: record.outcome, runId: record.run_id });
  }

  /** Records an answer (see store). */
  private async record(context: Context, result: Answer): Promise<void> {
    await this.store(context, this.recordOf(context, result));
  }

  /** Remembers and writes a record; a failure to write it is logged with the whole record, never lost silently. */
  private async store(context: Context, record: DeliveryRecord): Promise<void> {
    this.remember(record);
    try {
      await recordDelivery(this.options.engine, record);
    } catch (error) {
      context.log.error(`DELIVERY NOT RECORDED in the deliveries table: ${describeError(error)}`, { delivery: record });
    }
  }

  private async recordLate(context: Context, late: { summary: RunSummary } | { error: unknown }): Promise<void> {
    const result = this.answerFor({}, late);
    const reason = typeof result.body.reason === "string" ? result.body.reason : null;
    const outcome = `late_${result.outcome}`;
    context.log.log(result.outcome === "completed" ? "NOTICE" : result.outcome === "completed_with_warnings" ? "WARNING" : "ERROR", `Run ${context.runId} finished after its answer (timeout): ${result.outcome}`, {
      run_id: context.runId,
      outcome,
    });
    await this.store(context, this.recordOf(context, { status: null, outcome, reason }));
  }

  private logAnswer(context: Context, result: Answer): void {
    const severity = result.outcome === "failed" || result.outcome === "error" ? "ERROR" : result.status >= 400 ? "WARNING" : "NOTICE";
    const reason = typeof result.body.reason === "string" ? `: ${result.body.reason}` : "";
    context.log.log(severity, `Delivery answered ${result.status} ${result.outcome}${reason}`, {
      status_code: result.status,
      outcome: result.outcome,
      ...(context.messageId ? { messageId: context.messageId } : {}),
      ...(context.runId ? { run_id: context.runId } : {}),
    });
  }
}
