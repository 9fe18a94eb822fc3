/**
 * The write of an incremental target on a real (in-memory) DuckDB warehouse. Schema evolution:
 * columns the model gained are added in place before the publish; removed or retyped columns stop
 * the write (tests/e2e/schema_evolution.test.ts runs the same through a whole run of the
 * project). The publish MERGE replaces per game; the first publish, into a target created for
 * it, inserts the stage. --full-refresh rebuilds the run dates into a new
 * table with the model's structure and replaces the target atomically (tests/e2e/full_refresh.test.ts
 * runs it through the CLI on a seeded warehouse).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rangeOf } from "../dates.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import { param, type Engine, type TableRef } from "../engines/engine.ts";
import { DataFailureError } from "../errors.ts";
import { Logger, type LogEntry } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { testAction } from "../plan/test_support.ts";
import { ensureHeldBackTable } from "./held_back.ts";
import { mergeStatement } from "./statements.ts";
import { CheckFailedError, evolveTargetSchema, NO_CHECKS, publishIncremental, type WriteChecks } from "./write.ts";

const DATE = "2025-01-15";
const EARLIER = "2025-01-14";
const TARGET: TableRef = { dataset: "toy_analytics", table: "toy" };

function toyAction(query: string): Action {
  return testAction({
    id: "toy_analytics.toy",
    name: "toy",
    kind: "incremental",
    role: "model",
    target: { schema: TARGET.dataset, name: TARGET.table },
    fileName: "definitions/toy.sqlx",
    query,
    uniqueKey: ["game_date", "game_id"],
    partitionBy: "game_date",
  });
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

describe("the publish MERGE: per game, in a shape BigQuery can prune", () => {
  const PLAYERS: TableRef = { dataset: "toy_analytics", table: "players" };
  const KEY = ["game_date", "player"];
  const COLUMNS = ["game_date", "game_id", "player", "points", "processed_at"];
  const LAL = "20250115_DEN_LAL";
  const HELD = "20250115_MIA_NYK";
  const OLD = "20250114_BOS_PHI";

  async function publish(stageRows: string, stagedGames: string[]) {
    const stage = await stageWith(stageRows);
    const merge = mergeStatement(engine, { target: PLAYERS, stage, uniqueKey: KEY, columns: COLUMNS, windowColumn: "game_date" });
    const params = { start_date: param.date(DATE), end_date: param.date(DATE), staged_games: param.strings(stagedGames) };
    return { merge, rows: (await engine.execute(merge, { params })).rowsAffected };
  }

  beforeEach(async () => {
    await engine.execute(
      `CREATE TABLE ${engine.qualify(PLAYERS)} AS
       SELECT DATE '${DATE}' AS game_date, '${LAL}' AS game_id, 'jokic' AS player, 30 AS points, TIMESTAMP '2025-01-16 01:00:00' AS processed_at
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'murray', 20, TIMESTAMP '2025-01-16 01:00:00'
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'respelled', 5, TIMESTAMP '2025-01-16 01:00:00'
       UNION ALL SELECT DATE '${DATE}', '${HELD}', 'brunson', 40, TIMESTAMP '2025-01-16 01:00:00'
       UNION ALL SELECT DATE '${EARLIER}', '${OLD}', 'embiid', 35, TIMESTAMP '2025-01-15 01:00:00'`,
    );
  });

  it("replaces the staged games per game, leaves held-back games and other dates alone, rewrites no unchanged row", async () => {
    // LAL re-staged: jokic changed, murray unchanged (only processed_at differs), respelled gone,
    // a new player; NYK held back (not staged, although its rows are in the window).
    const { rows } = await publish(
      `SELECT DATE '${DATE}' AS game_date, '${LAL}' AS game_id, 'jokic' AS player, 31 AS points, TIMESTAMP '2025-01-16 02:00:00' AS processed_at
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'murray', 20, TIMESTAMP '2025-01-16 02:00:00'
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'braun', 8, TIMESTAMP '2025-01-16 02:00:00'`,
      [LAL],
    );
    // jokic updated, braun inserted, respelled deleted; murray not rewritten.
    expect(rows).toBe(3);
    expect(await engine.query(`SELECT game_id, player, points, CAST(processed_at AS STRING) AS processed_at FROM ${engine.qualify(PLAYERS)} ORDER BY game_id, player`)).toEqual([
      { game_id: OLD, player: "embiid", points: 35, processed_at: "2025-01-15 01:00:00+00" },
      { game_id: LAL, player: "braun", points: 8, processed_at: "2025-01-16 02:00:00+00" },
      { game_id: LAL, player: "jokic", points: 31, processed_at: "2025-01-16 02:00:00+00" },
      { game_id: LAL, player: "murray", points: 20, processed_at: "2025-01-16 01:00:00+00" },
      { game_id: HELD, player: "brunson", points: 40, processed_at: "2025-01-16 01:00:00+00" },
    ]);
  });

  it("writes nothing when the same stage is published again", async () => {
    const stage = `SELECT DATE '${DATE}' AS game_date, '${LAL}' AS game_id, 'jokic' AS player, 30 AS points, TIMESTAMP '2025-01-16 03:00:00' AS processed_at
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'murray', 20, TIMESTAMP '2025-01-16 03:00:00'
       UNION ALL SELECT DATE '${DATE}', '${LAL}', 'respelled', 5, TIMESTAMP '2025-01-16 03:00:00'`;
    expect((await publish(stage, [LAL])).rows).toBe(0);
  });

  it("has no WHEN NOT MATCHED BY SOURCE, and filters the target on its partition column wherever it reads it", async () => {
    const { merge } = await publish(`SELECT DATE '${DATE}' AS game_date, '${LAL}' AS game_id, 'jokic' AS player, 30 AS points, TIMESTAMP '2025-01-16 01:00:00' AS processed_at`, [LAL]);
    expect(merge).not.toMatch(/NOT MATCHED BY SOURCE/);
    expect(merge).toMatch(/\nON target\.game_date BETWEEN @start_date AND @end_date\n/);
    // The delete markers read the target too, through the same filter.
    expect(merge).toMatch(/FROM [^\n]+ AS existing\n\s+WHERE existing\.game_date BETWEEN @start_date AND @end_date\n/);
  });
});

describe("the first publish, into a target created for it", () => {
  const FRESH: TableRef = { dataset: "toy_analytics", table: "fresh" };
  const freshAction = (query: string) => testAction({ ...toyAction(query), id: "toy_analytics.fresh", name: "fresh", target: { schema: FRESH.dataset, name: FRESH.table } });
  const query = `SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 7 AS a UNION ALL SELECT DATE '${DATE}', '20250115_MIA_NYK', 8`;

  /** The engine, with the statements sent through execute recorded. */
  function recording(sent: string[]): Engine {
    return new Proxy(engine, {
      get(target, property) {
        if (property === "execute") return (sql: string, options?: Parameters<Engine["execute"]>[1]) => (sent.push(sql), target.execute(sql, options));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  beforeEach(async () => {
    await ensureHeldBackTable(engine);
  });

  it("inserts the stage (no MERGE: there is nothing to match), and runs the same checks on what it wrote", async () => {
    const sent: string[] = [];
    let checked: unknown[] = [];
    const checks: WriteChecks = {
      preWrite: NO_CHECKS.preWrite,
      postWrite: async (write) => {
        checked = await engine.query(`SELECT game_id, a FROM ${engine.qualify(write.target)} ORDER BY game_id`);
        return [];
      },
    };
    const outcome = await publishIncremental({ engine: recording(sent), action: freshAction(query), runId: "run_1", dates: rangeOf(DATE, DATE), fullRefresh: false, checks, log });
    expect(outcome.rowsWritten).toBe(2);
    expect(sent.filter((sql) => /^(MERGE|INSERT)/.test(sql)).map((sql) => sql.split(" ").slice(0, 3).join(" "))).toEqual(["INSERT INTO `toy_analytics.fresh`"]);
    const published = [
      { game_id: "20250115_DEN_PHX", a: 7 },
      { game_id: "20250115_MIA_NYK", a: 8 },
    ];
    expect(checked).toEqual(published);
    expect(await engine.query(`SELECT game_id, a FROM ${engine.qualify(FRESH)} ORDER BY game_id`)).toEqual(published);

    // Published again, the table exists: the MERGE, which writes nothing.
    sent.length = 0;
    const again = await publishIncremental({ engine: recording(sent), action: freshAction(query), runId: "run_2", dates: rangeOf(DATE, DATE), fullRefresh: false, checks: NO_CHECKS, log });
    expect(again.rowsWritten).toBe(0);
    expect(sent.some((sql) => sql.startsWith("MERGE `toy_analytics.fresh`"))).toBe(true);
  });

  it("leaves the new table empty when a blocking post-write check fails", async () => {
    const failing: WriteChecks = {
      preWrite: NO_CHECKS.preWrite,
      postWrite: async () => [{ check: "scoped_row_count", phase: "post-write", severity: "error", passed: false, rows: 1, message: "forced" }],
    };
    const error = await publishIncremental({ engine, action: freshAction(query), runId: "run_1", dates: rangeOf(DATE, DATE), fullRefresh: false, checks: failing, log }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect(await engine.query(`SELECT count(*) AS n FROM ${engine.qualify(FRESH)}`)).toEqual([{ n: 0 }]);
  });
});

describe("--full-refresh: the run dates rebuilt into a new table that replaces the target atomically", () => {
  const NYK = "20250115_MIA_NYK";

  beforeEach(async () => {
    await ensureHeldBackTable(engine);
    await engine.execute(`INSERT INTO ${engine.qualify(TARGET)} VALUES (DATE '${DATE}', '${NYK}', 3)`);
  });

  function refresh(query: string, checks: WriteChecks = NO_CHECKS) {
    return publishIncremental({ engine, action: toyAction(query), runId: "run_1", dates: rangeOf(DATE, DATE), fullRefresh: true, checks, log });
  }

  const rows = () => engine.query(`SELECT * FROM ${engine.qualify(TARGET)} ORDER BY game_date, game_id`);

  it("replaces the run dates with the model's rows and columns; other dates and held-back games keep theirs", async () => {
    // The model now outputs b and no longer a; NYK has two rows under one key: held back (rejected).
    const outcome = await refresh(
      `SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 'x' AS b
       UNION ALL SELECT DATE '${DATE}', '${NYK}', 'y'
       UNION ALL SELECT DATE '${DATE}', '${NYK}', 'z'`,
    );
    expect(outcome).toMatchObject({ rowsStaged: 3, rowsWritten: 1, rowsQuarantined: 2, games: 1 });
    expect(outcome.heldBack.map((game) => [game.gameId, game.reason])).toEqual([[NYK, "rejected"]]);
    // The model's structure (a is gone); the earlier date and the held-back game keep their rows,
    // NULL in the new column.
    expect((await engine.describeTable(TARGET))?.map((column) => column.name)).toEqual(["game_date", "game_id", "b"]);
    expect(await rows()).toEqual([
      { game_date: EARLIER, game_id: "20250114_BOS_LAL", b: null },
      { game_date: DATE, game_id: "20250115_DEN_PHX", b: "x" },
      { game_date: DATE, game_id: NYK, b: null },
    ]);
    expect(await engine.query(`SELECT game_id, model, reason FROM nba_orchestration.held_back_games`)).toEqual([{ game_id: NYK, model: "toy", reason: "rejected" }]);
    const notice = logs.find((entry) => entry.message.includes("FULL REFRESH"));
    expect(notice).toMatchObject({ severity: "NOTICE", rows_written: 1, rows_replaced: 2, rows_kept: 2 });
    // Nothing left behind in the staging schema.
    expect(await engine.listTables(engine.stagingTable("toy", "run_1").dataset)).toEqual([]);
  });

  it("leaves the table exactly as it was when a blocking post-write check fails on the rebuilt table", async () => {
    const before = await rows();
    const failing: WriteChecks = {
      preWrite: NO_CHECKS.preWrite,
      postWrite: async (write) => {
        // The checks read the rebuilt table, not the target.
        expect(write.target).not.toEqual(TARGET);
        return [{ check: "scoped_row_count", phase: "post-write", severity: "error", passed: false, rows: 1, message: "forced" }];
      },
    };
    const error = await refresh(`SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 'x' AS b`, failing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect(await rows()).toEqual(before);
    expect((await engine.describeTable(TARGET))?.map((column) => column.name)).toEqual(["game_date", "game_id", "a"]);
    expect(await engine.listTables(engine.stagingTable("toy", "run_1").dataset)).toEqual([]);
  });
});

describe("INT64 sums: a target the runner creates stores them in 64 bits, as BigQuery does", () => {
  const SUMS: TableRef = { dataset: "toy_analytics", table: "sums" };
  const sumsAction = (query: string) => testAction({ ...toyAction(query), id: "toy_analytics.sums", name: "sums", target: { schema: SUMS.dataset, name: SUMS.table } });
  // DuckDB's SUM of an INT64 is a 128-bit HUGEINT; of a FLOAT64 a DOUBLE; NUMERIC keeps its type.
  const query = (points: string) => `SELECT DATE '${DATE}' AS game_date, game_id, SUM(points) AS points, SUM(CAST(points AS FLOAT64)) AS points_float, CAST(SUM(points) AS NUMERIC) AS points_numeric
    FROM (SELECT '20250115_DEN_PHX' AS game_id, ${points} AS points UNION ALL SELECT '20250115_DEN_PHX', 2)
    GROUP BY game_id`;
  const storedTypes = async () =>
    Object.fromEntries(
      (await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${SUMS.dataset}' AND table_name = '${SUMS.table}'`)).map((row) => [row.column_name, row.data_type]),
    );
  const publish = (points: string, fullRefresh: boolean) =>
    publishIncremental({ engine, action: sumsAction(query(points)), runId: "run_1", dates: rangeOf(DATE, DATE), fullRefresh, checks: NO_CHECKS, log });

  beforeEach(async () => {
    await ensureHeldBackTable(engine);
  });

  it.each([
    ["a first publish", false],
    ["a --full-refresh", true],
  ])("%s creates the target with the sum as BIGINT, the other types as they are, the values unchanged", async (_, fullRefresh) => {
    await publish("40", fullRefresh);
    expect(await storedTypes()).toEqual({ game_date: "DATE", game_id: "VARCHAR", points: "BIGINT", points_float: "DOUBLE", points_numeric: "DECIMAL(38,9)" });
    expect(await engine.query(`SELECT game_id, points, points_float FROM ${engine.qualify(SUMS)}`)).toEqual([{ game_id: "20250115_DEN_PHX", points: 42, points_float: 42 }]);
  });

  it("refuses a sum that does not fit in INT64, as BigQuery does, and publishes nothing", async () => {
    await publish("40", false);
    const error = await publish("9223372036854775807", false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFailureError);
    expect(String((error as Error).message)).toMatch(/out of range|overflow/i);
    expect(await engine.query(`SELECT game_id, points FROM ${engine.qualify(SUMS)}`)).toEqual([{ game_id: "20250115_DEN_PHX", points: 42 }]);
  });

  it("adds a sum the model gained as BIGINT too", async () => {
    const stage = await stageWith(`SELECT DATE '${DATE}' AS game_date, '20250115_DEN_PHX' AS game_id, 2 AS a, SUM(a) AS total FROM UNNEST([1, 2]) AS a`);
    await evolve(stage);
    const types = await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${TARGET.dataset}' AND table_name = '${TARGET.table}' AND column_name = 'total'`);
    expect(types).toEqual([{ column_name: "total", data_type: "BIGINT" }]);
  });
});
