/**
 * A run: for each date of the range, in order, compile the project with that date, plan the
 * selected actions and execute them. The outcome of the whole run maps to the exit codes of
 * DESIGN section 6.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { compileProject, type ProjectOverrides } from "../compile/compile.ts";
import { targetId } from "../compile/graph.ts";
import { rangeOf, type RunDates } from "../dates.ts";
import type { Engine } from "../engines/engine.ts";
import { ExitCode } from "../errors.ts";
import { ensureLedger } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import { buildProjectGraph, type Action } from "../plan/actions.ts";
import { plan as planActions, type Plan, type Selection } from "../plan/plan.ts";
import { executePlan, heldBackJson, LedgerBuffer, ledgerEntriesOf, type ActionOutcome } from "./executor.ts";
import { ensureHeldBackTable, type HeldBackGame } from "./held_back.ts";
import { inputsFingerprint, unchangedSince, type UnchangedSince } from "./unchanged.ts";
import type { WriteChecks } from "./write.ts";

/** Actions of one level run at most this many at a time unless told otherwise (BigQuery; see defaultConcurrency). */
export const DEFAULT_CONCURRENCY = 4;

/**
 * The default for an engine: BigQuery jobs wait on the network, so four at a time; the local
 * DuckDB spreads each big query over every core, but a date's many small statements (checks,
 * stage shapes, ledger) each use about one, so one action per core, at most four, each on a
 * connection of its own. On 2 cores, 2 against 1: a cold date faster in 6 of 6 interleaved pairs
 * (about 3 %), 10 dates in 2 of 2 (2-4 %), a season batch in 3 of 4; 3 no faster than 2.
 */
export function defaultConcurrency(engine: Pick<Engine, "name">, cores = availableParallelism()): number {
  if (engine.name === "bigquery") return DEFAULT_CONCURRENCY;
  return Math.max(1, Math.min(DEFAULT_CONCURRENCY, cores));
}

/** DESIGN 6, in the order that decides a date with several reasons: not ready, failed, warnings, success. */
export type RunOutcome = "success" | "warnings" | "not_ready" | "failed";

export interface DateResult {
  gameDate: string;
  outcome: RunOutcome;
  durationMs: number;
  actions: ActionOutcome[];
  /** Not run again: its inputs are those of this earlier successful run (execution/unchanged.ts). */
  unchangedSince?: UnchangedSince | undefined;
}

export interface RunSummary {
  runId: string;
  dates: string[];
  outcome: RunOutcome;
  exitCode: number;
  durationMs: number;
  results: DateResult[];
}

export interface RunOptions {
  projectDir?: string;
  dates: RunDates;
  selection: Selection;
  fullRefresh: boolean;
  ignoreGates: boolean;
  /** Run the whole range as one window (one compile, one MERGE per model) instead of date by date; a full refresh always does. */
  batch?: boolean;
  /** Run a window even when its inputs are unchanged since its last successful run (--force). */
  force?: boolean;
  /** The plan of a single-window run, compiled already (serve compiles off the event loop). */
  plan?: Plan;
  /**
   * Compiles and plans a window off this thread (the CLI's compile worker over a range): the run
   * asks for each next window's plan when it starts one, so that it compiles meanwhile. Without
   * it, and for the first window, the run calls planForWindow itself.
   */
  planWindow?: (window: Pick<RunDates, "start" | "end">) => Promise<Plan>;
  trigger: string;
  /** Actions of a level at most this many at a time; default `defaultConcurrency(engine)`. */
  concurrency?: number | undefined;
  checks: WriteChecks;
  vars?: Record<string, string>;
  /** --schema-suffix / --default-database, compiled into every plan of the run. */
  overrides?: ProjectOverrides;
  runId?: string;
  log: Logger;
  /**
   * Where ledger rows wait for the end of their level: the CLI passes its own, to write what is
   * waiting when Ctrl-C stops the run.
   */
  ledger?: LedgerBuffer;
  onDate?: (event: { gameDate: string; index: number; total: number; phase: "start" | "end"; result?: DateResult }) => void;
  onAction?: (event: { action: Action; phase: "start" | "end"; outcome?: ActionOutcome }) => void;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return `run_${stamp}_${randomBytes(3).toString("hex")}`;
}

/**
 * not ready (retry) outranks failed: a redelivery may fix the first, and replays the second
 * harmlessly. Warnings: a gate bypassed or ignored, a game held back: the date is published
 * without something, and what it lacks is named. A warning check that did not pass (usage above
 * 50, a date without schedule) is listed too but leaves the outcome a success (DESIGN 6: published,
 * warnings allowed).
 */
export function outcomeOf(actions: ActionOutcome[]): RunOutcome {
  if (actions.some((action) => action.status === "blocked")) return "not_ready";
  if (actions.some((action) => action.status === "failed")) return "failed";
  if (warningsOf(actions).some((warning) => OUTCOME_WARNINGS.has(warning.kind))) return "warnings";
  return "success";
}

