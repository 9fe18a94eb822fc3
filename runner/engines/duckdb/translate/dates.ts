/**
 * Dates and times: INTERVAL n PART, EXTRACT, date parts (WEEK(<weekday>)), CURRENT_*, the
 * *_ADD / *_SUB / *_DIFF / *_TRUNC families, and FORMAT_* / PARSE_* with BigQuery's format
 * elements mapped to strftime's (or refused where they print differently).
 */
import { sqlString } from "./literals.ts";
import type { Range, Tokens } from "./tokens.ts";
import type { Walk } from "./walker.ts";

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

/** `INTERVAL n UNIT` (n an integer expression) -> `INTERVAL (n) UNIT`. */
export function interval(t: Tokens, walk: Walk, index: number, end: number): number {
  const parsed = intervalAt(t, index, end);
  walk.out.operand(`${t.space(index)}${parsed.text}`);
  return parsed.next;
}

function intervalAt(t: Tokens, index: number, end: number): { text: string; next: number; amount: string; unit: string } {
  let cursor = index + 1;
  const amountStart = cursor;
  while (t.isPunct(cursor, "-") || t.isPunct(cursor, "+")) cursor++;
  const token = t.tok(cursor);
  if (!token || cursor >= end) t.syntax("expected an amount after INTERVAL", cursor);
  if ((t.match[cursor] ?? -1) > cursor) cursor = t.after(cursor);
  else if (token.kind === "word" && t.isPunct(cursor + 1, "(")) cursor = t.after(cursor + 1);
  else if (token.kind === "word" || token.kind === "quoted") {
    cursor++;
    while (t.isPunct(cursor, ".") && (t.tok(cursor + 1)?.kind === "word" || t.tok(cursor + 1)?.kind === "quoted")) cursor += 2;
  } else cursor++;
  const unitToken = t.tok(cursor);
  const unit = unitToken?.kind === "word" ? unitToken.upper : "";
  if (!INTERVAL_FUNCTIONS[unit]) t.syntax("expected a date part after INTERVAL n", cursor);
  if (t.isWord(cursor + 1, "TO")) t.refuse("INTERVAL ... TO ... range", index);
  let amount: string;
  const literal = t.stringLiteral({ start: amountStart, end: cursor });
  if (literal !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(literal)) t.refuse(`INTERVAL '${literal}' ${unit}`, index);
    amount = String(parseInt(literal, 10));
  } else {
    amount = t.expr({ start: amountStart, end: cursor });
  }
  const duckUnit = unit === "QUARTER" ? "MONTH" : unit;
  const scaled = unit === "QUARTER" ? `3 * (${amount})` : amount;
  return { text: `INTERVAL (${scaled}) ${duckUnit}`, next: cursor + 1, amount: scaled, unit };
}

