/**
 * The SQL style check: the SQLX rules of the house style (../shared/STYLE.md, "SQLX models") that
 * a program can check without false alarms, over the statements @dataform/core compiles from each
 * .sqlx file (models and gates), the way the runner compiles them. No linter parses SQLX; the
 * compiled SQL is plain GoogleSQL, and each compiled character is traced back to its line in the
 * .sqlx file (sqlx_source.ts), so a finding names the line a person edits. SQL that a `${…}`
 * wrote (an includes/ helper, a js {} block) is reported at the line of that `${`, with the
 * includes/ line it comes from when one line matches.
 *
 * The rules, each `file:line: rule: message; suggestion`:
 * - keyword-case: GoogleSQL's reserved keywords, function names (a name before `(`, and
 *   CURRENT_DATE-like niladic functions), type names where a type is expected (CAST(… AS type),
 *   ARRAY<…>, STRUCT<…>, typed literals DATE '…'), date parts where one is expected (INTERVAL n
 *   DAY, EXTRACT(MONTH FROM …), DATE_DIFF(…, DAY)), CURRENT ROW, NULLS FIRST/LAST and WITH OFFSET
 *   are UPPERCASE. A name after a `.` (a path) or before one (a qualifier) is a name, not a keyword.
 * - final-columns: the SELECTs that produce the statement's rows (outside the top-level WITH's
 *   CTEs, outermost, every branch of a UNION) name their columns: no `*` and no `x.*` item.
 * - star-from-ref: no `*` (or `* EXCEPT …`) and no `x.*` over a table, anywhere: a table is a
 *   `${ref()}` (another model or a declared source). STYLE.md forbids `SELECT *` from a ref and
 *   asks for import CTEs listing the columns used and a final explicit list; it does not forbid
 *   `*` over a CTE of the same statement (a logic CTE extending the one before it, `team_games.*`),
 *   so `*` over a CTE, a subquery or UNNEST is allowed.
 * - named-constant: a number written in the .sqlx file's own SQL (not produced by a `${…}`) whose
 *   value is a number named in includes/constants.js (top level, or inside its objects and
 *   arrays), in a place where it can have that meaning:
 *     - 0 and 1 are never flagged: they are identities, flags, first rows (ROW_NUMBER() = 1) and
 *       offsets, and cannot be told from a constant that happens to be 0 or 1;
 *     - 2 to 5 (and -2 to -5) only as the threshold of an ordering comparison (< <= > >=):
 *       `period > 4`, `COUNT(*) >= 5`, `DATE_DIFF(…) >= 2`. A threshold always has a meaning;
 *       small integers elsewhere mostly do not (`games_back = 2` is the game before last,
 *       `rank * 2 + tie_break` and `2 * point_rank` for a median are arithmetic), so equality,
 *       arithmetic and function arguments with them are not flagged, at the price of missing a
 *       bare `game_status = 3` or `3 * three_pt_makes`;
 *     - any other value anywhere (0.44, 240, 48, 100, 0.8, INTERVAL 7 DAY, CASE … THEN 95);
 *     - never as the precision of ROUND/TRUNC or a position or length of SUBSTR, SUBSTRING, LEFT,
 *       RIGHT, LPAD, RPAD, OFFSET, SAFE_OFFSET, ORDINAL, SAFE_ORDINAL (a whole argument there).
 *   SQL written inside JavaScript (includes/ helpers, js {} blocks) names its numbers in code and
 *   is not checked by this rule.
 * - hardcoded-date: no date literal ('2025-01-15', DATE '2025-01-15') in the .sqlx file's own
 *   SQL: date filters come from the run-window helper (includes/run_window.js).
 * - explicit-as: a column alias and a table alias are introduced with AS (`points AS pts`,
 *   `team_games AS opponent`), never by juxtaposition.
 * - identifier-case: the names a statement defines (CTEs, column aliases, table aliases) are
 *   lowercase snake_case.
 * - qualified-columns: in a SELECT that reads two relations or more (a join, a comma join, UNNEST
 *   beside a table), every column is qualified by its table's alias. A name is a column unless it
 *   is a keyword, function, type or date part (keyword-case's roles), a path step, an alias of the
 *   SELECT's relations or columns (ORDER BY and QUALIFY may name the output), a window name or a
 *   named argument; subqueries are checked as SELECTs of their own.
 * - group-by-name: GROUP BY names its columns or expressions, never a position (GROUP BY 1).
 * - one-column-per-line: no two columns of a SELECT's column list start on the same line.
 */
