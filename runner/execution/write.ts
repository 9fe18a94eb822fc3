/**
 * Writing one model (DESIGN section 4). Incremental models go through a staged write:
 * stage -> pre-write checks (rejects quarantined) -> MERGE on the unique key restricted to the run
 * dates and the staged games -> post-write checks on the keys just written -> drop the stage.
 * --full-refresh replaces the MERGE: the stage and the rows kept go into a rebuilt table, checked,
 * which then replaces the target in one statement (publishRebuilt).
 * Tables and views follow Dataform's own semantics: create or replace.
 */
import { DataFailureError } from "../errors.ts";
import type { RunDates } from "../dates.ts";
import { param, type Engine, type ExecuteResult, type QueryParams, type TableRef } from "../engines/engine.ts";
import type { Logger } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { ensureQuarantine, quarantineEntries, quarantineTable, writeQuarantine, type QuarantinedRow } from "../checks/quarantine.ts";
import { heldBackUpstream, mergeHeldBack, recordHeldBack, removeGamesFromStage, type HeldBackGame } from "./held_back.ts";
import {
  createRebuiltStatement,
  createTargetStatement,
  keepRowsStatement,
  firstPublishStatement,
  mergeStatement,
  REPLACE_SCOPE_COLUMN,
  replaceTargetStatement,
  stageStatement,
  type TargetLayout,
} from "./statements.ts";

/** A model column that, when set, says the model itself holds the row's game back (game_source_checks). */
export const HELD_BACK_REASON_COLUMN = "held_back_reason";

/** What the checks around a write report; `blocking` failures fail the action. */
export interface CheckResult {
  check: string;
  phase: "pre-write" | "post-write";
  severity: "error" | "warning";
  passed: boolean;
  rows: number;
  message: string;
  /**
   * A window of several dates (a batch run): the rows and message of each date, for a check that
   * found rows, so the ledger row of each date carries that date's answer (ledgerEntriesOf).
   */
  byDate?: Record<string, { rows: number; message: string }>;
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
  preWrite(write: StagedWrite): Promise<PreWriteOutcome>;
  postWrite(write: StagedWrite): Promise<CheckResult[]>;
}

/** What the pre-write rules did to the stage: the games they held back, whole, and the rows quarantined. */
export interface PreWriteOutcome {
  results: CheckResult[];
  /** Games held back whole (already removed from the stage). */
  heldBack: HeldBackGame[];
  /** The rows that broke an error rule, for quarantine. */
  rejected: QuarantinedRow[];
}

export const NO_CHECKS: WriteChecks = {
  preWrite: async () => ({ results: [], heldBack: [], rejected: [] }),
  postWrite: async () => [],
};

export interface WriteOutcome {
  rowsStaged: number;
  rowsWritten: number;
  rowsQuarantined: number;
  games: number;
  checks: CheckResult[];
  /** Games of the run dates this model did not publish, whole, with the reason. */
  heldBack: HeldBackGame[];
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

/** The table an action writes: its Dataform target as the engine names tables. */
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
    super(
      "check_failed",
      `${action.name}: ${failed.map((result) => `${result.check} failed: ${result.message}`).join("; ")}; the publish was rolled back, the table is as it was`,
    );
  }
}

interface StageShape {
  columns: string[];
  rows: number;
  games: string[];
  /** Unique-key values on more than one row; undefined when not counted (no key, or no answer). */
  sharedKeys: number | undefined;
}

