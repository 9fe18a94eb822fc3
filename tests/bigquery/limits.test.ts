/**
 * BigQuery's errors and limits, held to the requests the local fake records: which failures are
 * retried (a full DML queue, rate quotas) and which fail at once (other resourcesExceeded, a
 * per-day quota, with a message that says so); stages that expire on their own; the same labels on
 * the ledger, quarantine and delivery jobs as on every other job of the action; the floor of
 * maximumBytesBilled; and `runner load --target bigquery` as one multi-statement transaction
 * whose DELETE names the partitions it replaces.
 */
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeQuarantine } from "../../runner/checks/quarantine.ts";
import { rangeOf } from "../../runner/dates.ts";
import type { BigQueryEngine } from "../../runner/engines/bigquery/engine.ts";
import { DataFailureError, NotReadyError } from "../../runner/errors.ts";
import { recordDelivery } from "../../runner/server/deliveries.ts";
import { FIXTURES, runCli } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery, type JobInsert } from "./fake_server.ts";
import { partitionViolations } from "./partition_filters.ts";
import { DATE, PROBE_CONTEXT, PROBE_TABLE, PROJECT, addExistingTargets, engineOnFake, fakeEnv, firstLine, modelColumns, schemaByModel } from "./support.ts";
import { ZetaSqlAnalyzer } from "./zetasql.ts";

const DML_QUEUE_FULL = `Too many DML statements outstanding against table ${PROJECT}:nba_analytics.probe, limit is 20.`;