import fs from "node:fs";
import path from "node:path";
import { compileProject } from "../compile/compile.ts";
import type { CompiledGraph } from "../compile/graph.ts";
import { tokenize, type Token } from "../engines/duckdb/tokenizer.ts";
import { projectConstants } from "../project_constants.ts";
import { isName, isPunct, isWord, RESERVED, shapeOf, type QueryShape, type Select } from "./query_shape.ts";
import { PLACEHOLDER, readSqlx, sourceMap, type SqlxSource } from "./sqlx_source.ts";

export const STYLE_RULES = [
  "keyword-case",
  "final-columns",
  "star-from-ref",
  "named-constant",
  "hardcoded-date",
  "explicit-as",
  "identifier-case",
  "qualified-columns",
  "group-by-name",
  "one-column-per-line",
] as const;
export type StyleRule = (typeof STYLE_RULES)[number];

export interface StyleFinding {
  /** The action (table or gate) name. */
  action: string;
  /** The .sqlx file, relative to the project. */
  file: string;
  /** The line in that file (for SQL a `${…}` wrote, the line of the `${`); undefined if unknown. */
  line: number | undefined;
  rule: StyleRule;
  message: string;
  suggestion: string;
  /** The includes/ (or js {} block) line the SQL comes from, when a `${…}` wrote it and one line matches. */
  origin?: string;
}

/** A number includes/constants.js names: `PER_HUNDRED`, `THREE_DEFENSE.pct_ceiling`, `SEASON_BOUNDARY_MONTHS[0]`. */
export interface NamedNumber {
  name: string;
  value: number;
}

/** Every finite number of a constants module, with its path. */
export function namedNumbers(constants: Record<string, unknown>): NamedNumber[] {
  const found: NamedNumber[] = [];
  const walk = (value: unknown, name: string) => {
    if (typeof value === "number" && Number.isFinite(value)) found.push({ name, value });
    else if (Array.isArray(value)) value.forEach((entry, index) => walk(entry, `${name}[${index}]`));
    else if (value !== null && typeof value === "object") for (const [key, entry] of Object.entries(value)) walk(entry, `${name}.${key}`);
  };
  for (const [key, value] of Object.entries(constants)) walk(value, key);
  return found;
}

/** The run dates the project is compiled for: the SQL's shape does not depend on them; a range exercises the range forms. */
export const STYLE_CHECK_DATES = { start: "2025-01-14", end: "2025-01-15" };

export interface ActionSql {
  action: string;
  /** Relative to the project, "/"-separated. */
  file: string;
  /** The .sqlx file's text. */
  source: string;
  /** The compiled statements (query, and the incremental query when it differs). */
  queries: string[];
}

export interface CheckContext {
  constants: NamedNumber[];
  /** The includes/*.js files as trimmed lines, to name where SQL a `${…}` wrote comes from. */
  includes?: IncludeFile[];
}

/** Checks every .sqlx action of a project (compiled in-process, as `runner compile` does). */
export function checkProject(projectDir: string): StyleFinding[] {
  const graph = compileProject({ projectDir, dates: STYLE_CHECK_DATES });
  const context: CheckContext = {
    constants: namedNumbers(projectConstants(projectDir) as Record<string, unknown>),
    includes: readIncludes(projectDir),
  };
  return sqlxActions(graph).flatMap((action) => checkAction({ ...action, source: fs.readFileSync(path.join(projectDir, action.file), "utf8") }, context));
}

