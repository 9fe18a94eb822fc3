#!/usr/bin/env node
// Entry point of the `runner` command. It runs the bundle built by `npm run build` (dist/, made
// on `npm ci` by the prepare script) when that bundle is newer than every source file, with its
// code cache (bin/bundle.js), and the TypeScript sources through tsx otherwise, so an edit is
// never run stale.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadBundle } from "./bundle.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundle = path.join(root, "dist", "runner.cjs");

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return fs.statSync(bundle).mtimeMs >= newestSource(path.join(root, "runner"));
  } catch {
    return false;
  }
}

// A reader that stops early (`runner plan | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

let main;
let saveCodeCache = () => {};
if (bundleIsFresh()) {
  ({ main, saveCodeCache } = loadBundle(bundle, path.join(root, "node_modules"), process.argv));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../runner/cli/main.ts"));
}
const code = await main(process.argv);
saveCodeCache();
// Exit only once everything written to stdout/stderr has been flushed: a pipe reader must get a
// whole --json document.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
process.exit(code);
