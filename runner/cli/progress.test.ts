/** The progress renderer fed a fake command output (with or without a terminal) and a fake clock. */
import { describe, expect, it } from "vitest";
import type { DateResult } from "../execution/run.ts";
import type { ActionOutcome } from "../execution/executor.ts";
import type { Action } from "../plan/actions.ts";
import type { CliIO } from "./options.ts";
import { formatDuration, ProgressDisplay, rangeSummary, StepProgress } from "./progress.ts";

/** A command's io: on a terminal `columns` wide, or (onTerminal false) stderr lines only. */
function fakeIO(onTerminal: boolean, columns = 120): CliIO & { output: string[]; screen: () => string[] } {
  const output: string[] = [];
  return {
    stdout: () => undefined,
    stderr: (text) => output.push(`${text}\n`),
    terminal: onTerminal ? { write: (text) => output.push(text), columns: () => columns } : undefined,
    output,
    // What a person sees: carriage returns redraw the current line.
    screen: () =>
      output
        .join("")
        .split("\n")
        .map((line) => line.split("\r").reduce((shown, part) => part + shown.slice(part.length), "").trimEnd()),
  };
}

const action = (name: string) => ({ name, id: `nba_analytics.${name}` }) as Action;
const outcome = (name: string, status: ActionOutcome["status"]) => ({ action: name, status }) as ActionOutcome;
const result = (gameDate: string, outcomeOf: DateResult["outcome"], actions: ActionOutcome[] = []): DateResult => ({ gameDate, outcome: outcomeOf, durationMs: 30_000, actions });

describe("ProgressDisplay on a terminal", () => {
  it("draws a bar with elapsed time and ETA from the dates done", () => {
    let now = 0;
    const io = fakeIO(true);
    const progress = new ProgressDisplay(io, { now: () => now, refreshMs: 0 });
    progress.onDate({ gameDate: "2025-01-13", index: 0, total: 4, phase: "start" });
    now = 30_000;
    progress.onDate({ gameDate: "2025-01-13", index: 0, total: 4, phase: "end", result: result("2025-01-13", "success", [outcome("a", "succeeded"), outcome("b", "succeeded")]) });
    progress.onDate({ gameDate: "2025-01-14", index: 1, total: 4, phase: "start" });
    progress.onAction({ action: action("team_offense_game_summary"), phase: "start" });
    const line = io.screen().at(-1) ?? "";
    // 1 of 4 dates in 30 s: 25 %, 90 s to go.
    expect(line).toContain("[2/4] █████░░░░░░░░░░░░░░░  25% 0:30 elapsed, ETA 1:30  2025-01-14 team_offense_game_summary");
    expect(io.screen()).toContain("[1/4] 2025-01-13 success in 30.0s");
    now = 45_000;
    progress.onAction({ action: action("team_offense_game_summary"), phase: "end" });
    // Half of the second date's actions (two, as the first date had): 37 %, 75 s to go.
    expect(io.screen().at(-1)).toContain(" 37% 0:45 elapsed, ETA 1:15  2025-01-14");
    progress.finish();
    expect(io.screen().at(-1)).toBe("");
  });

  it("prints a warning as one readable line, not JSON, and hides INFO", () => {
    const io = fakeIO(true, 80);
    const progress = new ProgressDisplay(io, { refreshMs: 0 });
    const sink = progress.logSink();
    sink({ severity: "INFO", message: "Level 1 started", time: "2025-01-15T00:00:00Z" });
    sink({
      severity: "WARNING",
      message: "Gate boxscores_complete bypassed:\n 1 game missing for good",
      time: "2025-01-15T00:00:00Z",
      game_date: "2025-01-15",
      action: "boxscores_complete",
      run_id: "run_1",
      games: 1,
      rows: [{ game_id: "x".repeat(1500) }],
    } as never);
    const lines = io.output.join("").split("\n").filter(Boolean);
    expect(lines).toEqual(["WARNING 2025-01-15 boxscores_complete: Gate boxscores_complete bypassed: 1 game missing for good (games=1)".slice(0, 78) + "…"]);
    expect(lines[0]?.length).toBeLessThan(80);
  });
});

describe("ProgressDisplay elsewhere", () => {
  it("writes JSON lines and no redrawn line", () => {
    const io = fakeIO(false);
    const progress = new ProgressDisplay(io, { refreshMs: 0 });
    progress.logSink()({ severity: "INFO", message: "Level 1 started", time: "t" });
    progress.onDate({ gameDate: "2025-01-13", index: 0, total: 1, phase: "start" });
    progress.onDate({ gameDate: "2025-01-13", index: 0, total: 1, phase: "end", result: result("2025-01-13", "success") });
    const lines = io.output.join("").split("\n").filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(["Level 1 started", "Date [1/1] 2025-01-13 success in 30.0s"]);
    expect(io.output.join("")).not.toContain("\r");
  });
});

