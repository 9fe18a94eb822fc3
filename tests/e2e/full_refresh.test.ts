/**
 * `runner run --full-refresh` on a seeded warehouse of 30 dates (box scores and schedule only, run
 * once as one batch): a refresh of three dates rebuilds those dates from source and keeps the 27
 * others as they were (the old runner kept only the run dates: 7,728 rows became 828), a game held
 * back keeps what was published for it, a refresh without dates rebuilds all the history, and the
 * dry run says what it rebuilds and how many rows it replaces. Atomicity (a failing check leaves
 * the table as it was) is shown in runner/execution/write.test.ts and, for BigQuery's order of
 * jobs, in tests/bigquery/transaction.test.ts.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { runCli, tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";

const START = "2025-01-01";
const END = "2025-01-30";
const REFRESH = ["--start-date", "2025-01-10", "--end-date", "2025-01-12"];
const TABLES = "nbac_schedule,nbac_gamebook_player_stats,nbac_player_boxscores,nbac_team_boxscore,bdl_player_boxscores";
const MODELS = ["--actions", "player_game_summary", "--include-deps"];

let warehouse: string;

/** Rows per date of a model's table, and when the rows of each date were written. */
async function perDate(table: string): Promise<Record<string, { rows: number; written: string }>> {
  const rows = await queryWarehouse(
    warehouse,
    `SELECT CAST(game_date AS STRING) AS game_date, COUNT(*) AS row_count, CAST(MAX(processed_at) AS STRING) AS written
     FROM nba_analytics.${table} GROUP BY game_date ORDER BY game_date`,
  );
  return Object.fromEntries(rows.map((row) => [String(row.game_date), { rows: Number(row.row_count), written: String(row.written) }]));
}

const rowsOf = (dates: Record<string, { rows: number }>) => Object.fromEntries(Object.entries(dates).map(([date, value]) => [date, value.rows]));

beforeAll(async () => {
  warehouse = path.join(tempDir("full-refresh"), "warehouse.duckdb");
  expect((await runCli(["seed", "--start-date", START, "--end-date", END, "--tables", TABLES, "--warehouse", warehouse])).code).toBe(0);
  const first = await runCli(["run", "--start-date", START, "--end-date", END, "--batch", ...MODELS, "--warehouse", warehouse], { timeoutMs: 300_000 });
  expect(first.code, first.stderr.slice(-2000)).toBe(0);
}, 400_000);

