/**
 * `Engine.transaction()` on BigQuery is one multi-statement transaction in a session: BEGIN
 * TRANSACTION (the job that creates the session), the statements, COMMIT TRANSACTION, or ROLLBACK
 * TRANSACTION when anything fails, then the session's end. The local fake runs no SQL, so what is
 * shown is the request sequence it records: which jobs ran, in which order, in which session.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataFailureError, NotReadyError } from "../../runner/errors.ts";
import { param } from "../../runner/engines/engine.ts";
import type { BigQueryEngine } from "../../runner/engines/bigquery/engine.ts";
import { refusedInTransaction } from "../../runner/engines/bigquery/transaction.ts";
import { postWriteChecks } from "../../runner/checks/templates.ts";
import { ROOT, runCli } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery, type JobInsert } from "./fake_server.ts";
import { DATE, PROBE_CONTEXT, PROBE_TABLE, PROJECT, addExistingTargets, engineOnFake, fakeEnv, firstLine, modelColumns, modelTargetIds, schemaByModel } from "./support.ts";


let fake: FakeBigQuery;
let engine: BigQueryEngine;

beforeEach(async () => {
  ({ fake, engine } = await engineOnFake({ RUNNER_BIGQUERY_RETRY_MAX_ATTEMPTS: "3" }));
});

afterEach(async () => {
  await engine.close();
  await fake.close();
});


/**
 * What the query counting a model's post-write checks answers, a row per check in the order the
 * templates give them: `found` rows for the checks named, none for the others.
 */
function checkCounts(model: string, found: Record<string, number>) {
  const context = { model, target: "target", stage: "stage", key_columns: "game_id", window_column: "game_date", scope_column: "game_id" };
  const names = postWriteChecks(ROOT, context).map((check) => check.name);
  for (const name of Object.keys(found)) expect(names, `${model} has the post-write check ${name}`).toContain(name);
  return names.map((name, query_index) => ({ query_index, row_count: found[name] ?? 0 }));
}

function sessionOf(job: JobInsert | undefined): string {
  expect(job?.sessionId, `${job?.sql} ran in no session`).toBeDefined();
  return job?.sessionId ?? "";
}