async function stageShape(write: Omit<StagedWrite, "stagedGames" | "rowsStaged">): Promise<StageShape> {
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
  // The keys shared by several rows are counted here, so that the query listing their rows
  // (holdBackKeyCollisions) runs only when there are some.
  const sharedKeys =
    action.uniqueKey.length > 0
      ? `,
       (SELECT COUNT(*) FROM (SELECT 1 FROM ${engine.qualify(stage)} GROUP BY ${action.uniqueKey.join(", ")} HAVING COUNT(*) > 1) AS shared) AS shared_keys`
      : "";
  const stats = await engine.query<{ row_count: number; outside: number; games: string[] | null; shared_keys?: number | null }>(
    `SELECT
       COUNT(*) AS row_count,
       COUNTIF(${windowColumn} IS NULL OR ${windowColumn} NOT BETWEEN @start_date AND @end_date) AS outside,
       ARRAY_AGG(DISTINCT ${REPLACE_SCOPE_COLUMN} IGNORE NULLS ORDER BY ${REPLACE_SCOPE_COLUMN}) AS games${sharedKeys}
     FROM ${engine.qualify(stage)}`,
    { params: windowParams(write.dates), context },
  );
  const outside = Number(stats[0]?.outside ?? 0);
  if (outside > 0) {
    throw new DataFailureError("rows_outside_run_dates", `${action.name} produced ${outside} rows outside ${write.dates.start}..${write.dates.end}`, {
      suggestion: `Filter its sources with run_window.filter("${windowColumn}") in ${action.fileName}.`,
    });
  }

  // An empty stage aggregates no games: an empty array, or NULL, as the engine gives it.
  const games = stats[0]?.games ?? [];
  const shared = stats[0]?.shared_keys;
  return { columns, rows: Number(stats[0]?.row_count ?? 0), games: games.map(String), sharedKeys: shared === undefined || shared === null ? undefined : Number(shared) };
}

/**
 * Brings an existing target to the stage's columns before the publish. Columns the model gained
 * are added in place, with the stage's types (what --full-refresh would create) and NULL in the
 * rows already there. A column the model no longer outputs, or whose type changed, stops the
 * action: dropping or converting it would lose or reinterpret data, so it takes a --full-refresh.
 * Returns the columns added, in the model's order.
 */
export async function evolveTargetSchema(write: Pick<StagedWrite, "engine" | "action" | "runId" | "dates" | "target" | "stage" | "log">): Promise<string[]> {
  const { engine, action, target, stage } = write;
  const [targetColumns = [], stageColumns = []] = await Promise.all([engine.describeTable(target), engine.describeTable(stage)]);
  const staged = new Map(stageColumns.map((column) => [column.name, column.type]));
  const present = new Set(targetColumns.map((column) => column.name));
  const added = stageColumns.filter((column) => !present.has(column.name));
  const removed = targetColumns.filter((column) => !staged.has(column.name));
  const retyped = targetColumns.filter((column) => staged.has(column.name) && staged.get(column.name) !== column.type);
  if (removed.length > 0 || retyped.length > 0) {
    const list = (label: string, items: string[]) => (items.length > 0 ? ` (${label}: ${items.join(", ")})` : "");
    throw new DataFailureError(
      "schema_changed",
      `${action.name}: the model's columns no longer match ${target.dataset}.${target.table}` +
        list("gone", removed.map((column) => `${column.name} ${column.type}`)) +
        list("type changed", retyped.map((column) => `${column.name} ${column.type} -> ${staged.get(column.name)}`)) +
        list("new", added.map((column) => `${column.name} ${column.type}`)),
      { suggestion: "Re-run with --full-refresh over the dates the table should hold, to recreate it." },
    );
  }
  if (added.length === 0) return [];
  const names = added.map((column) => column.name);
  await engine.addColumns(target, stage, names, { action: action.name, runId: write.runId, gameDate: write.dates.start });
  write.log.notice(`${action.name}: added column(s) ${names.join(", ")} to ${target.dataset}.${target.table}`, { added_columns: names });
  return names;
}

/**
 * Rows of the stage that share the unique key cannot both be published under it (two players
 * normalised to one player_lookup on one date): neither is dropped in favour of the other. Both
 * are quarantined as ambiguous_<last key column> and their games held back. Skipped only when the
 * stage's shape counted no shared key (removing held-back games cannot add any).
 */
