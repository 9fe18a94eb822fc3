/**
 * Executes a plan for one set of run dates: levels in order, the actions of a level concurrently
 * (bounded). An action whose dependency did not succeed is skipped; independent actions still run.
 * Gates answer "not ready" (blocked) with the rows naming what is missing; assertions fail with
 * the rows that break them. Every outcome goes to the ledger when its level ends, the level's rows
 * in one insert (LedgerBuffer).
 */
import { NotReadyError, RunnerError, describeError } from "../errors.ts";
import type { RunDates } from "../dates.ts";
import type { Engine, Row } from "../engines/engine.ts";
import { recordAllInLedger, type ActionStatus, type LedgerEntry } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import type { Plan } from "../plan/plan.ts";
import { targetId } from "../compile/graph.ts";
import { CheckFailedError, publishIncremental, publishRelation, targetOf, type CheckResult, type WriteChecks } from "./write.ts";
import { mapWithConcurrency } from "../pool.ts";
import type { HeldBackGame } from "./held_back.ts";
import { rowCountsOf, rowCountsStatement } from "./statements.ts";

/** Rows of a failing gate or assertion kept in the outcome and the ledger. */
const MAX_REPORTED_ROWS = 50;

/** Distinct reasons for bypassed rows named in a gate's message; the rows (in details) keep each one. */
const MAX_REPORTED_REASONS = 3;

export interface ActionOutcome {
  action: string;
  role: Action["role"];
  target: string;
  level: number;
  status: ActionStatus;
  startedAt: string | null;
  finishedAt: string;
  durationMs: number;
  rowsStaged: number | null;
  rowsWritten: number | null;
  rowsQuarantined: number | null;
  games: number | null;
  message: string | null;
  /** Gate or assertion rows, check results, held-back games. */
  details: { rows?: Row[]; rowCount?: number; checks?: CheckResult[]; heldBack?: HeldBackJson[] } | undefined;
  /** Games of the run dates the model did not publish, whole, with the reason (DESIGN section 6). */
  heldBack: HeldBackGame[];
  /**
   * The model published the rest of its games although it failed (games held back as rejected):
   * its dependents run on what it published, and hold those games back in turn.
   */
  publishedRest: boolean;
  /** For failures: whether retrying later may succeed (engine busy, transient error). */
  retryable: boolean;
}

export interface HeldBackJson {
  game_date: string;
  game_id: string;
  reason: string;
  detail: string;
}

export function heldBackJson(games: HeldBackGame[]): HeldBackJson[] {
  return games.map((game) => ({ game_date: game.gameDate, game_id: game.gameId, reason: game.reason, detail: game.detail }));
}

export interface ExecutionContext {
  engine: Engine;
  runId: string;
  trigger: string;
  dates: RunDates;
  fullRefresh: boolean;
  /** Gates are skipped deliberately (backfills of old dates); logged loudly. */
  ignoreGates: boolean;
  concurrency: number;
  checks: WriteChecks;
  log: Logger;
  /** Where the outcomes wait for the end of their level; by default one of the plan's own. */
  ledger?: LedgerBuffer;
  /** Called when an action starts and when it ends (progress display). */
  onAction?: (event: { action: Action; phase: "start" | "end"; outcome?: ActionOutcome }) => void;
  /**
   * Called with every outcome once the last level has run, before its ledger rows are written:
   * a fingerprint it returns is stored on them (execution/unchanged.ts).
   */
  fingerprint?: (outcomes: ActionOutcome[]) => Promise<string | undefined>;
}

/**
 * An assertion: runs its query, the rows it returns are the problem it found. `known` is its count
 * when the level counted it already (countAssertions).
 */
async function runCheckQuery(engine: Engine, action: Action, runId: string, gameDate: string, known: number | undefined): Promise<{ rows: Row[]; rowCount: number }> {
  const context = { action: action.name, runId, gameDate };
  const rowCount =
    known ?? Number((await engine.query<{ row_count: number }>(`SELECT COUNT(*) AS row_count FROM (\n${action.query}\n) AS check_rows`, { context }))[0]?.row_count ?? 0);
  const rows = rowCount === 0 ? [] : await engine.query(`SELECT * FROM (\n${action.query}\n) AS check_rows LIMIT ${MAX_REPORTED_ROWS}`, { context });
  return { rows, rowCount };
}