/** EXTRACT(part FROM x [AT TIME ZONE tz]). */
export function extract(t: Tokens, walk: Walk, index: number): number {
  const open = index + 1;
  const close = t.after(open) - 1;
  const from = t.findWord({ start: open + 1, end: close }, "FROM");
  if (from < 0) t.syntax("expected FROM in EXTRACT", open);
  const part = datePart(t, { start: open + 1, end: from }, "EXTRACT");
  const at = t.findWord({ start: from + 1, end: close }, "AT");
  let value = t.operandOf({ start: from + 1, end: at < 0 ? close : at });
  if (at >= 0) {
    if (!t.isWord(at + 1, "TIME") || !t.isWord(at + 2, "ZONE")) t.syntax("expected AT TIME ZONE", at);
    value = `timezone(${t.expr({ start: at + 3, end: close })}, ${value})`;
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
  // DuckDB has no TIMESTAMPTZ -> TIME cast; the wall-clock TIMESTAMP (in the connection's UTC) has one.
  else if (part.name === "TIME") text = `CAST(CAST(${value} AS TIMESTAMP) AS TIME)`;
  else text = t.refuse(`EXTRACT(${part.name})`, index);
  walk.out.operand(`${t.space(index)}${text}`);
  return close + 1;
}

/** A date part argument: `DAY`, `WEEK`, `WEEK(MONDAY)`...; weekday 0 = Sunday. */
function datePart(t: Tokens, range: Range, context: string): { name: string; weekday: number } {
  const word = t.tok(range.start);
  if (!word || word.kind !== "word") return t.syntax(`expected a date part in ${context}`, range.start);
  if (range.end - range.start === 1) return { name: word.upper, weekday: word.upper === "ISOWEEK" ? 1 : 0 };
  if (word.upper === "WEEK" && t.isPunct(range.start + 1, "(") && t.after(range.start + 1) === range.end) {
    const day = t.wordOf({ start: range.start + 2, end: range.end - 1 });
    const weekday = WEEKDAYS.indexOf(day ?? "");
    if (weekday < 0) t.syntax("WEEK(<weekday>) takes SUNDAY ... SATURDAY", range.start + 2);
    return { name: "WEEK", weekday };
  }
  return t.syntax(`expected a date part in ${context}`, range.start);
}

export function currentTime(t: Tokens, upper: string, args: Range[], index: number): string {
  if (args.length > 1) t.syntax(`${upper} takes at most a time zone`, index);
  const zone = args[0] ? t.expr(args[0]) : undefined;
  switch (upper) {
    case "CURRENT_DATE":
      // current_date is the date in the connection's time zone, UTC like BigQuery's default.
      return zone ? `CAST(timezone(${zone}, current_timestamp) AS DATE)` : "current_date";
    case "CURRENT_DATETIME":
      return `timezone(${zone ?? "'UTC'"}, current_timestamp)`;
    default:
      if (zone) t.syntax("CURRENT_TIMESTAMP takes no argument", index);
      return "current_timestamp";
  }
}

export function dateAdd(t: Tokens, name: string, args: Range[], index: number): string {
  if (args.length !== 2) t.syntax(`${name}() takes a value and an INTERVAL`, index);
  const [valueRange, intervalRange] = args as [Range, Range];
  if (!t.isWord(intervalRange.start, "INTERVAL")) t.syntax(`${name}() expects INTERVAL n part`, intervalRange.start);
  const interval = intervalAt(t, intervalRange.start, intervalRange.end);
  if (interval.next !== intervalRange.end) t.syntax("unexpected text after the INTERVAL", interval.next);
  const family = name.slice(0, name.indexOf("_"));
  const allowed =
    family === "DATE" ? ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"] : family === "TIMESTAMP" ? [...SUB_DAY_PARTS, "DAY"] : [...SUB_DAY_PARTS, "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"];
  if (!allowed.includes(interval.unit)) t.syntax(`${name}() does not take ${interval.unit}`, intervalRange.start);
  const sign = name.endsWith("_SUB") ? "-" : "+";
  const amount = `${INTERVAL_FUNCTIONS[interval.unit]}(${interval.amount})`;
  const value = t.operandOf(valueRange);
  // date + interval is a TIMESTAMP in DuckDB; DATE_ADD returns a DATE. BigQuery raises past year
  // 9999 or before year 1, DuckDB's dates go on.
  return family === "DATE" ? `bq_in_date_range(CAST(${value} ${sign} ${amount} AS DATE))` : `bq_in_date_range(${value} ${sign} ${amount})`;
}

export function dateDiff(t: Tokens, name: string, args: Range[], index: number): string {
  if (args.length !== 3) t.syntax(`${name}() takes 3 arguments`, index);
  const [later, earlier, partRange] = args as [Range, Range, Range];
  const part = datePart(t, partRange, name);
  const a = t.expr(later);
  const b = t.expr(earlier);
  if (name === "TIMESTAMP_DIFF") {
    // Whole intervals between the instants, truncated toward zero: DuckDB's date_sub (date_diff
    // counts boundaries crossed instead).
    if (![...SUB_DAY_PARTS, "DAY"].includes(part.name)) t.syntax(`TIMESTAMP_DIFF() does not take ${part.name}`, partRange.start);
    return `date_sub('${part.name.toLowerCase()}', ${b}, ${a})`;
  }
  if (name === "DATETIME_DIFF" && SUB_DAY_PARTS.includes(part.name)) t.refuse(`DATETIME_DIFF(..., ${part.name})`, index);
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
      return t.refuse(`${name}(..., ${part.name})`, index);
  }
}

