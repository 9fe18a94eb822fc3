/**
 * Post-write checks, scoped to what the run just wrote: its dates and the games it staged. Severity
 * works like dbt's: a failing warning is logged and the run goes on; a failing error fails the
 * action (exit 1) and its dependents are skipped.
 */
import { DataFailureError } from "../errors.ts";
import { param } from "../engines/engine.ts";
import type { CheckResult, StagedWrite } from "../execution/write.ts";
import { REPLACE_SCOPE_COLUMN, rowCountsOf, rowCountsStatement } from "../execution/statements.ts";
import { postWriteChecks } from "./templates.ts";

/** Rows of a failing check quoted in its message. */
const EXAMPLE_ROWS = 3;

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
  const options = { params, context: { action: action.name, runId: write.runId, gameDate: write.dates.start } };
  const examplesOf = (sql: string, queryOptions: typeof options) => engine.query(`SELECT * FROM (\n${sql}\n) AS check_rows LIMIT ${EXAMPLE_ROWS}`, queryOptions);
  // One query counts what every check finds, a row per check; only a check that found rows is
  // asked for examples. No row at all is the dry run's answer to every query (it evaluates
  // nothing), taken as each check's rows were: none.
  let counts: (number | undefined)[] | undefined;
  if (checks.length > 0) {
    try {
      const counted = await engine.query(rowCountsStatement(checks.map((check) => check.sql)), options);
      if (counted.length > 0) counts = rowCountsOf(counted, checks.length);
    } catch (error) {
      // The error of the check that cannot run, on its own, names it better than the combined query.
      for (const check of checks) await engine.query(check.sql, options);
      throw error;
    }
  }
  const results: CheckResult[] = [];
  for (const [index, check] of checks.entries()) {
    const count = counts === undefined ? 0 : counts[index];
    // Fail closed: a row without the check's count is not a pass.
    if (count === undefined || count === null) {
      throw new DataFailureError("check_unevaluated", `${action.name}: the post-write check ${check.name} returned no count`);
    }
    const rows = Number(count);
    results.push({
      check: check.name,
      phase: "post-write",
      severity: check.severity,
      passed: rows === 0,
      rows,
      message: rows === 0 ? check.reason : `${check.reason}: ${JSON.stringify(await examplesOf(check.sql, options))}`,
    });
  }
  // A window of several dates: the checks that found rows are counted again date by date (their
  // SQL is scoped by @start_date and @end_date), so each date's ledger row says what is its own.
  const found = checks.filter((_, index) => !results[index]?.passed);
  if (write.dates.dates.length > 1 && found.length > 0) {
    for (const gameDate of write.dates.dates) {
      const dateOptions = { ...options, params: { ...params, start_date: param.date(gameDate), end_date: param.date(gameDate) } };
      const dateCounts = rowCountsOf(await engine.query(rowCountsStatement(found.map((check) => check.sql)), dateOptions), found.length);
      for (const [index, check] of found.entries()) {
        const result = results[checks.indexOf(check)] as CheckResult;
        const rows = dateCounts[index];
        if (rows === undefined) throw new DataFailureError("check_unevaluated", `${action.name}: the post-write check ${check.name} returned no count for ${gameDate}`);
        const message = rows === 0 ? check.reason : `${check.reason}: ${JSON.stringify(await examplesOf(check.sql, dateOptions))}`;
        result.byDate = { ...result.byDate, [gameDate]: { rows, message } };
      }
    }
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
