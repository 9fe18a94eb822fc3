/**
 * A run: for each date of the range, in order, compile the project with that date, plan the
 * selected actions and execute them. The outcome of the whole run maps to the exit codes of
 * DESIGN section 6.
 */
import { randomBytes } from "node:crypto";
import { compileProject } from "../compile/compile.ts";
import { rangeOf, type RunDates } from "../dates.ts";
import type { Engine } from "../engines/engine.ts";
import { ExitCode } from "../errors.ts";
import { ensureLedger } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import { buildProjectGraph, type Action } from "../plan/actions.ts";
import { plan as planActions, type Plan, type Selection } from "../plan/plan.ts";
import { executePlan, heldBackJson, type ActionOutcome } from "./executor.ts";
import { ensureHeldBackTable, type HeldBackGame } from "./held_back.ts";
import type { WriteChecks } from "./write.ts";

/** Actions of one level run at most this many at a time unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

export type RunOutcome = "success" | "not_ready" | "failed";

export interface DateResult {
  gameDate: string;
  outcome: RunOutcome;
  durationMs: number;
  actions: ActionOutcome[];
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
  /** Run the whole range as one window (one compile, one MERGE per model) instead of date by date. */
  batch?: boolean;
  trigger: string;
  concurrency: number;
  checks: WriteChecks;
  vars?: Record<string, string>;
  runId?: string;
  log: Logger;
  onDate?: (event: { gameDate: string; index: number; total: number; phase: "start" | "end"; result?: DateResult }) => void;
  onAction?: (event: { action: Action; phase: "start" | "end"; outcome?: ActionOutcome }) => void;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return `run_${stamp}_${randomBytes(3).toString("hex")}`;
}

/** not ready (retry) outranks failed: a redelivery may fix the first, and replays the second harmlessly. */
export function outcomeOf(actions: ActionOutcome[]): RunOutcome {
  if (actions.some((action) => action.status === "blocked")) return "not_ready";
  if (actions.some((action) => action.status === "failed")) return "failed";
  return "success";
}

export function exitCodeOf(outcome: RunOutcome): number {
  return outcome === "success" ? ExitCode.success : outcome === "not_ready" ? ExitCode.notReady : ExitCode.dataFailure;
}

/** Compiles and plans one window (a date, or a whole range in batch mode): what a run of it would execute. */
export function planForWindow(options: Pick<RunOptions, "projectDir" | "selection" | "vars">, window: Pick<RunDates, "start" | "end">): Plan {
  const compiled = compileProject({ projectDir: options.projectDir, dates: window, vars: options.vars });
  return planActions(buildProjectGraph(compiled), options.selection);
}

export async function runProject(engine: Engine, options: RunOptions): Promise<RunSummary> {
  const runId = options.runId ?? newRunId();
  const log = options.log.child({ run_id: runId });
  const started = Date.now();
  await ensureLedger(engine);
  await ensureHeldBackTable(engine);
  const results: DateResult[] = [];

  const windows = options.batch ? [options.dates] : options.dates.dates.map((gameDate) => rangeOf(gameDate, gameDate));
  const total = windows.length;
  for (const [index, window] of windows.entries()) {
    const gameDate = window.start === window.end ? window.start : `${window.start}..${window.end}`;
    options.onDate?.({ gameDate, index, total, phase: "start" });
    const dateStarted = Date.now();
    const plan = planForWindow(options, window);
    const actions = await executePlan(
      {
        engine,
        runId,
        trigger: options.trigger,
        dates: window,
        // A full refresh recreates the tables once, with the first date; later dates merge into them.
        fullRefresh: options.fullRefresh && index === 0,
        ignoreGates: options.ignoreGates,
        concurrency: options.concurrency,
        checks: options.checks,
        log: log.child({ game_date: gameDate }),
        onAction: options.onAction,
      },
      plan,
    );
    const result: DateResult = { gameDate, outcome: outcomeOf(actions), durationMs: Date.now() - dateStarted, actions };
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
  const severity = outcome === "success" ? "NOTICE" : outcome === "not_ready" ? "WARNING" : "ERROR";
  log.log(severity, `Run ${outcome === "success" ? "succeeded" : outcome === "not_ready" ? "NOT READY (retry later)" : "FAILED"} for ${options.dates.dates.length} date(s)`, {
    outcome,
    duration_ms: summary.durationMs,
  });
  return summary;
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
    results: summary.results.map((result) => ({
      game_date: result.gameDate,
      outcome: result.outcome,
      duration_ms: result.durationMs,
      held_back_games: heldBackJson(heldBackOfDate(result.actions)),
      actions: result.actions.map(actionJson),
    })),
  };
}
