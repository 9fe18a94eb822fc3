/**
 * Function calls. Functions are allowlisted: SAME_FUNCTIONS are written the same and behave the
 * same in both engines (or through a bq_ macro of macros.ts), the switch in `call` rewrites the
 * others, REFUSED_FUNCTIONS are refused with a reason, and anything else is refused rather than
 * passed through on the hope that DuckDB's namesake behaves as BigQuery's.
 */
import type { Token } from "../tokenizer.ts";
import { currentTime, dateAdd, dateDiff, dateTrunc, formatDate, parseDate } from "./dates.ts";
import { sqlString } from "./literals.ts";
import type { Range, Tokens } from "./tokens.ts";
import type { Walk } from "./walker.ts";

/** Functions whose arguments are written the same and that behave the same in both engines. */
const SAME_FUNCTIONS: Record<string, string> = {
  // Aggregates and window functions.
  COUNT: "count",
  SUM: "sum",
  AVG: "avg",
  MIN: "min",
  MAX: "max",
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

export function call(t: Tokens, walk: Walk, index: number): number {
  const token = t.tokens[index] as Token;
  const name = token.upper;
  const open = index + 1;
  const next = t.after(open);
  const args = t.args(open);
  const inner = (): string => t.seq(open + 1, next - 1).trim();
  const arity = (min: number, max = min): void => {
    if (args.length < min || args.length > max) {
      t.syntax(`${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`, index);
    }
  };
  const emit = (text: string): number => {
    walk.out.operand(`${token.space}${text}`);
    return next;
  };
  const arg = (position: number): string => t.expr(args[position] as Range);

  const refusal = REFUSED_FUNCTIONS[name];
  if (refusal) t.refuse(`${name}()`, index, refusal);
  const same = SAME_FUNCTIONS[name];
  if (same) {
    const bounds = ARITY[name];
    if (bounds) arity(bounds[0], bounds[1]);
    return emit(`${same}(${inner()})`);
  }

  switch (name) {
    case "COUNTIF": {
      arity(1);
      // DuckDB's count_if is NULL over no rows; COUNTIF is 0 there, as COUNT is.
      const distinct = t.isWord(open + 1, "DISTINCT");
      const condition = t.expr({ start: open + (distinct ? 2 : 1), end: next - 1 });
      return emit(`count(${distinct ? "DISTINCT " : ""}CASE WHEN ${condition} THEN 1 END)`);
    }
    case "SIGN":
      arity(1);
      return emit(`bq_sign(${arg(0)})`);
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
      if (args.length === 2 && t.stringLiteral(args[1] as Range) !== undefined) t.refuse(`${name}() with a rounding mode`, index);
      const digits = args.length === 2 ? arg(1) : "0";
      // With no digits there is no scaling, so DuckDB's round/trunc are exact.
      if (digits === "0") return emit(`${name.toLowerCase()}(${arg(0)})`);
      const once = t.isColumnOrLiteral(args[0] as Range) ? "" : "_once";
      // ROUND to 1..11 decimals written as a literal, the common case, has a faster exact macro.
      if (name === "ROUND" && /^(?:[1-9]|1[01])$/.test(digits)) return emit(`bq_round_digits${once}(${arg(0)}, ${digits}, ${10 ** Number(digits)})`);
      return emit(`bq_${name.toLowerCase()}${once}(${arg(0)}, ${digits})`);
    }
    case "GREATEST":
    case "LEAST": {
      if (args.length === 0) t.syntax(`${name}() needs arguments`, index);
      // The list is bound once unless every argument is a column or a literal.
      const once = args.every((range) => t.isColumnOrLiteral(range)) ? "" : "_once";
      return emit(`bq_${name.toLowerCase()}${once}([${args.map((range) => t.expr(range)).join(", ")}])`);
    }
    case "RAND":
      arity(0);
      return emit("random()");
    case "CONCAT":
      if (args.length === 0) t.syntax("CONCAT() needs arguments", index);
      // || is NULL when any operand is NULL, like BigQuery's CONCAT; DuckDB's concat skips NULLs.
      return emit(`(${args.map((range) => t.operandOf(range)).join(" || ")})`);
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
      return emit(regexpExtract(t, name, args, index));
    case "FORMAT":
      return emit(format(t, args, index));
    case "ARRAY_AGG":
      return emit(arrayAgg(t, open, next, index));
    case "STRING_AGG": {
      const limit = t.findWord({ start: open + 1, end: next - 1 }, "LIMIT");
      if (limit >= 0) t.refuse("STRING_AGG(... LIMIT n)", limit);
      return emit(`string_agg(${inner()})`);
    }
    case "ARRAY_CONCAT":
      if (args.length === 0) t.syntax("ARRAY_CONCAT() needs arguments", index);
      // List || is NULL when any list is NULL, as ARRAY_CONCAT is.
      return emit(`(${args.map((range) => t.operandOf(range)).join(" || ")})`);
    case "ARRAY_TO_STRING":
      arity(2, 3);
      if (args.length === 3) t.refuse("ARRAY_TO_STRING() with a NULL replacement", index);
      return emit(`array_to_string(${arg(0)}, ${arg(1)})`);
    case "GENERATE_ARRAY":
      arity(2, 3);
      return emit(`${args.length === 3 ? "bq_generate_array" : "generate_series"}(${args.map((range) => t.expr(range)).join(", ")})`);
    case "CURRENT_DATE":
    case "CURRENT_TIMESTAMP":
    case "CURRENT_DATETIME":
      return emit(currentTime(t, name, args, index));
    case "DATE":
      arity(1, 3);
      if (args.length === 3) return emit(`make_date(${arg(0)}, ${arg(1)}, ${arg(2)})`);
      if (args.length === 2) return emit(`CAST(timezone(${arg(1)}, ${arg(0)}) AS DATE)`);
      return emit(`bq_date(${arg(0)})`);
    case "DATETIME":
      arity(1, 6);
      if (args.length === 6) return emit(`make_timestamp(${args.map((range) => t.expr(range)).join(", ")})`);
      if (args.length !== 1) t.refuse(`DATETIME() with ${args.length} arguments`, index);
      return emit(`bq_cast_datetime(${arg(0)})`);
    case "TIMESTAMP":
      arity(1, 2);
      if (args.length === 2) return emit(`timezone(${arg(1)}, bq_cast_datetime(${arg(0)}))`);
      return emit(`bq_cast_timestamp(${arg(0)})`);
    case "DATE_ADD":
    case "DATE_SUB":
    case "DATETIME_ADD":
    case "DATETIME_SUB":
    case "TIMESTAMP_ADD":
    case "TIMESTAMP_SUB":
      return emit(dateAdd(t, name, args, index));
    case "DATE_DIFF":
    case "DATETIME_DIFF":
    case "TIMESTAMP_DIFF":
      return emit(dateDiff(t, name, args, index));
    case "DATE_TRUNC":
    case "DATETIME_TRUNC":
    case "TIMESTAMP_TRUNC":
      return emit(dateTrunc(t, name, args, index));
    case "FORMAT_DATE":
    case "FORMAT_DATETIME":
    case "FORMAT_TIMESTAMP":
      return emit(formatDate(t, name, args, index));
    case "PARSE_DATE":
    case "PARSE_DATETIME":
    case "PARSE_TIMESTAMP":
      return emit(parseDate(t, name, args, index));
    case "UNNEST":
      return t.refuse("UNNEST outside FROM or IN", index);
    default:
      return t.refuse(`${name}()`, index, "not in the local engine's list of functions known to behave as in BigQuery");
  }
}