describe("BigQueryEngine.transaction", () => {
  it("sends BEGIN TRANSACTION, the statements and COMMIT TRANSACTION as jobs of one session, in that order", async () => {
    fake.script({ match: "SELECT COUNT(*) AS row_count", rows: [{ row_count: 2 }] });
    fake.script({ match: "MERGE", numDmlAffectedRows: 2 });
    const result = await engine.transaction(async () => {
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE game_date = @date`, { params: { date: param.date(DATE) }, context: PROBE_CONTEXT });
      await engine.insertRows({ dataset: "nba_analytics", table: "probe" }, [{ name: "game_id", type: "STRING" }], [{ game_id: "g1" }]);
      // A query inside reads in the session, so it sees what the transaction changed.
      const counted = await engine.query<{ row_count: number }>(`SELECT COUNT(*) AS row_count FROM ${PROBE_TABLE}`, { context: PROBE_CONTEXT });
      const merged = await engine.execute(`MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, { context: PROBE_CONTEXT });
      return { counted: counted[0]?.row_count, merged: merged.rowsAffected };
    });
    expect(result).toEqual({ counted: 2, merged: 2 });

    const jobs = fake.jobs();
    expect(jobs.map(firstLine)).toEqual([
      "BEGIN TRANSACTION",
      `DELETE FROM ${PROBE_TABLE} WHERE game_date = @date`,
      `INSERT INTO ${PROBE_TABLE} (game_id)`,
      `SELECT COUNT(*) AS row_count FROM ${PROBE_TABLE}`,
      `MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`,
      "COMMIT TRANSACTION",
      // The session is ended rather than left to expire (engine.ts says why).
      "CALL BQ.ABORT_SESSION()",
    ]);
    // The first job creates the session; every other one names it in connectionProperties.
    const [begin, ...rest] = jobs;
    expect(begin?.createSession).toBe(true);
    expect(begin?.connectionProperties).toEqual([]);
    const session = sessionOf(begin);
    for (const job of rest) {
      expect(job.createSession, job.sql).toBe(false);
      expect(job.connectionProperties, job.sql).toEqual([{ key: "session_id", value: session }]);
    }
    // The control jobs carry the labels of the unit's first statement.
    expect(begin?.labels).toEqual({ run_id: "run_1", action: "probe_model", game_date: DATE });
    expect(jobs.at(-2)?.labels).toEqual(begin?.labels);
    expect(jobs.some((job) => firstLine(job) === "ROLLBACK TRANSACTION")).toBe(false);
  });

  it("sends ROLLBACK TRANSACTION when a statement inside fails, and the error propagates", async () => {
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "invalidQuery", message: "Unrecognized name: gmae_date at [1:60]" } });
    const failed = engine.transaction(async () => {
      await engine.execute(`UPDATE ${PROBE_TABLE} SET game_id = 'x' WHERE TRUE`, { context: PROBE_CONTEXT });
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE gmae_date = @date`, { params: { date: param.date(DATE) }, context: PROBE_CONTEXT });
      await engine.execute(`MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, { context: PROBE_CONTEXT });
    });
    await expect(failed).rejects.toThrow(DataFailureError);
    await expect(failed).rejects.toThrow("probe_model: BigQuery invalidQuery: Unrecognized name: gmae_date at [1:60]");

    const jobs = fake.jobs();
    expect(jobs.map(firstLine)).toEqual([
      "BEGIN TRANSACTION",
      `UPDATE ${PROBE_TABLE} SET game_id = 'x' WHERE TRUE`,
      `DELETE FROM ${PROBE_TABLE} WHERE gmae_date = @date`,
      "ROLLBACK TRANSACTION",
      "CALL BQ.ABORT_SESSION()",
    ]);
    const session = sessionOf(jobs[0]);
    expect(jobs.every((job) => job.sessionId === session)).toBe(true);
  });

  it("does not run a statement inside again after a transient failure: rolls back, NOT READY", async () => {
    fake.script({ match: "MERGE", jobError: { status: 400, reason: "invalidQuery", message: "Transaction is aborted due to concurrent update against table nba_analytics.probe" } });
    const failed = engine.transaction(async () => {
      await engine.execute(`MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, { context: PROBE_CONTEXT });
    });
    await expect(failed).rejects.toThrow(NotReadyError);
    await expect(failed).rejects.toThrow("probe_model: BigQuery invalidQuery inside a transaction, which was rolled back: Transaction is aborted due to concurrent update");
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("retries a lost request inside under the same job id: the statement still runs once", async () => {
    fake.script({ match: "MERGE", httpError: { status: 503, reason: "backendError", message: "Backend error" } });
    await engine.transaction(async () => {
      await engine.execute(`MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, { context: PROBE_CONTEXT });
    });
    const merges = fake.jobs().filter((job) => firstLine(job).startsWith("MERGE"));
    expect(merges).toHaveLength(2);
    expect(merges[1]?.jobId).toBe(merges[0]?.jobId);
    expect(fake.jobs().map(firstLine).at(-2)).toBe("COMMIT TRANSACTION");
  });

  it("rolls back on COMMIT's failure: a concurrent-update conflict is NOT READY", async () => {
    fake.script({ match: "COMMIT TRANSACTION", jobError: { status: 400, reason: "invalidQuery", message: "Transaction is aborted due to concurrent update against table nba_analytics.probe" } });
    const failed = engine.transaction(() => engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE TRUE`, { context: PROBE_CONTEXT }));
    await expect(failed).rejects.toThrow(NotReadyError);
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `DELETE FROM ${PROBE_TABLE} WHERE TRUE`, "COMMIT TRANSACTION", "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("rolls back when the work itself throws, and rethrows its error", async () => {
    const failed = engine.transaction(async () => {
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE TRUE`, { context: PROBE_CONTEXT });
      throw new DataFailureError("check_failed", "probe_model: a blocking post-write check failed");
    });
    await expect(failed).rejects.toThrow("probe_model: a blocking post-write check failed");
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `DELETE FROM ${PROBE_TABLE} WHERE TRUE`, "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("rolls back even when the work catches a failed statement and carries on; sends nothing after it", async () => {
    fake.script({ match: "DELETE FROM", jobError: { status: 400, reason: "invalidQuery", message: "Syntax error" } });
    const failed = engine.transaction(async () => {
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE TRUE`, { context: PROBE_CONTEXT }).catch(() => undefined);
      await expect(engine.execute(`INSERT INTO ${PROBE_TABLE} (game_id) VALUES ('g1')`, { context: PROBE_CONTEXT })).rejects.toMatchObject({ code: "transaction_aborted" });
      return "done";
    });
    await expect(failed).rejects.toThrow("BigQuery invalidQuery: Syntax error");
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `DELETE FROM ${PROBE_TABLE} WHERE TRUE`, "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
  });

  it("refuses DDL on a permanent table inside, loudly, before sending it", async () => {
    const create = `CREATE TABLE IF NOT EXISTS ${PROBE_TABLE}\nPARTITION BY game_date AS\nSELECT * FROM ${PROBE_TABLE} LIMIT 0`;
    const failed = engine.transaction(async () => {
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE TRUE`, { context: PROBE_CONTEXT });
      await engine.execute(create, { context: PROBE_CONTEXT });
    });
    await expect(failed).rejects.toMatchObject({
      code: "statement_not_allowed_in_transaction",
      message: expect.stringContaining("probe_model: BigQuery does not allow CREATE TABLE IF NOT EXISTS inside a multi-statement transaction"),
    });
    expect(fake.jobs().map(firstLine)).toEqual(["BEGIN TRANSACTION", `DELETE FROM ${PROBE_TABLE} WHERE TRUE`, "ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);

    // ALTER TABLE (addColumns), and a refused first statement: no session is created at all.
    await expect(engine.transaction(() => engine.execute(`ALTER TABLE ${PROBE_TABLE} ADD COLUMN IF NOT EXISTS x INT64`))).rejects.toMatchObject({
      code: "statement_not_allowed_in_transaction",
    });
    expect(fake.jobs()).toHaveLength(4);
  });

  it("runs a nested transaction inside the outer one: one BEGIN, one COMMIT, one session", async () => {
    await engine.transaction(async () => {
      await engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE TRUE`, { context: PROBE_CONTEXT });
      await engine.transaction(async () => {
        await engine.execute(`INSERT INTO ${PROBE_TABLE} (game_id) VALUES ('g1')`, { context: PROBE_CONTEXT });
      });
      await engine.execute(`UPDATE ${PROBE_TABLE} SET game_id = 'g2' WHERE TRUE`, { context: PROBE_CONTEXT });
    });
    const jobs = fake.jobs();
    expect(jobs.map(firstLine)).toEqual([
      "BEGIN TRANSACTION",
      `DELETE FROM ${PROBE_TABLE} WHERE TRUE`,
      `INSERT INTO ${PROBE_TABLE} (game_id) VALUES ('g1')`,
      `UPDATE ${PROBE_TABLE} SET game_id = 'g2' WHERE TRUE`,
      "COMMIT TRANSACTION",
      "CALL BQ.ABORT_SESSION()",
    ]);
    const session = sessionOf(jobs[0]);
    expect(jobs.every((job) => job.sessionId === session)).toBe(true);
  });

  it("keeps concurrent work outside the transaction out of its session", async () => {
    // The MERGE inside takes a while, so the query outside runs while the transaction is open.
    fake.script({ match: "MERGE", pendingPolls: 3 });
    await Promise.all([
      engine.transaction(() => engine.execute(`MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`, { context: PROBE_CONTEXT })),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await engine.query(`SELECT 1 AS outside`, { context: { action: "other_action" } });
      })(),
    ]);
    const jobs = fake.jobs();
    const outside = jobs.find((job) => firstLine(job) === "SELECT 1 AS outside");
    expect(outside?.sessionId).toBeUndefined();
    expect(outside?.createSession).toBe(false);
    expect(outside?.connectionProperties).toEqual([]);
    // It was sent while the transaction was open: between BEGIN and COMMIT.
    const at = (text: string) => jobs.findIndex((job) => firstLine(job) === text);
    expect(at("SELECT 1 AS outside")).toBeGreaterThan(at("BEGIN TRANSACTION"));
    expect(at("SELECT 1 AS outside")).toBeLessThan(at("COMMIT TRANSACTION"));
    const session = sessionOf(jobs[at("BEGIN TRANSACTION")]);
    expect(jobs.filter((job) => job.sessionId === session).map(firstLine)).toEqual([
      "BEGIN TRANSACTION",
      `MERGE ${PROBE_TABLE} AS target USING ${PROBE_TABLE} AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW`,
      "COMMIT TRANSACTION",
      "CALL BQ.ABORT_SESSION()",
    ]);
  });

  it("runs the jobs of one transaction one at a time, even when the work sends them concurrently", async () => {
    fake.script({ match: "SELECT 1 AS first", pendingPolls: 3, rows: [{ first: 1 }] });
    await engine.transaction(() => Promise.all([engine.query("SELECT 1 AS first", { context: PROBE_CONTEXT }), engine.query("SELECT 2 AS second", { context: PROBE_CONTEXT })]));
    const jobs = fake.jobs();
    const first = jobs.find((job) => firstLine(job) === "SELECT 1 AS first");
    const second = jobs.find((job) => firstLine(job) === "SELECT 2 AS second");
    // The second job is inserted only after the first one's results said it was complete.
    const lastPollOfFirst = fake.requests.findLastIndex((request) => request.method === "GET" && request.path.endsWith(`/queries/${first?.jobId}`));
    const insertOfSecond = fake.requests.findIndex((request) => request.method === "POST" && JSON.stringify(request.body).includes(second?.jobId ?? "?"));
    expect(lastPollOfFirst).toBeGreaterThan(-1);
    expect(insertOfSecond).toBeGreaterThan(lastPollOfFirst);
  });

  it("runs two transactions of one engine one after the other, each in its own session", async () => {
    await Promise.all([
      engine.transaction(() => engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE game_id = 'a'`, { context: PROBE_CONTEXT })),
      engine.transaction(() => engine.execute(`DELETE FROM ${PROBE_TABLE} WHERE game_id = 'b'`, { context: PROBE_CONTEXT })),
    ]);
    const jobs = fake.jobs();
    expect(jobs.map(firstLine)).toEqual([
      "BEGIN TRANSACTION",
      `DELETE FROM ${PROBE_TABLE} WHERE game_id = 'a'`,
      "COMMIT TRANSACTION",
      "CALL BQ.ABORT_SESSION()",
      "BEGIN TRANSACTION",
      `DELETE FROM ${PROBE_TABLE} WHERE game_id = 'b'`,
      "COMMIT TRANSACTION",
      "CALL BQ.ABORT_SESSION()",
    ]);
    expect(jobs[0]?.sessionId).not.toBe(jobs[4]?.sessionId);
    expect(jobs.slice(0, 4).every((job) => job.sessionId === jobs[0]?.sessionId)).toBe(true);
    expect(jobs.slice(4).every((job) => job.sessionId === jobs[4]?.sessionId)).toBe(true);
  });

  it("sends nothing for a transaction whose work sends no statement", async () => {
    expect(await engine.transaction(async () => 42)).toBe(42);
    expect(fake.jobs()).toEqual([]);
  });
});

