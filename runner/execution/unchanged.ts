/**
 * The unchanged re-run: a date (or a batch window) is not run again when its last successful run
 * saw exactly what a run now would see. "Exactly" is proven, never assumed:
 *
 *   - the same code: a digest of the runner's own files (the bundle, or the TypeScript sources
 *     when it runs from them) and of the project's check templates (assertions/);
 *   - the same plan: every planned action as compiled for the window (its SQL, keys, tags), the
 *     window, the vars and --ignore-gates;
 *   - the same tables: the content version of every declared relation the plan reads (the raw
 *     and reference tables, the held-back games), of its models' tables and of their quarantine
 *     tables (Engine.tableVersions: on DuckDB the row count and the sum of every row's hash), as
 *     the last successful run left them;
 *   - nothing published since it started, by any other run, nor since it finished: no ledger row
 *     that wrote, quarantined, failed or was interrupted, in any date (the models read each
 *     other's tables; a write anywhere may be an input here). A run that published while it ran
 *     (serve runs dates at once) may have changed what it read after it read it, and the table
 *     versions taken when it finished would hide that.
 *
 * The digest of the first three is stored on the ledger rows of the run's last level, and only
 * when the whole window succeeded without a warning: a date that warned runs again each time, so
 * its warnings are said again. --force, --full-refresh and an engine without tableVersions
 * (BigQuery) always run.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_DIR } from "../compile/compile.ts";
import { targetId } from "../compile/graph.ts";
import type { RunDates } from "../dates.ts";
import { param, type Engine, type TableRef } from "../engines/engine.ts";
import { parseTableName } from "../engines/runner_tables.ts";
import { ledgerTable } from "../ledger/ledger.ts";
import { quarantineTable } from "../checks/quarantine.ts";
import type { Plan } from "../plan/plan.ts";
import { targetOf } from "./write.ts";

/** The run a window's inputs are unchanged since. */
export interface UnchangedSince {
  runId: string;
  finishedAt: string;
}

export interface FingerprintOptions {
  projectDir?: string | undefined;
  window: Pick<RunDates, "start" | "end">;
  vars?: Record<string, string> | undefined;
  ignoreGates: boolean;
}

/** Ledger statuses after which a table may hold something new. */
const CHANGING_STATUSES = ["failed", "interrupted"];

let codeDigestMemo: string | undefined;

/** The runner's own files: the bundle's folder when it runs from dist/, else the TypeScript sources. */
function codeDigest(): string {
  if (codeDigestMemo) return codeDigestMemo;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.basename(here) === "dist" ? here : path.resolve(here, "..");
  codeDigestMemo = digestFiles(root, (name) => /\.([cm]?js|ts)$/.test(name) && !/\.test\.ts$/.test(name));
  return codeDigestMemo;
}

function digestFiles(root: string, keep: (name: string) => boolean): string {
  const hash = createHash("sha256");
  if (!fs.existsSync(root)) return hash.digest("hex");
  const files = fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  return hash.digest("hex");
}

/** The declared relations the plan reads, and its models' tables and quarantine tables. */
function tablesRead(plan: Plan): TableRef[] {
  const tables = new Map<string, TableRef>();
  for (const action of plan.levels.flat()) {
    for (const source of action.sources) tables.set(source, parseTableName(source));
    if (action.role === "model") {
      // A model's own table too: a row deleted or edited by hand since is not "unchanged".
      tables.set(targetId(action.target), targetOf(action));
      const quarantine = quarantineTable(targetOf(action));
      tables.set(`${quarantine.dataset}.${quarantine.table}`, quarantine);
    }
  }
  return [...tables.values()];
}

/** The digest of code, plan and tables read; undefined when the engine cannot version tables. */
export async function inputsFingerprint(engine: Engine, plan: Plan, options: FingerprintOptions): Promise<string | undefined> {
  if (!engine.tableVersions) return undefined;
  const versions = await engine.tableVersions(tablesRead(plan));
  const hash = createHash("sha256");
  const projectDir = options.projectDir ?? PROJECT_DIR;
  // Read again for every window: the checks read their template files at each use (checks/templates.ts).
  hash.update(JSON.stringify({ code: codeDigest(), checks: digestFiles(path.join(projectDir, "assertions"), () => true) }));
  hash.update(JSON.stringify({ window: options.window, vars: options.vars ?? {}, ignoreGates: options.ignoreGates }));
  for (const action of plan.levels.flat()) hash.update(JSON.stringify(action));
  hash.update(JSON.stringify([...versions.entries()].sort(([a], [b]) => a.localeCompare(b))));
  return hash.digest("hex");
}

/**
 * The last run of the window that finished with the fingerprint its inputs have now, when nothing
 * was written, quarantined, failed or interrupted after it; undefined otherwise (then the window
 * runs). The fingerprint is only computed when the window has a fingerprinted run at all.
 */
export async function unchangedSince(engine: Engine, plan: Plan, options: FingerprintOptions): Promise<UnchangedSince | undefined> {
  const ledger = ledgerTable(engine);
  const columns = await engine.describeTable(ledger);
  if (!engine.tableVersions || !columns?.some((column) => column.name === "inputs_fingerprint")) return undefined;
  const table = engine.qualify(ledger);
  const fingerprints = await engine.query<{ run_id: string; started_at: string; finished_at: string; inputs_fingerprint: string }>(
    `SELECT run_id, MIN(started_at) AS started_at, MAX(finished_at) AS finished_at, MAX(inputs_fingerprint) AS inputs_fingerprint
     FROM ${table}
     WHERE game_date = @game_date
     GROUP BY run_id
     HAVING MAX(inputs_fingerprint) IS NOT NULL
     ORDER BY finished_at DESC`,
    { params: { game_date: param.date(options.window.start) } },
  );
  if (fingerprints.length === 0) return undefined;
  const fingerprint = await inputsFingerprint(engine, plan, options);
  const last = fingerprints.find((run) => run.inputs_fingerprint === fingerprint);
  if (!last) return undefined;
  const [since] = await engine.query<{ changes: number }>(
    `SELECT COUNT(*) AS changes
     FROM ${table}
     WHERE (finished_at > @finished_at OR (finished_at > @started_at AND run_id != @run_id))
       AND (rows_written > 0 OR rows_quarantined > 0 OR status IN UNNEST(@changing))`,
    {
      params: {
        finished_at: param.timestamp(last.finished_at),
        started_at: param.timestamp(last.started_at),
        run_id: param.string(last.run_id),
        changing: param.strings(CHANGING_STATUSES),
      },
    },
  );
  if (Number(since?.changes ?? 1) > 0) return undefined;
  return { runId: last.run_id, finishedAt: last.finished_at };
}