async function holdBackKeyCollisions(write: Omit<StagedWrite, "stagedGames" | "rowsStaged">, shape: StageShape): Promise<{ games: HeldBackGame[]; rejected: QuarantinedRow[] }> {
  const { engine, action, stage } = write;
  if (action.uniqueKey.length === 0 || shape.sharedKeys === 0) return { games: [], rejected: [] };
  const context = { action: action.name, runId: write.runId, gameDate: write.dates.start };
  const keys = action.uniqueKey.join(", ");
  const rows = await engine.query(`SELECT * FROM ${engine.qualify(stage)} QUALIFY COUNT(*) OVER (PARTITION BY ${keys}) > 1`, { context });
  if (rows.length === 0) return { games: [], rejected: [] };
  const rule = `ambiguous_${action.uniqueKey.at(-1)}`;
  const reason = `several rows share the key (${keys}) and are not the same player or team: neither can be published under it`;
  const games = mergeHeldBack(
    rows.map((row) => ({
      gameDate: String(row.game_date),
      gameId: String(row.game_id),
      reason: "rejected" as const,
      detail: `${rule}: ${action.uniqueKey.map((column) => String(row[column])).join("/")}`,
    })),
  );
  await removeGamesFromStage(engine, stage, games.map((game) => game.gameId), context);
  write.log.warn(`${action.name}: ${rows.length} rows share a key (${rule}); quarantined, games held back: ${games.map((game) => game.gameId).join(", ")}`, {
    rule,
    rows: rows.length,
  });
  return { games, rejected: rows.map((row) => ({ row, rule, reason })) };
}

/**
 * Games the model itself declares held back: a stage row with held_back_reason set (the source
 * checks of game_source_checks) is published as the record of why, and the game is held back for
 * every model downstream.
 */
async function ownHeldBack(write: Omit<StagedWrite, "stagedGames" | "rowsStaged">, columns: string[]): Promise<HeldBackGame[]> {
  if (!columns.includes(HELD_BACK_REASON_COLUMN)) return [];
  const { engine, action } = write;
  const rows = await engine.query<{ game_date: string; game_id: string; reason: string }>(
    `SELECT game_date, game_id, ${HELD_BACK_REASON_COLUMN} AS reason FROM ${engine.qualify(write.stage)}
     WHERE ${HELD_BACK_REASON_COLUMN} IS NOT NULL ORDER BY game_date, game_id`,
    { context: { action: action.name, runId: write.runId, gameDate: write.dates.start } },
  );
  return rows.map((row) => ({ gameDate: String(row.game_date), gameId: String(row.game_id), reason: "source_incomplete", detail: String(row.reason) }));
}