describe("runner run --target bigquery: each model's publish is one transaction", () => {
  const models = modelColumns();
  const targets = modelTargetIds();

  async function runAgainst(bigquery: FakeBigQuery) {
    bigquery.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
    return runCli(["run", "--date", DATE, "--target", "bigquery"], { env: fakeEnv(bigquery.url) });
  }

  it("sends every model's MERGE inside BEGIN ... COMMIT in a session of its own, and nothing else joins it", async () => {
    const bigquery = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    try {
      addExistingTargets(bigquery, models, targets);
      const result = await runAgainst(bigquery);
      expect(result.code, result.stderr).toBe(0);
      const jobs = bigquery.jobs();
      const sessions = new Set<string>();
      for (const [model, target] of targets) {
        const merge = jobs.find((job) => job.sql.startsWith(`MERGE \`${target}\``));
        const session = sessionOf(merge);
        sessions.add(session);
        const inSession = jobs.filter((job) => job.sessionId === session);
        const lines = inSession.map(firstLine);
        // BEGIN first (it creates the session), COMMIT and the session's end last, the MERGE and
        // the record of held-back games in between (with the post-write checks, where the publish
        // runs them inside), and nothing but queries and DML.
        expect(lines[0], model).toBe("BEGIN TRANSACTION");
        expect(inSession[0]?.createSession, model).toBe(true);
        expect(lines.slice(-2), model).toEqual(["COMMIT TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
        const mergeAt = lines.indexOf(`MERGE \`${target}\` AS target`);
        const heldBackAt = lines.indexOf(`DELETE FROM \`${PROJECT}.nba_orchestration.held_back_games\` WHERE game_date BETWEEN @start_date AND @end_date AND model = @model`);
        expect(mergeAt, model).toBeGreaterThan(0);
        expect(heldBackAt, model).toBeGreaterThan(mergeAt);
        for (const job of inSession.slice(1, -2)) expect(refusedInTransaction(job.sql), `${model}: ${firstLine(job)}`).toBeUndefined();
        expect(inSession[1]?.labels, model).toMatchObject({ action: model });
        expect(inSession[0]?.labels, model).toEqual(inSession[1]?.labels);
        // In that order among all the jobs of the run, too.
        const indexes = inSession.map((job) => jobs.indexOf(job));
        expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      }
      expect(sessions.size).toBe(targets.size);
      // Only the publishes' jobs are in a session: the stage, its shape, the ledger, the gates and
      // assertions run outside, even while a transaction of the same level is open.
      expect(jobs.filter((job) => job.sessionId !== undefined).every((job) => sessions.has(job.sessionId ?? ""))).toBe(true);
      expect(jobs.filter((job) => job.createSession)).toHaveLength(targets.size);
      const outside = (pattern: RegExp) => jobs.filter((job) => pattern.test(job.sql));
      for (const pattern of [/^CREATE OR REPLACE TABLE `[^`]+\.runner_staging\./, /^DROP TABLE IF EXISTS/, /^INSERT INTO `[^`]+\.nba_orchestration\.phase3_runner_runs`/, /^SELECT COUNT\(\*\) AS row_count FROM \(/]) {
        expect(outside(pattern).length, String(pattern)).toBeGreaterThan(0);
        expect(outside(pattern).every((job) => job.sessionId === undefined), String(pattern)).toBe(true);
      }
      expect(jobs.some((job) => job.sessionId === undefined && /^(BEGIN|COMMIT|ROLLBACK) TRANSACTION/.test(job.sql))).toBe(false);
      expect(jobs.some((job) => firstLine(job) === "ROLLBACK TRANSACTION")).toBe(false);
    } finally {
      await bigquery.close();
    }
  });

  it("rolls a model's publish back when a blocking post-write check fails: its session ends in ROLLBACK", async () => {
    const bigquery = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    try {
      addExistingTargets(bigquery, models, targets);
      const target = targets.get("team_offense_game_summary") as string;
      // The scoped row count finds fewer rows in the table than were staged.
      // (One query counts what every post-write check finds, a row per check.)
      bigquery.script({ match: `SELECT COUNT(*) AS target_rows\n  FROM \`${target}\``, rows: checkCounts("team_offense_game_summary", { scoped_row_count: 1 }) });
      const result = await runAgainst(bigquery);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("the publish was rolled back");
      const jobs = bigquery.jobs();
      const session = sessionOf(jobs.find((job) => job.sql.startsWith(`MERGE \`${target}\``)));
      const lines = jobs.filter((job) => job.sessionId === session).map(firstLine);
      expect(lines[0]).toBe("BEGIN TRANSACTION");
      expect(lines).toContain(`MERGE \`${target}\` AS target`);
      expect(lines).not.toContain("COMMIT TRANSACTION");
      expect(lines.slice(-2)).toEqual(["ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
    } finally {
      await bigquery.close();
    }
  });

  it("creates a model's missing table before its transaction, then publishes inside one", async () => {
    // No tables yet: CREATE TABLE IF NOT EXISTS runs on its own (BigQuery allows no DDL on a
    // permanent table inside a transaction), then BEGIN ... MERGE ... COMMIT in a session.
    const bigquery = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    try {
      const result = await runAgainst(bigquery);
      expect(result.code, result.stderr).toBe(0);
      const jobs = bigquery.jobs();
      for (const [, target] of targets) {
        const create = jobs.find((job) => job.sql.startsWith(`CREATE TABLE IF NOT EXISTS \`${target}\``));
        const merge = jobs.find((job) => job.sql.startsWith(`MERGE \`${target}\``));
        expect(create?.sessionId, target).toBeUndefined();
        expect(create?.createSession, target).toBeFalsy();
        expect(sessionOf(merge), target).toBeDefined();
        expect(jobs.indexOf(create as (typeof jobs)[number])).toBeLessThan(jobs.indexOf(merge as (typeof jobs)[number]));
      }
    } finally {
      await bigquery.close();
    }
  });

  it("--full-refresh: builds each model's new table, checks it, replaces the target in one job outside any session, then records in a transaction", async () => {
    const bigquery = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    try {
      addExistingTargets(bigquery, models, targets);
      bigquery.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--full-refresh"], { env: fakeEnv(bigquery.url) });
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const jobs = bigquery.jobs();
      for (const [model, target] of targets) {
        const own = jobs.filter((job) => job.labels.action === model);
        const at = (pattern: RegExp) => own.findIndex((job) => pattern.test(job.sql));
        const rebuilt = `${PROJECT}\\.runner_staging\\.${model}__rebuilt__`;
        const built = at(new RegExp(`^CREATE OR REPLACE TABLE \`${rebuilt}`));
        const kept = at(new RegExp(`^INSERT INTO \`${rebuilt}`));
        const replaced = at(new RegExp(`^CREATE OR REPLACE TABLE \`${target.replace(/\./g, "\\.")}\``));
        const recorded = at(/^DELETE FROM `[^`]+\.nba_orchestration\.held_back_games`/);
        // Built, rows kept, replaced, recorded: in that order.
        expect([built, kept, replaced, recorded].every((index) => index >= 0), `${model}: ${[built, kept, replaced, recorded]}`).toBe(true);
        expect(built < kept && kept < replaced && replaced < recorded, model).toBe(true);
        // The replacement is one job of its own, never in a session; the normal MERGE is not sent.
        expect(own[replaced]?.sessionId, model).toBeUndefined();
        expect(own[replaced]?.sql, model).toContain(`AS\nSELECT * FROM \`${PROJECT}.runner_staging.${model}__rebuilt__`);
        expect(own.some((job) => job.sql.startsWith(`MERGE \`${target}\``)), model).toBe(false);
        // The record of held-back games (and quarantine) is a transaction with nothing but DML in it.
        const session = sessionOf(own[recorded]);
        const inSession = jobs.filter((job) => job.sessionId === session);
        expect(inSession.map(firstLine).slice(-2), model).toEqual(["COMMIT TRANSACTION", "CALL BQ.ABORT_SESSION()"]);
        for (const job of inSession.slice(1, -2)) expect(refusedInTransaction(job.sql), `${model}: ${firstLine(job)}`).toBeUndefined();
        // The rebuilt table is dropped afterwards.
        expect(at(new RegExp(`^DROP TABLE IF EXISTS \`${rebuilt}`)), model).toBeGreaterThan(replaced);
      }
    } finally {
      await bigquery.close();
    }
  });

  it("--full-refresh: a blocking check failing on the rebuilt table leaves the target as it was: it is never replaced", async () => {
    const bigquery = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    try {
      addExistingTargets(bigquery, models, targets);
      bigquery.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
      // The scoped row count, which runs on the rebuilt table, finds fewer rows than were staged.
      bigquery.script({
        match: /SELECT COUNT\(\*\) AS target_rows\n\s+FROM `[^`]+\.runner_staging\.team_offense_game_summary__rebuilt__/,
        rows: checkCounts("team_offense_game_summary", { scoped_row_count: 1 }),
      });
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--full-refresh"], { env: fakeEnv(bigquery.url) });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("the publish was rolled back, the table is as it was");
      const target = targets.get("team_offense_game_summary") as string;
      expect(bigquery.jobs().some((job) => job.sql.startsWith(`CREATE OR REPLACE TABLE \`${target}\``))).toBe(false);
      expect(bigquery.jobs().some((job) => job.sql.startsWith(`DROP TABLE IF EXISTS \`${PROJECT}.runner_staging.team_offense_game_summary__rebuilt__`))).toBe(true);
    } finally {
      await bigquery.close();
    }
  });
});
