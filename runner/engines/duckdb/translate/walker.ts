/**
 * The expression / query walker: one left-to-right pass over a range of tokens, writing DuckDB
 * text. It tracks the clause (a word after FROM or JOIN is a table), wraps divisors in
 * bq_nonzero and LIKE patterns in BigQuery's escape once their operand ends, adds BigQuery's
 * NULL order to ORDER BY items, and hands calls, literals, casts and date forms to their files.
 */
import type { Token } from "../tokenizer.ts";
import { currentTime, extract, interval } from "./dates.ts";
import { call } from "./functions.ts";
import { bytesLiteral, numberLiteral, sqlString, structConstructor, typedArray, typedLiteral, typedStruct } from "./literals.ts";
import { identText, quoteIdent, RESERVED, SYNTAX_WORDS, tableName } from "./names.ts";
import type { Range, Tokens } from "./tokens.ts";
import { cast } from "./types.ts";

/** Output of one range: text pieces, and where the operand just written begins. */
export class Out {
  readonly parts: string[] = [];
  /** Index in `parts` where the last complete operand starts, when the last thing written is one. */
  operandStart = -1;

  get afterOperand(): boolean {
    return this.operandStart >= 0;
  }

  operand(text: string): void {
    this.operandStart = this.parts.length;
    this.parts.push(text);
  }

  /** Extends the operand just written (postfix subscript or field access). */
  replaceOperand(text: string): void {
    const start = this.operandStart;
    this.parts.length = start;
    this.parts.push(text);
    this.operandStart = start;
  }

  operandText(): string {
    return this.parts.slice(this.operandStart).join("");
  }

  other(text: string): void {
    this.parts.push(text);
    this.operandStart = -1;
  }

  text(): string {
    return this.parts.join("");
  }
}

/** Per-range walker state: which clause we are in and what is waiting for its operand to end. */
export interface Walk {
  out: Out;
  clause: "none" | "select" | "from" | "other";
  /** The next word or group is a table (after FROM, JOIN, or a comma inside FROM). */
  tablePosition: boolean;
  orderBy: { active: boolean; hasNulls: boolean; desc: boolean };
  inLimit: boolean;
  /** `parts` index where a divisor starts (to be wrapped in bq_nonzero), or -1; its first token. */
  divisorAt: number;
  divisorToken: number;
  /** `parts` index where a LIKE pattern starts, or -1; and the pattern's first token. */
  likeAt: number;
  likeToken: number;
}

/** Translates tokens [start, end): a query, an expression, or any part of one. */
export function translateRange(t: Tokens, start: number, end: number): string {
  const walk: Walk = {
    out: new Out(),
    clause: "none",
    tablePosition: false,
    orderBy: { active: false, hasNulls: false, desc: false },
    inLimit: false,
    divisorAt: -1,
    divisorToken: -1,
    likeAt: -1,
    likeToken: -1,
  };
  let index = start;
  while (index < end) {
    const token = t.tokens[index] as Token;
    // Subscripts, field access and a window's OVER still belong to the operand just written.
    const postfix =
      walk.out.afterOperand && (token.upper === "[" || (token.upper === "." && token.kind === "punct") || (token.kind === "word" && token.upper === "OVER"));
    if (!postfix) closePending(t, walk, token);
    index = step(t, walk, index, end);
  }
  closePending(t, walk, undefined);
  endOrderItem(t, walk, false);
  return walk.out.text();
}