describe("retry classification, through the engine against the fake", () => {
  let fake: FakeBigQuery;
  let engine: BigQueryEngine;

  beforeEach(async () => {
    ({ fake, engine } = await engineOnFake({ RUNNER_BIGQUERY_RETRY_MAX_ATTEMPTS: "3" }));
  });

  afterEach(async () => {
    await engine.close();
    await fake.close();
  });

  const run = () => engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE game_date = DATE '${DATE}'`, { context: PROBE_CONTEXT });
  const deletes = () => fake.jobs().filter((job) => job.sql.startsWith("DELETE"));

  it("reads a paged result page by page, every page asking for int64 timestamps", async () => {
    const games = ["20250115_BOS_LAL", "20250115_DEN_PHX", "20250115_MIA_NYK"];
    fake.script({ match: "SELECT game_id FROM", rows: games.map((game_id) => ({ game_id })), pageSize: 1 });
    const rows = await engine.query(`SELECT game_id FROM ${PROBE_TABLE} WHERE game_date = DATE '${DATE}'`, { context: PROBE_CONTEXT });
    expect(rows).toEqual(games.map((game_id) => ({ game_id })));
    const job = fake.jobs().find((candidate) => candidate.sql.startsWith("SELECT game_id"));
    const pages = fake.requests.filter((request) => request.method === "GET" && request.path.endsWith(`/queries/${job?.jobId}`));
    expect(pages.map((request) => request.query.pageToken)).toEqual([undefined, "1", "2"]);
    expect(pages.every((request) => request.query["formatOptions.useInt64Timestamp"] === "true")).toBe(true);
  });

  it("runs a DML job that failed on a full DML queue (resourcesExceeded) again, as a new job", async () => {
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "resourcesExceeded", message: DML_QUEUE_FULL } });
    await expect(run()).resolves.toMatchObject({ rowsAffected: 0 });
    expect(deletes()).toHaveLength(2);
    expect(deletes()[1]?.jobId).not.toBe(deletes()[0]?.jobId);
  });

  it("gives up on a DML queue that stays full after the attempts: NOT READY (exit 75)", async () => {
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "resourcesExceeded", message: DML_QUEUE_FULL }, times: Infinity });
    const failed = run();
    await expect(failed).rejects.toBeInstanceOf(NotReadyError);
    await expect(failed).rejects.toThrow(`probe_model: BigQuery resourcesExceeded after 3 attempts: ${DML_QUEUE_FULL}`);
    expect(deletes()).toHaveLength(3);
  });

  it("inside a transaction, rolls back on a full DML queue and reports NOT READY (never runs the job again)", async () => {
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "resourcesExceeded", message: DML_QUEUE_FULL } });
    await expect(engine.transaction(() => run())).rejects.toBeInstanceOf(NotReadyError);
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `DELETE FROM ${PROBE_TABLE} WHERE game_date = DATE '${DATE}'`, "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("fails at once on any other resourcesExceeded (exit 1, BigQuery's message)", async () => {
    const message = "Resources exceeded during query execution: The query could not be executed in the allotted memory.";
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "resourcesExceeded", message } });
    const failed = run();
    await expect(failed).rejects.toBeInstanceOf(DataFailureError);
    await expect(failed).rejects.toThrow(`probe_model: BigQuery resourcesExceeded: ${message}`);
    expect(deletes()).toHaveLength(1);
  });

  it("fails at once on a per-day quota (a job's or a request's), saying it is used up and not retried", async () => {
    const message = "Quota exceeded: Your table exceeded quota for Number of partition modifications to a column partitioned table.";
    fake.script({ match: "DELETE FROM", jobError: { status: 403, reason: "quotaExceeded", message } });
    const failed = run();
    await expect(failed).rejects.toBeInstanceOf(DataFailureError);
    await expect(failed).rejects.toMatchObject({
      code: "bigquery_quota_exceeded",
      message: `probe_model: BigQuery quotaExceeded (a per-day or monthly quota, used up: not retried): ${message}`,
      suggestion: expect.stringContaining("midnight Pacific time"),
    });
    expect(deletes()).toHaveLength(1);

    const daily = "Custom quota exceeded: Your usage exceeded the custom quota for QueryUsagePerDay, which is set by your administrator.";
    fake.script({ match: "DELETE FROM", httpError: { status: 403, reason: "quotaExceeded", message: daily } });
    await expect(run()).rejects.toMatchObject({ code: "bigquery_quota_exceeded", message: expect.stringContaining(daily) });
    expect(deletes()).toHaveLength(2);
  });

  it("retries a rate quota (quotaExceeded that clears in minutes) and rateLimitExceeded", async () => {
    fake.script({ match: "DELETE FROM", httpError: { status: 403, reason: "quotaExceeded", message: "Quota exceeded: Your project and region exceeded quota for max number of jobs that can be queued per project." } });
    fake.script({ match: "DELETE FROM", jobError: { status: 403, reason: "rateLimitExceeded", message: "Exceeded rate limits: too many table update operations for this table." } });
    await expect(run()).resolves.toBeDefined();
    // The 403 on insert is retried under the same job id; the failed job runs again as a new one.
    const ids = deletes().map((job) => job.jobId);
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[1]);
  });
});

describe("labels of the runner's own jobs", () => {
  let fake: FakeBigQuery;
  let engine: BigQueryEngine;

  beforeEach(async () => {
    ({ fake, engine } = await engineOnFake());
  });

  afterEach(async () => {
    await engine.close();
    await fake.close();
  });

  it("labels the quarantine's DELETE and INSERT with the run, the action and the date, as the MERGE is", async () => {
    const model = { dataset: "nba_analytics", table: "player_game_boxscore" };
    const context = { action: "player_game_boxscore", runId: "run_20250116T060000_abc123", gameDate: DATE };
    await engine.transaction(() =>
      writeQuarantine(engine, model, rangeOf(DATE, DATE), [{ run_id: context.runId, game_date: DATE, game_id: "20250115_BOS_LAL", rule: "r", reason: "why", row_json: "{}", row_hash: "h" }], context),
    );
    const expected = { run_id: "run_20250116t060000_abc123", action: "player_game_boxscore", game_date: DATE };
    const jobs = fake.jobs().filter((job) => job.sql.includes("nba_analytics_quarantine"));
    expect(jobs.map((job) => job.sql.split(/\s+/).slice(0, 2).join(" "))).toEqual(["DELETE FROM", "INSERT INTO"]);
    expect(jobs[0]?.labels).toEqual(expected);
    expect(jobs[1]?.labels).toEqual({ ...expected, table: "nba_analytics_quarantine_player_game_boxscore" });
  });

  it("labels a delivery's row and its duplicate lookup as pubsub_delivery, with the run and the date it names", async () => {
    await recordDelivery(engine, {
      received_at: "2025-01-16T06:00:00.000Z",
      responded_at: "2025-01-16T06:00:01.000Z",
      message_id: "1234567890123456",
      subscription: "projects/p/subscriptions/s",
      delivery_attempt: 1,
      publish_time: null,
      source_table: "nbac_gamebook_player_stats",
      game_date: DATE,
      backfill_mode: false,
      status_code: 200,
      outcome: "completed",
      run_id: "run_20250116T060000_abc123",
      reason: null,
      duration_ms: 1000,
      trace: null,
      payload: null,
    });
    const insert = fake.jobs().find((job) => job.sql.startsWith(`INSERT INTO \`${PROJECT}.nba_orchestration.phase3_runner_deliveries\``));
    expect(insert?.labels).toEqual({ run_id: "run_20250116t060000_abc123", action: "pubsub_delivery", game_date: DATE, table: "nba_orchestration_phase3_runner_deliveries" });
  });
});

