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

describe("parity with the official @dataform/cli", () => {
  it.each([
    { start_date: "2025-01-15", end_date: "2025-01-15" },
    { start_date: "2024-12-30", end_date: "2025-01-02" },
  ])("compiles the same graph for %j", async (vars) => {
    const official = await officialCompile(vars);
    expect(official.graphErrors?.compilationErrors ?? []).toEqual([]);
    const ours = compileProject({ dates: { start: vars.start_date, end: vars.end_date } }) as unknown as OfficialGraph;

    for (const kind of ["tables", "assertions", "operations", "declarations"] as const) {
      const expected = normalise(official[kind]);
      const actual = normalise(ours[kind]);
      expect(Object.keys(actual).sort(), kind).toEqual(Object.keys(expected).sort());
      expect(actual, kind).toEqual(expected);
    }
    // The vars really reach the SQL: the run dates appear in the model queries.
    const player = (ours.tables ?? []).find((table) => table.target.name === "player_game_summary");
    expect(player?.query).toContain(`BETWEEN DATE '${vars.start_date}' AND DATE '${vars.end_date}'`);
    expect((ours.tables ?? []).length).toBe(6);
  });
});
