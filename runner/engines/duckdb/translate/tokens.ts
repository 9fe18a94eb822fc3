/**
 * The tokens of one script and what every pass asks of them: bracket matches (each `(`, `[` and
 * CASE knows its `)`, `]` or END, computed once), lookups by index, top-level splitting, and the
 * errors (UnsupportedSqlError for a construct without a faithful translation, SqlSyntaxError
 * for SQL BigQuery would reject too). Ranges of the same array are translated by the walker
 * (walker.ts) through `seq`; nothing is re-tokenised.
 */
import { SqlSyntaxError, type Token } from "../tokenizer.ts";
import { UnsupportedSqlError } from "./errors.ts";
import { translateRange } from "./walker.ts";

/** A half-open range of token indexes. */
export interface Range {
  start: number;
  end: number;
}

export class Tokens {
  readonly tokens: Token[];
  readonly action: string | undefined;
  /** For each `(`, `[` and CASE: the index of its `)`, `]` or END; -1 elsewhere. */
  readonly match: Int32Array;

  constructor(tokens: Token[], action: string | undefined) {
    this.tokens = tokens;
    this.action = action;
    this.match = this.matchBrackets();
  }

  /** Translates tokens [start, end): a query, an expression, or any part of one. */
  seq(start: number, end: number): string {
    return translateRange(this, start, end);
  }

  refuse(construct: string, index: number, reason?: string): never {
    const token = this.tokens[Math.min(index, this.tokens.length - 1)];
    throw new UnsupportedSqlError(construct, token?.line ?? 1, { action: this.action, reason });
  }

  syntax(detail: string, index: number): never {
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

  tok(index: number): Token | undefined {
    return this.tokens[index];
  }

  /**
   * Whether the range is a column (`a`, `t.a`, `` `t`.a ``), a number, a string or a parameter:
   * nothing to evaluate, cheap for a macro to repeat. Anything else is passed to a macro's `_once`
   * form, which binds it once (macros.ts).
   */
  isColumnOrLiteral(range: Range): boolean {
    const tokens = this.tokens.slice(range.start, range.end);
    if (tokens.length === 1) return ["word", "quoted", "number", "string", "param"].includes(tokens[0]?.kind ?? "");
    return tokens.every((token, index) => (index % 2 === 0 ? token.kind === "word" || token.kind === "quoted" : token.upper === "."));
  }

  isWord(index: number, ...words: string[]): boolean {
    const token = this.tokens[index];
    return token !== undefined && token.kind === "word" && (words.length === 0 || words.includes(token.upper));
  }

  isPunct(index: number, punct: string): boolean {
    const token = this.tokens[index];
    return token !== undefined && (token.kind === "punct" || token.kind === "op") && token.upper === punct;
  }

  /** Index after the group opened at `index` (a `(`, `[` or CASE). */
  after(index: number): number {
    const close = this.match[index] ?? -1;
    if (close < 0) this.syntax("unbalanced brackets", index);
    return close + 1;
  }

  /** Top-level comma-separated pieces of a range (groups and ARRAY<...> types are skipped). */
  split(range: Range, separator = ","): Range[] {
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
  args(open: number): Range[] {
    return this.split({ start: open + 1, end: this.after(open) - 1 });
  }

  /** The translated text of a range, without leading whitespace. */
  expr(range: Range): string {
    return this.seq(range.start, range.end).trim();
  }

  /** The translated text of an argument, parenthesised unless it is a single token. */
  operandOf(range: Range): string {
    const text = this.expr(range);
    return range.end - range.start === 1 ? text : `(${text})`;
  }

  space(index: number): string {
    return this.tokens[index]?.space ?? "";
  }

  /** The decoded value when the range is exactly one string literal. */
  stringLiteral(range: Range): string | undefined {
    const token = this.tokens[range.start];
    return range.end - range.start === 1 && token?.kind === "string" ? token.value : undefined;
  }

  /** The upper-cased word when the range is exactly one word. */
  wordOf(range: Range): string | undefined {
    const token = this.tokens[range.start];
    return range.end - range.start === 1 && token?.kind === "word" ? token.upper : undefined;
  }

  /** Index of the first top-level word `word` in the range, or -1. */
  findWord(range: Range, ...words: string[]): number {
    for (let index = range.start; index < range.end; index++) {
      if ((this.match[index] ?? -1) > index) {
        index = this.after(index) - 1;
        continue;
      }
      if (this.isWord(index, ...words)) return index;
    }
    return -1;
  }
}
