/**
 * The engine's per-process caches on a real in-memory DuckDB: table schemas are looked up once and
 * forgotten by the DDL the engine runs (in or out of a transaction, rolled back or not), datasets
 * are created once, and each connection is set up once (UTC and the macros) whichever runs first;
 * stages live in an attached in-memory database, never in the warehouse file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { openDuckDBEngine, schemaEffect } from "./engine.ts";

const T = { dataset: "cache_test", table: "t" };
let engine: Engine | undefined;

async function open(): Promise<Engine> {
  engine = await openDuckDBEngine({ path: ":memory:" });
  await engine.ensureDataset(T.dataset);
  return engine;
}

async function names(target: Engine): Promise<string[] | undefined> {
  return (await target.describeTable(T))?.map((column) => column.name);
}

afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe("the schema cache", () => {
  it("sees every change the engine's own DDL makes", async () => {
    const db = await open();
    expect(await names(db)).toBeUndefined();
    await db.execute("CREATE TABLE `cache_test.t` AS SELECT 1 AS a");
    expect(await names(db)).toEqual(["a"]);
    await db.ensureTable(T, { columns: [{ name: "a", type: "INT64" }, { name: "b", type: "INT64" }] });
    expect(await names(db)).toEqual(["a", "b"]);
    await db.execute("CREATE OR REPLACE TABLE `cache_test.t` AS SELECT 'x' AS c");
    expect(await db.describeTable(T)).toEqual([{ name: "c", type: "STRING" }]);
    await db.execute("DROP TABLE `cache_test.t`");
    expect(await names(db)).toBeUndefined();
  });

  it("looks a changed table up alone with the types a whole-schema lookup gives, and knows a listed schema's absent tables", async () => {
    const db = await open();
    const columns = "SELECT CAST(1.5 AS NUMERIC) AS d, [1, 2] AS l, STRUCT(1 AS x, 'z' AS y) AS s, TIMESTAMP '2025-01-01 00:00:00+00' AS ts";
    await db.execute(`CREATE TABLE \`cache_test.t\` AS ${columns}`);
    expect(await names(db)).toEqual(["d", "l", "s", "ts"]);
    // The schema is listed now: u is absent without a lookup, then created and looked up alone.
    const U = { dataset: T.dataset, table: "u" };
    expect(await db.describeTable(U)).toBeUndefined();
    await db.execute(`CREATE TABLE \`cache_test.u\` AS ${columns}`);
    const alone = await db.describeTable(U);
    const fresh = await openDuckDBEngine({ path: ":memory:" });
    try {
      await fresh.ensureDataset(T.dataset);
      await fresh.execute(`CREATE TABLE \`cache_test.u\` AS ${columns}`);
      expect(alone).toEqual(await fresh.describeTable(U));
    } finally {
      await fresh.close();
    }
    // DuckDB's own type names from that lookup make valid DDL (addColumns).
    await db.execute("CREATE TABLE `cache_test.v` AS SELECT 1 AS k");
    await db.addColumns({ dataset: T.dataset, table: "v" }, U, ["s", "l"]);
    expect((await db.describeTable({ dataset: T.dataset, table: "v" }))?.map((column) => column.name)).toEqual(["k", "s", "l"]);
    await db.execute("DROP TABLE `cache_test.u`");
    expect(await db.describeTable(U)).toBeUndefined();
  });

  it("forgets what a statement it cannot name may have changed", async () => {
    const db = await open();
    await db.execute("CREATE TABLE `cache_test.t` AS SELECT 1 AS a");
    expect(await names(db)).toEqual(["a"]);
    // Two statements in one: the second one's table is not parsed, everything is forgotten.
    await db.execute("SELECT 1;\nCREATE OR REPLACE TABLE `cache_test.t` AS SELECT 2 AS z");
    expect(await names(db)).toEqual(["z"]);
  });

  it("is right after a transaction that changed a table commits, and after one that rolls back", async () => {
    const db = await open();
    await db.execute("CREATE TABLE `cache_test.t` AS SELECT 1 AS a");
    await db.transaction(async () => {
      await db.execute("CREATE OR REPLACE TABLE `cache_test.t` AS SELECT 1 AS a, 2 AS b");
      expect(await names(db)).toEqual(["a", "b"]);
    });
    expect(await names(db)).toEqual(["a", "b"]);
    await expect(
      db.transaction(async () => {
        await db.execute("CREATE OR REPLACE TABLE `cache_test.t` AS SELECT 3 AS c");
        expect(await names(db)).toEqual(["c"]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await names(db)).toEqual(["a", "b"]);
  });

  it("forgets, when a transaction that changed a table commits, what other connections read meanwhile", async () => {
    const db = await open();
    await db.execute("CREATE TABLE `cache_test.t` AS SELECT 1 AS a");
    let changed: () => void = () => undefined;
    let commit: () => void = () => undefined;
    const hasChanged = new Promise<void>((resolve) => (changed = resolve));
    const mayCommit = new Promise<void>((resolve) => (commit = resolve));
    const transaction = db.transaction(async () => {
      await db.execute("CREATE OR REPLACE TABLE `cache_test.t` AS SELECT 1 AS a, 2 AS b");
      changed();
      await mayCommit;
    });
    await hasChanged;
    // Outside the transaction: another connection, which sees the table as committed so far.
    expect(await names(db)).toEqual(["a"]);
    commit();
    await transaction;
    expect(await names(db)).toEqual(["a", "b"]);
  });

  it("keeps appends right after columns are added (the appender writes every column of the table)", async () => {
    const db = await open();
    await db.ensureTable(T, { columns: [{ name: "a", type: "INT64" }] });
    await db.insertRows(T, [{ name: "a", type: "INT64" }], [{ a: 1 }]);
    await db.ensureTable(T, { columns: [{ name: "a", type: "INT64" }, { name: "b", type: "STRING" }] });
    await db.insertRows(T, [{ name: "a", type: "INT64" }, { name: "b", type: "STRING" }], [{ a: 2, b: "two" }]);
    await db.execute("CREATE TABLE `cache_test.wide` AS SELECT 1 AS a, 2.5 AS c");
    await db.addColumns(T, { dataset: T.dataset, table: "wide" }, ["c"]);
    await db.insertRows(T, [{ name: "c", type: "FLOAT64" }], [{ c: 3.5 }]);
    expect(await db.query("SELECT a, b, c FROM `cache_test.t` ORDER BY a NULLS LAST")).toEqual([
      { a: 1, b: null, c: null },
      { a: 2, b: "two", c: null },
      { a: null, b: null, c: 3.5 },
    ]);
  });

  it("creates a dataset again after the engine dropped it", async () => {
    const db = await open();
    await db.execute("DROP SCHEMA cache_test CASCADE");
    await db.ensureDataset(T.dataset);
    await db.execute("CREATE TABLE `cache_test.t` AS SELECT 1 AS a");
    expect(await names(db)).toEqual(["a"]);
  });
});

describe("insertRows", () => {
  it("inserts rows all or none: a row it cannot convert leaves the table as it was", async () => {
    const db = await open();
    await db.ensureTable(T, { columns: [{ name: "a", type: "INT64" }] });
    await db.insertRows(T, [{ name: "a", type: "INT64" }], [{ a: 1 }]);
    await expect(db.insertRows(T, [{ name: "a", type: "INT64" }], [{ a: 2 }, { a: "not a number" }])).rejects.toThrow();
    expect(await db.query("SELECT a FROM `cache_test.t` ORDER BY a")).toEqual([{ a: 1 }]);
  });
});

describe("schemaEffect", () => {
  it("names the one relation of DDL, ignores queries and DML, and gives up on what it cannot name", () => {
    expect(schemaEffect("SELECT ';' AS semicolon, 'DROP TABLE x' AS text")).toEqual({ kind: "none" });
    expect(schemaEffect("MERGE `nba_analytics.t` AS target USING s ON FALSE WHEN NOT MATCHED THEN INSERT ROW")).toEqual({ kind: "none" });
    expect(schemaEffect("DELETE FROM `a.b` WHERE game_id IN UNNEST(@games)")).toEqual({ kind: "none" });
    expect(schemaEffect("CREATE OR REPLACE TABLE `runner_staging.Model__run_1` AS\nSELECT 1")).toEqual({ kind: "relation", name: "model__run_1" });
    expect(schemaEffect('CREATE TABLE IF NOT EXISTS "nba_analytics"."t" (a VARCHAR)')).toEqual({ kind: "relation", name: "t" });
    expect(schemaEffect("DROP TABLE IF EXISTS `runner_staging.x`")).toEqual({ kind: "relation", name: "x" });
    expect(schemaEffect("ALTER TABLE a.b ADD COLUMN c INT64")).toEqual({ kind: "relation", name: "b" });
    expect(schemaEffect("SELECT 1; DROP TABLE `a.b`")).toEqual({ kind: "any" });
    expect(schemaEffect("ALTER TABLE a.b RENAME TO c")).toEqual({ kind: "any" });
    expect(schemaEffect("CREATE SCHEMA IF NOT EXISTS x")).toEqual({ kind: "any" });
    expect(schemaEffect("-- a comment first\nCREATE TABLE a.b (x INT64)")).toEqual({ kind: "any" });
  });
});

describe("connections", () => {
  it("are each set up before their first statement, concurrent ones included", async () => {
    const db = await open();
    // Concurrent queries take several connections from the pool; each must know the macros and UTC.
    const rows = await Promise.all(
      Array.from({ length: 4 }, () => db.query("SELECT SAFE_DIVIDE(1, 0) AS nothing, CAST(TIMESTAMP '2025-01-15 00:30:00+00' AS DATE) AS day")),
    );
    expect(rows.flat()).toEqual(Array.from({ length: 4 }, () => ({ nothing: null, day: "2025-01-15" })));
  });
});

/** A warehouse file's path in a new directory. */
function warehouseFile(name = "warehouse.duckdb"): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "engine-")), name);
}