/** The compiled .sqlx tables and assertions (gates) of a graph: what the house style's SQLX rules are about. */
export function sqlxActions(graph: CompiledGraph): Omit<ActionSql, "source">[] {
  return [...graph.tables, ...graph.assertions]
    .filter((action) => !action.disabled && action.fileName.endsWith(".sqlx"))
    .map((action) => {
      const incremental = "incrementalQuery" in action && typeof action.incrementalQuery === "string" ? action.incrementalQuery : undefined;
      const queries = incremental !== undefined && incremental !== action.query ? [action.query, incremental] : [action.query];
      return { action: action.target.name, file: action.fileName, queries };
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.action.localeCompare(b.action));
}

interface IncludeFile {
  file: string;
  /** Per line: whether a compiled line reads the same (the helper's own `${…}` match anything), and its literal text. */
  lines: { matches: (text: string) => boolean; literal: string }[];
}

function lineMatcher(line: string): IncludeFile["lines"][number] {
  // The last line of a template literal ends with its backtick (`…\`;`), which the SQL does not have.
  const text = line.trim().replace(/`[;,)\s]*$/, "");
  if (!text.includes("${")) return { matches: (candidate) => candidate === text, literal: text };
  const pieces = text.split(/\$\{[^}]*\}/);
  const pattern = new RegExp(`^${pieces.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return { matches: (candidate) => pattern.test(candidate), literal: pieces.join("") };
}

function readIncludes(projectDir: string): IncludeFile[] {
  const folder = path.join(projectDir, "includes");
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".js"))
    .sort()
    .map((name) => ({ file: `includes/${name}`, lines: fs.readFileSync(path.join(folder, name), "utf8").split("\n").map(lineMatcher) }));
}

/**
 * The includes/ line a compiled line comes from: the one place where it reads the same, with as
 * few of the lines around it (before and after, after only, before only: up to three) as make the
 * match unique; a `${…}` of the helper's line matches whatever it wrote, and of several matches
 * the one with the most literal text wins.
 */
function originOf(includes: IncludeFile[], queryLines: string[], at: number): string | undefined {
  const windows: [number, number][] = [[0, 0]];
  for (const reach of [1, 2, 3]) windows.push([reach, reach], [0, reach], [reach, 0]);
  for (const [before, after] of windows) {
    const first = Math.max(0, at - before);
    const window = queryLines.slice(first, at + after + 1).map((line) => line.trim());
    const matches: { where: string; literal: number }[] = [];
    for (const include of includes) {
      for (let start = 0; start + window.length <= include.lines.length; start++) {
        const lines = include.lines.slice(start, start + window.length);
        const literal = lines.map((line) => line.literal).join("").length;
        if (literal >= 12 && lines.every((line, offset) => line.matches(window[offset] as string))) matches.push({ where: `${include.file}:${start + at - first + 1}`, literal });
      }
    }
    // The match that explains the most text literally wins, if it is the only one that does.
    const best = Math.max(...matches.map((match) => match.literal));
    const winners = matches.filter((match) => match.literal === best);
    if (winners.length === 1) return winners[0]?.where;
  }
  return undefined;
}

/** All findings of one action, de-duplicated (a query and its incremental query share most of their SQL). */
export function checkAction(input: ActionSql, context: CheckContext): StyleFinding[] {
  const sqlx = readSqlx(input.source);
  const findings: StyleFinding[] = [];
  for (const query of input.queries) findings.push(...checkCompiled(input, sqlx, query, context));
  findings.push(...checkSource(input, sqlx, context));
  const seen = new Set<string>();
  return findings
    .filter((finding) => {
      const key = `${finding.line}|${finding.rule}|${finding.message}|${finding.origin ?? ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
}

export function formatFinding(finding: StyleFinding): string {
  const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
  const origin = finding.origin ? ` (SQL from ${finding.origin})` : "";
  return `${where}: ${finding.rule}: ${finding.message}${origin}; ${finding.suggestion}`;
}

// --- Rules over the compiled statement ------------------------------------------------------------

interface Statement {
  input: ActionSql;
  tokens: Token[];
  shape: QueryShape;
  /** For each token: its call's function (upper) when it sits directly inside one's parentheses. */
  call: (string | undefined)[];
  report: (index: number, rule: StyleRule, message: string, suggestion: string) => StyleFinding;
}

type StatementRule = (statement: Statement) => StyleFinding[];

function checkCompiled(input: ActionSql, sqlx: SqlxSource, query: string, context: CheckContext): StyleFinding[] {
  const tokens = tokenize(query, input.action);
  const offsets = tokenOffsets(query, tokens);
  const map = sourceMap(sqlx, query);
  const queryLines = query.split("\n");
  const report: Statement["report"] = (index, rule, message, suggestion) => {
    const located = map?.(offsets[index] as number);
    const finding: StyleFinding = { action: input.action, file: input.file, line: located?.line, rule, message, suggestion };
    if (located?.interpolated && context.includes) {
      const origin = originOf(context.includes, queryLines, (tokens[index] as Token).line - 1);
      if (origin) finding.origin = origin;
    }
    return finding;
  };
  const statement: Statement = { input, tokens, shape: shapeOf(tokens), call: enclosingCalls(tokens), report };
  return STATEMENT_RULES.flatMap((rule) => rule(statement));
}

/** Each token's offset in the query: tokens come in order and a token is on its own reported line. */
function tokenOffsets(query: string, tokens: Token[]): number[] {
  const lineStarts = [0];
  for (let index = 0; index < query.length; index++) if (query[index] === "\n") lineStarts.push(index + 1);
  let cursor = 0;
  return tokens.map((token) => {
    const from = Math.max(cursor, lineStarts[token.line - 1] ?? 0);
    const at = query.indexOf(token.text, from);
    cursor = at < 0 ? from : at + token.text.length;
    return at < 0 ? from : at;
  });
}

function enclosingCalls(tokens: Token[]): (string | undefined)[] {
  const stack: (string | undefined)[] = [];
  return tokens.map((token, index) => {
    if (isPunct(token, ")") || isPunct(token, "]")) stack.pop();
    const current = stack[stack.length - 1];
    if (isPunct(token, "(") || isPunct(token, "[")) {
      const before = tokens[index - 1];
      stack.push(isPunct(token, "(") && before?.kind === "word" ? before.upper : undefined);
    }
    return current;
  });
}

const TYPE_NAMES = new Set(
  "INT64 INT SMALLINT INTEGER BIGINT TINYINT BYTEINT NUMERIC DECIMAL BIGNUMERIC BIGDECIMAL FLOAT64 FLOAT BOOL BOOLEAN STRING BYTES DATE DATETIME TIME TIMESTAMP INTERVAL JSON GEOGRAPHY ARRAY STRUCT RANGE".split(" "),
);
const LITERAL_PREFIXES = new Set(["DATE", "DATETIME", "TIME", "TIMESTAMP", "NUMERIC", "BIGNUMERIC", "JSON", "RANGE"]);
const DATE_PARTS = new Set(
  "MICROSECOND MILLISECOND SECOND MINUTE HOUR DAY DAYOFWEEK DAYOFYEAR WEEK ISOWEEK MONTH QUARTER YEAR ISOYEAR DATE TIME DATETIME SUNDAY MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY".split(" "),
);
const DATE_PART_FUNCTIONS = new Set(
  "DATE_DIFF DATE_TRUNC DATETIME_DIFF DATETIME_TRUNC TIMESTAMP_DIFF TIMESTAMP_TRUNC TIME_DIFF TIME_TRUNC LAST_DAY WEEK DATE_BUCKET DATETIME_BUCKET TIMESTAMP_BUCKET".split(" "),
);
const NILADIC_FUNCTIONS = new Set(["CURRENT_DATE", "CURRENT_DATETIME", "CURRENT_TIME", "CURRENT_TIMESTAMP"]);
/** Words before a `(` that is a column list or a definition, not a call. */
const NOT_A_CALL_AFTER = new Set(["INTO", "TABLE", "EXISTS", "FUNCTION", "PROCEDURE", "VIEW"]);

/** What a word must be written as (its role), or undefined for a name. */
function keywordRole(tokens: Token[], call: (string | undefined)[], index: number, angle: number): string | undefined {
  const token = tokens[index] as Token;
  const before = tokens[index - 1];
  const after = tokens[index + 1];
  const safeCall = isPunct(before, ".") && isWord(tokens[index - 2], "SAFE") && isPunct(after, "(");
  if (isPunct(before, ".") && !safeCall) return undefined;
  if (isPunct(after, ".")) return token.upper === "SAFE" && isName(tokens[index + 2]) && isPunct(tokens[index + 3], "(") ? "function prefix" : undefined;
  if (RESERVED.has(token.upper)) return "keyword";
  if (isPunct(after, "(") && !(before?.kind === "word" && NOT_A_CALL_AFTER.has(before.upper))) return "function";
  if (NILADIC_FUNCTIONS.has(token.upper)) return "function";
  if (TYPE_NAMES.has(token.upper) && (angle > 0 || (isWord(before, "AS") && (call[index] === "CAST" || call[index] === "SAFE_CAST")))) return "type name";
  if (LITERAL_PREFIXES.has(token.upper) && after?.kind === "string") return "type name";
  if (DATE_PARTS.has(token.upper)) {
    const interval = isWord(tokens[index - 2], "INTERVAL") || (isPunct(before, ")") && intervalParenthesis(tokens, index - 1));
    const extract = call[index] === "EXTRACT" && isPunct(before, "(");
    const argument = DATE_PART_FUNCTIONS.has(call[index] ?? "") && (isPunct(before, ",") || isPunct(before, "(")) && (isPunct(after, ")") || isPunct(after, ","));
    if (interval || extract || argument) return "date part";
  }
  if (token.upper === "ROW" && isWord(before, "CURRENT")) return "keyword";
  if ((token.upper === "FIRST" || token.upper === "LAST") && isWord(before, "NULLS")) return "keyword";
  if (token.upper === "OFFSET" && isWord(before, "WITH") && !isPunct(tokens[index + 2], "(")) return "keyword";
  return undefined;
}

/** Whether the `)` at `index` closes a parenthesis that follows INTERVAL. */
function intervalParenthesis(tokens: Token[], index: number): boolean {
  let depth = 0;
  for (let at = index; at >= 0; at--) {
    if (isPunct(tokens[at], ")")) depth++;
    if (isPunct(tokens[at], "(") && --depth === 0) return isWord(tokens[at - 1], "INTERVAL");
  }
  return false;
}

const keywordCase: StatementRule = ({ tokens, call, report }) => {
  const findings: StyleFinding[] = [];
  let angle = 0;
  for (const [index, token] of tokens.entries()) {
    if (isPunct(token, "<") && (isWord(tokens[index - 1], "ARRAY") || isWord(tokens[index - 1], "STRUCT") || angle > 0)) angle++;
    else if (angle > 0 && isPunct(token, ">")) angle--;
    else if (angle > 0 && isPunct(token, ">>")) angle = Math.max(0, angle - 2);
    if (token.kind !== "word" || token.text === token.upper) continue;
    const role = keywordRole(tokens, call, index, angle);
    if (role) findings.push(report(index, "keyword-case", `\`${token.text}\` is a ${role}`, `write ${token.upper}`));
  }
  return findings;
};

