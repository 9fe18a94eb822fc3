/**
 * Post-write checks, scoped to what the run just wrote: its dates and the games it staged. Severity
 * works like dbt's: a failing warning is logged and the run goes on; a failing error fails the
 * action (exit 1) and its dependents are skipped.
 */
import { param } from "../engines/engine.ts";
import type { CheckResult, StagedWrite } from "../execution/write.ts";
import { REPLACE_SCOPE_COLUMN } from "../execution/statements.ts";
import { postWriteChecks } from "./templates.ts";

export async function runPostWriteChecks(projectDir: string, write: StagedWrite): Promise<CheckResult[]> {
  const { engine, action, log } = write;
  const checks = postWriteChecks(projectDir, {
    model: action.name,
    target: engine.qualify(write.target),
    stage: engine.qualify(write.stage),
    key_columns: action.uniqueKey.join(", "),
    window_column: write.windowColumn,
    scope_column: REPLACE_SCOPE_COLUMN,
  });
  const params = {
    start_date: param.date(write.dates.start),
    end_date: param.date(write.dates.end),
    staged_games: param.strings(write.stagedGames),
  };
  const results: CheckResult[] = [];
  for (const check of checks) {
    const rows = await engine.query(check.sql, { params, context: { action: action.name, runId: write.runId, gameDate: write.dates.start } });
    results.push({
      check: check.name,
      phase: "post-write",
      severity: check.severity,
      passed: rows.length === 0,
      rows: rows.length,
      message: rows.length === 0 ? check.reason : `${check.reason}: ${JSON.stringify(rows.slice(0, 3))}`,
    });
  }

  const summary = `${write.rowsStaged} rows, ${write.stagedGames.length} games`;
  const failed = results.filter((result) => !result.passed && result.severity === "error");
  const warned = results.filter((result) => !result.passed && result.severity === "warning");
  for (const result of warned) log.warn(`POST_WRITE_VALIDATION WARNING for ${action.name}: ${result.check} (${result.rows} rows) ${result.message}`);
  if (failed.length > 0) {
    log.error(`POST_WRITE_VALIDATION FAILED for ${action.name} (${summary}): ${failed.map((result) => `${result.check}: ${result.message}`).join("; ")}`);
  } else {
    log.info(`POST_WRITE_VALIDATION PASSED for ${action.name} (${summary}; ${results.length} checks${warned.length ? `, ${warned.length} warnings` : ""})`);
  }
  return results;
}
