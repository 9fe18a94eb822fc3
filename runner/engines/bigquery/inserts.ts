/**
 * Rows written to a BigQuery table with DML (`INSERT ... SELECT ... FROM UNNEST(@rows)`), not
 * streaming inserts: streamed rows sit in a buffer that DML cannot touch for a while, and the
 * runner MERGEs and deletes right after writing. Load jobs would work too but are capped at 1,500
 * per table per day, which one ledger row per action of a long backfill would exceed; DML INSERT
 * has no daily cap. The rows travel as one array-of-struct parameter per batch.
 */
import type { ColumnSpec, ColumnType, StatementContext, TableRef } from "../engine.ts";
import type { JobSpec, RestParameter } from "./jobs.ts";
import { jobLabels, labelValue } from "./params.ts";

/** Rows per INSERT statement and a ceiling on the parameter payload, well under the 10 MB request limit. */
const INSERT_BATCH_ROWS = 5_000;
const INSERT_BATCH_BYTES = 4_000_000;

/** A value for a struct field of the INSERT parameter: BigQuery reads every scalar from a string. */
function insertValue(type: ColumnType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case "STRING":
    case "JSON":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "INT64":
      return String(Math.trunc(Number(value)));
    case "FLOAT64":
      return String(Number(value));
    case "NUMERIC":
      // NUMERIC keeps 9 decimal digits; more would be rejected rather than rounded.
      return Number(value)
        .toFixed(9)
        .replace(/\.?0+$/, "");
    case "BOOL":
      return value ? "true" : "false";
    case "DATE":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case "TIMESTAMP":
      return value instanceof Date ? value.toISOString() : String(value);
  }
}

/** Splits rows into INSERT batches by count and by the size of their parameter payload. */
function batches<T>(rows: T[], size: (row: T) => number): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = size(row);
    if (current.length > 0 && (current.length >= INSERT_BATCH_ROWS || bytes + rowBytes > INSERT_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += rowBytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * The INSERT jobs that write `rows` into `ref` (named `qualified` in SQL), one per batch, in
 * order; none for no rows. `labels` are the configured job labels.
 */
export function insertJobs(
  ref: TableRef,
  qualified: string,
  columns: ColumnSpec[],
  rows: Record<string, unknown>[],
  context: StatementContext | undefined,
  labels: Record<string, string>,
): JobSpec[] {
  const values = rows.map((row) =>
    Object.fromEntries(
      columns.map((column) => {
        const value = insertValue(column.type, row[column.name]);
        return [column.name, value === undefined ? {} : { value }];
      }),
    ),
  );
  // JSON travels as STRING and is parsed in SQL: query parameters of type JSON are not accepted everywhere.
  const select = columns.map((column) => (column.type === "JSON" ? `PARSE_JSON(${column.name}) AS ${column.name}` : column.name)).join(", ");
  const sql = `INSERT INTO ${qualified} (${columns.map((column) => column.name).join(", ")})\nSELECT ${select}\nFROM UNNEST(@rows)`;
  const table = `${ref.dataset}.${ref.table}`;
  return batches(values, (row) => JSON.stringify(row).length).map((batch) => {
    const parameter: RestParameter = {
      name: "rows",
      parameterType: {
        type: "ARRAY",
        arrayType: {
          type: "STRUCT",
          structTypes: columns.map((column) => ({ name: column.name, type: { type: column.type === "JSON" ? "STRING" : column.type } })),
        },
      },
      parameterValue: { arrayValues: batch.map((structValues) => ({ structValues })) },
    };
    // Parameters in REST form: the client's own conversion mangles a struct field named `type`.
    return {
      sql,
      // Labelled as the action's other jobs (run_id, action, game_date), plus the table; an
      // error names the action (the statement's start, in its suggestion, names the table).
      context: context ?? { action: `insert into ${table}` },
      labels: { ...jobLabels(labels, context), table: labelValue(table) },
      jobName: "insert",
      readRows: false,
      parameters: { parameterMode: "NAMED", queryParameters: [parameter] },
    };
  });
}