function describeHeldBack(games: HeldBackGame[]): string {
  return games.map((game) => `${game.gameId} ${game.reason} (${game.detail})`).join("; ");
}

function gameOf(row: Row): string {
  return String(row.game_id ?? row.nba_game_id ?? JSON.stringify(row));
}

function describeGateRows(rows: Row[], what: string): string {
  const shown = rows.slice(0, MAX_REPORTED_ROWS);
  const more = rows.length > shown.length ? ` and ${rows.length - shown.length} more` : "";
  const missing = rows[0]?.missing ? `: ${String(rows[0].missing)}` : "";
  return `${rows.length} game(s) ${what} (${shown.map(gameOf).join(", ")}${more})${missing}`;
}

/** Reasons given for bypassed rows, each once, the first few of them (one per history date adds up). */
function describeReasons(rows: Row[]): string {
  const reasons = [...new Set(rows.map((row) => String(row.bypassed_by)))];
  const shown = reasons.slice(0, MAX_REPORTED_REASONS);
  return `${shown.join("; ")}${reasons.length > shown.length ? `; and ${reasons.length - shown.length} more reasons like these` : ""}`;
}

/**
 * A gate has three answers (DESIGN 5): satisfied (no row); not ready (a row whose bypassed_by is
 * NULL: a game that may still arrive); bypassed (every row has bypassed_by: the spec's staleness or
 * coverage rule lets those games through missing, and they are named, never passed silently).
 * The runner compiles with report_gate_bypasses=true, so the gate returns the let-through games
 * too; GCP Dataform, without that var, sees only the blocking rows.
 */
async function runGate(context: ExecutionContext, action: Action, level: number): Promise<ActionResult> {
  const { engine, runId, log } = context;
  const empty = { rowsStaged: null, rowsWritten: null, rowsQuarantined: null, games: null, heldBack: [], publishedRest: false, retryable: false };
  if (context.ignoreGates) {
    log.warn(`GATE IGNORED: ${action.name} was not evaluated (--ignore-gates); what it would have found missing is not known`, { action: action.name, level });
    return { ...empty, status: "ignored", message: "gate not evaluated (--ignore-gates)", details: undefined };
  }
  let rows: Row[];
  try {
    rows = await engine.query(`SELECT * FROM (\n${action.query}\n) AS gate_rows`, { context: { action: action.name, runId, gameDate: context.dates.start } });
  } catch (error) {
    // Fail closed (spec 4.7): a gate that cannot be evaluated, e.g. because the upstream table
    // does not exist yet, means "not ready", never "go ahead".
    const message = `gate could not be evaluated: ${describeError(error)}`;
    log.warn(`Gate ${action.name} NOT satisfied: ${message}`, { action: action.name, level });
    return { ...empty, status: "blocked", message, details: undefined, retryable: true };
  }
  rows.sort((a, b) => gameOf(a).localeCompare(gameOf(b)));
  const reported = rows.slice(0, MAX_REPORTED_ROWS);
  const blocking = rows.filter((row) => row.bypassed_by === null || row.bypassed_by === undefined);
  if (blocking.length > 0) {
    const message = describeGateRows(blocking, "not ready");
    log.warn(`Gate ${action.name} NOT satisfied: ${message}`, { action: action.name, level, rows: blocking.length });
    return { ...empty, status: "blocked", message, details: { rows: reported, rowCount: rows.length }, retryable: true };
  }
  if (rows.length > 0) {
    const message = `${describeGateRows(rows, "let through missing")}; bypassed by ${describeReasons(rows)}`;
    log.warn(`GATE BYPASSED: ${action.name} ${message}`, { action: action.name, level, rows: rows.length, games: rows.slice(0, MAX_REPORTED_ROWS).map(gameOf) });
    return { ...empty, status: "bypassed", message, details: { rows: reported, rowCount: rows.length } };
  }
  log.info(`Gate ${action.name} satisfied`, { action: action.name, level });
  return { ...empty, status: "succeeded", message: null, details: undefined };
}

