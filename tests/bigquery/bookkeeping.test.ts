/**
 * The runner's bookkeeping tables on BigQuery, through the real CLI against the local fake of the
 * REST API: the ledger is a table of the runner's own (nba_orchestration.phase3_runner_runs, or
 * the one configured), never the original platform's processor_run_history; a ledger table of an
 * older runner, with fewer columns, gains the missing ones in place before the first row is
 * written; a table at the configured name that is someone else's is refused before any insert.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEDGER_COLUMNS } from "../../runner/ledger/ledger.ts";
import { runCli, tempDir } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery, type Field, type JobInsert } from "./fake_server.ts";
import { DATE, PROJECT, REST_TYPE, fakeEnv } from "./support.ts";

const LEDGER_ID = `${PROJECT}.nba_orchestration.phase3_runner_runs`;
const GATE = "boxscores_complete";

/** The ledger's columns as tables.get answers them. */
function ledgerFields(names: string[]): Field[] {
  return LEDGER_COLUMNS.filter((column) => names.includes(column.name)).map((column) => ({ name: column.name, type: REST_TYPE[column.type], mode: "NULLABLE" }));
}

/** The columns the ledger gained after its first version. */
const ADDED_SINCE = ["trigger", "rows_quarantined", "games", "details"];

let fake: FakeBigQuery;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  // The gate finds nothing missing.
  fake.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
});

afterEach(async () => {
  await fake.close();
});

function runGate(env: Record<string, string> = {}) {
  return runCli(["run", "--date", DATE, "--target", "bigquery", "--actions", GATE], { env: fakeEnv(fake.url, env) });
}

