/**
 * Compiles in one process keep what does not change (the core compiled once, each file's
 * JavaScript) and still see every change: a new file, an edited file, another date.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject, PROJECT_DIR } from "./compile.ts";

function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
  for (const entry of ["dataform.json", "definitions", "includes"]) fs.cpSync(path.join(PROJECT_DIR, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

function operationQueries(projectDir: string, date: string): string[] {
  const graph = compileProject({ projectDir, dates: { start: date, end: date } }) as unknown as { operations?: { target: { name: string }; queries: string[] }[] };
  return (graph.operations ?? []).filter((operation) => operation.target.name === "cache_probe").flatMap((operation) => operation.queries.map((query) => query.trim()));
}

describe("compiling again in the same process", () => {
  it("sees a new file, an edited file and another date", () => {
    const project = projectCopy();
    expect(operationQueries(project, "2025-01-15")).toEqual([]);
    const probe = path.join(project, "definitions", "cache_probe.sqlx");
    fs.writeFileSync(probe, 'config { type: "operations" }\nSELECT DATE "${dataform.projectConfig.vars.start_date}" AS probe');
    expect(operationQueries(project, "2025-01-15")).toEqual(['SELECT DATE "2025-01-15" AS probe']);
    expect(operationQueries(project, "2025-01-16")).toEqual(['SELECT DATE "2025-01-16" AS probe']);
    fs.writeFileSync(probe, 'config { type: "operations" }\nSELECT 22 AS edited');
    expect(operationQueries(project, "2025-01-16")).toEqual(["SELECT 22 AS edited"]);
    fs.rmSync(probe);
    expect(operationQueries(project, "2025-01-16")).toEqual([]);
  });
});
