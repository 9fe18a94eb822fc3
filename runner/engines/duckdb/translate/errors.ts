import { DataFailureError } from "../../../errors.ts";

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
