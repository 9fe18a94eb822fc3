/**
 * Typed errors. Every error the runner raises on purpose carries a code, the exit code it maps to
 * (DESIGN section 6) and, where one exists, what the person should do about it. Only the CLI entry
 * point turns them into process exits; the HTTP server turns them into status codes.
 */

export const ExitCode = {
  success: 0,
  /** A blocking check failed or a model errored: the data is wrong, retrying will not help. */
  dataFailure: 1,
  /** Bad input: arguments, messages, project files. */
  badInput: 2,
  /** Not ready (gate unmet, warehouse busy, transient engine error): retry later. EX_TEMPFAIL. */
  notReady: 75,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface RunnerErrorOptions {
  suggestion?: string;
  cause?: unknown;
}

export class RunnerError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly suggestion: string | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, options: RunnerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.suggestion = options.suggestion;
  }
}

/** The person asked for something that cannot be done as asked (exit 2 / HTTP 400). */
export class BadInputError extends RunnerError {
  constructor(code: string, message: string, options: RunnerErrorOptions = {}) {
    super(code, ExitCode.badInput, message, options);
  }
}

/** Try again later: upstream data incomplete, warehouse busy, transient engine error (exit 75 / HTTP 500). */
export class NotReadyError extends RunnerError {
  constructor(code: string, message: string, options: RunnerErrorOptions = {}) {
    super(code, ExitCode.notReady, message, options);
  }
}

/** The data or a model is wrong: a blocking check failed or SQL errored (exit 1). */
export class DataFailureError extends RunnerError {
  constructor(code: string, message: string, options: RunnerErrorOptions = {}) {
    super(code, ExitCode.dataFailure, message, options);
  }
}

/** The person stopped the command (Ctrl-C): exit 130. */
export class InterruptedError extends RunnerError {
  constructor(message = "interrupted", options: RunnerErrorOptions = {}) {
    super("interrupted", ExitCode.interrupted, message, options);
  }
}

/** One line a person can act on: the message, then the suggestion when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof RunnerError) {
    return error.suggestion ? `${error.message}\n  ${error.suggestion}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
