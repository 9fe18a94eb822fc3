/**
 * BigQuery's semantics, offline: ZetaSQL's reference evaluator (the local service's EvaluateQuery,
 * on the server zetasql.ts starts). A query runs with BigQuery's default time zone (UTC) and
 * comes back as typed rows, decoded here into plain values that compare with `toEqual`:
 *
 *   INT64 bigint, FLOAT64 number, NUMERIC its shortest decimal text ("2.5", "-3"), STRING and
 *   BOOL as themselves, BYTES "0x" + hex, DATE "2025-01-15", DATETIME "2025-01-15T10:00:00.000000",
 *   TIMESTAMP "2025-01-15T10:00:00.000000Z", TIME "10:00:00.000000", ARRAY an array, STRUCT an
 *   object keyed by field name.
 *
 * Column types are written as BigQuery spells them (`ARRAY<STRUCT<a INT64>>`).
 */
import zetasql from "@fivetrandevelopers/zetasql";
import { ZetaSqlAnalyzer } from "./zetasql.ts";

const { LanguageOptions, ZetaSQLClient } = zetasql;

export type Plain = null | boolean | number | bigint | string | Plain[] | { [field: string]: Plain };

export type Evaluation =
  | { ok: true; columns: { name: string; type: string }[]; rows: Plain[][] }
  /** `phase` "analysis": BigQuery would reject the statement; "evaluation": it raises while running. */
  | { ok: false; phase: "analysis" | "evaluation"; error: string };

/** ZetaSQL's TypeProto as the gRPC client decodes it (enums as numbers, 64-bit integers as Long). */
interface TypeProto {
  typeKind: number;
  arrayType?: { elementType: TypeProto } | null;
  structType?: { field: { fieldName: string; fieldType: TypeProto }[] } | null;
}

interface Long {
  low: number;
  high: number;
}

/** ZetaSQL's ValueProto: one field named by `value` is set, none for NULL. */
interface ValueProto {
  value?: string;
  int64Value?: Long;
  boolValue?: boolean;
  doubleValue?: number;
  stringValue?: string;
  bytesValue?: Uint8Array;
  dateValue?: number;
  timestampValue?: { seconds: Long; nanos: number };
  datetimeValue?: { bitFieldDatetimeSeconds: Long; nanos: number };
  timeValue?: Long;
  numericValue?: Uint8Array;
  arrayValue?: { element: ValueProto[] };
  structValue?: { field: ValueProto[] };
}

interface EvaluateQueryResponse {
  content?: { tableData?: { row: { cell: ValueProto[] }[] } };
  prepared?: { columns: { name: string; type: TypeProto }[] };
}

/** zetasql/public/type.proto TypeKind, the scalar kinds BigQuery has. */
const KIND_NAMES: Record<number, string> = {
  2: "INT64",
  5: "BOOL",
  7: "FLOAT64",
  8: "STRING",
  9: "BYTES",
  10: "DATE",
  19: "TIMESTAMP",
  20: "TIME",
  21: "DATETIME",
  23: "NUMERIC",
  24: "BIGNUMERIC",
  26: "JSON",
  27: "INTERVAL",
};
const TYPE_ARRAY = 16;
const TYPE_STRUCT = 17;

export function typeName(type: TypeProto): string {
  if (type.typeKind === TYPE_ARRAY && type.arrayType) return `ARRAY<${typeName(type.arrayType.elementType)}>`;
  if (type.typeKind === TYPE_STRUCT && type.structType) {
    // Anonymous fields (STRUCT(1, 'x')) have an empty name.
    return `STRUCT<${type.structType.field.map((field) => `${field.fieldName} ${typeName(field.fieldType)}`.trim()).join(", ")}>`;
  }
  return KIND_NAMES[type.typeKind] ?? `TYPE_${type.typeKind}`;
}

function long(value: Long): bigint {
  return (BigInt(value.high) << 32n) | BigInt(value.low >>> 0);
}

const pad = (value: number | bigint, width = 2): string => String(value).padStart(width, "0");

/** Days since 1970-01-01 as an ISO date. */
export function isoDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** Microseconds since midnight as HH:MM:SS.ffffff. */
export function isoTime(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  return `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}.${pad(micros % 1_000_000n, 6)}`;
}

/** Microseconds since the epoch as a civil date-time (DATETIME), YYYY-MM-DDTHH:MM:SS.ffffff. */
export function isoDateTime(micros: bigint): string {
  const day = micros >= 0n ? micros / 86_400_000_000n : -((-micros + 86_399_999_999n) / 86_400_000_000n);
  return `${isoDate(Number(day))}T${isoTime(micros - day * 86_400_000_000n)}`;
}

/** Microseconds since the epoch as an instant (TIMESTAMP), in UTC with a Z. */
export function isoTimestamp(micros: bigint): string {
  return `${isoDateTime(micros)}Z`;
}

