/** `runner run`: run the models for a date or a range, level by level, with gates and checks. */
import { Command, Option } from "commander";
import { z } from "zod";
import { BadInputError } from "../../errors.ts";
import { plannedStatements } from "../../execution/dry_run.ts";
import { DEFAULT_CONCURRENCY, heldBackOfDate, newRunId, planForWindow, runProject, summaryJson, warningsOf, type RunSummary } from "../../execution/run.ts";
import { defenseChecks } from "../../checks/defense.ts";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { parseRunDates } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { targetOf, warehousePath } from "../../engines/open.ts";
import { Logger } from "../../log.ts";
import { planToText } from "../../plan/render.ts";
import {
  addDateOptions,
  addProjectOption,
  addSelectionOptions,
  addWarehouseOption,
  addBudgetOption,
  selectionFrom,
  varsFrom,
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
import { rawTables } from "../../load/raw_tables.ts";

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
  concurrency: wholeNumberFlag(1),
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
        "by date, in order. Every action is recorded in nba_orchestration.processor_run_history.\n\n" +
        "Exit codes: 0 success (also with warnings: a gate bypassed or ignored, games held back, all named in " +
        "the summary), 1 a model or check failed (including a game held back for a rejected row), 2 bad input, " +
        "75 not ready (retry later).",
    )
    .option("--full-refresh", "recreate the tables (only the run dates remain in them) instead of merging")
    .option("--dry-run", "print the plan and the SQL that would run; write nothing")
    .option("--json", "print a machine-readable summary on stdout")
    .option("--ignore-gates", "do not evaluate readiness gates (backfills of old dates; recorded as ignored, a warning)")
    .option("--batch", "run a range as one window (one MERGE per model for all its dates): faster backfills")
    .addOption(new Option("--concurrency <n>", "actions of one level run at most this many at a time").default(String(DEFAULT_CONCURRENCY)));
  addDateOptions(command);
  addSelectionOptions(command);
  addWarehouseOption(command);
  addBudgetOption(command);
  addProjectOption(command);
  command.addHelpText(
    "after",
    "\nExamples:\n" +
      "  runner run --date 2024-01-15\n" +
      "  runner run --start-date 2025-01-01 --end-date 2025-01-28 --json > /tmp/run.json\n" +
      "  runner run --date 2025-01-15 --actions player_game_summary          # with its gates, not its upstream models\n" +
      "  runner run --date 2025-01-15 --actions player_game_summary --include-deps\n" +
      "  runner run --date 2025-01-15 --dry-run",
  );
  return command.action(async (raw: unknown) => {
    const options = parseOptions(RunOptionsSchema, raw, "run");
    const dates = parseRunDates(options);
    const { concurrency } = options;
    const selection = selectionFrom(options);
    const vars = varsFrom(options);

    const plannedDays = () =>
      dates.dates.map((gameDate) => {
        const plan = planForWindow({ projectDir: options.project, selection, vars }, { start: gameDate, end: gameDate });
        return { gameDate, plan, statements: plannedStatements(plan, { start: gameDate, end: gameDate, dates: [gameDate] }) };
      });
    if (options.dryRun) {
      const days = plannedDays();
      if (targetOf(options) === "bigquery") {
        // Dry-run jobs on BigQuery: bytes per action and in total, refused above the budget.
        const engine = await openEngine(options);
        try {
          const { checkEstimate, estimateDryRun, estimateJson, estimateText } = await import("../../engines/bigquery/dry_run.ts");
          const estimate = await estimateDryRun(engine, days);
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

    const local = targetOf(options) === "local";
    const engine = await openEngine({ ...options, access: "write" });
    const progress = new ProgressDisplay(io);
    const runId = newRunId();
    const inFlight: InFlight = { gameDate: undefined, running: new Map() };
    const interrupt = watchInterrupt();
    let interrupted = false;
    try {
      if (local) await requireRawTables(engine, options.warehouse);
      if (targetOf(options) === "bigquery") {
        const { enforceBudget } = await import("../../engines/bigquery/dry_run.ts");
        await enforceBudget(engine, plannedDays());
      }
      const running = runProject(engine, {
        projectDir: options.project,
        runId,
        dates,
        selection,
        fullRefresh: Boolean(options.fullRefresh),
        ignoreGates: Boolean(options.ignoreGates),
        batch: Boolean(options.batch),
        trigger: "cli",
        concurrency,
        checks: defenseChecks(options.project ?? PROJECT_DIR),
        vars,
        log: new Logger({}, progress.logSink()),
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
        const window = inFlight.gameDate ?? dates.start;
        const levels = new Map<string, number>();
        planForWindow({ projectDir: options.project, selection, vars }, { start: window.slice(0, 10), end: window.slice(-10) }).levels.forEach((level, index) => {
          for (const action of level) levels.set(action.id, index);
        });
        throw await recordInterruption(engine, runId, inFlight, (action) => levels.get(action.id) ?? -1);
      }
      progress.finish();
      io.stdout(options.json ? JSON.stringify(summaryJson(summary), null, 2) : summaryText(summary));
      setExit(summary.exitCode);
    } finally {
      interrupt.dispose();
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
