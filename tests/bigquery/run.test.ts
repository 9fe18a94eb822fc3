/**
 * `runner run --target bigquery` end to end: the real CLI against the local fake of the BigQuery
 * REST API, asserting the requests it sends and how it reads the answers.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery, type JobInsert } from "./fake_server.ts";
import { DATE, PROJECT, addExistingTargets, fakeEnv, modelColumns, schemaByModel } from "./support.ts";

const models = modelColumns();
const GAMES = ["20250115_BOS_LAL", "20250115_DEN_PHX", "20250115_MIA_NYK"];
const STAGE_OF = (model: string) => `\`${PROJECT}.runner_staging.${model}__`;

let fake: FakeBigQuery;

beforeEach(async () => {
  fake = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
  // The models' tables exist, as after a first run: creating one is DDL, which a BigQuery
  // transaction does not allow, and the publish runs it inside (transaction.test.ts).
  addExistingTargets(fake, models);
});

afterEach(async () => {
  await fake.close();
});

/** Gates and assertions find nothing: every check query counts zero rows. */
function scriptChecksPass(): void {
  fake.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
}

/** player_game_boxscore stages 3 rows of 3 games (the stage's shape: one row, its games an array). */
function scriptStagedGames(): void {
  const stage = STAGE_OF("player_game_boxscore");
  fake.script({
    match: new RegExp(`SELECT\\s+COUNT\\(\\*\\) AS row_count,[\\s\\S]*FROM ${stage}`),
    rows: [{ row_count: 3, outside: 0, games: GAMES }],
    schema: [
      { name: "row_count", type: "INTEGER" },
      { name: "outside", type: "INTEGER" },
      { name: "games", type: "STRING", mode: "REPEATED" },
    ],
  });
  fake.script({ match: `MERGE \`${PROJECT}.nba_analytics.player_game_boxscore\``, numDmlAffectedRows: 3 });
}

function run(args: string[], env: Record<string, string> = {}) {
  return runCli(["run", "--date", DATE, "--target", "bigquery", ...args], { env: fakeEnv(fake.url, env) });
}

function jobsFor(action: string): JobInsert[] {
  return fake.jobs().filter((job) => job.labels.action === action);
}

function param(job: JobInsert, name: string) {
  return job.queryParameters.find((candidate) => candidate.name === name);
}