function starText(star: NonNullable<Select["items"][number]["star"]>): string {
  return star.qualifier === undefined ? "SELECT *" : `${star.qualifier}.*`;
}

const finalColumns: StatementRule = (statement) =>
  statement.shape.finalSelects.flatMap((select) =>
    select.items.flatMap((item) =>
      item.star
        ? [
            statement.report(
              item.star.index,
              "final-columns",
              `the final SELECT has \`${starText(item.star)}\`: its columns are not listed`,
              "list the output columns, one per line",
            ),
          ]
        : [],
    ),
  );

const starFromRef: StatementRule = (statement) =>
  statement.shape.selects.flatMap((select) =>
    select.items.flatMap((item) => {
      if (!item.star) return [];
      const star = item.star;
      const covered = star.qualifier === undefined ? select.from : select.from.filter((from) => from.alias?.toLowerCase() === star.qualifier?.toLowerCase());
      return covered
        .filter((from) => from.kind === "table")
        .map((from) =>
          statement.report(
            star.index,
            "star-from-ref",
            `\`${starText(star)}\` reads every column of the table ${from.name.split(".").pop()}`,
            "read it in an import CTE that lists only the columns used",
          ),
        );
    }),
  );

/** The last token of an expression that a juxtaposed name would alias. */
function endsOperand(token: Token | undefined): boolean {
  if (!token) return false;
  if (isPunct(token, ")") || isPunct(token, "]")) return true;
  if (token.kind === "number" || token.kind === "string" || token.kind === "quoted" || token.kind === "param" || token.kind === "bytes") return true;
  return token.kind === "word" && (!RESERVED.has(token.upper) || ["END", "NULL", "TRUE", "FALSE"].includes(token.upper));
}

