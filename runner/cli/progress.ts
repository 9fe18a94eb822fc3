/**
 * Progress of long commands (a run's dates, a seed's tables, a load's files). On a terminal: one line redrawn in
 * place with a bar, the elapsed time and an ETA, and warnings and errors from the log as one
 * readable line each. Otherwise (CI, Cloud Run, pipes): every log entry as a JSON line (Cloud
 * Logging), plus one entry per finished date or step. All of it goes through the command's io:
 * its terminal when it has one, else its stderr.
 */
import type { DateResult } from "../execution/run.ts";
import type { ActionOutcome } from "../execution/executor.ts";
import type { LogEntry, LogSink } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import type { CliIO } from "./options.ts";

const QUIET_ON_TERMINAL = new Set(["DEBUG", "INFO", "NOTICE"]);
const BAR_WIDTH = 20;
const SHOWN_APART = new Set(["severity", "message", "time", "game_date", "action", "run_id"]);

export interface ProgressOptions {
  /** Milliseconds since some origin; Date.now by default. */
  now?: () => number;
  /** Redraw this often on a terminal so the elapsed time moves (0: only on events). */
  refreshMs?: number;
}

/** 75 s -> "1:15", 3725 s -> "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** `[3/28] ████░░░░ 11% 0:42 elapsed, ETA 5:12  label`, cut to the terminal's width. */
export function progressLine(parts: { position: string; fraction: number; elapsedMs: number; label: string; columns: number }): string {
  const fraction = Math.min(1, Math.max(0, parts.fraction));
  const filled = Math.round(fraction * BAR_WIDTH);
  const eta = fraction > 0 && fraction < 1 ? formatDuration((parts.elapsedMs * (1 - fraction)) / fraction) : "--:--";
  const line = `${parts.position} ${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatDuration(parts.elapsedMs)} elapsed, ETA ${eta}  ${parts.label}`;
  return fitTo(line, parts.columns);
}

function fitTo(text: string, columns: number): string {
  return text.length < columns ? text : `${text.slice(0, Math.max(0, columns - 2))}…`;
}

/** A log entry as one line a person reads: `WARNING 2025-01-15 team_offense: message (key=value)`. */
export function warningLine(entry: LogEntry, columns: number): string {
  const fields = entry as LogEntry & Record<string, unknown>;
  const { severity, message } = entry;
  const where = [fields.game_date, fields.action].filter((part) => typeof part === "string" && part !== "").join(" ");
  // Scalars only: a gate's rows or a check's details stay in the JSON log, not on one line.
  const context = Object.entries(fields)
    .filter(([key]) => !SHOWN_APART.has(key))
    .filter(([, value]) => value !== undefined && (typeof value !== "object" || value === null))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
  const text = `${severity} ${where ? `${where}: ` : ""}${message.replace(/\s*\n\s*/g, " ")}${context ? ` (${context})` : ""}`;
  return fitTo(text, columns);
}

/** The end of a range: how many dates had each outcome, and which failed, were not ready or had a gate bypassed. */
export function rangeSummary(results: DateResult[]): string[] {
  if (results.length < 2) return [];
  const dates = (keep: (result: DateResult) => boolean) => results.filter(keep).map((result) => result.gameDate);
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  const lines = [`Range ${results[0]?.gameDate}..${results.at(-1)?.gameDate}: ${results.length} dates, ${[...counts].map(([outcome, count]) => `${count} ${outcome}`).join(", ")}`];
  const failed = dates((result) => result.outcome === "failed");
  const notReady = dates((result) => result.outcome === "not_ready");
  const bypassed = results.flatMap((result) => {
    const gates = result.actions.filter((action: ActionOutcome) => action.status === "bypassed").map((action) => action.action);
    return gates.length > 0 ? [`${result.gameDate} (${gates.join(", ")})`] : [];
  });
  lines.push(`  failed:    ${failed.length > 0 ? failed.join(", ") : "none"}`);
  lines.push(`  not ready: ${notReady.length > 0 ? notReady.join(", ") : "none"}`);
  lines.push(`  bypassed:  ${bypassed.length > 0 ? bypassed.join(", ") : "none"}`);
  return lines;
}

/** Log entries: on a terminal warnings and errors as one line above the live line, elsewhere every entry as JSON. */
function sinkTo(live: LiveLine): LogSink {
  return (entry: LogEntry) => {
    if (!live.onTerminal) {
      live.print(JSON.stringify(entry));
      return;
    }
    if (QUIET_ON_TERMINAL.has(entry.severity)) return;
    live.print(warningLine(entry, live.columns));
  };
}

/**
 * The in-place line on the command's terminal (io.terminal): clear, redraw, keep time moving.
 * Without a terminal there is no live line, and printed lines go to the command's stderr.
 */
