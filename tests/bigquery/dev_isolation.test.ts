/**
 * Dev isolation as Dataform has it: `--schema-suffix` and `--default-database`. An analyst's run
 * against BigQuery writes only personal datasets: every model, gate and assertion target, every
 * stage, quarantine table and runner table gets `_<suffix>`, in the --default-database project;
 * the raw sources (declarations) keep their datasets, as Dataform keeps them, and are only read.
 * Shown on the compiled graph, and on every request a full run sends to the local fake.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileProject } from "../../runner/compile/compile.ts";
import { buildProjectGraph } from "../../runner/plan/actions.ts";
import { runCli } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery } from "./fake_server.ts";
import { DATE, PROJECT, addExistingTargets, fakeEnv, modelColumns, schemaByModel } from "./support.ts";

const SUFFIX = "dev_ana";
const DEV_PROJECT = "ana-sandbox";
/** The datasets of the declarations: read, never suffixed. */
const RAW_DATASETS = new Set(["nba_raw", "nba_reference", "nba_static"]);

const models = modelColumns();

describe("the compiled graph with --schema-suffix and --default-database", () => {
  const compiled = compileProject({ dates: { start: DATE, end: DATE }, overrides: { schemaSuffix: SUFFIX, defaultDatabase: DEV_PROJECT } });
  const plain = compileProject({ dates: { start: DATE, end: DATE } });

  it("moves every model, gate and assertion to <schema>_<suffix> in the dev project", () => {
    const actions = [...compiled.tables, ...compiled.assertions];
    expect(actions.length).toBe(plain.tables.length + plain.assertions.length);
    for (const action of actions) {
      expect(action.target.database, action.target.name).toBe(DEV_PROJECT);
      expect(action.target.schema, action.target.name).toMatch(new RegExp(`_${SUFFIX}$`));
    }
    const schemas = new Set(actions.map((action) => action.target.schema));
    expect([...schemas].sort()).toEqual([...new Set([...plain.tables, ...plain.assertions].map((action) => `${action.target.schema}_${SUFFIX}`))].sort());
  });

  it("keeps the raw sources' datasets (declarations) in the dev project; the runner's held_back_games follows the suffix", () => {
    for (const declaration of compiled.declarations) {
      expect(declaration.target.database).toBe(DEV_PROJECT);
      const expected = declaration.target.name === "held_back_games" ? `nba_orchestration_${SUFFIX}` : plain.declarations.find((d) => d.target.name === declaration.target.name)?.target.schema;
      expect(declaration.target.schema, declaration.target.name).toBe(expected);
    }
    // The models' SQL reads the raw tables unsuffixed and their upstream models suffixed.
    const graph = buildProjectGraph(compiled);
    const box = [...graph.actions.values()].find((action) => action.name === "team_game_boxscore");
    expect(box?.query).toContain(`\`${DEV_PROJECT}.nba_raw.nbac_team_boxscore\``);
    expect(box?.query).toContain(`\`${DEV_PROJECT}.nba_analytics_${SUFFIX}.player_game_boxscore\``);
  });
});