describe("runner run --target bigquery: stages and ledger jobs", () => {
  const models = modelColumns();
  let fake: FakeBigQuery;

  beforeEach(async () => {
    fake = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    addExistingTargets(fake, models);
    fake.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
  });

  afterEach(async () => {
    await fake.close();
  });

  it("creates every stage with an explicit expiration (stagingExpirationHours), and labels each ledger row's insert as that action's jobs", async () => {
    const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--json"], { env: fakeEnv(fake.url, { RUNNER_BIGQUERY_STAGING_EXPIRATION_HOURS: "6" }) });
    expect(result.code, result.stderr).toBe(0);
    const runLabel = (JSON.parse(result.stdout) as { run_id: string }).run_id.toLowerCase();
    const jobs = fake.jobs();

    const stages = jobs.filter((job) => job.sql.startsWith(`CREATE OR REPLACE TABLE \`${PROJECT}.runner_staging.`));
    expect(stages).toHaveLength(models.size);
    for (const stage of stages) {
      expect(stage.sql.split("\n")[1], firstLine(stage)).toBe("OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 6 HOUR)) AS");
    }

    // A level's ledger rows go in one insert: labelled with the run and the date, and with the
    // action when the rows are all of one (its own jobs carry the same three labels).
    const ledger = jobs.filter((job) => job.sql.startsWith(`INSERT INTO \`${PROJECT}.nba_orchestration.phase3_runner_runs\``));
    expect(ledger.length).toBeGreaterThan(0);
    let rows = 0;
    for (const insert of ledger) {
      const actions = new Set((insert.queryParameters[0]?.parameterValue.arrayValues ?? []).map((row) => row.structValues?.action?.value ?? ""));
      rows += (insert.queryParameters[0]?.parameterValue.arrayValues ?? []).length;
      const [only] = actions;
      const expected = { run_id: runLabel, game_date: DATE, table: "nba_orchestration_phase3_runner_runs", ...(actions.size === 1 && only ? { action: only } : {}) };
      expect(insert.labels).toEqual(expected);
      if (actions.size === 1 && only) {
        const own = jobs.find((job) => job.labels.action === only && !job.labels.table);
        expect(own?.labels).toEqual({ run_id: runLabel, action: only, game_date: DATE });
      }
    }
    // Every action of the run has its row: the models, their gates and assertions.
    expect(rows).toBe((JSON.parse(result.stdout) as { results: { actions: unknown[] }[] }).results[0]?.actions.length);
  });
});

