/**
 * No dialect drift: every statement the runner would send to BigQuery for a date is valid BigQuery
 * SQL, checked offline by ZetaSQL (BigQuery's analyzer) against typed tables: the raw tables of
 * includes/raw_tables.js, the runner's own tables, and each model's output as the analyzer
 * resolves it. Two views of "every statement": the plan's (all actions' queries, the stage, target
 * and MERGE statements of dry_run.ts, the gates and assertions, the pre-write rules and the
 * post-write checks of assertions/), and what a real run sent to the fake BigQuery, parameters
 * typed as sent.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUARANTINE_COLUMNS, quarantineTable } from "../../runner/checks/quarantine.ts";
import { postWriteChecks, preWriteRules } from "../../runner/checks/templates.ts";
import { rangeOf } from "../../runner/dates.ts";
import { addColumnsStatement } from "../../runner/engines/bigquery/engine.ts";
import { bigQueryNames } from "../../runner/engines/bigquery/names.ts";
import { plannedStatements } from "../../runner/execution/dry_run.ts";
import { fullRefreshStatements } from "../../runner/execution/full_refresh.ts";
import { planForWindow } from "../../runner/execution/run.ts";
import { REPLACE_SCOPE_COLUMN } from "../../runner/execution/statements.ts";
import { targetOf } from "../../runner/execution/write.ts";
import { HELD_BACK_COLUMNS, HELD_BACK_TABLE } from "../../runner/execution/held_back.ts";
import { LEDGER_COLUMNS, LEDGER_TABLE } from "../../runner/ledger/ledger.ts";
import { rawTables, type RawTableName } from "../../runner/load/raw_tables.ts";
import { ROOT, copyProject, editFile, runCli } from "../helpers.ts";
import { startFakeBigQuery } from "./fake_server.ts";
import { DATE, PROJECT, addExistingTargets, fakeEnv, modelColumns, modelTargetIds, schemaByModel } from "./support.ts";
import { ZetaSqlAnalyzer, createdTable, restType, type ZetaType } from "./zetasql.ts";

const names = bigQueryNames(PROJECT, "runner_staging");
const unquote = (qualified: string) => qualified.replace(/`/g, "");

/** The run's parameters, typed as the engine sends them. */
const RUN_PARAMS: Record<string, ZetaType> = {
  start_date: { typeKind: "TYPE_DATE" },
  end_date: { typeKind: "TYPE_DATE" },
  staged_games: { typeKind: "TYPE_ARRAY", arrayType: { elementType: { typeKind: "TYPE_STRING" } } },
};

interface Problem {
  statement: string;
  error: string;
}

let analyzer: ZetaSqlAnalyzer;

beforeAll(async () => {
  analyzer = await ZetaSqlAnalyzer.start();
}, 60_000);

afterAll(async () => {
  await analyzer?.close();
});

/** The tables that exist before a run: raw sources and the ledger. */
function addExistingTables(): void {
  const raw = rawTables();
  // Each raw table in its dataset: nba_raw, or nba_static for the travel distances.
  for (const [table, spec] of Object.entries(raw.specs)) analyzer.addTableSpec(`${PROJECT}.${raw.datasets[table as RawTableName]}.${table}`, spec.columns);
  analyzer.addTableSpec(`${PROJECT}.${LEDGER_TABLE.dataset}.${LEDGER_TABLE.table}`, LEDGER_COLUMNS);
  analyzer.addTableSpec(`${PROJECT}.${HELD_BACK_TABLE.dataset}.${HELD_BACK_TABLE.table}`, HELD_BACK_COLUMNS);
}

/** Analyzes statements in order; a CREATE TABLE ... AS adds its table with the resolved columns. */
async function check(problems: Problem[], statement: string, sql: string, params: Record<string, ZetaType> = RUN_PARAMS): Promise<void> {
  const verdict = await analyzer.analyze(sql, params);
  if (!verdict.ok) {
    problems.push({ statement, error: verdict.error ?? "" });
    return;
  }
  const created = createdTable(sql);
  if (created && verdict.columns.length > 0) analyzer.addTable(created, verdict.columns);
}

