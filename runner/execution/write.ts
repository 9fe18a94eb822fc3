/**
 * Writing one model (DESIGN section 4). Incremental models go through a staged write:
 * stage -> pre-write checks (rejects quarantined) -> MERGE on the unique key restricted to the run
 * dates and the staged games -> post-write checks on the keys just written -> drop the stage.
 * Tables and views follow Dataform's own semantics: create or replace.
 */
import { DataFailureError } from "../errors.ts";
import type { RunDates } from "../dates.ts";
import { param, type Engine, type QueryParams, type TableRef } from "../engines/engine.ts";
import type { Logger } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { createTargetStatement, mergeStatement, REPLACE_SCOPE_COLUMN, stageStatement } from "./statements.ts";

/** What the checks around a write report; `blocking` failures fail the action. */
export interface CheckResult {
  check: string;
  phase: "pre-write" | "post-write";
  severity: "error" | "warning";
  passed: boolean;
  rows: number;
  message: string;
}

export interface StagedWrite {
  engine: Engine;
  action: Action;
  runId: string;
  dates: RunDates;
  target: TableRef;
  stage: TableRef;
  /** The partition column restricted to the run dates. */
  windowColumn: string;
  /** Games present in the stage (after pre-write rejects), the scope of the write. */
  stagedGames: string[];
  rowsStaged: number;
  log: Logger;
}

/**
 * The checks around a write: pre-write runs on the stage and may move rows to quarantine; post-
 * write runs after the MERGE, scoped to the staged keys. The defense-layer checks plug in here.
 */
export interface WriteChecks {
  preWrite(write: StagedWrite): Promise<{ results: CheckResult[]; quarantined: number }>;
  postWrite(write: StagedWrite): Promise<CheckResult[]>;
}

export const NO_CHECKS: WriteChecks = {
  preWrite: async () => ({ results: [], quarantined: 0 }),
  postWrite: async () => [],
};

export interface WriteOutcome {
  rowsStaged: number;
  rowsWritten: number;
  rowsQuarantined: number;
  games: number;
  checks: CheckResult[];
}

export interface WriteOptions {
  engine: Engine;
  action: Action;
  runId: string;
  dates: RunDates;
  fullRefresh: boolean;
  checks: WriteChecks;
  log: Logger;
}

export function targetOf(action: Action): TableRef {
  return { dataset: action.target.schema, table: action.target.name };
}

function windowParams(dates: RunDates): QueryParams {
  return { start_date: param.date(dates.start), end_date: param.date(dates.end) };
}

/** Fails the action when a post-write check of severity error failed; all results go to the ledger. */
function throwOnBlockingFailure(action: Action, postWrite: CheckResult[], all: CheckResult[]): void {
  const failed = postWrite.filter((result) => !result.passed && result.severity === "error");
  if (failed.length > 0) {
    throw new CheckFailedError(action, failed, all);
  }
}

export class CheckFailedError extends DataFailureError {
  constructor(
    action: Action,
    failed: CheckResult[],
    readonly results: CheckResult[],
  ) {
    super("check_failed", `${action.name}: ${failed.map((result) => `${result.check} failed: ${result.message}`).join("; ")}`);
  }
}

async function stageShape(write: Omit<StagedWrite, "stagedGames" | "rowsStaged">): Promise<{ columns: string[]; rows: number; games: string[] }> {
  const { engine, action, stage, windowColumn } = write;
  const columns = (await engine.describeTable(stage))?.map((column) => column.name) ?? [];
  const required = [...new Set([...action.uniqueKey, windowColumn, REPLACE_SCOPE_COLUMN])];
  const missing = required.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw new DataFailureError("model_shape", `${action.name} must output ${missing.join(", ")} (unique key, ${windowColumn}, ${REPLACE_SCOPE_COLUMN})`, {
      suggestion: `Add the column(s) to the final SELECT of ${action.fileName}.`,
    });
  }

  const context = { action: action.name, runId: write.runId, gameDate: write.dates.start };
  const stats = await engine.query<{ row_count: number; outside: number }>(
    `SELECT COUNT(*) AS row_count, COUNTIF(${windowColumn} IS NULL OR ${windowColumn} NOT BETWEEN @start_date AND @end_date) AS outside
     FROM ${engine.qualify(stage)}`,
    { params: windowParams(write.dates), context },
  );
  const outside = Number(stats[0]?.outside ?? 0);
  if (outside > 0) {
    throw new DataFailureError("rows_outside_run_dates", `${action.name} produced ${outside} rows outside ${write.dates.start}..${write.dates.end}`, {
      suggestion: `Filter its sources with run_window.filter("${windowColumn}") in ${action.fileName}.`,
    });
  }

  const keys = action.uniqueKey.join(", ");
  const duplicates = await engine.query(
    `SELECT ${keys}, COUNT(*) AS copies FROM ${engine.qualify(stage)} GROUP BY ${keys} HAVING COUNT(*) > 1 LIMIT 5`,
    { context },
  );
  if (duplicates.length > 0) {
    throw new DataFailureError("duplicate_keys_in_stage", `${action.name} produced several rows for one key (${keys}): ${JSON.stringify(duplicates)}`, {
      suggestion: "The model must deduplicate its sources (latest processed_at per key).",
    });
  }
  const games = await engine.query<{ game: string }>(
    `SELECT DISTINCT ${REPLACE_SCOPE_COLUMN} AS game FROM ${engine.qualify(stage)} WHERE ${REPLACE_SCOPE_COLUMN} IS NOT NULL ORDER BY game`,
    { context },
  );
  return { columns, rows: Number(stats[0]?.row_count ?? 0), games: games.map((row) => String(row.game)) };
}

