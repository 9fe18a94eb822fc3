/**
 * Structured logs: one JSON object per line on stderr, with Cloud Logging's `severity` and
 * `message` and whatever context applies (run_id, action, level, game_date...). stdout stays for
 * results. Tests and the server can redirect the sink.
 */

export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR" | "CRITICAL";
export type LogContext = Record<string, unknown>;

export interface LogEntry extends LogContext {
  severity: Severity;
  message: string;
  time: string;
}

export type LogSink = (entry: LogEntry) => void;

const writeToStderr: LogSink = (entry) => {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
};

export class Logger {
  constructor(
    private readonly context: LogContext = {},
    private readonly sink: LogSink = writeToStderr,
  ) {}

  /** A logger that adds `context` to every entry. */
  child(context: LogContext): Logger {
    return new Logger({ ...this.context, ...context }, this.sink);
  }

  log(severity: Severity, message: string, context: LogContext = {}): void {
    this.sink({ severity, message, time: new Date().toISOString(), ...this.context, ...context });
  }

  debug(message: string, context?: LogContext): void {
    this.log("DEBUG", message, context);
  }
  info(message: string, context?: LogContext): void {
    this.log("INFO", message, context);
  }
  notice(message: string, context?: LogContext): void {
    this.log("NOTICE", message, context);
  }
  warn(message: string, context?: LogContext): void {
    this.log("WARNING", message, context);
  }
  error(message: string, context?: LogContext): void {
    this.log("ERROR", message, context);
  }
  critical(message: string, context?: LogContext): void {
    this.log("CRITICAL", message, context);
  }
}
