#!/usr/bin/env node
// Builds dist/: the CLI bundled with its pure-JavaScript dependencies (fewer module loads at start,
// the bulk of `runner compile`'s time budget), split per command so that a command loads only what
// it uses. Native and heavy packages stay external and load from node_modules when needed.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const EXTERNAL = ["@duckdb/node-api", "@google-cloud/bigquery", "google-auth-library", "@dataform/core", "playwright-core"];

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["runner/cli/main.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: true,
  outdir: "dist",
  entryNames: "runner",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  external: EXTERNAL,
  // Bundled CommonJS packages (protobufjs, handlebars) call require(); give them one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});
