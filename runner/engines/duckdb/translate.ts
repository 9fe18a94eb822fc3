/**
 * BigQuery SQL -> DuckDB SQL, for the local engine (DESIGN section 7).
 *
 * The rewriter works on tokens (tokenizer.ts), never on raw text: string contents, comments and
 * quoted names can never be rewritten by accident, and brackets are matched once, up front, so
 * that every construct knows its extent. One left-to-right pass per statement; nested groups are
 * translated recursively over index ranges of the same token array (nothing is re-tokenised).
 *
 * Faithfulness rule: a construct is either translated to something DuckDB evaluates exactly as
 * BigQuery does (with the macros of macros.ts where a built-in differs), or refused with
 * UnsupportedSqlError. Functions are allowlisted: a function that is not in FUNCTIONS below is
 * refused rather than passed through on the hope that DuckDB's namesake behaves the same.
 */
import { DataFailureError } from "../../errors.ts";
import { SqlSyntaxError, tokenize, type Token } from "./tokenizer.ts";

export { SqlSyntaxError } from "./tokenizer.ts";

export interface TranslateOptions {
  /** The action the statement belongs to, named in error messages. */
  action?: string | undefined;
}

/** A BigQuery construct the local engine cannot run with BigQuery's semantics. */
export class UnsupportedSqlError extends DataFailureError {
  readonly construct: string;
  readonly line: number;
  readonly action: string | undefined;

  constructor(construct: string, line: number, options: { action?: string | undefined; reason?: string | undefined } = {}) {
    const prefix = options.action ? `${options.action}: ` : "";
    const reason = options.reason ? ` (${options.reason})` : "";
    super("unsupported_sql", `${prefix}BigQuery construct ${construct} (line ${line}) has no faithful DuckDB translation${reason}`, {
      suggestion: "Rewrite the statement with constructs the local engine supports, or run it against BigQuery.",
    });
    this.construct = construct;
    this.line = line;
    this.action = options.action;
  }
}

export function translateToDuckDB(sql: string, options: TranslateOptions = {}): string {
  return new Translator(tokenize(sql, options.action), options.action).translate();
}

/** The DuckDB type a BigQuery column type becomes, as the translator writes it in DDL (STRING -> VARCHAR). */
export function duckdbTypeOf(bigQueryType: string): string {
  return new Translator(tokenize(bigQueryType), undefined).columnType();
}

