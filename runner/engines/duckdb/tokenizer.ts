/**
 * A tokenizer for BigQuery SQL (GoogleSQL lexical structure). The DuckDB translator works on these
 * tokens, never on raw text, so that string contents, comments and quoted names can never be
 * mistaken for SQL. String and quoted-identifier escapes are decoded here, once, so the translator
 * can re-quote values in DuckDB's syntax without knowing BigQuery's.
 */
import { DataFailureError } from "../../errors.ts";

export type TokenKind =
  /** An unquoted word: keyword, identifier or function name (the translator tells them apart). */
  | "word"
  /** A backtick-quoted identifier or path; `value` is its decoded text (may contain dots). */
  | "quoted"
  | "number"
  | "string"
  /** A bytes literal; `value` holds one char per byte (code points 0-255). */
  | "bytes"
  /** `@name`; `value` is the name. `@@name` system variables are kind "sysvar". */
  | "param"
  | "sysvar"
  | "op"
  | "punct";

export interface Token {
  kind: TokenKind;
  /** The token's source text. */
  text: string;
  /** Upper-cased text for words, the operator for ops and punctuation. */
  upper: string;
  /** Decoded value: identifier name, string content, parameter name; `text` otherwise. */
  value: string;
  /** Numbers: true when written with a decimal point or an exponent (FLOAT64 in BigQuery). */
  isFloat: boolean;
  /** 1-based line of the token's first character, for error messages. */
  line: number;
  /** Whitespace before the token; comments are replaced by a space or their line breaks. */
  space: string;
}

/** Malformed SQL (unterminated string, bad escape...): BigQuery would reject it too. */
export class SqlSyntaxError extends DataFailureError {
  readonly line: number;

  constructor(detail: string, line: number, action?: string) {
    super("sql_syntax_error", `${action ? `${action}: ` : ""}SQL syntax error (line ${line}): ${detail}`, {
      suggestion: "Fix the statement; BigQuery would reject it too.",
    });
    this.line = line;
  }
}

const MULTI_CHAR_OPS = ["<>", "!=", "<=", ">=", "||", "<<", ">>", "=>", "->"];
const SINGLE_CHAR_OPS = new Set(["+", "-", "*", "/", "%", "=", "<", ">", "&", "|", "^", "~", "!", "?"]);
const PUNCTUATION = new Set(["(", ")", "[", "]", "{", "}", ",", ";", ".", ":"]);
/** Whitespace, as a sticky pattern: one run of it from `lastIndex`. */
const WHITESPACE = /[ \t\r\f\v\n]+/y;
/** The characters a string or bytes literal can start with (a quote, or an r/b prefix). */
const STRING_STARTS = new Set(["'", '"', "r", "R", "b", "B"]);

function isIdentStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || isDigit(code);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

