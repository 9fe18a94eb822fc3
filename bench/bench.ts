/**
 * `npm run bench`: the targets of issue 13 (and the earlier ones it keeps), each measured in this
 * one run and printed beside its target, with whether it holds. A shared machine is noisy, so the
 * targets are ratios between figures of the same run; the absolute ones are printed for the record,
 * each beside what the same run's model queries and publishes take alone (the least any run of them
 * can take: a range date's and a delivery's from traces, the season's memory from the floor).
 *
 *   - one date, cold CLI process: at most 1.3x a floor measured here (bench/floor.ts: a node script
 *     that opens the same warehouse and executes the same model queries, target creations and
 *     publishes on one connection);
 *   - a range date by date: at most 0.4 s per date;
 *   - an unchanged re-run of a date: at most 50 % of the first run, writing nothing;
 *   - a season backfill (--batch over the seeded 2024-25 season): at most 1.5x the time the run
 *     spends in its model queries and publishes (from its own statement trace), at most 3x one cold
 *     date run, at most 250 MB peak RSS;
 *   - `runner compile` at most 15 % of the official `dataform compile`; compile and plan never load DuckDB;
 *   - serve: a delivery answered within 0.4 s warm (median of 20), /healthz within 100 ms meanwhile;
 *   - history: a date on a season-sized warehouse at most 1.1x the same date on a week-sized one;
 *   - outputs identical: a checksum of every published table after the fast paths (the default
 *     range run, --batch) equals the one after a plain date-by-date run (--concurrency 1).
 *
 * Everything runs the real CLI in child processes: the bundle as after npm ci, copied to .bench/
 * when the bench starts, so that an edit of the sources meanwhile (which would make bin/runner.js
 * fall back to tsx) cannot change what is measured halfway. Warehouses live in .bench/
 * (git-ignored); gates are evaluated unless said otherwise. BENCH_REPEATS (default 3) sets
 * how many times the short measurements and the season backfill repeat (medians; the season's
 * peak RSS is the highest of its runs). The two sides of a ratio run in turns (a, b, a, b, ...)
 * and the ratio is the median of the pairs', so that a slow spell weighs on both sides.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { checksumDifferences, tableChecksums } from "./checksum.ts";
import { floorStatements, MODEL_WORK, PUBLISH } from "./floor.ts";
import { serveUnderDeliveries } from "./healthz.ts";
import type { ProbeResult } from "./probe.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, ".bench");
/** The CLI as bin/runner.js runs it after npm ci, from a copy of the bundle taken at the start (see main). */
const RUNNER = path.join(WORK, "runner.mjs");
const DATAFORM = path.join(ROOT, "node_modules", ".bin", "dataform");
const FLOOR = path.join(WORK, "floor.mjs");
const PROBE = path.join(WORK, "probe.cjs");
const TRACE_ENV = "RUNNER_TRACE_SQL";

const DATE = "2025-01-15";
const WEEK = { start: "2025-01-13", end: "2025-01-19" };
const FOUR_WEEKS = { start: "2025-01-06", end: "2025-02-02" };
const SEASON = { start: "2024-10-22", end: "2025-04-13" };
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const DELIVERIES = 20;

interface Measured {
  ms: number;
  stdout: string;
}