/** The index of a column alias given without AS (`points pts`), if the item ends with one. */
function implicitAlias(tokens: Token[], item: Select["items"][number]): number | undefined {
  if (item.star || item.end - item.start < 2) return undefined;
  const last = tokens[item.end - 1] as Token;
  const before = tokens[item.end - 2];
  const alias = last.kind === "quoted" || (last.kind === "word" && !RESERVED.has(last.upper) && !DATE_PARTS.has(last.upper));
  return alias && endsOperand(before) && !isPunct(before, ".") ? item.end - 1 : undefined;
}

const explicitAs: StatementRule = (statement) => {
  const { tokens, shape, report } = statement;
  const findings: StyleFinding[] = [];
  for (const select of shape.selects) {
    for (const item of select.items) {
      const alias = implicitAlias(tokens, item);
      if (alias !== undefined) {
        const name = (tokens[alias] as Token).value;
        findings.push(report(alias, "explicit-as", `column alias \`${name}\` without AS`, `write AS ${name}`));
      }
    }
    for (const from of select.from) {
      if (from.aliasIndex !== undefined && !from.explicitAs) {
        findings.push(report(from.aliasIndex, "explicit-as", `table alias \`${from.alias}\` without AS`, `write ${from.name.split(".").pop()} AS ${from.alias}`));
      }
    }
  }
  return findings;
};

