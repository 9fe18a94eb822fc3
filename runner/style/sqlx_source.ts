/**
 * What a .sqlx file's SQL is made of, as @dataform/core's compiler sees it: the top-level SQL text
 * outside the `config {}` / `js {}` / `pre_operations {}` / `post_operations {}` blocks, with its
 * `${…}` interpolations (JavaScript). The style check uses it twice:
 * - `masked`: the file with everything that is not SQL blanked and each interpolation replaced by
 *   one placeholder word, line for line the file itself, so the SQL a person wrote can be
 *   tokenized and reported at its own line (a number written by `${constants.X}` is no literal);
 * - `sourceMap`: which line of the file each character of the compiled query comes from. The core
 *   builds the query as one template literal, so the compiled query is the body's literal pieces in
 *   order with the interpolations' values between them; aligning the pieces gives every compiled
 *   character a file line (for SQL an interpolation produced, the line of its `${`).
 */

/** The identifier a `${…}` becomes in `masked`: a word, so the SQL around it still tokenizes. */
export const PLACEHOLDER = "__sqlx_js__";

/** Top-level SQLX blocks: JavaScript (not SQL) or SQL statements of their own (not the query). */
const JS_BLOCKS = new Set(["config", "js"]);
const SQL_BLOCKS = new Set(["pre_operations", "post_operations", "incremental_where"]);

export interface Interpolation {
  /** Offset of the `$` of `${` in the file. */
  offset: number;
  /** Its JavaScript, between the braces. */
  code: string;
}

export interface SqlxSource {
  /** The file with non-SQL blanked and interpolations as PLACEHOLDER; same lines as the file. */
  masked: string;
  /** The query's literal pieces (n + 1 for n interpolations), each char with its file offset. */
  pieces: { text: string; offsets: number[] }[];
  /** The query's interpolations, in order (those of pre/post operations are not in the query). */
  interpolations: Interpolation[];
  /** 1-based line of a file offset. */
  lineOf: (offset: number) => number;
}

