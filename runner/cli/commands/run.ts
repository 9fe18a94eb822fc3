/** `runner run`: run the models for a date or a range, level by level, with gates and checks. */
import { Command } from "commander";
import { z } from "zod";
import { BadInputError } from "../../errors.ts";
import { plannedStatements } from "../../execution/dry_run.ts";
import { describeFullRefresh, fullRefreshJson, fullRefreshStatements, fullRefreshText, historyDates } from "../../execution/full_refresh.ts";
import { DEFAULT_CONCURRENCY, heldBackOfDate, newRunId, planForWindow, runProject, runWindows, summaryJson, warningsOf, type RunSummary } from "../../execution/run.ts";
import { defenseChecks } from "../../checks/defense.ts";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { parseRunDates, RUN_DATE_FLAGS, type RunDates } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { engineKindOf, warehousePath } from "../../engines/open.ts";
import { Logger } from "../../log.ts";
import { planToText } from "../../plan/render.ts";
import {
  addDateOptions,
  addExamples,
  addProjectOption,
  addSelectionOptions,
  addWarehouseOption,
  addBudgetOption,
  selectionFrom,
  varsFrom,
  overridesFrom,
  DateOptionsSchema,
  parseOptions,
  ProjectOptionsSchema,
  SelectionOptionsSchema,
  WarehouseOptionsSchema,
  wholeNumberFlag,
  type CliIO,
  type WarehouseOptions,
} from "../options.ts";
import { ProgressDisplay, rangeSummary } from "../progress.ts";
import { recordInterruption, watchInterrupt, type InFlight } from "../interrupt.ts";
import { LedgerBuffer } from "../../execution/executor.ts";
import { rawTables } from "../../load/raw_tables.ts";
import { rangePlanner } from "../../server/planner.ts";

const RunOptionsSchema = z.object({
  ...DateOptionsSchema.shape,
  ...ProjectOptionsSchema.shape,
  ...SelectionOptionsSchema.shape,
  ...WarehouseOptionsSchema.shape,
  fullRefresh: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  ignoreGates: z.boolean().optional(),
  batch: z.boolean().optional(),
  force: z.boolean().optional(),
  concurrency: wholeNumberFlag().optional(),
});

function summaryText(summary: RunSummary): string {
  const verdict = {
    success: "succeeded",
    warnings: "succeeded WITH WARNINGS (exit 0; see below)",
    not_ready: "NOT READY (retry later, exit 75)",
    failed: "FAILED (exit 1)",
  }[summary.outcome];
  const lines = [`Run ${summary.runId} ${verdict} in ${(summary.durationMs / 1000).toFixed(1)}s`];
  for (const result of summary.results) {
    if (result.unchangedSince) {
      lines.push(`${result.gameDate}  ${result.outcome}, not run again: unchanged since ${result.unchangedSince.runId} (--force runs it)  (${(result.durationMs / 1000).toFixed(1)}s)`);
      continue;
    }
    lines.push(`${result.gameDate}  ${result.outcome}  (${(result.durationMs / 1000).toFixed(1)}s)`);
    const width = Math.max(...result.actions.map((action) => action.action.length));
    for (const action of result.actions.filter((candidate) => candidate.role !== "assertion" || candidate.status !== "succeeded")) {
      const counts =
        action.rowsStaged !== null
          ? `  staged ${action.rowsStaged}  written ${action.rowsWritten}${action.rowsQuarantined ? `  quarantined ${action.rowsQuarantined}` : ""}  games ${action.games}`
          : "";
      const note = action.message ? `  ${action.message}` : "";
      lines.push(`  ${action.role.padEnd(9)} ${action.action.padEnd(width)}  ${action.status.padEnd(9)}${counts}${note}`);
    }
    const assertions = result.actions.filter((action) => action.role === "assertion");
    const passed = assertions.filter((action) => action.status === "succeeded").length;
    if (assertions.length > 0) lines.push(`  ${passed}/${assertions.length} assertions passed`);
    const held = heldBackOfDate(result.actions);
    if (held.length > 0) {
      lines.push(`  held back ${held.length} game(s):`);
      for (const game of held) lines.push(`    ${game.gameId}  ${game.reason}: ${game.detail}`);
    }
    const warnings = warningsOf(result.actions).filter((warning) => warning.kind !== "held_back");
    if (warnings.length > 0) {
      lines.push(`  warnings:`);
      for (const warning of warnings) lines.push(`    ${warning.kind} ${warning.action}: ${warning.message}`);
    }
  }
  lines.push(...rangeSummary(summary.results));
  return lines.join("\n");
}

