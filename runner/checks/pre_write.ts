/**
 * Pre-write rules on the stage. Rows breaking an error rule are returned for quarantine (written
 * with the publish, in its transaction) and their games removed from the stage whole (held back: a
 * game is published whole or not at all); rows breaking a warning rule stay and are counted.
 * Unknown (NULL) counts as broken: a rule states what a valid row is.
 */
import { removeGamesFromStage, type HeldBackGame } from "../execution/held_back.ts";
import type { CheckResult, PreWriteOutcome, StagedWrite } from "../execution/write.ts";
import type { Row } from "../engines/engine.ts";
import { rowHash, type QuarantinedRow } from "./quarantine.ts";
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
  const staged = engine.qualify(stage);
  const rules = preWriteRules(projectDir, action.name, staged);
  if (rules.length === 0) return { results: [], heldBack: [], rejected: [] };
  const context = { action: action.name, runId: write.runId, gameDate: write.dates.start };
  const rowRules = rules.filter((rule) => rule.kind === "row");
  const setRules = rules.filter((rule) => rule.kind === "set");

  // Row rules: one pass over the stage counts every rule at once.
  const counts =
    rowRules.length === 0
      ? {}
      : ((
          await engine.query(`SELECT\n  ${rowRules.map((rule, index) => `COUNTIF(${broken(rule)}) AS rule_${index}`).join(",\n  ")}\nFROM ${staged}`, { context })
        )[0] ?? {});
  const rowsBreaking = new Map<PreWriteRule, Row[] | number>(rowRules.map((rule, index) => [rule, Number(counts[`rule_${index}`] ?? 0)]));
  // Set rules: their query returns the staged rows that break them.
  for (const rule of setRules) rowsBreaking.set(rule, await engine.query(`SELECT * FROM (\n${rule.condition}\n) AS rule_rows`, { context }));

  const results: CheckResult[] = rules.map((rule) => {
    const found = rowsBreaking.get(rule) ?? 0;
    const rows = typeof found === "number" ? found : found.length;
    return { check: rule.name, phase: "pre-write", severity: rule.severity, passed: rows === 0, rows, message: rule.reason };
  });
  // A window of several dates: each broken rule's rows per date, so each date's ledger row says
  // what is its own (ledgerEntriesOf).
  if (write.dates.dates.length > 1 && results.some((result) => !result.passed)) {
    const day = `CAST(${write.windowColumn} AS STRING)`;
    const brokenRowRules = rowRules.filter((rule) => results[rules.indexOf(rule)]?.passed === false);
    const perDate =
      brokenRowRules.length === 0
        ? []
        : await engine.query(
            `SELECT\n  ${day} AS game_date,\n  ${brokenRowRules.map((rule, index) => `COUNTIF(${broken(rule)}) AS rule_${index}`).join(",\n  ")}\nFROM ${staged}\nGROUP BY 1`,
            { context },
          );
    for (const [index, rule] of rules.entries()) {
      const result = results[index] as CheckResult;
      if (result.passed) continue;
      const found = rowsBreaking.get(rule);
      const rowsOn = (gameDate: string): number =>
        Array.isArray(found)
          ? found.filter((row) => String(row[write.windowColumn]).slice(0, 10) === gameDate).length
          : Number(perDate.find((row) => String(row.game_date).slice(0, 10) === gameDate)?.[`rule_${brokenRowRules.indexOf(rule)}`] ?? 0);
      result.byDate = Object.fromEntries(write.dates.dates.map((gameDate) => [gameDate, { rows: rowsOn(gameDate), message: rule.reason }]));
    }
  }
  for (const result of results.filter((candidate) => !candidate.passed)) {
    const what = result.severity === "error" ? "quarantined, their games held back" : "written with a warning";
    // Both at WARNING: a row written despite a warning rule is published with something a person
    // must hear about, as a post-write warning is (POST_WRITE_VALIDATION WARNING).
    log.log("WARNING", `PRE_WRITE ${result.check}: ${result.rows} rows ${what} (${result.message})`, {
      rule: result.check,
      rows: result.rows,
    });
  }

  const errorRules = rules.filter((rule, index) => rule.severity === "error" && !results[index]?.passed);
  if (errorRules.length === 0) return { results, heldBack: [], rejected: [] };
  const held: QuarantinedRow[] = [];
  const rulesByGame = new Map<string, { gameDate: string; rules: Set<string> }>();
  for (const rule of errorRules) {
    const found = rowsBreaking.get(rule);
    const rows = Array.isArray(found) ? found : await engine.query(`SELECT * FROM ${staged} WHERE ${broken(rule)}`, { context });
    for (const row of rows) {
      held.push({ row, rule: rule.name, reason: rule.reason });
      if (row.game_id === null || row.game_id === undefined) continue;
      const game = rulesByGame.get(String(row.game_id)) ?? { gameDate: String(row.game_date), rules: new Set<string>() };
      game.rules.add(rule.name);
      rulesByGame.set(String(row.game_id), game);
    }
  }
  // The games leave the stage whole now; the rows go to quarantine with the publish (write.ts).
  const withoutGame = errorRules.filter((rule) => rule.kind === "row").map(broken).join(" OR ");
  await removeGamesFromStage(engine, stage, [...rulesByGame.keys()], context, withoutGame || undefined);
  const heldBack: HeldBackGame[] = [...rulesByGame.entries()].map(([gameId, game]) => ({
    gameDate: game.gameDate,
    gameId,
    reason: "rejected",
    detail: `rows broke ${[...game.rules].sort().join(", ")}`,
  }));
  const rejected = new Set(held.map((entry) => rowHash(entry.row))).size;
  const share = write.rowsStaged > 0 ? rejected / write.rowsStaged : 0;
  if (rejected > alertAt.rows || share > alertAt.share) {
    log.error(`QUARANTINE ALERT for ${action.name}: ${rejected} of ${write.rowsStaged} staged rows held back`, { rows_quarantined: rejected });
  }
  return { results, heldBack, rejected: held };
}