/** Every statement of the plan for DATE, in plan order, with the checks around each write. */
async function validatePlan(projectDir: string): Promise<{ checked: number; problems: Problem[] }> {
  addExistingTables();
  const problems: Problem[] = [];
  let checked = 0;
  const plan = planForWindow({ projectDir, selection: {}, vars: { as_of_date: DATE } }, { start: DATE, end: DATE });
  const actions = new Map(plan.levels.flat().map((action) => [action.name, action]));
  for (const planned of plannedStatements(plan, rangeOf(DATE, DATE), names)) {
    const action = actions.get(planned.action);
    if (!action) continue;
    if (action.kind === "incremental" && action.incrementalQuery && action.incrementalQuery !== action.query) {
      checked += 1;
      await check(problems, `${action.name}: full query`, action.query);
    }
    for (const statement of planned.statements) {
      checked += 1;
      await check(problems, `${action.name}: ${statement.purpose.split(" (")[0]}`, statement.sql);
    }
    if (action.kind !== "incremental") continue;
    const target = targetOf(action);
    const stage = names.stagingTable(action.name, "dry_run");
    analyzer.addTableSpec(unquote(names.qualify(quarantineTable(target))), QUARANTINE_COLUMNS);
    for (const rule of preWriteRules(projectDir, action.name, names.qualify(stage))) {
      checked += 1;
      const sql = rule.kind === "set" ? rule.condition : `SELECT COUNTIF(NOT COALESCE((${rule.condition}), FALSE)) AS broken FROM ${names.qualify(stage)}`;
      await check(problems, `${action.name}: pre-write ${rule.kind} rule ${rule.name}`, sql);
    }
    const context = {
      model: action.name,
      target: names.qualify(target),
      stage: names.qualify(stage),
      key_columns: action.uniqueKey.join(", "),
      window_column: action.partitionBy ?? "game_date",
      scope_column: REPLACE_SCOPE_COLUMN,
    };
    for (const postWrite of postWriteChecks(projectDir, context)) {
      checked += 1;
      await check(problems, `${action.name}: post-write check ${postWrite.name}`, postWrite.sql);
    }
  }
  return { checked, problems };
}

