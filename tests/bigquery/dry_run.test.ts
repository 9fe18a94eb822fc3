/**
 * `runner run --target bigquery --dry-run`, and the budget before a real run: a dry-run job for
 * every statement the run sends (gates, assertions, the stage, the checks on it, the MERGE with
 * the model's query inlined, the record of held-back games, the post-write checks, the ledger),
 * the bytes each processes and what BigQuery bills for it (at least 10 MiB per table
 * referenced), per action and in total, and a budget held to the billed total. Against the fake
 * with the partition filter rule on: its analyzer gives each dry run its referenced tables and a
 * query's schema, as BigQuery does.
 */
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LEDGER_COLUMNS, LEDGER_TABLE } from "../../runner/ledger/ledger.ts";
import { copyProject, editFile, runCli } from "../helpers.ts";
import { partitionResource, type FakeBigQuery } from "./fake_server.ts";
import { DATE, PROJECT, fakeEnv, startPartitionedFake } from "./support.ts";
import { ZetaSqlAnalyzer } from "./zetasql.ts";

const MiB = 1024 * 1024;
const MIN_PER_TABLE = 10 * MiB;
const LEDGER_ID = `${PROJECT}.${LEDGER_TABLE.dataset}.${LEDGER_TABLE.table}`;
/** The comment opening player_game_boxscore's query: in its stage's query and in its MERGE's source. */
const BOXSCORE_QUERY = "-- Intermediate: the player box score of every game that game_source_checks publishes";

interface StatementJson {
  purpose: string;
  bytes: number | null;
  billed_bytes: number | null;
  tables: string[];
  note: string | null;
  error: string | null;
  sql: string;
}
interface EstimateJson {
  total_bytes: number;
  total_billed_bytes: number;
  min_billed_bytes_per_table: number;
  over_budget: boolean;
  dates: { game_date: string; actions: { action: string; level: number; role: string; bytes: number; billed_bytes: number; statements: StatementJson[] }[] }[];
}

let analyzer: ZetaSqlAnalyzer;
let fake: FakeBigQuery;

beforeAll(async () => {
  analyzer = await ZetaSqlAnalyzer.start();
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await analyzer?.close();
});

/** A fresh fake: the raw tables, the models' tables and the ledger exist, as after a first run. */
async function startFake(projectDir?: string): Promise<void> {
  await fake?.close();
  fake = await startPartitionedFake(analyzer, "required", projectDir);
  const ledgerFields = LEDGER_COLUMNS.map((column) => ({ name: column.name, type: column.type, mode: "NULLABLE" }));
  fake.tables.set(LEDGER_ID, { fields: ledgerFields, resource: partitionResource("game_date", false) });
  analyzer.removeTable(LEDGER_ID);
}

/** player_game_boxscore's query reads 10 MiB (its stage and its MERGE); any other statement 1 MiB. */
function scriptBytes(): void {
  fake.script({ match: BOXSCORE_QUERY, dryRun: true, totalBytesProcessed: 10 * MiB, times: Infinity });
  fake.script({ match: "", dryRun: true, totalBytesProcessed: MiB, times: Infinity });
}

function dryRun(args: string[] = [], env: Record<string, string> = {}) {
  return runCli(["run", "--date", DATE, "--target", "bigquery", "--dry-run", ...args], { env: fakeEnv(fake.url, env) });
}

function statementsOf(estimate: EstimateJson, action: string): StatementJson[] {
  return estimate.dates[0]?.actions.find((candidate) => candidate.action === action)?.statements ?? [];
}

