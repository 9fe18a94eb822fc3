/** What the BigQuery end-to-end tests share: the fake's table schemas and the CLI's environment. */
import { compileProject } from "../../runner/compile/compile.ts";
import { loadBigQueryConfig } from "../../runner/engines/bigquery/config.ts";
import { openBigQueryEngine, type BigQueryEngine } from "../../runner/engines/bigquery/engine.ts";
import type { ColumnType } from "../../runner/engines/engine.ts";
import { HELD_BACK_COLUMNS, HELD_BACK_TABLE } from "../../runner/execution/held_back.ts";
import { planForWindow } from "../../runner/execution/run.ts";
import { rawTables, type RawTableName } from "../../runner/load/raw_tables.ts";
import { buildProjectGraph } from "../../runner/plan/actions.ts";
import { ROOT } from "../helpers.ts";
import { fieldOfZeta, partitionResource, startFakeBigQuery, type FakeBigQuery, type Field, type JobInsert } from "./fake_server.ts";
import type { ZetaColumn, ZetaSqlAnalyzer } from "./zetasql.ts";

export const PROJECT = "nba-props-platform";
export const DATE = "2025-01-15";

/** The table and the action the engine-level tests send their statements for. */
export const PROBE_TABLE = `\`${PROJECT}.nba_analytics.probe\``;
export const PROBE_CONTEXT = { action: "probe_model", runId: "run_1", gameDate: DATE };

/** A job as the tests compare it: its first line. */
export const firstLine = (job: JobInsert) => job.sql.split("\n")[0] ?? "";

/** A fresh fake and a BigQuery engine sending to it, which retries without waiting; `env` adds settings. */
export async function engineOnFake(env: Record<string, string> = {}): Promise<{ fake: FakeBigQuery; engine: BigQueryEngine }> {
  const fake = await startFakeBigQuery();
  const settings = loadBigQueryConfig({ projectDir: ROOT, env: { RUNNER_BIGQUERY_API_ENDPOINT: fake.url, ...env } });
  return { fake, engine: openBigQueryEngine(settings, { sleep: async () => {} }) };
}

/** The incremental models and their documented columns: the shape the fake gives their stages. */
export function modelColumns(projectDir = ROOT): Map<string, string[]> {
  const graph = buildProjectGraph(compileProject({ projectDir, dates: { start: DATE, end: DATE } }));
  const models = new Map<string, string[]>();
  for (const action of graph.actions.values()) {
    if (action.kind === "incremental") models.set(action.name, action.columns.map((column) => column.name));
  }
  return models;
}

/** The full table id (project.dataset.table) of every incremental model's target. */
export function modelTargetIds(projectDir = ROOT): Map<string, string> {
  const graph = buildProjectGraph(compileProject({ projectDir, dates: { start: DATE, end: DATE } }));
  const targets = new Map<string, string>();
  for (const action of graph.actions.values()) {
    if (action.kind === "incremental") targets.set(action.name, `${PROJECT}.${action.target.schema}.${action.target.name}`);
  }
  return targets;
}

/**
 * Registers every model's target in the fake as already there (with the model's documented
 * columns, as its stage gets them), as after a first run: the publish then runs no CREATE TABLE,
 * which a BigQuery transaction does not allow.
 */
export function addExistingTargets(fake: FakeBigQuery, models: Map<string, string[]>, targets = modelTargetIds()): void {
  const schema = schemaByModel(models);
  for (const id of targets.values()) fake.tables.set(id, { fields: schema(id) ?? [], resource: {} });
}

function fieldType(column: string): string {
  if (column === "game_date") return "DATE";
  if (column === "processed_at") return "TIMESTAMP";
  return "STRING";
}

/** A CTAS into a model's stage or target gets the model's documented columns. */
export function schemaByModel(models: Map<string, string[]>): (tableId: string) => Field[] | undefined {
  return (tableId) => {
    const table = tableId.split(".").at(-1) ?? "";
    const model = [...models.keys()].sort((a, b) => b.length - a.length).find((name) => table === name || table.startsWith(`${name}__`));
    return model ? (models.get(model) ?? []).map((name) => ({ name, type: fieldType(name) })) : undefined;
  };
}

