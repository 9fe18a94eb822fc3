/**
 * `runner run --target bigquery --dry-run`: dry-run jobs for the plan's statements, bytes per
 * action and in total from the fake's answers, and a budget that refuses the run.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery } from "./fake_server.ts";
import { DATE, PROJECT, fakeEnv } from "./support.ts";

const MiB = 1024 * 1024;

let fake: FakeBigQuery;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  // Most specific first: the player box score stage reads 10 MiB; team_game_boxscore reads a table
  // that does not exist before the first run; everything else 1 MiB.
  fake.script({ match: "-- Intermediate: the player box score of every game that game_source_checks publishes", dryRun: true, totalBytesProcessed: 10 * MiB });
  fake.script({
    match: "-- Intermediate: the team box score of each team in each game",
    dryRun: true,
    jobError: { status: 404, reason: "notFound", message: `Not found: Table ${PROJECT}:nba_analytics.player_game_boxscore was not found in location US` },
  });
  fake.script({ match: "", dryRun: true, totalBytesProcessed: MiB, times: Infinity });
});

afterEach(async () => {
  await fake.close();
});

function dryRun(args: string[] = [], env: Record<string, string> = {}) {
  return runCli(["run", "--date", DATE, "--target", "bigquery", "--dry-run", ...args], { env: fakeEnv(fake.url, env) });
}

describe("runner run --target bigquery --dry-run", () => {
  it("prints the bytes each action would process and the total, running nothing", async () => {
    const result = await dryRun();
    expect(result.code, result.stderr).toBe(0);
    const jobs = fake.jobs();
    // 4 gates + 22 assertions (uniqueKey and rowConditions of 11 models) + 11 stage queries; the
    // create-target and MERGE statements read the stage.
    expect(jobs).toHaveLength(37);
    expect(jobs.every((job) => job.dryRun && job.location === "US")).toBe(true);
    // Only jobs: no dataset or table is created, looked up or dropped.
    expect(fake.requests.every((request) => request.method === "POST" && request.path === `/projects/${PROJECT}/jobs`)).toBe(true);
    // The stage is estimated as its query, with the run's DATE parameters where it uses them.
    const stage = jobs.find((job) => job.sql.includes("-- Intermediate: the player box score of every game"));
    expect(stage?.sql).not.toMatch(/^CREATE/);
    expect(stage?.labels).toMatchObject({ action: "player_game_boxscore", game_date: DATE });

    const out = result.stdout;
    expect(out).toContain(`BigQuery dry run for ${DATE} (project ${PROJECT}, location US): bytes processed per action`);
    expect(out).toMatch(/level 0 {2}game_source_checks +1\.00 MiB/);
    expect(out).toMatch(/level 1 {2}boxscores_complete +1\.00 MiB/);
    expect(out).toMatch(/level 2 {2}player_game_boxscore +10\.0 MiB/);
    expect(out).toMatch(/level 3 {2}team_game_boxscore +-\n {6}stage: not estimated, BigQuery notFound: Not found: Table nba-props-platform:nba_analytics\.player_game_boxscore/);
    expect(out).toContain("      create target if missing, publish: not estimated, reads the stage, which exists only during a run\n");
    // 37 jobs, 1 of them not found: 35 statements at 1 MiB + 10 MiB; 1 stage and 22 stage readers
    // (2 per model) not estimated.
    expect(out).toContain(`Total: 45.0 MiB (${(45 * MiB).toLocaleString("en-US")} bytes) for 36 statement(s); 23 not estimated`);
  });

  it("gives the estimate as JSON", async () => {
    const result = await dryRun(["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout) as { total_bytes: number; over_budget: boolean; dates: { actions: { action: string; bytes: number }[] }[] };
    expect(estimate.total_bytes).toBe(45 * MiB);
    expect(estimate.over_budget).toBe(false);
    expect(estimate.dates[0]?.actions.find((action) => action.action === "player_game_boxscore")?.bytes).toBe(10 * MiB);
  });

  it("refuses a run whose estimate exceeds the budget (--max-bytes), before anything executes", async () => {
    const result = await dryRun(["--max-bytes", "20MiB"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`Budget: 20.0 MiB (${(20 * MiB).toLocaleString("en-US")} bytes): the estimate EXCEEDS it; nothing was run.`);
    expect(result.stderr).toContain("error: the run would process 45.0 MiB, over the budget of 20.0 MiB: refused before anything ran");
    expect(fake.jobs().every((job) => job.dryRun)).toBe(true);
  });

  it("takes the budget from the configuration too, and passes within it", async () => {
    const result = await dryRun([], { RUNNER_BIGQUERY_MAX_BYTES_ESTIMATE: "1GB" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Budget: 953.7 MiB (1,000,000,000 bytes): within budget.");
  });

  it("fails (exit 1) when BigQuery rejects a statement in the dry run", async () => {
    // A fresh fake: the gate's answer must come before the catch-all.
    await fake.close();
    fake = await startFakeBigQuery();
    fake.script({ match: "AS coverage_pct", dryRun: true, jobError: { status: 400, reason: "invalidQuery", message: "Unrecognized name: gmae_id at [5:3]" } });
    fake.script({ match: "", dryRun: true, totalBytesProcessed: MiB, times: Infinity });
    const result = await dryRun();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("readiness check: ERROR boxscores_complete: BigQuery invalidQuery: Unrecognized name: gmae_id at [5:3]");
    expect(result.stderr).toContain("1 statement(s) failed the BigQuery dry run");
  });
});