const SNAKE_CASE = /^[a-z_][a-z0-9_]*$/;

const identifierCase: StatementRule = (statement) => {
  const { tokens, shape, report } = statement;
  const names: { index: number; what: string }[] = shape.ctes.map((cte) => ({ index: cte.nameIndex, what: "CTE" }));
  for (const select of shape.selects) {
    for (const item of select.items) {
      const as = tokens[item.end - 2];
      if (item.end - item.start >= 3 && isWord(as, "AS") && shape.depth[item.end - 2] === select.depth) names.push({ index: item.end - 1, what: "column alias" });
    }
    for (const from of select.from) if (from.aliasIndex !== undefined) names.push({ index: from.aliasIndex, what: "table alias" });
  }
  return names
    .filter(({ index }) => isName(tokens[index]) && !SNAKE_CASE.test((tokens[index] as Token).value) && (tokens[index] as Token).value !== PLACEHOLDER)
    .map(({ index, what }) => {
      const name = (tokens[index] as Token).value;
      const suggested = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
      return report(index, "identifier-case", `${what} \`${name}\` is not lowercase snake_case`, `name it ${suggested}`);
    });
};

const groupByName: StatementRule = ({ tokens, shape, report }) => {
  const findings: StyleFinding[] = [];
  for (const [index, token] of tokens.entries()) {
    if (!isWord(token, "GROUP") || !isWord(tokens[index + 1], "BY")) continue;
    const level = shape.depth[index] as number;
    let itemStart = index + 2;
    for (let at = index + 2; at <= tokens.length; at++) {
      const current = tokens[at];
      const ends = at === tokens.length || (shape.depth[at] as number) < level || (shape.depth[at] === level && (isPunct(current, ";") || (current?.kind === "word" && RESERVED.has(current.upper) && !["AND", "OR", "NOT", "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END", "IN", "IF"].includes(current.upper))));
      if (ends || (shape.depth[at] === level && isPunct(current, ","))) {
        const item = tokens[itemStart];
        if (at - itemStart === 1 && item?.kind === "number") findings.push(report(itemStart, "group-by-name", `GROUP BY ${item.text} groups by position`, "group by the column's name"));
        itemStart = at + 1;
      }
      if (ends) break;
    }
  }
  return findings;
};