describe("runner run --target bigquery --dry-run", () => {
  beforeEach(async () => {
    await startFake();
    scriptBytes();
  });

  it("estimates every statement the run sends, with what BigQuery bills for each, running and writing nothing", async () => {
    const result = await dryRun(["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout) as EstimateJson;
    expect(estimate.min_billed_bytes_per_table).toBe(MIN_PER_TABLE);

    // Only dry-run jobs and table lookups: nothing created, written or dropped.
    const jobs = fake.jobs();
    expect(jobs.every((job) => job.dryRun && job.location === "US")).toBe(true);
    expect(fake.requests.filter((request) => !(request.method === "GET" || (request.method === "POST" && request.path === `/projects/${PROJECT}/jobs`)))).toEqual([]);

    const boxscore = statementsOf(estimate, "player_game_boxscore");
    const purposes = boxscore.map((statement) => statement.purpose);
    // The stage, as its query: 10 MiB over the raw tables it reads.
    const stage = boxscore.find((statement) => statement.purpose === "stage (the model's query)");
    expect(stage?.bytes).toBe(10 * MiB);
    const stageJob = jobs.find((job) => job.labels.action === "player_game_boxscore" && job.sql.includes(BOXSCORE_QUERY) && !job.sql.startsWith("MERGE"));
    expect(stageJob?.sql).not.toMatch(/^CREATE/);
    // The publish MERGE, the model's query inlined where the stage is, as Dataform's MERGE reads it.
    const merge = boxscore.find((statement) => statement.purpose.startsWith("publish (MERGE"));
    expect(merge?.bytes).toBe(10 * MiB);
    const mergeJob = jobs.find((job) => job.labels.action === "player_game_boxscore" && job.sql.startsWith("MERGE"));
    expect(mergeJob?.sql).toContain(`USING (\n  SELECT`);
    expect(mergeJob?.sql).toContain(BOXSCORE_QUERY);
    expect(mergeJob?.sql).not.toContain("runner_staging.");
    // The checks on the stage, the stage an empty relation of its columns: BigQuery estimates the
    // rest, and the stage counts as one more table for the billing minimum.
    const checks = boxscore.filter((statement) => statement.purpose.startsWith("query (the stage"));
    expect(checks.length).toBeGreaterThanOrEqual(3);
    for (const check of checks) {
      expect(check.tables).toContain(`${PROJECT}.runner_staging.player_game_boxscore__dry_run`);
      expect(check.billed_bytes).toBe(Math.max(check.bytes ?? 0, check.tables.length * MIN_PER_TABLE));
    }
    expect(jobs.some((job) => job.labels.action === "player_game_boxscore" && /FROM \(SELECT \* FROM UNNEST\(ARRAY<STRUCT<`\w+` [A-Z]/.test(job.sql))).toBe(true);
    // Held-back games recorded, the stage dropped (DDL, free).
    expect(purposes).toContain("delete nba_orchestration.held_back_games");
    expect(boxscore.find((statement) => statement.purpose.startsWith("drop"))).toMatchObject({ bytes: 0, billed_bytes: 0 });

    // Gates and assertions: one statement each.
    expect(statementsOf(estimate, "boxscores_complete").map((statement) => statement.purpose)).toEqual(["readiness check (rows = not ready)"]);
    expect(statementsOf(estimate, "player_game_boxscore_unique_key").map((statement) => statement.purpose)).toEqual(["assertion (rows = failure)"]);
    // The ledger's rows: written at the end of each level, each insert billed the 10 MiB minimum.
    const ledger = statementsOf(estimate, "runner ledger");
    expect(ledger.length).toBeGreaterThan(0);
    for (const insert of ledger) {
      expect(insert.purpose).toMatch(/^ledger: \d+ row\(s\)$/);
      expect(insert.tables).toEqual([LEDGER_ID]);
      expect(insert.billed_bytes).toBe(MIN_PER_TABLE);
    }

    // Every statement estimated (the tables exist, as after a first run); billed is never below
    // processed nor below the minimum for its tables; the totals add up.
    const all = estimate.dates.flatMap((date) => date.actions.flatMap((action) => action.statements));
    expect(all.filter((statement) => statement.bytes === null)).toEqual([]);
    for (const statement of all.filter((candidate) => !candidate.purpose.startsWith("drop"))) {
      expect(statement.billed_bytes).toBe(Math.max(Math.ceil((statement.bytes ?? 0) / MiB) * MiB, statement.tables.length * MIN_PER_TABLE));
    }
    expect(estimate.total_bytes).toBe(all.reduce((sum, statement) => sum + (statement.bytes ?? 0), 0));
    expect(estimate.total_billed_bytes).toBe(all.reduce((sum, statement) => sum + (statement.billed_bytes ?? 0), 0));
    expect(estimate.total_billed_bytes).toBeGreaterThan(estimate.total_bytes);
    expect(estimate.over_budget).toBe(false);
    expect(all.length).toBe(jobs.length + all.filter((statement) => statement.note === "DDL: not billed").length);
  }, 120_000);

  it("prints bytes processed and billed per action and in total", async () => {
    const result = await dryRun();
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`BigQuery dry run for ${DATE} (project ${PROJECT}, location US): per action, the statements it sends, the bytes they process and what BigQuery bills (at least 10.0 MiB per table a statement references)`);
    expect(out).toMatch(/level 0 {2}schedule_available +1 statements {2}processed +1\.00 MiB {2}billed +\d+\.\d MiB/);
    expect(out).toMatch(/level 2 {2}player_game_boxscore +\d+ statements {2}processed +\d+\.\d MiB {2}billed +\d+\.\d MiB/);
    expect(out).toMatch(/runner ledger +\d+ statements {2}processed +[\d.]+ MiB {2}billed +\d+\.\d MiB/);
    expect(out).toMatch(/Total: [\d.]+ MiB \([\d,]+ bytes\) processed, [\d.]+ [MG]iB \([\d,]+ bytes\) billed, for \d+ statement\(s\) estimated\n?$/);
  }, 120_000);

  it("holds the budget (--max-bytes, or the configuration) to the billed total, before anything runs", async () => {
    const estimate = JSON.parse((await dryRun(["--json"])).stdout) as EstimateJson;
    // A budget above the bytes processed but below what BigQuery would bill refuses the run.
    const budget = Math.floor((estimate.total_bytes + estimate.total_billed_bytes) / 2);
    expect(budget).toBeGreaterThan(estimate.total_bytes);
    const refused = await dryRun(["--max-bytes", String(budget)]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(`Budget: `);
    expect(refused.stdout).toContain("the billed estimate EXCEEDS it; nothing was run.");
    expect(refused.stderr).toMatch(/error: the run would be billed [\d.]+ [MG]iB \(processing [\d.]+ MiB\), over the budget of [\d.]+ [MG]iB: refused before anything ran/);

    // A real run with that budget: estimated first, refused before any real job.
    const before = fake.jobs().length;
    const run = await runCli(["run", "--date", DATE, "--target", "bigquery", "--max-bytes", String(budget)], { env: fakeEnv(fake.url) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("refused before anything ran");
    expect(fake.jobs().slice(before).every((job) => job.dryRun)).toBe(true);

    const within = await dryRun([], { RUNNER_BIGQUERY_MAX_BYTES_ESTIMATE: String(estimate.total_billed_bytes) });
    expect(within.code, within.stderr).toBe(0);
    expect(within.stdout).toContain("the billed estimate is within it.");
  }, 180_000);

  it("lists what reads a table that does not exist yet (a model's first run) as not estimated, with BigQuery's reason", async () => {
    for (const model of ["player_game_boxscore", "team_game_boxscore"]) {
      fake.tables.delete(`${PROJECT}.nba_analytics.${model}`);
      analyzer.removeTable(`${PROJECT}.nba_analytics.${model}`);
    }
    const result = await dryRun(["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout) as EstimateJson;
    // player_game_boxscore creates its table (estimated), then the MERGE and the checks on it find it missing.
    const boxscore = statementsOf(estimate, "player_game_boxscore");
    expect(boxscore.find((statement) => statement.purpose === "create nba_analytics.player_game_boxscore")?.sql).toContain("OPTIONS (require_partition_filter = TRUE)");
    const missing = boxscore.filter((statement) => statement.bytes === null);
    expect(missing.map((statement) => statement.purpose)).toContain("publish (MERGE, the model's query as its source)");
    expect(missing.every((statement) => statement.note?.startsWith("BigQuery notFound: Not found: Table nba-props-platform:nba_analytics.player_game_boxscore"))).toBe(true);
    // team_game_boxscore reads player_game_boxscore: its stage cannot be estimated either.
    expect(statementsOf(estimate, "team_game_boxscore").find((statement) => statement.purpose === "stage (the model's query)")?.note).toMatch(/^BigQuery notFound/);
  }, 120_000);
});

describe("a dry run BigQuery refuses", () => {
  it("fails (exit 1) when BigQuery rejects a statement: a gate's syntax, a check without a partition filter", async () => {
    await startFake();
    fake.script({ match: "AS coverage_pct", dryRun: true, jobError: { status: 400, reason: "invalidQuery", message: "Unrecognized name: gmae_id at [5:3]" } });
    scriptBytes();
    const result = await dryRun();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("readiness check: ERROR boxscores_complete: BigQuery invalidQuery: Unrecognized name: gmae_id at [5:3]");
    expect(result.stderr).toContain("1 statement(s) failed the BigQuery dry run");

    const project = copyProject();
    editFile(path.join(project, "includes", "model_checks.js"), "FROM ${relation}\nWHERE ${window.filter(windowColumn)}\nGROUP BY", "FROM ${relation}\nGROUP BY");
    await startFake(project);
    scriptBytes();
    const unfiltered = await dryRun(["--project", project, "--actions", "player_game_summary"]);
    expect(unfiltered.code).toBe(1);
    expect(unfiltered.stdout).toContain(
      `assertion: ERROR player_game_summary_unique_key: BigQuery invalidQuery: Cannot query over table '${PROJECT}.nba_analytics.player_game_summary' without a filter over column(s) 'game_date' that can be used for partition elimination`,
    );
  }, 180_000);
});
