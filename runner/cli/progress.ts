/**
 * Progress of a run. On a terminal: one line redrawn in place ("[3/28] 2025-01-17 team_offense...")
 * and only warnings and errors from the log. Otherwise (CI, Cloud Run, pipes): every log entry as
 * a JSON line, plus one entry per finished date.
 */
import type { DateResult } from "../execution/run.ts";
import type { ActionOutcome } from "../execution/executor.ts";
import type { LogEntry, LogSink } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import type { CliIO } from "./options.ts";

const QUIET_ON_TERMINAL = new Set(["DEBUG", "INFO", "NOTICE"]);

export class ProgressDisplay {
  private line = "";
  private date = "";
  private position = "";
  private readonly running = new Set<string>();

  constructor(private readonly io: CliIO) {}

  logSink(): LogSink {
    return (entry: LogEntry) => {
      if (this.io.interactive && QUIET_ON_TERMINAL.has(entry.severity)) return;
      this.clear();
      process.stderr.write(`${JSON.stringify(entry)}\n`);
      this.draw();
    };
  }

  onDate(event: { gameDate: string; index: number; total: number; phase: "start" | "end"; result?: DateResult }): void {
    this.date = event.gameDate;
    this.position = `[${event.index + 1}/${event.total}]`;
    if (event.phase === "end" && event.result) {
      const text = `${this.position} ${event.gameDate} ${event.result.outcome} in ${(event.result.durationMs / 1000).toFixed(1)}s`;
      if (this.io.interactive) {
        this.clear();
        process.stderr.write(`${text}\n`);
      } else {
        process.stderr.write(`${JSON.stringify({ severity: "NOTICE", message: `Date ${text}`, time: new Date().toISOString(), game_date: event.gameDate })}\n`);
      }
    }
    this.draw();
  }

  onAction(event: { action: Action; phase: "start" | "end"; outcome?: ActionOutcome }): void {
    if (event.phase === "start") this.running.add(event.action.name);
    else this.running.delete(event.action.name);
    this.draw();
  }

  finish(): void {
    this.clear();
  }

  private clear(): void {
    if (!this.io.interactive || !this.line) return;
    process.stderr.write(`\r${" ".repeat(this.line.length)}\r`);
    this.line = "";
  }

  private draw(): void {
    if (!this.io.interactive || !this.date) return;
    this.clear();
    const columns = process.stderr.columns ?? 100;
    this.line = `${this.position} ${this.date} ${[...this.running].join(", ")}`.slice(0, columns - 1);
    process.stderr.write(this.line);
  }
}
