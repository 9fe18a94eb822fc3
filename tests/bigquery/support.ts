/** What the BigQuery end-to-end tests share: the fake's table schemas and the CLI's environment. */
import { compileProject } from "../../runner/compile/compile.ts";
import { buildProjectGraph } from "../../runner/plan/actions.ts";
import { ROOT } from "../helpers.ts";
import type { FakeBigQuery, Field } from "./fake_server.ts";

export const PROJECT = "nba-props-platform";
export const DATE = "2025-01-15";

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