export function dateTrunc(t: Tokens, name: string, args: Range[], index: number): string {
  if (args.length < 2 || args.length > 3) t.syntax(`${name}() takes a value and a date part`, index);
  const part = datePart(t, args[1] as Range, name);
  const value = t.operandOf(args[0] as Range);
  const zone = args[2] ? t.expr(args[2]) : undefined;
  if (zone && name !== "TIMESTAMP_TRUNC") t.syntax(`${name}() takes no time zone`, index);
  const calendar = ["DAY", "MONTH", "QUARTER", "YEAR"];
  const truncated = (input: string): string => {
    if (calendar.includes(part.name) || SUB_DAY_PARTS.includes(part.name)) return `date_trunc('${part.name.toLowerCase()}', ${input})`;
    if (part.name === "ISOYEAR") return `date_trunc('isoyear', ${input})`;
    if (part.name === "WEEK" || part.name === "ISOWEEK") {
      return `(date_trunc('day', ${input}) - to_days(CAST((dayofweek(${input}) - ${part.weekday} + 7) % 7 AS INTEGER)))`;
    }
    return t.refuse(`${name}(..., ${part.name})`, index);
  };
  if (name === "DATE_TRUNC") {
    if (SUB_DAY_PARTS.includes(part.name)) t.syntax(`DATE_TRUNC() does not take ${part.name}`, index);
    // date_trunc on a DATE returns a TIMESTAMP in DuckDB.
    if (part.name === "WEEK" || part.name === "ISOWEEK") return `bq_week_start(${value}, ${part.weekday})`;
    return `CAST(${truncated(value)} AS DATE)`;
  }
  if (name === "DATETIME_TRUNC") return `CAST(${truncated(value)} AS TIMESTAMP)`;
  // TIMESTAMP_TRUNC truncates in UTC (the connection's zone) or in the given zone.
  return zone ? `timezone(${zone}, ${truncated(`timezone(${zone}, ${value})`)})` : truncated(value);
}

export function formatDate(t: Tokens, name: string, args: Range[], index: number): string {
  const withZone = name === "FORMAT_TIMESTAMP";
  if (args.length < 2 || args.length > (withZone ? 3 : 2)) t.syntax(`${name}() takes a format and a value`, index);
  const pattern = t.stringLiteral(args[0] as Range);
  if (pattern === undefined) t.refuse(`${name}() with a non-literal format`, index);
  const zone = args[2] ? t.expr(args[2]) : undefined;
  const format = strftimeFormat(t, pattern, name, index, zone !== undefined);
  const value = t.expr(args[1] as Range);
  return `strftime(${zone ? `timezone(${zone}, ${value})` : value}, ${sqlString(format)})`;
}

export function parseDate(t: Tokens, name: string, args: Range[], index: number): string {
  const withZone = name === "PARSE_TIMESTAMP";
  if (args.length < 2 || args.length > (withZone ? 3 : 2)) t.syntax(`${name}() takes a format and a string`, index);
  const pattern = t.stringLiteral(args[0] as Range);
  if (pattern === undefined) t.refuse(`${name}() with a non-literal format`, index);
  const format = strftimeFormat(t, pattern, name, index, false);
  const parsed = `strptime(${t.expr(args[1] as Range)}, ${sqlString(format)})`;
  if (name === "PARSE_DATE") return `CAST(${parsed} AS DATE)`;
  if (name === "PARSE_DATETIME") return parsed;
  if (/%[zZ]/.test(format)) {
    if (args[2]) t.refuse("PARSE_TIMESTAMP() with both a zone in the format and a time zone argument", index);
    return parsed;
  }
  // A time without zone is read in the given zone, else UTC.
  return `timezone(${args[2] ? t.expr(args[2]) : "'UTC'"}, ${parsed})`;
}

/** BigQuery format elements -> DuckDB strftime/strptime ones, refusing what prints differently. */
function strftimeFormat(t: Tokens, pattern: string, name: string, index: number, zoned: boolean): string {
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
    if (element === undefined) t.syntax(`${name}() format ends with %`, index);
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
      else t.refuse(`${name}() format element %E${extension}`, index);
    } else t.refuse(`${name}() format element %${element}`, index);
  }
  return out;
}