type ActionResult = Omit<ActionOutcome, "action" | "role" | "target" | "level" | "startedAt" | "finishedAt" | "durationMs">;

/** Statuses a dependent may run after: the dependency did its job, with or without warnings. */
export const PASSING_STATUSES: ReadonlySet<ActionStatus> = new Set(["succeeded", "bypassed", "ignored", "unchanged"]);

/**
 * On DuckDB the assertions of a level that will run (their dependencies passed) are counted by one
 * query, a row per assertion: alone, each paid 4-5 ms of planning to count a few rows (22 of them
 * a date). On BigQuery each keeps its own job (they run four at a time, and the dry run estimates
 * each as its action's). An assertion without a count in the answer, or all of them when the
 * query fails, counts itself: its own query, and its own error.
 */
async function countAssertions(context: ExecutionContext, assertions: Action[], level: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (context.engine.name !== "duckdb" || assertions.length < 2) return counts;
  try {
    const rows = await context.engine.query(rowCountsStatement(assertions.map((action) => action.query)), {
      context: { action: `assertions of level ${level}`, runId: context.runId, gameDate: context.dates.start },
    });
    for (const [index, count] of rowCountsOf(rows, assertions.length).entries()) {
      const action = assertions[index];
      if (action && count !== undefined) counts.set(action.id, count);
    }
  } catch {
    // Nothing counted: each assertion counts itself, and the broken one fails with its own error.
  }
  return counts;
}

async function runAction(context: ExecutionContext, action: Action, level: number, assertionCounts: Map<string, number>): Promise<ActionResult> {
  const { engine, runId, log } = context;
  const empty = { rowsStaged: null, rowsWritten: null, rowsQuarantined: null, games: null, heldBack: [], publishedRest: false, retryable: false };
  if (action.role === "gate") return runGate(context, action, level);
  if (action.role === "assertion") {
    const { rows, rowCount } = await runCheckQuery(engine, action, runId, context.dates.start, assertionCounts.get(action.id));
    if (rowCount > 0) {
      const message = `${rowCount} row(s) break ${action.name}`;
      log.error(`ASSERTION FAILED: ${message}`, { action: action.name, level, rows: rowCount, sample: rows.slice(0, 3) });
      return { ...empty, status: "failed", message, details: { rows, rowCount } };
    }
    return { ...empty, status: "succeeded", message: null, details: undefined };
  }
  if (action.role === "operation") {
    for (const statement of action.query.split(";\n").filter((sql) => sql.trim())) {
      await engine.execute(statement, { context: { action: action.name, runId, gameDate: context.dates.start } });
    }
    return { ...empty, status: "succeeded", message: null, details: undefined };
  }
  if (action.kind === "incremental") {
    const written = await publishIncremental({
      engine,
      action,
      runId,
      dates: context.dates,
      fullRefresh: context.fullRefresh,
      checks: context.checks,
      log: log.child({ action: action.name, level }),
    });
    // A rejected row fails the action (DESIGN 6: exit 1, the games and rules named); the other
    // games are published, so dependents still run on them.
    const rejected = written.heldBack.filter((game) => game.reason === "rejected");
    const own = written.heldBack.filter((game) => game.reason !== "upstream_held_back");
    const upstream = written.heldBack.length - own.length;
    const notes = [
      ...(own.length > 0 ? [`held back ${own.length} game(s): ${describeHeldBack(own)}`] : []),
      ...(upstream > 0 ? [`${upstream} game(s) held back upstream`] : []),
    ];
    const heldBackNote = notes.length > 0 ? notes.join("; ") : null;
    const details = {
      ...(written.checks.length > 0 ? { checks: written.checks } : {}),
      ...(written.heldBack.length > 0 ? { heldBack: heldBackJson(written.heldBack) } : {}),
    };
    return {
      ...empty,
      status: rejected.length > 0 ? "failed" : "succeeded",
      rowsStaged: written.rowsStaged,
      rowsWritten: written.rowsWritten,
      rowsQuarantined: written.rowsQuarantined,
      games: written.games,
      message: heldBackNote,
      details: Object.keys(details).length > 0 ? details : undefined,
      heldBack: written.heldBack,
      publishedRest: rejected.length > 0,
    };
  }
  const rows = await publishRelation(engine, action, runId);
  return { ...empty, status: "succeeded", rowsWritten: rows ?? null, message: null, details: undefined };
}