describe("rangeSummary", () => {
  it("lists the dates that failed, were not ready or had a gate bypassed", () => {
    const lines = rangeSummary([
      result("2025-01-13", "success"),
      result("2025-01-14", "failed"),
      result("2025-01-15", "not_ready"),
      result("2025-01-16", "warnings", [outcome("boxscores_complete", "bypassed")]),
    ]);
    expect(lines).toEqual([
      "Range 2025-01-13..2025-01-16: 4 dates, 1 success, 1 failed, 1 not_ready, 1 warnings",
      "  failed:    2025-01-14",
      "  not ready: 2025-01-15",
      "  bypassed:  2025-01-16 (boxscores_complete)",
    ]);
  });

  it("is empty for one date", () => {
    expect(rangeSummary([result("2025-01-13", "failed")])).toEqual([]);
  });
});

describe("StepProgress (seed)", () => {
  it("counts the steps with elapsed time and ETA", () => {
    let now = 0;
    const io = fakeIO(true);
    const progress = new StepProgress(io, 4, "writing", { now: () => now, refreshMs: 0 });
    progress.phase("generating 2025-01-13..2025-01-19");
    expect(io.screen().at(-1)).toContain("[0/4] ░░░░░░░░░░░░░░░░░░░░   0% 0:00 elapsed, ETA --:--  generating");
    now = 8_000;
    progress.step("nbac_schedule");
    progress.step("nbac_schedule");
    now = 10_000;
    progress.step("bdl_player_boxscores");
    expect(io.screen().at(-1)).toContain("[2/4] █████░░░░░░░░░░░░░░░  25% 0:10 elapsed, ETA 0:30  writing bdl_player_boxscores");
    progress.finish();
  });
});

describe("StepProgress (load: one step per file)", () => {
  it("counts files k/N with elapsed time and ETA; a file's further statements change nothing", () => {
    let now = 0;
    const io = fakeIO(true);
    const progress = new StepProgress(io, 3, "writing", { now: () => now, refreshMs: 0 });
    progress.phase("reading and validating 3 files");
    now = 1_000;
    progress.step("gamebooks/a.json");
    progress.step("gamebooks/a.json");
    now = 5_000;
    progress.step("gamebooks/b.json");
    progress.step("gamebooks/b.json");
    progress.step("gamebooks/b.json");
    // 1 of 3 files in 5 s: 33 %, 10 s to go.
    expect(io.screen().at(-1)).toBe("[2/3] ███████░░░░░░░░░░░░░  33% 0:05 elapsed, ETA 0:10  writing gamebooks/b.json");
    const warn = progress.logSink();
    warn({ severity: "WARNING", message: "play-by-play person ids without a name", time: "t", file: "/x/b.json", person_ids: [1, 2] } as never);
    warn({ severity: "INFO", message: "loaded file", time: "t" });
    now = 6_000;
    progress.step("gamebooks/c.json");
    // The warning stays above the live line as one readable line; INFO is not shown on a terminal.
    expect(io.screen()).toEqual([
      "WARNING play-by-play person ids without a name (file=/x/b.json)",
      "[3/3] █████████████░░░░░░░  66% 0:06 elapsed, ETA 0:03  writing gamebooks/c.json",
    ]);
    progress.finish();
    expect(io.screen().at(-1)).toBe("");
  });

  it("elsewhere prints one JSON line per file and every log entry, through the command's stderr", () => {
    const lines: string[] = [];
    const progress = new StepProgress({ stdout: () => undefined, stderr: (text) => lines.push(text) }, 2, "writing", { refreshMs: 0 });
    progress.phase("reading and validating 2 files");
    progress.step("a.json");
    progress.step("a.json");
    progress.logSink()({ severity: "INFO", message: "loaded file", time: "t" });
    progress.step("b.json");
    progress.finish();
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual([
      "reading and validating 2 files",
      "writing a.json (1/2)",
      "loaded file",
      "writing b.json (2/2)",
    ]);
    expect(lines.join("")).not.toMatch(/[\r\n]/);
  });
});

describe("formatDuration", () => {
  it("reads as m:ss or h:mm:ss", () => {
    expect([formatDuration(0), formatDuration(75_000), formatDuration(3_725_000)]).toEqual(["0:00", "1:15", "1:02:05"]);
  });
});
