/**
 * Statements: the script is split at top-level semicolons and each statement dispatched on its
 * first word. DDL and DML are rebuilt clause by clause (OPTIONS, PARTITION BY and CLUSTER BY are
 * dropped: layout only); the queries and expressions inside go to the walker. Scripting
 * statements are refused.
 */
import type { Token } from "../tokenizer.ts";
import { identText, RESERVED, tableName } from "./names.ts";
import type { Range, Tokens } from "./tokens.ts";
import { parseType } from "./types.ts";

/** Every statement of the script, translated, with the semicolons between them. */
export function translateScript(t: Tokens): string {
  const { tokens } = t;
  const statements: string[] = [];
  let start = 0;
  for (let index = 0; index <= tokens.length; index++) {
    const token = tokens[index];
    if (token && !(token.kind === "punct" && token.upper === ";")) {
      const close = t.match[index] ?? -1;
      if (close > index) index = close;
      continue;
    }
    if (index > start) statements.push(statement(t, start, index));
    if (token) statements.push(`${token.space};`);
    start = index + 1;
  }
  return statements.join("");
}

function statement(t: Tokens, start: number, end: number): string {
  const first = t.tokens[start] as Token;
  const lead = first.space;
  if (first.upper === "(") return t.seq(start, end);
  if (first.kind !== "word") t.syntax(`a statement cannot start with ${first.text}`, start);
  switch (first.upper) {
    case "SELECT":
    case "WITH":
      return t.seq(start, end);
    case "CREATE":
      return lead + create(t, start, end);
    case "DROP":
      return lead + drop(t, start, end);
    case "INSERT":
      return lead + insert(t, start, end);
    case "DELETE":
      return lead + deleteStatement(t, start, end);
    case "UPDATE":
      return lead + update(t, start, end);
    case "MERGE":
      return lead + merge(t, start, end);
    case "TRUNCATE": {
      if (!t.isWord(start + 1, "TABLE")) t.syntax("TRUNCATE must be followed by TABLE", start);
      const name = tableName(t, start + 2);
      if (name.next !== end) t.syntax("unexpected text after TRUNCATE TABLE name", name.next);
      return `${lead}TRUNCATE TABLE ${name.text}`;
    }
    case "BEGIN": {
      const transaction = t.isWord(start + 1, "TRANSACTION") ? 1 : 0;
      if (start + 1 + transaction !== end) t.refuse("BEGIN ... END block", start, "procedural language");
      return `${lead}BEGIN TRANSACTION`;
    }
    case "COMMIT":
    case "ROLLBACK": {
      const transaction = t.isWord(start + 1, "TRANSACTION") ? 1 : 0;
      if (start + 1 + transaction !== end) t.syntax(`unexpected text after ${first.upper}`, start + 1 + transaction);
      return `${lead}${first.upper}`;
    }
    case "DECLARE":
    case "SET":
    case "IF":
    case "LOOP":
    case "WHILE":
    case "REPEAT":
    case "FOR":
    case "CALL":
    case "EXECUTE":
    case "RAISE":
    case "RETURN":
    case "BREAK":
    case "LEAVE":
    case "CONTINUE":
    case "ITERATE":
    case "CASE":
      return t.refuse(`scripting statement ${first.upper}`, start, "procedural language");
    default:
      return t.refuse(`statement ${first.upper}`, start);
  }
}