/** Reads a .sqlx file's SQL; throws an Error with the line when a block or `${` never closes. */
export function readSqlx(source: string): SqlxSource {
  const lineStarts = [0];
  for (let index = 0; index < source.length; index++) if (source[index] === "\n") lineStarts.push(index + 1);
  const lineOf = (offset: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };

  const masked: string[] = [];
  const pieces: SqlxSource["pieces"] = [{ text: "", offsets: [] }];
  const interpolations: Interpolation[] = [];
  const blank = (from: number, to: number) => masked.push(source.slice(from, to).replace(/[^\n]/g, " "));
  const inQuery = (char: string, offset: number) => {
    const piece = pieces[pieces.length - 1] as SqlxSource["pieces"][number];
    piece.text += char;
    piece.offsets.push(offset);
  };

  /** SQL from `pos` to the end (top level) or to the `}` closing a SQL block; returns where it stopped. */
  const sql = (start: number, topLevel: boolean, query: boolean): number => {
    let pos = start;
    let quote: string | undefined;
    let lineComment = false;
    let blockComment = false;
    while (pos < source.length) {
      const char = source[pos] as string;
      if (topLevel && !quote && !lineComment && !blockComment && atLineStart(source, pos)) {
        const block = /^([a-z_]+)\s*\{/.exec(source.slice(pos, pos + 40));
        const name = block?.[1];
        if (block && name && (JS_BLOCKS.has(name) || SQL_BLOCKS.has(name))) {
          const open = pos + block[0].length - 1;
          if (JS_BLOCKS.has(name)) {
            const close = skipJs(source, open + 1, lineOf);
            blank(pos, close + 1);
            pos = close + 1;
          } else {
            blank(pos, open + 1);
            const close = sql(open + 1, false, false);
            blank(close, close + 1);
            pos = close + 1;
          }
          continue;
        }
      }
      // Like the core's lexer: an interpolation anywhere but in a SQL comment (strings included).
      if (char === "$" && source[pos + 1] === "{" && !lineComment && !blockComment) {
        const close = skipJs(source, pos + 2, lineOf);
        const code = source.slice(pos + 2, close);
        masked.push(PLACEHOLDER + "\n".repeat(code.split("\n").length - 1));
        if (query) {
          interpolations.push({ offset: pos, code });
          pieces.push({ text: "", offsets: [] });
        }
        pos = close + 1;
        continue;
      }
      if (!topLevel && !quote && !lineComment && !blockComment && char === "}") return pos;
      if (lineComment) {
        if (char === "\n") lineComment = false;
      } else if (blockComment) {
        if (char === "*" && source[pos + 1] === "/") {
          masked.push("*");
          if (query) inQuery("*", pos);
          pos++;
          blockComment = false;
        }
      } else if (quote) {
        if (char === "\\" && pos + 1 < source.length) {
          masked.push(char);
          if (query) inQuery(char, pos);
          pos++;
        } else if (char === quote) quote = undefined;
      } else if (char === "-" && source[pos + 1] === "-") lineComment = true;
      else if (char === "/" && source[pos + 1] === "*") blockComment = true;
      else if (char === "'" || char === '"' || char === "`") quote = char;
      const current = source[pos] as string;
      masked.push(current);
      if (query) inQuery(current, pos);
      pos++;
    }
    if (!topLevel) throw new Error(`line ${lineOf(start)}: a SQL block is never closed`);
    return pos;
  };

  sql(0, true, true);
  return { masked: masked.join(""), pieces, interpolations, lineOf };
}

function atLineStart(source: string, pos: number): boolean {
  for (let index = pos - 1; index >= 0; index--) {
    const char = source[index];
    if (char === "\n") return true;
    if (char !== " " && char !== "\t") return false;
  }
  return true;
}

/**
 * The offset of the `}` that closes JavaScript starting at `pos` (inside a `{` or `${`): braces,
 * strings, template literals (with their own `${…}`), comments and regular expression literals
 * are skipped, so a brace inside any of them does not count.
 */
export function skipJs(source: string, start: number, lineOf: (offset: number) => number): number {
  let depth = 0;
  let pos = start;
  /** The last significant character, to tell a regular expression from a division. */
  let previous = "(";
  while (pos < source.length) {
    const char = source[pos] as string;
    const next = source[pos + 1];
    if (char === "/" && next === "/") {
      while (pos < source.length && source[pos] !== "\n") pos++;
      continue;
    }
    if (char === "/" && next === "*") {
      const end = source.indexOf("*/", pos + 2);
      if (end < 0) break;
      pos = end + 2;
      continue;
    }
    if (char === "'" || char === '"') {
      pos = skipQuoted(source, pos, char);
      previous = char;
      continue;
    }
    if (char === "`") {
      pos++;
      while (pos < source.length && source[pos] !== "`") {
        if (source[pos] === "\\") pos += 2;
        else if (source[pos] === "$" && source[pos + 1] === "{") pos = skipJs(source, pos + 2, lineOf) + 1;
        else pos++;
      }
      pos++;
      previous = "`";
      continue;
    }
    if (char === "/" && (/[(,=:[!&|?{};+\-*%<>~^]/.test(previous) || /\b(return|typeof|case|in|of)$/.test(source.slice(Math.max(0, pos - 8), pos).trimEnd()))) {
      pos++;
      let inClass = false;
      while (pos < source.length && (source[pos] !== "/" || inClass)) {
        if (source[pos] === "\\") pos++;
        else if (source[pos] === "[") inClass = true;
        else if (source[pos] === "]") inClass = false;
        else if (source[pos] === "\n") break;
        pos++;
      }
      pos++;
      previous = "/";
      continue;
    }
    if (char === "{") depth++;
    if (char === "}") {
      if (depth === 0) return pos;
      depth--;
    }
    if (!/\s/.test(char)) previous = char;
    pos++;
  }
  throw new Error(`line ${lineOf(start)}: a \`{\` or \`\${\` is never closed`);
}

function skipQuoted(source: string, start: number, quote: string): number {
  let pos = start + 1;
  while (pos < source.length && source[pos] !== quote && source[pos] !== "\n") pos += source[pos] === "\\" ? 2 : 1;
  return pos + 1;
}

/**
 * For each character of the compiled query, the file line it comes from, or undefined when the
 * query is not the body's pieces with values between them (then findings carry no line). The
 * first piece starts the query and the last ends it; each other piece is taken at its first
 * occurrence after the previous one, which is right unless a value contains the next piece.
 */
export function sourceMap(sqlx: SqlxSource, query: string): ((offset: number) => { line: number; interpolated: boolean }) | undefined {
  const { pieces, interpolations } = sqlx;
  const starts: number[] = [];
  let cursor = 0;
  for (const [index, piece] of pieces.entries()) {
    const at = index === 0 ? (query.startsWith(piece.text) ? 0 : -1) : index === pieces.length - 1 ? query.length - piece.text.length : query.indexOf(piece.text, cursor);
    if (at < cursor || !query.startsWith(piece.text, at)) return undefined;
    starts.push(at);
    cursor = at + piece.text.length;
  }
  return (offset) => {
    for (let index = pieces.length - 1; index >= 0; index--) {
      const start = starts[index] as number;
      const piece = pieces[index] as SqlxSource["pieces"][number];
      if (offset < start) continue;
      if (offset < start + piece.text.length) return { line: sqlx.lineOf(piece.offsets[offset - start] as number), interpolated: false };
      // Past this piece: the value of the interpolation that follows it.
      const interpolation = interpolations[index] ?? interpolations[interpolations.length - 1];
      return { line: interpolation ? sqlx.lineOf(interpolation.offset) : 1, interpolated: true };
    }
    return { line: 1, interpolated: false };
  };
}