class LiveLine {
  private line = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: CliIO,
    private readonly render: () => string | undefined,
    refreshMs: number,
  ) {
    if (io.terminal && refreshMs > 0) {
      this.timer = setInterval(() => this.draw(), refreshMs);
      this.timer.unref();
    }
  }

  get onTerminal(): boolean {
    return this.io.terminal !== undefined;
  }

  get columns(): number {
    // 100 when the terminal does not say (undefined or 0).
    return this.io.terminal?.columns() || 100;
  }

  /** Prints `text` as a line of its own: above the live line on a terminal, else on stderr. */
  print(text: string): void {
    const terminal = this.io.terminal;
    if (!terminal) {
      this.io.stderr(text);
      return;
    }
    this.clear();
    terminal.write(`${text}\n`);
    this.draw();
  }

  draw(): void {
    const terminal = this.io.terminal;
    if (!terminal) return;
    const text = this.render();
    if (text === undefined) return;
    this.clear();
    this.line = text;
    terminal.write(text);
  }

  clear(): void {
    const terminal = this.io.terminal;
    if (!terminal || !this.line) return;
    terminal.write(`\r${" ".repeat(this.line.length)}\r`);
    this.line = "";
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}

export class ProgressDisplay {
  private date = "";
  private index = 0;
  private total = 0;
  private datesDone = 0;
  private actionsDone = 0;
  /** Actions of the last finished date: what the current one is expected to have. */
  private actionsPerDate: number | undefined;
  private readonly running = new Set<string>();
  private readonly started: number;
  private readonly now: () => number;
  private readonly live: LiveLine;

  constructor(io: CliIO, options: ProgressOptions = {}) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.live = new LiveLine(io, () => this.render(), options.refreshMs ?? 1000);
  }

  logSink(): LogSink {
    return sinkTo(this.live);
  }

  onDate(event: { gameDate: string; index: number; total: number; phase: "start" | "end"; result?: DateResult }): void {
    this.date = event.gameDate;
    this.index = event.index;
    this.total = event.total;
    if (event.phase === "start") this.actionsDone = 0;
    if (event.phase === "end" && event.result) {
      this.datesDone = event.index + 1;
      this.actionsPerDate = event.result.actions.length;
      const text = `[${event.index + 1}/${event.total}] ${event.gameDate} ${event.result.outcome} in ${(event.result.durationMs / 1000).toFixed(1)}s`;
      this.live.print(this.live.onTerminal ? text : JSON.stringify({ severity: "NOTICE", message: `Date ${text}`, time: new Date(this.now()).toISOString(), game_date: event.gameDate }));
      return;
    }
    this.live.draw();
  }

  onAction(event: { action: Action; phase: "start" | "end"; outcome?: ActionOutcome }): void {
    if (event.phase === "start") this.running.add(event.action.name);
    else {
      this.running.delete(event.action.name);
      this.actionsDone += 1;
    }
    this.live.draw();
  }

  finish(): void {
    this.live.stop();
  }

  private render(): string | undefined {
    if (!this.date || this.total === 0) return undefined;
    // Within a date, the share of its actions done, when an earlier date says how many there are.
    const within = this.datesDone > this.index || !this.actionsPerDate ? 0 : Math.min(0.99, this.actionsDone / this.actionsPerDate);
    const fraction = (Math.min(this.datesDone, this.total) + (this.datesDone > this.index ? 0 : within)) / this.total;
    const label = `${this.date} ${[...this.running].join(", ")}`.trimEnd();
    return progressLine({ position: `[${this.index + 1}/${this.total}]`, fraction, elapsedMs: this.now() - this.started, label, columns: this.live.columns });
  }
}

/**
 * Progress through named steps of known number (a seed's tables, a load's files). On a terminal the
 * live line; otherwise one JSON INFO per step started.
 */
export class StepProgress {
  private done = 0;
  private current = "";
  /** False during a phase, before the first step. */
  private stepping = false;
  private readonly started: number;
  private readonly now: () => number;
  private readonly live: LiveLine;

  constructor(
    io: CliIO,
    private readonly total: number,
    private readonly what: string,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.live = new LiveLine(io, () => this.render(), options.refreshMs ?? 1000);
  }

  /** A phase before the counted steps (e.g. generating the rows): shown with the elapsed time. */
  phase(label: string): void {
    this.current = label;
    this.log(label);
    this.live.draw();
  }

  /** Step `name` starts; the one before it is done. Said again (its next statement), nothing changes. */
  step(name: string): void {
    if (this.stepping && this.current === name) return;
    if (this.current && this.stepping) this.done += 1;
    this.stepping = true;
    this.current = name;
    this.log(`${this.what} ${name} (${this.done + 1}/${this.total})`);
    this.live.draw();
  }

  /** The command's log, drawn around the live line (as ProgressDisplay's). */
  logSink(): LogSink {
    return sinkTo(this.live);
  }

  finish(): void {
    this.live.stop();
  }

  private log(message: string): void {
    if (!this.live.onTerminal) this.live.print(JSON.stringify({ severity: "INFO", message, time: new Date(this.now()).toISOString() }));
  }

  private render(): string | undefined {
    if (!this.current) return undefined;
    const position = this.stepping ? `[${this.done + 1}/${this.total}]` : `[0/${this.total}]`;
    return progressLine({ position, fraction: this.done / this.total, elapsedMs: this.now() - this.started, label: this.stepping ? `${this.what} ${this.current}` : this.current, columns: this.live.columns });
  }
}
