// Loads the CLI bundle (dist/runner.cjs, built by bin/build.js) with V8's code cache of it, one
// cache per command: a cold process then skips parsing and compiling the bundle's functions that
// the command ran the first time. Node 20 keeps no code cache of ES modules, so the bundle is
// CommonJS, evaluated here through node:vm as Node's own loader would.
//
// The cache is in the build cache (bin/build_cache.js): bundle-<path>-<command>-<version>.v8, the
// path the bundle's, the version a hash of its size and modification time and Node's version. A
// process that finds none, or one V8 rejects, writes it once the command has returned (so once per
// command and build); a cache that cannot be read or written only costs the time it would have
// saved.
import { createHash } from "node:crypto";
import fs from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import { buildCacheFile, removeBuildCacheFiles, replaceBuildCacheFile } from "./build_cache.js";

const hash = (text) => createHash("sha256").update(text).digest("hex");

/** What starts the names of the caches of the bundle at `file`: "bundle-<hash of its path>-". */
function bundlePrefix(file) {
  return `bundle-${hash(path.resolve(file)).slice(0, 8)}-`;
}

/** Removes every command's cache of the bundle at `file` (bin/build.js, when it replaces the bundle). */
export function removeBundleCaches(file, nodeModulesDir) {
  removeBuildCacheFiles(nodeModulesDir, bundlePrefix(file));
}

/** The command a cache is kept for: the first argument when it is a word (a command's name), else "other". */
function commandOf(argv) {
  const first = argv[2];
  return first !== undefined && /^[a-z]+$/.test(first) ? first : "other";
}

/**
 * The bundle's `main`; `saveCodeCache()`, for after the command has returned; and `codeCache`,
 * what became of the cache found: "accepted", "rejected" (by V8: another Node, other flags) or
 * "none". `nodeModulesDir`: the node_modules the cache goes in.
 */
export function loadBundle(file, nodeModulesDir, argv) {
  const source = fs.readFileSync(file, "utf8");
  const { size, mtimeMs } = fs.statSync(file);
  // Older versions are those of the same command and bundle path: a copy of dist/ (the bench's)
  // using the same node_modules keeps caches of its own.
  const prefix = `${bundlePrefix(file)}${commandOf(argv)}-`;
  const cacheFile = buildCacheFile(nodeModulesDir, `${prefix}${hash(`${size}\n${mtimeMs}\n${process.version} ${process.arch}`).slice(0, 16)}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));

  const saveCodeCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      // Made now, it holds every function the command compiled, not only the top level.
      replaceBuildCacheFile(cacheFile, prefix, script.createCachedData());
    } catch {
      // A read-only install: each process compiles the bundle itself.
    }
  };
  const codeCache = !cachedData ? "none" : script.cachedDataRejected ? "rejected" : "accepted";
  return { main: module.exports.main, saveCodeCache, codeCache };
}
