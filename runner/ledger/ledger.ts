/**
 * The run ledger: one row per (run, action, game date) in the warehouse, written by the runner
 * (never by a model) once per level, in one insert (the executor's LedgerBuffer), so that a run
 * killed half-way still leaves the record of every level it finished (and Ctrl-C writes the
 * waiting rows before the interrupted ones). `runner verify` and the server read it back.
 *
 * Its table is the runner's own, `nba_orchestration.phase3_runner_runs` unless configured
 * (`bigquery.ledgerTable`; runner_tables.ts), never the original platform's
 * `processor_run_history`. A table from an older runner gains the columns added since in place
 * (ensureTable: ALTER TABLE ... ADD COLUMN), NULL in the rows it already has.
 */
import type { ColumnSpec, Engine, TableRef } from "../engines/engine.ts";
import { parseTableName, runnerTablesOf, DEFAULT_LEDGER_TABLE } from "../engines/runner_tables.ts";

/** The default ledger table; the one an engine writes is `ledgerTable(engine)`. */
export const LEDGER_TABLE: TableRef = parseTableName(DEFAULT_LEDGER_TABLE);

/** The ledger table of this engine (configured name, schema suffix). */
export function ledgerTable(engine: Pick<Engine, "runnerTables">): TableRef {
  return runnerTablesOf(engine).ledger;
}

export const LEDGER_COLUMNS: ColumnSpec[] = [
  { name: "run_id", type: "STRING", description: "Identifier of the runner invocation." },
  { name: "trigger", type: "STRING", description: "What started the run: cli or pubsub." },
  { name: "game_date", type: "DATE", description: "The run date the action processed." },
  { name: "action", type: "STRING", description: "Action name (the model, gate or assertion)." },
  { name: "action_role", type: "STRING", description: "model, gate, assertion or operation." },
  { name: "target", type: "STRING", description: "dataset.table the action wrote or checked." },
  { name: "level", type: "INT64", description: "Execution level in the plan (0 runs first)." },
  { name: "status", type: "STRING", description: "succeeded, bypassed (a gate let the named games through missing), ignored (a gate not evaluated: --ignore-gates), failed, blocked (gate not ready), skipped (a dependency did not pass), interrupted (Ctrl-C while it ran; nothing of it committed) or unchanged (not run again: the inputs are those of the run named in the message)." },
  { name: "started_at", type: "TIMESTAMP", description: "When the action started (NULL when skipped)." },
  { name: "finished_at", type: "TIMESTAMP", description: "When the action finished." },
  { name: "duration_ms", type: "INT64", description: "Wall time of the action." },
  { name: "rows_staged", type: "INT64", description: "Rows the model produced for the run dates." },
  { name: "rows_written", type: "INT64", description: "Rows inserted, updated or deleted by the MERGE (0 on an unchanged re-run)." },
  { name: "rows_quarantined", type: "INT64", description: "Staged rows held back by pre-write rules." },
  { name: "games", type: "INT64", description: "Distinct games in the staged rows." },
  { name: "message", type: "STRING", description: "Outcome in words: the error, what a gate found missing, why it was skipped." },
  { name: "details", type: "JSON", description: "Check results and gate rows, as JSON." },
  { name: "inputs_fingerprint", type: "STRING", description: "On the last level's rows of a date that succeeded without a warning: a digest of the code, the plan and the tables it read as they were when it finished. A later run finding the same digest, with nothing written since, does not run the date again (execution/unchanged.ts)." },
];

/**
 * succeeded; bypassed (a gate let games through missing, named in the message); ignored (a gate
 * not evaluated, --ignore-gates); blocked (a gate: not ready); failed; skipped (a dependency did
 * not pass); interrupted (Ctrl-C while the action ran, written by the CLI); unchanged (not run:
 * the date's inputs are those of an earlier successful run, named in the message).
 */
export type ActionStatus = "succeeded" | "bypassed" | "ignored" | "failed" | "blocked" | "skipped" | "interrupted" | "unchanged";

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
  /** Set on the last level's rows of a date that succeeded without a warning (execution/unchanged.ts). */
  inputs_fingerprint?: string | null;
}

/** Creates the ledger table, or adds the columns an older one lacks. */
export async function ensureLedger(engine: Engine): Promise<void> {
  const table = ledgerTable(engine);
  await engine.ensureDataset(table.dataset);
  await engine.ensureTable(table, { columns: LEDGER_COLUMNS, partitionBy: "game_date" });
}

/** One ledger row, labelled as the action's own jobs are (run_id, action, game_date). */
export async function recordInLedger(engine: Engine, entry: LedgerEntry): Promise<void> {
  await recordAllInLedger(engine, [entry]);
}

/**
 * Several ledger rows as one insert (one job on BigQuery). Labelled with what the rows share: the
 * run, and the action and game date when they are all the same.
 */
export async function recordAllInLedger(engine: Engine, entries: LedgerEntry[]): Promise<void> {
  const [first] = entries;
  if (!first) return;
  const shared = <K extends "run_id" | "action" | "game_date">(key: K) => (entries.every((entry) => entry[key] === first[key]) ? first[key] : undefined);
  const context = { runId: shared("run_id"), action: shared("action"), gameDate: shared("game_date") };
  const rows = entries.map((entry) => ({ ...entry, details: entry.details === undefined ? null : JSON.stringify(entry.details) }));
  await engine.insertRows(ledgerTable(engine), LEDGER_COLUMNS, rows, context);
}