/** The dependencies of `action` that did not pass (and did not publish the rest of their games). */
function unmetDependencies(action: Action, statuses: Map<string, ActionStatus>, publishedRest: Set<string>): string[] {
  return action.dependencies.filter(
    (dependency) => statuses.has(dependency) && !PASSING_STATUSES.has(statuses.get(dependency) as ActionStatus) && !publishedRest.has(dependency),
  );
}

async function executeOne(
  context: ExecutionContext,
  action: Action,
  level: number,
  statuses: Map<string, ActionStatus>,
  planned: Map<string, Action>,
  publishedRest: Set<string>,
  assertionCounts: Map<string, number>,
): Promise<ActionOutcome> {
  const { log } = context;
  const base = { action: action.name, role: action.role, target: targetId(action.target), level };
  const unmet = unmetDependencies(action, statuses, publishedRest);
  if (unmet.length > 0) {
    const reasons = unmet.map((dependency) => `${dependency.split(".").at(-1)} ${statuses.get(dependency)}`);
    const message = `skipped: ${reasons.join(", ")}`;
    log.warn(`${action.name} dependencies NOT satisfied: ${reasons.join(", ")}`, { action: action.name, level });
    return {
      ...base,
      status: "skipped",
      startedAt: null,
      finishedAt: new Date().toISOString(),
      durationMs: 0,
      rowsStaged: null,
      rowsWritten: null,
      rowsQuarantined: null,
      games: null,
      message,
      details: undefined,
      heldBack: [],
      publishedRest: false,
      retryable: false,
    };
  }
  if (action.role === "model") {
    const gates = action.dependencies.flatMap((id) => (planned.get(id)?.role === "gate" ? [planned.get(id)?.name] : []));
    log.info(`${action.name} dependencies satisfied${gates.length ? ` (gates passed: ${gates.join(", ")})` : ""}`, {
      action: action.name,
      level,
    });
  }

  context.onAction?.({ action, phase: "start" });
  const started = Date.now();
  let result: Awaited<ReturnType<typeof runAction>>;
  try {
    result = await runAction(context, action, level, assertionCounts);
  } catch (error) {
    const retryable = error instanceof NotReadyError;
    const message = describeError(error);
    log.error(`${action.name} ${retryable ? "not ready" : "failed"}: ${message}`, {
      action: action.name,
      level,
      code: error instanceof RunnerError ? error.code : "unexpected",
    });
    result = {
      status: retryable ? "blocked" : "failed",
      rowsStaged: null,
      rowsWritten: null,
      rowsQuarantined: null,
      games: null,
      message,
      details: error instanceof CheckFailedError ? { checks: error.results } : undefined,
      heldBack: [],
      publishedRest: false,
      retryable,
    };
  }
  const finished = Date.now();
  const outcome: ActionOutcome = {
    ...base,
    ...result,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
  };
  context.onAction?.({ action, phase: "end", outcome });
  return outcome;
}

/**
 * Ledger rows waiting for the end of their level, then written in one insert: a row per action
 * and date one at a time cost an insert (a commit) each, thousands in a season backfill. A run
 * killed mid-level loses the rows of that level's finished actions only: their writes are
 * committed and a re-run redoes them as MERGEs. Ctrl-C writes them (`flush`) before the rows of
 * the actions it interrupted.
 */
export class LedgerBuffer {
  private pending: LedgerEntry[] = [];

  constructor(private readonly engine: Engine) {}

  add(entries: LedgerEntry[]): void {
    this.pending.push(...entries);
  }

  /** Sets the inputs fingerprint on the rows waiting. */
  stampFingerprint(fingerprint: string): void {
    for (const entry of this.pending) entry.inputs_fingerprint = fingerprint;
  }

  /** Writes what is waiting; safe to call while another flush runs (each row is written once). */
  async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    await recordAllInLedger(this.engine, rows);
  }
}

