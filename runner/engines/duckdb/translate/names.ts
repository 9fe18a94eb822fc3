/**
 * Names: which words BigQuery reserves, how a name is written for DuckDB (double quotes for
 * backticked names and for words only DuckDB reserves), and table paths (the project is dropped:
 * BigQuery dataset `X` is DuckDB schema `X`).
 */
import type { Token } from "../tokenizer.ts";
import type { Tokens } from "./tokens.ts";

/** BigQuery's reserved keywords: never identifiers unless backtick-quoted. */
export const RESERVED = new Set(
  (
    "ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE " +
    "CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH " +
    "FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS " +
    "JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER " +
    "PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT " +
    "TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN"
  ).split(" "),
);

/** Non-reserved words that are syntax, not names, wherever the generic walker meets them. */
export const SYNTAX_WORDS = new Set(["VALUES"]);

/**
 * Words DuckDB reserves that BigQuery does not: as names they must be double-quoted in DuckDB
 * (a column called `offset` or `columns`).
 */
const DUCKDB_ONLY_RESERVED = new Set(
  (
    "analyse analyze asymmetric both check column constraint deferrable describe do foreign initially lambda " +
    "leading offset only pivot pivot_longer pivot_wider placing primary references returning show summarize " +
    "symmetric table trailing unique unpivot variadic anti asof authorization binary collation columns " +
    "concurrently freeze glob ilike isnull map notnull overlaps positional semi similar try_cast unpack verbose"
  ).split(" "),
);


/** A DuckDB quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A name as DuckDB must see it: backticked names double-quoted, DuckDB-only keywords too. */
export function identText(token: Token): string {
  if (token.kind === "quoted") return quoteIdent(token.value);
  return DUCKDB_ONLY_RESERVED.has(token.value.toLowerCase()) ? quoteIdent(token.value) : token.value;
}

/** A table path: `project.dataset.table` (project dropped), `dataset.table`, or a name. */
export function tableName(t: Tokens, start: number): { text: string; next: number; last: string } {
  const parts: { name: string; token: Token }[] = [];
  let index = start;
  for (;;) {
    const token = t.tokens[index];
    if (!token || (token.kind !== "word" && token.kind !== "quoted")) t.syntax("expected a table name", index);
    if (token.kind === "word" && RESERVED.has(token.upper)) t.syntax(`expected a table name, found ${token.text}`, index);
    const names = token.kind === "quoted" ? token.value.split(".") : [token.value];
    for (const name of names) parts.push({ name, token });
    index++;
    if (t.isPunct(index, ".") && (t.tok(index + 1)?.kind === "word" || t.tok(index + 1)?.kind === "quoted")) {
      index++;
      continue;
    }
    break;
  }
  const wildcard = parts.some((part) => part.name.endsWith("*")) || (t.isPunct(index, "*") && t.tok(index)?.space === "");
  if (wildcard) t.refuse("wildcard table (`dataset.table_*` with _TABLE_SUFFIX)", start);
  if (parts.length > 3 || parts.some((part) => part.name === "")) t.syntax("a table name has at most project.dataset.table", start);
  const kept = parts.length === 3 ? parts.slice(1) : parts;
  const text = kept
    .map((part) => (part.token.kind === "quoted" ? quoteIdent(part.name) : identText(part.token)))
    .join(".");
  return { text, next: index, last: (kept.at(-1) as { name: string }).name };
}
