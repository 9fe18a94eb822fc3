/**
 * bin/bundle.js: how bin/runner.js loads the CLI bundle, with V8's code cache of it per command.
 * Fake bundles in a temporary folder; each load that must find a cache runs in a fresh process,
 * as a user's next command would.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBundle, removeBundleCaches } from "../../bin/bundle.js";
import { ROOT, tempDir } from "../helpers.ts";

const LOADER = path.join(ROOT, "bin", "bundle.js");

/** A CommonJS bundle whose main returns the number of its arguments, and the node_modules beside it. */
function fakeBundle(body = ""): { file: string; nodeModules: string } {
  const dir = tempDir("bundle-loader");
  const file = path.join(dir, "dist", "runner.cjs");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${body}\nexports.main = async (argv) => argv.length + (typeof require("node:path").join === "function" ? 100 : 0);\n`);
  return { file, nodeModules: path.join(dir, "node_modules") };
}

function cacheFiles(nodeModules: string): string[] {
  const dir = path.join(nodeModules, ".cache", "nba-phase3-runner");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** loadBundle in a new process: what became of the cache, and what main returned. */
function loadInChild(file: string, nodeModules: string, command: string): { codeCache: string; code: number } {
  const script = [
    `import { loadBundle } from ${JSON.stringify(LOADER)};`,
    `const loaded = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(nodeModules)}, ["node", "runner", ${JSON.stringify(command)}]);`,
    "const code = await loaded.main(process.argv);",
    "loaded.saveCodeCache();",
    "console.log(JSON.stringify({ codeCache: loaded.codeCache, code }));",
  ].join("\n");
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as { codeCache: string; code: number };
}

describe("the bundle loader (bin/bundle.js)", () => {
  it("runs the bundle's main with a require of its own", async () => {
    const { file, nodeModules } = fakeBundle();
    const loaded = loadBundle(file, nodeModules, ["node", "runner", "compile", "--json"]);
    expect(await loaded.main(["a", "b"])).toBe(102);
    expect(loaded.codeCache).toBe("none");
    // Nothing is written before the command has returned.
    expect(cacheFiles(nodeModules)).toEqual([]);
  });

  it("writes one cache per command once it has run, which the next process of that command takes", () => {
    const { file, nodeModules } = fakeBundle("function helper() { return 1; }");
    expect(loadInChild(file, nodeModules, "run")).toEqual({ codeCache: "none", code: 101 });
    expect(cacheFiles(nodeModules)).toEqual([expect.stringMatching(/^bundle-[0-9a-f]{8}-run-[0-9a-f]{16}\.v8$/)]);
    expect(loadInChild(file, nodeModules, "run").codeCache).toBe("accepted");
    // Another command has its own, beside it.
    expect(loadInChild(file, nodeModules, "verify").codeCache).toBe("none");
    expect(cacheFiles(nodeModules).map((name) => name.split("-")[2])).toEqual(["run", "verify"]);
  });

  it("finds no cache for a rebuilt bundle, and the rebuilt one's replaces the old file", () => {
    const { file, nodeModules } = fakeBundle();
    loadInChild(file, nodeModules, "run");
    const [before] = cacheFiles(nodeModules);
    fs.writeFileSync(file, `${fs.readFileSync(file, "utf8")}\n// rebuilt\n`);
    expect(loadInChild(file, nodeModules, "run").codeCache).toBe("none");
    const after = cacheFiles(nodeModules);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it("takes a cache V8 rejects for nothing and writes a good one in its place", () => {
    const { file, nodeModules } = fakeBundle();
    loadInChild(file, nodeModules, "run");
    const [name] = cacheFiles(nodeModules);
    const cache = path.join(nodeModules, ".cache", "nba-phase3-runner", name as string);
    fs.writeFileSync(cache, Buffer.from("not a code cache"));
    expect(loadInChild(file, nodeModules, "run")).toEqual({ codeCache: "rejected", code: 101 });
    expect(loadInChild(file, nodeModules, "run").codeCache).toBe("accepted");
  });

  it("keeps the caches of two copies of the bundle apart, and a rebuild removes its own only", () => {
    const { file, nodeModules } = fakeBundle();
    const copy = path.join(path.dirname(path.dirname(file)), "copy", "runner.cjs");
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(file, copy);
    loadInChild(file, nodeModules, "run");
    loadInChild(copy, nodeModules, "run");
    loadInChild(copy, nodeModules, "plan");
    expect(loadInChild(file, nodeModules, "run").codeCache).toBe("accepted");
    expect(loadInChild(copy, nodeModules, "run").codeCache).toBe("accepted");
    expect(cacheFiles(nodeModules)).toHaveLength(3);
    removeBundleCaches(copy, nodeModules);
    expect(cacheFiles(nodeModules)).toHaveLength(1);
    expect(loadInChild(file, nodeModules, "run").codeCache).toBe("accepted");
  });

  it("runs without a cache where none can be written", async () => {
    const { file, nodeModules } = fakeBundle();
    // node_modules is a file: the cache folder cannot be made.
    fs.writeFileSync(nodeModules, "");
    const loaded = loadBundle(file, nodeModules, ["node", "runner", "run"]);
    expect(await loaded.main([])).toBe(100);
    expect(() => loaded.saveCodeCache()).not.toThrow();
  });
});