export function exitCodeOf(outcome: RunOutcome): number {
  if (outcome === "not_ready") return ExitCode.notReady;
  if (outcome === "failed") return ExitCode.dataFailure;
  return ExitCode.success;
}

export type WarningKind = "gate_bypassed" | "gate_ignored" | "held_back" | "check_warning";

/** The warnings that make a date's outcome "warnings" rather than "success". */
const OUTCOME_WARNINGS: ReadonlySet<WarningKind> = new Set(["gate_bypassed", "gate_ignored", "held_back"]);

export interface RunWarning {
  kind: WarningKind;
  action: string;
  message: string;
  /** The games concerned, when the warning is about games. */
  games: string[];
}

/** Everything of a date that passed with a warning, one entry per action and kind. */
export function warningsOf(actions: ActionOutcome[]): RunWarning[] {
  const warnings: RunWarning[] = [];
  for (const action of actions) {
    const games = (action.details?.rows ?? []).map((row) => String(row.game_id ?? row.nba_game_id ?? ""));
    if (action.status === "bypassed") warnings.push({ kind: "gate_bypassed", action: action.action, message: action.message ?? "", games });
    if (action.status === "ignored") warnings.push({ kind: "gate_ignored", action: action.action, message: action.message ?? "", games: [] });
    const held = action.heldBack.filter((game) => game.reason !== "upstream_held_back");
    if (held.length > 0 && action.status !== "failed") {
      warnings.push({
        kind: "held_back",
        action: action.action,
        message: held.map((game) => `${game.gameId}: ${game.reason} (${game.detail})`).join("; "),
        games: held.map((game) => game.gameId),
      });
    }
    for (const check of action.details?.checks ?? []) {
      if (!check.passed && check.severity === "warning") {
        warnings.push({ kind: "check_warning", action: action.action, message: `${check.check} (${check.rows} rows): ${check.message}`, games: [] });
      }
    }
  }
  return warnings;
}

/** Compiles and plans one window (a date, or a whole range in batch mode): what a run of it would execute. */
export function planForWindow(options: Pick<RunOptions, "projectDir" | "selection" | "vars" | "overrides">, window: Pick<RunDates, "start" | "end">): Plan {
  // The gates return the games their staleness or coverage rule lets through too, so that a bypass
  // is reported by name (DESIGN 5); without the var (GCP Dataform) they return blocking rows only.
  const vars = { ...options.vars, report_gate_bypasses: "true" };
  const compiled = compileProject({ projectDir: options.projectDir, dates: window, vars, overrides: options.overrides });
  return planActions(buildProjectGraph(compiled), options.selection);
}

/** The windows a run executes, in order: the whole range at once (--batch, --full-refresh) or each date. */
export function runWindows(dates: RunDates, options: Pick<RunOptions, "batch" | "fullRefresh">): RunDates[] {
  return options.batch || options.fullRefresh ? [dates] : dates.dates.map((gameDate) => rangeOf(gameDate, gameDate));
}

export async function runProject(engine: Engine, options: RunOptions): Promise<RunSummary> {
  const runId = options.runId ?? newRunId();
  const log = options.log.child({ run_id: runId });
  const started = Date.now();
  await ensureLedger(engine);
  await ensureHeldBackTable(engine);
  const results: DateResult[] = [];
  const ledger = options.ledger ?? new LedgerBuffer(engine);
  const concurrency = options.concurrency ?? defaultConcurrency(engine);

  // A full refresh rebuilds each model over the whole range at once: one stage, one set of checks
  // and one replacement of its table per model (write.ts), so the table is never half-refreshed.
  const windows = runWindows(options.dates, options);
  const total = windows.length;
  // With a planner of its own the run asks for each window's plan when the previous window starts
  // (a failure is thrown where the run reaches that window); the first window, and every window
  // without one, it compiles itself when it gets there.
  const { planWindow } = options;
  const askAhead = (index: number): Promise<Plan> | undefined => {
    const window = windows[index];
    if (!planWindow || !window) return undefined;
    const planned = planWindow(window);
    planned.catch(() => undefined);
    return planned;
  };
  let nextPlan: Promise<Plan> | undefined;
  for (const [index, window] of windows.entries()) {
    const gameDate = window.start === window.end ? window.start : `${window.start}..${window.end}`;
    options.onDate?.({ gameDate, index, total, phase: "start" });
    const dateStarted = Date.now();
    const asked = nextPlan;
    nextPlan = askAhead(index + 1);
    const plan = asked ? await asked : options.plan && total === 1 ? options.plan : planForWindow(options, window);
    const dateLog = log.child({ game_date: gameDate });
    const fingerprinting = !options.fullRefresh;
    const fingerprintOptions = { projectDir: options.projectDir, window, vars: options.vars, ignoreGates: options.ignoreGates };
    const since = fingerprinting && !options.force ? await unchangedSince(engine, plan, fingerprintOptions) : undefined;
    let actions: ActionOutcome[];
    if (since) {
      actions = unchangedOutcomes(plan, since);
      ledger.add(actions.flatMap((outcome) => ledgerEntriesOf({ runId, trigger: options.trigger, dates: window }, outcome)));
      await ledger.flush();
      dateLog.notice(`${gameDate} not run again: unchanged since ${since.runId} (finished ${since.finishedAt}): the same code, plan and tables read, and nothing written since (--force runs it)`, {
        unchanged_since: since.runId,
      });
    } else {
      actions = await executePlan(
        {
          engine,
          runId,
          trigger: options.trigger,
          dates: window,
          fullRefresh: options.fullRefresh,
          ignoreGates: options.ignoreGates,
          concurrency,
          checks: options.checks,
          ledger,
          log: dateLog,
          onAction: options.onAction,
          fingerprint: fingerprinting ? async (outcomes) => (cleanSuccess(outcomes) ? inputsFingerprint(engine, plan, fingerprintOptions) : undefined) : undefined,
        },
        plan,
      );
    }
    const result: DateResult = { gameDate, outcome: outcomeOf(actions), durationMs: Date.now() - dateStarted, actions, unchangedSince: since };
    results.push(result);
    options.onDate?.({ gameDate, index, total, phase: "end", result });
  }

  const outcome = outcomeOf(results.flatMap((result) => result.actions));
  const summary: RunSummary = {
    runId,
    dates: options.dates.dates,
    outcome,
    exitCode: exitCodeOf(outcome),
    durationMs: Date.now() - started,
    results,
  };
  const severity = { success: "NOTICE", warnings: "WARNING", not_ready: "WARNING", failed: "ERROR" } as const;
  const verdict = { success: "succeeded", warnings: "succeeded WITH WARNINGS", not_ready: "NOT READY (retry later)", failed: "FAILED" };
  log.log(severity[outcome], `Run ${verdict[outcome]} for ${options.dates.dates.length} date(s)`, {
    outcome,
    duration_ms: summary.durationMs,
  });
  return summary;
}

