/**
 * `npm run bench`: wall times measured in one run on this machine, reported as ratios so that a
 * noisy shared machine still gives a meaningful answer. Targets (issues 2 and 3):
 *   - `runner compile` at most 25 % of the official `dataform compile` on this repository;
 *   - one date run on a warehouse holding a whole seeded season at most 1.3x the same date on a
 *     warehouse holding a week (the cost of a run must not grow with history);
 *   - `/healthz` answers within 100 ms while `runner serve` compiles and runs a delivery (issue 12).
 * Everything runs the real CLI in child processes; warehouses live in .bench/ (git-ignored).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { healthzDuringPush } from "./healthz.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, ".bench");
const RUNNER = [path.join(ROOT, "bin", "runner.js")];
const DATAFORM = path.join(ROOT, "node_modules", ".bin", "dataform");

const DATE = "2025-01-15";
const WEEK = { start: "2025-01-13", end: "2025-01-19" };
const FOUR_WEEKS = { start: "2025-01-06", end: "2025-02-02" };
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

function time(command: string, args: string[], env: Record<string, string> = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr.toString().slice(-2000)}`);
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function repeat(times: number, work: () => number): number {
  return median(Array.from({ length: times }, work));
}

function runner(args: string[]): number {
  return time(process.execPath, [...RUNNER, ...args]);
}

function freshWarehouse(name: string): string {
  const file = path.join(WORK, `${name}.duckdb`);
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.wal`, { force: true });
  return file;
}

function seeded(name: string, range: { start: string; end: string }, historyRange: { start: string; end: string }): string {
  const warehouse = freshWarehouse(name);
  runner(["seed", "--start-date", range.start, "--end-date", range.end, "--warehouse", warehouse]);
  runner(["run", "--start-date", historyRange.start, "--end-date", historyRange.end, "--batch", "--ignore-gates", "--warehouse", warehouse]);
  return warehouse;
}

function line(label: string, milliseconds: number): string {
  return `  ${label.padEnd(58)} ${(milliseconds / 1000).toFixed(2).padStart(7)} s`;
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  // The bundle is what users run after npm ci; make sure it matches the sources.
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const report: string[] = [`Benchmark (${REPEATS} repeats each, median wall time; ${new Date().toISOString()})`, ""];

  // 1. Compile: in-process @dataform/core vs the official CLI, same vars.
  const vars = `start_date=${DATE},end_date=${DATE}`;
  const ours = repeat(REPEATS, () => runner(["compile", "--date", DATE, "--json"]));
  const official = repeat(REPEATS, () => time(DATAFORM, ["compile", "--json", `--vars=${vars}`, ROOT]));
  report.push("Compile", line("runner compile --date", ours), line("dataform compile --vars (official CLI)", official));
  report.push(`  ratio runner / official: ${((ours / official) * 100).toFixed(0)} %   (target <= 25 %)`, "");

  // 2. Runs on a seeded warehouse: one date, then four weeks date by date.
  const fourWeeks = freshWarehouse("four-weeks");
  runner(["seed", "--start-date", FOUR_WEEKS.start, "--end-date", FOUR_WEEKS.end, "--warehouse", fourWeeks]);
  const single = runner(["run", "--date", DATE, "--warehouse", fourWeeks, "--ignore-gates"]);
  const range = runner(["run", "--start-date", FOUR_WEEKS.start, "--end-date", FOUR_WEEKS.end, "--warehouse", fourWeeks, "--ignore-gates"]);
  const rangeDays = (Date.parse(FOUR_WEEKS.end) - Date.parse(FOUR_WEEKS.start)) / 86_400_000 + 1;
  report.push("Runs (seeded data, embedded DuckDB)", line("run --date (one date, first run)", single), line(`run --start-date/--end-date (${rangeDays} dates, one by one)`, range));
  report.push(`  per date in the range: ${(range / rangeDays / 1000).toFixed(2)} s`, "");

  // 2b. The push endpoint stays responsive while a run compiles and executes (compile worker).
  const health = await healthzDuringPush(ROOT, fourWeeks, DATE);
  report.push(
    "Push endpoint (runner serve, one delivery of --date, /healthz every 10 ms until it is answered)",
    `  /healthz during the run: max ${health.maxMs.toFixed(1)} ms, p99 ${health.p99Ms.toFixed(1)} ms over ${health.samples} probes   (target max <= 100 ms)`,
    `  delivery answered: ${health.deliveryStatus}`,
    "",
  );

  // 3. Cost must not grow with history: the same date on a week-sized and a season-sized warehouse.
  const week = seeded("week", WEEK, WEEK);
  const season = seeded("season", { start: "2024-10-22", end: "2025-04-13" }, { start: "2024-10-22", end: "2025-04-13" });
  const onWeek = repeat(3, () => runner(["run", "--date", DATE, "--warehouse", week, "--ignore-gates"]));
  const onSeason = repeat(3, () => runner(["run", "--date", DATE, "--warehouse", season, "--ignore-gates"]));
  report.push("History", line("run --date on a warehouse holding one week", onWeek), line("run --date on a warehouse holding the whole season", onSeason));
  report.push(`  ratio season / week: ${(onSeason / onWeek).toFixed(2)}x   (target <= 1.3x)`);

  process.stdout.write(`${report.join("\n")}\n`);
}

await main();
