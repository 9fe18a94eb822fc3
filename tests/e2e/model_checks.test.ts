/**
 * The models' data checks (definitions/assertions/model_checks.js): what Dataform's built-in
 * assertions checked (unique key, required columns, row conditions), on the run dates only, so
 * that a table with require_partition_filter accepts them and their cost does not grow with
 * history. The compiled graph, then the checks run on DuckDB against rows inside and outside the
 * window.
 */
import { describe, expect, it } from "vitest";
import { compileProject } from "../../runner/compile/compile.ts";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { buildProjectGraph, type Action } from "../../runner/plan/actions.ts";
import { plan } from "../../runner/plan/plan.ts";
import { ROOT } from "../helpers.ts";

const DATE = "2025-01-15";
const compiled = compileProject({ projectDir: ROOT, dates: { start: DATE, end: DATE } });
const graph = buildProjectGraph(compiled);
const actions = [...graph.actions.values()];
const models = actions.filter((action) => action.kind === "incremental");

function checksOf(model: Action): Action[] {
  return actions.filter((action) => action.role === "assertion" && action.parent === model.id).sort((a, b) => a.name.localeCompare(b.name));
}

describe("the models' checks", () => {
  it("are two run-window assertions per model, named for it, with its tags, and no built-in (whole-table) assertion is left", () => {
    expect(models.length).toBe(11);
    expect(compiled.assertions.filter((assertion) => assertion.parentAction !== undefined)).toEqual([]);
    for (const model of models) {
      const checks = checksOf(model);
      expect(checks.map((check) => check.name)).toEqual([`${model.name}_row_conditions`, `${model.name}_unique_key`]);
      for (const check of checks) {
        expect(check.target.schema).toBe("nba_assertions");
        expect(check.dependencies).toEqual([model.id]);
        expect(check.tags, check.name).toEqual(model.tags);
        // Every SELECT of it reads the model's partitions of the run dates only.
        const reads = check.query.split(`FROM \`nba-props-platform.${model.target.schema}.${model.name}\``).length - 1;
        expect(reads, check.name).toBeGreaterThan(0);
        expect(check.query.split(`WHERE ${model.partitionBy} BETWEEN DATE '${DATE}' AND DATE '${DATE}'`).length - 1, check.name).toBe(reads);
      }
      // The unique key checked is the model's.
      expect(checks[1]?.query).toContain(`GROUP BY ${model.uniqueKey.join(", ")}\nHAVING COUNT(1) > 1`);
      expect(model.requirePartitionFilter, model.name).toBe(true);
    }
  });

  it("run after their model, whatever selects it", () => {
    const selected = plan(graph, { actions: ["team_offense_game_summary"] });
    const levelOf = (name: string) => selected.levels.findIndex((level) => level.some((action) => action.name === name));
    expect(levelOf("team_offense_game_summary_unique_key")).toBe(levelOf("team_offense_game_summary") + 1);
    expect(levelOf("team_offense_game_summary_row_conditions")).toBe(levelOf("team_offense_game_summary") + 1);
    expect(plan(graph, { tags: ["team"] }).levels.flat().map((action) => action.name)).toContain("team_offense_game_summary_row_conditions");
  });

  it("find a duplicated key and a broken row on the run dates, and ignore those of other dates", async () => {
    const model = models.find((candidate) => candidate.name === "team_offense_game_summary") as Action;
    const [rowConditions, uniqueKey] = checksOf(model) as [Action, Action];
    const engine = await openDuckDBEngine({ path: ":memory:" });
    try {
      await engine.ensureDataset("nba_analytics");
      await engine.execute(
        `CREATE TABLE nba_analytics.team_offense_game_summary (game_id STRING, game_date DATE, team_abbr STRING, opponent_team_abbr STRING, home_game BOOL,
           points_scored INT64, fg_makes INT64, fg_attempts INT64, three_pt_makes INT64, three_pt_attempts INT64, ft_makes INT64, ft_attempts INT64, overtime_periods INT64)`,
      );
      const row = (date: string, team: string, fgMakes: number) =>
        `('${date.replace(/-/g, "")}_${team}_BOS', DATE '${date}', '${team}', 'BOS', FALSE, 100, ${fgMakes}, 80, 10, 30, 15, 20, 0)`;
      const insert = (rows: string[]) => engine.execute(`INSERT INTO nba_analytics.team_offense_game_summary VALUES ${rows.join(", ")}`);
      // The day before: a duplicated key and a row with more makes than attempts, outside the window.
      await insert([row("2025-01-14", "LAL", 40), row("2025-01-14", "LAL", 40), row("2025-01-14", "NYK", 90), row(DATE, "MIA", 40)]);
      expect(await engine.query(uniqueKey.query)).toEqual([]);
      expect(await engine.query(rowConditions.query)).toEqual([]);

      await insert([row(DATE, "MIA", 41), row(DATE, "PHX", 90)]);
      expect(await engine.query(uniqueKey.query)).toEqual([{ game_date: DATE, team_abbr: "MIA", index_row_count: 2 }]);
      const broken = await engine.query(rowConditions.query);
      expect(broken.map((found) => [found.failing_row_condition, found.team_abbr, found.game_date])).toEqual([["fg_makes <= fg_attempts", "PHX", DATE]]);

      // A row breaking two conditions is listed once for each; a condition that is NULL (no
      // attempts) breaks nothing, as in Dataform's WHERE NOT (condition); a NULL required column does.
      await engine.execute(`INSERT INTO nba_analytics.team_offense_game_summary VALUES
        ('20250115_DEN_BOS', DATE '${DATE}', 'DEN', 'BOS', FALSE, 100, 90, 80, 10, 30, 25, 20, 0),
        ('20250115_CHI_BOS', DATE '${DATE}', 'CHI', 'BOS', FALSE, NULL, 40, NULL, 10, 30, 15, 20, 0)`);
      const all = await engine.query<{ failing_row_condition: string; team_abbr: string }>(rowConditions.query);
      expect(all.map((found) => `${found.team_abbr}: ${found.failing_row_condition}`).sort()).toEqual([
        "CHI: points_scored IS NOT NULL",
        "DEN: fg_makes <= fg_attempts",
        "DEN: ft_makes <= ft_attempts",
        "PHX: fg_makes <= fg_attempts",
      ]);
    } finally {
      await engine.close();
    }
  });
});