/** Wraps a finished divisor in bq_nonzero and gives a finished LIKE pattern its escape. */
function closePending(t: Tokens, walk: Walk, next: Token | undefined): void {
  const { out } = walk;
  if (!out.afterOperand) return;
  if (walk.divisorAt >= 0) {
    const single = t.tokens[walk.divisorToken];
    const nonzeroLiteral = single?.kind === "number" && Number(single.text) !== 0 && out.parts.length - walk.divisorAt === 1;
    if (!nonzeroLiteral) {
      const divisor = out.parts.splice(walk.divisorAt).join("");
      const lead = divisor.match(/^\s*/)?.[0] ?? "";
      out.operand(`${lead}bq_nonzero(${divisor.trim()})`);
    }
    walk.divisorAt = -1;
  }
  const arithmetic = next !== undefined && next.kind === "op" && ["+", "-", "*", "/", "||", "&", "|", "<<", ">>"].includes(next.upper);
  if (walk.likeAt >= 0 && !arithmetic) {
    const single = t.tokens[walk.likeToken];
    const plain = single?.kind === "string" && !single.value.includes("\\") && out.parts.length - walk.likeAt === 1;
    // BigQuery's LIKE treats backslash as its escape character; DuckDB's LIKE has none by default.
    if (!plain) out.operand(`${out.parts.splice(walk.likeAt).join("")} ESCAPE '\\'`);
    walk.likeAt = -1;
  }
}

/** Adds BigQuery's default NULL order to the ORDER BY item just finished. */
function endOrderItem(t: Tokens, walk: Walk, more: boolean): void {
  const order = walk.orderBy;
  if (!order.active) return;
  // BigQuery sorts NULLs first ascending and last descending; DuckDB sorts them last both ways.
  if (!order.hasNulls) walk.out.other(order.desc ? " NULLS LAST" : " NULLS FIRST");
  order.hasNulls = false;
  order.desc = false;
  order.active = more;
}

/** Translates the construct starting at `index`; returns the index after it. */
function step(t: Tokens, walk: Walk, index: number, end: number): number {
  const token = t.tokens[index] as Token;
  const { out } = walk;
  const lead = token.space;

  if (walk.tablePosition && (token.kind === "word" || token.kind === "quoted" || token.upper === "(")) {
    if (!(token.kind === "word" && RESERVED.has(token.upper) && token.upper !== "UNNEST")) return tableItem(t, walk, index, end);
    walk.tablePosition = false;
  }

  switch (token.kind) {
    case "string":
      if (token.value.includes("\0")) t.refuse("string literal containing NUL", index);
      out.operand(`${lead}${sqlString(token.value)}`);
      return index + 1;
    case "bytes":
      out.operand(`${lead}${bytesLiteral(token.value)}`);
      return index + 1;
    case "number":
      out.operand(`${lead}${numberLiteral(token)}`);
      return index + 1;
    case "param":
      out.operand(`${lead}$${token.value}`);
      return index + 1;
    case "sysvar":
      return t.refuse(`system variable @@${token.value}`, index, "procedural language");
    case "quoted":
      return identifierChain(t, walk, index);
    case "op":
    case "punct":
      return punctuation(t, walk, index);
    case "word":
      return word(t, walk, index, end);
  }
}

function punctuation(t: Tokens, walk: Walk, index: number): number {
  const token = t.tokens[index] as Token;
  const { out } = walk;
  const lead = token.space;
  switch (token.upper) {
    case "(": {
      const close = t.after(index) - 1;
      out.operand(`${lead}(${t.seq(index + 1, close)}${t.space(close)})`);
      return close + 1;
    }
    case "[": {
      const close = t.after(index) - 1;
      if (out.afterOperand) {
        out.replaceOperand(subscript(t, out.operandText(), { start: index + 1, end: close }, index));
        return close + 1;
      }
      out.operand(`${lead}[${t.seq(index + 1, close)}]`);
      return close + 1;
    }
    case ".": {
      const field = t.tok(index + 1);
      if (!out.afterOperand || !field || (field.kind !== "word" && field.kind !== "quoted")) t.syntax("unexpected .", index);
      const base = out.operandText();
      const leadBase = base.match(/^\s*/)?.[0] ?? "";
      out.replaceOperand(`${leadBase}(${base.trim()}).${identText(field)}`);
      return index + 2;
    }
    case ",":
      if (walk.orderBy.active) endOrderItem(t, walk, true);
      out.other(`${lead},`);
      if (walk.clause === "from") walk.tablePosition = true;
      return index + 1;
    case "*": {
      if (out.afterOperand) {
        out.other(`${lead}*`);
        return index + 1;
      }
      out.operand(`${lead}*`);
      return starModifiers(t, walk, index + 1);
    }
    case "/":
      out.other(`${lead}/`);
      walk.divisorAt = out.parts.length;
      walk.divisorToken = index + 1;
      return index + 1;
    case "<<":
    case ">>":
      // BigQuery shifts INT64 as 64 unsigned bits (-8 >> 1 is 9223372036854775804, 1 << 64 is 0);
      // DuckDB's >> keeps the sign and its << raises when bits fall off.
      return t.refuse(`operator ${token.upper}`, index, "BigQuery's shifts are logical and wrap, DuckDB's are not");
    case "^":
      return t.refuse("operator ^ (bitwise XOR)", index, "DuckDB's ^ is exponentiation");
    case "%":
    case "?":
    case "=>":
    case "->":
    case "{":
    case "}":
    case ":":
    case "!":
      return t.refuse(`operator ${token.upper}`, index);
    case ")":
    case "]":
    case ";":
      return t.syntax(`unexpected ${token.upper}`, index);
    default:
      // DuckDB reads `~-`, `|-`, `&-` as one operator, BigQuery as two: keep adjacent operators apart.
      out.other(`${lead === "" && t.tok(index - 1)?.kind === "op" ? " " : lead}${token.upper}`);
      return index + 1;
  }
}

