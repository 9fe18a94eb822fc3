import { describe, expect, it } from "vitest";
import { compileProject, PROJECT_DIR } from "../compile/compile.ts";
import { rangeOf } from "../dates.ts";
import { buildProjectGraph } from "../plan/actions.ts";
import { plan } from "../plan/plan.ts";
import { resolveTriggers, TRIGGER_MAP } from "./triggers.ts";

const graph = buildProjectGraph(compileProject({ projectDir: PROJECT_DIR, dates: rangeOf("2025-01-15", "2025-01-15"), vars: { as_of_date: "2025-01-16" } }));
const triggers = resolveTriggers(graph);

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
      "team_defense_game_summary",
      "team_game_boxscore",
      "team_offense_game_summary",
    ]);
  });

  it("runs the team models only for a team box score message", () => {
    const team = triggers.get("nbac_team_boxscore");
    expect(team?.models.sort()).toEqual(["team_defense_game_summary", "team_offense_game_summary"]);
    expect(team?.writes.map((action) => action.name)).not.toContain("player_game_summary");
  });

  it("keeps only the models this project defines", () => {
    expect(triggers.get("nbac_scoreboard_v2")).toMatchObject({
      models: ["team_offense_game_summary", "team_defense_game_summary"],
      missing: ["upcoming_team_game_context"],
    });
    expect(triggers.get("nbac_schedule")).toMatchObject({ models: [], missing: ["upcoming_team_game_context"], writes: [] });
    expect(triggers.get("bdl_standings")).toMatchObject({ models: [], missing: [] });
    expect(triggers.has("some_other_table")).toBe(false);
  });
});