describe("no dialect drift: the runner's SQL is valid BigQuery SQL (ZetaSQL)", () => {
  it("analyzes the statements of a --full-refresh: the rebuilt table, the rows kept, the replacement", async () => {
    addExistingTables();
    const problems: Problem[] = [];
    const window = rangeOf(DATE, "2025-01-17");
    const plan = planForWindow({ projectDir: ROOT, selection: {}, vars: { as_of_date: DATE } }, window);
    const planned = plannedStatements(plan, window, names);
    const refresh = fullRefreshStatements(plan, planned, window, names);
    const params = { ...RUN_PARAMS, kept_games: RUN_PARAMS.staged_games as ZetaType };
    let rebuilt = 0;
    for (const [index, entry] of refresh.entries()) {
      // The refresh's stage, the target as a first run creates it from a stage (the rows kept are
      // read from it), then the rest of the refresh.
      const create = planned[index]?.statements.find((statement) => statement.purpose === "create target if missing");
      const [stage, ...rest] = entry.statements;
      const ordered = create && stage ? [stage, { purpose: "create target", sql: create.sql }, ...rest] : entry.statements;
      for (const statement of ordered) {
        if (create && statement.sql !== create.sql) rebuilt += 1;
        await check(problems, `${entry.action}: ${statement.purpose.split(" (")[0]}`, statement.sql, params);
      }
    }
    expect(problems).toEqual([]);
    // 11 incremental models, 4 statements each.
    expect(rebuilt).toBe(44);
  });

  it("analyzes every planned statement, rule and check of the project", async () => {
    const { checked, problems } = await validatePlan(ROOT);
    expect(problems).toEqual([]);
    // 4 gates, 22 model checks, 11 models x 3 statements, plus the pre-write rules and post-write checks.
    expect(checked).toBeGreaterThan(40);
  });

  it("fails on a deliberately broken model, naming it and the analyzer's reason", async () => {
    const project = copyProject();
    const file = path.join(project, "definitions", "analytics", "player_game_summary.sqlx");
    // A misspelled column and a function BigQuery does not have (DuckDB's DATEDIFF).
    editFile(file, "CAST(ROUND(usage_rate_unrounded, 1) AS NUMERIC) AS usage_rate_raw", "CAST(ROUND(usage_rate_unrounde, 1) AS NUMERIC) AS usage_rate_raw");
    const { problems } = await validatePlan(project);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.statement).toBe("player_game_summary: stage");
    expect(problems[0]?.error).toMatch(/Unrecognized name: usage_rate_unrounde/);
    expect(problems.every((problem) => problem.statement.startsWith("player_game_summary"))).toBe(true);

    editFile(file, "CAST(ROUND(usage_rate_unrounde, 1) AS NUMERIC)", "CAST(DATEDIFF(game_date, game_date) AS NUMERIC)");
    const again = await validatePlan(project);
    expect(again.problems[0]?.error).toMatch(/Function not found: DATEDIFF/);
  });

  it("analyzes the ALTER TABLE that adds a model's new columns in place", async () => {
    const table = `${PROJECT}.nba_analytics.schema_evolution_probe`;
    analyzer.addTableSpec(table, [
      { name: "game_date", type: "DATE" },
      { name: "game_id", type: "STRING" },
    ]);
    const sql = addColumnsStatement(`\`${table}\``, [
      { name: "points", type: "INTEGER", mode: "NULLABLE" },
      { name: "usage_rate", type: "NUMERIC", precision: "10", scale: "1" },
      { name: "games", type: "STRING", mode: "REPEATED" },
      { name: "team", type: "RECORD", fields: [{ name: "abbr", type: "STRING" }, { name: "minutes", type: "FLOAT" }] },
      { name: "game_id", type: "STRING" },
    ]);
    expect(await analyzer.analyze(sql)).toMatchObject({ ok: true });
    // The analyzer does check it: an unknown type, or re-adding a column without IF NOT EXISTS, fails.
    expect(await analyzer.analyze(sql.replace("INT64", "INT65"))).toMatchObject({ ok: false });
    expect(await analyzer.analyze(sql.replaceAll(" IF NOT EXISTS", ""))).toMatchObject({ ok: false });
  });

  it("analyzes every statement a full run sent to BigQuery, quarantine path included, with its parameters as sent", async () => {
    const models = modelColumns();
    const targets = modelTargetIds();
    const fake = await startFakeBigQuery({ tableSchema: schemaByModel(models) });
    // The models' tables exist already (a BigQuery transaction cannot create them, and the publish
    // runs in one); the analyzer learns each one's columns from its stage below.
    addExistingTargets(fake, models, targets);
    try {
      fake.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
      // team_offense_game_summary: its first error rule rejects a row, so the quarantine statements run.
      const rules = preWriteRules(ROOT, "team_offense_game_summary").filter((rule) => rule.kind === "row");
      const rejected = rules.findIndex((rule) => rule.severity === "error");
      expect(rejected).toBeGreaterThanOrEqual(0);
      fake.script({
        match: new RegExp(`AS rule_${rules.length - 1}\\nFROM \`${PROJECT}\\.runner_staging\\.team_offense_game_summary__`),
        rows: [Object.fromEntries(rules.map((_rule, index) => [`rule_${index}`, index === rejected ? 1 : 0]))],
      });
      // The rejected row itself, read out of the stage to be kept as JSON in quarantine.
      fake.script({
        match: new RegExp(`SELECT \\* FROM \`${PROJECT}\\.runner_staging\\.team_offense_game_summary__\\w+\` WHERE`),
        rows: [{ game_date: DATE, game_id: "20250115_LAL_PHI", team_abbr: "LAL", fg_attempts: 0 }],
      });
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery"], { env: fakeEnv(fake.url) });
      // A rejected row fails the model (DESIGN 6: exit 1), after the rest is published.
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain("team_offense_game_summary HELD BACK 20250115_LAL_PHI");

      addExistingTables();
      const problems: Problem[] = [];
      let statements = 0;
      for (const request of fake.requests) {
        const body = request.body as Record<string, unknown> | undefined;
        if (request.method === "POST" && request.path.endsWith("/tables")) {
          const table = body as { tableReference: { projectId: string; datasetId: string; tableId: string }; schema: { fields: { name: string; type: string }[] } };
          const reference = table.tableReference;
          analyzer.addTable(
            `${reference.projectId}.${reference.datasetId}.${reference.tableId}`,
            table.schema.fields.map((field) => ({ name: field.name, type: restType(field) })),
          );
        }
        if (request.method === "POST" && request.path.endsWith("/jobs")) {
          const query = ((body?.configuration as Record<string, unknown>)?.query ?? {}) as { query: string; queryParameters?: { name: string; parameterType: { type: string } }[] };
          const params = Object.fromEntries((query.queryParameters ?? []).map((parameter) => [parameter.name, restType(parameter.parameterType)]));
          // A system procedure the analyzer's catalog does not have: the engine's end of a transaction's session.
          if (query.query === "CALL BQ.ABORT_SESSION()") continue;
          statements += 1;
          await check(problems, query.query.split("\n")[0]?.slice(0, 100) ?? "", query.query, params);
          const created = createdTable(query.query);
          const model = created?.startsWith(`${PROJECT}.runner_staging.`) ? /^(.+?)__/.exec(created.split(".").at(-1) ?? "")?.[1] : undefined;
          const target = model ? targets.get(model) : undefined;
          if (created && target && !analyzer.hasTable(target)) analyzer.addTable(target, analyzer.columns(created) ?? []);
        }
      }
      expect(problems).toEqual([]);
      expect(statements).toBeGreaterThan(80);
      const sent = fake.jobs().map((job) => job.sql);
      expect(sent.some((sql) => sql.startsWith(`INSERT INTO \`${PROJECT}.nba_analytics_quarantine.team_offense_game_summary\``))).toBe(true);
      expect(sent.some((sql) => sql.startsWith(`DELETE FROM \`${PROJECT}.runner_staging.team_offense_game_summary__`))).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
