/**
 * Quarantine: staged rows that broke an error rule, kept whole (as JSON) with the run, the rule and
 * the reason, in `<dataset>_quarantine.<model>`. Nothing a model produced is ever silently dropped.
 */
import type { ColumnSpec, Engine, TableRef } from "../engines/engine.ts";

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
