/**
 * Pre-write rules on the stage. Rows breaking an error rule are copied to quarantine with the rule
 * and reason, then removed from the stage, in one transaction; rows breaking a warning rule stay
 * and are counted. Unknown (NULL) counts as broken: a rule states what a valid row is.
 */
import type { CheckResult, StagedWrite } from "../execution/write.ts";
import { QUARANTINE_COLUMNS, ensureQuarantine, quarantineTable } from "./quarantine.ts";
import { preWriteRules, type PreWriteRule } from "./templates.ts";

function broken(rule: PreWriteRule): string {
  return `NOT COALESCE((${rule.condition}), FALSE)`;
}

export interface QuarantineThresholds {
  rows: number;
  share: number;
}

export async function applyPreWriteRules(
  projectDir: string,
  write: StagedWrite,
  alertAt: QuarantineThresholds,
): Promise<{ results: CheckResult[]; quarantined: number }> {
  const { engine, action, stage, log } = write;
  const rules = preWriteRules(projectDir, action.name);
  if (rules.length === 0) return { results: [], quarantined: 0 };
  const context = { action: action.name, runId: write.runId, gameDate: write.dates.start };
  const staged = engine.qualify(stage);

  const counts = await engine.query(
    `SELECT\n  ${rules.map((rule, index) => `COUNTIF(${broken(rule)}) AS rule_${index}`).join(",\n  ")},\n  COUNTIF(${
      rules.filter((rule) => rule.severity === "error").map(broken).join(" OR ") || "FALSE"
    }) AS rejected\nFROM ${staged}`,
    { context },
  );
  const row = counts[0] ?? {};
  const results: CheckResult[] = rules.map((rule, index) => {
    const rows = Number(row[`rule_${index}`] ?? 0);
    return { check: rule.name, phase: "pre-write", severity: rule.severity, passed: rows === 0, rows, message: rule.reason };
  });
  const rejected = Number(row.rejected ?? 0);

  for (const result of results.filter((candidate) => !candidate.passed)) {
    const what = result.severity === "error" ? "quarantined" : "written with a warning";
    log.log(result.severity === "error" ? "WARNING" : "NOTICE", `PRE_WRITE ${result.check}: ${result.rows} rows ${what} (${result.message})`, {
      rule: result.check,
      rows: result.rows,
    });
  }

  if (rejected > 0) {
    const table = quarantineTable({ dataset: action.target.schema, table: action.target.name });
    await ensureQuarantine(engine, table);
    const errorRules = rules.filter((rule, index) => rule.severity === "error" && !results[index]?.passed);
    // The rows are read out and kept as JSON built here, the same on every engine (DuckDB's to_json
    // and BigQuery's TO_JSON_STRING do not print values alike).
    const quarantinedAt = new Date().toISOString();
    const held: Record<string, unknown>[] = [];
    for (const rule of errorRules) {
      const rows = await engine.query(`SELECT * FROM ${staged} WHERE ${broken(rule)}`, { context });
      for (const row of rows) {
        held.push({
          run_id: write.runId,
          quarantined_at: quarantinedAt,
          game_date: row.game_date ?? null,
          game_id: row.game_id ?? null,
          rule: rule.name,
          reason: rule.reason,
          row_json: JSON.stringify(row),
        });
      }
    }
    await engine.transaction(async () => {
      await engine.insertRows(table, QUARANTINE_COLUMNS, held);
      await engine.execute(`DELETE FROM ${staged} WHERE ${errorRules.map(broken).join(" OR ")}`, { context });
    });
    const share = write.rowsStaged > 0 ? rejected / write.rowsStaged : 0;
    if (rejected > alertAt.rows || share > alertAt.share) {
      log.error(`QUARANTINE ALERT for ${action.name}: ${rejected} of ${write.rowsStaged} staged rows held back`, { rows_quarantined: rejected });
    }
  }
  return { results, quarantined: rejected };
}