/** One ledger row per date of the window (a batch run covers several dates at once). */
export function ledgerEntriesOf(context: Pick<ExecutionContext, "runId" | "trigger" | "dates">, outcome: ActionOutcome): LedgerEntry[] {
  return context.dates.dates.map((gameDate) => ({
    run_id: context.runId,
    trigger: context.trigger,
    game_date: gameDate,
    action: outcome.action,
    action_role: outcome.role,
    target: outcome.target,
    level: outcome.level,
    status: outcome.status,
    started_at: outcome.startedAt,
    finished_at: outcome.finishedAt,
    duration_ms: outcome.durationMs,
    rows_staged: outcome.rowsStaged,
    rows_written: outcome.rowsWritten,
    rows_quarantined: outcome.rowsQuarantined,
    games: outcome.games,
    message: outcome.message,
    details: detailsOn(outcome.details, gameDate),
  }));
}

/**
 * An outcome's details as the ledger row of one date keeps them: a check counted date by date (a
 * batch window) reports that date's rows, so one date's warning is not every date's.
 */
function detailsOn(details: ActionOutcome["details"], gameDate: string): ActionOutcome["details"] {
  if (!details?.checks?.some((check) => check.byDate)) return details;
  const checks = details.checks.map(({ byDate, ...check }) => {
    const own = byDate?.[gameDate];
    return own ? { ...check, rows: own.rows, passed: own.rows === 0, message: own.message } : check;
  });
  return { ...details, checks };
}

export async function executePlan(context: ExecutionContext, plan: Plan): Promise<ActionOutcome[]> {
  const { log } = context;
  const statuses = new Map<string, ActionStatus>();
  const planned = new Map(plan.levels.flat().map((action) => [action.id, action]));
  for (const action of planned.values()) statuses.set(action.id, "skipped");
  const publishedRest = new Set<string>();
  const outcomes: ActionOutcome[] = [];
  const models = plan.levels.flat().filter((action) => action.role === "model").length;
  const window = context.dates.start === context.dates.end ? context.dates.start : `${context.dates.start}..${context.dates.end}`;
  log.info(`Running ${models} models in ${plan.levels.length} levels for ${window}`, { actions: plan.size });

  // The datasets the models write exist before level 0: one that cannot be created (a local
  // warehouse file named like it) is bad input for the whole run, not a failure of its first model.
  const targetDatasets = new Set(plan.levels.flat().flatMap((action) => (action.role === "model" ? [targetOf(action).dataset] : [])));
  for (const dataset of targetDatasets) await context.engine.ensureDataset(dataset);

  const ledger = context.ledger ?? new LedgerBuffer(context.engine);
  for (const [level, actions] of plan.levels.entries()) {
    log.info(`Level ${level} started: ${actions.map((action) => action.name).join(", ")}`, { level });
    let levelOutcomes: ActionOutcome[];
    try {
      const runnable = actions.filter((action) => action.role === "assertion" && unmetDependencies(action, statuses, publishedRest).length === 0);
      const assertionCounts = await countAssertions(context, runnable, level);
      levelOutcomes = await mapWithConcurrency(actions, context.concurrency, async (action) => {
        const outcome = await executeOne(context, action, level, statuses, planned, publishedRest, assertionCounts);
        ledger.add(ledgerEntriesOf(context, outcome));
        return outcome;
      });
      if (level === plan.levels.length - 1 && context.fingerprint) {
        const fingerprint = await context.fingerprint([...outcomes, ...levelOutcomes]);
        if (fingerprint) ledger.stampFingerprint(fingerprint);
      }
    } finally {
      // Before the next level starts, and also when this one threw: what finished is recorded.
      await ledger.flush();
    }
    for (const [index, outcome] of levelOutcomes.entries()) {
      statuses.set((actions[index] as Action).id, outcome.status);
      if (outcome.publishedRest) publishedRest.add((actions[index] as Action).id);
      outcomes.push(outcome);
    }
    const notOk = levelOutcomes.filter((outcome) => outcome.status !== "succeeded").length;
    log.info(`Level ${level} complete${notOk ? `: ${notOk} of ${actions.length} did not succeed` : ""}`, { level });
  }
  return outcomes;
}
