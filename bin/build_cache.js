// The folder of what the build keeps for cold processes, node_modules/.cache/nba-phase3-runner/:
// V8's code caches of the CLI bundle (bin/bundle.js) and of @dataform/core
// (runner/compile/sandbox.ts), and the precompiled check templates (runner/checks/templates.ts).
// Each file is named by what it was made from, so a changed input finds no file; without one, a
// process does the work the file would have spared it. Plain JavaScript: bin/runner.js needs it
// before any bundle loads; the runner's sources use it through runner/build_cache.ts.
import fs from "node:fs";
import path from "node:path";

/** The file `name` of the build cache, for the node_modules directory at `nodeModulesDir`. */
export function buildCacheFile(nodeModulesDir, name) {
  return path.join(nodeModulesDir, ".cache", "nba-phase3-runner", name);
}

/** Removes the files of the folder `dir` whose names start with `prefix`. */
function removeStartingWith(dir, prefix) {
  if (!fs.existsSync(dir)) return;
  for (const old of fs.readdirSync(dir)) if (old.startsWith(prefix)) fs.rmSync(path.join(dir, old), { force: true });
}

/** Removes the build cache files of `nodeModulesDir` whose names start with `prefix`. */
export function removeBuildCacheFiles(nodeModulesDir, prefix) {
  removeStartingWith(path.dirname(buildCacheFile(nodeModulesDir, prefix)), prefix);
}

/**
 * Writes a build cache file, first removing the files its older versions left (`prefix` starts
 * their names). Written aside and renamed: a process starting meanwhile reads a whole file or none.
 */
export function replaceBuildCacheFile(file, prefix, contents) {
  const dir = path.dirname(file);
  removeStartingWith(dir, prefix);
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, contents);
  fs.renameSync(partial, file);
}