/** The stage's INT64 columns a table created from it declares (none where the engine holds none wider). */
async function wideInt64Columns(engine: Engine, stage: TableRef): Promise<string[]> {
  return (await engine.wideInt64Columns?.(stage)) ?? [];
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

    // A game held back by a model this one reads is held back here too, whole.
    const upstream = await heldBackUpstream(engine, action.upstreamModels, dates, context);
    await removeGamesFromStage(engine, stage, upstream.map((game) => game.gameId), context);
    if (upstream.length > 0) {
      log.warn(`${action.name}: ${upstream.length} game(s) held back upstream: ${upstream.map((game) => game.gameId).join(", ")}`, { held_back: upstream.length });
    }
    const collisions = await holdBackKeyCollisions(base, shape);
    const current = upstream.length + collisions.rejected.length > 0 ? await stageShape(base) : shape;
    // Pre-write rules never fail the write itself: a game with a row breaking an error rule is
    // held back whole and the row quarantined.
    const pre = await options.checks.preWrite({ ...base, stagedGames: current.games, rowsStaged: current.rows });
    const own = await ownHeldBack(base, shape.columns);
    const heldBack = mergeHeldBack([...upstream, ...collisions.games, ...pre.heldBack, ...own]);
    const quarantine = quarantineEntries(runId, [...collisions.rejected, ...pre.rejected]);
    // What is left in the stage is the write's scope: held-back games are not touched.
    const afterRejects = pre.heldBack.length > 0 ? await stageShape(base) : current;
    const write: StagedWrite = { ...base, stagedGames: afterRejects.games, rowsStaged: afterRejects.rows };

    if (existing && !options.fullRefresh) await evolveTargetSchema(write);
    await engine.ensureDataset(target.dataset);
    if (quarantine.length > 0) await ensureQuarantine(engine, quarantineTable(target));
    const layout = { partitionBy: action.partitionBy, clusterBy: action.clusterBy, requirePartitionFilter: action.requirePartitionFilter };
    if (options.fullRefresh) {
      const rebuilt = await publishRebuilt({ write, existing: existing !== undefined, layout, heldBack, quarantine, pre: pre.results, checks: options.checks });
      const checks = [...pre.results, ...rebuilt.post];
      return { rowsStaged: shape.rows, rowsWritten: write.rowsStaged, rowsQuarantined: quarantine.length, games: write.stagedGames.length, checks, heldBack };
    }
    // A missing target is created empty before the transaction (BigQuery allows no DDL on
    // permanent tables inside one; an empty table loses nothing if the publish rolls back).
    if (!existing) await engine.execute(createTargetStatement(engine, target, stage, layout, false, await wideInt64Columns(engine, stage)), { context });
    // Write-audit-publish: quarantine, MERGE (into a target created for this write where nothing
    // else writes it, an INSERT), the record of held-back games and the blocking post-write
    // checks are one unit. A blocking check that fails rolls all of it back, so the table is
    // exactly as it was before the run.
    let post: CheckResult[] = [];
    const columns = afterRejects.columns;
    const publish = (): Promise<ExecuteResult> =>
      !existing && newTargetsOwned(engine)
        ? engine.execute(firstPublishStatement(engine, { target, stage, columns }), { context })
        : engine.execute(mergeStatement(engine, { target, stage, uniqueKey: action.uniqueKey, columns, windowColumn }), {
            params: { ...windowParams(dates), staged_games: param.strings(write.stagedGames) },
            context,
          });
    const rowsWritten = await engine.transaction(async () => {
      await writeQuarantine(engine, target, dates, quarantine, context);
      const result = await publish();
      await recordHeldBack(engine, action.name, dates, runId, heldBack, context);
      post = await options.checks.postWrite(write);
      throwOnBlockingFailure(action, post, [...pre.results, ...post]);
      return result.rowsAffected ?? 0;
    });
    log.info(`${action.name} merged: ${rowsWritten} rows changed`, { rows_written: rowsWritten });
    for (const game of heldBack.filter((candidate) => candidate.reason !== "upstream_held_back")) {
      log.warn(`${action.name} HELD BACK ${game.gameId} (${game.gameDate}): ${game.reason}: ${game.detail}`, { game_id: game.gameId, reason: game.reason });
    }
    const checks = [...pre.results, ...post];
    return { rowsStaged: shape.rows, rowsWritten, rowsQuarantined: quarantine.length, games: write.stagedGames.length, checks, heldBack };
  } finally {
    await engine.execute(`DROP TABLE IF EXISTS ${engine.qualify(stage)}`, { context });
  }
}

/** The scratch table a --full-refresh builds a model's new table in (the staging dataset, dropped after). */
export function rebuiltTable(engine: Pick<Engine, "stagingTable">, action: Pick<Action, "name">, runId: string): TableRef {
  return engine.stagingTable(`${action.name}__rebuilt`, runId);
}

/**
 * Whether DDL on a permanent table may run inside engine.transaction(): on DuckDB it may (and
 * commits or rolls back with the rest); a BigQuery multi-statement transaction refuses it.
 */
function ddlInTransactions(engine: Engine): boolean {
  return engine.name === "duckdb";
}

/**
 * Whether a target this write created holds nothing but what the write puts in it, so that its
 * stage can be inserted instead of merged (firstPublishStatement). On DuckDB one process writes
 * the file, and serve runs a run that creates tables alone. On BigQuery another process may
 * publish the same date into the new table meanwhile: the MERGE takes its rows into account.
 */
function newTargetsOwned(engine: Engine): boolean {
  return engine.name === "duckdb";
}

