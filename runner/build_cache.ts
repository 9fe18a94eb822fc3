/**
 * The build cache (bin/build_cache.js: node_modules/.cache/nba-phase3-runner/) as the runner's
 * sources use it, and the variable that has `npm run build` fill it.
 */
export { buildCacheFile, replaceBuildCacheFile } from "../bin/build_cache.js";

/**
 * Set by `npm run build` (bin/build.js) for one `runner compile` of the project, after which
 * compileProject writes the core bundle's code cache (made after a compile, it holds the functions
 * a compile runs, not only the bundle's top level: `runner compile` 326 to 298 ms with it, 8
 * interleaved pairs) and the compile command the check templates' (checks/templates.ts).
 */
export const WRITE_CODE_CACHE_ENV = "RUNNER_WRITE_CODE_CACHE";