/** BigQuery's reserved keywords: never identifiers unless backtick-quoted. */
const RESERVED = new Set(
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
const SYNTAX_WORDS = new Set(["VALUES"]);

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

/** Date parts accepted after INTERVAL n and by the *_ADD / *_DIFF / *_TRUNC functions. */
const SUB_DAY_PARTS = ["MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR"];
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

/** DuckDB to_* interval constructors, by BigQuery date part. */
const INTERVAL_FUNCTIONS: Record<string, string> = {
  MICROSECOND: "to_microseconds",
  MILLISECOND: "to_milliseconds",
  SECOND: "to_seconds",
  MINUTE: "to_minutes",
  HOUR: "to_hours",
  DAY: "to_days",
  WEEK: "to_weeks",
  MONTH: "to_months",
  QUARTER: "to_months",
  YEAR: "to_years",
};

/** Functions whose arguments are written the same and that behave the same in both engines. */
const SAME_FUNCTIONS: Record<string, string> = {
  // Aggregates and window functions.
  COUNT: "count",
  SUM: "sum",
  AVG: "avg",
  MIN: "min",
  MAX: "max",
  COUNTIF: "count_if",
  LOGICAL_AND: "bool_and",
  LOGICAL_OR: "bool_or",
  // Both ignore NULL inputs and return NULL only when every input is NULL.
  ANY_VALUE: "any_value",
  STDDEV: "stddev_samp",
  STDDEV_SAMP: "stddev_samp",
  STDDEV_POP: "stddev_pop",
  VARIANCE: "var_samp",
  VAR_SAMP: "var_samp",
  VAR_POP: "var_pop",
  CORR: "corr",
  COVAR_POP: "covar_pop",
  COVAR_SAMP: "covar_samp",
  ROW_NUMBER: "row_number",
  RANK: "rank",
  DENSE_RANK: "dense_rank",
  PERCENT_RANK: "percent_rank",
  CUME_DIST: "cume_dist",
  NTILE: "ntile",
  LAG: "lag",
  LEAD: "lead",
  FIRST_VALUE: "first_value",
  LAST_VALUE: "last_value",
  NTH_VALUE: "nth_value",
  GROUPING: "grouping",
  // Scalars. SQRT, LN and LOG10 raise on bad input in DuckDB as in BigQuery.
  ABS: "abs",
  SIGN: "sign",
  FLOOR: "floor",
  CEIL: "ceil",
  CEILING: "ceil",
  SQRT: "sqrt",
  LN: "ln",
  LOG10: "log10",
  IS_NAN: "isnan",
  IS_INF: "isinf",
  COALESCE: "coalesce",
  NULLIF: "nullif",
  ERROR: "error",
  LOWER: "lower",
  UPPER: "upper",
  CHAR_LENGTH: "length",
  CHARACTER_LENGTH: "length",
  STRPOS: "strpos",
  STARTS_WITH: "starts_with",
  ENDS_WITH: "ends_with",
  REPLACE: "replace",
  REGEXP_CONTAINS: "regexp_matches",
  ARRAY_LENGTH: "len",
  ARRAY_REVERSE: "list_reverse",
  MOD: "bq_mod",
  DIV: "bq_div",
  SAFE_DIVIDE: "bq_safe_divide",
  EXP: "bq_exp",
  POW: "bq_pow",
  POWER: "bq_pow",
  LENGTH: "bq_length",
  SUBSTR: "bq_substr",
  SUBSTRING: "bq_substr",
  LPAD: "bq_lpad",
  RPAD: "bq_rpad",
};

/** Number of arguments each SAME_FUNCTIONS entry accepts, where BigQuery fixes it. */
const ARITY: Record<string, [number, number]> = {
  MOD: [2, 2],
  DIV: [2, 2],
  SAFE_DIVIDE: [2, 2],
  EXP: [1, 1],
  POW: [2, 2],
  POWER: [2, 2],
  LENGTH: [1, 1],
  SUBSTR: [2, 3],
  SUBSTRING: [2, 3],
  LPAD: [2, 3],
  RPAD: [2, 3],
  REGEXP_CONTAINS: [2, 2],
  STRPOS: [2, 2],
  REPLACE: [3, 3],
};

/** Refused by name, with the reason. */
const REFUSED_FUNCTIONS: Record<string, string> = {
  NORMALIZE: "DuckDB has no Unicode normalization function with BigQuery's modes",
  NORMALIZE_AND_CASEFOLD: "DuckDB has no Unicode normalization function with BigQuery's modes",
  APPROX_COUNT_DISTINCT: "approximate algorithms differ between the engines",
  APPROX_QUANTILES: "approximate algorithms differ between the engines",
  APPROX_TOP_COUNT: "approximate algorithms differ between the engines",
  FARM_FINGERPRINT: "DuckDB has no FarmHash",
  // DuckDB's to_json writes FLOAT64 1.0 as 1.0 (BigQuery: 1), NUMERIC as a number (BigQuery: a
  // string unless integral), TIMESTAMP as '2025-01-15 10:00:00+00' (BigQuery: ...T10:00:00Z).
  TO_JSON_STRING: "DuckDB encodes FLOAT64, NUMERIC and TIMESTAMP values differently in JSON",
  TO_JSON: "DuckDB encodes FLOAT64, NUMERIC and TIMESTAMP values differently in JSON",
  PARSE_JSON: "BigQuery's JSON type and DuckDB's differ in number handling",
  JSON_VALUE: "JSONPath handling differs between the engines",
  JSON_QUERY: "JSONPath handling differs between the engines",
  JSON_EXTRACT: "JSONPath handling differs between the engines",
  JSON_EXTRACT_SCALAR: "JSONPath handling differs between the engines",
};

/** A half-open range of token indexes. */
interface Range {
  start: number;
  end: number;
}

/** Output of one range: text pieces, and where the operand just written begins. */
class Out {
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
interface Walk {
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

class Translator {
  private readonly tokens: Token[];
  private readonly action: string | undefined;
  /** For each `(`, `[` and CASE: the index of its `)`, `]` or END; -1 elsewhere. */
  private readonly match: Int32Array;

  constructor(tokens: Token[], action: string | undefined) {
    this.tokens = tokens;
    this.action = action;
    this.match = this.matchBrackets();
  }

  translate(): string {
    const { tokens } = this;
    const statements: string[] = [];
    let start = 0;
    for (let index = 0; index <= tokens.length; index++) {
      const token = tokens[index];
      if (token && !(token.kind === "punct" && token.upper === ";")) {
        const close = this.match[index] ?? -1;
        if (close > index) index = close;
        continue;
      }
      if (index > start) statements.push(this.statement(start, index));
      if (token) statements.push(`${token.space};`);
      start = index + 1;
    }
    return statements.join("");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private refuse(construct: string, index: number, reason?: string): never {
    const token = this.tokens[Math.min(index, this.tokens.length - 1)];
    throw new UnsupportedSqlError(construct, token?.line ?? 1, { action: this.action, reason });
  }

  private syntax(detail: string, index: number): never {
    const token = this.tokens[Math.min(index, this.tokens.length - 1)];
    throw new SqlSyntaxError(detail, token?.line ?? 1, this.action);
  }

  private matchBrackets(): Int32Array {
    const { tokens } = this;
    const match = new Int32Array(tokens.length).fill(-1);
    const stack: number[] = [];
    tokens.forEach((token, index) => {
      if (token.upper === "(" || token.upper === "[" || (token.kind === "word" && token.upper === "CASE")) {
        stack.push(index);
        return;
      }
      if (token.upper === ")" || token.upper === "]") {
        const open = stack.pop();
        const expected = token.upper === ")" ? "(" : "[";
        if (open === undefined || tokens[open]?.upper !== expected) this.syntax(`unmatched ${token.upper}`, index);
        match[open] = index;
        return;
      }
      if (token.kind === "word" && token.upper === "END") {
        const open = stack.at(-1);
        if (open !== undefined && tokens[open]?.upper === "CASE") {
          stack.pop();
          match[open] = index;
        }
      }
    });
    const open = stack.pop();
    if (open !== undefined) this.syntax(`${tokens[open]?.upper} is never closed`, open);
    return match;
  }

  private tok(index: number): Token | undefined {
    return this.tokens[index];
  }

  private isWord(index: number, ...words: string[]): boolean {
    const token = this.tokens[index];
    return token !== undefined && token.kind === "word" && (words.length === 0 || words.includes(token.upper));
  }

  private isPunct(index: number, punct: string): boolean {
    const token = this.tokens[index];
    return token !== undefined && (token.kind === "punct" || token.kind === "op") && token.upper === punct;
  }

  /** Index after the group opened at `index` (a `(`, `[` or CASE). */
  private after(index: number): number {
    const close = this.match[index] ?? -1;
    if (close < 0) this.syntax("unbalanced brackets", index);
    return close + 1;
  }

  /** Top-level comma-separated pieces of a range (groups and ARRAY<...> types are skipped). */
  private split(range: Range, separator = ","): Range[] {
    const pieces: Range[] = [];
    let start = range.start;
    let index = range.start;
    while (index < range.end) {
      const token = this.tokens[index] as Token;
      if ((this.match[index] ?? -1) > index) {
        index = this.after(index);
        continue;
      }
      if (this.isWord(index, "ARRAY", "STRUCT") && this.isPunct(index + 1, "<")) {
        index = this.skipAngles(index + 1);
        continue;
      }
      if (token.upper === separator && token.kind !== "string") {
        pieces.push({ start, end: index });
        start = index + 1;
      }
      index++;
    }
    if (range.end > range.start) pieces.push({ start, end: range.end });
    return pieces;
  }

  /** Index after the `>` closing the `<` at `index` (`>>` closes two levels). */
  private skipAngles(index: number): number {
    let depth = 0;
    for (let cursor = index; cursor < this.tokens.length; cursor++) {
      const upper = this.tokens[cursor]?.upper;
      if (upper === "<") depth++;
      else if (upper === ">") depth--;
      else if (upper === ">>") depth -= 2;
      if (depth <= 0) return cursor + 1;
    }
    return this.syntax("unclosed <", index);
  }

  /** Arguments of the call whose `(` is at `open`. */
  private args(open: number): Range[] {
    return this.split({ start: open + 1, end: this.after(open) - 1 });
  }

  /** The translated text of a range, without leading whitespace. */
  private expr(range: Range): string {
    return this.seq(range.start, range.end).trim();
  }

  /** The translated text of an argument, parenthesised unless it is a single token. */
  private operandOf(range: Range): string {
    const text = this.expr(range);
    return range.end - range.start === 1 ? text : `(${text})`;
  }

  private space(index: number): string {
    return this.tokens[index]?.space ?? "";
  }

  /** The decoded value when the range is exactly one string literal. */
  private stringLiteral(range: Range): string | undefined {
    const token = this.tokens[range.start];
    return range.end - range.start === 1 && token?.kind === "string" ? token.value : undefined;
  }

  /** The upper-cased word when the range is exactly one word. */
  private wordOf(range: Range): string | undefined {
    const token = this.tokens[range.start];
    return range.end - range.start === 1 && token?.kind === "word" ? token.upper : undefined;
  }

  private quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** A name as DuckDB must see it: backticked names double-quoted, DuckDB-only keywords too. */
  private identText(token: Token): string {
    if (token.kind === "quoted") return this.quoteIdent(token.value);
    return DUCKDB_ONLY_RESERVED.has(token.value.toLowerCase()) ? this.quoteIdent(token.value) : token.value;
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  private statement(start: number, end: number): string {
    const first = this.tokens[start] as Token;
    const lead = first.space;
    if (first.upper === "(") return this.seq(start, end);
    if (first.kind !== "word") this.syntax(`a statement cannot start with ${first.text}`, start);
    switch (first.upper) {
      case "SELECT":
      case "WITH":
        return this.seq(start, end);
      case "CREATE":
        return lead + this.create(start, end);
      case "DROP":
        return lead + this.drop(start, end);
      case "INSERT":
        return lead + this.insert(start, end);
      case "DELETE":
        return lead + this.deleteStatement(start, end);
      case "UPDATE":
        return lead + this.update(start, end);
      case "MERGE":
        return lead + this.merge(start, end);
      case "TRUNCATE": {
        if (!this.isWord(start + 1, "TABLE")) this.syntax("TRUNCATE must be followed by TABLE", start);
        const name = this.tableName(start + 2);
        if (name.next !== end) this.syntax("unexpected text after TRUNCATE TABLE name", name.next);
        return `${lead}TRUNCATE TABLE ${name.text}`;
      }
      case "BEGIN": {
        const transaction = this.isWord(start + 1, "TRANSACTION") ? 1 : 0;
        if (start + 1 + transaction !== end) this.refuse("BEGIN ... END block", start, "procedural language");
        return `${lead}BEGIN TRANSACTION`;
      }
      case "COMMIT":
      case "ROLLBACK": {
        const transaction = this.isWord(start + 1, "TRANSACTION") ? 1 : 0;
        if (start + 1 + transaction !== end) this.syntax(`unexpected text after ${first.upper}`, start + 1 + transaction);
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
        return this.refuse(`scripting statement ${first.upper}`, start, "procedural language");
      default:
        return this.refuse(`statement ${first.upper}`, start);
    }
  }

  /** A table path: `project.dataset.table` (project dropped), `dataset.table`, or a name. */
  private tableName(start: number): { text: string; next: number; last: string } {
    const parts: { name: string; token: Token }[] = [];
    let index = start;
    for (;;) {
      const token = this.tokens[index];
      if (!token || (token.kind !== "word" && token.kind !== "quoted")) this.syntax("expected a table name", index);
      if (token.kind === "word" && RESERVED.has(token.upper)) this.syntax(`expected a table name, found ${token.text}`, index);
      const names = token.kind === "quoted" ? token.value.split(".") : [token.value];
      for (const name of names) parts.push({ name, token });
      index++;
      if (this.isPunct(index, ".") && (this.tok(index + 1)?.kind === "word" || this.tok(index + 1)?.kind === "quoted")) {
        index++;
        continue;
      }
      break;
    }
    const wildcard = parts.some((part) => part.name.endsWith("*")) || (this.isPunct(index, "*") && this.tok(index)?.space === "");
    if (wildcard) this.refuse("wildcard table (`dataset.table_*` with _TABLE_SUFFIX)", start);
    if (parts.length > 3 || parts.some((part) => part.name === "")) this.syntax("a table name has at most project.dataset.table", start);
    const kept = parts.length === 3 ? parts.slice(1) : parts;
    const text = kept
      .map((part) => (part.token.kind === "quoted" ? this.quoteIdent(part.name) : this.identText(part.token)))
      .join(".");
    return { text, next: index, last: (kept.at(-1) as { name: string }).name };
  }

  /** Index of the first top-level word `word` in the range, or -1. */
  private findWord(range: Range, ...words: string[]): number {
    for (let index = range.start; index < range.end; index++) {
      if ((this.match[index] ?? -1) > index) {
        index = this.after(index) - 1;
        continue;
      }
      if (this.isWord(index, ...words)) return index;
    }
    return -1;
  }

  private create(start: number, end: number): string {
    let index = start + 1;
    let head = "CREATE";
    if (this.isWord(index, "OR") && this.isWord(index + 1, "REPLACE")) {
      head += " OR REPLACE";
      index += 2;
    }
    if (this.isWord(index, "TEMP", "TEMPORARY")) {
      head += " TEMP";
      index++;
    }
    const kind = this.tok(index)?.upper;
    if (kind === "FUNCTION" || kind === "AGGREGATE" || kind === "PROCEDURE") this.refuse(`CREATE ${kind} (user-defined functions)`, index);
    if (kind === "TABLE" && this.isWord(index + 1, "FUNCTION")) this.refuse("CREATE TABLE FUNCTION", index);
    if (kind === "SNAPSHOT" || kind === "EXTERNAL" || kind === "MATERIALIZED" || kind === "ROW" || kind === "SEARCH" || kind === "VECTOR") {
      this.refuse(`CREATE ${kind}`, index);
    }
    if (kind !== "TABLE" && kind !== "VIEW" && kind !== "SCHEMA") this.refuse(`CREATE ${kind ?? ""}`.trim(), index);
    head += ` ${kind}`;
    index++;
    if (this.isWord(index, "IF") && this.isWord(index + 1, "NOT") && this.isWord(index + 2, "EXISTS")) {
      head += " IF NOT EXISTS";
      index += 3;
    }

    if (kind === "SCHEMA") {
      const name = this.tableName(index);
      if (name.text.includes(".")) {
        // `project.dataset`: DuckDB's schema is the dataset.
        const dot = name.text.indexOf(".");
        name.text = name.text.slice(dot + 1);
      }
      index = this.skipOptions(name.next, end);
      if (index !== end) this.refuse(`CREATE SCHEMA ... ${this.tok(index)?.text}`, index);
      return `${head} ${name.text}`;
    }

    const name = this.tableName(index);
    index = name.next;
    let columns = "";
    if (this.isPunct(index, "(")) {
      const open = index;
      index = this.after(open);
      columns = kind === "TABLE" ? ` (${this.columnDefinitions(open)})` : ` (${this.expr({ start: open + 1, end: index - 1 })})`;
    }
    for (;;) {
      if (index >= end) return `${head} ${name.text}${columns}`;
      if (this.isWord(index, "AS")) {
        if (columns && kind === "TABLE") this.refuse("CREATE TABLE with both a column list and AS SELECT", index);
        return `${head} ${name.text}${columns} AS${this.seq(index + 1, end)}`;
      }
      if (this.isWord(index, "PARTITION", "CLUSTER") && this.isWord(index + 1, "BY")) {
        // Layout only: BigQuery's partitioning and clustering change cost, never results.
        index += 2;
        while (index < end && !this.isWord(index, "CLUSTER", "OPTIONS", "AS")) {
          index = (this.match[index] ?? -1) > index ? this.after(index) : index + 1;
        }
        continue;
      }
      if (this.isWord(index, "OPTIONS") && this.isPunct(index + 1, "(")) {
        index = this.after(index + 1);
        continue;
      }
      if (this.isWord(index, "DEFAULT") && this.isWord(index + 1, "COLLATE")) this.refuse("DEFAULT COLLATE", index);
      return this.refuse(`CREATE ${kind} ... ${this.tok(index)?.text}`, index);
    }
  }

  /** Skips OPTIONS(...) (descriptions, labels, expiration: no effect on results). */
  private skipOptions(index: number, end: number): number {
    if (this.isWord(index, "DEFAULT") && this.isWord(index + 1, "COLLATE")) this.refuse("DEFAULT COLLATE", index);
    if (index < end && this.isWord(index, "OPTIONS") && this.isPunct(index + 1, "(")) return this.after(index + 1);
    return index;
  }

  /** `name TYPE [NOT NULL] [DEFAULT expr] [OPTIONS(...)]`, comma separated. */
  private columnDefinitions(open: number): string {
    const definitions = this.split({ start: open + 1, end: this.after(open) - 1 });
    return definitions
      .map((range) => {
        const nameToken = this.tok(range.start);
        if (!nameToken || (nameToken.kind !== "word" && nameToken.kind !== "quoted")) this.syntax("expected a column name", range.start);
        if (nameToken.kind === "word" && ["PRIMARY", "FOREIGN", "CONSTRAINT"].includes(nameToken.upper)) {
          this.refuse(`${nameToken.upper} KEY constraint`, range.start, "BigQuery does not enforce it, DuckDB would");
        }
        const type = this.parseType(range.start + 1);
        let index = type.next;
        let rest = "";
        while (index < range.end) {
          if (this.isWord(index, "NOT") && this.isWord(index + 1, "NULL")) {
            rest += " NOT NULL";
            index += 2;
          } else if (this.isWord(index, "OPTIONS") && this.isPunct(index + 1, "(")) {
            index = this.after(index + 1);
          } else if (this.isWord(index, "DEFAULT")) {
            let stop = index + 1;
            while (stop < range.end && !this.isWord(stop, "OPTIONS", "NOT")) stop = (this.match[stop] ?? -1) > stop ? this.after(stop) : stop + 1;
            rest += ` DEFAULT ${this.expr({ start: index + 1, end: stop })}`;
            index = stop;
          } else {
            this.refuse(`column option ${this.tok(index)?.text}`, index);
          }
        }
        return `${this.identText(nameToken)} ${type.text}${rest}`;
      })
      .join(", ");
  }

  private drop(start: number, end: number): string {
    let index = start + 1;
    const kind = this.tok(index)?.upper;
    if (kind !== "TABLE" && kind !== "VIEW" && kind !== "SCHEMA") this.refuse(`DROP ${kind ?? ""}`.trim(), index);
    index++;
    let text = `DROP ${kind}`;
    if (this.isWord(index, "IF") && this.isWord(index + 1, "EXISTS")) {
      text += " IF EXISTS";
      index += 2;
    }
    const name = this.tableName(index);
    let nameText = name.text;
    if (kind === "SCHEMA" && nameText.includes(".")) nameText = nameText.slice(nameText.indexOf(".") + 1);
    text += ` ${nameText}`;
    index = name.next;
    if (kind === "SCHEMA" && this.isWord(index, "CASCADE", "RESTRICT")) {
      text += ` ${this.tok(index)?.upper}`;
      index++;
    }
    if (index !== end) this.syntax(`unexpected ${this.tok(index)?.text} in DROP`, index);
    return text;
  }

  private insert(start: number, end: number): string {
    let index = start + 1;
    if (this.isWord(index, "INTO")) index++;
    const name = this.tableName(index);
    index = name.next;
    let columns = "";
    if (this.isPunct(index, "(") && !this.isWord(index + 1, "SELECT", "WITH")) {
      const open = index;
      index = this.after(open);
      columns = ` (${this.expr({ start: open + 1, end: index - 1 })})`;
    }
    return `INSERT INTO ${name.text}${columns}${this.seq(index, end)}`;
  }

  /** `[AS] alias` after a table name in DML; `stop` words end it. */
  private alias(index: number, ...stop: string[]): { text: string; name: string | undefined; next: number } {
    let cursor = index;
    if (this.isWord(cursor, "AS")) cursor++;
    const token = this.tok(cursor);
    if (token && (token.kind === "quoted" || (token.kind === "word" && !RESERVED.has(token.upper) && !stop.includes(token.upper)))) {
      return { text: ` AS ${this.identText(token)}`, name: token.value, next: cursor + 1 };
    }
    if (cursor !== index) this.syntax("expected an alias after AS", cursor);
    return { text: "", name: undefined, next: index };
  }

  private deleteStatement(start: number, end: number): string {
    let index = start + 1;
    if (this.isWord(index, "FROM")) index++;
    const name = this.tableName(index);
    const alias = this.alias(name.next, "WHERE");
    index = alias.next;
    if (!this.isWord(index, "WHERE")) {
      if (index >= end) this.refuse("DELETE without WHERE", start, "BigQuery requires a WHERE clause");
      this.syntax(`unexpected ${this.tok(index)?.text} in DELETE`, index);
    }
    return `DELETE FROM ${name.text}${alias.text}${this.seq(index, end)}`;
  }

  /** `col = expr, ...` with the target's qualifier dropped (DuckDB SET takes bare column names). */
  private assignments(range: Range, qualifiers: string[]): string {
    return this.split(range)
      .map((item) => {
        let index = item.start;
        const path: Token[] = [];
        for (;;) {
          const token = this.tok(index);
          if (!token || (token.kind !== "word" && token.kind !== "quoted")) this.syntax("expected a column to SET", index);
          path.push(token);
          index++;
          if (!this.isPunct(index, ".")) break;
          index++;
        }
        if (!this.isPunct(index, "=")) this.syntax("expected = in SET", index);
        const column = path.at(-1) as Token;
        if (path.length > 2 || (path.length === 2 && !qualifiers.includes((path[0] as Token).value.toLowerCase()))) {
          this.refuse("UPDATE of a STRUCT field", item.start);
        }
        return `${this.identText(column)} = ${this.expr({ start: index + 1, end: item.end })}`;
      })
      .join(", ");
  }

  private update(start: number, end: number): string {
    const name = this.tableName(start + 1);
    const alias = this.alias(name.next, "SET");
    let index = alias.next;
    if (!this.isWord(index, "SET")) this.syntax("expected SET in UPDATE", index);
    const setEnd = (() => {
      const stop = this.findWord({ start: index + 1, end }, "FROM", "WHERE");
      return stop < 0 ? end : stop;
    })();
    const qualifiers = [name.last.toLowerCase(), ...(alias.name ? [alias.name.toLowerCase()] : [])];
    const sets = this.assignments({ start: index + 1, end: setEnd }, qualifiers);
    index = setEnd;
    if (this.findWord({ start: index, end }, "WHERE") < 0) this.refuse("UPDATE without WHERE", start, "BigQuery requires a WHERE clause");
    return `UPDATE ${name.text}${alias.text} SET ${sets}${this.seq(index, end)}`;
  }

  private merge(start: number, end: number): string {
    let index = start + 1;
    if (this.isWord(index, "INTO")) index++;
    const target = this.tableName(index);
    const targetAlias = this.alias(target.next, "USING");
    index = targetAlias.next;
    if (!this.isWord(index, "USING")) this.syntax("expected USING in MERGE", index);
    index++;
    let source: string;
    if (this.isPunct(index, "(")) {
      const open = index;
      index = this.after(open);
      source = `(${this.expr({ start: open + 1, end: index - 1 })})`;
    } else {
      const name = this.tableName(index);
      source = name.text;
      index = name.next;
    }
    const sourceAlias = this.alias(index, "ON");
    index = sourceAlias.next;
    if (!this.isWord(index, "ON")) this.syntax("expected ON in MERGE", index);
    const whens = this.mergeClauses({ start: index + 1, end });
    const condition = this.expr({ start: index + 1, end: whens[0]?.start ?? end });
    if (whens.length === 0) this.syntax("MERGE needs at least one WHEN clause", end - 1);
    const qualifiers = [target.last.toLowerCase(), ...(targetAlias.name ? [targetAlias.name.toLowerCase()] : [])];
    const clauses = whens.map((range) => this.mergeClause(range, qualifiers));
    return `MERGE INTO ${target.text}${targetAlias.text} USING ${source}${sourceAlias.text} ON ${condition}${clauses.join("")}`;
  }

  /** The ranges of the top-level WHEN clauses of a MERGE (CASE ... WHEN inside is skipped). */
  private mergeClauses(range: Range): Range[] {
    const starts: number[] = [];
    for (let index = range.start; index < range.end; index++) {
      if ((this.match[index] ?? -1) > index) {
        index = this.after(index) - 1;
        continue;
      }
      if (this.isWord(index, "WHEN") && (this.isWord(index + 1, "MATCHED") || (this.isWord(index + 1, "NOT") && this.isWord(index + 2, "MATCHED")))) {
        starts.push(index);
      }
    }
    return starts.map((start, position) => ({ start, end: starts[position + 1] ?? range.end }));
  }

  private mergeClause(range: Range, qualifiers: string[]): string {
    let index = range.start + 1;
    let text = "\nWHEN";
    let bySource = false;
    if (this.isWord(index, "NOT")) {
      text += " NOT";
      index++;
    }
    text += " MATCHED";
    index++;
    if (this.isWord(index, "BY")) {
      const side = this.tok(index + 1)?.upper;
      if (side !== "TARGET" && side !== "SOURCE") this.syntax("expected BY TARGET or BY SOURCE", index + 1);
      bySource = side === "SOURCE";
      text += ` BY ${side}`;
      index += 2;
    }
    const then = this.findWord({ start: index, end: range.end }, "THEN");
    if (then < 0) this.syntax("expected THEN in WHEN clause", index);
    if (this.isWord(index, "AND")) text += ` AND ${this.expr({ start: index + 1, end: then })}`;
    else if (then !== index) this.syntax("expected AND or THEN", index);
    index = then + 1;
    const action = this.tok(index)?.upper;
    if (action === "DELETE") {
      if (index + 1 !== range.end) this.syntax("unexpected text after DELETE", index + 1);
      return `${text} THEN DELETE`;
    }
    if (action === "UPDATE") {
      if (!this.isWord(index + 1, "SET")) this.syntax("expected SET", index + 1);
      return `${text} THEN UPDATE SET ${this.assignments({ start: index + 2, end: range.end }, qualifiers)}`;
    }
    if (action === "INSERT" && !bySource) {
      index++;
      let columns = "";
      if (this.isPunct(index, "(")) {
        const open = index;
        index = this.after(open);
        columns = ` (${this.expr({ start: open + 1, end: index - 1 })})`;
      }
      if (this.isWord(index, "ROW")) {
        if (columns || index + 1 !== range.end) this.syntax("INSERT ROW takes no column list", index);
        // Both insert the source row's columns by position.
        return `${text} THEN INSERT *`;
      }
      if (!this.isWord(index, "VALUES") || !this.isPunct(index + 1, "(")) this.syntax("expected VALUES (...) or ROW", index);
      const open = index + 1;
      if (this.after(open) !== range.end) this.syntax("unexpected text after VALUES (...)", this.after(open));
      return `${text} THEN INSERT${columns} VALUES (${this.expr({ start: open + 1, end: this.after(open) - 1 })})`;
    }
    return this.syntax(`unexpected MERGE action ${this.tok(index)?.text ?? ""}`, index);
  }

  // ---------------------------------------------------------------------------------------------
  // Types

  /** A BigQuery type starting at `index` as DuckDB's; `next` is the index after it. */
  /** The whole token list as one column type. */
  columnType(): string {
    const parsed = this.parseType(0);
    if (parsed.next !== this.tokens.length) this.syntax("expected a single type", parsed.next);
    return parsed.text;
  }

  private parseType(index: number): { text: string; next: number; base: string } {
    const cursor = { index, pendingClose: false };
    const text = this.typeAt(cursor);
    if (cursor.pendingClose) this.syntax("unbalanced > in type", cursor.index);
    return { text, next: cursor.index, base: text.replace(/\(.*$/s, "") };
  }

  private typeAt(cursor: { index: number; pendingClose: boolean }): string {
    const start = cursor.index;
    const token = this.tok(start);
    if (!token || token.kind !== "word") return this.syntax("expected a type", start);
    cursor.index++;
    const parameterised = this.isPunct(cursor.index, "(");
    const refuseParameters = (): void => {
      if (parameterised) this.refuse(`parameterised type ${token.upper}(...)`, start, "DuckDB does not enforce the length");
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
        cursor.index = this.after(open);
        const params = this.split({ start: open + 1, end: cursor.index - 1 }).map((range) => this.tok(range.start)?.text ?? "");
        if (params.length < 1 || params.length > 2 || params.some((param) => !/^\d+$/.test(param))) this.syntax("NUMERIC(P[, S]) takes integers", open);
        return `DECIMAL(${params[0]}, ${params[1] ?? "0"})`;
      }
      case "BIGNUMERIC":
      case "BIGDECIMAL":
        return this.refuse(token.upper, start, "DuckDB decimals stop at 38 digits");
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
        this.expectAngle(cursor, "<");
        const element = this.typeAt(cursor);
        this.expectAngle(cursor, ">");
        return `${element}[]`;
      }
      case "STRUCT": {
        this.expectAngle(cursor, "<");
        const fields: string[] = [];
        for (;;) {
          const name = this.tok(cursor.index);
          if (!name || (name.kind !== "word" && name.kind !== "quoted") || this.isPunct(cursor.index + 1, ",") || this.isPunct(cursor.index + 1, ">")) {
            this.refuse("STRUCT type with unnamed fields", cursor.index, "DuckDB struct fields need names");
          }
          cursor.index++;
          fields.push(`${this.quoteIdent(name.value)} ${this.typeAt(cursor)}`);
          if (this.isPunct(cursor.index, ",") && !cursor.pendingClose) {
            cursor.index++;
            continue;
          }
          break;
        }
        this.expectAngle(cursor, ">");
        return `STRUCT(${fields.join(", ")})`;
      }
      default:
        return this.refuse(`type ${token.text}`, start);
    }
  }

  /** Consumes `<` or `>`; a `>>` token closes two levels, half at a time. */
  private expectAngle(cursor: { index: number; pendingClose: boolean }, angle: "<" | ">"): void {
    const upper = this.tok(cursor.index)?.upper;
    if (angle === ">" && upper === ">>") {
      if (cursor.pendingClose) {
        cursor.pendingClose = false;
        cursor.index++;
      } else {
        cursor.pendingClose = true;
      }
      return;
    }
    if (upper !== angle) this.syntax(`expected ${angle} in type`, cursor.index);
    cursor.index++;
  }

  // ---------------------------------------------------------------------------------------------
  // The expression / query walker

  /** Translates tokens [start, end): a query, an expression, or any part of one. */
  private seq(start: number, end: number): string {
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
      const token = this.tokens[index] as Token;
      // Subscripts, field access and a window's OVER still belong to the operand just written.
      const postfix =
        walk.out.afterOperand && (token.upper === "[" || (token.upper === "." && token.kind === "punct") || (token.kind === "word" && token.upper === "OVER"));
      if (!postfix) this.closePending(walk, token);
      index = this.step(walk, index, end);
    }
    this.closePending(walk, undefined);
    this.endOrderItem(walk, false);
    return walk.out.text();
  }

  /** Wraps a finished divisor in bq_nonzero and gives a finished LIKE pattern its escape. */
  private closePending(walk: Walk, next: Token | undefined): void {
    const { out } = walk;
    if (!out.afterOperand) return;
    if (walk.divisorAt >= 0) {
      const single = this.tokens[walk.divisorToken];
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
      const single = this.tokens[walk.likeToken];
      const plain = single?.kind === "string" && !single.value.includes("\\") && out.parts.length - walk.likeAt === 1;
      // BigQuery's LIKE treats backslash as its escape character; DuckDB's LIKE has none by default.
      if (!plain) out.operand(`${out.parts.splice(walk.likeAt).join("")} ESCAPE '\\'`);
      walk.likeAt = -1;
    }
  }

  /** Adds BigQuery's default NULL order to the ORDER BY item just finished. */
  private endOrderItem(walk: Walk, more: boolean): void {
    const order = walk.orderBy;
    if (!order.active) return;
    // BigQuery sorts NULLs first ascending and last descending; DuckDB sorts them last both ways.
    if (!order.hasNulls) walk.out.other(order.desc ? " NULLS LAST" : " NULLS FIRST");
    order.hasNulls = false;
    order.desc = false;
    order.active = more;
  }

  /** Translates the construct starting at `index`; returns the index after it. */
  private step(walk: Walk, index: number, end: number): number {
    const token = this.tokens[index] as Token;
    const { out } = walk;
    const lead = token.space;

    if (walk.tablePosition && (token.kind === "word" || token.kind === "quoted" || token.upper === "(")) {
      if (!(token.kind === "word" && RESERVED.has(token.upper) && token.upper !== "UNNEST")) return this.tableItem(walk, index, end);
      walk.tablePosition = false;
    }

    switch (token.kind) {
      case "string":
        if (token.value.includes("\0")) this.refuse("string literal containing NUL", index);
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
        return this.refuse(`system variable @@${token.value}`, index, "procedural language");
      case "quoted":
        return this.identifierChain(walk, index);
      case "op":
      case "punct":
        return this.punctuation(walk, index);
      case "word":
        return this.word(walk, index, end);
    }
  }

  private punctuation(walk: Walk, index: number): number {
    const token = this.tokens[index] as Token;
    const { out } = walk;
    const lead = token.space;
    switch (token.upper) {
      case "(": {
        const close = this.after(index) - 1;
        out.operand(`${lead}(${this.seq(index + 1, close)}${this.space(close)})`);
        return close + 1;
      }
      case "[": {
        const close = this.after(index) - 1;
        if (out.afterOperand) {
          out.replaceOperand(this.subscript(out.operandText(), { start: index + 1, end: close }, index));
          return close + 1;
        }
        out.operand(`${lead}[${this.seq(index + 1, close)}]`);
        return close + 1;
      }
      case ".": {
        const field = this.tok(index + 1);
        if (!out.afterOperand || !field || (field.kind !== "word" && field.kind !== "quoted")) this.syntax("unexpected .", index);
        const base = out.operandText();
        const leadBase = base.match(/^\s*/)?.[0] ?? "";
        out.replaceOperand(`${leadBase}(${base.trim()}).${this.identText(field)}`);
        return index + 2;
      }
      case ",":
        if (walk.orderBy.active) this.endOrderItem(walk, true);
        out.other(`${lead},`);
        if (walk.clause === "from") walk.tablePosition = true;
        return index + 1;
      case "*": {
        if (out.afterOperand) {
          out.other(`${lead}*`);
          return index + 1;
        }
        out.operand(`${lead}*`);
        return this.starModifiers(walk, index + 1);
      }
      case "/":
        out.other(`${lead}/`);
        walk.divisorAt = out.parts.length;
        walk.divisorToken = index + 1;
        return index + 1;
      case "^":
        return this.refuse("operator ^ (bitwise XOR)", index, "DuckDB's ^ is exponentiation");
      case "%":
      case "?":
      case "=>":
      case "->":
      case "{":
      case "}":
      case ":":
      case "!":
        return this.refuse(`operator ${token.upper}`, index);
      case ")":
      case "]":
      case ";":
        return this.syntax(`unexpected ${token.upper}`, index);
      default:
        out.other(`${lead}${token.upper}`);
        return index + 1;
    }
  }

  /** `* EXCEPT (a, b)` -> `* EXCLUDE (a, b)`; `* REPLACE (expr AS a)` is the same in DuckDB. */
  private starModifiers(walk: Walk, index: number): number {
    const { out } = walk;
    if (this.isWord(index, "EXCEPT") && this.isPunct(index + 1, "(")) {
      const close = this.after(index + 1) - 1;
      out.operand(`${out.parts.pop() ?? ""}${this.space(index)}EXCLUDE (${this.expr({ start: index + 2, end: close })})`);
      return this.starModifiers(walk, close + 1);
    }
    if (this.isWord(index, "REPLACE") && this.isPunct(index + 1, "(")) {
      const close = this.after(index + 1) - 1;
      out.operand(`${out.parts.pop() ?? ""}${this.space(index)}REPLACE (${this.expr({ start: index + 2, end: close })})`);
      return this.starModifiers(walk, close + 1);
    }
    return index;
  }

  /** `arr[OFFSET(i)]`, `[SAFE_OFFSET(i)]`, `[ORDINAL(i)]`, `[SAFE_ORDINAL(i)]`, `arr[i]`. */
  private subscript(base: string, inner: Range, at: number): string {
    const lead = base.match(/^\s*/)?.[0] ?? "";
    const array = base.trim();
    const first = this.tok(inner.start);
    if (first?.kind === "word" && this.isPunct(inner.start + 1, "(") && this.after(inner.start + 1) === inner.end) {
      const position = this.expr({ start: inner.start + 2, end: inner.end - 1 });
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
    if (inner.end === inner.start) this.syntax("empty subscript", at);
    if (this.stringLiteral(inner) !== undefined) this.refuse("JSON or field subscript ['name']", at);
    return `${lead}bq_offset(${array}, ${this.expr(inner)})`;
  }

  /** A FROM item: table name, subquery or UNNEST, with its alias handled by the caller's walk. */
  private tableItem(walk: Walk, index: number, end: number): number {
    walk.tablePosition = false;
    const token = this.tokens[index] as Token;
    const { out } = walk;
    if (token.upper === "(") {
      const close = this.after(index) - 1;
      out.operand(`${token.space}(${this.seq(index + 1, close)}${this.space(close)})`);
      return close + 1;
    }
    if (this.isWord(index, "UNNEST") && this.isPunct(index + 1, "(")) return this.unnestItem(walk, index, end);
    const name = this.tableName(index);
    if (this.isPunct(name.next, "(")) this.refuse(`table-valued function ${this.tokens.slice(index, name.next).map((part) => part.text).join("")}()`, index);
    if (this.isWord(name.next, "FOR") && this.isWord(name.next + 1, "SYSTEM_TIME", "SYSTEM")) this.refuse("FOR SYSTEM_TIME AS OF", name.next);
    out.operand(`${token.space}${name.text}`);
    return name.next;
  }

  /**
   * `UNNEST(arr) [AS] x [WITH OFFSET [AS] o]`. BigQuery names the element column after the
   * alias; DuckDB names it `unnest` unless given a column alias, hence `AS x(x)`. BigQuery's offset
   * is 0-based and zipped with the elements.
   */
  private unnestItem(walk: Walk, index: number, end: number): number {
    const token = this.tokens[index] as Token;
    const close = this.after(index + 1) - 1;
    const array = this.expr({ start: index + 2, end: close });
    let cursor = close + 1;
    if (this.isWord(cursor, "AS")) cursor++;
    const aliasToken = this.tok(cursor);
    if (!aliasToken || cursor >= end || !(aliasToken.kind === "quoted" || (aliasToken.kind === "word" && !RESERVED.has(aliasToken.upper)))) {
      return this.refuse("UNNEST without an alias", index, "name the element: UNNEST(arr) AS x");
    }
    const alias = this.identText(aliasToken);
    cursor++;
    // BigQuery lets a join with UNNEST (correlated) omit its condition; DuckDB wants one.
    const joined = this.isWord(index - 1, "JOIN") && !this.isWord(index - 2, "CROSS");
    const condition = (next: number): string => (joined && !this.isWord(next, "ON", "USING") ? " ON TRUE" : "");
    if (this.isWord(cursor, "WITH") && this.isWord(cursor + 1, "OFFSET")) {
      cursor += 2;
      if (this.isWord(cursor, "AS")) cursor++;
      const offsetToken = this.tok(cursor);
      if (!offsetToken || cursor >= end || !(offsetToken.kind === "quoted" || (offsetToken.kind === "word" && !RESERVED.has(offsetToken.upper)))) {
        return this.refuse("WITH OFFSET without an alias", cursor, "name the offset: WITH OFFSET AS i");
      }
      const offset = this.identText(offsetToken);
      walk.out.operand(`${token.space}(SELECT UNNEST(${array}) AS ${alias}, generate_subscripts(${array}, 1) - 1 AS ${offset}) AS ${alias}${condition(cursor + 1)}`);
      return cursor + 1;
    }
    walk.out.operand(`${token.space}UNNEST(${array}) AS ${alias}(${alias})${condition(cursor)}`);
    return cursor;
  }

  /** An identifier or a dotted path (`t.col`, `` `ds.t`.col ``, `t.*`). */
  private identifierChain(walk: Walk, index: number): number {
    const first = this.tokens[index] as Token;
    const names: string[] = [];
    let cursor = index;
    for (;;) {
      const token = this.tokens[cursor] as Token;
      if (token.kind === "quoted") {
        for (const part of token.value.split(".")) names.push(this.quoteIdent(part));
      } else {
        names.push(this.identText(token));
      }
      cursor++;
      if (!this.isPunct(cursor, ".")) break;
      const next = this.tok(cursor + 1);
      if (next?.kind === "word" || next?.kind === "quoted") {
        cursor++;
        continue;
      }
      if (next?.upper === "*") {
        walk.out.operand(`${first.space}${names.join(".")}.*`);
        return this.starModifiers(walk, cursor + 2);
      }
      break;
    }
    walk.out.operand(`${first.space}${names.join(".")}`);
    return cursor;
  }

  private keyword(walk: Walk, index: number, text?: string): number {
    const token = this.tokens[index] as Token;
    walk.out.other(`${token.space}${text ?? token.upper}`);
    return index + 1;
  }

  private word(walk: Walk, index: number, end: number): number {
    const token = this.tokens[index] as Token;
    const { out } = walk;
    const upper = token.upper;
    const lead = token.space;
    const nextIsParen = this.isPunct(index + 1, "(");

    switch (upper) {
      case "SELECT":
        if (this.isWord(index + 1, "AS") && this.isWord(index + 2, "STRUCT", "VALUE")) this.refuse(`SELECT AS ${this.tok(index + 2)?.upper}`, index);
        walk.clause = "select";
        return this.keyword(walk, index);
      case "FROM": {
        const previous = this.tok(index - 1);
        const isDistinctFrom = previous?.upper === "DISTINCT" && this.isWord(index - 2, "IS", "NOT");
        if (!isDistinctFrom) {
          walk.clause = "from";
          walk.tablePosition = true;
        }
        return this.keyword(walk, index);
      }
      case "JOIN":
        walk.tablePosition = true;
        return this.keyword(walk, index);
      case "ON":
      case "USING":
        // Still inside FROM: a comma after the join condition starts another table.
        walk.tablePosition = false;
        return this.keyword(walk, index);
      case "WHERE":
      case "GROUP":
      case "HAVING":
      case "QUALIFY":
      case "WINDOW":
        this.endOrderItem(walk, false);
        walk.clause = "other";
        walk.tablePosition = false;
        return this.keyword(walk, index);
      case "ORDER":
        if (!this.isWord(index + 1, "BY")) this.syntax("expected BY after ORDER", index + 1);
        this.endOrderItem(walk, false);
        walk.clause = "other";
        out.other(`${lead}ORDER${this.space(index + 1)}BY`);
        walk.orderBy = { active: true, hasNulls: false, desc: false };
        return index + 2;
      case "LIMIT":
        this.endOrderItem(walk, false);
        walk.clause = "other";
        walk.inLimit = true;
        return this.keyword(walk, index);
      case "OFFSET":
        if (walk.inLimit) return this.keyword(walk, index);
        break;
      case "UNION":
      case "INTERSECT":
      case "EXCEPT":
      case "ROWS":
      case "RANGE":
      case "GROUPS":
        if (upper === "RANGE" && this.tok(index + 1)?.kind === "string") this.refuse("RANGE literal", index);
        this.endOrderItem(walk, false);
        walk.clause = "none";
        walk.inLimit = false;
        return this.keyword(walk, index);
      case "DESC":
        walk.orderBy.desc = true;
        return this.keyword(walk, index);
      case "NULLS":
        walk.orderBy.hasNulls = true;
        return this.keyword(walk, index);
      case "CASE": {
        const close = this.after(index) - 1;
        out.operand(`${lead}CASE${this.seq(index + 1, close)}${this.space(close)}END`);
        return close + 1;
      }
      case "LIKE":
        if (this.isWord(index + 1, "ANY", "SOME", "ALL")) this.refuse(`LIKE ${this.tok(index + 1)?.upper}`, index);
        this.keyword(walk, index);
        walk.likeAt = out.parts.length;
        walk.likeToken = index + 1;
        return index + 1;
      case "IN":
        if (this.isWord(index + 1, "UNNEST") && this.isPunct(index + 2, "(")) {
          // A subquery keeps IN's NULL semantics (NULL when not found and the array has a NULL).
          const close = this.after(index + 2) - 1;
          out.operand(`${lead}IN (SELECT UNNEST(${this.expr({ start: index + 3, end: close })}))`);
          return close + 1;
        }
        return this.keyword(walk, index);
      case "INTERVAL":
        return this.interval(walk, index, end);
      case "ARRAY":
        if (this.isPunct(index + 1, "<")) return this.typedArray(walk, index);
        if (nextIsParen) {
          const close = this.after(index + 1) - 1;
          out.operand(`${lead}ARRAY(${this.seq(index + 2, close)})`);
          return close + 1;
        }
        return this.syntax("ARRAY must be followed by ( or <", index);
      case "STRUCT":
        if (this.isPunct(index + 1, "<")) return this.typedStruct(walk, index);
        if (nextIsParen) return this.structConstructor(walk, index);
        return this.syntax("STRUCT must be followed by ( or <", index);
      case "CAST":
      case "SAFE_CAST":
        if (nextIsParen) return this.cast(walk, index);
        break;
      case "EXTRACT":
        if (nextIsParen) return this.extract(walk, index);
        break;
      case "IF":
        if (nextIsParen) {
          const args = this.args(index + 1);
          if (args.length !== 3) this.syntax("IF takes 3 arguments", index);
          const [condition, then, otherwise] = args as [Range, Range, Range];
          out.operand(`${lead}CASE WHEN ${this.expr(condition)} THEN ${this.expr(then)} ELSE ${this.expr(otherwise)} END`);
          return this.after(index + 1);
        }
        break;
      case "TABLESAMPLE":
        return this.refuse("TABLESAMPLE", index, "sampling differs between the engines");
      case "FOR":
        if (this.isWord(index + 1, "SYSTEM_TIME", "SYSTEM")) this.refuse("FOR SYSTEM_TIME AS OF", index, "no time travel locally");
        break;
      case "COLLATE":
        return this.refuse("COLLATE", index);
      case "ESCAPE":
        return this.refuse("ESCAPE", index);
      case "AT":
        return this.refuse("AT TIME ZONE", index);
      case "PIVOT":
      case "UNPIVOT":
      case "MATCH_RECOGNIZE":
        if (nextIsParen) this.refuse(upper, index);
        break;
      case "CORRESPONDING":
        return this.refuse("CORRESPONDING", index);
      case "_TABLE_SUFFIX":
      case "_PARTITIONTIME":
      case "_PARTITIONDATE":
      case "_FILE_NAME":
        return this.refuse(`pseudo-column ${upper}`, index);
      case "CURRENT_DATE":
      case "CURRENT_TIMESTAMP":
      case "CURRENT_DATETIME":
        if (!nextIsParen) {
          out.operand(`${lead}${this.currentTime(upper, [], index)}`);
          return index + 1;
        }
        break;
      default:
        break;
    }

    const literalKind = ["DATE", "DATETIME", "TIME", "TIMESTAMP", "NUMERIC", "DECIMAL", "BIGNUMERIC", "BIGDECIMAL", "JSON"];
    if (literalKind.includes(upper) && this.tok(index + 1)?.kind === "string") {
      out.operand(`${lead}${this.typedLiteral(upper, (this.tok(index + 1) as Token).value, index)}`);
      return index + 2;
    }

    if (nextIsParen && (!RESERVED.has(upper) || upper === "GROUPING") && !SYNTAX_WORDS.has(upper)) {
      return this.call(walk, index);
    }

    if (this.isPunct(index + 1, ".") && !RESERVED.has(upper)) {
      // `ML.PREDICT(...)`, `SAFE.DIVIDE(...)`, `dataset.udf(...)`: a namespaced function call.
      let cursor = index + 1;
      while (this.isPunct(cursor, ".") && (this.tok(cursor + 1)?.kind === "word" || this.tok(cursor + 1)?.kind === "quoted")) cursor += 2;
      if (this.isPunct(cursor, "(")) {
        const name = this.tokens.slice(index, cursor).map((part) => part.text).join("");
        const reason = upper === "SAFE" ? "SAFE. turns errors into NULL, which DuckDB functions do not do" : undefined;
        this.refuse(`${name}()`, index, reason);
      }
    }

    if (RESERVED.has(upper) || SYNTAX_WORDS.has(upper)) {
      const isOperand = upper === "NULL" || upper === "TRUE" || upper === "FALSE";
      if (isOperand) {
        out.operand(`${lead}${upper}`);
        return index + 1;
      }
      return this.keyword(walk, index);
    }
    return this.identifierChain(walk, index);
  }

  // ---------------------------------------------------------------------------------------------
  // Literals and special forms

  private typedLiteral(kind: string, value: string, index: number): string {
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
        return this.refuse("JSON literal", index, "DuckDB's JSON type does not normalise values as BigQuery's does");
      default:
        return this.refuse(kind, index, "DuckDB decimals stop at 38 digits");
    }
  }

  /** `INTERVAL n UNIT` (n an integer expression) -> `INTERVAL (n) UNIT`. */
  private interval(walk: Walk, index: number, end: number): number {
    const parsed = this.intervalAt(index, end);
    walk.out.operand(`${this.space(index)}${parsed.text}`);
    return parsed.next;
  }

  private intervalAt(index: number, end: number): { text: string; next: number; amount: string; unit: string } {
    let cursor = index + 1;
    const amountStart = cursor;
    while (this.isPunct(cursor, "-") || this.isPunct(cursor, "+")) cursor++;
    const token = this.tok(cursor);
    if (!token || cursor >= end) this.syntax("expected an amount after INTERVAL", cursor);
    if ((this.match[cursor] ?? -1) > cursor) cursor = this.after(cursor);
    else if (token.kind === "word" && this.isPunct(cursor + 1, "(")) cursor = this.after(cursor + 1);
    else if (token.kind === "word" || token.kind === "quoted") {
      cursor++;
      while (this.isPunct(cursor, ".") && (this.tok(cursor + 1)?.kind === "word" || this.tok(cursor + 1)?.kind === "quoted")) cursor += 2;
    } else cursor++;
    const unitToken = this.tok(cursor);
    const unit = unitToken?.kind === "word" ? unitToken.upper : "";
    if (!INTERVAL_FUNCTIONS[unit]) this.syntax("expected a date part after INTERVAL n", cursor);
    if (this.isWord(cursor + 1, "TO")) this.refuse("INTERVAL ... TO ... range", index);
    let amount: string;
    const literal = this.stringLiteral({ start: amountStart, end: cursor });
    if (literal !== undefined) {
      if (!/^\s*[+-]?\d+\s*$/.test(literal)) this.refuse(`INTERVAL '${literal}' ${unit}`, index);
      amount = String(parseInt(literal, 10));
    } else {
      amount = this.expr({ start: amountStart, end: cursor });
    }
    const duckUnit = unit === "QUARTER" ? "MONTH" : unit;
    const scaled = unit === "QUARTER" ? `3 * (${amount})` : amount;
    return { text: `INTERVAL (${scaled}) ${duckUnit}`, next: cursor + 1, amount: scaled, unit };
  }

  private typedArray(walk: Walk, index: number): number {
    const type = this.parseType(index);
    if (!this.isPunct(type.next, "[")) this.syntax("expected [ after ARRAY<...>", type.next);
    const close = this.after(type.next) - 1;
    walk.out.operand(`${this.space(index)}CAST([${this.seq(type.next + 1, close)}] AS ${type.text})`);
    return close + 1;
  }

  private typedStruct(walk: Walk, index: number): number {
    const type = this.parseType(index);
    if (!this.isPunct(type.next, "(")) this.syntax("expected ( after STRUCT<...>", type.next);
    const fields = splitStructFields(type.text);
    const args = this.args(type.next);
    if (args.length !== fields.length) this.syntax(`STRUCT<...> has ${fields.length} fields but ${args.length} values`, type.next);
    const values = args.map((range, position) => {
      const field = fields[position] as { name: string; type: string };
      return `${field.name} := CAST(${this.expr(range)} AS ${field.type})`;
    });
    walk.out.operand(`${this.space(index)}struct_pack(${values.join(", ")})`);
    return this.after(type.next);
  }

  /** `STRUCT(1 AS a, x)` -> `struct_pack(a := 1, x := x)`; BigQuery names a field after a column. */
  private structConstructor(walk: Walk, index: number): number {
    const args = this.args(index + 1);
    if (args.length === 0) this.refuse("STRUCT()", index, "DuckDB has no empty struct");
    const fields = args.map((range) => {
      const last = this.tok(range.end - 1);
      if (range.end - range.start >= 3 && this.isWord(range.end - 2, "AS") && last && (last.kind === "word" || last.kind === "quoted")) {
        return `${this.quoteIdent(last.value)} := ${this.expr({ start: range.start, end: range.end - 2 })}`;
      }
      let cursor = range.start;
      while (cursor < range.end && (this.tok(cursor)?.kind === "word" || this.tok(cursor)?.kind === "quoted") && !RESERVED.has(this.tok(cursor)?.upper ?? "")) {
        if (cursor + 1 === range.end) {
          return `${this.quoteIdent((this.tok(cursor) as Token).value.split(".").at(-1) as string)} := ${this.expr(range)}`;
        }
        if (!this.isPunct(cursor + 1, ".")) break;
        cursor += 2;
      }
      return this.refuse("STRUCT field without a name", range.start, "write STRUCT(expr AS name)");
    });
    walk.out.operand(`${this.space(index)}struct_pack(${fields.join(", ")})`);
    return this.after(index + 1);
  }

  private cast(walk: Walk, index: number): number {
    const safe = this.tokens[index]?.upper === "SAFE_CAST";
    const open = index + 1;
    const close = this.after(open) - 1;
    const as = this.findWord({ start: open + 1, end: close }, "AS");
    if (as < 0) this.syntax("expected AS in CAST", open);
    const type = this.parseType(as + 1);
    if (this.isWord(type.next, "FORMAT")) this.refuse("CAST ... FORMAT", type.next);
    if (type.next !== close) this.syntax("unexpected text after the CAST type", type.next);
    const valueRange = { start: open + 1, end: as };
    const value = this.expr(valueRange);
    const isNull = this.wordOf(valueRange) === "NULL";
    const plain = `${safe ? "TRY_CAST" : "CAST"}(${value} AS ${type.text})`;
    let text: string;
    if (isNull) text = `CAST(NULL AS ${type.text})`;
    else if (type.text === "VARCHAR") text = this.stringLiteral(valueRange) !== undefined ? value : `bq_to_string(${value})`;
    else if (type.text === "BIGINT") text = `${safe ? "bq_safe_cast_int64" : "bq_cast_int64"}(${value})`;
    else if (type.text === "BOOLEAN") text = `${safe ? "bq_safe_cast_bool" : "bq_cast_bool"}(${value})`;
    else if (type.text === "BLOB") text = `bq_to_bytes(${value})`;
    else if (type.text === "JSON") text = this.refuse("CAST(... AS JSON)", index, "use PARSE_JSON in BigQuery; not supported locally");
    else text = plain;
    walk.out.operand(`${this.space(index)}${text}`);
    return close + 1;
  }

  /** EXTRACT(part FROM x [AT TIME ZONE tz]). */
  private extract(walk: Walk, index: number): number {
    const open = index + 1;
    const close = this.after(open) - 1;
    const from = this.findWord({ start: open + 1, end: close }, "FROM");
    if (from < 0) this.syntax("expected FROM in EXTRACT", open);
    const part = this.datePart({ start: open + 1, end: from }, "EXTRACT");
    const at = this.findWord({ start: from + 1, end: close }, "AT");
    let value = this.operandOf({ start: from + 1, end: at < 0 ? close : at });
    if (at >= 0) {
      if (!this.isWord(at + 1, "TIME") || !this.isWord(at + 2, "ZONE")) this.syntax("expected AT TIME ZONE", at);
      value = `timezone(${this.expr({ start: at + 3, end: close })}, ${value})`;
    }
    const simple: Record<string, string> = {
      YEAR: "year",
      QUARTER: "quarter",
      MONTH: "month",
      DAY: "day",
      DAYOFYEAR: "dayofyear",
      ISOWEEK: "week",
      ISOYEAR: "isoyear",
      HOUR: "hour",
      MINUTE: "minute",
      SECOND: "second",
    };
    let text: string;
    if (simple[part.name]) text = `${simple[part.name]}(${value})`;
    else if (part.name === "DAYOFWEEK") text = `(dayofweek(${value}) + 1)`; // BigQuery 1 = Sunday; DuckDB 0 = Sunday
    else if (part.name === "WEEK") text = `bq_week(${value}, ${part.weekday})`;
    else if (part.name === "MILLISECOND") text = `(millisecond(${value}) % 1000)`; // DuckDB counts the seconds too
    else if (part.name === "MICROSECOND") text = `(microsecond(${value}) % 1000000)`;
    else if (part.name === "DATE") text = `CAST(${value} AS DATE)`;
    else if (part.name === "DATETIME") text = `CAST(${value} AS TIMESTAMP)`;
    else if (part.name === "TIME") text = `CAST(${value} AS TIME)`;
    else text = this.refuse(`EXTRACT(${part.name})`, index);
    walk.out.operand(`${this.space(index)}${text}`);
    return close + 1;
  }

  /** A date part argument: `DAY`, `WEEK`, `WEEK(MONDAY)`...; weekday 0 = Sunday. */
  private datePart(range: Range, context: string): { name: string; weekday: number } {
    const word = this.tok(range.start);
    if (!word || word.kind !== "word") return this.syntax(`expected a date part in ${context}`, range.start);
    if (range.end - range.start === 1) return { name: word.upper, weekday: word.upper === "ISOWEEK" ? 1 : 0 };
    if (word.upper === "WEEK" && this.isPunct(range.start + 1, "(") && this.after(range.start + 1) === range.end) {
      const day = this.wordOf({ start: range.start + 2, end: range.end - 1 });
      const weekday = WEEKDAYS.indexOf(day ?? "");
      if (weekday < 0) this.syntax("WEEK(<weekday>) takes SUNDAY ... SATURDAY", range.start + 2);
      return { name: "WEEK", weekday };
    }
    return this.syntax(`expected a date part in ${context}`, range.start);
  }

  private currentTime(upper: string, args: Range[], index: number): string {
    if (args.length > 1) this.syntax(`${upper} takes at most a time zone`, index);
    const zone = args[0] ? this.expr(args[0]) : undefined;
    switch (upper) {
      case "CURRENT_DATE":
        // current_date is the date in the connection's time zone, UTC like BigQuery's default.
        return zone ? `CAST(timezone(${zone}, current_timestamp) AS DATE)` : "current_date";
      case "CURRENT_DATETIME":
        return `timezone(${zone ?? "'UTC'"}, current_timestamp)`;
      default:
        if (zone) this.syntax("CURRENT_TIMESTAMP takes no argument", index);
        return "current_timestamp";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Function calls

  private call(walk: Walk, index: number): number {
    const token = this.tokens[index] as Token;
    const name = token.upper;
    const open = index + 1;
    const next = this.after(open);
    const args = this.args(open);
    const inner = (): string => this.seq(open + 1, next - 1).trim();
    const arity = (min: number, max = min): void => {
      if (args.length < min || args.length > max) {
        this.syntax(`${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`, index);
      }
    };
    const emit = (text: string): number => {
      walk.out.operand(`${token.space}${text}`);
      return next;
    };
    const arg = (position: number): string => this.expr(args[position] as Range);

    const refusal = REFUSED_FUNCTIONS[name];
    if (refusal) this.refuse(`${name}()`, index, refusal);
    const same = SAME_FUNCTIONS[name];
    if (same) {
      const bounds = ARITY[name];
      if (bounds) arity(bounds[0], bounds[1]);
      return emit(`${same}(${inner()})`);
    }

    switch (name) {
      case "IFNULL":
        arity(2);
        return emit(`coalesce(${arg(0)}, ${arg(1)})`);
      case "IEEE_DIVIDE":
        arity(2);
        // The one division that returns Infinity / NaN in BigQuery too.
        return emit(`(CAST(${arg(0)} AS DOUBLE) / CAST(${arg(1)} AS DOUBLE))`);
      case "LOG":
        arity(1, 2);
        return emit(args.length === 1 ? `ln(${arg(0)})` : `bq_log(${arg(0)}, ${arg(1)})`);
      case "ROUND":
      case "TRUNC": {
        arity(1, 2);
        if (args.length === 2 && this.stringLiteral(args[1] as Range) !== undefined) this.refuse(`${name}() with a rounding mode`, index);
        const digits = args.length === 2 ? arg(1) : "0";
        // With no digits there is no scaling, so DuckDB's round/trunc are exact.
        if (digits === "0") return emit(`${name.toLowerCase()}(${arg(0)})`);
        return emit(`bq_${name.toLowerCase()}(${arg(0)}, ${digits})`);
      }
      case "GREATEST":
      case "LEAST":
        if (args.length === 0) this.syntax(`${name}() needs arguments`, index);
        return emit(`bq_${name.toLowerCase()}([${args.map((range) => this.expr(range)).join(", ")}])`);
      case "RAND":
        arity(0);
        return emit("random()");
      case "CONCAT":
        if (args.length === 0) this.syntax("CONCAT() needs arguments", index);
        // || is NULL when any operand is NULL, like BigQuery's CONCAT; DuckDB's concat skips NULLs.
        return emit(`(${args.map((range) => this.operandOf(range)).join(" || ")})`);
      case "TRIM":
      case "LTRIM":
      case "RTRIM":
        arity(1, 2);
        return emit(args.length === 1 ? `bq_${name.toLowerCase()}(${arg(0)})` : `${name.toLowerCase()}(${arg(0)}, ${arg(1)})`);
      case "SPLIT":
        arity(1, 2);
        return emit(`string_split(${arg(0)}, ${args.length === 2 ? arg(1) : "','"})`);
      case "REGEXP_REPLACE":
        arity(3);
        // BigQuery replaces every match; DuckDB only the first unless given 'g'.
        return emit(`regexp_replace(${arg(0)}, ${arg(1)}, ${arg(2)}, 'g')`);
      case "REGEXP_EXTRACT":
      case "REGEXP_SUBSTR":
        return emit(this.regexpExtract(name, args, index));
      case "FORMAT":
        return emit(this.format(args, index));
      case "ARRAY_AGG":
        return emit(this.arrayAgg(open, next, index));
      case "STRING_AGG": {
        const limit = this.findWord({ start: open + 1, end: next - 1 }, "LIMIT");
        if (limit >= 0) this.refuse("STRING_AGG(... LIMIT n)", limit);
        return emit(`string_agg(${inner()})`);
      }
      case "ARRAY_CONCAT":
        if (args.length === 0) this.syntax("ARRAY_CONCAT() needs arguments", index);
        // List || is NULL when any list is NULL, as ARRAY_CONCAT is.
        return emit(`(${args.map((range) => this.operandOf(range)).join(" || ")})`);
      case "ARRAY_TO_STRING":
        arity(2, 3);
        if (args.length === 3) this.refuse("ARRAY_TO_STRING() with a NULL replacement", index);
        return emit(`array_to_string(${arg(0)}, ${arg(1)})`);
      case "GENERATE_ARRAY":
        arity(2, 3);
        return emit(`generate_series(${args.map((range) => this.expr(range)).join(", ")})`);
      case "CURRENT_DATE":
      case "CURRENT_TIMESTAMP":
      case "CURRENT_DATETIME":
        return emit(this.currentTime(name, args, index));
      case "DATE":
        arity(1, 3);
        if (args.length === 3) return emit(`make_date(${arg(0)}, ${arg(1)}, ${arg(2)})`);
        if (args.length === 2) return emit(`CAST(timezone(${arg(1)}, ${arg(0)}) AS DATE)`);
        return emit(`CAST(${arg(0)} AS DATE)`);
      case "DATETIME":
        arity(1, 6);
        if (args.length === 6) return emit(`make_timestamp(${args.map((range) => this.expr(range)).join(", ")})`);
        if (args.length !== 1) this.refuse(`DATETIME() with ${args.length} arguments`, index);
        return emit(`CAST(${arg(0)} AS TIMESTAMP)`);
      case "TIMESTAMP":
        arity(1, 2);
        if (args.length === 2) return emit(`timezone(${arg(1)}, CAST(${arg(0)} AS TIMESTAMP))`);
        return emit(`CAST(${arg(0)} AS TIMESTAMPTZ)`);
      case "DATE_ADD":
      case "DATE_SUB":
      case "DATETIME_ADD":
      case "DATETIME_SUB":
      case "TIMESTAMP_ADD":
      case "TIMESTAMP_SUB":
        return emit(this.dateAdd(name, args, index));
      case "DATE_DIFF":
      case "DATETIME_DIFF":
      case "TIMESTAMP_DIFF":
        return emit(this.dateDiff(name, args, index));
      case "DATE_TRUNC":
      case "DATETIME_TRUNC":
      case "TIMESTAMP_TRUNC":
        return emit(this.dateTrunc(name, args, index));
      case "FORMAT_DATE":
      case "FORMAT_DATETIME":
      case "FORMAT_TIMESTAMP":
        return emit(this.formatDate(name, args, index));
      case "PARSE_DATE":
      case "PARSE_DATETIME":
      case "PARSE_TIMESTAMP":
        return emit(this.parseDate(name, args, index));
      case "UNNEST":
        return this.refuse("UNNEST outside FROM or IN", index);
      default:
        return this.refuse(`${name}()`, index, "not in the local engine's list of functions known to behave as in BigQuery");
    }
  }

  private regexpExtract(name: string, args: Range[], index: number): string {
    if (args.length !== 2) this.refuse(`${name}() with position or occurrence`, index);
    const pattern = this.stringLiteral(args[1] as Range);
    if (pattern === undefined) this.refuse(`${name}() with a non-literal pattern`, index, "the capture group to return depends on the pattern");
    const groups = captureGroups(pattern);
    if (groups.count > 1) this.refuse(`${name}() with more than one capture group`, index, "BigQuery rejects it");
    if (groups.count === 1 && groups.optional) {
      this.refuse(`${name}() with an optional capture group`, index, "BigQuery returns NULL when the group does not take part, DuckDB an empty string");
    }
    return `bq_regexp_extract(${this.expr(args[0] as Range)}, ${sqlString(pattern)}, ${groups.count})`;
  }

  /** FORMAT('%d ...', ...) -> printf, for the specifiers that print the same. */
  private format(args: Range[], index: number): string {
    if (args.length === 0) this.syntax("FORMAT() needs a format string", index);
    const pattern = this.stringLiteral(args[0] as Range);
    if (pattern === undefined) this.refuse("FORMAT() with a non-literal format", index);
    const specifier = /%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])/g;
    for (const match of pattern.matchAll(specifier)) {
      const [whole, flags = "", width, precision, conversion = ""] = match;
      if (conversion === "%") continue;
      if (flags.includes("'") || width === "*" || precision === "*") this.refuse(`FORMAT() specifier ${whole}`, index);
      if (!"disfFeEgGxXo".includes(conversion)) this.refuse(`FORMAT() specifier ${whole}`, index, "%t, %T, %p, %P print BigQuery literals");
    }
    const rest = args.slice(1).map((range) => this.expr(range));
    return `printf(${[sqlString(pattern), ...rest].join(", ")})`;
  }

  /** ARRAY_AGG([DISTINCT] x [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]) -> list(...). */
  private arrayAgg(open: number, next: number, index: number): string {
    const range = { start: open + 1, end: next - 1 };
    const ignore = this.findWord(range, "IGNORE", "RESPECT");
    const order = this.findWord(range, "ORDER");
    const limit = this.findWord(range, "LIMIT");
    const valueEnd = Math.min(...[ignore, order, limit, range.end].filter((position) => position >= 0));
    let valueStart = range.start;
    const distinct = this.isWord(valueStart, "DISTINCT");
    if (distinct) valueStart++;
    const value = this.expr({ start: valueStart, end: valueEnd });
    const orderText = order >= 0 ? ` ${this.seq(order, limit >= 0 ? limit : range.end).trim()}` : "";
    let text = `list(${distinct ? "DISTINCT " : ""}${value}${orderText})`;
    if (ignore >= 0 && this.tok(ignore)?.upper === "IGNORE") text += ` FILTER (WHERE (${value}) IS NOT NULL)`;
    if (limit >= 0) {
      if (this.isWord(next, "OVER")) this.refuse("ARRAY_AGG(... LIMIT n) OVER (...)", index);
      text = `${text}[1:${this.expr({ start: limit + 1, end: range.end })}]`;
    }
    return text;
  }

  private dateAdd(name: string, args: Range[], index: number): string {
    if (args.length !== 2) this.syntax(`${name}() takes a value and an INTERVAL`, index);
    const [valueRange, intervalRange] = args as [Range, Range];
    if (!this.isWord(intervalRange.start, "INTERVAL")) this.syntax(`${name}() expects INTERVAL n part`, intervalRange.start);
    const interval = this.intervalAt(intervalRange.start, intervalRange.end);
    if (interval.next !== intervalRange.end) this.syntax("unexpected text after the INTERVAL", interval.next);
    const family = name.slice(0, name.indexOf("_"));
    const allowed =
      family === "DATE" ? ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"] : family === "TIMESTAMP" ? [...SUB_DAY_PARTS, "DAY"] : [...SUB_DAY_PARTS, "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"];
    if (!allowed.includes(interval.unit)) this.syntax(`${name}() does not take ${interval.unit}`, intervalRange.start);
    const sign = name.endsWith("_SUB") ? "-" : "+";
    const amount = `${INTERVAL_FUNCTIONS[interval.unit]}(${interval.amount})`;
    const value = this.operandOf(valueRange);
    // date + interval is a TIMESTAMP in DuckDB; DATE_ADD returns a DATE.
    return family === "DATE" ? `CAST(${value} ${sign} ${amount} AS DATE)` : `(${value} ${sign} ${amount})`;
  }

  private dateDiff(name: string, args: Range[], index: number): string {
    if (args.length !== 3) this.syntax(`${name}() takes 3 arguments`, index);
    const [later, earlier, partRange] = args as [Range, Range, Range];
    const part = this.datePart(partRange, name);
    const a = this.expr(later);
    const b = this.expr(earlier);
    if (name === "TIMESTAMP_DIFF") {
      // Whole intervals between the instants, truncated toward zero: DuckDB's date_sub (date_diff
      // counts boundaries crossed instead).
      if (![...SUB_DAY_PARTS, "DAY"].includes(part.name)) this.syntax(`TIMESTAMP_DIFF() does not take ${part.name}`, partRange.start);
      return `date_sub('${part.name.toLowerCase()}', ${b}, ${a})`;
    }
    if (name === "DATETIME_DIFF" && SUB_DAY_PARTS.includes(part.name)) this.refuse(`DATETIME_DIFF(..., ${part.name})`, index);
    // BigQuery counts the part boundaries between the dates, as DuckDB's date_diff does for these.
    switch (part.name) {
      case "DAY":
      case "MONTH":
      case "QUARTER":
      case "YEAR":
        return `date_diff('${part.name.toLowerCase()}', ${b}, ${a})`;
      case "WEEK":
      case "ISOWEEK":
        // Week boundaries (Sunday, or the given weekday; Monday for ISO weeks) crossed. DuckDB's
        // 'week' counts whole 7-day spans instead.
        return `(date_diff('day', bq_week_start(${b}, ${part.weekday}), bq_week_start(${a}, ${part.weekday})) // 7)`;
      case "ISOYEAR":
        return `(isoyear(${a}) - isoyear(${b}))`;
      default:
        return this.refuse(`${name}(..., ${part.name})`, index);
    }
  }

  private dateTrunc(name: string, args: Range[], index: number): string {
    if (args.length < 2 || args.length > 3) this.syntax(`${name}() takes a value and a date part`, index);
    const part = this.datePart(args[1] as Range, name);
    const value = this.operandOf(args[0] as Range);
    const zone = args[2] ? this.expr(args[2]) : undefined;
    if (zone && name !== "TIMESTAMP_TRUNC") this.syntax(`${name}() takes no time zone`, index);
    const calendar = ["DAY", "MONTH", "QUARTER", "YEAR"];
    const truncated = (input: string): string => {
      if (calendar.includes(part.name) || SUB_DAY_PARTS.includes(part.name)) return `date_trunc('${part.name.toLowerCase()}', ${input})`;
      if (part.name === "ISOYEAR") return `date_trunc('isoyear', ${input})`;
      if (part.name === "WEEK" || part.name === "ISOWEEK") {
        return `(date_trunc('day', ${input}) - to_days(CAST((dayofweek(${input}) - ${part.weekday} + 7) % 7 AS INTEGER)))`;
      }
      return this.refuse(`${name}(..., ${part.name})`, index);
    };
    if (name === "DATE_TRUNC") {
      if (SUB_DAY_PARTS.includes(part.name)) this.syntax(`DATE_TRUNC() does not take ${part.name}`, index);
      // date_trunc on a DATE returns a TIMESTAMP in DuckDB.
      if (part.name === "WEEK" || part.name === "ISOWEEK") return `bq_week_start(${value}, ${part.weekday})`;
      return `CAST(${truncated(value)} AS DATE)`;
    }
    if (name === "DATETIME_TRUNC") return `CAST(${truncated(value)} AS TIMESTAMP)`;
    // TIMESTAMP_TRUNC truncates in UTC (the connection's zone) or in the given zone.
    return zone ? `timezone(${zone}, ${truncated(`timezone(${zone}, ${value})`)})` : truncated(value);
  }

  private formatDate(name: string, args: Range[], index: number): string {
    const withZone = name === "FORMAT_TIMESTAMP";
    if (args.length < 2 || args.length > (withZone ? 3 : 2)) this.syntax(`${name}() takes a format and a value`, index);
    const pattern = this.stringLiteral(args[0] as Range);
    if (pattern === undefined) this.refuse(`${name}() with a non-literal format`, index);
    const zone = args[2] ? this.expr(args[2]) : undefined;
    const format = this.strftimeFormat(pattern, name, index, zone !== undefined);
    const value = this.expr(args[1] as Range);
    return `strftime(${zone ? `timezone(${zone}, ${value})` : value}, ${sqlString(format)})`;
  }

  private parseDate(name: string, args: Range[], index: number): string {
    const withZone = name === "PARSE_TIMESTAMP";
    if (args.length < 2 || args.length > (withZone ? 3 : 2)) this.syntax(`${name}() takes a format and a string`, index);
    const pattern = this.stringLiteral(args[0] as Range);
    if (pattern === undefined) this.refuse(`${name}() with a non-literal format`, index);
    const format = this.strftimeFormat(pattern, name, index, false);
    const parsed = `strptime(${this.expr(args[1] as Range)}, ${sqlString(format)})`;
    if (name === "PARSE_DATE") return `CAST(${parsed} AS DATE)`;
    if (name === "PARSE_DATETIME") return parsed;
    if (/%[zZ]/.test(format)) {
      if (args[2]) this.refuse("PARSE_TIMESTAMP() with both a zone in the format and a time zone argument", index);
      return parsed;
    }
    // A time without zone is read in the given zone, else UTC.
    return `timezone(${args[2] ? this.expr(args[2]) : "'UTC'"}, ${parsed})`;
  }

  /** BigQuery format elements -> DuckDB strftime/strptime ones, refusing what prints differently. */
  private strftimeFormat(pattern: string, name: string, index: number, zoned: boolean): string {
    const same = "AaBbdHIjMmpSUWwYyuVG";
    const expanded: Record<string, string> = { F: "%Y-%m-%d", D: "%m/%d/%y", T: "%H:%M:%S", R: "%H:%M", h: "%b", n: "\n", t: "\t" };
    let out = "";
    for (let position = 0; position < pattern.length; position++) {
      const char = pattern[position] as string;
      if (char !== "%") {
        out += char;
        continue;
      }
      const element = pattern[position + 1];
      position++;
      if (element === undefined) this.syntax(`${name}() format ends with %`, index);
      if (element === "%") out += "%%";
      else if (same.includes(element)) out += `%${element}`;
      else if (expanded[element] !== undefined) out += expanded[element];
      else if (element === "Z" && name === "FORMAT_TIMESTAMP" && !zoned) out += "%Z";
      else if (element === "E") {
        const extension = pattern.slice(position + 1, position + 3);
        position += 2;
        if (extension === "4Y") out += "%Y";
        else if (extension === "3S") out += "%S.%g";
        else if (extension === "6S") out += "%S.%f";
        else this.refuse(`${name}() format element %E${extension}`, index);
      } else this.refuse(`${name}() format element %${element}`, index);
    }
    return out;
  }
}

/** A DuckDB string literal. BigQuery's escapes were decoded by the tokenizer; only ' needs doubling. */
function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DuckDB BLOB literal: printable ASCII as is, every other byte (and \ and ') as \xHH. */
function bytesLiteral(value: string): string {
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
 * an exponent is a FLOAT64 in BigQuery; DuckDB would make 0.44 a DECIMAL(3,2).
 */
function numberLiteral(token: Token): string {
  if (/^0[xX]/.test(token.text)) return BigInt(token.text).toString();
  if (!token.isFloat) return token.text;
  let text = token.text;
  if (text.startsWith(".")) text = `0${text}`;
  text = text.replace(/\.(?=[eE]|$)/, ".0");
  return `CAST(${text} AS DOUBLE)`;
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

/**
 * Capture groups of an RE2 pattern, and whether the first one can be skipped by a successful
 * match: quantified with ?, * or {0,...}, nested in another group, or in a pattern with a
 * top-level alternation. Conservative: a group flagged here may in fact always take part.
 */
function captureGroups(pattern: string): { count: number; optional: boolean } {
  let count = 0;
  let optional = false;
  let inClass = false;
  let depth = 0;
  let firstGroupDepth = -1;
  let alternation = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === "\\") {
      index++;
    } else if (inClass) {
      if (char === "]") inClass = false;
    } else if (char === "[") {
      inClass = true;
      if (pattern[index + 1] === "^") index++;
      if (pattern[index + 1] === "]") index++;
    } else if (char === "(") {
      const capturing = pattern[index + 1] !== "?" || pattern.startsWith("?P<", index + 1) || pattern.startsWith("?<", index + 1);
      if (capturing && ++count === 1) {
        firstGroupDepth = depth;
        if (depth > 0) optional = true;
      }
      depth++;
    } else if (char === ")") {
      depth--;
      if (depth === firstGroupDepth) {
        const quantifier = pattern[index + 1];
        if (quantifier === "?" || quantifier === "*" || (quantifier === "{" && /^\{0[,}]/.test(pattern.slice(index + 1)))) optional = true;
        firstGroupDepth = -1;
      }
    } else if (char === "|" && depth === 0) {
      alternation = true;
    }
  }
  return { count, optional: optional || (alternation && count > 0) };
}