/** A window whose every action succeeded, without a warning or a quarantined row: its fingerprint may be kept. */
function cleanSuccess(outcomes: ActionOutcome[]): boolean {
  return outcomes.every((outcome) => outcome.status === "succeeded" && !outcome.rowsQuarantined) && warningsOf(outcomes).length === 0;
}

/** Every planned action, not run: the window's inputs are those of `since`. */
function unchangedOutcomes(plan: Plan, since: UnchangedSince): ActionOutcome[] {
  const now = new Date().toISOString();
  return plan.levels.flatMap((actions, level) =>
    actions.map((action) => ({
      action: action.name,
      role: action.role,
      target: targetId(action.target),
      level,
      status: "unchanged" as const,
      startedAt: null,
      finishedAt: now,
      durationMs: 0,
      rowsStaged: null,
      rowsWritten: 0,
      rowsQuarantined: null,
      games: null,
      message: `not run again: inputs unchanged since ${since.runId} (finished ${since.finishedAt})`,
      details: undefined,
      heldBack: [],
      publishedRest: false,
      retryable: false,
    })),
  );
}

/**
 * The games of a date that did not reach the last model, one entry per game: where it was first
 * held back and why (a game held back upstream is held back downstream too).
 */
export function heldBackOfDate(actions: ActionOutcome[]): HeldBackGame[] {
  const first = new Map<string, HeldBackGame>();
  for (const action of actions) {
    for (const game of action.heldBack) {
      const key = `${game.gameDate}/${game.gameId}`;
      if (game.reason !== "upstream_held_back" && !first.has(key)) first.set(key, { ...game, detail: `${action.action}: ${game.detail}` });
    }
  }
  return [...first.values()].sort((a, b) => a.gameDate.localeCompare(b.gameDate) || a.gameId.localeCompare(b.gameId));
}

/** An action's outcome as JSON, in the snake_case of every JSON the runner prints or answers. */
export function actionJson(action: ActionOutcome) {
  return {
    action: action.action,
    role: action.role,
    level: action.level,
    status: action.status,
    rows_staged: action.rowsStaged,
    rows_written: action.rowsWritten,
    rows_quarantined: action.rowsQuarantined,
    games: action.games,
    duration_ms: action.durationMs,
    message: action.message,
    held_back: heldBackJson(action.heldBack),
    details: action.details ?? null,
  };
}

/** The machine-readable summary of a run (`runner run --json`). */
export function summaryJson(summary: RunSummary) {
  return {
    run_id: summary.runId,
    dates: summary.dates,
    outcome: summary.outcome,
    exit_code: summary.exitCode,
    duration_ms: summary.durationMs,
    warnings: summary.results.flatMap((result) =>
      warningsOf(result.actions).map((warning) => ({ game_date: result.gameDate, kind: warning.kind, action: warning.action, message: warning.message, games: warning.games })),
    ),
    results: summary.results.map((result) => ({
      game_date: result.gameDate,
      outcome: result.outcome,
      duration_ms: result.durationMs,
      unchanged_since: result.unchangedSince?.runId ?? null,
      held_back_games: heldBackJson(heldBackOfDate(result.actions)),
      actions: result.actions.map(actionJson),
    })),
  };
}
