/**
 * Schema evolution of an incremental target on a real (in-memory) DuckDB warehouse: columns the
 * model gained are added in place before the publish; removed or retyped columns stop the write.
 * tests/e2e/schema_evolution.test.ts runs the same through a whole run of the project.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rangeOf } from "../dates.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import { param, type Engine, type TableRef } from "../engines/engine.ts";
import { DataFailureError } from "../errors.ts";
import { Logger, type LogEntry } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { mergeStatement } from "./statements.ts";
import { evolveTargetSchema } from "./write.ts";

const DATE = "2025-01-15";
const EARLIER = "2025-01-14";
const TARGET: TableRef = { dataset: "toy_analytics", table: "toy" };

function toyAction(query: string): Action {
  return {
    id: "toy_analytics.toy",
    name: "toy",
    kind: "incremental",
    role: "model",
    target: { schema: TARGET.dataset, name: TARGET.table },
    fileName: "definitions/toy.sqlx",
    tags: [],
    description: undefined,
    columns: [],
    dependencies: [],
    sources: [],
    query,
    incrementalQuery: undefined,
    preOps: [],
    postOps: [],
    uniqueKey: ["game_date", "game_id"],
    partitionBy: "game_date",
    clusterBy: [],
    parent: undefined,
    upstreamModels: [],
  };
}

let engine: Engine;
let logs: LogEntry[];
let log: Logger;

beforeEach(async () => {
  engine = await openDuckDBEngine({ path: ":memory:" });
  logs = [];
  log = new Logger({}, (entry) => logs.push(entry));
  // The target as an earlier version of the model wrote it: (game_date, game_id, a), two games.
  await engine.ensureDataset(TARGET.dataset);
  await engine.execute(
    `CREATE TABLE ${engine.qualify(TARGET)} AS
     SELECT DATE '${EARLIER}' AS game_date, '20250114_BOS_LAL' AS game_id, 1 AS a
     UNION ALL SELECT DATE '${DATE}', '20250115_DEN_PHX', 2`,
  );
});

afterEach(async () => {
  await engine.close();
});

async function stageWith(select: string): Promise<TableRef> {
  const stage = engine.stagingTable("toy", "run_1");
  await engine.execute(`CREATE OR REPLACE TABLE ${engine.qualify(stage)} AS ${select}`);
  return stage;
}

function evolve(stage: TableRef) {
  return evolveTargetSchema({ engine, action: toyAction(""), runId: "run_1", dates: rangeOf(DATE, DATE), target: TARGET, stage, log });
}

async function schemaChangedError(stage: TableRef): Promise<DataFailureError> {
  const error = await evolve(stage).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DataFailureError);
  return error as DataFailureError;
}

describe("evolveTargetSchema", () => {
  it("adds the columns the model gained in place, with the stage's types, NULL in the rows already there", async () => {
    const stage = await stageWith(
      `SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 2 AS a, CAST(2.5 AS FLOAT64) AS b, ['x', 'y'] AS tags`,
    );
    expect(await evolve(stage)).toEqual(["b", "tags"]);

    const columns = await engine.describeTable(TARGET);
    expect(columns?.map((column) => column.name)).toEqual(["game_date", "game_id", "a", "b", "tags"]);
    expect(columns?.find((column) => column.name === "b")?.type).toBe("FLOAT64");
    // The exact DuckDB types a --full-refresh would create, not describeTable's coarse ones (a list is not a STRING).
    const native = await engine.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'toy_analytics' AND table_name = 'toy' ORDER BY ordinal_position`,
    );
    expect(native.slice(3)).toEqual([
      { column_name: "b", data_type: "DOUBLE" },
      { column_name: "tags", data_type: "VARCHAR[]" },
    ]);
    expect(await engine.query(`SELECT game_id, a, b, tags FROM ${engine.qualify(TARGET)} ORDER BY game_id`)).toEqual([
      { game_id: "20250114_BOS_LAL", a: 1, b: null, tags: null },
      { game_id: "20250115_DEN_PHX", a: 2, b: null, tags: null },
    ]);

    const notice = logs.find((entry) => entry.message.includes("added column"));
    expect(notice).toMatchObject({ severity: "NOTICE", message: "toy: added column(s) b, tags to toy_analytics.toy", added_columns: ["b", "tags"] });

    // Nothing left to add: a second call changes nothing.
    expect(await evolve(stage)).toEqual([]);
  });

  it("still fails with schema_changed when a column is gone from the model, adding nothing", async () => {
    const stage = await stageWith(`SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, CAST(2.5 AS FLOAT64) AS b`);
    const error = await schemaChangedError(stage);
    expect(error.code).toBe("schema_changed");
    expect(error.message).toBe("toy: the model's columns no longer match toy_analytics.toy (gone: a INT64) (new: b FLOAT64)");
    expect(error.suggestion).toContain("--full-refresh");
    expect((await engine.describeTable(TARGET))?.map((column) => column.name)).toEqual(["game_date", "game_id", "a"]);
  });

  it("still fails with schema_changed when a column's type changed", async () => {
    const stage = await stageWith(`SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 'two' AS a`);
    const error = await schemaChangedError(stage);
    expect(error.code).toBe("schema_changed");
    expect(error.message).toBe("toy: the model's columns no longer match toy_analytics.toy (type changed: a INT64 -> STRING)");
    expect(error.suggestion).toContain("--full-refresh");
  });
});

describe("the publish after a column was added", () => {
  it("merges the stage into the evolved target: the staged games get the new column, other games keep NULL", async () => {
    const stage = await stageWith(
      `SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 20 AS a, CAST(2.5 AS FLOAT64) AS b
       UNION ALL SELECT DATE '${DATE}', '20250115_MIA_NYK', 30, CAST(3.5 AS FLOAT64)`,
    );
    await evolve(stage);
    const columns = (await engine.describeTable(stage))?.map((column) => column.name) ?? [];
    const merge = mergeStatement(engine, { target: TARGET, stage, uniqueKey: ["game_date", "game_id"], columns, windowColumn: "game_date" });
    const params = { start_date: param.date(DATE), end_date: param.date(DATE), staged_games: param.strings(["20250115_DEN_PHX", "20250115_MIA_NYK"]) };
    expect((await engine.execute(merge, { params })).rowsAffected).toBe(2);
    expect(await engine.query(`SELECT game_date, game_id, a, b FROM ${engine.qualify(TARGET)} ORDER BY game_id`)).toEqual([
      { game_date: EARLIER, game_id: "20250114_BOS_LAL", a: 1, b: null },
      { game_date: DATE, game_id: "20250115_DEN_PHX", a: 20, b: 2.5 },
      { game_date: DATE, game_id: "20250115_MIA_NYK", a: 30, b: 3.5 },
    ]);
    // The same stage again: the schema matches now, and the MERGE changes nothing.
    expect(await evolve(stage)).toEqual([]);
    expect((await engine.execute(merge, { params })).rowsAffected).toBe(0);
  });
});
