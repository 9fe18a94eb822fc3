/**
 * --schema-suffix on the local warehouse, through the CLI: a run with a suffix writes its models,
 * its ledger and its held-back record to `<schema>_<suffix>` and nothing to the plain schemas; the
 * raw tables it reads are the plain ones; `verify` with the same suffix reads that run, and
 * without it sees no run at all. (On BigQuery, with --default-database too: tests/bigquery/dev_isolation.test.ts.)
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";

const DATE = "2025-01-15";

describe("runner run --schema-suffix on the local warehouse", () => {
  it("writes only <schema>_<suffix>, reads the raw tables as they are, and verify follows the suffix", async () => {
    const warehouse = path.join(tempDir("dev-isolation"), "nba.duckdb");
    const seeded = await runCli(["seed", "--start-date", DATE, "--end-date", DATE, "--warehouse", warehouse]);
    expect(seeded.code, seeded.stderr).toBe(0);

    const run = await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--schema-suffix", "dev", "--ignore-gates", "--json"]);
    // --ignore-gates: a one-date warehouse has no history for the player context gate (exit 0, warnings).
    expect(run.code, run.stderr.slice(-2000)).toBe(0);

    const schemas = await queryWarehouse(warehouse, "SELECT DISTINCT table_schema FROM information_schema.tables ORDER BY table_schema");
    expect(schemas.map((row) => row.table_schema)).toEqual(["nba_analytics_dev", "nba_orchestration_dev", "nba_raw", "nba_reference", "nba_static"]);
    const ledger = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n, COUNT(DISTINCT run_id) AS runs FROM nba_orchestration_dev.phase3_runner_runs");
    expect(ledger).toEqual([{ n: expect.any(Number), runs: 1 }]);
    expect(Number(ledger[0]?.n)).toBeGreaterThan(10);
    const published = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_analytics_dev.player_game_summary WHERE game_date = DATE '2025-01-15'");
    expect(Number(published[0]?.n)).toBeGreaterThan(0);

    const verified = await runCli(["verify", "--date", DATE, "--warehouse", warehouse, "--schema-suffix", "dev", "--format", "json"]);
    expect(verified.code, verified.stderr.slice(-2000)).toBe(0);
    expect((JSON.parse(verified.stdout) as { state: string }).state).not.toBe("fail");
    // Without the suffix, production's (here: empty) tables: no run of the date.
    const plain = await runCli(["verify", "--date", DATE, "--warehouse", warehouse, "--format", "json"]);
    expect(plain.code).toBe(1);
  });
});