function create(t: Tokens, start: number, end: number): string {
  let index = start + 1;
  let head = "CREATE";
  if (t.isWord(index, "OR") && t.isWord(index + 1, "REPLACE")) {
    head += " OR REPLACE";
    index += 2;
  }
  if (t.isWord(index, "TEMP", "TEMPORARY")) {
    head += " TEMP";
    index++;
  }
  const kind = t.tok(index)?.upper;
  if (kind === "FUNCTION" || kind === "AGGREGATE" || kind === "PROCEDURE") t.refuse(`CREATE ${kind} (user-defined functions)`, index);
  if (kind === "TABLE" && t.isWord(index + 1, "FUNCTION")) t.refuse("CREATE TABLE FUNCTION", index);
  if (kind === "SNAPSHOT" || kind === "EXTERNAL" || kind === "MATERIALIZED" || kind === "ROW" || kind === "SEARCH" || kind === "VECTOR") {
    t.refuse(`CREATE ${kind}`, index);
  }
  if (kind !== "TABLE" && kind !== "VIEW" && kind !== "SCHEMA") t.refuse(`CREATE ${kind ?? ""}`.trim(), index);
  head += ` ${kind}`;
  index++;
  if (t.isWord(index, "IF") && t.isWord(index + 1, "NOT") && t.isWord(index + 2, "EXISTS")) {
    head += " IF NOT EXISTS";
    index += 3;
  }

  if (kind === "SCHEMA") {
    const name = tableName(t, index);
    if (name.text.includes(".")) {
      // `project.dataset`: DuckDB's schema is the dataset.
      const dot = name.text.indexOf(".");
      name.text = name.text.slice(dot + 1);
    }
    index = skipOptions(t, name.next, end);
    if (index !== end) t.refuse(`CREATE SCHEMA ... ${t.tok(index)?.text}`, index);
    return `${head} ${name.text}`;
  }

  const name = tableName(t, index);
  index = name.next;
  let columns = "";
  if (t.isPunct(index, "(")) {
    const open = index;
    index = t.after(open);
    columns = kind === "TABLE" ? ` (${columnDefinitions(t, open)})` : ` (${t.expr({ start: open + 1, end: index - 1 })})`;
  }
  for (;;) {
    if (index >= end) return `${head} ${name.text}${columns}`;
    if (t.isWord(index, "AS")) {
      if (columns && kind === "TABLE") t.refuse("CREATE TABLE with both a column list and AS SELECT", index);
      return `${head} ${name.text}${columns} AS${t.seq(index + 1, end)}`;
    }
    if (t.isWord(index, "PARTITION", "CLUSTER") && t.isWord(index + 1, "BY")) {
      // Layout only: BigQuery's partitioning and clustering change cost, never results.
      index += 2;
      while (index < end && !t.isWord(index, "CLUSTER", "OPTIONS", "AS")) {
        index = (t.match[index] ?? -1) > index ? t.after(index) : index + 1;
      }
      continue;
    }
    if (t.isWord(index, "OPTIONS") && t.isPunct(index + 1, "(")) {
      index = t.after(index + 1);
      continue;
    }
    if (t.isWord(index, "DEFAULT") && t.isWord(index + 1, "COLLATE")) t.refuse("DEFAULT COLLATE", index);
    return t.refuse(`CREATE ${kind} ... ${t.tok(index)?.text}`, index);
  }
}

/** Skips OPTIONS(...) (descriptions, labels, expiration: no effect on results). */
function skipOptions(t: Tokens, index: number, end: number): number {
  if (t.isWord(index, "DEFAULT") && t.isWord(index + 1, "COLLATE")) t.refuse("DEFAULT COLLATE", index);
  if (index < end && t.isWord(index, "OPTIONS") && t.isPunct(index + 1, "(")) return t.after(index + 1);
  return index;
}

/** `name TYPE [NOT NULL] [DEFAULT expr] [OPTIONS(...)]`, comma separated. */
function columnDefinitions(t: Tokens, open: number): string {
  const definitions = t.split({ start: open + 1, end: t.after(open) - 1 });
  return definitions
    .map((range) => {
      const nameToken = t.tok(range.start);
      if (!nameToken || (nameToken.kind !== "word" && nameToken.kind !== "quoted")) t.syntax("expected a column name", range.start);
      if (nameToken.kind === "word" && ["PRIMARY", "FOREIGN", "CONSTRAINT"].includes(nameToken.upper)) {
        t.refuse(`${nameToken.upper} KEY constraint`, range.start, "BigQuery does not enforce it, DuckDB would");
      }
      const type = parseType(t, range.start + 1);
      let index = type.next;
      let rest = "";
      while (index < range.end) {
        if (t.isWord(index, "NOT") && t.isWord(index + 1, "NULL")) {
          rest += " NOT NULL";
          index += 2;
        } else if (t.isWord(index, "OPTIONS") && t.isPunct(index + 1, "(")) {
          index = t.after(index + 1);
        } else if (t.isWord(index, "DEFAULT")) {
          let stop = index + 1;
          while (stop < range.end && !t.isWord(stop, "OPTIONS", "NOT")) stop = (t.match[stop] ?? -1) > stop ? t.after(stop) : stop + 1;
          rest += ` DEFAULT ${t.expr({ start: index + 1, end: stop })}`;
          index = stop;
        } else {
          t.refuse(`column option ${t.tok(index)?.text}`, index);
        }
      }
      return `${identText(nameToken)} ${type.text}${rest}`;
    })
    .join(", ");
}

