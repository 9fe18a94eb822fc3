/**
 * The run ledger: one row per (run, action, game date) in the warehouse, written by the runner
 * (never by a model) as each action finishes, so that even a run killed half-way leaves the record
 * of what it did. `runner verify` and the server read it back.
 */
import type { ColumnSpec, Engine, TableRef } from "../engines/engine.ts";

export const LEDGER_TABLE: TableRef = { dataset: "nba_orchestration", table: "processor_run_history" };

export const LEDGER_COLUMNS: ColumnSpec[] = [
  { name: "run_id", type: "STRING", description: "Identifier of the runner invocation." },
  { name: "trigger", type: "STRING", description: "What started the run: cli or pubsub." },
  { name: "game_date", type: "DATE", description: "The run date the action processed." },
  { name: "action", type: "STRING", description: "Action name (the model, gate or assertion)." },
  { name: "action_role", type: "STRING", description: "model, gate, assertion or operation." },
  { name: "target", type: "STRING", description: "dataset.table the action wrote or checked." },
  { name: "level", type: "INT64", description: "Execution level in the plan (0 runs first)." },
  { name: "status", type: "STRING", description: "succeeded, bypassed (a gate let the named games through missing), ignored (a gate not evaluated: --ignore-gates), failed, blocked (gate not ready) skipped (a dependency did not pass) or interrupted (Ctrl-C while it ran; nothing of it committed)." },
  { name: "started_at", type: "TIMESTAMP", description: "When the action started (NULL when skipped)." },
  { name: "finished_at", type: "TIMESTAMP", description: "When the action finished." },
  { name: "duration_ms", type: "INT64", description: "Wall time of the action." },
  { name: "rows_staged", type: "INT64", description: "Rows the model produced for the run dates." },
  { name: "rows_written", type: "INT64", description: "Rows inserted, updated or deleted by the MERGE (0 on an unchanged re-run)." },
  { name: "rows_quarantined", type: "INT64", description: "Staged rows held back by pre-write rules." },
  { name: "games", type: "INT64", description: "Distinct games in the staged rows." },
  { name: "message", type: "STRING", description: "Outcome in words: the error, what a gate found missing, why it was skipped." },
  { name: "details", type: "JSON", description: "Check results and gate rows, as JSON." },
];

/**
 * succeeded; bypassed (a gate let games through missing, named in the message); ignored (a gate
 * not evaluated, --ignore-gates); blocked (a gate: not ready); failed; skipped (a dependency did
 * not pass); interrupted (Ctrl-C while the action ran, written by the CLI).
 */
export type ActionStatus = "succeeded" | "bypassed" | "ignored" | "failed" | "blocked" | "skipped" | "interrupted";

export interface LedgerEntry {
  run_id: string;
  trigger: string;
  game_date: string;
  action: string;
  action_role: string;
  target: string;
  level: number;
  status: ActionStatus;
  started_at: string | null;
  finished_at: string;
  duration_ms: number;
  rows_staged: number | null;
  rows_written: number | null;
  rows_quarantined: number | null;
  games: number | null;
  message: string | null;
  details: unknown;
}

export async function ensureLedger(engine: Engine): Promise<void> {
  await engine.ensureDataset(LEDGER_TABLE.dataset);
  await engine.ensureTable(LEDGER_TABLE, { columns: LEDGER_COLUMNS, partitionBy: "game_date" });
}

export async function recordInLedger(engine: Engine, entry: LedgerEntry): Promise<void> {
  await engine.insertRows(LEDGER_TABLE, LEDGER_COLUMNS, [{ ...entry, details: entry.details === undefined ? null : JSON.stringify(entry.details) }]);
}
