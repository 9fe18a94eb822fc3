/**
 * Which models a Phase 2 completion message starts: the trigger map of spec 1.3, as data, in one
 * place. Keys are raw tables (dataset prefix stripped); values are Phase 3 models by table name.
 * The map lists the original's processors whether or not this project has a model for them yet;
 * `resolveTriggers` keeps the ones the compiled project defines, and the plan of a trigger is
 * those models with everything they depend on (`includeDeps`), so the intermediates and every gate
 * upstream of them run too. Ordering comes from the graph, not from the map.
 */
import type { Action, ProjectGraph } from "../plan/actions.ts";
import { plan, type Selection } from "../plan/plan.ts";

/** Spec 1.3 (`ANALYTICS_TRIGGER_GROUPS` of the original service). */
export const TRIGGER_MAP: Readonly<Record<string, readonly string[]>> = {
  nbac_gamebook_player_stats: ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"],
  // The evening fallback path: same shape as the gamebook.
  nbac_player_boxscores: ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"],
  // The upcoming team context reads no Phase 3 table: with the team models it runs beside them.
  // Unlike the original's map, a message that rewrites the team models of D runs the player
  // summary after them: it reads their team totals (usage_rate) and results (win_flag) of the same
  // games, and its intermediates (player box score, shot attempts) are rewritten by the same plan;
  // left out, it kept figures of superseded team totals (exit 0, verify green).
  nbac_scoreboard_v2: ["team_offense_game_summary", "team_defense_game_summary", "upcoming_team_game_context", "player_game_summary"],
  nbac_team_boxscore: ["team_defense_game_summary", "team_offense_game_summary", "player_game_summary"],
  nbac_schedule: ["upcoming_team_game_context"],
  // Protected by player_game_summary's own team-offense gate (spec 4.7.4).
  nbac_injury_report: ["player_game_summary"],
  // Level 3: the upcoming player context reads the game summaries of the dates before D, so its
  // plan brings them (and their gates) and runs it last, behind its history gate.
  odds_api_player_points_props: ["upcoming_player_game_context"],
  bdl_standings: [],
};

/** A trigger resolved against the compiled project. */
export interface ResolvedTrigger {
  table: string;
  /** Models of the map that exist in the project (empty: nothing to run, 200 `no_processors`). */
  models: string[];
  /** Models of the map this project does not define (yet). */
  missing: string[];
  selection: Selection;
  /** Every model the plan writes, upstream intermediates included. */
  writes: Action[];
}

export function resolveTrigger(graph: ProjectGraph, table: string, models: readonly string[]): ResolvedTrigger {
  const defined = new Set([...graph.actions.values()].filter((action) => action.role === "model").map((action) => action.name));
  const present = models.filter((model) => defined.has(model));
  const selection: Selection = { actions: present, includeDeps: true };
  const writes =
    present.length === 0
      ? []
      : plan(graph, selection)
          .levels.flat()
          .filter((action) => action.role === "model");
  return { table, models: present, missing: models.filter((model) => !defined.has(model)), selection, writes };
}

/** Every trigger of `map` resolved against the project. */
export function resolveTriggers(graph: ProjectGraph, map: Readonly<Record<string, readonly string[]>> = TRIGGER_MAP): Map<string, ResolvedTrigger> {
  return new Map(Object.entries(map).map(([table, models]) => [table, resolveTrigger(graph, table, models)]));
}
