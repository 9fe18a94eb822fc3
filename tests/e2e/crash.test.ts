/**
 * The embedded warehouse under stress: a run killed with SIGKILL in the middle of its writes, then
 * run again, leaves exactly what a clean run leaves; a second process gets "warehouse busy".
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { ROOT, runCli, tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";

const RANGE = ["--start-date", "2025-01-06", "--end-date", "2025-01-19"];
const BOX_SCORE_TABLES = "nbac_schedule,nbac_gamebook_player_stats,nbac_player_boxscores,nbac_team_boxscore,bdl_player_boxscores";
const MODELS = ["player_game_boxscore", "team_game_boxscore", "team_offense_game_summary", "team_defense_game_summary", "player_game_summary"];

async function seededWarehouse(name: string): Promise<string> {
  const warehouse = path.join(tempDir(name), "warehouse.duckdb");
  // Only what the box-score models read: the play-by-play, props and rosters are not what this test is about.
  const seeded = await runCli(["seed", ...RANGE, "--tables", BOX_SCORE_TABLES, "--warehouse", warehouse]);
  expect(seeded.code, seeded.stderr).toBe(0);
  return warehouse;
}

/** Starts a run and SIGKILLs it as soon as it logs that `model` is staged (its MERGE comes next). */
function runAndKillDuringMerge(warehouse: string, model: string): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "runner.js"), "run", ...RANGE, "--batch", "--ignore-gates", "--warehouse", warehouse], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    let killed = false;
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killed && stderr.includes(`"${model} staged `)) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("exit", () => resolve({ killed, stderr }));
  });
}

async function snapshot(warehouse: string): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const model of MODELS) {
    const key = model.includes("defense") ? "defending_team_abbr" : model.startsWith("team") ? "team_abbr" : "player_lookup";
    tables[model] = await queryWarehouse(warehouse, `SELECT * EXCLUDE (processed_at) FROM nba_analytics.${model} ORDER BY game_date, ${key}`);
  }
  return tables;
}

describe("crash safety", () => {
  it("a run killed during a MERGE and run again leaves the tables exactly as a clean run", async () => {
    const clean = await seededWarehouse("clean");
    expect((await runCli(["run", ...RANGE, "--batch", "--ignore-gates", "--warehouse", clean])).code).toBe(0);

    const crashed = await seededWarehouse("crashed");
    for (const model of ["team_game_boxscore", "player_game_summary"]) {
      const { killed } = await runAndKillDuringMerge(crashed, model);
      expect(killed).toBe(true);
    }
    // Stages live in memory: the killed runs left none in the file (read as it is, without a writer's open).
    const reader = await openDuckDBEngine({ path: crashed, access: "read" });
    try {
      expect(await reader.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'runner_staging'")).toEqual([]);
    } finally {
      await reader.close();
    }
    const rerun = await runCli(["run", ...RANGE, "--batch", "--ignore-gates", "--warehouse", crashed]);
    expect(rerun.code, rerun.stderr).toBe(0);

    const [expected, actual] = [await snapshot(clean), await snapshot(crashed)];
    for (const model of MODELS) {
      expect(actual[model]?.length, model).toBeGreaterThan(0);
      expect(actual[model], model).toEqual(expected[model]);
    }
  });

  it("answers warehouse busy (exit 75) while another process holds the file", async () => {
    const warehouse = path.join(tempDir("busy"), "warehouse.duckdb");
    const holder = await openDuckDBEngine({ path: warehouse });
    try {
      const result = await runCli(["run", "--date", "2025-01-15", "--warehouse", warehouse]);
      expect(result.code).toBe(75);
      expect(result.stderr).toMatch(/^error: warehouse busy: .*warehouse\.duckdb is in use by another process/m);
    } finally {
      await holder.close();
    }
  });
});