describe("runner run --full-refresh", () => {
  it("has a dry run that says what it rebuilds and how many rows it replaces, unlike a normal one", async () => {
    const before = await perDate("player_game_summary");
    const normal = await runCli(["run", ...REFRESH, "--dry-run", ...MODELS, "--warehouse", warehouse]);
    const refresh = await runCli(["run", ...REFRESH, "--full-refresh", "--dry-run", ...MODELS, "--warehouse", warehouse]);
    expect(normal.code).toBe(0);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(normal.stdout).not.toContain("FULL REFRESH");
    expect(normal.stdout).toMatch(/MERGE `nba_analytics\.player_game_summary` AS target/);

    const replaced = ["2025-01-10", "2025-01-11", "2025-01-12"].reduce((sum, date) => sum + (before[date]?.rows ?? 0), 0);
    const kept = Object.values(before).reduce((sum, value) => sum + value.rows, 0) - replaced;
    expect(replaced).toBeGreaterThan(0);
    expect(refresh.stdout).toContain("FULL REFRESH of 6 model(s) over 2025-01-10..2025-01-12 (3 dates)");
    expect(refresh.stdout).toContain(`nba_analytics.player_game_summary  replaces ${replaced.toLocaleString("en-US")} rows, keeps ${kept.toLocaleString("en-US")}`);
    // Its SQL: the rebuild and the one replacement, never the normal MERGE.
    expect(refresh.stdout).not.toMatch(/MERGE `nba_analytics\.player_game_summary`/);
    expect(refresh.stdout).toContain("CREATE OR REPLACE TABLE `nba_analytics.player_game_summary`");
    expect(refresh.stdout).toContain("INSERT INTO `runner_staging.player_game_summary__rebuilt__dry_run`");

    const json = JSON.parse((await runCli(["run", ...REFRESH, "--full-refresh", "--dry-run", "--json", ...MODELS, "--warehouse", warehouse])).stdout) as {
      full_refresh: { start_date: string; end_date: string; all_history: boolean; models: { action: string; rows_replaced: number; rows_kept: number }[] };
    };
    expect(json.full_refresh).toMatchObject({ start_date: "2025-01-10", end_date: "2025-01-12", all_history: false });
    expect(json.full_refresh.models.find((model) => model.action === "player_game_summary")).toMatchObject({ rows_replaced: replaced, rows_kept: kept });
    // A dry run writes nothing.
    expect(await perDate("player_game_summary")).toEqual(before);
  });

  it("rebuilds the given dates and keeps every other date, and a held-back game keeps its published rows", async () => {
    const before = await perDate("player_game_summary");
    const teamsBefore = await perDate("team_offense_game_summary");
    expect(Object.keys(before)).toHaveLength(30);
    // One game of 2025-01-11 loses its box scores upstream: it is held back (source_incomplete).
    const [held] = await queryWarehouse(warehouse, `SELECT MIN(game_id) AS game_id FROM nba_analytics.player_game_summary WHERE game_date = DATE '2025-01-11'`);
    const game = String(held?.game_id);
    const heldRows = await queryWarehouse(warehouse, `SELECT player_lookup, points, CAST(processed_at AS STRING) AS written FROM nba_analytics.player_game_summary WHERE game_id = '${game}' ORDER BY player_lookup`);
    const engine = await openDuckDBEngine({ path: warehouse });
    try {
      for (const table of ["nbac_gamebook_player_stats", "nbac_player_boxscores", "bdl_player_boxscores", "nbac_team_boxscore"]) {
        await engine.execute(`DELETE FROM nba_raw.${table} WHERE game_date = DATE '2025-01-11' AND game_id = '${game}'`);
      }
    } finally {
      await engine.close();
    }

    const result = await runCli(["run", ...REFRESH, "--full-refresh", "--json", ...MODELS, "--warehouse", warehouse], { timeoutMs: 300_000 });
    // The date is old, so the gate lets the game through as held back: a warning, exit 0.
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(result.stdout) as { results: { game_date: string; held_back_games: { game_id: string; reason: string }[] }[] };
    expect(summary.results.map((window) => window.game_date)).toEqual(["2025-01-10..2025-01-12"]);
    expect(summary.results[0]?.held_back_games).toEqual([expect.objectContaining({ game_id: game, reason: "source_incomplete" })]);

    const after = await perDate("player_game_summary");
    // Every date is still there with the same rows (the held-back game keeps its rows).
    expect(rowsOf(after)).toEqual(rowsOf(before));
    expect(rowsOf(await perDate("team_offense_game_summary"))).toEqual(rowsOf(teamsBefore));
    for (const [date, value] of Object.entries(after)) {
      // Dates outside the refresh are untouched; the refreshed ones were written again.
      if (date < "2025-01-10" || date > "2025-01-12") expect(value.written, date).toBe(before[date]?.written);
      else expect(value.written > (before[date]?.written ?? ""), date).toBe(true);
    }
    expect(await queryWarehouse(warehouse, `SELECT player_lookup, points, CAST(processed_at AS STRING) AS written FROM nba_analytics.player_game_summary WHERE game_id = '${game}' ORDER BY player_lookup`)).toEqual(heldRows);
  }, 300_000);

  it("without dates rebuilds all the history of the raw tables, every date kept", async () => {
    const before = rowsOf(await perDate("player_game_summary"));
    const result = await runCli(["run", "--full-refresh", "--json", ...MODELS, "--warehouse", warehouse], { timeoutMs: 300_000 });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(result.stdout) as { dates: string[]; results: { game_date: string }[] };
    expect(summary.dates).toHaveLength(30);
    expect(summary.results.map((window) => window.game_date)).toEqual([`${START}..${END}`]);
    expect(rowsOf(await perDate("player_game_summary"))).toEqual(before);
  }, 300_000);
});
