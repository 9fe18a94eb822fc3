/**
 * Model tests on a real DuckDB warehouse: create the raw tables empty, insert small hand-built
 * rows, run the models for a date through the real runner, read the outputs back.
 */
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import type { Engine, Row } from "../../runner/engines/engine.ts";
import { rangeOf } from "../../runner/dates.ts";
import { runProject, type RunSummary } from "../../runner/execution/run.ts";
import { NO_CHECKS, type WriteChecks } from "../../runner/execution/write.ts";
import { Logger, type LogEntry } from "../../runner/log.ts";
import { RAW_TABLE_NAMES, rawTableRef, rawTables, type RawTableName } from "../../runner/load/raw_tables.ts";
import type { Selection } from "../../runner/plan/plan.ts";

export async function openTestWarehouse(path = ":memory:"): Promise<Engine> {
  const engine = await openDuckDBEngine({ path });
  const { specs } = rawTables();
  // Raw tables live in nba_raw, the reference table of travel distances in nba_static.
  for (const name of RAW_TABLE_NAMES) {
    await engine.ensureDataset(rawTableRef(name).dataset);
    await engine.ensureTable(rawTableRef(name), specs[name]);
  }
  return engine;
}

/** Inserts rows into a raw table; columns not given are NULL. */
export async function insertRaw(engine: Engine, table: RawTableName, rows: Record<string, unknown>[]): Promise<void> {
  await engine.insertRows(rawTableRef(table), rawTables().specs[table].columns, rows);
}

export interface TestRun {
  summary: RunSummary;
  logs: LogEntry[];
}

export async function runDate(
  engine: Engine,
  date: string,
  options: { selection?: Selection; checks?: WriteChecks; endDate?: string; ignoreGates?: boolean; force?: boolean } = {},
): Promise<TestRun> {
  const logs: LogEntry[] = [];
  const summary = await runProject(engine, {
    dates: rangeOf(date, options.endDate ?? date),
    selection: options.selection ?? {},
    fullRefresh: false,
    ignoreGates: options.ignoreGates ?? false,
    force: options.force ?? false,
    trigger: "test",
    concurrency: 4,
    checks: options.checks ?? NO_CHECKS,
    log: new Logger({}, (entry) => logs.push(entry)),
  });
  return { summary, logs };
}

export async function tableRows(engine: Engine, table: string, orderBy: string): Promise<Row[]> {
  return engine.query(`SELECT * FROM \`${table}\` ORDER BY ${orderBy}`);
}

/** Statuses by action name, for one-line assertions on a run. */
export function statuses(summary: RunSummary): Record<string, string> {
  return Object.fromEntries(summary.results.flatMap((result) => result.actions.map((action) => [action.action, action.status])));
}
