/**
 * A seeded week run date by date through the CLI: every gate, model, built-in assertion and
 * run-scoped check passes, nothing is quarantined, and each date verifies.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";

interface RunJson {
  outcome: string;
  results: { game_date: string; actions: { action: string; role: string; status: string; details: { checks?: { passed: boolean; severity: string; phase: string }[] } | null }[] }[];
}

describe("a seeded week", () => {
  it("runs every date with all assertions and checks passing", async () => {
    const warehouse = path.join(tempDir("seeded"), "warehouse.duckdb");
    const range = ["--start-date", "2025-01-13", "--end-date", "2025-01-19"];
    expect((await runCli(["seed", ...range, "--warehouse", warehouse])).code).toBe(0);
    const result = await runCli(["run", ...range, "--json", "--warehouse", warehouse]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const run = JSON.parse(result.stdout) as RunJson;
    expect(run.results.map((date) => date.game_date)).toEqual(["2025-01-13", "2025-01-14", "2025-01-15", "2025-01-16", "2025-01-17", "2025-01-18", "2025-01-19"]);
    const actions = run.results.flatMap((date) => date.actions);
    expect(actions.filter((action) => action.status !== "succeeded")).toEqual([]);
    // Per date, each of the 8 models' built-in uniqueKey and rowConditions assertions.
    expect(actions.filter((action) => action.role === "assertion")).toHaveLength(7 * 16);
    const checks = actions.flatMap((action) => action.details?.checks ?? []);
    expect(checks.filter((check) => check.phase === "post-write")).not.toHaveLength(0);
    // Warnings (e.g. a usage_rate above 50 over a few minutes) are allowed; no blocking check fails.
    expect(checks.filter((check) => check.phase === "post-write" && check.severity === "error" && !check.passed)).toEqual([]);
    expect(checks.filter((check) => check.phase === "pre-write" && check.severity === "error" && !check.passed)).toEqual([]);

    const [games] = await queryWarehouse(
      warehouse,
      `SELECT
         (SELECT COUNT(*) FROM nba_raw.nbac_schedule WHERE game_date BETWEEN '2025-01-13' AND '2025-01-19') AS scheduled,
         (SELECT COUNT(*) FROM nba_analytics.team_offense_game_summary) AS team_rows,
         (SELECT COUNT(*) FROM nba_analytics.upcoming_team_game_context) AS upcoming_rows,
         (SELECT MAX(usage_rate) FROM nba_analytics.player_game_summary) AS max_usage`,
    );
    expect(games?.team_rows).toBe(2 * Number(games?.scheduled));
    expect(games?.upcoming_rows).toBe(2 * Number(games?.scheduled));
    expect(Number(games?.max_usage)).toBeLessThanOrEqual(100);

    const verify = await runCli(["verify", "--date", "2025-01-15", "--warehouse", warehouse]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain("ALL CHECKS PASSED");
  });
});