describe("maximumBytesBilled", () => {
  it("is refused below 10 MiB before anything is sent (exit 2)", async () => {
    const fake = await startFakeBigQuery();
    try {
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery"], { env: fakeEnv(fake.url, { RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: "5MB" }) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("maximumBytesBilled: must be at least 10 MiB (10485760 bytes)");
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe("runner load --target bigquery", () => {
  const FILE = path.join(FIXTURES, "bdl_box_scores_2024-01-15.json");
  const BOXSCORES = `${PROJECT}.nba_raw.bdl_player_boxscores`;
  let analyzer: ZetaSqlAnalyzer;

  beforeAll(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
  }, 60_000);

  afterAll(async () => {
    await analyzer?.close();
  });

  function load(fake: FakeBigQuery) {
    return runCli(["load", FILE, "--target", "bigquery"], { env: fakeEnv(fake.url) });
  }

  it("writes every file in one multi-statement transaction, its DELETE restricted to the partitions of the file's rows", async () => {
    // Every scan of a partitioned table must filter its partition column, as production's raw tables require.
    const fake = await startFakeBigQuery({ partitionFilters: { analyzer, enforce: "partitioned" } });
    try {
      const result = await load(fake);
      expect(result.code, result.stderr).toBe(0);
      const jobs = fake.jobs();
      const session = jobs[0]?.sessionId;
      expect(jobs[0]?.createSession).toBe(true);
      expect(jobs.map(firstLine)).toEqual([
        "BEGIN TRANSACTION",
        `DELETE FROM \`${BOXSCORES}\``,
        `INSERT INTO \`${BOXSCORES}\` (${firstLine(jobs[2] as JobInsert).split("(")[1]}`,
        ...jobs.slice(3, -2).map(firstLine),
        "COMMIT TRANSACTION",
        "CALL BQ.ABORT_SESSION()",
      ]);
      expect(jobs.every((job) => job.sessionId === session)).toBe(true);
      expect(jobs.slice(3, -2).every((job) => job.sql.includes("nba_reference.nba_players_registry") || /^WITH /.test(job.sql))).toBe(true);

      const remove = jobs[1] as JobInsert;
      expect(remove.sql).toBe(`DELETE FROM \`${BOXSCORES}\`\nWHERE game_date IN UNNEST(@partition_dates)\n  AND source_file_path = @source_file_path`);
      expect(remove.queryParameters.find((parameter) => parameter.name === "partition_dates")).toEqual({
        name: "partition_dates",
        parameterType: { type: "ARRAY", arrayType: { type: "DATE" } },
        parameterValue: { arrayValues: [{ value: "2024-01-15" }] },
      });
      expect(remove.labels).toEqual({ action: "load" });
      expect(jobs[2]?.labels).toEqual({ action: "load", table: "nba_raw_bdl_player_boxscores" });
    } finally {
      await fake.close();
    }
  });

  it("would have been refused without the partition filter: the DELETE of a file's rows alone scans every partition", async () => {
    analyzer.addTable(BOXSCORES, [
      { name: "game_date", type: { typeKind: "TYPE_DATE" } },
      { name: "source_file_path", type: { typeKind: "TYPE_STRING" } },
    ]);
    const params = { source_file_path: { typeKind: "TYPE_STRING" }, partition_dates: { typeKind: "TYPE_ARRAY", arrayType: { elementType: { typeKind: "TYPE_DATE" } } } };
    const unfiltered = async (sql: string) => {
      const verdict = await analyzer.analyze(sql, params);
      expect(verdict.error).toBeUndefined();
      return partitionViolations(verdict.resolved, (table) => (table === BOXSCORES ? "game_date" : undefined)).map((violation) => violation.table);
    };
    expect(await unfiltered(`DELETE FROM \`${BOXSCORES}\` WHERE source_file_path = @source_file_path`)).toEqual([BOXSCORES]);
    expect(await unfiltered(`DELETE FROM \`${BOXSCORES}\`\nWHERE game_date IN UNNEST(@partition_dates)\n  AND source_file_path = @source_file_path`)).toEqual([]);
    analyzer.removeTable(BOXSCORES);
  });

  it("commits nothing when a statement of the load fails: ROLLBACK, no COMMIT, exit 1", async () => {
    const fake = await startFakeBigQuery();
    try {
      fake.script({ match: `INSERT INTO \`${PROJECT}.nba_reference.nba_players_registry\``, jobError: { status: 400, reason: "invalidQuery", message: "Syntax error" } });
      const result = await load(fake);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("BigQuery invalidQuery: Syntax error");
      const lines = fake.jobs().map(firstLine);
      expect(lines[0]).toBe("BEGIN TRANSACTION");
      expect(lines).toContain(`DELETE FROM \`${BOXSCORES}\``);
      expect(lines).not.toContain("COMMIT TRANSACTION");
      expect(lines.slice(-2)).toEqual(["ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
      expect(new Set(fake.jobs().map((job) => job.sessionId)).size).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