function regexpExtract(t: Tokens, name: string, args: Range[], index: number): string {
  if (args.length !== 2) t.refuse(`${name}() with position or occurrence`, index);
  const pattern = t.stringLiteral(args[1] as Range);
  if (pattern === undefined) t.refuse(`${name}() with a non-literal pattern`, index, "the capture group to return depends on the pattern");
  const groups = captureGroups(pattern);
  if (groups.count > 1) t.refuse(`${name}() with more than one capture group`, index, "BigQuery rejects it");
  if (groups.count === 1 && groups.optional) {
    t.refuse(`${name}() with an optional capture group`, index, "BigQuery returns NULL when the group does not take part, DuckDB an empty string");
  }
  return `bq_regexp_extract(${t.expr(args[0] as Range)}, ${sqlString(pattern)}, ${groups.count})`;
}

/** FORMAT('%d ...', ...) -> printf, for the specifiers that print the same. */
function format(t: Tokens, args: Range[], index: number): string {
  if (args.length === 0) t.syntax("FORMAT() needs a format string", index);
  const pattern = t.stringLiteral(args[0] as Range);
  if (pattern === undefined) t.refuse("FORMAT() with a non-literal format", index);
  const specifier = /%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])/g;
  const conversions: string[] = [];
  for (const match of pattern.matchAll(specifier)) {
    const [whole, flags = "", width, precision, conversion = ""] = match;
    if (conversion === "%") continue;
    if (flags.includes("'") || width === "*" || precision === "*") t.refuse(`FORMAT() specifier ${whole}`, index);
    if (!"disfFeEgGxXo".includes(conversion)) t.refuse(`FORMAT() specifier ${whole}`, index, "%t, %T, %p, %P print BigQuery literals");
    conversions.push(conversion);
  }
  const rest = args.slice(1).map((range, position) => ("xXo".includes(conversions[position] ?? "d") ? `bq_format_unsigned(${t.expr(range)})` : t.expr(range)));
  return `printf(${[sqlString(pattern), ...rest].join(", ")})`;
}

/** ARRAY_AGG([DISTINCT] x [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]) -> list(...). */
function arrayAgg(t: Tokens, open: number, next: number, index: number): string {
  const range = { start: open + 1, end: next - 1 };
  const ignore = t.findWord(range, "IGNORE", "RESPECT");
  const order = t.findWord(range, "ORDER");
  const limit = t.findWord(range, "LIMIT");
  const valueEnd = Math.min(...[ignore, order, limit, range.end].filter((position) => position >= 0));
  let valueStart = range.start;
  const distinct = t.isWord(valueStart, "DISTINCT");
  if (distinct) valueStart++;
  const value = t.expr({ start: valueStart, end: valueEnd });
  const orderText = order >= 0 ? ` ${t.seq(order, limit >= 0 ? limit : range.end).trim()}` : "";
  let text = `list(${distinct ? "DISTINCT " : ""}${value}${orderText})`;
  if (ignore >= 0 && t.tok(ignore)?.upper === "IGNORE") text += ` FILTER (WHERE (${value}) IS NOT NULL)`;
  if (limit >= 0) {
    if (t.isWord(next, "OVER")) t.refuse("ARRAY_AGG(... LIMIT n) OVER (...)", index);
    text = `${text}[1:${t.expr({ start: limit + 1, end: range.end })}]`;
  }
  return text;
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