const oneColumnPerLine: StatementRule = ({ tokens, shape, report }) =>
  shape.selects.flatMap((select) =>
    select.items.slice(1).flatMap((item, at) => {
      const previous = select.items[at] as Select["items"][number];
      const line = (tokens[item.start] as Token).line;
      return line === (tokens[previous.start] as Token).line
        ? [report(item.start, "one-column-per-line", `column \`${tokens.slice(item.start, item.end).map((token) => token.text).join(" ").slice(0, 40)}\` shares a line with the one before`, "put each column of the SELECT on its own line")]
        : [];
    }),
  );

const qualifiedColumns: StatementRule = ({ tokens, shape, call, report }) => {
  const findings: StyleFinding[] = [];
  for (const select of shape.selects) {
    if (select.from.length < 2) continue;
    // Subqueries are SELECTs of their own: skip the parentheses around each.
    const nested = shape.selects
      .filter((other) => other.index > select.index && other.index < select.end)
      .map((other) => [shape.opener[other.index] as number, shape.closer.get(shape.opener[other.index] as number) ?? other.end] as const);
    const known = new Set(select.from.flatMap((from) => (from.alias ? [from.alias.toLowerCase()] : [])));
    // Output names: after AS, or juxtaposed (explicit-as reports those).
    for (const item of select.items) {
      const alias = tokens[item.end - 1];
      if (alias && ((item.end - item.start >= 3 && isWord(tokens[item.end - 2], "AS")) || implicitAlias(tokens, item) !== undefined)) known.add(alias.value.toLowerCase());
    }
    const relations = new Set(select.from.map((from) => from.index));
    const names = select.from.map((from) => from.alias ?? from.name);
    const joined = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
    let angle = 0;
    for (let index = select.index + 1; index < select.end; index++) {
      const token = tokens[index] as Token;
      if (isPunct(token, "<") && (isWord(tokens[index - 1], "ARRAY") || isWord(tokens[index - 1], "STRUCT") || angle > 0)) angle++;
      else if (angle > 0 && isPunct(token, ">")) angle--;
      if (nested.some(([open, close]) => index > open && index < close)) continue;
      if (token.kind !== "word" || known.has(token.value.toLowerCase()) || relations.has(index)) continue;
      const before = tokens[index - 1];
      if (isWord(before, "AS") || isWord(before, "OVER") || isWord(before, "WINDOW") || isPunct(tokens[index + 1], "=>")) continue;
      if (keywordRole(tokens, call, index, angle) !== undefined || isPunct(before, ".") || isPunct(tokens[index + 1], ".") || RESERVED.has(token.upper)) continue;
      findings.push(report(index, "qualified-columns", `column \`${token.text}\` is not qualified in a SELECT that joins ${joined}`, "prefix it with its table's alias"));
    }
  }
  return findings;
};

