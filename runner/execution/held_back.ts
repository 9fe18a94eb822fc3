/**
 * Held-back games (DESIGN section 6): a game is the unit of publishing, so a game a model cannot
 * publish whole is held back whole, its previously published rows untouched, and recorded with
 * its reason in the one table SQL can read (includes/held_back_games.js). The gates read that table
 * so that a game already reported never blocks a date; each model reads it to hold back what a
 * model upstream of it held back.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { PROJECT_DIR } from "../compile/compile.ts";
import { param, type ColumnSpec, type ColumnType, type Engine, type StatementContext, type TableRef } from "../engines/engine.ts";
import { runnerTablesOf, suffixed } from "../engines/runner_tables.ts";
import type { RunDates } from "../dates.ts";

export type HoldBackReason = "source_incomplete" | "rejected" | "upstream_held_back";

export interface HeldBackGame {
  gameDate: string;
  gameId: string;
  reason: HoldBackReason;
  detail: string;
}

const COLUMN_TYPES = ["STRING", "INT64", "FLOAT64", "NUMERIC", "BOOL", "DATE", "TIMESTAMP", "JSON"] as const satisfies readonly ColumnType[];

const ModuleSchema = z.object({
  DATASET: z.string().min(1),
  TABLE: z.string().min(1),
  columns: z.record(z.string(), z.tuple([z.enum(COLUMN_TYPES), z.string()])),
});

function readSpec(): { table: TableRef; columns: ColumnSpec[] } {
  const file = path.join(PROJECT_DIR, "includes", "held_back_games.js");
  const parsed = ModuleSchema.parse(createRequire(import.meta.url)(file));
  return {
    table: { dataset: parsed.DATASET, table: parsed.TABLE },
    columns: Object.entries(parsed.columns).map(([name, [type, description]]) => ({ name, type, description })),
  };
}

const SPEC = readSpec();
/** The table without a schema suffix; the one an engine reads and writes is `heldBackTable(engine)`. */
export const HELD_BACK_TABLE: TableRef = SPEC.table;
export const HELD_BACK_COLUMNS: ColumnSpec[] = SPEC.columns;

/**
 * The held-back table of this engine: with --schema-suffix in `nba_orchestration_<suffix>`, as
 * its declaration (definitions/sources/held_back_games.js) makes the gates read it.
 */
export function heldBackTable(engine: Pick<Engine, "runnerTables">): TableRef {
  return suffixed(HELD_BACK_TABLE, runnerTablesOf(engine).schemaSuffix);
}

export async function ensureHeldBackTable(engine: Engine): Promise<void> {
  const table = heldBackTable(engine);
  await engine.ensureDataset(table.dataset);
  await engine.ensureTable(table, { columns: HELD_BACK_COLUMNS, partitionBy: "game_date" });
}

function windowParams(dates: RunDates) {
  return { start_date: param.date(dates.start), end_date: param.date(dates.end) };
}

/** The games of the run dates that any of `models` holds back, one entry per game. */
export async function heldBackUpstream(engine: Engine, models: string[], dates: RunDates, context: StatementContext): Promise<HeldBackGame[]> {
  if (models.length === 0) return [];
  const rows = await engine.query<{ game_date: string; game_id: string; detail: string }>(
    `SELECT
       game_date,
       game_id,
       -- Where the game was held back first, not the chain of models that passed it on.
       STRING_AGG(IF(reason != 'upstream_held_back', CONCAT(model, ': ', reason, ' (', detail, ')'), NULL), '; ' ORDER BY model) AS detail
     FROM ${engine.qualify(heldBackTable(engine))}
     WHERE game_date BETWEEN @start_date AND @end_date
       AND model IN UNNEST(@models)
     GROUP BY game_date, game_id
     ORDER BY game_date, game_id`,
    { params: { ...windowParams(dates), models: param.strings(models) }, context },
  );
  return rows.map((row) => ({ gameDate: String(row.game_date), gameId: String(row.game_id), reason: "upstream_held_back", detail: `held back upstream by ${row.detail}` }));
}

/**
 * Removes every row of these games from the stage: a game is published whole or not at all.
 * `alsoRemove` is a SQL condition for rejected rows that have no game_id.
 */
export async function removeGamesFromStage(engine: Engine, stage: TableRef, gameIds: string[], context: StatementContext, alsoRemove?: string): Promise<void> {
  if (gameIds.length === 0 && !alsoRemove) return;
  await engine.execute(`DELETE FROM ${engine.qualify(stage)} WHERE game_id IN UNNEST(@games)${alsoRemove ? ` OR ${alsoRemove}` : ""}`, {
    params: { games: param.strings(gameIds) },
    context,
  });
}

/**
 * Replaces what `model` holds back on the run dates with this run's answer: a game held back in an
 * earlier run and published now is no longer listed.
 */
export async function recordHeldBack(engine: Engine, model: string, dates: RunDates, runId: string, games: HeldBackGame[], context: StatementContext): Promise<void> {
  await engine.execute(`DELETE FROM ${engine.qualify(heldBackTable(engine))} WHERE game_date BETWEEN @start_date AND @end_date AND model = @model`, {
    params: { ...windowParams(dates), model: param.string(model) },
    context,
  });
  if (games.length === 0) return;
  const heldAt = new Date().toISOString();
  await engine.insertRows(
    heldBackTable(engine),
    HELD_BACK_COLUMNS,
    games.map((game) => ({ game_date: game.gameDate, game_id: game.gameId, model, reason: game.reason, detail: game.detail, run_id: runId, held_at: heldAt })),
    context,
  );
}

/** One entry per game: the first reason found wins, the others are added to its detail. */
export function mergeHeldBack(games: HeldBackGame[]): HeldBackGame[] {
  const byGame = new Map<string, HeldBackGame>();
  for (const game of games) {
    const key = `${game.gameDate}/${game.gameId}`;
    const known = byGame.get(key);
    if (!known) byGame.set(key, { ...game });
    else known.detail = `${known.detail}; ${game.detail}`;
  }
  return [...byGame.values()].sort((a, b) => a.gameDate.localeCompare(b.gameDate) || a.gameId.localeCompare(b.gameId));
}
