import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, editFile, runCli } from "../helpers.ts";

interface PlanJson {
  dates: { start: string; end: string };
  levels: { level: number; actions: { name: string; role: string; dependencies: string[] }[] }[];
}

function levelOf(plan: PlanJson, name: string): number {
  const level = plan.levels.find((candidate) => candidate.actions.some((action) => action.name === name));
  if (!level) throw new Error(`${name} is not in the plan`);
  return level.level;
}

describe("runner plan", () => {
  it("puts the gates and both team models in levels before player_game_summary", async () => {
    const text = await runCli(["plan", "--date", "2025-01-15"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Plan for 2025-01-15");
    const json = await runCli(["plan", "--date", "2025-01-15", "--json"]);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as PlanJson;
    expect(plan.dates).toEqual({ start: "2025-01-15", end: "2025-01-15" });
    const player = levelOf(plan, "player_game_summary");
    for (const earlier of ["boxscores_complete", "team_offense_complete", "team_offense_game_summary", "team_defense_game_summary"]) {
      expect(levelOf(plan, earlier), earlier).toBeLessThan(player);
    }
    const gates = plan.levels.flatMap((level) => level.actions).filter((action) => action.role === "gate");
    expect(gates.map((gate) => gate.name).sort()).toEqual(["boxscores_complete", "player_history_complete", "schedule_available", "team_offense_complete"]);
    // The upcoming player context reads the player summary's history: it runs after it (spec 1.2, level 3).
    expect(levelOf(plan, "upcoming_player_game_context")).toBeGreaterThan(player);
    expect(levelOf(plan, "player_history_complete")).toBeGreaterThan(player);
    // The upcoming team context reads no Phase 3 table: it runs before the player model, right
    // after the schedule model and its gate.
    expect(levelOf(plan, "upcoming_team_game_context")).toBeLessThan(player);
    expect(levelOf(plan, "upcoming_team_game_context")).toBeGreaterThan(Math.max(levelOf(plan, "nbac_schedule_latest"), levelOf(plan, "schedule_available")));
    // The text output names the same levels as the JSON.
    for (const level of plan.levels) {
      expect(text.stdout).toContain(`Level ${level.level}`);
      for (const action of level.actions) expect(text.stdout).toContain(action.name);
    }
  });

  it("brings the upstream gates of a model run alone, but not its upstream models", async () => {
    const result = await runCli(["plan", "--date", "2025-01-15", "--actions", "player_game_summary", "--json"]);
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as PlanJson).levels.flatMap((level) => level.actions.map((action) => action.name));
    expect(names).toContain("player_game_summary");
    expect(names).toContain("team_offense_complete");
    expect(names).toContain("boxscores_complete");
    expect(names).not.toContain("team_offense_game_summary");
    const withDeps = await runCli(["plan", "--date", "2025-01-15", "--actions", "player_game_summary", "--include-deps", "--json"]);
    const all = (JSON.parse(withDeps.stdout) as PlanJson).levels.flatMap((level) => level.actions.map((action) => action.name));
    expect(all).toContain("team_offense_game_summary");
    expect(all).not.toContain("team_defense_game_summary");
  });

  it("selects by tag and adds dependents", async () => {
    const result = await runCli(["plan", "--date", "2025-01-15", "--actions", "team_game_boxscore", "--include-dependents", "--json"]);
    const names = (JSON.parse(result.stdout) as PlanJson).levels.flatMap((level) => level.actions.map((action) => action.name));
    expect(names).toEqual(expect.arrayContaining(["team_game_boxscore", "team_offense_game_summary", "team_defense_game_summary", "player_game_summary"]));
    expect(names).not.toContain("player_game_boxscore");
    const tagged = await runCli(["plan", "--date", "2025-01-15", "--tags", "team", "--json"]);
    const teamNames = (JSON.parse(tagged.stdout) as PlanJson).levels.flatMap((level) => level.actions.filter((action) => action.role === "model").map((action) => action.name));
    expect(teamNames.sort()).toEqual(["defense_zone_analytics", "team_defense_game_summary", "team_offense_game_summary"]);
  });

  it("draws the plan as a Mermaid flowchart", async () => {
    const result = await runCli(["plan", "--date", "2025-01-15", "--format", "mermaid"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("flowchart TD");
    expect(result.stdout).toContain("nba_analytics_team_offense_game_summary --> nba_analytics_player_game_summary");
  });

  it("orders from the graph: without its ref() and gate, the player model no longer waits for team offense", async () => {
    const project = copyProject();
    const model = path.join(project, "definitions/analytics/player_game_summary.sqlx");
    editFile(model, '${ref("team_offense_game_summary")}', "`nba-props-platform.nba_analytics.team_offense_game_summary`");
    const withoutRef = JSON.parse((await runCli(["plan", "--date", "2025-01-15", "--json", "--project", project])).stdout) as PlanJson;
    const player = withoutRef.levels.flatMap((level) => level.actions).find((action) => action.name === "player_game_summary");
    expect(player?.dependencies).not.toContain("nba_analytics.team_offense_game_summary");
    // The gate still holds it back...
    expect(levelOf(withoutRef, "player_game_summary")).toBeGreaterThan(levelOf(withoutRef, "team_offense_game_summary"));
    // ...and without the gate dependency too, nothing orders it after team offense any more.
    editFile(model, '  dependencies: ["team_offense_complete"]\n', "");
    const unordered = JSON.parse((await runCli(["plan", "--date", "2025-01-15", "--json", "--project", project])).stdout) as PlanJson;
    expect(levelOf(unordered, "player_game_summary")).toBeLessThanOrEqual(levelOf(unordered, "team_offense_game_summary"));
  });
});

describe("bad input: one clear line and exit 2", () => {
  it.each([
    [["plan", "--date", "2025-02-30"], /--date: "2025-02-30" is not a calendar date/],
    [["plan", "--date", "tomorrow"], /--date: "tomorrow" is not a calendar date/],
    [["plan", "--start-date", "2025-01-20", "--end-date", "2025-01-10"], /--start-date 2025-01-20 is after --end-date 2025-01-10/],
    [["plan", "--start-date", "2023-01-01", "--end-date", "2025-01-10"], /spans 741 days; the limit is 400/],
    [["plan", "--date", "2025-01-15", "--actions", "player_game_sumary"], /unknown action "player_game_sumary"[\s\S]*Did you mean "player_game_summary"/],
    [["plan", "--date", "2025-01-15", "--tags", "nope"], /no action has the tag "nope"/],
    [["run", "--start-date", "2025-01-15"], /a range needs both --start-date and --end-date/],
    [["plan", "--dat", "2025-01-15"], /unknown option '--dat'/],
  ])("runner %j", async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split("\n")[0]).toMatch(/^error: /);
    expect(result.stdout).toBe("");
  });

  it("names the file and line of a SQLX syntax error", async () => {
    const project = copyProject();
    const model = path.join(project, "definitions/analytics/team_offense_game_summary.sqlx");
    editFile(model, '  WHERE ${run_window.filter("game_date")}\n),\n\nshot_zone_games', '  WHERE ${run_window.filter("game_date"}\n),\n\nshot_zone_games');
    const line = fs.readFileSync(model, "utf8").split("\n").findIndex((text) => text.includes('run_window.filter("game_date"}')) + 1;
    const result = await runCli(["compile", "--date", "2025-01-15", "--project", project]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`error: compilation failed: definitions/analytics/team_offense_game_summary.sqlx:${line}: missing ) after argument list`);
  });
});
