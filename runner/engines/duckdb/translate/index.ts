/**
 * BigQuery SQL -> DuckDB SQL, for the local engine (DESIGN section 7).
 *
 * The rewriter works on tokens (../tokenizer.ts), never on raw text: string contents, comments
 * and quoted names can never be rewritten by accident, and brackets are matched once, up front, so
 * that every construct knows its extent. Faithfulness rule: a construct is either translated to
 * something DuckDB evaluates exactly as BigQuery does (with the macros of ../macros.ts where a
 * built-in differs), or refused with UnsupportedSqlError. Functions are allowlisted.
 *
 * The passes, in order:
 *  1. tokenize (../tokenizer.ts): the script as tokens, escapes decoded.
 *  2. match brackets (tokens.ts): every `(`, `[` and CASE gets the index of its close; the
 *     Tokens object also holds the lookups and errors every later step uses.
 *  3. split and dispatch statements (statements.ts): top-level semicolons; CREATE, DROP, INSERT,
 *     DELETE, UPDATE, MERGE, TRUNCATE and transactions rebuilt clause by clause.
 *  4. walk each query or expression (walker.ts): one left-to-right pass per range; nested groups
 *     are walked recursively over index ranges of the same token array. The walker hands off to
 *       - names.ts: reserved words, identifier quoting, table paths;
 *       - literals.ts: strings, bytes, numbers, typed literals, ARRAY<...>[...], STRUCT forms;
 *       - types.ts: type names, CAST and SAFE_CAST;
 *       - functions.ts: function calls (the allowlist, the rewrites, the refusals);
 *       - dates.ts: INTERVAL, EXTRACT, CURRENT_*, the *_ADD / *_DIFF / *_TRUNC / FORMAT_* /
 *         PARSE_* families.
 * errors.ts holds UnsupportedSqlError. evaluator.test.ts runs each construct in ZetaSQL's reference
 * evaluator and, translated, in DuckDB, and compares the rows.
 */
import { tokenize } from "../tokenizer.ts";
import { translateScript } from "./statements.ts";
import { Tokens } from "./tokens.ts";
import { columnType } from "./types.ts";

export { SqlSyntaxError } from "../tokenizer.ts";
export { UnsupportedSqlError } from "./errors.ts";

export interface TranslateOptions {
  /** The action the statement belongs to, named in error messages. */
  action?: string | undefined;
}

export function translateToDuckDB(sql: string, options: TranslateOptions = {}): string {
  return translateScript(new Tokens(tokenize(sql, options.action), options.action));
}

/** The DuckDB type a BigQuery column type becomes, as the translator writes it in DDL (STRING -> VARCHAR). */
export function duckdbTypeOf(bigQueryType: string): string {
  return columnType(new Tokens(tokenize(bigQueryType), undefined));
}