function drop(t: Tokens, start: number, end: number): string {
  let index = start + 1;
  const kind = t.tok(index)?.upper;
  if (kind !== "TABLE" && kind !== "VIEW" && kind !== "SCHEMA") t.refuse(`DROP ${kind ?? ""}`.trim(), index);
  index++;
  let text = `DROP ${kind}`;
  if (t.isWord(index, "IF") && t.isWord(index + 1, "EXISTS")) {
    text += " IF EXISTS";
    index += 2;
  }
  const name = tableName(t, index);
  let nameText = name.text;
  if (kind === "SCHEMA" && nameText.includes(".")) nameText = nameText.slice(nameText.indexOf(".") + 1);
  text += ` ${nameText}`;
  index = name.next;
  if (kind === "SCHEMA" && t.isWord(index, "CASCADE", "RESTRICT")) {
    text += ` ${t.tok(index)?.upper}`;
    index++;
  }
  if (index !== end) t.syntax(`unexpected ${t.tok(index)?.text} in DROP`, index);
  return text;
}

function insert(t: Tokens, start: number, end: number): string {
  let index = start + 1;
  if (t.isWord(index, "INTO")) index++;
  const name = tableName(t, index);
  index = name.next;
  let columns = "";
  if (t.isPunct(index, "(") && !t.isWord(index + 1, "SELECT", "WITH")) {
    const open = index;
    index = t.after(open);
    columns = ` (${t.expr({ start: open + 1, end: index - 1 })})`;
  }
  return `INSERT INTO ${name.text}${columns}${t.seq(index, end)}`;
}

/** `[AS] alias` after a table name in DML; `stop` words end it. */
function tableAlias(t: Tokens, index: number, ...stop: string[]): { text: string; name: string | undefined; next: number } {
  let cursor = index;
  if (t.isWord(cursor, "AS")) cursor++;
  const token = t.tok(cursor);
  if (token && (token.kind === "quoted" || (token.kind === "word" && !RESERVED.has(token.upper) && !stop.includes(token.upper)))) {
    return { text: ` AS ${identText(token)}`, name: token.value, next: cursor + 1 };
  }
  if (cursor !== index) t.syntax("expected an alias after AS", cursor);
  return { text: "", name: undefined, next: index };
}

function deleteStatement(t: Tokens, start: number, end: number): string {
  let index = start + 1;
  if (t.isWord(index, "FROM")) index++;
  const name = tableName(t, index);
  const alias = tableAlias(t, name.next, "WHERE");
  index = alias.next;
  if (!t.isWord(index, "WHERE")) {
    if (index >= end) t.refuse("DELETE without WHERE", start, "BigQuery requires a WHERE clause");
    t.syntax(`unexpected ${t.tok(index)?.text} in DELETE`, index);
  }
  return `DELETE FROM ${name.text}${alias.text}${t.seq(index, end)}`;
}

/** `col = expr, ...` with the target's qualifier dropped (DuckDB SET takes bare column names). */
function assignments(t: Tokens, range: Range, qualifiers: string[]): string {
  return t.split(range)
    .map((item) => {
      let index = item.start;
      const path: Token[] = [];
      for (;;) {
        const token = t.tok(index);
        if (!token || (token.kind !== "word" && token.kind !== "quoted")) t.syntax("expected a column to SET", index);
        path.push(token);
        index++;
        if (!t.isPunct(index, ".")) break;
        index++;
      }
      if (!t.isPunct(index, "=")) t.syntax("expected = in SET", index);
      const column = path.at(-1) as Token;
      if (path.length > 2 || (path.length === 2 && !qualifiers.includes((path[0] as Token).value.toLowerCase()))) {
        t.refuse("UPDATE of a STRUCT field", item.start);
      }
      return `${identText(column)} = ${t.expr({ start: index + 1, end: item.end })}`;
    })
    .join(", ");
}

function update(t: Tokens, start: number, end: number): string {
  const name = tableName(t, start + 1);
  const alias = tableAlias(t, name.next, "SET");
  let index = alias.next;
  if (!t.isWord(index, "SET")) t.syntax("expected SET in UPDATE", index);
  const setEnd = (() => {
    const stop = t.findWord({ start: index + 1, end }, "FROM", "WHERE");
    return stop < 0 ? end : stop;
  })();
  const qualifiers = [name.last.toLowerCase(), ...(alias.name ? [alias.name.toLowerCase()] : [])];
  const sets = assignments(t, { start: index + 1, end: setEnd }, qualifiers);
  index = setEnd;
  if (t.findWord({ start: index, end }, "WHERE") < 0) t.refuse("UPDATE without WHERE", start, "BigQuery requires a WHERE clause");
  return `UPDATE ${name.text}${alias.text} SET ${sets}${t.seq(index, end)}`;
}

