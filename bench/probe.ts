/**
 * Preloaded by `npm run bench` into a runner process (bundled to .bench/probe.cjs, `node --require`):
 * when the process exits it writes to the file BENCH_PROBE names its peak resident memory (DuckDB's
 * native allocations included) and whether it loaded DuckDB's native module.
 */
import fs from "node:fs";

export interface ProbeResult {
  maxRssKb: number;
  duckdbLoaded: boolean;
}

const file = process.env.BENCH_PROBE;
if (file) {
  let duckdbLoaded = false;
  const dlopen = process.dlopen.bind(process);
  process.dlopen = ((module: { exports: unknown }, filename: string, ...rest: unknown[]) => {
    if (/duckdb/i.test(filename)) duckdbLoaded = true;
    return (dlopen as (...args: unknown[]) => void)(module, filename, ...rest);
  }) as typeof process.dlopen;
  process.on("exit", () => {
    const result: ProbeResult = { maxRssKb: process.resourceUsage().maxRSS, duckdbLoaded };
    fs.writeFileSync(file, JSON.stringify(result));
  });
}