export function runCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("run")
    .summary("run the models for a date or a date range")
    .description(
      "Compiles the project for each date, then runs its actions level by level: gates first (a gate that finds " +
        "data missing stops its dependents as NOT READY, exit 75), then models through a staged write (stage, " +
        "checks, MERGE on the unique key restricted to the run dates, checks), then assertions. A range runs date " +
        "by date, in order (a --full-refresh as one window). A date whose code, plan and tables read are those of its last " +
        "successful run, with nothing written since, is not run again (unchanged; --force runs it). Every action is recorded in the runner's ledger (nba_orchestration.phase3_runner_runs by default).\n\n" +
        "Exit codes: 0 success (also with warnings: a gate bypassed or ignored, games held back, all named in " +
        "the summary), 1 a model or check failed (including a game held back for a rejected row), 2 bad input, " +
        "75 not ready (retry later).",
    )
    .option(
      "--full-refresh",
      "rebuild the models from source over the run dates (without dates: all the history of the raw tables) and replace each table atomically with the model's current structure; other dates and held-back games keep their rows",
    )
    .option("--dry-run", "print the plan and the SQL that would run; write nothing")
    .option("--json", "print a machine-readable summary on stdout")
    .option("--ignore-gates", "do not evaluate readiness gates (backfills of old dates; recorded as ignored, a warning)")
    .option("--batch", "run a range as one window (one MERGE per model for all its dates): faster backfills")
    .option(
      "--force",
      "run a date even when its inputs are unchanged since its last successful run (by default such a date is not run again, and the summary names that run)",
    )
    .option(
      "--concurrency <n>",
      `actions of one level run at most this many at a time (default: ${DEFAULT_CONCURRENCY} on BigQuery; on the local warehouse one per core, 1 to ${DEFAULT_CONCURRENCY})`,
    );
  addDateOptions(command);
  addSelectionOptions(command);
  addWarehouseOption(command);
  addBudgetOption(command);
  addProjectOption(command);
  addExamples(command, [
    "runner run --date 2024-01-15",
    "runner run --start-date 2025-01-01 --end-date 2025-01-28 --json > /tmp/run.json",
    "runner run --date 2025-01-15 --actions player_game_summary          # with its gates, not its upstream models",
    "runner run --date 2025-01-15 --actions player_game_summary --include-deps",
    "runner run --date 2025-01-15 --dry-run",
    "runner run --date 2025-01-15 --force                                # again, although nothing changed since its last run",
    "runner run --full-refresh --start-date 2025-01-01 --end-date 2025-01-28 --dry-run   # what it rebuilds, how many rows it replaces",
    "runner run --full-refresh --actions player_game_summary --include-deps              # all the history",
  ]);
  return command.action(async (raw: unknown) => {
    const options = parseOptions(RunOptionsSchema, raw, "run");
    const fullRefresh = Boolean(options.fullRefresh);
    // --full-refresh without dates rebuilds all the history; its dates come from the warehouse.
    const allHistory = fullRefresh && options.date === undefined && options.startDate === undefined && options.endDate === undefined;
    const dates: RunDates | undefined = allHistory ? undefined : parseRunDates(options);
    const { concurrency } = options;
    const selection = selectionFrom(options);
    const vars = varsFrom(options);
    const overrides = overridesFrom(options);
    const planFor = (window: Pick<RunDates, "start" | "end">) => planForWindow({ projectDir: options.project, selection, vars, overrides }, window);

    /** A full refresh runs the range as one window (one rebuild per model); a normal run date by date. */
    const plannedDays = (all: RunDates) => {
      const windows = fullRefresh ? [all] : all.dates.map((gameDate) => ({ start: gameDate, end: gameDate, dates: [gameDate] }));
      return windows.map((window) => {
        const plan = planFor(window);
        // gameDate: the date the BigQuery estimates bind the run dates to (a window's first).
        return { gameDate: window.start, window, plan, statements: plannedStatements(plan, window) };
      });
    };
    /** All the history of the selected models (--full-refresh without dates); the window compiled for does not change their sources. */
    const historyOf = async (engine: Engine): Promise<RunDates> => {
      const today = new Date().toISOString().slice(0, 10);
      const history = await historyDates(engine, planFor({ start: today, end: today }));
      if (!history) {
        throw new BadInputError("no_history", "--full-refresh without dates rebuilds all the history, but the raw tables the selected models read hold no rows", {
          suggestion: `Load data first (\`runner seed\` or \`runner load\`), or give ${RUN_DATE_FLAGS}.`,
        });
      }
      return history;
    };

    if (options.dryRun && fullRefresh) {
      // What the refresh rebuilds and how many rows it replaces: read from the warehouse when there is one.
      let engine: Engine | undefined;
      let reason: string | undefined;
      try {
        engine = await openEngine({ ...options, access: "read" });
      } catch (error) {
        if (!dates) throw error;
        reason = error instanceof Error ? error.message : String(error);
      }
      try {
        const all = dates ?? (await historyOf(engine as Engine));
        const [day] = plannedDays(all);
        if (!day) throw new Error("a full refresh plans one window");
        const refresh = await describeFullRefresh(engine, day.plan, all, { allHistory, ...(reason ? { reason } : {}) });
        const statements = fullRefreshStatements(day.plan, day.statements, all);
        const estimate =
          engine && engineKindOf(options) === "bigquery"
            ? await (await import("../../engines/bigquery/dry_run.ts")).estimateDryRun(engine, [day], { projectDir: options.project, fullRefresh, ignoreGates: Boolean(options.ignoreGates) })
            : undefined;
        if (options.json) {
          io.stdout(JSON.stringify({ dry_run: true, full_refresh: fullRefreshJson(refresh), dates: [{ game_date: `${all.start}..${all.end}`, actions: statements }] }, null, 2));
        } else {
          io.stdout(planToText(day.plan, all));
          io.stdout(fullRefreshText(refresh));
          for (const planned of statements) {
            for (const statement of planned.statements) io.stdout(`\n-- ${planned.action} (level ${planned.level}): ${statement.purpose}\n${statement.sql.trim()};`);
          }
        }
        if (estimate) {
          const { checkEstimate, estimateText } = await import("../../engines/bigquery/dry_run.ts");
          if (!options.json) io.stdout(estimateText(estimate));
          checkEstimate(estimate);
        }
      } finally {
        await engine?.close();
      }
      setExit(0);
      return;
    }
    if (options.dryRun) {
      const days = plannedDays(parseRunDates(options));
      if (engineKindOf(options) === "bigquery") {
        // Dry-run jobs on BigQuery: bytes per action and in total, refused above the budget.
        const engine = await openEngine(options);
        try {
          const { checkEstimate, estimateDryRun, estimateJson, estimateText } = await import("../../engines/bigquery/dry_run.ts");
          const estimate = await estimateDryRun(engine, days, { projectDir: options.project, ignoreGates: Boolean(options.ignoreGates) });
          if (options.json) {
            io.stdout(JSON.stringify(estimateJson(estimate), null, 2));
          } else {
            for (const day of days) io.stdout(planToText(day.plan, { start: day.gameDate, end: day.gameDate }));
            io.stdout(estimateText(estimate));
          }
          checkEstimate(estimate);
        } finally {
          await engine.close();
        }
        setExit(0);
        return;
      }
      if (options.json) {
        io.stdout(JSON.stringify({ dry_run: true, dates: days.map((day) => ({ game_date: day.gameDate, actions: day.statements })) }, null, 2));
      } else {
        for (const day of days) {
          io.stdout(planToText(day.plan, { start: day.gameDate, end: day.gameDate }));
          for (const planned of day.statements) {
            for (const statement of planned.statements) io.stdout(`\n-- ${planned.action} (level ${planned.level}): ${statement.purpose}\n${statement.sql.trim()};`);
          }
        }
      }
      setExit(0);
      return;
    }

    const local = engineKindOf(options) === "local";
    const progress = new ProgressDisplay(io);
    const log = new Logger({}, progress.logSink());
    // Over a range (from the bundle), a worker thread compiles each next date while one runs.
    const windows = dates ? runWindows(dates, { batch: Boolean(options.batch), fullRefresh }).length : 1;
    const runId = newRunId();
    const planner = rangePlanner({ projectDir: options.project, selection, vars, overrides }, windows, log.child({ run_id: runId }));
    let engine: Engine;
    try {
      engine = await openEngine({ ...options, access: "write" });
    } catch (error) {
      await planner?.close();
      throw error;
    }
    // Ledger rows wait for the end of their level; Ctrl-C writes them before the interrupted ones.
    const ledger = new LedgerBuffer(engine);
    const inFlight: InFlight = { gameDate: undefined, running: new Map() };
    const interrupt = watchInterrupt();
    let interrupted = false;
    try {
      if (local) await requireRawTables(engine, options.warehouse);
      const all = dates ?? (await historyOf(engine));
      if (engineKindOf(options) === "bigquery") {
        const { enforceBudget } = await import("../../engines/bigquery/dry_run.ts");
        await enforceBudget(engine, plannedDays(all), { projectDir: options.project, fullRefresh, ignoreGates: Boolean(options.ignoreGates) });
      }
      const running = runProject(engine, {
        projectDir: options.project,
        overrides,
        runId,
        dates: all,
        selection,
        fullRefresh: Boolean(options.fullRefresh),
        ignoreGates: Boolean(options.ignoreGates),
        batch: Boolean(options.batch),
        force: Boolean(options.force),
        trigger: "cli",
        concurrency,
        checks: defenseChecks(options.project ?? PROJECT_DIR),
        vars,
        ledger,
        ...(planner ? { planWindow: planner.planWindow } : {}),
        log,
        onDate: (event) => {
          inFlight.gameDate = event.gameDate;
          progress.onDate(event);
        },
        onAction: (event) => {
          if (event.phase === "start") inFlight.running.set(event.action.id, { action: event.action, startedAt: new Date() });
          else inFlight.running.delete(event.action.id);
          progress.onAction(event);
        },
      });
      const summary = await Promise.race([running, interrupt.interrupted]);
      if (summary === "interrupted") {
        interrupted = true;
        progress.finish();
        io.stderr("interrupted");
        const window = inFlight.gameDate ?? all.start;
        const levels = new Map<string, number>();
        planForWindow({ projectDir: options.project, selection, vars, overrides }, { start: window.slice(0, 10), end: window.slice(-10) }).levels.forEach((level, index) => {
          for (const action of level) levels.set(action.id, index);
        });
        await ledger.flush();
        throw await recordInterruption(engine, runId, inFlight, (action) => levels.get(action.id) ?? -1);
      }
      progress.finish();
      io.stdout(options.json ? JSON.stringify(summaryJson(summary), null, 2) : summaryText(summary));
      setExit(summary.exitCode);
    } finally {
      interrupt.dispose();
      await planner?.close();
      // After Ctrl-C a statement may still be running: the process exits instead, which discards
      // its uncommitted work as a crash would.
      if (!interrupted) await engine.close();
    }
  });
}

/**
 * A local warehouse without the raw tables was never loaded: bad input, not "not ready" (a
 * scheduler would retry it forever). Raw tables present without the date's rows stay not ready.
 */
async function requireRawTables(engine: Engine, warehouse: string | undefined): Promise<void> {
  const dataset = rawTables().dataset;
  if ((await engine.listTables(dataset)).length > 0) return;
  throw new BadInputError("warehouse_not_loaded", `warehouse ${warehousePath(warehouse)} has no ${dataset} tables: nothing was loaded into it`, {
    suggestion: "Load data first: `runner seed --start-date ... --end-date ...` (synthetic) or `runner load <payload files>` (real), then run again.",
  });
}
