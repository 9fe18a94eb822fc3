import { describe, expect, it } from "vitest";
import { formatOffset, lanes, timelineSummary, timelineSvg, type RunTimeline, type TimelineAction } from "./timeline.ts";

function action(name: string, kind: TimelineAction["kind"], level: number, start: number | null, end: number, status = "succeeded"): TimelineAction {
  const at = (ms: number) => new Date(Date.UTC(2025, 0, 16, 6, 0, 0, ms)).toISOString();
  return { action: name, label: name, kind, level, status, startedAt: start === null ? null : at(start), finishedAt: at(end) };
}

const RUN: RunTimeline = {
  runId: "run_1",
  actions: [
    action("player_game_summary", "player_model", 2, 900, 1200),
    action("team_offense_game_summary", "team_model", 1, 400, 800),
    action("boxscores_complete", "gate", 0, 0, 50),
    action("team_defense_game_summary", "team_model", 1, 400, 850),
    action("upcoming_player_game_context", "model", 3, null, 1250, "skipped"),
  ],
};

describe("timeline", () => {
  it("orders the lanes by level, then start, then name", () => {
    expect(lanes(RUN).map((entry) => entry.action)).toEqual([
      "boxscores_complete",
      "team_defense_game_summary",
      "team_offense_game_summary",
      "player_game_summary",
      "upcoming_player_game_context",
    ]);
  });

  it("measures the gap between the last team model's end and the player model's start", () => {
    expect(timelineSummary(RUN)).toEqual({
      startedAt: "2025-01-16T06:00:00.000Z",
      durationMs: 1250,
      levels: 4,
      teamModelsEndMs: 850,
      playerModelStartMs: 900,
      gapMs: 50,
    });
  });

  it("draws one mark per action (a diamond for one that never started) and the two guide lines", () => {
    const svg = timelineSvg(RUN, "run_1");
    const marks = [...svg.matchAll(/<(rect|path) class="mark ([a-z_]+) status-([a-z]+)[^"]*" data-action="([^"]+)"/g)].map((match) => `${match[1]} ${match[4]}`);
    expect(marks).toEqual(["rect boxscores_complete", "rect team_defense_game_summary", "rect team_offense_game_summary", "rect player_game_summary", "path upcoming_player_game_context"]);
    expect(svg).toContain('class="guide team-end"');
    expect(svg).toContain(">player model starts</text>");
    // The player model's bar starts right of the team models' end line.
    const teamEnd = Number(svg.match(/class="guide team-end" x1="([\d.]+)"/)?.[1]);
    const playerStart = Number(svg.match(/data-action="player_game_summary"[^>]* x="([\d.]+)"/)?.[1]);
    expect(playerStart).toBeGreaterThan(teamEnd);
  });

  it("draws the guides red when the player model started before the team models ended", () => {
    const early: RunTimeline = { runId: "run_2", actions: [action("team_offense_game_summary", "team_model", 1, 0, 500), action("player_game_summary", "player_model", 2, 300, 600)] };
    expect(timelineSummary(early).gapMs).toBe(-200);
    const svg = timelineSvg(early, "run_2");
    expect(svg).toContain('class="guide team-end violation"');
    expect(svg).toContain(">player model started before them</text>");
  });

  it("writes offsets with the decimals the step needs", () => {
    expect(formatOffset(500, 200)).toBe("0.5 s");
    expect(formatOffset(2000, 1000)).toBe("2 s");
    expect(formatOffset(250, 50)).toBe("0.25 s");
    expect(formatOffset(180_000, 60_000)).toBe("3 min");
  });
});