/** `* EXCEPT (a, b)` -> `* EXCLUDE (a, b)`; `* REPLACE (expr AS a)` is the same in DuckDB. */
function starModifiers(t: Tokens, walk: Walk, index: number): number {
  const { out } = walk;
  if (t.isWord(index, "EXCEPT") && t.isPunct(index + 1, "(")) {
    const close = t.after(index + 1) - 1;
    out.operand(`${out.parts.pop() ?? ""}${t.space(index)}EXCLUDE (${t.expr({ start: index + 2, end: close })})`);
    return starModifiers(t, walk, close + 1);
  }
  if (t.isWord(index, "REPLACE") && t.isPunct(index + 1, "(")) {
    const close = t.after(index + 1) - 1;
    out.operand(`${out.parts.pop() ?? ""}${t.space(index)}REPLACE (${t.expr({ start: index + 2, end: close })})`);
    return starModifiers(t, walk, close + 1);
  }
  return index;
}

/** `arr[OFFSET(i)]`, `[SAFE_OFFSET(i)]`, `[ORDINAL(i)]`, `[SAFE_ORDINAL(i)]`, `arr[i]`. */
function subscript(t: Tokens, base: string, inner: Range, at: number): string {
  const lead = base.match(/^\s*/)?.[0] ?? "";
  const array = base.trim();
  const first = t.tok(inner.start);
  if (first?.kind === "word" && t.isPunct(inner.start + 1, "(") && t.after(inner.start + 1) === inner.end) {
    const position = t.expr({ start: inner.start + 2, end: inner.end - 1 });
    switch (first.upper) {
      case "OFFSET":
        return `${lead}bq_offset(${array}, ${position})`;
      case "SAFE_OFFSET":
        return `${lead}bq_safe_offset(${array}, ${position})`;
      case "ORDINAL":
        return `${lead}bq_offset(${array}, (${position}) - 1)`;
      case "SAFE_ORDINAL":
        return `${lead}bq_safe_offset(${array}, (${position}) - 1)`;
      default:
        break;
    }
  }
  if (inner.end === inner.start) t.syntax("empty subscript", at);
  if (t.stringLiteral(inner) !== undefined) t.refuse("JSON or field subscript ['name']", at);
  return `${lead}bq_offset(${array}, ${t.expr(inner)})`;
}

