/**
 * Literals: strings and bytes re-quoted for DuckDB (the tokenizer decoded BigQuery's escapes),
 * numbers with a point or exponent made FLOAT64 (DuckDB would make them DECIMAL), typed literals
 * (DATE '...', NUMERIC '...'), ARRAY<T>[...], STRUCT<...>(...) and STRUCT(... AS name).
 */
import type { Token } from "../tokenizer.ts";
import { quoteIdent, RESERVED } from "./names.ts";
import type { Range, Tokens } from "./tokens.ts";
import { parseType } from "./types.ts";
import type { Walk } from "./walker.ts";

export function typedLiteral(t: Tokens, kind: string, value: string, index: number): string {
  switch (kind) {
    case "DATE":
      return `DATE ${sqlString(value)}`;
    case "DATETIME":
      return `CAST(${sqlString(value)} AS TIMESTAMP)`;
    case "TIME":
      return `CAST(${sqlString(value)} AS TIME)`;
    case "TIMESTAMP":
      // Read in the connection's time zone (UTC) when the literal names none, like BigQuery.
      return `CAST(${sqlString(value)} AS TIMESTAMPTZ)`;
    case "NUMERIC":
    case "DECIMAL":
      return `CAST(${sqlString(value)} AS DECIMAL(38, 9))`;
    case "JSON":
      return t.refuse("JSON literal", index, "DuckDB's JSON type does not normalise values as BigQuery's does");
    default:
      return t.refuse(kind, index, "DuckDB decimals stop at 38 digits");
  }
}

export function typedArray(t: Tokens, walk: Walk, index: number): number {
  const type = parseType(t, index);
  if (!t.isPunct(type.next, "[")) t.syntax("expected [ after ARRAY<...>", type.next);
  const close = t.after(type.next) - 1;
  walk.out.operand(`${t.space(index)}CAST([${t.seq(type.next + 1, close)}] AS ${type.text})`);
  return close + 1;
}

export function typedStruct(t: Tokens, walk: Walk, index: number): number {
  const type = parseType(t, index);
  if (!t.isPunct(type.next, "(")) t.syntax("expected ( after STRUCT<...>", type.next);
  const fields = splitStructFields(type.text);
  const args = t.args(type.next);
  if (args.length !== fields.length) t.syntax(`STRUCT<...> has ${fields.length} fields but ${args.length} values`, type.next);
  const values = args.map((range, position) => {
    const field = fields[position] as { name: string; type: string };
    return `${field.name} := CAST(${t.expr(range)} AS ${field.type})`;
  });
  walk.out.operand(`${t.space(index)}struct_pack(${values.join(", ")})`);
  return t.after(type.next);
}

/**
 * `STRUCT(1 AS a, x)` -> `struct_pack(a := 1, x := x)`; BigQuery names a field after a column.
 * `STRUCT(1, 'x')`, no field named -> `row(1, 'x')`: anonymous fields in both engines, which take
 * their names from the other elements of an array (`[STRUCT(1 AS a), STRUCT(2)]`) by position.
 */
export function structConstructor(t: Tokens, walk: Walk, index: number): number {
  const args = t.args(index + 1);
  if (args.length === 0) t.refuse("STRUCT()", index, "DuckDB has no empty struct");
  const fields = args.map((range) => structField(t, range));
  const named = fields.filter((field) => field.name !== undefined).length;
  if (named > 0 && named < fields.length) {
    const unnamed = fields.find((field) => field.name === undefined) as { value: Range };
    t.refuse("STRUCT with both named and unnamed fields", unnamed.value.start, "DuckDB's fields are all named or all anonymous; write STRUCT(expr AS name)");
  }
  const values = fields.map((field) => (field.name === undefined ? t.expr(field.value) : `${quoteIdent(field.name)} := ${t.expr(field.value)}`));
  walk.out.operand(`${t.space(index)}${named === 0 ? "row" : "struct_pack"}(${values.join(", ")})`);
  return t.after(index + 1);
}

/** A STRUCT(...) field: its value, and its name (after AS, or the last name of a bare column path) if it has one. */
function structField(t: Tokens, range: Range): { name?: string; value: Range } {
  const last = t.tok(range.end - 1);
  if (range.end - range.start >= 3 && t.isWord(range.end - 2, "AS") && last && (last.kind === "word" || last.kind === "quoted")) {
    return { name: last.value, value: { start: range.start, end: range.end - 2 } };
  }
  let cursor = range.start;
  while (cursor < range.end && (t.tok(cursor)?.kind === "word" || t.tok(cursor)?.kind === "quoted") && !RESERVED.has(t.tok(cursor)?.upper ?? "")) {
    if (cursor + 1 === range.end) return { name: (t.tok(cursor) as Token).value.split(".").at(-1) as string, value: range };
    if (!t.isPunct(cursor + 1, ".")) break;
    cursor += 2;
  }
  return { value: range };
}

/** A DuckDB string literal. BigQuery's escapes were decoded by the tokenizer; only ' needs doubling. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DuckDB BLOB literal: printable ASCII as is, every other byte (and \ and ') as \xHH. */
export function bytesLiteral(value: string): string {
  let text = "";
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    const printable = code >= 0x20 && code < 0x7f && code !== 0x5c && code !== 0x27;
    text += printable ? value[index] : `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `'${text}'::BLOB`;
}

/**
 * Integers stay as written (hex converted: DuckDB has no 0x literals). A literal with a point or
 * an exponent is a FLOAT64 in BigQuery, the double nearest to its text; DuckDB would make 0.44 a
 * DECIMAL(3,2), and one of more than 15 significant digits converted from a DECIMAL can land on a
 * neighbouring double (0.9999999999999999 became 1), so the text itself is read as a DOUBLE.
 */
export function numberLiteral(token: Token): string {
  if (/^0[xX]/.test(token.text)) return BigInt(token.text).toString();
  if (!token.isFloat) return token.text;
  return `CAST('${token.text}' AS DOUBLE)`;
}

/** `"name" TYPE, ...` from a STRUCT(...) type text. */
function splitStructFields(typeText: string): { name: string; type: string }[] {
  const body = typeText.slice("STRUCT(".length, -1);
  const fields: { name: string; type: string }[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index <= body.length; index++) {
    const char = body[index];
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === '"') {
      index = body.indexOf('"', index + 1);
      while (body[index + 1] === '"') index = body.indexOf('"', index + 2);
    } else if ((char === "," && depth === 0) || index === body.length) {
      const field = body.slice(start, index).trim();
      const nameEnd = field.lastIndexOf('"');
      fields.push({ name: field.slice(0, nameEnd + 1), type: field.slice(nameEnd + 1).trim() });
      start = index + 1;
    }
  }
  return fields;
}