/** Whether the character right before a `.` ends a name, so that `.5` there is a path step. */
function endsName(char: string | undefined): boolean {
  return char !== undefined && (/[A-Za-z0-9_`)\]]/.test(char));
}

export function tokenize(sql: string, action?: string): Token[] {
  const tokens: Token[] = [];
  const length = sql.length;
  let pos = 0;
  let line = 1;
  let space = "";

  const fail = (detail: string, atLine = line): never => {
    throw new SqlSyntaxError(detail, atLine, action);
  };

  const push = (kind: TokenKind, start: number, value: string, startLine: number, isFloat = false, upper?: string): void => {
    const text = sql.slice(start, pos);
    tokens.push({ kind, text, upper: upper ?? text, value, isFloat, line: startLine, space });
    space = "";
  };

  while (pos < length) {
    const char = sql[pos] as string;
    const code = sql.charCodeAt(pos);

    if (char === "\n" || char === " " || char === "\t" || char === "\r" || char === "\f" || char === "\v") {
      // A whole run of whitespace at once, not a character at a time.
      WHITESPACE.lastIndex = pos;
      WHITESPACE.test(sql);
      const run = sql.slice(pos, WHITESPACE.lastIndex);
      for (let at = run.indexOf("\n"); at >= 0; at = run.indexOf("\n", at + 1)) line++;
      space += run;
      pos = WHITESPACE.lastIndex;
      continue;
    }
    if ((char === "-" && sql[pos + 1] === "-") || char === "#") {
      const end = sql.indexOf("\n", pos);
      pos = end < 0 ? length : end;
      space += " ";
      continue;
    }
    if (char === "/" && sql[pos + 1] === "*") {
      const end = sql.indexOf("*/", pos + 2);
      if (end < 0) fail("unterminated block comment");
      const body = sql.slice(pos, end + 2);
      const breaks = body.split("\n").length - 1;
      line += breaks;
      space += breaks > 0 ? "\n".repeat(breaks) : " ";
      pos = end + 2;
      continue;
    }

    const start = pos;
    const startLine = line;

    // String and bytes literals, with their r/b prefixes, before identifiers (r'..' is not `r`).
    const prefix = STRING_STARTS.has(char) ? stringPrefix(sql, pos) : undefined;
    if (prefix !== undefined) {
      pos += prefix.length;
      const raw = /r/i.test(prefix);
      const bytes = /b/i.test(prefix);
      const decoded = readQuoted(sql, pos, raw, bytes ? "bytes" : "string", startLine, fail);
      pos = decoded.end;
      line += decoded.lines;
      push(bytes ? "bytes" : "string", start, decoded.value, startLine);
      continue;
    }

    if (isIdentStart(code)) {
      pos++;
      while (pos < length && isIdentPart(sql.charCodeAt(pos))) pos++;
      const text = sql.slice(start, pos);
      push("word", start, text, startLine, false, text.toUpperCase());
      continue;
    }

    if (char === "`") {
      const decoded = readQuoted(sql, pos, false, "identifier", startLine, fail);
      pos = decoded.end;
      line += decoded.lines;
      if (decoded.value === "") fail("empty quoted identifier", startLine);
      push("quoted", start, decoded.value, startLine);
      continue;
    }

    if (isDigit(code) || (char === "." && isDigit(sql.charCodeAt(pos + 1)) && !endsName(sql[pos - 1]))) {
      if (char === "0" && (sql[pos + 1] === "x" || sql[pos + 1] === "X") && isHexDigit(sql[pos + 2])) {
        pos += 2;
        while (isHexDigit(sql[pos])) pos++;
        push("number", start, sql.slice(start, pos), startLine);
        continue;
      }
      let isFloat = false;
      while (isDigit(sql.charCodeAt(pos))) pos++;
      if (sql[pos] === "." && !(isIdentStart(sql.charCodeAt(pos + 1)) && !/[eE]/.test(sql[pos + 1] ?? ""))) {
        isFloat = true;
        pos++;
        while (isDigit(sql.charCodeAt(pos))) pos++;
      }
      if ((sql[pos] === "e" || sql[pos] === "E") && (isDigit(sql.charCodeAt(pos + 1)) || (/[+-]/.test(sql[pos + 1] ?? "") && isDigit(sql.charCodeAt(pos + 2))))) {
        isFloat = true;
        pos += 2;
        while (isDigit(sql.charCodeAt(pos))) pos++;
      }
      push("number", start, sql.slice(start, pos), startLine, isFloat);
      continue;
    }

    if (char === "@") {
      const system = sql[pos + 1] === "@";
      pos += system ? 2 : 1;
      const nameStart = pos;
      if (sql[pos] === "`") {
        const decoded = readQuoted(sql, pos, false, "identifier", startLine, fail);
        pos = decoded.end;
        push(system ? "sysvar" : "param", start, decoded.value, startLine);
        continue;
      }
      while (pos < length && isIdentPart(sql.charCodeAt(pos))) pos++;
      if (pos === nameStart) fail("`@` must be followed by a parameter name", startLine);
      push(system ? "sysvar" : "param", start, sql.slice(nameStart, pos), startLine);
      continue;
    }

    const two = sql.slice(pos, pos + 2);
    if (MULTI_CHAR_OPS.includes(two)) {
      pos += 2;
      push("op", start, two, startLine);
      continue;
    }
    if (SINGLE_CHAR_OPS.has(char)) {
      pos++;
      push("op", start, char, startLine);
      continue;
    }
    if (PUNCTUATION.has(char)) {
      pos++;
      push("punct", start, char, startLine);
      continue;
    }
    fail(`unexpected character ${JSON.stringify(char)}`);
  }
  return tokens;
}