/** A FROM item: table name, subquery or UNNEST, with its alias handled by the caller's walk. */
function tableItem(t: Tokens, walk: Walk, index: number, end: number): number {
  walk.tablePosition = false;
  const token = t.tokens[index] as Token;
  const { out } = walk;
  if (token.upper === "(") {
    const close = t.after(index) - 1;
    out.operand(`${token.space}(${t.seq(index + 1, close)}${t.space(close)})`);
    return close + 1;
  }
  if (t.isWord(index, "UNNEST") && t.isPunct(index + 1, "(")) return unnestItem(t, walk, index, end);
  const name = tableName(t, index);
  if (t.isPunct(name.next, "(")) t.refuse(`table-valued function ${t.tokens.slice(index, name.next).map((part) => part.text).join("")}()`, index);
  if (t.isWord(name.next, "FOR") && t.isWord(name.next + 1, "SYSTEM_TIME", "SYSTEM")) t.refuse("FOR SYSTEM_TIME AS OF", name.next);
  out.operand(`${token.space}${name.text}`);
  return name.next;
}

/**
 * `UNNEST(arr) [AS] x [WITH OFFSET [AS] o]`. BigQuery names the element column after the
 * alias; DuckDB names it `unnest` unless given a column alias, hence `AS x(x)`. BigQuery's offset
 * is 0-based and zipped with the elements.
 */
function unnestItem(t: Tokens, walk: Walk, index: number, end: number): number {
  const token = t.tokens[index] as Token;
  const close = t.after(index + 1) - 1;
  const array = t.expr({ start: index + 2, end: close });
  let cursor = close + 1;
  if (t.isWord(cursor, "AS")) cursor++;
  const aliasToken = t.tok(cursor);
  if (!aliasToken || cursor >= end || !(aliasToken.kind === "quoted" || (aliasToken.kind === "word" && !RESERVED.has(aliasToken.upper)))) {
    return t.refuse("UNNEST without an alias", index, "name the element: UNNEST(arr) AS x");
  }
  const alias = identText(aliasToken);
  cursor++;
  // BigQuery lets a join with UNNEST (correlated) omit its condition; DuckDB wants one.
  const joined = t.isWord(index - 1, "JOIN") && !t.isWord(index - 2, "CROSS");
  const condition = (next: number): string => (joined && !t.isWord(next, "ON", "USING") ? " ON TRUE" : "");
  if (t.isWord(cursor, "WITH") && t.isWord(cursor + 1, "OFFSET")) {
    cursor += 2;
    if (t.isWord(cursor, "AS")) cursor++;
    const offsetToken = t.tok(cursor);
    if (!offsetToken || cursor >= end || !(offsetToken.kind === "quoted" || (offsetToken.kind === "word" && !RESERVED.has(offsetToken.upper)))) {
      return t.refuse("WITH OFFSET without an alias", cursor, "name the offset: WITH OFFSET AS i");
    }
    const offset = identText(offsetToken);
    walk.out.operand(`${token.space}(SELECT UNNEST(${array}) AS ${alias}, generate_subscripts(${array}, 1) - 1 AS ${offset}) AS ${alias}${condition(cursor + 1)}`);
    return cursor + 1;
  }
  walk.out.operand(`${token.space}UNNEST(${array}) AS ${alias}(${alias})${condition(cursor)}`);
  return cursor;
}

/** An identifier or a dotted path (`t.col`, `` `ds.t`.col ``, `t.*`). */
function identifierChain(t: Tokens, walk: Walk, index: number): number {
  const first = t.tokens[index] as Token;
  const names: string[] = [];
  let cursor = index;
  for (;;) {
    const token = t.tokens[cursor] as Token;
    if (token.kind === "quoted") {
      for (const part of token.value.split(".")) names.push(quoteIdent(part));
    } else {
      names.push(identText(token));
    }
    cursor++;
    if (!t.isPunct(cursor, ".")) break;
    const next = t.tok(cursor + 1);
    if (next?.kind === "word" || next?.kind === "quoted") {
      cursor++;
      continue;
    }
    if (next?.upper === "*") {
      walk.out.operand(`${first.space}${names.join(".")}.*`);
      return starModifiers(t, walk, cursor + 2);
    }
    break;
  }
  walk.out.operand(`${first.space}${names.join(".")}`);
  return cursor;
}

