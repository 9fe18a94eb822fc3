/**
 * The compiled graph as the runner works with it: one Action per executable table, view,
 * assertion or operation, with its dependencies resolved to other actions (declarations are the
 * raw sources, never executed).
 */
import { BadInputError } from "../errors.ts";
import { targetId, type CompiledGraph, type Target } from "../compile/graph.ts";

/** Assertions with this tag are readiness gates: rows returned mean "not ready, retry later". */
export const GATE_TAG = "gate";

/**
 * Models with this tag read their upstream models only for dates before the run dates (the upcoming
 * player context's history): a game those models hold back on a run date is none of their inputs,
 * so it is not held back here too (a history gate accounts for held-back games instead).
 */
export const HISTORY_ONLY_TAG = "history_only";

export type ActionKind = "incremental" | "table" | "view" | "assertion" | "operation";
/** model: writes a relation; gate: readiness check; assertion: a data check on a model. */
export type ActionRole = "model" | "gate" | "assertion" | "operation";

export interface ColumnDoc {
  name: string;
  description: string;
}

export interface Action {
  /** schema.name: unique in the project, used in logs, the ledger and selections. */
  id: string;
  name: string;
  kind: ActionKind;
  role: ActionRole;
  target: Target;
  fileName: string;
  tags: string[];
  description: string | undefined;
  columns: ColumnDoc[];
  /** ids of the actions this one depends on. */
  dependencies: string[];
  /** ids of the declared (raw) relations it reads. */
  sources: string[];
  /** The SQL: the query of a table/view/assertion, the statements of an operation. */
  query: string;
  incrementalQuery: string | undefined;
  preOps: string[];
  postOps: string[];
  uniqueKey: string[];
  partitionBy: string | undefined;
  clusterBy: string[];
  /** BigQuery refuses a query of the table without a filter on partitionBy (bigquery.requirePartitionFilter). */
  requirePartitionFilter?: boolean;
  /**
   * For a model's own data check, the model's id: a Dataform built-in assertion (its parentAction),
   * or an assertion (not a gate) that depends on one model and nothing else, as the run-window
   * checks of definitions/assertions/model_checks.js do. It runs whenever its model runs.
   */
  parent: string | undefined;
  /** Names of the models this one reads, directly or through other actions: a game they held back is held back here too. */
  upstreamModels: string[];
}

export interface Declaration {
  id: string;
  target: Target;
  description: string | undefined;
  columns: ColumnDoc[];
}

export interface ProjectGraph {
  actions: Map<string, Action>;
  declarations: Map<string, Declaration>;
  defaultDatabase: string | undefined;
  location: string | undefined;
  vars: Record<string, string>;
}

/** What an action without table settings has (an assertion, an operation; a table before its own are read), fresh lists each time. */
export function noTableSettings() {
  return {
    incrementalQuery: undefined,
    preOps: [],
    postOps: [],
    uniqueKey: [],
    partitionBy: undefined,
    clusterBy: [],
    requirePartitionFilter: false,
    parent: undefined,
  } satisfies Partial<Action>;
}

/**
 * What a model's check checks, from its name: `<model>_unique_key` -> `unique_key` (the run-window
 * checks of definitions/assertions/model_checks.js), `<schema>_<model>_assertions_uniqueKey_0`
 * -> `uniqueKey_0` (a Dataform built-in assertion); any other name as it is.
 */
export function checkName(assertion: Pick<Action, "name">, model: Pick<Action, "name"> | undefined): string {
  if (model && assertion.name.startsWith(`${model.name}_`)) return assertion.name.slice(model.name.length + 1);
  const marker = assertion.name.lastIndexOf("_assertions_");
  return marker >= 0 ? assertion.name.slice(marker + "_assertions_".length) : assertion.name;
}

function columnDocs(descriptor: { columns: { path: string[]; description?: string | undefined }[] } | undefined): ColumnDoc[] {
  return (descriptor?.columns ?? []).map((column) => ({ name: column.path.join("."), description: column.description ?? "" }));
}

function upstreamModelsOf(actions: Map<string, Action>, action: Action): string[] {
  const seen = new Set<string>();
  const models = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const dependency = actions.get(id);
    if (!dependency) return;
    if (dependency.role === "model") models.add(dependency.name);
    dependency.dependencies.forEach(visit);
  };
  action.dependencies.forEach(visit);
  return [...models].sort();
}

