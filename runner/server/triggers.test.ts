import { describe, expect, it } from "vitest";
import { compileProject, PROJECT_DIR } from "../compile/compile.ts";
import { rangeOf } from "../dates.ts";
import { buildProjectGraph } from "../plan/actions.ts";
import { plan } from "../plan/plan.ts";
import { resolveTriggers, TRIGGER_MAP } from "./triggers.ts";

const graph = buildProjectGraph(compileProject({ projectDir: PROJECT_DIR, dates: rangeOf("2025-01-15", "2025-01-15"), vars: { as_of_date: "2025-01-16" } }));
const triggers = resolveTriggers(graph);

/** Every action the named one depends on, directly or through others (ids). */
function upstreamOf(name: string): Set<string> {
  const upstream = new Set<string>();
  const walk = (id: string) => {
    for (const dependency of graph.actions.get(id)?.dependencies ?? []) {
      if (upstream.has(dependency)) continue;
      upstream.add(dependency);
      walk(dependency);
    }
  };
  walk([...graph.actions.keys()].find((id) => id.endsWith(`.${name}`)) ?? "");
  return upstream;
}

describe("trigger map", () => {
  it("lists every model once per trigger", () => {
    for (const models of Object.values(TRIGGER_MAP)) expect(new Set(models).size).toBe(models.length);
  });

  it("runs the three game-summary models for a gamebook message, with their intermediates and gates", () => {
    const gamebook = triggers.get("nbac_gamebook_player_stats");
    expect(gamebook?.models).toEqual(["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"]);
    const planned = plan(graph, gamebook?.selection ?? {});
    const names = planned.levels.map((level) => level.map((action) => action.name));
    const levelOf = (name: string) => names.findIndex((level) => level.includes(name));
    expect(levelOf("game_source_checks")).toBe(0);
    expect(levelOf("boxscores_complete")).toBe(1);
    expect(levelOf("team_offense_complete")).toBeGreaterThan(levelOf("team_offense_game_summary"));
    expect(levelOf("player_game_summary")).toBeGreaterThan(levelOf("team_offense_complete"));
    expect(gamebook?.writes.map((action) => action.name).sort()).toEqual([
      "game_source_checks",
      "player_game_boxscore",
      "player_game_summary",
      "shot_attempts",
      "team_defense_game_summary",
      "team_game_boxscore",
      "team_offense_game_summary",
    ]);
  });

  it("runs the team models, then the player summary that reads their totals, for a team box score message", () => {
    const team = triggers.get("nbac_team_boxscore");
    expect(team?.models.sort()).toEqual(["player_game_summary", "team_defense_game_summary", "team_offense_game_summary"]);
    const names = plan(graph, team?.selection ?? {}).levels.map((level) => level.map((action) => action.name));
    const levelOf = (name: string) => names.findIndex((level) => level.includes(name));
    expect(levelOf("player_game_summary")).toBeGreaterThan(levelOf("team_offense_complete"));
    expect(levelOf("team_offense_complete")).toBeGreaterThan(levelOf("team_offense_game_summary"));
  });

  it("runs the player summary after every message whose plan rewrites a model it reads for the same date", () => {
    const reads = upstreamOf("player_game_summary");
    for (const [table, trigger] of triggers) {
      if (trigger.writes.some((action) => reads.has(action.id))) expect(trigger.writes.map((action) => action.name), table).toContain("player_game_summary");
    }
  });

  it("runs the upcoming team context for a schedule message, with the schedule model and its gate", () => {
    const schedule = triggers.get("nbac_schedule");
    expect(schedule).toMatchObject({ models: ["upcoming_team_game_context"], missing: [] });
    expect(schedule?.writes.map((action) => action.name)).toEqual(["nbac_schedule_latest", "upcoming_team_game_context"]);
    const planned = plan(graph, schedule?.selection ?? {});
    expect(planned.levels.flat().map((action) => action.name)).toContain("schedule_available");
    expect(planned.levels.flat().map((action) => action.name)).not.toContain("team_offense_game_summary");
  });

  it("runs the upcoming team context beside the team models for a scoreboard message, never after the player model", () => {
    const scoreboard = triggers.get("nbac_scoreboard_v2");
    expect(scoreboard).toMatchObject({ models: ["team_offense_game_summary", "team_defense_game_summary", "upcoming_team_game_context", "player_game_summary"], missing: [] });
    // It depends on no team model (and no Phase 3 summary), so it never waits for them.
    const upstream = upstreamOf("upcoming_team_game_context");
    expect([...upstream].map((id) => id.split(".").at(-1)).sort()).toEqual(["nbac_schedule_latest", "schedule_available"]);
    const names = plan(graph, {}).levels.map((level) => level.map((action) => action.name));
    const levelOf = (name: string) => names.findIndex((level) => level.includes(name));
    expect(levelOf("upcoming_team_game_context")).toBeLessThan(levelOf("player_game_summary"));
    expect(levelOf("upcoming_team_game_context")).toBeLessThanOrEqual(levelOf("team_offense_game_summary"));
  });

  it("runs the upcoming player context for a props message, after the game summaries and its history gate", () => {
    const props = triggers.get("odds_api_player_points_props");
    expect(props).toMatchObject({ models: ["upcoming_player_game_context"], missing: [] });
    const names = plan(graph, props?.selection ?? {}).levels.map((level) => level.map((action) => action.name));
    const levelOf = (name: string) => names.findIndex((level) => level.includes(name));
    // Spec 1.2, level 3: the player summary, then the gate on the history it wrote, then the context.
    expect(levelOf("player_history_complete")).toBeGreaterThan(levelOf("player_game_summary"));
    expect(levelOf("upcoming_player_game_context")).toBeGreaterThan(levelOf("player_history_complete"));
    expect(levelOf("upcoming_player_game_context")).toBeGreaterThan(levelOf("team_defense_game_summary"));
    expect(levelOf("schedule_available")).toBeGreaterThanOrEqual(0);
    const writes = props?.writes.map((action) => action.name) ?? [];
    expect(writes.at(-1)).toBe("upcoming_player_game_context");
    expect(writes).toEqual(expect.arrayContaining(["nbac_schedule_latest", "player_game_summary", "team_offense_game_summary", "team_defense_game_summary"]));
    expect(writes).not.toContain("upcoming_team_game_context");
  });

  it("keeps only the models this project defines", () => {
    const resolved = resolveTriggers(graph, { some_table: ["upcoming_player_game_context", "not_a_model_yet"] }).get("some_table");
    expect(resolved).toMatchObject({ models: ["upcoming_player_game_context"], missing: ["not_a_model_yet"] });
    expect(triggers.get("bdl_standings")).toMatchObject({ models: [], missing: [], writes: [] });
    expect(triggers.has("some_other_table")).toBe(false);
  });
});