/** Runs a command to completion; its wall time includes the process start, as a user sees it. */
function run(command: string, args: string[], options: { env?: Record<string, string>; exitCodes?: number[] } = {}): Measured {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 512 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!(options.exitCodes ?? [0]).includes(result.status ?? -1)) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr.toString().slice(-2000)}`);
  }
  return { ms, stdout: result.stdout.toString() };
}

function runner(args: string[], options: { env?: Record<string, string>; exitCodes?: number[] } = {}): Measured {
  return run(process.execPath, [RUNNER, ...args], options);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function repeat(times: number, work: () => number): number {
  return median(Array.from({ length: times }, work));
}

/**
 * Two measurements taken in turns (a, b, a, b, ...), so that a slow spell of the machine weighs on
 * both: their medians, and the median of the pairs' ratios b / a, which is what a target compares.
 */
function interleaved(times: number, a: () => number, b: () => number): { a: number; b: number; ratio: number } {
  const pairs = Array.from({ length: times }, () => {
    const first = a();
    return { a: first, b: b() };
  });
  return { a: median(pairs.map((pair) => pair.a)), b: median(pairs.map((pair) => pair.b)), ratio: median(pairs.map((pair) => pair.b / pair.a)) };
}

function removeWarehouse(file: string): void {
  for (const suffix of ["", ".wal", ".tmp"]) fs.rmSync(`${file}${suffix}`, { force: true, recursive: true });
}

/** A fresh copy of a seeded warehouse (the runs under test write into it). */
function copyOf(seed: string, name: string): string {
  const file = path.join(WORK, `${name}.duckdb`);
  removeWarehouse(file);
  fs.copyFileSync(seed, file);
  return file;
}

function seeded(name: string, range: { start: string; end: string }): string {
  const file = path.join(WORK, `${name}.seed.duckdb`);
  removeWarehouse(file);
  runner(["seed", "--start-date", range.start, "--end-date", range.end, "--warehouse", file]);
  return file;
}

interface TraceLine {
  kind: string;
  connection?: number;
  sql?: string;
  params?: Record<string, { type: string; value: unknown }>;
  ms: number;
  ok: boolean;
}

function readTrace(file: string): TraceLine[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TraceLine);
}

/** Runs the CLI with the engine's statement trace on; returns the trace. */
function traced(name: string, args: string[], exitCodes?: number[]): { trace: TraceLine[]; measured: Measured } {
  const file = path.join(WORK, `${name}.trace.jsonl`);
  fs.rmSync(file, { force: true });
  const measured = runner(args, { env: { [TRACE_ENV]: file }, ...(exitCodes ? { exitCodes } : {}) });
  return { trace: readTrace(file), measured };
}

function modelWorkMs(trace: TraceLine[]): number {
  return trace.filter((line) => line.kind === "statement" && line.ok && MODEL_WORK.test(line.sql ?? "")).reduce((sum, line) => sum + line.ms, 0);
}

/**
 * The commits of the transactions that published a stage (a MERGE, or a first publish's
 * INSERT): the floor runs its publishes in autocommit, so their time includes what the runner's
 * COMMIT of the publish pays (writing the changed rows).
 */
function publishCommitMs(trace: TraceLine[]): number {
  const published = new Map<number, boolean>();
  let total = 0;
  for (const line of trace) {
    if (line.kind !== "statement" || !line.ok || line.sql === undefined) continue;
    const connection = line.connection ?? 0;
    if (/^BEGIN/i.test(line.sql)) published.set(connection, false);
    else if (PUBLISH.test(line.sql)) published.set(connection, true);
    else if (/^COMMIT/i.test(line.sql)) {
      if (published.get(connection)) total += line.ms;
      published.set(connection, false);
    }
  }
  return total;
}

/** Runs `script` (the CLI unless said) with the probe preloaded: its peak RSS, whether it loaded DuckDB. */
function probed(args: string[], options: { env?: Record<string, string>; exitCodes?: number[] } = {}, script = RUNNER): { measured: Measured; probe: ProbeResult } {
  const file = path.join(WORK, `probe-${process.pid}.json`);
  fs.rmSync(file, { force: true });
  const measured = run(process.execPath, ["--require", PROBE, script, ...args], { ...options, env: { ...options.env, BENCH_PROBE: file } });
  return { measured, probe: JSON.parse(fs.readFileSync(file, "utf8")) as ProbeResult };
}

interface RunJson {
  results: { game_date: string; outcome: string; unchanged_since: string | null; actions: { rows_written: number | null }[] }[];
}

function rowsWritten(json: string): number {
  const summary = JSON.parse(json) as RunJson;
  return summary.results.flatMap((result) => result.actions).reduce((sum, action) => sum + (action.rows_written ?? 0), 0);
}

/** Whether every date of a run was found unchanged (not run again). */
function unchangedSince(json: string): boolean {
  return (JSON.parse(json) as RunJson).results.every((result) => Boolean(result.unchanged_since));
}

function dayBefore(date: string): string {
  return new Date(Date.parse(date) - 86_400_000).toISOString().slice(0, 10);
}

function outcomes(json: string): string {
  const counts = new Map<string, number>();
  for (const result of (JSON.parse(json) as RunJson).results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(", ");
}

function daysIn(range: { start: string; end: string }): string[] {
  const days: string[] = [];
  for (let time = Date.parse(range.start); time <= Date.parse(range.end); time += 86_400_000) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `value` with `decimals`, or one more when those would round it onto its limit (1.104 is not "1.10" of a 1.1 limit). */
function against(value: number, limit: number, decimals: number): string {
  const shown = value.toFixed(decimals);
  return Number(shown) === limit && value !== limit ? value.toFixed(decimals + 1) : shown;
}

/** A ratio against its limit, as "1.36x". */
const times = (value: number, limit: number) => `${against(value, limit, 2)}x`;

/** A share against its limit (both fractions), as "12.6 %". */
const percent = (value: number, limit: number) => `${against(value * 100, limit * 100, 1)} %`;

interface TargetLine {
  name: string;
  figure: string;
  target: string;
  holds: boolean;
}

const targets: TargetLine[] = [];
const report: string[] = [];

function say(...lines: string[]): void {
  report.push(...lines);
  process.stdout.write(`${lines.join("\n")}\n`);
}

function target(name: string, figure: string, wanted: string, holds: boolean): void {
  targets.push({ name, figure, target: wanted, holds });
  say(`  ${holds ? "HOLDS " : "MISSED"} ${name}: ${figure}   (target ${wanted})`);
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  // The bundle is what users run after npm ci; make sure it matches the sources.
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  fs.rmSync(path.join(WORK, "dist"), { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "dist"), path.join(WORK, "dist"), { recursive: true });
  // bin/runner.js without its choice between bundle and sources: the bundle, always, loaded as
  // bin/runner.js loads it (with its code cache).
  fs.writeFileSync(
    RUNNER,
    [
      `import { loadBundle } from ${JSON.stringify(path.join(ROOT, "bin", "bundle.js"))};`,
      `const { main, saveCodeCache } = loadBundle(${JSON.stringify(path.join(WORK, "dist", "runner.cjs"))}, ${JSON.stringify(path.join(ROOT, "node_modules"))}, process.argv);`,
      "const code = await main(process.argv);",
      "saveCodeCache();",
      'await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));',
      "process.exit(code);",
      "",
    ].join("\n"),
  );
  // The floor and the probe run as plain node scripts: no tsx loader in what they measure.
  await build({ entryPoints: [path.join(ROOT, "bench", "floor.ts")], outfile: FLOOR, bundle: true, platform: "node", format: "esm", target: "node20", external: ["@duckdb/node-api"], logLevel: "warning" });
  await build({ entryPoints: [path.join(ROOT, "bench", "probe.ts")], outfile: PROBE, bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" });
  say(`Benchmark, ${new Date().toISOString()}: ${REPEATS} repeats for medians, Node ${process.version}`, "");

  // 1. Compile: in-process @dataform/core vs the official CLI, same vars; no DuckDB for it.
  const vars = `start_date=${DATE},end_date=${DATE}`;
  const ours = repeat(REPEATS, () => runner(["compile", "--date", DATE, "--json"]).ms);
  const official = repeat(REPEATS, () => run(DATAFORM, ["compile", "--json", `--vars=${vars}`, ROOT]).ms);
  say("Compile", `  runner compile --date: ${seconds(ours)}; dataform compile --vars (official CLI): ${seconds(official)}`);
  target("runner compile vs official dataform compile", percent(ours / official, 0.15), "<= 15 %", ours / official <= 0.15);
  const loads = ["compile", "plan"].filter((command) => probed([command, "--date", DATE]).probe.duckdbLoaded);
  target("compile and plan load DuckDB", loads.length > 0 ? `yes (${loads.join(", ")})` : "no", "no", loads.length === 0);
  say("");

  // 2. One date, cold: a fresh process on a freshly seeded warehouse, against the floor.
  const fourWeeks = seeded("four-weeks", FOUR_WEEKS);
  const { trace: dateTrace } = traced("date", ["run", "--date", DATE, "--warehouse", copyOf(fourWeeks, "date-traced")]);
  const floorInput = path.join(WORK, "floor-date.json");
  fs.writeFileSync(floorInput, JSON.stringify(floorStatements(dateTrace)));
  const coldDate = () => runner(["run", "--date", DATE, "--warehouse", copyOf(fourWeeks, "cold")]).ms;
  const againstFloor = interleaved(REPEATS, () => run(process.execPath, [FLOOR, copyOf(fourWeeks, "floor"), floorInput]).ms, coldDate);
  const { a: floor, b: cold } = againstFloor;
  // Its memory in a run of its own, so that the probe weighs on none of the timed ones: what one
  // date's model queries take in DuckDB, the least any run of them can peak at.
  const floorPeakMb = probed([copyOf(fourWeeks, "floor"), floorInput], {}, FLOOR).probe.maxRssKb / 1024;
  say(
    `One date (${DATE}, four seeded weeks, gates evaluated)`,
    `  runner run --date, cold process: ${seconds(cold)}`,
    `  floor (node script, same warehouse, the run's ${floorStatements(dateTrace).statements.length} model queries / target creations / publishes on one connection): ${seconds(floor)}`,
    `  of the run, in its model queries and publishes (trace): ${seconds(modelWorkMs(dateTrace))}`,
    `  peak RSS of the floor: ${floorPeakMb.toFixed(0)} MB`,
  );
  target(`one date, cold CLI vs floor (median of ${REPEATS} interleaved pairs)`, times(againstFloor.ratio, 1.3), "<= 1.3x", againstFloor.ratio <= 1.3);

  // 3. The same date again, nothing changed upstream: must write nothing, and should cost less.
  // Its history is published first, so that the first run succeeds without a warning (a date
  // that warned runs again each time, to say its warnings again).
  const warm = copyOf(fourWeeks, "rerun");
  runner(["run", "--start-date", FOUR_WEEKS.start, "--end-date", dayBefore(DATE), "--batch", "--ignore-gates", "--warehouse", warm]);
  const firstRun = runner(["run", "--date", DATE, "--warehouse", warm, "--json"]);
  const reruns = Array.from({ length: REPEATS }, () => runner(["run", "--date", DATE, "--warehouse", warm, "--json"]));
  const rerun = median(reruns.map((measured) => measured.ms));
  const rewritten = Math.max(...reruns.map((measured) => rowsWritten(measured.stdout)));
  const skipped = reruns.filter((measured) => unchangedSince(measured.stdout)).length;
  say(
    `  first run ${seconds(firstRun.ms)} (${outcomes(firstRun.stdout)}), unchanged re-run ${seconds(rerun)} (${skipped} of ${reruns.length} found it unchanged), rows written by a re-run: ${rewritten}`,
  );
  target("unchanged re-run vs first run", `${percent(rerun / firstRun.ms, 0.5)}, ${rewritten} rows written`, "<= 50 %, 0 rows", rerun / firstRun.ms <= 0.5 && rewritten === 0);
  say("");

  // 4. A range date by date (the default run), against a plain one and --batch: same tables.
  const dates = daysIn(FOUR_WEEKS);
  const rangeArgs = ["run", "--start-date", FOUR_WEEKS.start, "--end-date", FOUR_WEEKS.end, "--json"];
  const plainWarehouse = copyOf(fourWeeks, "range-plain");
  const plain = traced("range-plain", [...rangeArgs, "--concurrency", "1", "--warehouse", plainWarehouse], [0, 75]);
  const rangeWarehouse = copyOf(fourWeeks, "range");
  const range = runner([...rangeArgs, "--warehouse", rangeWarehouse], { exitCodes: [0, 75] });
  const batchWarehouse = copyOf(fourWeeks, "range-batch");
  const batch = runner([...rangeArgs, "--batch", "--warehouse", batchWarehouse], { exitCodes: [0, 75] });
  say(
    `A range date by date (${dates.length} dates, ${FOUR_WEEKS.start}..${FOUR_WEEKS.end})`,
    `  runner run --start-date/--end-date: ${seconds(range.ms)} (${outcomes(range.stdout)}); of a date, the model queries and publishes take ${seconds(modelWorkMs(plain.trace) / dates.length)} (trace of the plain run)`,
    `  the same range --batch: ${seconds(batch.ms)}; plain (--concurrency 1): ${seconds(plain.measured.ms)}`,
  );
  const rangeWorkMs = modelWorkMs(plain.trace) / dates.length;
  target(`a range, per date (its model queries and publishes alone: ${seconds(rangeWorkMs)})`, seconds(range.ms / dates.length), "<= 0.40 s", range.ms / dates.length <= 400);
  const expected = await tableChecksums(plainWarehouse);
  for (const [label, warehouse] of [
    ["default range run", rangeWarehouse],
    ["--batch", batchWarehouse],
  ] as const) {
    const differences = checksumDifferences(expected, await tableChecksums(warehouse));
    target(`checksums of the ${expected.size} published tables, ${label} vs plain date by date`, differences.length === 0 ? "identical" : `differ: ${differences.join("; ")}`, "identical", differences.length === 0);
  }
  say("");

  // 5. serve: deliveries one after the other on the published range, /healthz meanwhile.
  const served = await serveUnderDeliveries(RUNNER, ROOT, rangeWarehouse, dates[DELIVERIES] ?? DATE, dates.slice(0, DELIVERIES));
  const deliveryMedian = median(served.deliveries.map((delivery) => delivery.ms));
  // What a delivery's own model queries and publishes take, from a second, traced server (the trace
  // would weigh on the timed one) given dates the first was not: the warm-up's statements are in
  // it too.
  const serveTrace = path.join(WORK, "serve.trace.jsonl");
  fs.rmSync(serveTrace, { force: true });
  const tracedDeliveries = dates.slice(DELIVERIES + 1, DELIVERIES + 6);
  await serveUnderDeliveries(RUNNER, ROOT, rangeWarehouse, dates[DELIVERIES + 6] ?? DATE, tracedDeliveries, { [TRACE_ENV]: serveTrace });
  const deliveryWorkMs = modelWorkMs(readTrace(serveTrace)) / (tracedDeliveries.length + 1);
  const statuses = [...new Set(served.deliveries.map((delivery) => delivery.status))].join(", ");
  say(`Push endpoint (runner serve; ${served.deliveries.length} deliveries after one to warm up; answers: ${statuses})`);
  target(`serve, a delivery for a ready date (median, warm; its model queries and publishes alone: ${seconds(deliveryWorkMs)})`, seconds(deliveryMedian), "<= 0.40 s", deliveryMedian <= 400);
  target(`serve, slowest /healthz during the deliveries (${served.healthz.samples} probes, p99 ${served.healthz.p99Ms.toFixed(1)} ms)`, `${served.healthz.maxMs.toFixed(1)} ms`, "<= 100 ms", served.healthz.maxMs <= 100);
  say("");

  // 6. The season backfill: --batch over the seeded season, traced, its peak memory probed; as
  // many runs as the short measurements, each on a fresh copy (the last one stays for step 7).
  // The median run by time gives the time figures, the highest peak of them all the memory one.
  const seasonSeed = seeded("season", SEASON);
  const seasonWarehouse = path.join(WORK, "season.duckdb");
  const seasonRuns = Array.from({ length: REPEATS }, (_, index) => {
    const trace = path.join(WORK, `season-${index}.trace.jsonl`);
    fs.rmSync(trace, { force: true });
    const warehouse = copyOf(seasonSeed, "season");
    const result = probed(["run", "--start-date", SEASON.start, "--end-date", SEASON.end, "--batch", "--ignore-gates", "--warehouse", warehouse], {
      env: { [TRACE_ENV]: trace },
    });
    // A cold date right after each, for the ratio of the two in the same spell of the machine.
    return { ...result, lines: readTrace(trace), coldMs: coldDate() };
  });
  const season = [...seasonRuns].sort((a, b) => a.measured.ms - b.measured.ms)[Math.floor(seasonRuns.length / 2)] as (typeof seasonRuns)[number];
  const seasonPeakKb = Math.max(...seasonRuns.map((result) => result.probe.maxRssKb));
  const seasonQueries = modelWorkMs(season.lines);
  const seasonCommits = publishCommitMs(season.lines);
  const seasonWork = seasonQueries + seasonCommits;
  say(
    `Season backfill (${daysIn(SEASON).length} dates, --batch --ignore-gates; median of ${seasonRuns.length} runs: ${seasonRuns.map((result) => seconds(result.measured.ms)).join(", ")})`,
    `  runner run --batch: ${seconds(season.measured.ms)}; of it, model queries and publishes: ${seconds(seasonQueries)}, and the commits of the publishes' transactions: ${seconds(seasonCommits)}`,
    `  (without the commits, which the floor's autocommit publishes include: ${(season.measured.ms / seasonQueries).toFixed(2)}x)`,
  );
  target("season backfill vs its model queries and publishes (with their commits)", times(season.measured.ms / seasonWork, 1.5), "<= 1.5x", season.measured.ms / seasonWork <= 1.5);
  const seasonVsCold = median(seasonRuns.map((result) => result.measured.ms / result.coldMs));
  target(
    `season backfill vs one cold date run (median of ${seasonRuns.length} pairs, each run followed by a cold date: ${seasonRuns.map((result) => seconds(result.coldMs)).join(", ")})`,
    times(seasonVsCold, 3),
    "<= 3x",
    seasonVsCold <= 3,
  );
  // The season's own model queries, target creations and publishes replayed by the floor, once, for
  // the least memory they can peak at.
  const seasonFloorInput = path.join(WORK, "floor-season.json");
  fs.writeFileSync(seasonFloorInput, JSON.stringify(floorStatements(season.lines)));
  const seasonFloorPeakMb = probed([copyOf(seasonSeed, "floor-season"), seasonFloorInput], {}, FLOOR).probe.maxRssKb / 1024;
  target(
    `season backfill, peak RSS (the highest of the ${seasonRuns.length} runs; its model queries and publishes alone, in the floor: ${seasonFloorPeakMb.toFixed(0)} MB)`,
    `${(seasonPeakKb / 1024).toFixed(0)} MB`,
    "<= 250 MB",
    seasonPeakKb / 1024 <= 250,
  );
  say("");

  // 7. Cost must not grow with history: the same date on a week-sized and on the season warehouse.
  const week = copyOf(seeded("week", WEEK), "week");
  runner(["run", "--start-date", WEEK.start, "--end-date", WEEK.end, "--batch", "--ignore-gates", "--warehouse", week]);
  const history = interleaved(
    REPEATS,
    () => runner(["run", "--date", DATE, "--warehouse", week, "--ignore-gates"]).ms,
    () => runner(["run", "--date", DATE, "--warehouse", seasonWarehouse, "--ignore-gates"]).ms,
  );
  say("History", `  run --date on a warehouse holding one week: ${seconds(history.a)}; holding the whole season: ${seconds(history.b)}`);
  target(`a date on the season vs on a week (median of ${REPEATS} interleaved pairs)`, times(history.ratio, 1.1), "<= 1.1x", history.ratio <= 1.1);

  const held = targets.filter((line) => line.holds).length;
  say("", `Targets: ${held} of ${targets.length} hold`, ...targets.map((line) => `  ${line.holds ? "HOLDS " : "MISSED"}  ${line.name}: ${line.figure} (target ${line.target})`));
  fs.writeFileSync(path.join(WORK, "report.txt"), `${report.join("\n")}\n`);
}

await main();
