/**
 * `runner run --full-refresh`: what it covers and what its dry run says. The rebuild itself is the
 * staged write of write.ts with `fullRefresh` (stage, rules, checks on a rebuilt table, one atomic
 * replacement of the target); run.ts runs the whole range as one window for it.
 *
 * With a date or a range, the refresh rebuilds those dates only and keeps every other row of the
 * tables. Without one, it rebuilds all the history: from the first to the last game_date of the
 * raw tables the selected models read.
 */
import { rangeOf, type RunDates } from "../dates.ts";
import { param, type Engine, type TableRef } from "../engines/engine.ts";
import type { Action } from "../plan/actions.ts";
import type { Plan } from "../plan/plan.ts";
import { DRY_RUN_NAMES, type PlannedStatement } from "./dry_run.ts";
import { createRebuiltStatement, keepRowsStatement, replaceTargetStatement, stageStatement, type SqlNames } from "./statements.ts";
import { rebuiltTable, targetOf } from "./write.ts";

/** The column every raw table of a run's history is dated by. */
const HISTORY_COLUMN = "game_date";

/** The runner's own bookkeeping (held-back games), never part of a model's history. */
const BOOKKEEPING_DATASETS = new Set(["nba_orchestration"]);

function modelsOf(plan: Plan): Action[] {
  return plan.levels.flat().filter((action) => action.role === "model" && action.kind === "incremental");
}

function tableOf(id: string): TableRef {
  const [dataset = "", ...rest] = id.split(".");
  return { dataset, table: rest.join(".") };
}

/**
 * All the history of the plan's models: the first and last game_date over the raw tables they read
 * (those with a game_date column), or undefined when none holds a row. The filter on the partition
 * column keeps every partition; it is there because BigQuery refuses to query a table that
 * requires a partition filter without one.
 */
export async function historyDates(engine: Engine, plan: Plan): Promise<RunDates | undefined> {
  const sources = [...new Set(modelsOf(plan).flatMap((action) => action.sources))].map(tableOf).filter((table) => !BOOKKEEPING_DATASETS.has(table.dataset));
  let first: string | undefined;
  let last: string | undefined;
  for (const source of sources.sort((a, b) => `${a.dataset}.${a.table}`.localeCompare(`${b.dataset}.${b.table}`))) {
    const columns = await engine.describeTable(source);
    if (!columns?.some((column) => column.name === HISTORY_COLUMN)) continue;
    const [span] = await engine.query<{ first: string | null; last: string | null }>(
      `SELECT MIN(${HISTORY_COLUMN}) AS first, MAX(${HISTORY_COLUMN}) AS last FROM ${engine.qualify(source)} WHERE ${HISTORY_COLUMN} >= DATE '1900-01-01'`,
      { context: { action: "full_refresh_history" } },
    );
    if (span?.first && (first === undefined || span.first < first)) first = span.first;
    if (span?.last && (last === undefined || span.last > last)) last = span.last;
  }
  return first && last ? rangeOf(first, last) : undefined;
}

/** One model of a full refresh, as its dry run reports it. */
export interface RefreshedModel {
  action: string;
  target: string;
  /** Whether the table exists now (a missing one is created). */
  exists: boolean;
  /** Rows of the refreshed dates now in the table: what the refresh replaces. Undefined when unknown (no warehouse). */
  rowsReplaced: number | undefined;
  /** Rows of the table outside the refreshed dates: kept as they are. */
  rowsKept: number | undefined;
}

export interface FullRefreshPlan {
  dates: RunDates;
  /** The dates are all the history (no date was given). */
  allHistory: boolean;
  models: RefreshedModel[];
  /** Why the row counts are missing, when they are. */
  countsUnavailable: string | undefined;
}

/**
 * What a full refresh of `dates` will rebuild and how many rows it replaces: per incremental model
 * of the plan, the rows of the dates in its table now, and the rows outside them that stay. Without
 * an engine (no warehouse to read), the counts are unknown and `reason` says why.
 */
