/**
 * Quarantine: staged rows that broke an error rule, kept whole (as JSON) with the run, the rule and
 * the reason, in `<dataset>_quarantine.<model>`. Nothing a model produced is ever silently dropped.
 */
import { param, type ColumnSpec, type Engine, type Row, type TableRef } from "../engines/engine.ts";
import type { StagedWrite } from "../execution/write.ts";

export const QUARANTINE_COLUMNS: ColumnSpec[] = [
  { name: "run_id", type: "STRING", description: "The run that held the row back." },
  { name: "quarantined_at", type: "TIMESTAMP", description: "When it was held back." },
  { name: "game_date", type: "DATE", description: "game_date of the row." },
  { name: "game_id", type: "STRING", description: "game_id of the row." },
  { name: "rule", type: "STRING", description: "The pre-write rule it broke." },
  { name: "reason", type: "STRING", description: "Why the rule exists, in words." },
  { name: "row_json", type: "STRING", description: "The whole staged row as JSON." },
];

/** The quarantine table of a model written to `dataset.table`. */
export function quarantineTable(model: TableRef): TableRef {
  return { dataset: `${model.dataset}_quarantine`, table: model.table };
}

export async function ensureQuarantine(engine: Engine, table: TableRef): Promise<void> {
  await engine.ensureDataset(table.dataset);
  await engine.ensureTable(table, { columns: QUARANTINE_COLUMNS, partitionBy: "game_date" });
}

export interface QuarantinedRow {
  row: Row;
  rule: string;
  reason: string;
}

/**
 * Keeps rejected rows in quarantine and removes their games, whole, from the stage, in one unit: a
 * game with a rejected row is held back (its published rows stay as they were), and the rejected
 * rows are never lost. `alsoRemove` is a SQL condition for rejected rows that have no game_id.
 */
export async function quarantineAndHoldBack(write: Pick<StagedWrite, "engine" | "action" | "runId" | "stage" | "dates">, held: QuarantinedRow[], alsoRemove?: string): Promise<void> {
  const { engine, action, stage } = write;
  const table = quarantineTable({ dataset: action.target.schema, table: action.target.name });
  await ensureQuarantine(engine, table);
  // The rows are kept as JSON built here, the same on every engine (DuckDB's to_json and
  // BigQuery's TO_JSON_STRING do not print values alike).
  const quarantinedAt = new Date().toISOString();
  const rows = held.map(({ row, rule, reason }) => ({
    run_id: write.runId,
    quarantined_at: quarantinedAt,
    game_date: row.game_date ?? null,
    game_id: row.game_id ?? null,
    rule,
    reason,
    row_json: JSON.stringify(row),
  }));
  const games = [...new Set(held.flatMap(({ row }) => (row.game_id === null || row.game_id === undefined ? [] : [String(row.game_id)])))];
  const context = { action: action.name, runId: write.runId, gameDate: write.dates.start };
  await engine.transaction(async () => {
    await engine.insertRows(table, QUARANTINE_COLUMNS, rows);
    await engine.execute(`DELETE FROM ${engine.qualify(stage)} WHERE game_id IN UNNEST(@games)${alsoRemove ? ` OR ${alsoRemove}` : ""}`, {
      params: { games: param.strings(games) },
      context,
    });
  });
}
