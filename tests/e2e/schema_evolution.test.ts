/**
 * A model that gains a column keeps publishing into its existing table without --full-refresh: the
 * run adds the column in place (rows written before keep NULL in it). A column whose type changed
 * still stops the model with schema_changed and the --full-refresh suggestion. Real DuckDB, the
 * real project and a copy of it with the model edited (and its column documented).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defenseChecks } from "../../runner/checks/defense.ts";
import { rangeOf } from "../../runner/dates.ts";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import type { Engine } from "../../runner/engines/engine.ts";
import { runProject, type RunSummary } from "../../runner/execution/run.ts";
import { Logger, type LogEntry } from "../../runner/log.ts";
import { ROOT, copyProject, editFile } from "../helpers.ts";
import { gameRows, insertRawRows, merge, slate } from "../scenario.ts";

const FIRST = "2025-01-14";
const SECOND = "2025-01-15";
const MODEL = "player_game_summary";
const TABLE = `nba_analytics.${MODEL}`;
const MODEL_FILE = path.join("definitions", "analytics", `${MODEL}.sqlx`);
const LAST_COLUMN = "CURRENT_TIMESTAMP() AS processed_at";

let engine: Engine;
let logs: LogEntry[];

beforeEach(async () => {
  engine = await openDuckDBEngine({ path: ":memory:" });
  logs = [];
  await insertRawRows(engine, merge(...[...slate(FIRST, 3), ...slate(SECOND, 3)].map((game) => gameRows(game))));
});

afterEach(async () => {
  await engine.close();
});

function run(projectDir: string, date: string): Promise<RunSummary> {
  return runProject(engine, {
    projectDir,
    dates: rangeOf(date, date),
    selection: {},
    fullRefresh: false,
    ignoreGates: false,
    trigger: "test",
    concurrency: 2,
    checks: defenseChecks(ROOT),
    vars: { as_of_date: "2025-01-17" },
    log: new Logger({}, (entry) => logs.push(entry)),
  });
}

function outcome(summary: RunSummary, action: string) {
  const found = summary.results.flatMap((result) => result.actions).find((candidate) => candidate.action === action);
  if (!found) throw new Error(`${action} not in the run`);
  return found;
}

/** A copy of the project whose player model outputs one more column, documented in includes/docs.js. */
function projectWithNewColumn(): string {
  const dir = copyProject();
  editFile(path.join(dir, MODEL_FILE), LAST_COLUMN, `points + assists AS points_plus_assists,\n  ${LAST_COLUMN}`);
  editFile(
    path.join(dir, "includes", "docs.js"),
    "module.exports =",
    `TABLES.${MODEL}.columns.splice(TABLES.${MODEL}.columns.indexOf("processed_at"), 0, ["points_plus_assists", "Points plus assists."]);\nmodule.exports =`,
  );
  return dir;
}

async function columnNames(): Promise<string[]> {
  return (await engine.describeTable({ dataset: "nba_analytics", table: MODEL }))?.map((column) => column.name) ?? [];
}

describe("schema evolution of an existing model table", () => {
  it("adds a new model column in place and publishes without --full-refresh", async () => {
    const first = await run(ROOT, FIRST);
    expect(first.exitCode, JSON.stringify(first.results)).toBe(0);
    const before = await columnNames();
    expect(before).not.toContain("points_plus_assists");

    const edited = projectWithNewColumn();
    const second = await run(edited, SECOND);
    expect(second.exitCode, JSON.stringify(second.results)).toBe(0);
    expect(outcome(second, MODEL)).toMatchObject({ status: "succeeded" });
    expect(outcome(second, MODEL).rowsWritten).toBeGreaterThan(0);

    // Appended at the end (neither engine can insert a column in the middle); documented in the copy.
    const after = await columnNames();
    expect(after).toEqual([...before, "points_plus_assists"]);
    const docs = createRequire(import.meta.url)(path.join(edited, "includes", "docs.js")) as { columnNames: (table: string) => string[] };
    expect([...after].sort()).toEqual([...docs.columnNames(MODEL)].sort());
    const notice = logs.find((entry) => entry.message === `${MODEL}: added column(s) points_plus_assists to ${TABLE}`);
    expect(notice?.severity).toBe("NOTICE");

    // Rows written before the column existed hold NULL; the new date's rows hold the value.
    const counts = await engine.query<{ game_date: string; rows: number; filled: number; right: number }>(
      `SELECT game_date, COUNT(*) AS rows, COUNTIF(points_plus_assists IS NOT NULL) AS filled,
         COUNTIF(points_plus_assists IS NOT DISTINCT FROM points + assists) AS right
       FROM \`${TABLE}\` GROUP BY game_date ORDER BY game_date`,
    );
    expect(counts).toHaveLength(2);
    const [old, fresh] = counts;
    expect(old).toMatchObject({ game_date: FIRST, filled: 0 });
    expect(fresh?.game_date).toBe(SECOND);
    expect(fresh?.filled).toBeGreaterThan(0);
    expect(fresh?.right).toBe(fresh?.rows);

    // Re-running the date with the evolved table changes nothing; the first date can be re-run to fill it.
    const rerun = await run(edited, SECOND);
    expect(rerun.exitCode).toBe(0);
    expect(outcome(rerun, MODEL).rowsWritten).toBe(0);
    const backfill = await run(edited, FIRST);
    expect(backfill.exitCode).toBe(0);
    const filled = await engine.query<{ missing: number }>(
      `SELECT COUNTIF(points_plus_assists IS DISTINCT FROM points + assists) AS missing FROM \`${TABLE}\``,
    );
    expect(filled).toEqual([{ missing: 0 }]);
  });

  it("still stops a model whose column changed type with schema_changed and the --full-refresh suggestion", async () => {
    expect((await run(ROOT, FIRST)).exitCode).toBe(0);
    const before = await engine.query(`SELECT * FROM \`${TABLE}\` ORDER BY player_lookup`);

    const retyped = copyProject();
    editFile(path.join(retyped, MODEL_FILE), LAST_COLUMN, "CAST(CURRENT_TIMESTAMP() AS STRING) AS processed_at");
    const second = await run(retyped, SECOND);
    expect(second.exitCode).toBe(1);
    const failed = outcome(second, MODEL);
    expect(failed.status).toBe("failed");
    expect(failed.message).toContain(`${MODEL}: the model's columns no longer match ${TABLE} (type changed: processed_at TIMESTAMP -> STRING)`);
    expect(failed.message).toContain("--full-refresh");
    // Nothing was written or altered.
    expect(await engine.query(`SELECT * FROM \`${TABLE}\` ORDER BY player_lookup`)).toEqual(before);
  });
});