/** A scaled integer (value / 10^scale) as its shortest decimal text. */
export function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function hexBytes(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** NumericValue::SerializeAsProtoBytes: value * 10^9, two's complement, little-endian. */
function numericFromBytes(bytes: Uint8Array): string {
  let value = 0n;
  for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index] ?? 0);
  if (bytes.length > 0 && ((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * bytes.length);
  return decimalText(value, 9);
}

function decode(value: ValueProto, type: TypeProto): Plain {
  switch (value.value) {
    case undefined:
      return null;
    case "int64Value":
      return long(value.int64Value as Long);
    case "boolValue":
      return value.boolValue as boolean;
    case "doubleValue":
      return value.doubleValue as number;
    case "stringValue":
      return value.stringValue as string;
    case "bytesValue":
      return hexBytes(value.bytesValue as Uint8Array);
    case "dateValue":
      return isoDate(value.dateValue as number);
    case "numericValue":
      return numericFromBytes(value.numericValue as Uint8Array);
    case "timestampValue": {
      const { seconds, nanos } = value.timestampValue as { seconds: Long; nanos: number };
      return isoTimestamp(long(seconds) * 1_000_000n + BigInt(Math.floor(nanos / 1000)));
    }
    case "datetimeValue": {
      // DatetimeValue's bit field: year << 26 | month << 22 | day << 17 | hour << 12 | minute << 6 | second.
      const { bitFieldDatetimeSeconds, nanos } = value.datetimeValue as { bitFieldDatetimeSeconds: Long; nanos: number };
      const bits = long(bitFieldDatetimeSeconds);
      const field = (shift: bigint, width: bigint): number => Number((bits >> shift) & ((1n << width) - 1n));
      const date = `${pad(field(26n, 14n), 4)}-${pad(field(22n, 4n))}-${pad(field(17n, 5n))}`;
      return `${date}T${pad(field(12n, 5n))}:${pad(field(6n, 6n))}:${pad(field(0n, 6n))}.${pad(Math.floor(nanos / 1000), 6)}`;
    }
    case "timeValue": {
      // TimeValue::Packed64TimeNanos: (hour << 12 | minute << 6 | second) << 30 | nanos.
      const bits = long(value.timeValue as Long);
      const seconds = bits >> 30n;
      const micros = (bits & ((1n << 30n) - 1n)) / 1000n;
      return isoTime((((seconds >> 12n) & 31n) * 3600n + ((seconds >> 6n) & 63n) * 60n + (seconds & 63n)) * 1_000_000n + micros);
    }
    case "arrayValue":
      return (value.arrayValue?.element ?? []).map((element) => decode(element, type.arrayType?.elementType as TypeProto));
    case "structValue": {
      const fields = type.structType?.field ?? [];
      return Object.fromEntries((value.structValue?.field ?? []).map((field, index) => [fields[index]?.fieldName ?? "", decode(field, fields[index]?.fieldType as TypeProto)]));
    }
    default:
      throw new Error(`ZetaSQL value of kind ${value.value} is not decoded by zetasql_evaluate.ts`);
  }
}

export class ZetaSqlEvaluator {
  private constructor(
    private readonly analyzer: ZetaSqlAnalyzer,
    private readonly options: unknown,
  ) {}

  /** Starts ZetaSQL's server (as the analyzer does) and reads its full set of language features. */
  static async start(): Promise<ZetaSqlEvaluator> {
    const analyzer = await ZetaSqlAnalyzer.start();
    const maximum = await LanguageOptions.getMaxFeatures();
    const languageOptions = { ...maximum, productMode: "PRODUCT_EXTERNAL" };
    // ZetaSQL's own default zone is America/Los_Angeles; BigQuery's is UTC.
    return new ZetaSqlEvaluator(analyzer, { languageOptions, defaultTimezone: "UTC" });
  }

  /** Runs one query in the reference evaluator. */
  async query(sql: string): Promise<Evaluation> {
    const options = this.options as { languageOptions: unknown };
    const request = {
      sql,
      options: this.options,
      simpleCatalog: { name: "bigquery", builtinFunctionOptions: { languageOptions: options.languageOptions } },
    };
    try {
      const response = await new Promise<EvaluateQueryResponse>((resolve, reject) => {
        // Options are given in proto-JSON form (enum names as strings), which the typings do not model.
        ZetaSQLClient.API.evaluateQuery(request as never, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result as EvaluateQueryResponse)));
      });
      const columns = response.prepared?.columns ?? [];
      const rows = (response.content?.tableData?.row ?? []).map((row) => row.cell.map((cell, index) => decode(cell, columns[index]?.type as TypeProto)));
      return { ok: true, columns: columns.map((column) => ({ name: column.name, type: typeName(column.type) })), rows };
    } catch (error) {
      const { code, details } = error as { code?: number; details?: string };
      if (code === undefined) throw error;
      // The same status can come from either phase: the analyzer alone tells them apart.
      const analyzed = await this.analyzer.analyze(sql);
      return { ok: false, phase: analyzed.ok ? "evaluation" : "analysis", error: details ?? String(error) };
    }
  }

  async close(): Promise<void> {
    await this.analyzer.close();
  }
}
