/**
 * A checksum of every published table of a warehouse (the models' tables in nba_analytics): row
 * count and an order-independent hash of the rows, without `processed_at` (when a row was
 * written, not what it says) and with floating-point values rounded to 6 places (a sum over a
 * season window and over one date may differ in the last bits). The bench compares them between
 * the fast paths and a plain date-by-date run.
 */
import { DuckDBInstance } from "@duckdb/node-api";

const PUBLISHED_SCHEMA = "nba_analytics";
const IGNORED_COLUMNS = new Set(["processed_at"]);

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function tableChecksums(warehouse: string): Promise<Map<string, string>> {
  const instance = await DuckDBInstance.create(warehouse, { access_mode: "READ_ONLY" });
  try {
    const connection = await instance.connect();
    const columns = (
      await connection.runAndReadAll(
        `SELECT c.table_name, c.column_name, c.data_type FROM duckdb_columns() c
         JOIN duckdb_tables() t ON t.schema_name = c.schema_name AND t.table_name = c.table_name
         WHERE c.schema_name = $schema ORDER BY c.table_name, c.column_index`,
        { schema: PUBLISHED_SCHEMA },
      )
    ).getRows();
    const tables = new Map<string, string[]>();
    for (const [table, column, type] of columns) {
      if (IGNORED_COLUMNS.has(String(column))) continue;
      const expression = /^(DOUBLE|FLOAT|REAL|DECIMAL)/.test(String(type)) ? `round(CAST(${quote(String(column))} AS DOUBLE), 6)` : quote(String(column));
      tables.set(String(table), [...(tables.get(String(table)) ?? []), expression]);
    }
    const checksums = new Map<string, string>();
    for (const [table, expressions] of tables) {
      const [row] = (
        await connection.runAndReadAll(`SELECT count(*) AS n, bit_xor(hash(${expressions.join(", ")})) AS h FROM ${quote(PUBLISHED_SCHEMA)}.${quote(table)}`)
      ).getRows();
      checksums.set(table, `${String(row?.[0])} rows, ${String(row?.[1] ?? 0)}`);
    }
    connection.closeSync();
    return checksums;
  } finally {
    instance.closeSync();
  }
}

/** The tables whose checksums differ (or exist on one side only). */
export function checksumDifferences(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return names.filter((name) => expected.get(name) !== actual.get(name)).map((name) => `${name}: ${expected.get(name) ?? "missing"} vs ${actual.get(name) ?? "missing"}`);
}
