/**
 * Quarantine: staged rows that broke an error rule, kept whole (as JSON) with the run, the rules and
 * the reasons, in `<dataset>_quarantine.<model>`, once per distinct row. Nothing a model produced
 * is ever silently dropped.
 */
import { createHash } from "node:crypto";
import type { RunDates } from "../dates.ts";
import { param, type ColumnSpec, type Engine, type Row, type StatementContext, type TableRef } from "../engines/engine.ts";

export const QUARANTINE_COLUMNS: ColumnSpec[] = [
  { name: "run_id", type: "STRING", description: "The run that held the row back." },
  { name: "quarantined_at", type: "TIMESTAMP", description: "When it was held back." },
  { name: "game_date", type: "DATE", description: "game_date of the row." },
  { name: "game_id", type: "STRING", description: "game_id of the row." },
  { name: "rule", type: "STRING", description: "Every pre-write rule it broke, comma-separated." },
  { name: "reason", type: "STRING", description: "Why those rules exist, in words, in the same order." },
  { name: "row_json", type: "STRING", description: "The whole staged row as JSON." },
  { name: "row_hash", type: "STRING", description: "SHA-256 of the row without its load timestamps: one quarantine row per distinct rejected row." },
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

/** Columns that say when a row was loaded or written, not what it says: left out of its identity. */
const LOAD_TIMESTAMP_COLUMNS = new Set(["processed_at", "source_processed_at"]);

/** A row's identity in quarantine: a hash of its values without the load timestamps. */
export function rowHash(row: Row): string {
  const content = Object.keys(row)
    .filter((column) => !LOAD_TIMESTAMP_COLUMNS.has(column))
    .sort()
    .map((column) => [column, row[column]]);
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/**
 * The quarantine rows of a write: one per distinct rejected row, listing every rule it broke. A
 * row that broke k rules is stored once, not k times.
 */
export function quarantineEntries(runId: string, rejected: QuarantinedRow[]): Record<string, unknown>[] {
  const byHash = new Map<string, { row: Row; rules: Map<string, string> }>();
  for (const { row, rule, reason } of rejected) {
    const hash = rowHash(row);
    const entry = byHash.get(hash) ?? { row, rules: new Map<string, string>() };
    entry.rules.set(rule, reason);
    byHash.set(hash, entry);
  }
  const quarantinedAt = new Date().toISOString();
  return [...byHash.entries()].map(([hash, { row, rules }]) => {
    const names = [...rules.keys()].sort();
    return {
      run_id: runId,
      quarantined_at: quarantinedAt,
      game_date: row.game_date ?? null,
      game_id: row.game_id ?? null,
      rule: names.join(", "),
      reason: names.map((name) => rules.get(name)).join("; "),
      // Kept as JSON built here, the same on every engine (DuckDB's to_json and BigQuery's
      // TO_JSON_STRING do not print values alike).
      row_json: JSON.stringify(row),
      row_hash: hash,
    };
  });
}

/**
 * Keeps rejected rows in quarantine, idempotently: a row already there for the run dates (the same
 * values, from an earlier run, a redelivery, or a run that crashed before its publish) is replaced,
 * never copied. Runs inside the publish transaction, so quarantine and publish happen together.
 */
export async function writeQuarantine(engine: Engine, model: TableRef, dates: RunDates, entries: Record<string, unknown>[], context: StatementContext): Promise<void> {
  if (entries.length === 0) return;
  const table = quarantineTable(model);
  await engine.execute(
    `DELETE FROM ${engine.qualify(table)}
     WHERE (game_date BETWEEN @start_date AND @end_date OR game_date IS NULL)
       AND row_hash IN UNNEST(@row_hashes)`,
    {
      params: {
        start_date: param.date(dates.start),
        end_date: param.date(dates.end),
        row_hashes: param.strings(entries.map((entry) => String(entry.row_hash))),
      },
      context,
    },
  );
  await engine.insertRows(table, QUARANTINE_COLUMNS, entries, context);
}
