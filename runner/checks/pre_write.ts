/**
 * Pre-write rules on the stage. Rows breaking an error rule are copied to quarantine with the rule
 * and reason, and their games removed from the stage whole (held back: a game is published whole
 * or not at all), in one transaction; rows breaking a warning rule stay and are counted. Unknown
 * (NULL) counts as broken: a rule states what a valid row is.
 */
import type { HeldBackGame } from "../execution/held_back.ts";
import type { CheckResult, PreWriteOutcome, StagedWrite } from "../execution/write.ts";
import { quarantineAndHoldBack, type QuarantinedRow } from "./quarantine.ts";
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
): Promise<PreWriteOutcome> {
  const { engine, action, stage, log } = write;
  const rules = preWriteRules(projectDir, action.name);
  if (rules.length === 0) return { results: [], quarantined: 0, heldBack: [] };
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

  if (rejected === 0) return { results, quarantined: 0, heldBack: [] };

  const errorRules = rules.filter((rule, index) => rule.severity === "error" && !results[index]?.passed);
  const held: QuarantinedRow[] = [];
  const rulesByGame = new Map<string, { gameDate: string; rules: Set<string> }>();
  for (const rule of errorRules) {
    const rows = await engine.query(`SELECT * FROM ${staged} WHERE ${broken(rule)}`, { context });
    for (const row of rows) {
      held.push({ row, rule: rule.name, reason: rule.reason });
      if (row.game_id === null || row.game_id === undefined) continue;
      const game = rulesByGame.get(String(row.game_id)) ?? { gameDate: String(row.game_date), rules: new Set<string>() };
      game.rules.add(rule.name);
      rulesByGame.set(String(row.game_id), game);
    }
  }
  await quarantineAndHoldBack(write, held, errorRules.map(broken).join(" OR "));
  const heldBack: HeldBackGame[] = [...rulesByGame.entries()].map(([gameId, game]) => ({
    gameDate: game.gameDate,
    gameId,
    reason: "rejected",
    detail: `rows broke ${[...game.rules].sort().join(", ")}`,
  }));
  const share = write.rowsStaged > 0 ? rejected / write.rowsStaged : 0;
  if (rejected > alertAt.rows || share > alertAt.share) {
    log.error(`QUARANTINE ALERT for ${action.name}: ${rejected} of ${write.rowsStaged} staged rows held back`, { rows_quarantined: rejected });
  }
  return { results, quarantined: rejected, heldBack };
}
