/**
 * `runner run --target bigquery --dry-run`: a dry-run job for every statement of the plan (the
 * statements of execution/dry_run.ts, named as the engine names them), the bytes each would
 * process per action and in total, and a budget that refuses the run before anything executes.
 *
 * Some statements cannot be dry-run: those reading the stage (it exists only during a run), and
 * those reading a table that does not exist yet (a model's first run). They are listed as not
 * estimated, with BigQuery's reason, instead of failing the dry run. The stage statement is
 * estimated as its query: the bytes of CREATE TABLE ... AS are those of the query.
 */
import { BadInputError, DataFailureError } from "../../errors.ts";
import { rangeOf } from "../../dates.ts";
import { plannedStatements } from "../../execution/dry_run.ts";
import { stageStatement } from "../../execution/statements.ts";
import type { Plan } from "../../plan/plan.ts";
import { param, type Engine, type QueryParams } from "../engine.ts";
import { formatBytes } from "./config.ts";
import { BigQueryEngine } from "./engine.ts";
import { mapWithConcurrency } from "../../pool.ts";

/** The run id the planned statements name their stages with. */
const DRY_RUN_ID = "dry_run";
/** Dry-run jobs in flight at once. */
const CONCURRENCY = 4;

export interface StatementEstimate {
  purpose: string;
  sql: string;
  /** Bytes processed, or undefined when the statement could not be estimated. */
  bytes: number | undefined;
  /** Why it was not estimated (a table that exists only later). */
  note: string | undefined;
  /** A real problem BigQuery found (syntax, permission): the run would fail. */
  error: string | undefined;
}

export interface ActionEstimate {
  action: string;
  level: number;
  role: string;
  bytes: number;
  statements: StatementEstimate[];
}

export interface DryRunEstimate {
  project: string;
  location: string;
  dates: { gameDate: string; actions: ActionEstimate[] }[];
  totalBytes: number;
  estimated: number;
  notEstimated: number;
  errors: number;
  budgetBytes: number | undefined;
  overBudget: boolean;
}

/** The run's parameters, for the statements that use them (@staged_games is unknown before a run). */
function paramsFor(sql: string, gameDate: string): QueryParams {
  const all: QueryParams = { start_date: param.date(gameDate), end_date: param.date(gameDate), staged_games: param.strings([]) };
  return Object.fromEntries(Object.entries(all).filter(([name]) => new RegExp(`@${name}\\b`).test(sql)));
}

async function estimateStatement(engine: BigQueryEngine, action: string, gameDate: string, purpose: string, sql: string): Promise<StatementEstimate> {
  const stage = engine.stagingTable(action, DRY_RUN_ID);
  const stagePrefix = stageStatement(engine, stage, "");
  const query = sql.startsWith(stagePrefix) ? sql.slice(stagePrefix.length) : sql;
  const base = { purpose, sql, bytes: undefined, note: undefined, error: undefined };
  if (query.includes(engine.qualify(stage))) {
    return { ...base, note: "reads the stage, which exists only during a run" };
  }
  try {
    const bytes = await engine.estimateBytes(query, { params: paramsFor(query, gameDate), context: { action, gameDate, runId: DRY_RUN_ID } });
    return { ...base, bytes };
  } catch (error) {
    if (!(error instanceof DataFailureError)) throw error;
    // A table the run creates before this statement (an upstream model's first run) is missing now.
    if (error.code === "bigquery_not_found") return { ...base, note: error.message.replace(`${action}: `, "") };
    return { ...base, error: error.message };
  }
}

/** Dry-runs every statement of the plans (one per date) on BigQuery. */
export async function estimateDryRun(engine: Engine, days: { gameDate: string; plan: Plan }[]): Promise<DryRunEstimate> {
  if (!(engine instanceof BigQueryEngine)) {
    throw new BadInputError("dry_run_estimate_needs_bigquery", "byte estimates need --target bigquery");
  }
  const dates: DryRunEstimate["dates"] = [];
  for (const { gameDate, plan } of days) {
    const planned = plannedStatements(plan, rangeOf(gameDate, gameDate), engine);
    const jobs = planned.flatMap((action) => action.statements.map((statement) => ({ action, statement })));
    const estimates = await mapWithConcurrency(jobs, CONCURRENCY, ({ action, statement }) =>
      estimateStatement(engine, action.action, gameDate, statement.purpose, statement.sql),
    );
    let index = 0;
    const actions = planned.map((action) => {
      const statements = action.statements.map(() => estimates[index++] as StatementEstimate);
      const bytes = statements.reduce((sum, statement) => sum + (statement.bytes ?? 0), 0);
      return { action: action.action, level: action.level, role: action.role, bytes, statements };
    });
    dates.push({ gameDate, actions });
  }
  const statements = dates.flatMap((date) => date.actions.flatMap((action) => action.statements));
  const totalBytes = statements.reduce((sum, statement) => sum + (statement.bytes ?? 0), 0);
  const budgetBytes = engine.settings.maxBytesEstimate;
  return {
    project: engine.settings.project,
    location: engine.settings.location,
    dates,
    totalBytes,
    estimated: statements.filter((statement) => statement.bytes !== undefined).length,
    notEstimated: statements.filter((statement) => statement.note !== undefined).length,
    errors: statements.filter((statement) => statement.error !== undefined).length,
    budgetBytes,
    overBudget: budgetBytes !== undefined && totalBytes > budgetBytes,
  };
}

