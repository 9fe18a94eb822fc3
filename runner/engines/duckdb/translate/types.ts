/**
 * Types: BigQuery type names as DuckDB's (STRING -> VARCHAR, TIMESTAMP -> TIMESTAMPTZ, NUMERIC
 * -> DECIMAL(38, 9), ARRAY<T> -> T[], STRUCT<...> -> STRUCT(...)), and CAST / SAFE_CAST, which
 * go through macros where DuckDB's conversion differs.
 */
import { quoteIdent } from "./names.ts";
import type { Tokens } from "./tokens.ts";
import type { Walk } from "./walker.ts";

/** The whole token list as one column type. */
export function columnType(t: Tokens): string {
  const parsed = parseType(t, 0);
  if (parsed.next !== t.tokens.length) t.syntax("expected a single type", parsed.next);
  return parsed.text;
}

/** A BigQuery type starting at `index` as DuckDB's; `next` is the index after it. */
export function parseType(t: Tokens, index: number): { text: string; next: number; base: string } {
  const cursor = { index, pendingClose: false };
  const text = typeAt(t, cursor);
  if (cursor.pendingClose) t.syntax("unbalanced > in type", cursor.index);
  return { text, next: cursor.index, base: text.replace(/\(.*$/s, "") };
}

function typeAt(t: Tokens, cursor: { index: number; pendingClose: boolean }): string {
  const start = cursor.index;
  const token = t.tok(start);
  if (!token || token.kind !== "word") return t.syntax("expected a type", start);
  cursor.index++;
  const parameterised = t.isPunct(cursor.index, "(");
  const refuseParameters = (): void => {
    if (parameterised) t.refuse(`parameterised type ${token.upper}(...)`, start, "DuckDB does not enforce the length");
  };
  switch (token.upper) {
    case "STRING":
      refuseParameters();
      return "VARCHAR";
    case "BYTES":
      refuseParameters();
      return "BLOB";
    case "INT64":
    case "INT":
    case "INTEGER":
    case "BIGINT":
    case "SMALLINT":
    case "TINYINT":
    case "BYTEINT":
      return "BIGINT";
    case "FLOAT64":
      return "DOUBLE";
    case "NUMERIC":
    case "DECIMAL": {
      // DuckDB's bare DECIMAL is DECIMAL(18,3); BigQuery's NUMERIC is 38 digits, 9 after the point.
      if (!parameterised) return "DECIMAL(38, 9)";
      const open = cursor.index;
      cursor.index = t.after(open);
      const params = t.split({ start: open + 1, end: cursor.index - 1 }).map((range) => t.tok(range.start)?.text ?? "");
      if (params.length < 1 || params.length > 2 || params.some((param) => !/^\d+$/.test(param))) t.syntax("NUMERIC(P[, S]) takes integers", open);
      return `DECIMAL(${params[0]}, ${params[1] ?? "0"})`;
    }
    case "BIGNUMERIC":
    case "BIGDECIMAL":
      return t.refuse(token.upper, start, "DuckDB decimals stop at 38 digits");
    case "BOOL":
    case "BOOLEAN":
      return "BOOLEAN";
    case "DATE":
      return "DATE";
    // BigQuery's DATETIME is a civil date-time without zone: DuckDB's TIMESTAMP.
    case "DATETIME":
      return "TIMESTAMP";
    // BigQuery's TIMESTAMP is an absolute instant, which is DuckDB's TIMESTAMPTZ (a plain
    // TIMESTAMP is a wall-clock reading). The engine pins the connection's TimeZone to UTC, so
    // casts, EXTRACT and formatting read it in UTC, BigQuery's default; CURRENT_TIMESTAMP and
    // TIMESTAMP query parameters are TIMESTAMPTZ too.
    case "TIMESTAMP":
      return "TIMESTAMPTZ";
    case "TIME":
      return "TIME";
    case "JSON":
      return "JSON";
    case "INTERVAL":
      return "INTERVAL";
    case "ARRAY": {
      expectAngle(t, cursor, "<");
      const element = typeAt(t, cursor);
      expectAngle(t, cursor, ">");
      return `${element}[]`;
    }
    case "STRUCT": {
      expectAngle(t, cursor, "<");
      const fields: string[] = [];
      for (;;) {
        const name = t.tok(cursor.index);
        if (!name || (name.kind !== "word" && name.kind !== "quoted") || t.isPunct(cursor.index + 1, ",") || t.isPunct(cursor.index + 1, ">")) {
          t.refuse("STRUCT type with unnamed fields", cursor.index, "DuckDB struct fields need names");
        }
        cursor.index++;
        fields.push(`${quoteIdent(name.value)} ${typeAt(t, cursor)}`);
        if (t.isPunct(cursor.index, ",") && !cursor.pendingClose) {
          cursor.index++;
          continue;
        }
        break;
      }
      expectAngle(t, cursor, ">");
      return `STRUCT(${fields.join(", ")})`;
    }
    default:
      return t.refuse(`type ${token.text}`, start);
  }
}

/**
 * The bq_ cast macro (bq_cast_date, bq_safe_cast_date...) for each DuckDB date/time type: strings
 * must be BigQuery's canonical text, which DuckDB's own casts do not check.
 */
export const DATE_TIME_CASTS: Record<string, string> = { DATE: "cast_date", TIMESTAMP: "cast_datetime", TIMESTAMPTZ: "cast_timestamp" };

/** Consumes `<` or `>`; a `>>` token closes two levels, half at a time. */
function expectAngle(t: Tokens, cursor: { index: number; pendingClose: boolean }, angle: "<" | ">"): void {
  const upper = t.tok(cursor.index)?.upper;
  if (angle === ">" && upper === ">>") {
    if (cursor.pendingClose) {
      cursor.pendingClose = false;
      cursor.index++;
    } else {
      cursor.pendingClose = true;
    }
    return;
  }
  if (upper !== angle) t.syntax(`expected ${angle} in type`, cursor.index);
  cursor.index++;
}

export function cast(t: Tokens, walk: Walk, index: number): number {
  const safe = t.tokens[index]?.upper === "SAFE_CAST";
  const open = index + 1;
  const close = t.after(open) - 1;
  const as = t.findWord({ start: open + 1, end: close }, "AS");
  if (as < 0) t.syntax("expected AS in CAST", open);
  const type = parseType(t, as + 1);
  if (t.isWord(type.next, "FORMAT")) t.refuse("CAST ... FORMAT", type.next);
  if (type.next !== close) t.syntax("unexpected text after the CAST type", type.next);
  const valueRange = { start: open + 1, end: as };
  const value = t.expr(valueRange);
  const isNull = t.wordOf(valueRange) === "NULL";
  const plain = `${safe ? "TRY_CAST" : "CAST"}(${value} AS ${type.text})`;
  let text: string;
  if (isNull) text = `CAST(NULL AS ${type.text})`;
  else if (type.text === "VARCHAR") text = t.stringLiteral(valueRange) !== undefined ? value : `bq_to_string(${value})`;
  else if (type.text === "BIGINT") text = `${safe ? "bq_safe_cast_int64" : "bq_cast_int64"}(${value})`;
  else if (type.text === "BOOLEAN") text = `${safe ? "bq_safe_cast_bool" : "bq_cast_bool"}(${value})`;
  else if (type.text === "BLOB") text = `bq_to_bytes(${value})`;
  else if (DATE_TIME_CASTS[type.text]) text = `${safe ? "bq_safe_" : "bq_"}${DATE_TIME_CASTS[type.text]}(${value})`;
  else if (type.text === "JSON") text = t.refuse("CAST(... AS JSON)", index, "use PARSE_JSON in BigQuery; not supported locally");
  else text = plain;
  walk.out.operand(`${t.space(index)}${text}`);
  return close + 1;
}
