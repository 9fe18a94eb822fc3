/**
 * Compiles in one process keep what does not change (the core compiled once, each file's
 * JavaScript) and still see every change: a new file, an edited file, another date. Across
 * processes the core's code cache is taken when it is the bundle's own and ignored otherwise, and
 * the project files' cache for each file whose text is the one cached.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { compileProject, PROJECT_DIR } from "./compile.ts";
import { WRITE_CODE_CACHE_ENV } from "../build_cache.ts";
import { codeCacheFile, coreCodeCacheUse, DataformSandbox, projectFilesCacheFile, projectFilesCacheUse, writeCoreCodeCache } from "./sandbox.ts";

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

const INSTALLED_CORE = path.join(path.dirname(createRequire(import.meta.url).resolve("@dataform/core/package.json")), "bundle.js");

/** A copy of the installed core bundle at node_modules/@dataform/core/bundle.js of a new directory: a path this process has not loaded. */
function coreCopy(): string {
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "core-cache-")), "node_modules", "@dataform", "core", "bundle.js");
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  fs.copyFileSync(INSTALLED_CORE, bundle);
  return bundle;
}

/** Where a load of `bundle` looks for its code cache, its folder created. */
function cacheFileOf(bundle: string): string {
  const file = codeCacheFile(bundle, fs.readFileSync(bundle, "utf8"));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

describe("the core bundle's code cache", () => {
  it("is taken by the next load of the same bundle, and a foreign one is ignored", () => {
    const first = coreCopy();
    expect(new DataformSandbox(PROJECT_DIR, first).requireCore().version).toMatch(/^\d+\.\d+\.\d+/);
    expect(coreCodeCacheUse(first)).toBe("none");
    const written = writeCoreCodeCache(first) as string;
    expect(written).toBe(cacheFileOf(first));

    const second = coreCopy();
    fs.copyFileSync(written, cacheFileOf(second));
    expect(new DataformSandbox(PROJECT_DIR, second).requireCore().version).toMatch(/^\d+\.\d+\.\d+/);
    expect(coreCodeCacheUse(second)).toBe("accepted");

    // Garbage where the cache should be: V8 rejects it and the core loads as without one.
    const third = coreCopy();
    fs.writeFileSync(cacheFileOf(third), Buffer.alloc(4096, 7));
    expect(typeof new DataformSandbox(PROJECT_DIR, third).requireCore().main).toBe("function");
    expect(coreCodeCacheUse(third)).toBe("rejected");
  });

  it("is named by the bundle's text, not only its length", () => {
    const bundle = "/x/node_modules/@dataform/core/bundle.js";
    expect(codeCacheFile(bundle, "var a = 1;")).not.toBe(codeCacheFile(bundle, "var b = 1;"));
    expect(codeCacheFile(bundle, "var a = 1;")).toBe(codeCacheFile(bundle, "var a = 1;"));
    expect(codeCacheFile(bundle, "var a = 1;")).toContain(path.join("/x/node_modules/.cache/nba-phase3-runner", "dataform-core-"));
  });
});

/** A copy of the installed @dataform/core package in a new node_modules: a core this process has not loaded. */
function corePackageCopy(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "core-package-")), "node_modules", "@dataform", "core");
  fs.cpSync(path.dirname(INSTALLED_CORE), dir, { recursive: true });
  return dir;
}

/** Where a compile with the core package at `packageDir` looks for the project files' cache, its folder created. */
function filesCacheOf(packageDir: string): string {
  const bundle = path.join(packageDir, "bundle.js");
  const file = projectFilesCacheFile(bundle, fs.readFileSync(bundle, "utf8"));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

describe("the project files' cache", () => {
  const compileWith = (projectDir: string, corePackageDir: string) => compileProject({ projectDir, corePackageDir, dates: { start: "2025-01-15", end: "2025-01-15" } });

  it("spares the next process the core's compiler on every unchanged file, with the same graph", () => {
    const project = projectCopy();
    const built = corePackageCopy();
    process.env[WRITE_CODE_CACHE_ENV] = "1";
    let graph: unknown;
    try {
      graph = compileWith(project, built);
    } finally {
      delete process.env[WRITE_CODE_CACHE_ENV];
    }
    const { compiled: files } = projectFilesCacheUse(path.join(built, "bundle.js"));
    expect(files).toBeGreaterThan(20);
    expect(projectFilesCacheUse(path.join(built, "bundle.js")).stored).toBe(0);
    const written = filesCacheOf(built);
    expect(fs.existsSync(written)).toBe(true);

    // A process of the same core (a copy this one has not loaded stands for it) takes every file.
    const next = corePackageCopy();
    fs.copyFileSync(written, filesCacheOf(next));
    expect(compileWith(project, next)).toEqual(graph);
    expect(projectFilesCacheUse(path.join(next, "bundle.js"))).toEqual({ stored: files, compiled: 0 });

    // A file edited since is compiled, the others taken; the edit is in the graph.
    const model = path.join(project, "definitions", "analytics", "nbac_schedule_latest.sqlx");
    fs.appendFileSync(model, "\n-- edited after the build\n");
    const edited = corePackageCopy();
    fs.copyFileSync(written, filesCacheOf(edited));
    const tables = (compileWith(project, edited) as unknown as { tables: { target: { name: string }; query: string }[] }).tables;
    expect(tables.find((table) => table.target.name === "nbac_schedule_latest")?.query).toContain("-- edited after the build");
    expect(projectFilesCacheUse(path.join(edited, "bundle.js"))).toEqual({ stored: files - 1, compiled: 1 });
  });

  it("is no cache when unreadable: every file is compiled", () => {
    const project = projectCopy();
    const core = corePackageCopy();
    fs.writeFileSync(filesCacheOf(core), "{ not json");
    const graph = compileWith(project, core);
    expect(projectFilesCacheUse(path.join(core, "bundle.js")).stored).toBe(0);
    expect(graph).toEqual(compileWith(project, corePackageCopy()));
  });
});
