/**
 * The in-process compile must give what the official Dataform CLI gives for the same repository
 * and vars: same actions, targets, dependencies and SQL.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../runner/compile/compile.ts";
import type { Target } from "../../runner/compile/graph.ts";
import { ROOT } from "../helpers.ts";

interface OfficialAction {
  target: Target;
  dependencyTargets?: Target[];
  query?: string;
  incrementalQuery?: string;
  queries?: string[];
}

interface OfficialGraph {
  tables?: OfficialAction[];
  assertions?: OfficialAction[];
  operations?: OfficialAction[];
  declarations?: OfficialAction[];
  graphErrors?: { compilationErrors?: unknown[] };
}

function officialCompile(vars: Record<string, string>): Promise<OfficialGraph> {
  const cli = path.join(ROOT, "node_modules", ".bin", "dataform");
  const varsArgument = Object.entries(vars).map(([key, value]) => `${key}=${value}`).join(",");
  return new Promise((resolve, reject) => {
    execFile(cli, ["compile", "--json", `--vars=${varsArgument}`, ROOT], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`dataform compile failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as OfficialGraph);
    });
  });
}

const key = (target: Target) => `${target.database}.${target.schema}.${target.name}`;

function normalise(actions: OfficialAction[] | undefined) {
  return Object.fromEntries(
    (actions ?? []).map((action) => [
      key(action.target),
      {
        dependencies: (action.dependencyTargets ?? []).map(key).sort(),
        query: action.query ?? null,
        incrementalQuery: action.incrementalQuery ?? null,
        queries: action.queries ?? null,
      },
    ]),
  );
}

function expectSameGraph(official: OfficialGraph, ours: OfficialGraph): void {
  expect(official.graphErrors?.compilationErrors ?? []).toEqual([]);
  for (const kind of ["tables", "assertions", "operations", "declarations"] as const) {
    const expected = normalise(official[kind]);
    const actual = normalise(ours[kind]);
    expect(Object.keys(actual).sort(), kind).toEqual(Object.keys(expected).sort());
    expect(actual, kind).toEqual(expected);
  }
}

describe("parity with the official @dataform/cli", () => {
  it.each([
    { start_date: "2025-01-15", end_date: "2025-01-15" },
    { start_date: "2024-12-30", end_date: "2025-01-02" },
  ])("compiles the same graph for %j", async (vars) => {
    const official = await officialCompile(vars);
    const ours = compileProject({ dates: { start: vars.start_date, end: vars.end_date } }) as unknown as OfficialGraph;
    expectSameGraph(official, ours);
    // The vars really reach the SQL: the run dates appear in the model queries.
    const player = (ours.tables ?? []).find((table) => table.target.name === "player_game_summary");
    expect(player?.query).toContain(`BETWEEN DATE '${vars.start_date}' AND DATE '${vars.end_date}'`);
    // Six box-score models, shot attempts, defense zones, the schedule model and both upcoming contexts.
    expect((ours.tables ?? []).length).toBe(11);
  });

  it("accepts every var declared in includes/vars.js, and both compilers read them the same way", async () => {
    const vars = {
      start_date: "2025-01-15",
      end_date: "2025-01-15",
      as_of_date: "2025-01-20",
      boxscore_coverage_min_pct: "95.5",
      boxscore_staleness_days: "7",
      report_gate_bypasses: "true",
    };
    const official = await officialCompile(vars);
    const { start_date: start, end_date: end, ...rest } = vars;
    const ours = compileProject({ dates: { start, end }, vars: rest }) as unknown as OfficialGraph;
    expectSameGraph(official, ours);
    const gate = (official.assertions ?? []).find((assertion) => assertion.target.name === "boxscores_complete");
    expect(gate?.query).toContain("DATE '2025-01-20'");
    expect(gate?.query).toMatch(/coverage_pct (<|>=) 95\.5\b/);
  });

  it.each([
    ["boxscore_coverage_min_pct=150", "var boxscore_coverage_min_pct=150: must be a number from 0 to 100 (includes/vars.js)"],
    ["as_of_date=2025-02-30", "var as_of_date=2025-02-30: must be a calendar date YYYY-MM-DD (includes/vars.js)"],
    ["boxscore_coverage_pct=100", "var boxscore_coverage_pct: unknown var; did you mean boxscore_coverage_min_pct?"],
  ])("fails the official compile (GCP Dataform) on %s, naming the var", async (assignment, message) => {
    const [name = "", value = ""] = assignment.split("=");
    await expect(officialCompile({ start_date: "2025-01-15", end_date: "2025-01-15", [name]: value })).rejects.toThrow(message);
  });
});
