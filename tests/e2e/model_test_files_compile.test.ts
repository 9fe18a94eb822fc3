/**
 * The model test files sit next to the models, in definitions/ (`<model>.test.yaml`), and GCP
 * Dataform compiles that folder: the official compiler must accept the repository with them in
 * place and compile exactly the graph it compiles without them. @dataform/core reads only the
 * .sqlx and .js files of definitions/, and of its YAML files only those named actions.yaml (action
 * configs), so a `.test.yaml` file is never evaluated, even when it is not valid YAML.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../runner/compile/compile.ts";
import type { Target } from "../../runner/compile/graph.ts";
import { findTestFiles } from "../../runner/testing/run.ts";
import { copyProject, ROOT } from "../helpers.ts";

interface OfficialAction {
  target: Target;
  fileName?: string;
  dependencyTargets?: Target[];
  query?: string;
  incrementalQuery?: string;
}

interface OfficialGraph {
  tables?: OfficialAction[];
  assertions?: OfficialAction[];
  operations?: OfficialAction[];
  declarations?: OfficialAction[];
  graphErrors?: { compilationErrors?: unknown[] };
}

const VARS = "start_date=2025-01-15,end_date=2025-01-15";

/** `dataform compile --json` of the official CLI (a devDependency) on a project folder. */
function officialCompile(projectDir: string): Promise<OfficialGraph> {
  const cli = path.join(ROOT, "node_modules", ".bin", "dataform");
  return new Promise((resolve, reject) => {
    execFile(cli, ["compile", "--json", `--vars=${VARS}`, projectDir], { cwd: projectDir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`dataform compile failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as OfficialGraph);
    });
  });
}

/** Every action as target -> file, dependencies and SQL, comparable across compilers. */
function actions(graph: OfficialGraph): Record<string, unknown> {
  const key = (target: Target) => `${target.schema}.${target.name}`;
  return Object.fromEntries(
    (["tables", "assertions", "operations", "declarations"] as const).flatMap((kind) =>
      (graph[kind] ?? []).map((action) => [
        `${kind}:${key(action.target)}`,
        { fileName: action.fileName ?? null, dependencies: (action.dependencyTargets ?? []).map(key).sort(), query: action.query ?? null, incrementalQuery: action.incrementalQuery ?? null },
      ]),
    ),
  );
}

/** A copy of the project the official CLI can compile on its own: it needs package.json and @dataform/core inside it. */
function compilableCopy(): string {
  const dir = copyProject();
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  fs.cpSync(path.join(ROOT, "node_modules", "@dataform", "core"), path.join(dir, "node_modules", "@dataform", "core"), { recursive: true });
  return dir;
}

describe("model test files next to the models", () => {
  it("are accepted by the official dataform compile, which compiles the same graph as without them", async () => {
    const testFiles = findTestFiles(ROOT);
    expect(testFiles.length).toBeGreaterThanOrEqual(6);
    expect(testFiles.every((file) => file.startsWith(path.join(ROOT, "definitions")))).toBe(true);

    const official = await officialCompile(ROOT);
    expect(official.graphErrors?.compilationErrors ?? []).toEqual([]);
    expect(Object.values(actions(official)).some((action) => String((action as { fileName: string | null }).fileName).endsWith(".yaml"))).toBe(false);

    const withoutTests = copyProject();
    for (const file of findTestFiles(withoutTests)) fs.rmSync(file);
    expect(findTestFiles(withoutTests)).toEqual([]);
    const ours = compileProject({ projectDir: withoutTests, dates: { start: "2025-01-15", end: "2025-01-15" } }) as unknown as OfficialGraph;
    expect(actions(official)).toEqual(actions(ours));
  });

  it("are never read by the official compile, so even a broken one cannot break it", async () => {
    const dir = compilableCopy();
    fs.writeFileSync(path.join(dir, "definitions", "analytics", "player_game_summary.test.yaml"), "model: [not yaml\n  cases: {\n");
    const official = await officialCompile(dir);
    expect(official.graphErrors?.compilationErrors ?? []).toEqual([]);
    const ours = compileProject({ projectDir: ROOT, dates: { start: "2025-01-15", end: "2025-01-15" } }) as unknown as OfficialGraph;
    expect(actions(official)).toEqual(actions(ours));
  });
});