describe("runner run --target bigquery --schema-suffix --default-database", () => {
  let fake: FakeBigQuery;
  const graph = buildProjectGraph(compileProject({ dates: { start: DATE, end: DATE }, overrides: { schemaSuffix: SUFFIX, defaultDatabase: DEV_PROJECT } }));
  const targets = new Map(
    [...graph.actions.values()].filter((action) => action.kind === "incremental").map((action) => [action.name, `${DEV_PROJECT}.${action.target.schema}.${action.target.name}`]),
  );

  beforeEach(async () => {
    fake = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    addExistingTargets(fake, models, targets);
    fake.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
  });

  afterEach(async () => {
    await fake.close();
  });

  it("sends every job to the dev project and writes only suffixed datasets; production is never named", async () => {
    const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--schema-suffix", SUFFIX, "--default-database", DEV_PROJECT], {
      env: fakeEnv(fake.url),
    });
    expect(result.code, result.stderr).toBe(0);
    const jobs = fake.jobs();
    expect(jobs.length).toBeGreaterThan(50);

    // Jobs run in the dev project (no BIGQUERY_PROJECT given), every REST call is about it.
    for (const job of jobs) expect(job.projectId).toBe(DEV_PROJECT);
    for (const request of fake.requests) expect(request.path, request.path).toMatch(new RegExp(`^/projects/${DEV_PROJECT}/`));
    expect(JSON.stringify(fake.requests)).not.toContain(PROJECT);

    // Every table a statement names: a raw source (read) or a dataset with the suffix.
    const named = new Set(jobs.flatMap((job) => [...job.sql.matchAll(/`([^`]+)\.([^`.]+)\.([^`.]+)`/g)].map((match) => `${match[1]}.${match[2]}.${match[3]}`)));
    expect(named.size).toBeGreaterThan(20);
    for (const table of named) {
      const [project, dataset = ""] = table.split(".");
      expect(project, table).toBe(DEV_PROJECT);
      expect(RAW_DATASETS.has(dataset) || dataset.endsWith(`_${SUFFIX}`), table).toBe(true);
    }
    // Writes go to suffixed datasets only.
    const written = jobs
      .map((job) => /^(?:INSERT INTO|MERGE|DELETE FROM|UPDATE|CREATE OR REPLACE TABLE|CREATE TABLE IF NOT EXISTS|DROP TABLE IF EXISTS|ALTER TABLE) `([^`]+)`/.exec(job.sql)?.[1])
      .filter((table): table is string => table !== undefined);
    expect(written.length).toBeGreaterThan(30);
    for (const table of written) expect(table.split(".")[1], table).toMatch(new RegExp(`_${SUFFIX}$`));

    // Each kind of target, by name.
    const sqls = jobs.map((job) => job.sql);
    const has = (prefix: string) => sqls.some((sql) => sql.startsWith(prefix));
    expect(has(`MERGE \`${DEV_PROJECT}.nba_analytics_${SUFFIX}.player_game_summary\``)).toBe(true);
    expect(has(`CREATE OR REPLACE TABLE \`${DEV_PROJECT}.runner_staging_${SUFFIX}.player_game_summary__`)).toBe(true);
    expect(has(`INSERT INTO \`${DEV_PROJECT}.nba_orchestration_${SUFFIX}.phase3_runner_runs\``)).toBe(true);
    expect(has(`DELETE FROM \`${DEV_PROJECT}.nba_orchestration_${SUFFIX}.held_back_games\``)).toBe(true);
    // The gates read the same held-back record the run writes.
    const gate = jobs.filter((job) => job.labels.action === "team_offense_complete");
    expect(gate.length).toBeGreaterThan(0);
    expect(gate.some((job) => job.sql.includes(`\`${DEV_PROJECT}.nba_orchestration_${SUFFIX}.held_back_games\``))).toBe(true);
    // Raw sources are read where they are.
    expect(sqls.some((sql) => sql.includes(`\`${DEV_PROJECT}.nba_raw.nbac_schedule\``))).toBe(true);

    // The datasets the run created: the suffixed ones, the staging one with its expiry, in the dev project.
    const created = fake.requests.filter((request) => request.method === "POST" && request.path.endsWith("/datasets"));
    const ids = [...new Set(created.map((request) => (request.body as { datasetReference: { datasetId: string } }).datasetReference.datasetId))].sort();
    for (const id of ids) expect([`nba_analytics_${SUFFIX}`, `nba_analytics_${SUFFIX}_quarantine`, `nba_orchestration_${SUFFIX}`, `runner_staging_${SUFFIX}`]).toContain(id);
    expect(ids).toEqual(expect.arrayContaining([`nba_orchestration_${SUFFIX}`, `runner_staging_${SUFFIX}`]));
    const staging = created.find((request) => JSON.stringify(request.body).includes(`runner_staging_${SUFFIX}`));
    expect((staging?.body as { defaultTableExpirationMs?: string }).defaultTableExpirationMs).toBe(String(24 * 3_600_000));
    const ledger = fake.requests.find((request) => request.method === "POST" && request.path === `/projects/${DEV_PROJECT}/datasets/nba_orchestration_${SUFFIX}/tables` && JSON.stringify(request.body).includes("phase3_runner_runs"));
    expect(ledger).toBeDefined();
  });

  it("refuses a suffix that cannot end a dataset name, and a project id that is none (exit 2, nothing sent)", async () => {
    const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--schema-suffix", "dev-ana", "--default-database", "Ana Sandbox"], { env: fakeEnv(fake.url) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--schema-suffix: must be letters, digits and underscores");
    expect(result.stderr).toContain("--default-database: must be a Google Cloud project id");
    expect(fake.requests).toEqual([]);
  });
});