function bytesText(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes.toLocaleString("en-US")} bytes)`;
}

export function estimateText(estimate: DryRunEstimate): string {
  const lines: string[] = [];
  for (const date of estimate.dates) {
    lines.push(`BigQuery dry run for ${date.gameDate} (project ${estimate.project}, location ${estimate.location}): bytes processed per action`);
    const width = Math.max(...date.actions.map((action) => action.action.length));
    for (const action of date.actions) {
      const counted = action.statements.some((statement) => statement.bytes !== undefined);
      lines.push(`  level ${action.level}  ${action.action.padEnd(width)}  ${counted ? formatBytes(action.bytes) : "-"}`);
      // One line per reason: "create target if missing, publish: not estimated, reads the stage...".
      const reasons = new Map<string, string[]>();
      for (const statement of action.statements.filter((candidate) => candidate.bytes === undefined)) {
        const reason = statement.error ? `ERROR ${statement.error}` : `not estimated, ${statement.note}`;
        reasons.set(reason, [...(reasons.get(reason) ?? []), statement.purpose.split(" (")[0] ?? statement.purpose]);
      }
      for (const [reason, purposes] of reasons) lines.push(`      ${purposes.join(", ")}: ${reason}`);
    }
  }
  lines.push(
    `Total: ${bytesText(estimate.totalBytes)} for ${estimate.estimated} statement(s)` +
      (estimate.notEstimated ? `; ${estimate.notEstimated} not estimated (they read tables that exist only during or after the run)` : ""),
  );
  if (estimate.budgetBytes !== undefined) {
    lines.push(
      estimate.overBudget
        ? `Budget: ${bytesText(estimate.budgetBytes)}: the estimate EXCEEDS it; nothing was run.`
        : `Budget: ${bytesText(estimate.budgetBytes)}: within budget.`,
    );
  }
  return lines.join("\n");
}

export function estimateJson(estimate: DryRunEstimate) {
  return {
    dry_run: true,
    target: "bigquery",
    project: estimate.project,
    location: estimate.location,
    total_bytes: estimate.totalBytes,
    budget_bytes: estimate.budgetBytes ?? null,
    over_budget: estimate.overBudget,
    dates: estimate.dates.map((date) => ({
      game_date: date.gameDate,
      actions: date.actions.map((action) => ({
        action: action.action,
        level: action.level,
        role: action.role,
        bytes: action.bytes,
        statements: action.statements.map((statement) => ({
          purpose: statement.purpose,
          bytes: statement.bytes ?? null,
          note: statement.note ?? null,
          error: statement.error ?? null,
          sql: statement.sql,
        })),
      })),
    })),
  };
}

/** The outcome of a dry run: over budget is refused (bad input), a statement BigQuery rejects fails. */
export function checkEstimate(estimate: DryRunEstimate): void {
  if (estimate.errors > 0) {
    const first = estimate.dates.flatMap((date) => date.actions.flatMap((action) => action.statements)).find((statement) => statement.error);
    throw new DataFailureError("dry_run_failed", `${estimate.errors} statement(s) failed the BigQuery dry run: ${first?.error ?? ""}`);
  }
  if (estimate.overBudget && estimate.budgetBytes !== undefined) {
    throw new BadInputError(
      "over_budget",
      `the run would process ${formatBytes(estimate.totalBytes)}, over the budget of ${formatBytes(estimate.budgetBytes)}: refused before anything ran`,
      { suggestion: "Narrow the run (--actions, fewer dates) or raise --max-bytes / maxBytesEstimate." },
    );
  }
}

/**
 * Before a real run on BigQuery: when a budget is configured, estimate every statement first and
 * refuse the run, before anything executes, if the total is over it.
 */
export async function enforceBudget(engine: Engine, days: { gameDate: string; plan: Plan }[]): Promise<void> {
  if (!(engine instanceof BigQueryEngine) || engine.settings.maxBytesEstimate === undefined) return;
  checkEstimate(await estimateDryRun(engine, days));
}