/** The r/b/rb/br prefix of a string literal starting at `pos` ("" for none), or undefined. */
function stringPrefix(sql: string, pos: number): string | undefined {
  let end = pos;
  while (end - pos < 2 && /[rRbB]/.test(sql[end] ?? "")) end++;
  const prefix = sql.slice(pos, end);
  if (prefix.length === 2 && prefix[0]?.toLowerCase() === prefix[1]?.toLowerCase()) return undefined;
  const quote = sql[end];
  if (quote !== "'" && quote !== '"') return undefined;
  return prefix;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "?": "?",
  '"': '"',
  "'": "'",
  "`": "`",
};

/**
 * Reads a quoted literal or identifier whose opening quote is at `pos`; decodes escapes unless
 * `raw`. The value is first built as bytes (one char per byte) because \x and octal escapes denote
 * bytes even in STRING literals; strings and identifiers must then decode as UTF-8. Bytes
 * literals keep one char per byte.
 */
function readQuoted(
  sql: string,
  pos: number,
  raw: boolean,
  kind: "string" | "bytes" | "identifier",
  startLine: number,
  fail: (detail: string, atLine?: number) => never,
): { value: string; end: number; lines: number } {
  const quoteChar = sql[pos] as string;
  const triple = kind !== "identifier" && sql.slice(pos, pos + 3) === quoteChar.repeat(3);
  const quote = triple ? quoteChar.repeat(3) : quoteChar;
  let index = pos + quote.length;
  let bytes = "";
  let nonAscii = false;
  let lines = 0;
  const what = kind === "identifier" ? "quoted identifier" : `${kind} literal`;
  const appendChar = (char: string): void => {
    if (char.charCodeAt(0) < 0x80) {
      bytes += char;
      return;
    }
    nonAscii = true;
    for (const byte of new TextEncoder().encode(char)) bytes += String.fromCharCode(byte);
  };
  const appendByte = (byte: number): void => {
    if (byte >= 0x80) nonAscii = true;
    bytes += String.fromCharCode(byte);
  };
  const finish = (end: number): { value: string; end: number; lines: number } => {
    if (kind === "bytes" || !nonAscii) return { value: bytes, end, lines };
    try {
      const value = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes, (char) => char.charCodeAt(0)));
      return { value, end, lines };
    } catch {
      return fail(`${what} is not valid UTF-8 after decoding its escapes`, startLine);
    }
  };

  for (;;) {
    if (index >= sql.length) fail(`unterminated ${what}`, startLine);
    if (sql.startsWith(quote, index)) return finish(index + quote.length);
    const char = sql[index] as string;
    if (char === "\n") {
      if (!triple) fail(`unterminated ${what} (a line break inside quotes needs triple quotes)`, startLine);
      lines++;
    }
    if (char !== "\\") {
      const whole = String.fromCodePoint(sql.codePointAt(index) as number);
      appendChar(whole);
      index += whole.length;
      continue;
    }
    const next = sql[index + 1];
    if (next === undefined) return fail(`unterminated ${what}`, startLine);
    if (raw) {
      // In raw strings a backslash still stops the next character from ending the string, but
      // both characters stay in the value.
      appendChar("\\");
      appendChar(next);
      if (next === "\n") lines++;
      index += 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      appendChar(simple);
      index += 2;
      continue;
    }
    if (/[0-7]/.test(next)) {
      const digits = sql.slice(index + 1, index + 4);
      if (!/^[0-7]{3}$/.test(digits)) fail(`octal escape \\${digits} needs exactly three digits`);
      appendByte(parseInt(digits, 8));
      index += 4;
      continue;
    }
    if (next === "x" || next === "X") {
      const digits = sql.slice(index + 2, index + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(digits)) fail("hex escape \\x needs exactly two hex digits");
      appendByte(parseInt(digits, 16));
      index += 4;
      continue;
    }
    if ((next === "u" || next === "U") && kind !== "bytes") {
      const width = next === "u" ? 4 : 8;
      const digits = sql.slice(index + 2, index + 2 + width);
      if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits)) fail(`unicode escape \\${next} needs exactly ${width} hex digits`);
      const codePoint = parseInt(digits, 16);
      if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) fail(`invalid unicode escape \\${next}${digits}`);
      appendChar(String.fromCodePoint(codePoint));
      index += 2 + width;
      continue;
    }
    fail(`invalid escape sequence \\${next} in ${what}`);
  }
}
