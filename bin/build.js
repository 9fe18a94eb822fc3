#!/usr/bin/env node
// Builds dist/: the CLI bundled with its pure-JavaScript dependencies (fewer module loads at start,
// the bulk of `runner compile`'s time budget), split per command so that a command loads only what
// it uses. Native and heavy packages stay external and load from node_modules when needed (of
// DuckDB only the native binding: its JavaScript API is bundled).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { build } from "esbuild";

const EXTERNAL = ["@duckdb/node-bindings", "@google-cloud/bigquery", "google-auth-library", "@dataform/core", "playwright-core"];

rmSync("dist", { recursive: true, force: true });
await build({
  // The compile worker is an entry of its own (a worker thread starts from a file): the CLI's run
  // and serve compile in it, off the main thread (runner/server/planner.ts).
  entryPoints: { runner: "runner/cli/main.ts", compile_worker: "runner/server/compile_worker.ts" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: true,
  outdir: "dist",
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  external: EXTERNAL,
  // Bundled CommonJS packages (protobufjs, handlebars) call require(); give them one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});

// V8's code cache of @dataform/core (runner/compile/sandbox.ts) and the precompiled check
// templates (runner/checks/templates.ts): one compile of the project, after which the compile
// writes them. Optional: without them a cold run takes 50-80 ms longer, so a project that does
// not compile right now (an edit in progress) only gets a warning.
const cache = spawnSync(process.execPath, ["bin/runner.js", "compile", "--json"], {
  env: { ...process.env, RUNNER_WRITE_CODE_CACHE: "1" },
  stdio: ["ignore", "ignore", "pipe"],
});
if (cache.status !== 0) {
  process.stderr.write(
    `build: no code cache for @dataform/core nor precompiled check templates (the project's compile exited ${cache.status}): runs work, 50-80 ms slower when cold\n${cache.stderr.toString().slice(-500)}`,
  );
}