function keyword(t: Tokens, walk: Walk, index: number, text?: string): number {
  const token = t.tokens[index] as Token;
  walk.out.other(`${token.space}${text ?? token.upper}`);
  return index + 1;
}

function word(t: Tokens, walk: Walk, index: number, end: number): number {
  const token = t.tokens[index] as Token;
  const { out } = walk;
  const upper = token.upper;
  const lead = token.space;
  const nextIsParen = t.isPunct(index + 1, "(");

  switch (upper) {
    case "SELECT":
      if (t.isWord(index + 1, "AS") && t.isWord(index + 2, "STRUCT", "VALUE")) t.refuse(`SELECT AS ${t.tok(index + 2)?.upper}`, index);
      walk.clause = "select";
      return keyword(t, walk, index);
    case "FROM": {
      const previous = t.tok(index - 1);
      const isDistinctFrom = previous?.upper === "DISTINCT" && t.isWord(index - 2, "IS", "NOT");
      if (!isDistinctFrom) {
        walk.clause = "from";
        walk.tablePosition = true;
      }
      return keyword(t, walk, index);
    }
    case "JOIN":
      walk.tablePosition = true;
      return keyword(t, walk, index);
    case "ON":
    case "USING":
      // Still inside FROM: a comma after the join condition starts another table.
      walk.tablePosition = false;
      return keyword(t, walk, index);
    case "WHERE":
    case "GROUP":
    case "HAVING":
    case "QUALIFY":
    case "WINDOW":
      endOrderItem(t, walk, false);
      walk.clause = "other";
      walk.tablePosition = false;
      return keyword(t, walk, index);
    case "ORDER":
      if (!t.isWord(index + 1, "BY")) t.syntax("expected BY after ORDER", index + 1);
      endOrderItem(t, walk, false);
      walk.clause = "other";
      out.other(`${lead}ORDER${t.space(index + 1)}BY`);
      walk.orderBy = { active: true, hasNulls: false, desc: false };
      return index + 2;
    case "LIMIT":
      endOrderItem(t, walk, false);
      walk.clause = "other";
      walk.inLimit = true;
      return keyword(t, walk, index);
    case "OFFSET":
      if (walk.inLimit) return keyword(t, walk, index);
      break;
    case "UNION":
    case "INTERSECT":
    case "EXCEPT":
    case "ROWS":
    case "RANGE":
    case "GROUPS":
      if (upper === "RANGE" && t.tok(index + 1)?.kind === "string") t.refuse("RANGE literal", index);
      endOrderItem(t, walk, false);
      walk.clause = "none";
      walk.inLimit = false;
      return keyword(t, walk, index);
    case "DESC":
      walk.orderBy.desc = true;
      return keyword(t, walk, index);
    case "NULLS":
      walk.orderBy.hasNulls = true;
      return keyword(t, walk, index);
    case "CASE": {
      const close = t.after(index) - 1;
      out.operand(`${lead}CASE${t.seq(index + 1, close)}${t.space(close)}END`);
      return close + 1;
    }
    case "LIKE":
      if (t.isWord(index + 1, "ANY", "SOME", "ALL")) t.refuse(`LIKE ${t.tok(index + 1)?.upper}`, index);
      keyword(t, walk, index);
      walk.likeAt = out.parts.length;
      walk.likeToken = index + 1;
      return index + 1;
    case "IN":
      if (t.isWord(index + 1, "UNNEST") && t.isPunct(index + 2, "(")) {
        // A subquery keeps IN's NULL semantics (NULL when not found and the array has a NULL).
        const close = t.after(index + 2) - 1;
        out.operand(`${lead}IN (SELECT UNNEST(${t.expr({ start: index + 3, end: close })}))`);
        return close + 1;
      }
      return keyword(t, walk, index);
    case "INTERVAL":
      return interval(t, walk, index, end);
    case "ARRAY":
      if (t.isPunct(index + 1, "<")) return typedArray(t, walk, index);
      if (nextIsParen) {
        const close = t.after(index + 1) - 1;
        out.operand(`${lead}ARRAY(${t.seq(index + 2, close)})`);
        return close + 1;
      }
      return t.syntax("ARRAY must be followed by ( or <", index);
    case "STRUCT":
      if (t.isPunct(index + 1, "<")) return typedStruct(t, walk, index);
      if (nextIsParen) return structConstructor(t, walk, index);
      return t.syntax("STRUCT must be followed by ( or <", index);
    case "CAST":
    case "SAFE_CAST":
      if (nextIsParen) return cast(t, walk, index);
      break;
    case "EXTRACT":
      if (nextIsParen) return extract(t, walk, index);
      break;
    case "IF":
      if (nextIsParen) {
        const args = t.args(index + 1);
        if (args.length !== 3) t.syntax("IF takes 3 arguments", index);
        const [condition, then, otherwise] = args as [Range, Range, Range];
        out.operand(`${lead}CASE WHEN ${t.expr(condition)} THEN ${t.expr(then)} ELSE ${t.expr(otherwise)} END`);
        return t.after(index + 1);
      }
      break;
    case "TABLESAMPLE":
      return t.refuse("TABLESAMPLE", index, "sampling differs between the engines");
    case "FOR":
      if (t.isWord(index + 1, "SYSTEM_TIME", "SYSTEM")) t.refuse("FOR SYSTEM_TIME AS OF", index, "no time travel locally");
      break;
    case "COLLATE":
      return t.refuse("COLLATE", index);
    case "ESCAPE":
      return t.refuse("ESCAPE", index);
    case "AT":
      return t.refuse("AT TIME ZONE", index);
    case "PIVOT":
    case "UNPIVOT":
    case "MATCH_RECOGNIZE":
      if (nextIsParen) t.refuse(upper, index);
      break;
    case "CORRESPONDING":
      return t.refuse("CORRESPONDING", index);
    case "_TABLE_SUFFIX":
    case "_PARTITIONTIME":
    case "_PARTITIONDATE":
    case "_FILE_NAME":
      return t.refuse(`pseudo-column ${upper}`, index);
    case "CURRENT_DATE":
    case "CURRENT_TIMESTAMP":
    case "CURRENT_DATETIME":
      if (!nextIsParen) {
        out.operand(`${lead}${currentTime(t, upper, [], index)}`);
        return index + 1;
      }
      break;
    default:
      break;
  }

  const literalKind = ["DATE", "DATETIME", "TIME", "TIMESTAMP", "NUMERIC", "DECIMAL", "BIGNUMERIC", "BIGDECIMAL", "JSON"];
  if (literalKind.includes(upper) && t.tok(index + 1)?.kind === "string") {
    out.operand(`${lead}${typedLiteral(t, upper, (t.tok(index + 1) as Token).value, index)}`);
    return index + 2;
  }

  if (nextIsParen && (!RESERVED.has(upper) || upper === "GROUPING") && !SYNTAX_WORDS.has(upper)) {
    return call(t, walk, index);
  }

  if (t.isPunct(index + 1, ".") && !RESERVED.has(upper)) {
    // `ML.PREDICT(...)`, `SAFE.DIVIDE(...)`, `dataset.udf(...)`: a namespaced function call.
    let cursor = index + 1;
    while (t.isPunct(cursor, ".") && (t.tok(cursor + 1)?.kind === "word" || t.tok(cursor + 1)?.kind === "quoted")) cursor += 2;
    if (t.isPunct(cursor, "(")) {
      const name = t.tokens.slice(index, cursor).map((part) => part.text).join("");
      const reason = upper === "SAFE" ? "SAFE. turns errors into NULL, which DuckDB functions do not do" : undefined;
      t.refuse(`${name}()`, index, reason);
    }
  }

  if (RESERVED.has(upper) || SYNTAX_WORDS.has(upper)) {
    const isOperand = upper === "NULL" || upper === "TRUE" || upper === "FALSE";
    if (isOperand) {
      out.operand(`${lead}${upper}`);
      return index + 1;
    }
    return keyword(t, walk, index);
  }
  return identifierChain(t, walk, index);
}