describe("runner run --target bigquery", () => {
  it("sends the staged write of every model as jobs: stage, shape, MERGE on the run dates, checks, drop", async () => {
    scriptChecksPass();
    scriptStagedGames();
    const result = await run(["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { run_id: string; results: { actions: { action: string; status: string; rows_staged: number; rows_written: number; games: number }[] }[] };
    const actions = summary.results[0]?.actions ?? [];
    expect(actions.filter((action) => action.status !== "succeeded")).toEqual([]);
    expect(actions.find((action) => action.action === "player_game_boxscore")).toMatchObject({ rows_staged: 3, rows_written: 3, games: 3 });

    // Every job: the configured location, standard SQL, the run's labels, the job timeout.
    const jobs = fake.jobs();
    expect(jobs.length).toBeGreaterThan(50);
    for (const job of jobs) {
      expect(job.projectId).toBe(PROJECT);
      expect(job.location).toBe("US");
      expect(job.dryRun).toBe(false);
      expect(job.jobTimeoutMs).toBe("300000");
    }
    const runLabel = summary.run_id.toLowerCase();
    for (const model of models.keys()) {
      const modelJobs = jobsFor(model);
      expect(modelJobs.length, model).toBeGreaterThanOrEqual(8);
      for (const job of modelJobs) expect(job.labels.run_id).toBe(runLabel);
    }

    // The order of the staged write of one model.
    const sqls = jobsFor("player_game_boxscore").map((job) => job.sql);
    const stage = STAGE_OF("player_game_boxscore");
    const position = (pattern: RegExp) => {
      const index = sqls.findIndex((sql) => pattern.test(sql));
      expect(index, String(pattern)).toBeGreaterThanOrEqual(0);
      return index;
    };
    const order = [
      position(new RegExp(`^CREATE OR REPLACE TABLE ${stage}`)),
      position(/^SELECT\s+COUNT\(\*\) AS row_count,\s+COUNTIF/),
      position(/^MERGE /),
      position(/^SELECT 0 AS query_index, \(SELECT COUNT\(\*\) FROM \([\s\S]*WITH written AS/),
      position(new RegExp(`^DROP TABLE IF EXISTS ${stage}`)),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // The MERGE: restricted to the run dates and the staged games, parameters typed.
    const merge = jobsFor("player_game_boxscore").find((job) => job.sql.startsWith("MERGE"));
    expect(merge?.sql).toContain(`MERGE \`${PROJECT}.nba_analytics.player_game_boxscore\` AS target`);
    expect(merge?.sql).toContain(`USING (\n  SELECT `);
    expect(merge?.sql).toContain(`\n  FROM ${stage}`);
    expect(merge?.sql).toContain("ON target.game_date BETWEEN @start_date AND @end_date");
    // Deletions are markers read from the run dates' partitions of the target, never NOT MATCHED BY SOURCE (which BigQuery cannot prune).
    expect(merge?.sql).toContain("WHERE existing.game_date BETWEEN @start_date AND @end_date\n    AND existing.game_id IN UNNEST(@staged_games)");
    expect(merge?.sql).not.toContain("NOT MATCHED BY SOURCE");
    expect(merge?.parameterMode?.toUpperCase()).toBe("NAMED");
    for (const name of ["start_date", "end_date"]) {
      expect(param(merge as JobInsert, name)).toEqual({ name, parameterType: { type: "DATE" }, parameterValue: { value: DATE } });
    }
    // The three staged games reached the MERGE.
    expect(param(merge as JobInsert, "staged_games")).toEqual({
      name: "staged_games",
      parameterType: { type: "ARRAY", arrayType: { type: "STRING" } },
      parameterValue: { arrayValues: GAMES.map((value) => ({ value })) },
    });
    expect(merge?.labels).toEqual({ run_id: runLabel, action: "player_game_boxscore", game_date: DATE });

    // Datasets in the location, the staging one with an expiry; the ledger partitioned by game_date.
    // Two models of level 0 (game_source_checks, nbac_schedule_latest) start at once: both may ask
    // for the staging dataset before either has it (the second gets "already exists").
    const created = fake.requests.filter((request) => request.method === "POST" && request.path.endsWith("/datasets"));
    expect([...new Set(created.map((request) => (request.body as { datasetReference: { datasetId: string } }).datasetReference.datasetId))].sort()).toEqual([
      "nba_analytics",
      "nba_orchestration",
      "runner_staging",
    ]);
    for (const request of created) expect((request.body as { location: string }).location).toBe("US");
    const staging = created.find((request) => JSON.stringify(request.body).includes("runner_staging"));
    expect((staging?.body as { defaultTableExpirationMs?: string }).defaultTableExpirationMs).toBe(String(24 * 3_600_000));
    const ledger = fake.requests.find((request) => request.method === "POST" && request.path.endsWith("/datasets/nba_orchestration/tables"));
    expect((ledger?.body as { timePartitioning: unknown }).timePartitioning).toEqual({ type: "DAY", field: "game_date" });

    // Ledger rows are DML inserts (no streaming), a row per action (a level's rows in one insert), typed parameters.
    const inserts = fake.jobs().filter((job) => job.sql.startsWith(`INSERT INTO \`${PROJECT}.nba_orchestration.phase3_runner_runs\``));
    expect(inserts.flatMap((insert) => insert.queryParameters[0]?.parameterValue.arrayValues ?? [])).toHaveLength(actions.length);
    expect(fake.requests.some((request) => request.path.endsWith("/insertAll"))).toBe(false);
    const gameDate = inserts[0]?.queryParameters[0]?.parameterType.arrayType?.structTypes?.find((field) => field.name === "game_date");
    expect(gameDate).toEqual({ name: "game_date", type: { type: "DATE" } });

    // A local endpoint gets no credentials, and the run never waited on a metadata server.
    expect(fake.requests.every((request) => request.authorization === undefined)).toBe(true);
  });

  it("retries a 503 on the MERGE under the same job id, then succeeds", async () => {
    scriptChecksPass();
    scriptStagedGames();
    fake.script({ match: "MERGE `nba-props-platform.nba_analytics.team_game_boxscore`", httpError: { status: 503, reason: "backendError", message: "Backend error, try again" } });
    const result = await run(["--actions", "team_game_boxscore"]);
    expect(result.code, result.stderr).toBe(0);
    const merges = jobsFor("team_game_boxscore").filter((job) => job.sql.startsWith("MERGE"));
    expect(merges).toHaveLength(2);
    expect(merges[1]?.jobId).toBe(merges[0]?.jobId);
  });

  it("runs a job outside a transaction that failed for a transient reason again, as a new job", async () => {
    scriptChecksPass();
    fake.script({
      match: `CREATE OR REPLACE TABLE ${STAGE_OF("team_game_boxscore")}`,
      jobError: { status: 400, reason: "invalidQuery", message: "Could not serialize access to table runner_staging.team_game_boxscore due to concurrent update" },
    });
    const result = await run(["--actions", "team_game_boxscore"]);
    expect(result.code, result.stderr).toBe(0);
    const stages = jobsFor("team_game_boxscore").filter((job) => job.sql.startsWith("CREATE OR REPLACE TABLE"));
    expect(stages).toHaveLength(2);
    expect(stages[1]?.jobId).not.toBe(stages[0]?.jobId);
  });

  it("does not run a MERGE that failed inside its transaction again: rolls back, NOT READY, exit 75", async () => {
    scriptChecksPass();
    fake.script({
      match: "MERGE `nba-props-platform.nba_analytics.team_game_boxscore`",
      jobError: { status: 400, reason: "invalidQuery", message: "Transaction is aborted due to concurrent update against table nba_analytics.team_game_boxscore" },
    });
    const result = await run(["--actions", "team_game_boxscore"]);
    expect(result.code, result.stderr).toBe(75);
    expect(result.stdout).toContain("team_game_boxscore: BigQuery invalidQuery inside a transaction, which was rolled back: Transaction is aborted due to concurrent update");
    const sqls = jobsFor("team_game_boxscore").map((job) => job.sql);
    expect(sqls.filter((sql) => sql.startsWith("MERGE"))).toHaveLength(1);
    const merge = jobsFor("team_game_boxscore").find((job) => job.sql.startsWith("MERGE"));
    const inSession = fake.jobs().filter((job) => job.sessionId !== undefined && job.sessionId === merge?.sessionId);
    expect(inSession.map((job) => job.sql.split("\n")[0])).toEqual(["BEGIN TRANSACTION", merge?.sql.split("\n")[0], "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("maps a 400 syntax error to a failure (exit 1) with BigQuery's message, without retrying", async () => {
    scriptChecksPass();
    const message = "Syntax error: Unexpected keyword FROM at [14:3]";
    fake.script({ match: `CREATE OR REPLACE TABLE ${STAGE_OF("player_game_boxscore")}`, httpError: { status: 400, reason: "invalidQuery", message } });
    const result = await run([]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/player_game_boxscore\s+failed\s+player_game_boxscore: BigQuery invalidQuery: Syntax error: Unexpected keyword FROM at \[14:3\]/);
    expect(result.stdout).toMatch(/team_game_boxscore\s+skipped/);
    expect(jobsFor("player_game_boxscore").filter((job) => job.sql.startsWith("CREATE OR REPLACE TABLE"))).toHaveLength(1);
    expect(jobsFor("player_game_boxscore").some((job) => job.sql.startsWith("MERGE"))).toBe(false);
  });

  it("gives up on a persistent 503 after the configured attempts: NOT READY, exit 75", async () => {
    scriptChecksPass();
    fake.script({ match: "MERGE `nba-props-platform.nba_analytics.team_game_boxscore`", httpError: { status: 503, reason: "backendError", message: "Backend error" }, times: Infinity });
    const result = await run(["--actions", "team_game_boxscore"], { RUNNER_BIGQUERY_RETRY_MAX_ATTEMPTS: "3" });
    expect(result.code, result.stderr).toBe(75);
    expect(result.stdout).toContain("team_game_boxscore: BigQuery backendError after 3 attempts: Backend error");
    expect(jobsFor("team_game_boxscore").filter((job) => job.sql.startsWith("MERGE"))).toHaveLength(3);
  });

  it("cancels a job that is not done within the job timeout and reports NOT READY", async () => {
    scriptChecksPass();
    fake.script({ match: `CREATE OR REPLACE TABLE ${STAGE_OF("team_game_boxscore")}`, pendingPolls: "forever", times: Infinity });
    const result = await run(["--actions", "team_game_boxscore"], { RUNNER_BIGQUERY_JOB_TIMEOUT_MS: "1000", RUNNER_BIGQUERY_RETRY_MAX_ATTEMPTS: "2" });
    expect(result.code, result.stderr).toBe(75);
    expect(result.stdout).toContain("was not done within 1000 ms");
    const stages = jobsFor("team_game_boxscore").filter((job) => job.sql.startsWith("CREATE OR REPLACE TABLE"));
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage.jobTimeoutMs).toBe("1000");
    const cancels = fake.requests.filter((request) => request.method === "POST" && request.path.endsWith("/cancel"));
    expect(cancels.map((request) => request.path.split("/").at(-2))).toEqual(stages.map((stage) => stage.jobId));
  });

  it("sends maximumBytesBilled, the location and extra labels from runner.config.json and the environment", async () => {
    scriptChecksPass();
    const file = path.join(tempDir("runner-config"), "runner.config.json");
    fs.writeFileSync(file, JSON.stringify({ bigquery: { maximumBytesBilled: "10GB", labels: { team: "analytics" }, location: "EU" } }));
    const result = await run(["--actions", "boxscores_complete"], { RUNNER_CONFIG: file, BIGQUERY_LOCATION: "europe-west1" });
    expect(result.code, result.stderr).toBe(0);
    const gate = jobsFor("boxscores_complete")[0];
    expect(gate?.maximumBytesBilled).toBe("10000000000");
    expect(gate?.location).toBe("europe-west1");
    expect(gate?.labels).toMatchObject({ team: "analytics", action: "boxscores_complete" });
  });

  it("honours the client's BIGQUERY_EMULATOR_HOST convention, without credentials", async () => {
    scriptChecksPass();
    const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--actions", "boxscores_complete"], {
      env: { BIGQUERY_EMULATOR_HOST: fake.url, RUNNER_BIGQUERY_RETRY_INITIAL_DELAY_MS: "5" },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    // The gate's query, and its ledger row's insert (labelled with the action too, and the table).
    expect(jobsFor("boxscores_complete").filter((job) => !job.labels.table)).toHaveLength(1);
    expect(fake.requests.every((request) => request.authorization === undefined)).toBe(true);
  });

  it("reports bad settings as path: message lines (exit 2) before sending anything", async () => {
    const result = await run([], { RUNNER_BIGQUERY_JOB_TIMEOUT_MS: "soon", RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: "lots" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("invalid BigQuery settings");
    expect(result.stderr).toMatch(/jobTimeoutMs: .* \(from environment\)/);
    expect(result.stderr).toMatch(/maximumBytesBilled: expected a number of bytes, e\.g\. 10737418240 or 10GB \(from environment\)/);
    expect(fake.requests).toEqual([]);
  });
});
