/**
 * What `npm run build` keeps for cold processes, in node_modules/.cache/nba-phase3-runner/: V8's
 * code cache of @dataform/core (compile/sandbox.ts) and the precompiled check templates
 * (checks/templates.ts). Each file is named by a hash of what it was made from, so a changed
 * input finds no file; without one, a process does the work the file would have spared it.
 */
import fs from "node:fs";
import path from "node:path";

/**
 * Set by `npm run build` (bin/build.js) for one `runner compile` of the project, after which
 * compileProject writes the core bundle's code cache (made after a compile, it holds the functions
 * a compile runs, not only the bundle's top level: `runner compile` 326 to 298 ms with it, 8
 * interleaved pairs) and the compile command the check templates' (checks/templates.ts).
 */
export const WRITE_CODE_CACHE_ENV = "RUNNER_WRITE_CODE_CACHE";

/** The file `name` of the runner's build cache, for the node_modules directory at `nodeModulesDir`. */
export function buildCacheFile(nodeModulesDir: string, name: string): string {
  return path.join(nodeModulesDir, ".cache", "nba-phase3-runner", name);
}

/** Writes a build cache file, first removing the files its older versions left (`prefix` starts their names). */
export function replaceBuildCacheFile(file: string, prefix: string, contents: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  for (const old of fs.readdirSync(dir)) if (old.startsWith(prefix)) fs.rmSync(path.join(dir, old), { force: true });
  fs.writeFileSync(file, contents);
}