/** The CLI's environment against the fake: its endpoint and fast retries. */
export function fakeEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    RUNNER_BIGQUERY_API_ENDPOINT: url,
    RUNNER_BIGQUERY_RETRY_INITIAL_DELAY_MS: "5",
    RUNNER_BIGQUERY_RETRY_MAX_DELAY_MS: "20",
    ...extra,
  };
}

/** Legacy REST type names of the runner's column types, as tables.get answers them. */
export const REST_TYPE: Record<ColumnType, string> = {
  STRING: "STRING",
  INT64: "INTEGER",
  FLOAT64: "FLOAT",
  NUMERIC: "NUMERIC",
  BOOL: "BOOLEAN",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMP",
  JSON: "JSON",
};

/**
 * The raw tables as production has them: each one's columns (includes/raw_tables.js), partitioned
 * by its date column with require_partition_filter (spec 3.1), registered in the fake.
 */
export function addRawTables(fake: FakeBigQuery): void {
  const raw = rawTables();
  for (const [table, spec] of Object.entries(raw.specs)) {
    const id = `${PROJECT}.${raw.datasets[table as RawTableName]}.${table}`;
    const fields = spec.columns.map((column) => ({ name: column.name, type: REST_TYPE[column.type], mode: "NULLABLE" }));
    fake.tables.set(id, { fields, resource: spec.partitionBy ? partitionResource(spec.partitionBy, true) : {} });
  }
}

/**
 * Every model's output columns with their exact types, as ZetaSQL resolves each model's query
 * (in plan order, so that a model reads the ones before it), by target id. The analyzer's catalog
 * needs the raw tables and the held-back table first (addAnalyzerTables).
 */
export async function resolveModelColumns(analyzer: ZetaSqlAnalyzer, projectDir = ROOT): Promise<Map<string, ZetaColumn[]>> {
  const plan = planForWindow({ projectDir, selection: {}, vars: { as_of_date: DATE } }, { start: DATE, end: DATE });
  const resolved = new Map<string, ZetaColumn[]>();
  for (const action of plan.levels.flat().filter((candidate) => candidate.kind === "incremental")) {
    const verdict = await analyzer.analyze(action.query);
    if (!verdict.ok) throw new Error(`${action.name} does not analyze: ${verdict.error}`);
    const id = `${PROJECT}.${action.target.schema}.${action.target.name}`;
    analyzer.addTable(id, verdict.columns);
    resolved.set(id, verdict.columns);
  }
  return resolved;
}

/** The tables that exist before a run, in the analyzer's catalog: the raw tables and the held-back record. */
export function addAnalyzerTables(analyzer: ZetaSqlAnalyzer): void {
  const raw = rawTables();
  for (const [table, spec] of Object.entries(raw.specs)) analyzer.addTableSpec(`${PROJECT}.${raw.datasets[table as RawTableName]}.${table}`, spec.columns);
  analyzer.addTableSpec(`${PROJECT}.${HELD_BACK_TABLE.dataset}.${HELD_BACK_TABLE.table}`, HELD_BACK_COLUMNS);
}

/**
 * A fake that holds every statement to BigQuery's partition filter rule (`enforce`: on the tables
 * that require a filter, or on every partitioned table), with the production raw tables and, as
 * after a first run, every model's table: its exact columns, partitioned by game_date with
 * require_partition_filter (the models declare it).
 */
export async function startPartitionedFake(analyzer: ZetaSqlAnalyzer, enforce: "required" | "partitioned", projectDir = ROOT): Promise<FakeBigQuery> {
  addAnalyzerTables(analyzer);
  const models = await resolveModelColumns(analyzer, projectDir);
  const fake = await startFakeBigQuery({ partitionFilters: { analyzer, enforce } });
  addRawTables(fake);
  for (const [id, columns] of models) {
    fake.tables.set(id, { fields: columns.map((column) => fieldOfZeta(column.name, column.type)), resource: partitionResource("game_date", true) });
  }
  return fake;
}
