/**
 * The floor of `npm run bench`: what a run's real work costs on its own. A plain node script
 * (bundled by the bench into .bench/floor.mjs: no tsx, no runner code) that opens the warehouse,
 * sets up one connection as the engine does (the staging database attached too), executes on it
 * the model queries (the stages), the target creations and the publishes (MERGE, or the INSERT
 * of a first publish) a traced run sent (RUNNER_TRACE_SQL), in the same order and with the same
 * parameters, and closes the file (DuckDB checkpoints it, as the runner's close does).
 *
 *   node .bench/floor.mjs WAREHOUSE STATEMENTS.json
 *
 * STATEMENTS.json: `floorStatements(trace)` below, written by the bench.
 */
import fs from "node:fs";
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBInstance,
  LIST,
  TIMESTAMPTZ,
  VARCHAR,
  dateValue,
  listValue,
  timestampTZValue,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";

export interface TracedStatement {
  sql: string;
  params?: Record<string, { type: string; value: unknown }>;
}

export interface FloorInput {
  /** The engine's connection setup (time zone and macros), as traced. */
  setup: string;
  statements: TracedStatement[];
}

/** A publish: the MERGE of a stage, or the INSERT of one into a target created for it (the first publish). */
export const PUBLISH = /^(MERGE |INSERT INTO \S+ \([^)]*\)\nSELECT [^\n]* FROM "runner_staging"\.)/;
/**
 * What the floor executes of a trace: the setup, the staging database's attachment (the stages
 * live in memory, as the engine keeps them), the schemas, the stages, the targets' creation and
 * the publishes.
 */
export const FLOOR_STATEMENT = new RegExp(
  `${/^(DROP SCHEMA IF EXISTS "runner_staging" CASCADE;\s*ATTACH |CREATE SCHEMA IF NOT EXISTS |CREATE OR REPLACE TABLE "runner_staging"\.|CREATE TABLE IF NOT EXISTS \S+ AS\s+SELECT \*[\s\S]*? FROM "runner_staging"\.)/.source}|${PUBLISH.source}`,
);
/** The model queries and publishes of a trace: the work the targets compare a run with. */
export const MODEL_WORK = new RegExp(`${/^CREATE OR REPLACE TABLE "runner_staging"\./.source}|${PUBLISH.source}`);
const SETUP = /^SET TimeZone/;

export function floorStatements(trace: { kind: string; sql?: string; params?: TracedStatement["params"]; ok: boolean }[]): FloorInput {
  const statements = trace.filter((entry) => entry.kind === "statement" && entry.ok && entry.sql !== undefined);
  const setup = statements.find((entry) => SETUP.test(entry.sql ?? ""))?.sql;
  if (!setup) throw new Error("the trace has no connection setup");
  return {
    setup,
    statements: statements
      .filter((entry) => FLOOR_STATEMENT.test(entry.sql ?? ""))
      .map((entry) => ({ sql: entry.sql as string, ...(entry.params ? { params: entry.params } : {}) })),
  };
}

const DAY_MS = 86_400_000;

function days(date: unknown): number {
  return Math.round(Date.parse(`${String(date)}T00:00:00Z`) / DAY_MS);
}

function bind(type: string, value: unknown): { value: DuckDBValue; type: DuckDBType } {
  if (value === null) {
    const nullType = { DATE, VARCHAR, BIGINT, DOUBLE, BOOLEAN } as Record<string, DuckDBType>;
    return { value: null, type: nullType[type] ?? VARCHAR };
  }
  switch (type) {
    case "DATE":
      return { value: dateValue(days(value)), type: DATE };
    case "VARCHAR":
      return { value: String(value), type: VARCHAR };
    case "BIGINT":
      return { value: BigInt(Number(value)), type: BIGINT };
    case "DOUBLE":
      return { value: Number(value), type: DOUBLE };
    case "BOOLEAN":
      return { value: Boolean(value), type: BOOLEAN };
    case "TIMESTAMP WITH TIME ZONE":
      return { value: timestampTZValue(BigInt(Date.parse(String(value))) * 1000n), type: TIMESTAMPTZ };
    case "VARCHAR[]":
      return { value: listValue((value as unknown[]).map(String)), type: LIST(VARCHAR) };
    case "DATE[]":
      return { value: listValue((value as unknown[]).map((date) => dateValue(days(date)))), type: LIST(DATE) };
    default:
      throw new Error(`the floor cannot bind a parameter of type ${type}`);
  }
}

async function main(warehouse: string, input: FloorInput): Promise<void> {
  const instance = await DuckDBInstance.create(warehouse);
  const connection = await instance.connect();
  await connection.run(input.setup);
  for (const statement of input.statements) {
    if (!statement.params) {
      await connection.run(statement.sql);
      continue;
    }
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const [name, param] of Object.entries(statement.params)) {
      const bound = bind(param.type, param.value);
      values[name] = bound.value;
      types[name] = bound.type;
    }
    await connection.run(statement.sql, values, types);
  }
  connection.closeSync();
  instance.closeSync();
}

const [warehouse, file] = process.argv.slice(2);
if (warehouse && file && process.argv[1]?.endsWith("floor.mjs")) {
  await main(warehouse, JSON.parse(fs.readFileSync(file, "utf8")) as FloorInput);
}