const STATEMENT_RULES: StatementRule[] = [keywordCase, finalColumns, starFromRef, explicitAs, identifierCase, qualifiedColumns, groupByName, oneColumnPerLine];

// --- Rules over the SQL written in the .sqlx file -------------------------------------------------

interface SourceSql {
  input: ActionSql;
  tokens: Token[];
  call: (string | undefined)[];
}

type SourceRule = (source: SourceSql, context: CheckContext) => StyleFinding[];

function checkSource(input: ActionSql, sqlx: SqlxSource, context: CheckContext): StyleFinding[] {
  const tokens = tokenize(sqlx.masked, input.file);
  const source: SourceSql = { input, tokens, call: enclosingCalls(tokens) };
  return SOURCE_RULES.flatMap((rule) => rule(source, context));
}

const ORDERING_COMPARISONS = new Set(["<", "<=", ">", ">="]);
/** Functions whose numeric arguments are precisions, positions or lengths, not quantities. */
const POSITIONAL_FUNCTIONS = new Set(["ROUND", "TRUNC", "SUBSTR", "SUBSTRING", "LEFT", "RIGHT", "LPAD", "RPAD", "OFFSET", "SAFE_OFFSET", "ORDINAL", "SAFE_ORDINAL"]);

const namedConstant: SourceRule = ({ input, tokens, call }, { constants }) => {
  const findings: StyleFinding[] = [];
  for (const [index, token] of tokens.entries()) {
    if (token.kind !== "number" || /^0x/i.test(token.text)) continue;
    const value = Number(token.text);
    if (value === 0 || value === 1) continue;
    const named = constants.filter((constant) => constant.value === value);
    if (named.length === 0) continue;
    // A unary minus belongs to the literal: look at what is around `-n`.
    const unary = isPunct(tokens[index - 1], "-") && !endsOperand(tokens[index - 2]);
    const before = tokens[unary ? index - 2 : index - 1];
    const after = tokens[index + 1];
    const wholeArgument = (isPunct(before, "(") || isPunct(before, ",")) && (isPunct(after, ")") || isPunct(after, ","));
    if (wholeArgument && POSITIONAL_FUNCTIONS.has(call[index] ?? "")) continue;
    const small = Number.isInteger(value) && Math.abs(value) <= 5;
    if (small && ![before, after].some((neighbour) => neighbour?.kind === "op" && ORDERING_COMPARISONS.has(neighbour.text))) continue;
    const names = named.map((constant) => constant.name);
    const shown = names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
    findings.push({
      action: input.action,
      file: input.file,
      line: token.line,
      rule: "named-constant",
      message: `bare ${token.text} is the value of ${shown} (includes/constants.js)`,
      suggestion: `${names.length === 1 ? `write \${constants.${names[0]}}` : "write the one it means as ${constants.NAME}"}, or name the number in includes/constants.js if it means something else`,
    });
  }
  return findings;
};

const hardcodedDate: SourceRule = ({ input, tokens }) =>
  tokens
    .filter((token) => token.kind === "string" && /^\d{4}-\d{2}-\d{2}/.test(token.value))
    .map((token) => ({
      action: input.action,
      file: input.file,
      line: token.line,
      rule: "hardcoded-date" as const,
      message: `date literal '${token.value}' in the file's own SQL`,
      suggestion: "filter dates with the run-window helper (${run_window.filter(\"game_date\")}, includes/run_window.js)",
    }));

const SOURCE_RULES: SourceRule[] = [namedConstant, hardcodedDate];