interface RebuildInput {
  write: StagedWrite;
  existing: boolean;
  layout: TargetLayout;
  heldBack: HeldBackGame[];
  quarantine: ReturnType<typeof quarantineEntries>;
  pre: CheckResult[];
  checks: WriteChecks;
}

/**
 * --full-refresh: the model rebuilt from source over the run dates replaces those dates of its
 * table, and the table takes the model's current structure (columns, partitioning, clustering).
 * The stage went through the same rules as a normal write (upstream held back, key collisions,
 * pre-write rules); then:
 *   1. the rebuilt table is created from the stage, and the target rows the refresh keeps are
 *      copied into it: every row outside the run dates, and the rows of the games held back now
 *      (they keep what was published for them, as in a normal write). A game of the run dates
 *      that is in the table but no longer in any source is not kept: the dates are rebuilt;
 *   2. the post-write checks run on the rebuilt table, scoped to the staged keys as usual; a
 *      blocking failure stops here, with the table untouched;
 *   3. one CREATE OR REPLACE TABLE puts the rebuilt table in the target's place, with the
 *      quarantine and the record of held-back games: in one transaction on DuckDB; on BigQuery,
 *      which allows no DDL in a transaction, the replacement is its own atomic job and the
 *      quarantine and held-back record follow in a transaction (a crash between the two leaves
 *      the table replaced and the record of the previous run: a re-run puts it right).
 */
async function publishRebuilt(input: RebuildInput): Promise<{ post: CheckResult[] }> {
  const { write, layout, heldBack, quarantine } = input;
  const { engine, action, runId, dates, target, stage, windowColumn, log } = write;
  const context = { action: action.name, runId, gameDate: dates.start };
  const rebuilt = rebuiltTable(engine, action, runId);
  const params = windowParams(dates);
  try {
    await engine.execute(createRebuiltStatement(engine, rebuilt, stage, layout, await wideInt64Columns(engine, stage)), { context });
    let replaced = 0;
    let kept = 0;
    if (input.existing) {
      const counted = await engine.query<{ row_count: number }>(
        `SELECT COUNT(*) AS row_count FROM ${engine.qualify(target)} WHERE ${windowColumn} BETWEEN @start_date AND @end_date`,
        { params, context },
      );
      replaced = Number(counted[0]?.row_count ?? 0);
      const staged = new Set(write.stagedGames);
      const keptGames = [...new Set(heldBack.map((game) => game.gameId).filter((game) => !staged.has(game)))];
      const [stageColumns = [], targetColumns = []] = await Promise.all([engine.describeTable(stage), engine.describeTable(target)]);
      const present = new Set(targetColumns.map((column) => column.name));
      const common = stageColumns.map((column) => column.name).filter((name) => present.has(name));
      const copied = await engine.execute(keepRowsStatement(engine, rebuilt, target, common, windowColumn), {
        params: { ...params, kept_games: param.strings(keptGames) },
        context,
      });
      kept = copied.rowsAffected ?? 0;
    }
    const post = await input.checks.postWrite({ ...write, target: rebuilt });
    throwOnBlockingFailure(action, post, [...input.pre, ...post]);

    const replace = () => engine.execute(replaceTargetStatement(engine, target, rebuilt, layout), { context });
    const bookkeeping = async () => {
      await writeQuarantine(engine, target, dates, quarantine, context);
      await recordHeldBack(engine, action.name, dates, runId, heldBack, context);
    };
    if (ddlInTransactions(engine)) {
      await engine.transaction(async () => {
        await replace();
        await bookkeeping();
      });
    } else {
      await replace();
      await engine.transaction(bookkeeping);
    }
    log.notice(
      `${action.name} FULL REFRESH: ${target.dataset}.${target.table} rebuilt for ${dates.start}..${dates.end}: ` +
        `${write.rowsStaged} rows published in place of ${replaced}; ${kept} rows kept (outside the dates, or of held-back games)`,
      { rows_written: write.rowsStaged, rows_replaced: replaced, rows_kept: kept },
    );
    return { post };
  } finally {
    await engine.execute(`DROP TABLE IF EXISTS ${engine.qualify(rebuilt)}`, { context });
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
