/**
 * What a BigQuery multi-statement transaction may contain, and the state of one while it runs
 * (the engine's `transaction` drives it; engine.ts says how).
 *
 * BigQuery runs a transaction across several jobs only inside a session, and inside it accepts
 * only (https://cloud.google.com/bigquery/docs/transactions, "Statements supported in
 * transactions"): SELECT; the DML statements INSERT, UPDATE, DELETE, MERGE and TRUNCATE TABLE;
 * and DDL on temporary entities (CREATE TEMP TABLE, CREATE TEMP FUNCTION, DROP TABLE / DROP
 * FUNCTION of a temporary one). DDL that creates, replaces, alters or drops a permanent table,
 * view, function or dataset is refused, and so are the transaction statements themselves, which
 * the engine alone sends.
 *
 * What the runner puts inside `engine.transaction()` therefore has to be reads and DML: the
 * quarantine's DELETE + INSERT, the publishing MERGE, the DELETE + INSERT of held_back_games, the
 * post-write checks (SELECTs), and the DELETE + INSERT of `runner load` / `runner seed`. `CREATE TABLE IF NOT EXISTS` / `CREATE OR REPLACE TABLE` of a
 * target, `ALTER TABLE ... ADD COLUMN` (addColumns) and the stage's CREATE/DROP must run before or
 * after it. The engine refuses them inside with `statement_not_allowed_in_transaction` before
 * anything is sent, rather than letting BigQuery fail the job halfway through the unit.
 *
 * Not statements, and not part of the transaction: ensureDataset, ensureTable (when the REST API
 * creates the table), describeTable and listTables are REST calls outside any session. Inside a
 * transaction they still run, but what they create survives a rollback (it is idempotent and
 * empty); create a table before the transaction that writes to it.
 */
import { DataFailureError } from "../../errors.ts";
import type { StatementContext } from "../engine.ts";

const ALLOWED_IN_TRANSACTION: RegExp[] = [
  /^(SELECT|WITH)\b/i,
  /^(INSERT|UPDATE|DELETE|MERGE)\b/i,
  /^TRUNCATE\s+TABLE\b/i,
  /^CREATE\s+(OR\s+REPLACE\s+)?TEMP(ORARY)?\s+(TABLE|FUNCTION)\b/i,
  // A temporary table or function is named by one unqualified identifier; the runner never sets
  // a default dataset, so a name with a dataset is a permanent one.
  /^DROP\s+(TABLE|FUNCTION)\s+(IF\s+EXISTS\s+)?(`[A-Za-z_][A-Za-z0-9_]*`|[A-Za-z_][A-Za-z0-9_]*)\s*(;\s*)?$/i,
];

/** The statement without its leading comments, whitespace and opening parentheses. */
function statementHead(sql: string): string {
  let text = sql;
  for (;;) {
    const trimmed = text.replace(/^[\s(]+/, "");
    if (trimmed.startsWith("--") || trimmed.startsWith("#")) {
      const end = trimmed.indexOf("\n");
      text = end < 0 ? "" : trimmed.slice(end + 1);
    } else if (trimmed.startsWith("/*")) {
      const end = trimmed.indexOf("*/");
      text = end < 0 ? "" : trimmed.slice(end + 2);
    } else {
      return trimmed;
    }
  }
}

/**
 * The kind of statement ("CREATE TABLE IF NOT EXISTS", "ALTER TABLE"...) when BigQuery does not
 * allow it inside a multi-statement transaction; undefined when it does.
 */
export function refusedInTransaction(sql: string): string | undefined {
  const head = statementHead(sql);
  if (ALLOWED_IN_TRANSACTION.some((pattern) => pattern.test(head))) return undefined;
  const words: string[] = [];
  for (const word of head.split(/\s+/)) {
    if (!/^[A-Za-z]+$/.test(word) || words.length === 5) break;
    words.push(word.toUpperCase());
  }
  return words.join(" ") || "this statement";
}

function prefix(context: StatementContext | undefined): string {
  return context?.action ? `${context.action}: ` : "";
}

function firstLine(sql: string): string {
  return (statementHead(sql).split("\n")[0] ?? "").slice(0, 120);
}

export function notAllowedInTransaction(kind: string, sql: string, context: StatementContext | undefined): DataFailureError {
  return new DataFailureError(
    "statement_not_allowed_in_transaction",
    `${prefix(context)}BigQuery does not allow ${kind} inside a multi-statement transaction (not sent; the transaction is rolled back): ${firstLine(sql)}`,
    {
      suggestion:
        "Inside engine.transaction() BigQuery accepts only SELECT, INSERT, UPDATE, DELETE, MERGE, TRUNCATE TABLE and DDL on temporary tables and functions: run CREATE, ALTER or DROP of a permanent table before or after the transaction.",
    },
  );
}

export function transactionAborted(context: StatementContext | undefined, cause: unknown): DataFailureError {
  return new DataFailureError("transaction_aborted", `${prefix(context)}not sent: an earlier statement of this BigQuery transaction failed, and it is rolled back`, { cause });
}

/**
 * One transaction while it runs: its session (created by the BEGIN TRANSACTION job, which is sent
 * with the first statement, so a unit that sends nothing costs nothing), the first failure inside
 * it, and the queue of its jobs.
 */
export class SessionTransaction {
  sessionId: string | undefined;
  /** The first statement's context: BEGIN, COMMIT, ROLLBACK and the session's end carry its labels. */
  context: StatementContext | undefined;
  /**
   * The first failure inside. After it nothing more is sent (BigQuery may already have ended the
   * transaction, and a statement sent then would commit on its own) and the unit rolls back, even
   * if the work caught the error and returned.
   */
  failed: { error: unknown } | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs `job` after every job queued before it: BigQuery runs no concurrent queries in one
   * session, and work such as Promise.all over two queries must not make it try.
   */
  serial<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  fail(error: unknown): void {
    this.failed ??= { error };
  }
}
