/**
 * The shape of a GoogleSQL query, from its tokens: the CTEs of each WITH, and for each SELECT its
 * column list (items split at its own commas) and its FROM items (tables, CTEs, subqueries,
 * UNNEST) with their aliases. Enough for the style rules, which ask where `*` is and what it
 * reads; not a parser of everything GoogleSQL allows.
 */
import type { Token } from "../engines/duckdb/tokenizer.ts";

/** GoogleSQL's reserved keywords: never a name unless quoted. */
export const RESERVED = new Set(
  (
    "ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE " +
    "CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING " +
    "FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT " +
    "LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO " +
    "QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE " +
    "UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN"
  ).split(" "),
);

/** Clauses that end a SELECT's column list or FROM clause at the SELECT's own depth. */
const CLAUSE_ENDS = new Set(["FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "WINDOW", "ORDER", "LIMIT", "UNION", "INTERSECT"]);

export interface Cte {
  name: string;
  nameIndex: number;
  /** Indexes of the body's `(` and `)`. */
  open: number;
  close: number;
}

export interface FromItem {
  kind: "table" | "cte" | "subquery" | "unnest" | "function";
  /** The relation as written (a table's full path), for messages. */
  name: string;
  /** What the query calls it: the alias, else a table's or CTE's last name. */
  alias: string | undefined;
  /** Index of the alias token, and whether `AS` precedes it. */
  aliasIndex: number | undefined;
  explicitAs: boolean;
  index: number;
}

export interface SelectItem {
  start: number;
  /** Exclusive. */
  end: number;
  /** `*` or `x.*`: the qualifier (undefined for a bare `*`). */
  star: { qualifier: string | undefined; index: number } | undefined;
}

export interface Select {
  index: number;
  /** Exclusive end of the whole SELECT (its clauses), before a set operator or its closing parenthesis. */
  end: number;
  depth: number;
  items: SelectItem[];
  from: FromItem[];
  /** Index range of the FROM clause (exclusive end), or undefined without one. */
  fromRange: [number, number] | undefined;
}

export interface QueryShape {
  tokens: Token[];
  /** Parenthesis/bracket depth of each token (a closing one has its opener's depth). */
  depth: number[];
  /** For each `(` or `[`, the index of its closer. */
  closer: Map<number, number>;
  /** For each token, the index of the innermost `(` or `[` around it (-1 at the top). */
  opener: number[];
  ctes: Cte[];
  selects: Select[];
  /** The selects that produce the statement's rows: outside the top-level WITH's CTEs, outermost. */
  finalSelects: Select[];
}

export function isWord(token: Token | undefined, upper?: string): boolean {
  return token !== undefined && token.kind === "word" && (upper === undefined || token.upper === upper);
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token !== undefined && (token.kind === "punct" || token.kind === "op") && token.text === text;
}

/** An unquoted or quoted name, not a reserved keyword. */
export function isName(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "quoted" || (token.kind === "word" && !RESERVED.has(token.upper)));
}

export function shapeOf(tokens: Token[]): QueryShape {
  const depth: number[] = [];
  const closer = new Map<number, number>();
  const opener: number[] = [];
  const open: number[] = [];
  for (const [index, token] of tokens.entries()) {
    if (isPunct(token, ")") || isPunct(token, "]")) {
      const at = open.pop();
      if (at !== undefined) closer.set(at, index);
    }
    depth.push(open.length);
    opener.push(open[open.length - 1] ?? -1);
    if (isPunct(token, "(") || isPunct(token, "[")) open.push(index);
  }

  const ctes: Cte[] = [];
  let topLevelEnd = -1;
  for (const [index, token] of tokens.entries()) {
    if (!isWord(token, "WITH")) continue;
    let at = isWord(tokens[index + 1], "RECURSIVE") ? index + 2 : index + 1;
    const found: Cte[] = [];
    for (;;) {
      const name = tokens[at];
      const body = closer.get(at + 2);
      if (!isName(name) || !isWord(tokens[at + 1], "AS") || !isPunct(tokens[at + 2], "(") || body === undefined) break;
      found.push({ name: (name as Token).value, nameIndex: at, open: at + 2, close: body });
      if (!isPunct(tokens[body + 1], ",")) break;
      at = body + 2;
    }
    ctes.push(...found);
    const last = found[found.length - 1];
    if (last && depth[index] === 0 && topLevelEnd < 0) topLevelEnd = last.close;
  }
  const cteNames = new Set(ctes.map((cte) => cte.name.toLowerCase()));

  const selects: Select[] = [];
  for (const [index, token] of tokens.entries()) {
    if (isWord(token, "SELECT")) selects.push(selectAt(tokens, depth, closer, index, cteNames));
  }
  const outside = selects.filter((select) => select.index > topLevelEnd);
  const outermost = Math.min(...outside.map((select) => select.depth));
  const finalSelects = outside.filter((select) => select.depth === outermost && !insideFromOfAnother(select, outside));
  return { tokens, depth, closer, opener, ctes, selects, finalSelects };
}

/** A select in a FROM subquery of an outer select at the same depth is not final (it cannot be, but be safe). */
function insideFromOfAnother(select: Select, all: Select[]): boolean {
  return all.some((other) => other !== select && other.fromRange !== undefined && select.index > other.fromRange[0] && select.index < other.fromRange[1]);
}

/** Where a clause at `level` ends: the first token at that level in `ends`, or a token above it. */
function clauseEnd(tokens: Token[], depth: number[], from: number, level: number, ends: (token: Token, index: number) => boolean): number {
  let index = from;
  while (index < tokens.length) {
    const token = tokens[index] as Token;
    const at = depth[index] as number;
    if (at < level || (at === level && (isPunct(token, ";") || ends(token, index)))) return index;
    index++;
  }
  return index;
}

function isSetExcept(tokens: Token[], index: number): boolean {
  return isWord(tokens[index], "EXCEPT") && (isWord(tokens[index + 1], "DISTINCT") || isWord(tokens[index + 1], "ALL"));
}

function selectAt(tokens: Token[], depth: number[], closer: Map<number, number>, index: number, cteNames: Set<string>): Select {
  const level = depth[index] as number;
  let start = index + 1;
  if (isWord(tokens[start], "AS") && (isWord(tokens[start + 1], "STRUCT") || isWord(tokens[start + 1], "VALUE"))) start += 2;
  if (isWord(tokens[start], "DISTINCT") || isWord(tokens[start], "ALL")) start++;
  const listEnd = clauseEnd(tokens, depth, start, level, (token, at) => (token.kind === "word" && CLAUSE_ENDS.has(token.upper)) || isSetExcept(tokens, at));

  const items: SelectItem[] = [];
  let itemStart = start;
  for (let at = start; at <= listEnd; at++) {
    if (at === listEnd || (depth[at] === level && isPunct(tokens[at], ","))) {
      if (at > itemStart) items.push({ start: itemStart, end: at, star: starOf(tokens, itemStart, at) });
      itemStart = at + 1;
    }
  }

  const end = clauseEnd(tokens, depth, listEnd, level, (token, at) => isWord(token, "UNION") || isWord(token, "INTERSECT") || isSetExcept(tokens, at));
  let from: FromItem[] = [];
  let fromRange: [number, number] | undefined;
  if (isWord(tokens[listEnd], "FROM")) {
    const fromEnd = clauseEnd(tokens, depth, listEnd + 1, level, (token, at) => (token.kind === "word" && CLAUSE_ENDS.has(token.upper) && token.upper !== "FROM") || isSetExcept(tokens, at));
    fromRange = [listEnd + 1, fromEnd];
    from = fromItems(tokens, depth, closer, listEnd + 1, fromEnd, level, cteNames);
  }
  return { index, end, depth: level, items, from, fromRange };
}

/** `*`, `* EXCEPT (…)`, `x.*`, `x.* REPLACE (…)`. */
function starOf(tokens: Token[], start: number, end: number): SelectItem["star"] {
  if (isPunct(tokens[start], "*")) return { qualifier: undefined, index: start };
  for (let at = start; at + 1 < end; at += 2) {
    if (!isName(tokens[at]) || !isPunct(tokens[at + 1], ".")) return undefined;
    if (isPunct(tokens[at + 2], "*")) return { qualifier: at === start ? (tokens[start] as Token).value : undefined, index: at + 2 };
  }
  return undefined;
}

function fromItems(tokens: Token[], depth: number[], closer: Map<number, number>, start: number, end: number, level: number, cteNames: Set<string>): FromItem[] {
  const items: FromItem[] = [];
  let expectRelation = true;
  let at = start;
  while (at < end) {
    const token = tokens[at] as Token;
    if (depth[at] !== level) {
      at++;
      continue;
    }
    if (!expectRelation) {
      if (isWord(token, "JOIN") || isPunct(token, ",")) expectRelation = true;
      at++;
      continue;
    }
    let item: FromItem | undefined;
    let next = at + 1;
    if (isPunct(token, "(")) {
      next = (closer.get(at) ?? at) + 1;
      item = { kind: "subquery", name: "(subquery)", alias: undefined, aliasIndex: undefined, explicitAs: false, index: at };
    } else if (isWord(token, "UNNEST") && isPunct(tokens[at + 1], "(")) {
      next = (closer.get(at + 1) ?? at + 1) + 1;
      item = { kind: "unnest", name: "UNNEST(…)", alias: undefined, aliasIndex: undefined, explicitAs: false, index: at };
    } else if (isName(token)) {
      const parts = [token.value];
      while (isPunct(tokens[next], ".") && isName(tokens[next + 1])) {
        parts.push((tokens[next + 1] as Token).value);
        next += 2;
      }
      const name = parts.join(".");
      const last = name.split(".").pop() as string;
      if (isPunct(tokens[next], "(")) {
        next = (closer.get(next) ?? next) + 1;
        item = { kind: "function", name, alias: undefined, aliasIndex: undefined, explicitAs: false, index: at };
      } else {
        const kind = parts.length === 1 && token.kind === "word" && cteNames.has(name.toLowerCase()) ? "cte" : "table";
        item = { kind, name, alias: last, aliasIndex: undefined, explicitAs: false, index: at };
      }
    }
    if (!item) {
      at++;
      continue;
    }
    if (isWord(tokens[next], "AS") && isName(tokens[next + 1])) {
      item.alias = (tokens[next + 1] as Token).value;
      item.aliasIndex = next + 1;
      item.explicitAs = true;
      next += 2;
    } else if (isName(tokens[next]) && tokens[next]?.kind === "word" && !isPunct(tokens[next + 1], "(")) {
      item.alias = (tokens[next] as Token).value;
      item.aliasIndex = next;
      next += 1;
    }
    items.push(item);
    expectRelation = false;
    at = next;
  }
  return items;
}