/** The INSERT column list of a DML insert job. */
function insertedColumns(job: JobInsert): string[] {
  const list = /^INSERT INTO `[^`]+` \(([^)]*)\)/.exec(job.sql)?.[1] ?? "";
  return list.split(",").map((name) => name.trim());
}

describe("runner run --target bigquery: the ledger", () => {
  it("is written to nba_orchestration.phase3_runner_runs, created partitioned by game_date; nothing names processor_run_history", async () => {
    const result = await runGate();
    expect(result.code, result.stderr).toBe(0);
    const created = fake.requests.find((request) => request.method === "POST" && request.path.endsWith("/datasets/nba_orchestration/tables"));
    expect(created?.body).toMatchObject({
      tableReference: { projectId: PROJECT, datasetId: "nba_orchestration", tableId: "phase3_runner_runs" },
      timePartitioning: { type: "DAY", field: "game_date" },
    });
    const inserts = fake.jobs().filter((job) => job.sql.startsWith(`INSERT INTO \`${LEDGER_ID}\``));
    expect(inserts).toHaveLength(1);
    expect(JSON.stringify(fake.requests)).not.toContain("processor_run_history");
  });

  it("adds the columns an older, narrower ledger table lacks (one ALTER TABLE before the first insert), then records the run", async () => {
    const narrow = LEDGER_COLUMNS.map((column) => column.name).filter((name) => !ADDED_SINCE.includes(name));
    fake.datasets.add(`${PROJECT}.nba_orchestration`);
    fake.tables.set(LEDGER_ID, { fields: ledgerFields(narrow), resource: { timePartitioning: { type: "DAY", field: "game_date" } } });

    const result = await runGate();
    expect(result.code, result.stderr).toBe(0);

    const jobs = fake.jobs();
    const alters = jobs.filter((job) => job.sql.startsWith(`ALTER TABLE \`${LEDGER_ID}\``));
    expect(alters.map((job) => job.sql)).toEqual([
      `ALTER TABLE \`${LEDGER_ID}\`\n` +
        "  ADD COLUMN IF NOT EXISTS `trigger` STRING,\n" +
        "  ADD COLUMN IF NOT EXISTS `rows_quarantined` INT64,\n" +
        "  ADD COLUMN IF NOT EXISTS `games` INT64,\n" +
        "  ADD COLUMN IF NOT EXISTS `details` JSON",
    ]);
    // DDL outside any transaction, labelled with the table it changes.
    expect(alters[0]?.sessionId).toBeUndefined();
    expect(alters[0]?.labels).toEqual({ table: "nba_orchestration_phase3_runner_runs" });
    // The table was altered, not recreated, and has every column now (the fake applies the DDL).
    const createdLedger = fake.requests.filter(
      (request) => request.method === "POST" && request.path.endsWith("/datasets/nba_orchestration/tables") && JSON.stringify(request.body).includes('"tableId":"phase3_runner_runs"'),
    );
    expect(createdLedger).toEqual([]);
    expect(fake.tables.get(LEDGER_ID)?.fields.map((field) => field.name)).toEqual([...narrow, ...ADDED_SINCE]);

    // The run's row went in after the columns were there, and names only columns the table has.
    const insert = jobs.find((job) => job.sql.startsWith(`INSERT INTO \`${LEDGER_ID}\``));
    expect(insert).toBeDefined();
    expect(jobs.indexOf(insert as JobInsert)).toBeGreaterThan(jobs.indexOf(alters[0] as JobInsert));
    const columns = fake.tables.get(LEDGER_ID)?.fields.map((field) => field.name) ?? [];
    expect(insertedColumns(insert as JobInsert).filter((name) => !columns.includes(name))).toEqual([]);
    expect(insertedColumns(insert as JobInsert)).toEqual(expect.arrayContaining(ADDED_SINCE));

    // A second run finds nothing to add.
    const again = await runGate();
    expect(again.code, again.stderr).toBe(0);
    expect(fake.jobs().filter((job) => job.sql.startsWith("ALTER TABLE"))).toHaveLength(1);
  });

  it("goes to the table runner.config.json names (bigquery.ledgerTable), created there", async () => {
    const file = path.join(tempDir("runner-config"), "runner.config.json");
    fs.writeFileSync(file, JSON.stringify({ bigquery: { ledgerTable: "ops_runner.run_ledger" } }));
    const result = await runGate({ RUNNER_CONFIG: file });
    expect(result.code, result.stderr).toBe(0);
    const created = fake.requests.find((request) => request.method === "POST" && request.path.endsWith("/datasets/ops_runner/tables"));
    expect(created?.body).toMatchObject({ tableReference: { datasetId: "ops_runner", tableId: "run_ledger" } });
    expect(fake.jobs().filter((job) => job.sql.startsWith(`INSERT INTO \`${PROJECT}.ops_runner.run_ledger\``))).toHaveLength(1);
    expect(fake.jobs().some((job) => job.sql.includes("phase3_runner_runs"))).toBe(false);
  });

  it("refuses the original platform's processor_run_history as a setting (exit 2, nothing sent)", async () => {
    const result = await runGate({ RUNNER_BIGQUERY_LEDGER_TABLE: "nba_orchestration.processor_run_history" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ledgerTable: nba_orchestration.processor_run_history is the original platform's run history");
    expect(fake.requests).toEqual([]);
  });

  it("refuses a table at the configured name whose columns contradict the ledger's, before inserting anything", async () => {
    // Another system's table: a status code, and a REQUIRED column the runner never writes.
    const foreign = `${PROJECT}.nba_orchestration.legacy_runs`;
    fake.datasets.add(`${PROJECT}.nba_orchestration`);
    fake.tables.set(foreign, {
      fields: [
        { name: "run_id", type: "STRING", mode: "NULLABLE" },
        { name: "status", type: "INTEGER", mode: "NULLABLE" },
        { name: "processor_name", type: "STRING", mode: "REQUIRED" },
      ],
      resource: {},
    });
    const result = await runGate({ RUNNER_BIGQUERY_LEDGER_TABLE: "nba_orchestration.legacy_runs" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${foreign} is not a table the runner can write: status is INT64, not STRING; processor_name is REQUIRED and not written by the runner`,
    );
    expect(result.stderr).toContain("bigquery.ledgerTable");
    expect(fake.jobs().some((job) => /^(ALTER|INSERT)/.test(job.sql))).toBe(false);
  });
});