function merge(t: Tokens, start: number, end: number): string {
  let index = start + 1;
  if (t.isWord(index, "INTO")) index++;
  const target = tableName(t, index);
  const targetAlias = tableAlias(t, target.next, "USING");
  index = targetAlias.next;
  if (!t.isWord(index, "USING")) t.syntax("expected USING in MERGE", index);
  index++;
  let source: string;
  if (t.isPunct(index, "(")) {
    const open = index;
    index = t.after(open);
    source = `(${t.expr({ start: open + 1, end: index - 1 })})`;
  } else {
    const name = tableName(t, index);
    source = name.text;
    index = name.next;
  }
  const sourceAlias = tableAlias(t, index, "ON");
  index = sourceAlias.next;
  if (!t.isWord(index, "ON")) t.syntax("expected ON in MERGE", index);
  const whens = mergeClauses(t, { start: index + 1, end });
  const condition = t.expr({ start: index + 1, end: whens[0]?.start ?? end });
  if (whens.length === 0) t.syntax("MERGE needs at least one WHEN clause", end - 1);
  const qualifiers = [target.last.toLowerCase(), ...(targetAlias.name ? [targetAlias.name.toLowerCase()] : [])];
  const clauses = whens.map((range) => mergeClause(t, range, qualifiers));
  return `MERGE INTO ${target.text}${targetAlias.text} USING ${source}${sourceAlias.text} ON ${condition}${clauses.join("")}`;
}

/** The ranges of the top-level WHEN clauses of a MERGE (CASE ... WHEN inside is skipped). */
function mergeClauses(t: Tokens, range: Range): Range[] {
  const starts: number[] = [];
  for (let index = range.start; index < range.end; index++) {
    if ((t.match[index] ?? -1) > index) {
      index = t.after(index) - 1;
      continue;
    }
    if (t.isWord(index, "WHEN") && (t.isWord(index + 1, "MATCHED") || (t.isWord(index + 1, "NOT") && t.isWord(index + 2, "MATCHED")))) {
      starts.push(index);
    }
  }
  return starts.map((start, position) => ({ start, end: starts[position + 1] ?? range.end }));
}

function mergeClause(t: Tokens, range: Range, qualifiers: string[]): string {
  let index = range.start + 1;
  let text = "\nWHEN";
  let bySource = false;
  if (t.isWord(index, "NOT")) {
    text += " NOT";
    index++;
  }
  text += " MATCHED";
  index++;
  if (t.isWord(index, "BY")) {
    const side = t.tok(index + 1)?.upper;
    if (side !== "TARGET" && side !== "SOURCE") t.syntax("expected BY TARGET or BY SOURCE", index + 1);
    bySource = side === "SOURCE";
    text += ` BY ${side}`;
    index += 2;
  }
  const then = t.findWord({ start: index, end: range.end }, "THEN");
  if (then < 0) t.syntax("expected THEN in WHEN clause", index);
  if (t.isWord(index, "AND")) text += ` AND ${t.expr({ start: index + 1, end: then })}`;
  else if (then !== index) t.syntax("expected AND or THEN", index);
  index = then + 1;
  const action = t.tok(index)?.upper;
  if (action === "DELETE") {
    if (index + 1 !== range.end) t.syntax("unexpected text after DELETE", index + 1);
    return `${text} THEN DELETE`;
  }
  if (action === "UPDATE") {
    if (!t.isWord(index + 1, "SET")) t.syntax("expected SET", index + 1);
    return `${text} THEN UPDATE SET ${assignments(t, { start: index + 2, end: range.end }, qualifiers)}`;
  }
  if (action === "INSERT" && !bySource) {
    index++;
    let columns = "";
    if (t.isPunct(index, "(")) {
      const open = index;
      index = t.after(open);
      columns = ` (${t.expr({ start: open + 1, end: index - 1 })})`;
    }
    if (t.isWord(index, "ROW")) {
      if (columns || index + 1 !== range.end) t.syntax("INSERT ROW takes no column list", index);
      // Both insert the source row's columns by position.
      return `${text} THEN INSERT *`;
    }
    if (!t.isWord(index, "VALUES") || !t.isPunct(index + 1, "(")) t.syntax("expected VALUES (...) or ROW", index);
    const open = index + 1;
    if (t.after(open) !== range.end) t.syntax("unexpected text after VALUES (...)", t.after(open));
    return `${text} THEN INSERT${columns} VALUES (${t.expr({ start: open + 1, end: t.after(open) - 1 })})`;
  }
  return t.syntax(`unexpected MERGE action ${t.tok(index)?.text ?? ""}`, index);
}