export async function describeFullRefresh(
  engine: Engine | undefined,
  plan: Plan,
  dates: RunDates,
  options: { allHistory: boolean; reason?: string },
): Promise<FullRefreshPlan> {
  const models: RefreshedModel[] = [];
  for (const action of modelsOf(plan)) {
    const target = targetOf(action);
    const name = `${target.dataset}.${target.table}`;
    if (!engine) {
      models.push({ action: action.name, target: name, exists: false, rowsReplaced: undefined, rowsKept: undefined });
      continue;
    }
    const exists = (await engine.describeTable(target)) !== undefined;
    if (!exists) {
      models.push({ action: action.name, target: name, exists, rowsReplaced: 0, rowsKept: 0 });
      continue;
    }
    const column = action.partitionBy ?? HISTORY_COLUMN;
    const [counts] = await engine.query<{ replaced: number; kept: number }>(
      `SELECT COUNTIF(${column} BETWEEN @start_date AND @end_date) AS replaced, COUNTIF(${column} NOT BETWEEN @start_date AND @end_date) AS kept
       FROM ${engine.qualify(target)} WHERE ${column} >= DATE '1900-01-01'`,
      { params: { start_date: param.date(dates.start), end_date: param.date(dates.end) }, context: { action: action.name } },
    );
    models.push({ action: action.name, target: name, exists, rowsReplaced: Number(counts?.replaced ?? 0), rowsKept: Number(counts?.kept ?? 0) });
  }
  return { dates, allHistory: options.allHistory, models, countsUnavailable: engine ? undefined : (options.reason ?? "no warehouse read") };
}

const count = (value: number | undefined) => (value === undefined ? "?" : value.toLocaleString("en-US"));

/** The dry run's account of a full refresh, for a person. */
export function fullRefreshText(refresh: FullRefreshPlan): string {
  const { dates } = refresh;
  const span = `${dates.start}..${dates.end} (${dates.dates.length} date${dates.dates.length === 1 ? "" : "s"}${refresh.allHistory ? ", all the history of the raw tables" : ""})`;
  const lines = [
    `FULL REFRESH of ${refresh.models.length} model(s) over ${span}: each is rebuilt from source in one window (stage, pre-write rules,`,
    "post-write checks on the rebuilt table), then its table is replaced atomically with the model's current columns, partitioning",
    `and clustering. Rows outside ${dates.start}..${dates.end} are kept, and so are the rows of any game held back now.`,
  ];
  if (refresh.countsUnavailable) lines.push(`Row counts unknown: ${refresh.countsUnavailable}.`);
  for (const model of refresh.models) {
    const what = model.rowsReplaced === undefined ? "" : model.exists ? `replaces ${count(model.rowsReplaced)} rows, keeps ${count(model.rowsKept)}` : "table missing: creates it";
    lines.push(`  ${model.target}${what ? `  ${what}` : ""}`);
  }
  return lines.join("\n");
}

export function fullRefreshJson(refresh: FullRefreshPlan) {
  return {
    start_date: refresh.dates.start,
    end_date: refresh.dates.end,
    dates: refresh.dates.dates.length,
    all_history: refresh.allHistory,
    counts_unavailable: refresh.countsUnavailable ?? null,
    models: refresh.models.map((model) => ({
      action: model.action,
      target: model.target,
      exists: model.exists,
      rows_replaced: model.rowsReplaced ?? null,
      rows_kept: model.rowsKept ?? null,
    })),
  };
}

/**
 * The statements a full refresh sends for each incremental model (the SQL of its dry run), in
 * place of a normal run's stage / create / MERGE: the stage from the model's full query, the
 * rebuilt table, the rows kept, the replacement. Other actions keep the statements of `planned`.
 */
export function fullRefreshStatements(plan: Plan, planned: PlannedStatement[], dates: RunDates, names: SqlNames = DRY_RUN_NAMES): PlannedStatement[] {
  const models = new Map(modelsOf(plan).map((action) => [action.name, action]));
  return planned.map((entry) => {
    const action = models.get(entry.action);
    if (!action) return entry;
    const target = targetOf(action);
    const stage = names.stagingTable(action.name, "dry_run");
    const rebuilt = rebuiltTable(names, action, "dry_run");
    const layout = { partitionBy: action.partitionBy, clusterBy: action.clusterBy, requirePartitionFilter: action.requirePartitionFilter };
    const window = `@start_date = ${dates.start}, @end_date = ${dates.end}`;
    return {
      ...entry,
      statements: [
        { purpose: "stage (the model's full query, not its incremental one)", sql: stageStatement(names, stage, action.query) },
        { purpose: "rebuilt table: the stage, with the model's partitioning and clustering", sql: createRebuiltStatement(names, rebuilt, stage, layout, []) },
        {
          purpose: `keep the rows outside the dates and of held-back games (${window}, @kept_games = games held back)`,
          sql: keepRowsStatement(names, rebuilt, target, action.columns.map((column) => column.name), action.partitionBy ?? HISTORY_COLUMN),
        },
        { purpose: "replace the table (one atomic statement, after the post-write checks pass on the rebuilt table)", sql: replaceTargetStatement(names, target, rebuilt, layout) },
      ],
    };
  });
}