/** Runs SQL on the file as it is, with DuckDB alone (no engine: nothing attached or checked). */
async function fileCatalog(file: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("staging", () => {
  it("keeps stages in memory: the warehouse file never holds them, and they are gone when it is opened again", async () => {
    const file = warehouseFile();
    let db = await openDuckDBEngine({ path: file });
    engine = db;
    const stage = db.stagingTable("model", "run_1");
    await db.execute(`CREATE OR REPLACE TABLE ${db.qualify(stage)} AS SELECT 1 AS a, 'x' AS b`);
    expect(await db.describeTable(stage)).toEqual([
      { name: "a", type: "INT64" },
      { name: "b", type: "STRING" },
    ]);
    expect(await db.listTables(stage.dataset)).toEqual([stage.table]);
    // A target reads from its stage in a transaction that writes the file.
    await db.ensureDataset("cache_test");
    await db.execute("CREATE TABLE `cache_test.t` (a INT64, b STRING)");
    await db.transaction(() => db.execute(`INSERT INTO \`cache_test.t\` SELECT * FROM ${db.qualify(stage)}`));
    expect(await db.query("SELECT * FROM `cache_test.t`")).toEqual([{ a: 1, b: "x" }]);
    await db.close();
    expect(await fileCatalog(file, "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name != 'cache_test'")).toEqual([]);
    expect(await fileCatalog(file, "SELECT schema_name FROM duckdb_schemas() WHERE schema_name = 'runner_staging'")).toEqual([]);

    db = await openDuckDBEngine({ path: file });
    engine = db;
    expect(await db.describeTable(stage)).toBeUndefined();
    expect(await db.listTables(stage.dataset)).toEqual([]);
  });

  it("drops the staging schema a file from an earlier version holds, with a crashed run's stages", async () => {
    const file = warehouseFile();
    await fileCatalog(file, "CREATE SCHEMA runner_staging; CREATE TABLE runner_staging.model__run_0 AS SELECT 1 AS a");
    const db = await openDuckDBEngine({ path: file });
    engine = db;
    expect(await db.listTables("runner_staging")).toEqual([]);
    const stage = db.stagingTable("model", "run_1");
    await db.execute(`CREATE OR REPLACE TABLE ${db.qualify(stage)} AS SELECT 2 AS a`);
    expect(await db.query(`SELECT a FROM ${db.qualify(stage)}`)).toEqual([{ a: 2 }]);
    await db.close();
    expect(await fileCatalog(file, "SELECT schema_name FROM duckdb_schemas() WHERE schema_name = 'runner_staging'")).toEqual([]);
  });

});

describe("a warehouse file named like a dataset (DuckDB names the file's database after the file)", () => {
  const clash = { code: "warehouse_name_clash", suggestion: expect.stringMatching(/Rename the warehouse file/) };

  it("is refused when it is named like the staging database", async () => {
    await expect(openDuckDBEngine({ path: warehouseFile("runner_staging.duckdb") })).rejects.toMatchObject(clash);
  });

  it("gets no schema of its own name, which would make every name in that dataset ambiguous", async () => {
    const file = warehouseFile("NBA_Analytics.duckdb");
    const db = await openDuckDBEngine({ path: file });
    engine = db;
    await expect(db.ensureDataset("nba_analytics")).rejects.toMatchObject({ ...clash, message: expect.stringContaining("named like the dataset nba_analytics") });
    await db.ensureDataset("nba_raw");
    await db.execute("CREATE TABLE `nba_raw.t` AS SELECT 1 AS a");
    expect(await db.query("SELECT a FROM `nba_raw.t`")).toEqual([{ a: 1 }]);
  });

  it("is refused, to read or to write, when it already holds a schema of its own name", async () => {
    const file = warehouseFile("nba_raw.duckdb");
    await fileCatalog(file, "CREATE SCHEMA nba_raw");
    await expect(openDuckDBEngine({ path: file, access: "write" })).rejects.toMatchObject(clash);
    await expect(openDuckDBEngine({ path: file, access: "read" })).rejects.toMatchObject(clash);
  });
});