async function checkSchemaUnchanged(engine: Engine, action: Action, target: TableRef, stage: TableRef): Promise<void> {
  const [targetColumns, stageColumns] = await Promise.all([engine.describeTable(target), engine.describeTable(stage)]);
  const describe = (columns: { name: string; type: string }[] | undefined) => (columns ?? []).map((column) => `${column.name} ${column.type}`);
  const before = new Set(describe(targetColumns));
  const after = new Set(describe(stageColumns));
  const added = [...after].filter((column) => !before.has(column));
  const removed = [...before].filter((column) => !after.has(column));
  if (added.length > 0 || removed.length > 0) {
    throw new DataFailureError(
      "schema_changed",
      `${action.name}: the model's columns no longer match ${target.dataset}.${target.table}` +
        `${added.length ? ` (new: ${added.join(", ")})` : ""}${removed.length ? ` (gone: ${removed.join(", ")})` : ""}`,
      { suggestion: "Re-run with --full-refresh over the dates the table should hold, to recreate it." },
    );
  }
}

/** Publishes an incremental model for the run dates through the staged write. */
export async function publishIncremental(options: WriteOptions): Promise<WriteOutcome> {
  const { engine, action, runId, dates, log } = options;
  const target = targetOf(action);
  const stage = engine.stagingTable(action.name, runId);
  const windowColumn = action.partitionBy ?? "game_date";
  const context = { action: action.name, runId, gameDate: dates.start };
  const existing = await engine.describeTable(target);
  const query = existing && !options.fullRefresh && action.incrementalQuery ? action.incrementalQuery : action.query;

  await engine.ensureDataset(stage.dataset);
  await engine.execute(stageStatement(engine, stage, query), { context });
  try {
    const base = { engine, action, runId, dates, target, stage, windowColumn, log };
    const shape = await stageShape(base);
    log.info(`${action.name} staged ${shape.rows} rows for ${shape.games.length} games`, { rows_staged: shape.rows, games: shape.games.length });

    // Pre-write rules never fail the action: rows breaking an error rule are quarantined instead.
    const pre = await options.checks.preWrite({ ...base, stagedGames: shape.games, rowsStaged: shape.rows });
    // Quarantine may have removed whole games from the stage: the write's scope is what is left.
    const afterRejects = pre.quarantined > 0 ? await stageShape(base) : shape;
    const write: StagedWrite = { ...base, stagedGames: afterRejects.games, rowsStaged: afterRejects.rows };

    if (existing && !options.fullRefresh) await checkSchemaUnchanged(engine, action, target, stage);
    await engine.ensureDataset(target.dataset);
    const rowsWritten = await engine.transaction(async () => {
      if (!existing || options.fullRefresh) {
        const layout = { partitionBy: action.partitionBy, clusterBy: action.clusterBy };
        await engine.execute(createTargetStatement(engine, target, stage, layout, Boolean(existing)), { context });
      }
      const merge = mergeStatement(engine, { target, stage, uniqueKey: action.uniqueKey, columns: afterRejects.columns, windowColumn });
      const result = await engine.execute(merge, {
        params: { ...windowParams(dates), staged_games: param.strings(write.stagedGames) },
        context,
      });
      return result.rowsAffected ?? 0;
    });
    log.info(`${action.name} merged: ${rowsWritten} rows changed`, { rows_written: rowsWritten });

    const post = await options.checks.postWrite(write);
    const checks = [...pre.results, ...post];
    throwOnBlockingFailure(action, post, checks);
    return { rowsStaged: shape.rows, rowsWritten, rowsQuarantined: pre.quarantined, games: write.stagedGames.length, checks };
  } finally {
    await engine.execute(`DROP TABLE IF EXISTS ${engine.qualify(stage)}`, { context });
  }
}

/** Tables and views: Dataform's create-or-replace. */
export async function publishRelation(engine: Engine, action: Action, runId: string): Promise<number | undefined> {
  const target = targetOf(action);
  await engine.ensureDataset(target.dataset);
  const kind = action.kind === "view" ? "VIEW" : "TABLE";
  const context = { action: action.name, runId };
  for (const statement of action.preOps) await engine.execute(statement, { context });
  await engine.execute(`CREATE OR REPLACE ${kind} ${engine.qualify(target)} AS\n${action.query}`, { context });
  for (const statement of action.postOps) await engine.execute(statement, { context });
  if (kind === "VIEW") return undefined;
  const count = await engine.query<{ row_count: number }>(`SELECT COUNT(*) AS row_count FROM ${engine.qualify(target)}`, { context });
  return Number(count[0]?.row_count ?? 0);
}