export function buildProjectGraph(graph: CompiledGraph): ProjectGraph {
  const declarations = new Map<string, Declaration>();
  for (const declaration of graph.declarations) {
    const id = targetId(declaration.target);
    declarations.set(id, {
      id,
      target: declaration.target,
      description: declaration.actionDescriptor?.description,
      columns: columnDocs(declaration.actionDescriptor),
    });
  }

  const pending: Omit<Action, "dependencies" | "sources" | "upstreamModels">[] = [];
  const dependencyTargets = new Map<string, Target[]>();
  const add = (action: Omit<Action, "dependencies" | "sources" | "upstreamModels">, targets: Target[]) => {
    if (dependencyTargets.has(action.id)) {
      throw new BadInputError("duplicate_action", `two actions write ${action.id} (${action.fileName})`);
    }
    pending.push(action);
    dependencyTargets.set(action.id, targets);
  };
  const base = noTableSettings();

  for (const table of graph.tables.filter((candidate) => !candidate.disabled)) {
    add(
      {
        ...base,
        id: targetId(table.target),
        name: table.target.name,
        kind: table.type,
        role: "model",
        target: table.target,
        fileName: table.fileName,
        tags: table.tags,
        description: table.actionDescriptor?.description,
        columns: columnDocs(table.actionDescriptor),
        query: table.query,
        incrementalQuery: table.type === "incremental" ? table.incrementalQuery : undefined,
        preOps: table.preOps,
        postOps: table.postOps,
        uniqueKey: table.uniqueKey,
        partitionBy: table.bigquery?.partitionBy,
        clusterBy: table.bigquery?.clusterBy ?? [],
        requirePartitionFilter: table.bigquery?.requirePartitionFilter ?? false,
      },
      table.dependencyTargets,
    );
  }
  for (const assertion of graph.assertions.filter((candidate) => !candidate.disabled)) {
    add(
      {
        ...base,
        id: targetId(assertion.target),
        name: assertion.target.name,
        kind: "assertion",
        role: assertion.tags.includes(GATE_TAG) ? "gate" : "assertion",
        target: assertion.target,
        fileName: assertion.fileName,
        tags: assertion.tags,
        description: assertion.actionDescriptor?.description,
        columns: [],
        query: assertion.query,
        parent: assertion.parentAction ? targetId(assertion.parentAction) : undefined,
      },
      assertion.dependencyTargets,
    );
  }
  for (const operation of graph.operations.filter((candidate) => !candidate.disabled)) {
    add(
      {
        ...base,
        id: targetId(operation.target),
        name: operation.target.name,
        kind: "operation",
        role: "operation",
        target: operation.target,
        fileName: operation.fileName,
        tags: operation.tags,
        description: operation.actionDescriptor?.description,
        columns: [],
        query: operation.queries.join(";\n"),
      },
      operation.dependencyTargets,
    );
  }

  const actions = new Map<string, Action>();
  for (const action of pending) {
    const dependencies: string[] = [];
    const sources: string[] = [];
    for (const target of dependencyTargets.get(action.id) ?? []) {
      const id = targetId(target);
      if (dependencyTargets.has(id)) dependencies.push(id);
      else if (declarations.has(id)) sources.push(id);
      else throw new BadInputError("missing_dependency", `${action.fileName}: ${action.id} depends on ${id}, which no action or declaration defines`);
    }
    actions.set(action.id, { ...action, dependencies: [...new Set(dependencies)], sources: [...new Set(sources)], upstreamModels: [] });
  }
  for (const action of actions.values()) action.upstreamModels = action.tags.includes(HISTORY_ONLY_TAG) ? [] : upstreamModelsOf(actions, action);
  for (const action of actions.values()) {
    if (action.role !== "assertion" || action.parent !== undefined) continue;
    const [only, ...others] = action.dependencies;
    if (only !== undefined && others.length === 0 && actions.get(only)?.role === "model") action.parent = only;
  }

  return {
    actions,
    declarations,
    defaultDatabase: graph.projectConfig.defaultDatabase,
    location: graph.projectConfig.defaultLocation,
    vars: graph.projectConfig.vars,
  };
}
