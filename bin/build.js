#!/usr/bin/env node
// Builds dist/: the CLI bundled with its pure-JavaScript dependencies (fewer module loads at start,
// the bulk of `runner compile`'s time budget). Native and heavy packages stay external and load
// from node_modules when needed (of DuckDB only the native binding: its JavaScript API is
// bundled). CommonJS, so that bin/bundle.js can give V8 a code cache of it (Node 20 keeps none of
// ES modules); the modules a command imports on demand are evaluated only when it does, so a
// command still runs only what it uses (compile and plan never load DuckDB).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { removeBundleCaches } from "./bundle.js";

const EXTERNAL = ["@duckdb/node-bindings", "@google-cloud/bigquery", "google-auth-library", "@dataform/core", "playwright-core"];

rmSync("dist", { recursive: true, force: true });
// The code caches of the bundle replaced: each command writes its own on its first run.
removeBundleCaches("dist/runner.cjs", "node_modules");
await build({
  // The compile worker is an entry of its own (a worker thread starts from a file): the CLI's run
  // and serve compile in it, off the main thread (runner/server/planner.ts).
  entryPoints: { runner: "runner/cli/main.ts", compile_worker: "runner/server/compile_worker.ts" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outdir: "dist",
  entryNames: "[name]",
  outExtension: { ".js": ".cjs" },
  external: EXTERNAL,
  // The sources are ES modules: import.meta.url is the bundle's own file. (import.meta.resolve
  // serves only the sources' compile worker, never the bundle's.)
  define: { "import.meta.url": "__bundle_url", "import.meta.resolve": "__bundle_resolve" },
  banner: {
    js: 'var __bundle_url = require("node:url").pathToFileURL(__filename).href; var __bundle_resolve = (specifier) => require("node:url").pathToFileURL(require.resolve(specifier)).href;',
  },
  logLevel: "warning",
});

// V8's code cache of @dataform/core and what it made of each project file (runner/compile/
// sandbox.ts), and the precompiled check templates (runner/checks/templates.ts): one compile of
// the project, after which the compile writes them (and bin/bundle.js the bundle's code cache for
// `runner compile`; the other commands write theirs on their first run). Optional: without them a
// cold run takes 100-130 ms longer, so a project that does not compile right now (an edit in
// progress) only gets a warning.
const cache = spawnSync(process.execPath, ["bin/runner.js", "compile", "--json"], {
  env: { ...process.env, RUNNER_WRITE_CODE_CACHE: "1" },
  stdio: ["ignore", "ignore", "pipe"],
});
if (cache.status !== 0) {
  process.stderr.write(
    `build: no code cache for @dataform/core, its project files or the check templates (the project's compile exited ${cache.status}): runs work, 100-130 ms slower when cold\n${cache.stderr.toString().slice(-500)}`,
  );
}
