/**
 * Query results as the REST API returns them (`{f: [{v}]}` rows and a schema) turned into the
 * runner's plain rows, normalised like the DuckDB engine's: DATE "YYYY-MM-DD", TIMESTAMP ISO 8601,
 * INT64 and NUMERIC as numbers (INT64 beyond 2^53 as a decimal string), BOOL as booleans.
 * Timestamps are requested as integer microseconds (`formatOptions.useInt64Timestamp`).
 */
import type { ColumnSpec, ColumnType, Row, SqlValue } from "../engine.ts";

export interface SchemaField {
  name: string;
  type: string;
  mode?: string | null;
  fields?: SchemaField[] | null;
  /** Parameterised types: STRING(L) / BYTES(L), NUMERIC(P, S) / BIGNUMERIC(P, S). */
  maxLength?: string | null;
  precision?: string | null;
  scale?: string | null;
  /** RANGE<T>. */
  rangeElementType?: { type: string } | null;
}

export interface RestCell {
  v?: unknown;
}
export interface RestRow {
  f?: RestCell[];
}

function timestampValue(raw: string): string {
  if (/^-?\d+$/.test(raw)) {
    const micros = BigInt(raw);
    const millis = micros / 1000n;
    return new Date(Number(millis)).toISOString();
  }
  // Older answers: seconds since the epoch as a float ("1.7366976E9").
  return new Date(Math.round(Number(raw) * 1000)).toISOString();
}

function integerValue(raw: string): number | string {
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : raw;
}

function scalar(field: SchemaField, raw: unknown): SqlValue {
  if (raw === null || raw === undefined) return null;
  const type = field.type.toUpperCase();
  if (type === "RECORD" || type === "STRUCT") return record(field.fields ?? [], raw as RestRow);
  const text = typeof raw === "string" ? raw : String(raw);
  switch (type) {
    case "INTEGER":
    case "INT64":
      return integerValue(text);
    case "FLOAT":
    case "FLOAT64":
    case "NUMERIC":
    case "BIGNUMERIC":
      return Number(text);
    case "BOOLEAN":
    case "BOOL":
      return text === "true";
    case "TIMESTAMP":
      return timestampValue(text);
    default:
      // STRING, DATE, DATETIME, TIME, BYTES (base64), GEOGRAPHY (WKT), JSON (text), INTERVAL, RANGE.
      return text;
  }
}

function value(field: SchemaField, raw: unknown): SqlValue {
  if (field.mode?.toUpperCase() === "REPEATED") {
    const items = Array.isArray(raw) ? (raw as RestCell[]) : [];
    return items.map((item) => scalar(field, item?.v));
  }
  return scalar(field, raw);
}

function record(fields: SchemaField[], row: RestRow | null | undefined): { [key: string]: SqlValue } {
  const result: { [key: string]: SqlValue } = {};
  fields.forEach((field, index) => {
    result[field.name] = value(field, row?.f?.[index]?.v);
  });
  return result;
}

export function normaliseRows(fields: SchemaField[], rows: RestRow[]): Row[] {
  return rows.map((row) => record(fields, row));
}

/** BigQuery's legacy and standard type names -> the types the runner reasons in. */
export function columnType(field: SchemaField): ColumnType {
  switch (field.type.toUpperCase()) {
    case "STRING":
      return "STRING";
    case "INTEGER":
    case "INT64":
      return "INT64";
    case "FLOAT":
    case "FLOAT64":
      return "FLOAT64";
    case "NUMERIC":
    case "BIGNUMERIC":
      return "NUMERIC";
    case "BOOLEAN":
    case "BOOL":
      return "BOOL";
    case "DATE":
      return "DATE";
    case "TIMESTAMP":
      return "TIMESTAMP";
    case "JSON":
      return "JSON";
    default:
      return "STRING";
  }
}

const STANDARD_TYPE_NAMES: Record<string, string> = { INTEGER: "INT64", FLOAT: "FLOAT64", BOOLEAN: "BOOL", RECORD: "STRUCT" };

/**
 * A schema field's full type as DDL writes it (`INT64`, `NUMERIC(10, 2)`, `ARRAY<STRUCT<a INT64>>`),
 * unlike columnType, which keeps only what the runner reasons in. REQUIRED becomes NOT NULL inside
 * a struct; at the top level `notNull: false` leaves it out (ALTER TABLE ADD COLUMN cannot add one).
 */
export function ddlType(field: SchemaField, notNull = true): string {
  const base = field.type.toUpperCase();
  const name = STANDARD_TYPE_NAMES[base] ?? base;
  let type: string;
  if (name === "STRUCT") {
    type = `STRUCT<${(field.fields ?? []).map((inner) => `\`${inner.name}\` ${ddlType(inner)}`).join(", ")}>`;
  } else if (name === "RANGE" && field.rangeElementType?.type) {
    type = `RANGE<${field.rangeElementType.type.toUpperCase()}>`;
  } else if ((name === "STRING" || name === "BYTES") && field.maxLength) {
    type = `${name}(${field.maxLength})`;
  } else if ((name === "NUMERIC" || name === "BIGNUMERIC") && field.precision) {
    type = `${name}(${field.precision}${field.scale ? `, ${field.scale}` : ""})`;
  } else {
    type = name;
  }
  const mode = field.mode?.toUpperCase();
  if (mode === "REPEATED") return `ARRAY<${type}>`;
  return mode === "REQUIRED" && notNull ? `${type} NOT NULL` : type;
}

export function columnsOf(fields: SchemaField[]): ColumnSpec[] {
  return fields.map((field) => ({ name: field.name, type: columnType(field) }));
}
