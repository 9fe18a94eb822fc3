/**
 * `runner verify --date D`: the production verification report, read back from the ledger and the
 * tables. Four checks answer the questions the 2026-02 incidents raised, plus duplicates, the
 * held-back games, the usage coverage and the quarantine:
 *   1. ordered execution - in every run of the date, every team model finished before the player
 *      model started (and no later run rewrote team rows after the published player rows);
 *   2. race detection - the date's usage_rate maximum and how many are above 50 / 100;
 *   3. dependency gates - each gate's latest result for the date;
 *   4. validation coverage - every model ran its pre- and post-write checks, with counts, and the
 *      latest evaluation of each assertion passed;
 * and the games held back (not published by some model, with the reason).
 *
 * Each check has a state: pass; warn (the date is published but something needs a look: a usage
 * above 50, a gate bypassed or ignored, a game held back, a team with usage missing for many of its
 * players, a pre- or post-write check that warned); fail (a number is wrong or a check could not be shown to have run). The report's state
 * is the worst of its checks'.
 *
 * The report also carries what its charts draw (runner/reports/charts/): the date's usage_rate and
 * usage_rate_raw values, and each run's actions with their level, start and end.
 */
import type { Engine, Row } from "../engines/engine.ts";
import { param } from "../engines/engine.ts";
import { ExitCode } from "../errors.ts";
import { ledgerTable } from "../ledger/ledger.ts";
import { quarantineTable } from "../checks/quarantine.ts";
import { heldBackTable } from "../execution/held_back.ts";
import { checkName, type ProjectGraph, type Action } from "../plan/actions.ts";
import type { CheckResult } from "../execution/write.ts";
import type { RunTimeline, TimelineAction, TimelineKind } from "./charts/timeline.ts";
import type { UsageThresholds, UsageValues } from "./charts/usage_histogram.ts";

/** Models tagged "team" must finish before models tagged "player" start. */
export const TEAM_TAG = "team";
export const PLAYER_TAG = "player";

export type CheckState = "pass" | "warn" | "fail";

export const CHECK_STATES: readonly CheckState[] = ["pass", "warn", "fail"];

/** A JSON value, for the numbers of a check. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface VerifyCheck {
  id: string;
  title: string;
  state: CheckState;
  summary: string;
  /** Lines of evidence, one per run, model, gate or game. */
  details: string[];
  /** The figures behind the state, snake_case (shown in --format json). */
  numbers?: Record<string, JsonValue>;
}

export interface VerifyReport {
  gameDate: string;
  generatedAt: string;
  state: CheckState;
  /** What was read: the DuckDB warehouse file, or "bigquery project X". */
  warehouse: string | undefined;
  checks: VerifyCheck[];
  /** The lines of the usage histogram: USAGE_RATE_WARN_ABOVE and USAGE_RATE_MAX. */
  usageThresholds: UsageThresholds;
  /** The date's usage values, per player model whose table has a usage_rate. */
  usage: UsageValues[];
  /** The runs of the date in the ledger, oldest first, each with its actions. */
  runs: RunTimeline[];
}

export interface VerifyTotals {
  dates: number;
  pass: number;
  warn: number;
  fail: number;
}

/** `runner verify --start-date A --end-date B`: one report per date, the worst state and the counts. */
export interface VerifyRangeReport {
  startDate: string;
  endDate: string;
  generatedAt: string;
  state: CheckState;
  warehouse: string | undefined;
  dates: VerifyReport[];
  totals: VerifyTotals;
}

interface LedgerRow extends Row {
  run_id: string;
  action: string;
  action_role: string;
  level: number | null;
  status: string;
  started_at: string | null;
  finished_at: string;
  message: string | null;
  details: string | null;
  rows_quarantined: number | null;
  rows_written: number | null;
}

export interface VerifyOptions {
  engine: Engine;
  graph: ProjectGraph;
  gameDate: string;
  usageWarnAbove: number;
  usageMax: number;
  /** A team and game whose players who played have a usage_rate less often than this (percent) warns. */
  usageCoverageWarnPct: number;
  /** What is read, named in the report. */
  warehouse?: string;
}

const STATE_RANK: Record<CheckState, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst of the states (pass when there is none). */
export function worstState(states: CheckState[]): CheckState {
  return states.reduce<CheckState>((worst, state) => (STATE_RANK[state] > STATE_RANK[worst] ? state : worst), "pass");
}

/** Exit code of a verification: 1 on fail, and on warn with --strict; 0 otherwise. */
export function verifyExitCode(state: CheckState, strict: boolean): number {
  return state === "fail" || (state === "warn" && strict) ? ExitCode.dataFailure : ExitCode.success;
}

function models(graph: ProjectGraph, tag?: string): Action[] {
  return [...graph.actions.values()].filter((action) => action.role === "model" && (!tag || action.tags.includes(tag)));
}

function targetRef(model: Action) {
  return { dataset: model.target.schema, table: model.target.name };
}

/** "a, b, c and 4 more": at most `limit` items named. */
function nameSome(items: string[], limit = 5): string {
  const shown = items.slice(0, limit).join(", ");
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

async function ledgerRows(engine: Engine, gameDate: string): Promise<LedgerRow[]> {
  const ledger = ledgerTable(engine);
  const existing = await engine.describeTable(ledger);
  if (!existing) return [];
  return engine.query<LedgerRow>(
    `SELECT run_id, action, action_role, level, status, started_at, finished_at, message, details, rows_quarantined, rows_written
     FROM ${engine.qualify(ledger)}
     WHERE game_date = @game_date
     ORDER BY finished_at`,
    { params: { game_date: param.date(gameDate) } },
  );
}

function orderedExecution(graph: ProjectGraph, ledger: LedgerRow[]): VerifyCheck {
  const teamModels = new Set(models(graph, TEAM_TAG).map((action) => action.name));
  const playerModels = new Set(models(graph, PLAYER_TAG).map((action) => action.name));
  const details: string[] = [];
  let violations = 0;
  const runs = [...new Set(ledger.map((row) => row.run_id))];
  for (const run of runs) {
    const rows = ledger.filter((row) => row.run_id === run && row.started_at !== null);
    for (const player of rows.filter((row) => playerModels.has(row.action))) {
      const teams = rows.filter((row) => teamModels.has(row.action));
      const late = teams.filter((team) => team.finished_at > (player.started_at as string));
      if (late.length > 0) {
        violations++;
        details.push(`${run}: ${player.action} started ${player.started_at} before ${late.map((team) => `${team.action} finished ${team.finished_at}`).join(", ")}`);
      } else {
        const last = teams.map((team) => team.finished_at).sort().at(-1);
        details.push(`${run}: ${player.action} started ${player.started_at}${last ? `, after team models finished (${last})` : " (no team model in this run)"}`);
      }
    }
  }
  const playerRuns = details.length;
  // Across runs: a team model that wrote rows after the published player rows were computed (a
  // later run of the team models alone: --actions, or a message that does not run the player
  // model) leaves player figures of superseded team totals until the date runs again.
  const stale: string[] = [];
  for (const player of playerModels) {
    const published = ledger.filter((row) => row.action === player && row.started_at !== null && row.status === "succeeded").at(-1);
    if (!published) continue;
    const later = ledger.filter(
      (row) => teamModels.has(row.action) && row.run_id !== published.run_id && row.status === "succeeded" && Number(row.rows_written ?? 0) > 0 && row.finished_at > (published.started_at as string),
    );
    for (const team of later) {
      stale.push(`${player} (run ${published.run_id}, started ${published.started_at}) was computed before ${team.action} wrote ${team.rows_written} rows in run ${team.run_id} (finished ${team.finished_at})`);
    }
  }
  details.push(...stale);
  return {
    id: "ordered_execution",
    title: "Ordered execution: team models before the player model",
    state: violations > 0 ? "fail" : stale.length > 0 ? "warn" : "pass",
    summary:
      violations > 0
        ? `${violations} run(s) started the player model before the team models finished`
        : stale.length > 0
          ? `the player rows may use superseded team totals: ${nameSome(stale, 2)}; run the date again`
          : playerRuns > 0
            ? `in ${playerRuns} run(s) of the player model, team models always finished first`
            : "no run of the player model recorded for this date",
    details,
    numbers: { player_model_runs: playerRuns, violations, team_writes_after_player: stale.length },
  };
}

interface UsageRow extends Row {
  player_lookup: string;
  team_abbr: string;
  game_id: string;
  usage_rate: number;
  minutes_played: number | null;
}

/** Player models whose table exists, with its columns; a note for each one not there yet. */
async function playerTables(options: VerifyOptions, details: string[]): Promise<{ model: Action; columns: Set<string> }[]> {
  const found: { model: Action; columns: Set<string> }[] = [];
  for (const model of models(options.graph, PLAYER_TAG)) {
    const columns = await options.engine.describeTable(targetRef(model));
    if (!columns) {
      details.push(`${model.name}: table does not exist yet`);
      continue;
    }
    found.push({ model, columns: new Set(columns.map((column) => column.name)) });
  }
  return found;
}

async function raceDetection(options: VerifyOptions): Promise<VerifyCheck> {
  const { engine, gameDate, usageWarnAbove: warn, usageMax: max } = options;
  const details: string[] = [];
  const lines: string[] = [];
  let playerRows = 0;
  let aboveWarning = 0;
  let aboveMax = 0;
  let nulledAboveMax = 0;
  let maxUsage: number | null = null;
  const flagged: UsageRow[] = [];
  for (const { model, columns } of await playerTables(options, details)) {
    if (!columns.has("usage_rate")) {
      details.push(`${model.name}: no usage_rate column`);
      continue;
    }
    const target = engine.qualify(targetRef(model));
    const nulled = columns.has("usage_rate_anomaly_reason") ? "COUNTIF(usage_rate_anomaly_reason = 'exceeds_max')" : "0";
    const [stats] = await engine.query(
      `SELECT
         COUNT(*) AS player_rows,
         MAX(usage_rate) AS max_usage_rate,
         COUNTIF(usage_rate > @warn) AS above_warning,
         COUNTIF(usage_rate > @max) AS above_max,
         ${nulled} AS nulled_above_max
       FROM ${target}
       WHERE game_date = @game_date`,
      { params: { game_date: param.date(gameDate), warn: param.float(warn), max: param.float(max) } },
    );
    const rows = Number(stats?.player_rows ?? 0);
    const modelMax = numberOrNull(stats?.max_usage_rate);
    const modelWarning = Number(stats?.above_warning ?? 0);
    const modelAboveMax = Number(stats?.above_max ?? 0);
    const modelNulled = Number(stats?.nulled_above_max ?? 0);
    playerRows += rows;
    aboveWarning += modelWarning;
    aboveMax += modelAboveMax;
    nulledAboveMax += modelNulled;
    if (modelMax !== null) maxUsage = maxUsage === null ? modelMax : Math.max(maxUsage, modelMax);
    const line =
      `${model.name}: ${rows} rows, max usage_rate ${modelMax ?? "n/a"}, ${modelWarning} above ${warn}, ${modelAboveMax} above ${max}` +
      (modelNulled > 0 ? ` (${modelNulled} more above ${max} withheld as NULL, see usage_rate_raw)` : "");
    lines.push(line);
    details.push(line);
    if (modelWarning > 0) {
      const minutes = columns.has("minutes_played") ? "minutes_played" : "CAST(NULL AS NUMERIC) AS minutes_played";
      const worst = await engine.query<UsageRow>(
        `SELECT player_lookup, team_abbr, game_id, usage_rate, ${minutes} FROM ${target}
         WHERE game_date = @game_date AND usage_rate > @warn ORDER BY usage_rate DESC, player_lookup LIMIT 20`,
        { params: { game_date: param.date(gameDate), warn: param.float(warn) } },
      );
      flagged.push(...worst);
      for (const row of worst) {
        details.push(
          `  ${row.player_lookup} (${row.team_abbr}, ${row.game_id}): usage_rate ${row.usage_rate}${row.minutes_played !== null ? ` in ${row.minutes_played} min` : ""}` +
            `${Number(row.usage_rate) > max ? ` - above ${max}` : ""}`,
        );
      }
    }
  }
  const names = (rows: UsageRow[]) => nameSome(rows.map((row) => `${row.player_lookup} (${row.team_abbr}) ${row.usage_rate}`));
  const state: CheckState = aboveMax > 0 ? "fail" : aboveWarning > 0 ? "warn" : "pass";
  return {
    id: "race_detection",
    title: `Race detection: usage_rate never above ${max}`,
    state,
    summary:
      state === "fail"
        ? `${aboveMax} usage_rate value(s) above ${max}: the player model ran against partial or missing team totals`
        : state === "warn"
          ? `${aboveWarning} usage_rate value(s) above ${warn} (none above ${max}): ${names(flagged)}`
          : lines.join("; ") || "no player rows for this date",
    details,
    numbers: {
      player_rows: playerRows,
      max_usage_rate: maxUsage,
      above_warning: aboveWarning,
      above_max: aboveMax,
      nulled_above_max: nulledAboveMax,
      warn_above: warn,
      max,
      players_above_warning: flagged.map((row) => ({
        player_lookup: row.player_lookup,
        team_abbr: row.team_abbr,
        game_id: row.game_id,
        usage_rate: numberOrNull(row.usage_rate),
        minutes_played: numberOrNull(row.minutes_played),
      })),
    },
  };
}

/** Statuses of a gate that let its models run: succeeded, or with a warning. */
const GATE_WARNINGS = new Set(["bypassed", "ignored"]);

/** The games a bypassed gate's message names: "2 game(s) let through missing (A, B): ...". */
function gamesOfGateMessage(message: string | null): string[] {
  const listed = message?.match(/let through missing \(([^)]*)\)/)?.[1];
  return listed ? listed.split(", ").map((game) => game.replace(/ and \d+ more$/, "")).filter(Boolean) : [];
}

function dependencyGates(graph: ProjectGraph, ledger: LedgerRow[]): VerifyCheck {
  const gates = new Map<string, { gate: Action; models: string[] }>();
  for (const model of models(graph)) {
    for (const gate of model.dependencies.map((id) => graph.actions.get(id)).filter((action): action is Action => action?.role === "gate")) {
      const entry = gates.get(gate.name) ?? { gate, models: [] };
      entry.models.push(model.name);
      gates.set(gate.name, entry);
    }
  }
  const details: string[] = [];
  const unmet: string[] = [];
  const warned: string[] = [];
  const listed: JsonValue[] = [];
  const statuses: string[] = [];
  for (const { gate, models: gated } of gates.values()) {
    // The gate's latest result for the date: a later run with only some models (--actions) leaves
    // the other gates' last answer standing, as it does their models' rows; so does a run that
    // found the date unchanged (it evaluated nothing).
    const latest = ledger.filter((row) => row.action === gate.name && row.status !== "unchanged").at(-1);
    const status = latest?.status ?? "not run";
    const games = status === "bypassed" ? gamesOfGateMessage(latest?.message ?? null) : [];
    const message = latest?.message ? ` (${latest.message})` : "";
    details.push(`${gated.join(", ")} <- ${gate.name}: ${status}${latest ? ` in ${latest.run_id}` : ""}${message}`);
    listed.push({ gate: gate.name, models: gated, status, run_id: latest?.run_id ?? null, games, message: latest?.message ?? null });
    statuses.push(status);
    if (GATE_WARNINGS.has(status)) {
      const reason = latest?.message?.match(/; bypassed by (.*)$/)?.[1];
      warned.push(
        status === "ignored"
          ? `${gate.name} ignored (not evaluated, --ignore-gates)`
          : `${gate.name} bypassed: ${games.length ? `${nameSome(games)} let through missing` : (latest?.message ?? "games let through missing")}${reason ? ` (bypassed by ${reason})` : ""}`,
      );
    } else if (status !== "succeeded") {
      unmet.push(`${gate.name} ${status}`);
    }
  }
  const ran = ledger.length > 0;
  const state: CheckState = !ran || unmet.length > 0 ? "fail" : warned.length > 0 ? "warn" : "pass";
  return {
    id: "dependency_gates",
    title: "Dependency gates: every model's readiness gates passed",
    state,
    summary: !ran
      ? "no run recorded for this date"
      : unmet.length > 0
        ? `${unmet.length} gate(s) not satisfied: ${unmet.join(", ")}`
        : warned.length > 0
          ? `${warned.length} gate(s) passed with a warning: ${warned.join("; ")}`
          : `all ${gates.size} gate(s) satisfied`,
    details,
    numbers: {
      gates_checked: gates.size,
      succeeded: statuses.filter((status) => status === "succeeded").length,
      bypassed: statuses.filter((status) => status === "bypassed").length,
      ignored: statuses.filter((status) => status === "ignored").length,
      not_satisfied: unmet.length,
      gates: listed,
    },
  };
}

function parseChecks(details: string | null): CheckResult[] {
  if (!details) return [];
  const parsed = (typeof details === "string" ? JSON.parse(details) : details) as { checks?: CheckResult[] };
  return parsed.checks ?? [];
}

/**
 * A model's ledger rows that ran its write: succeeded, or failed (a failed model may have published
 * the rest of its games, its checks recorded with it). Skipped and blocked rows did not write.
 */
const WROTE = new Set(["succeeded", "failed"]);

/**
 * An assertion's ledger rows that evaluated it: a later run that skipped it (its model did not
 * pass) or found the date unchanged leaves its last answer standing, so a failure is named until a
 * later run passes it.
 */
const EVALUATED = new Set(["succeeded", "failed"]);

/** The assertions (not gates) of the project that `belongs` picks. */
function assertionsWhere(graph: ProjectGraph, belongs: (assertion: Action) => boolean): Action[] {
  return [...graph.actions.values()].filter((action) => action.role === "assertion" && belongs(action));
}

/** A pre- or post-write check of severity warning that did not pass in a model's latest write. */
interface CheckWarning {
  model: string;
  check: string;
  phase: CheckResult["phase"];
  rows: number;
  run_id: string;
}

interface AssertionResult {
  assertion: string;
  status: string;
  run_id: string | null;
  message: string | null;
}

/** Each assertion's latest evaluation for the date ("not run" without one). */
function assertionResults(assertions: Action[], ledger: LedgerRow[]): AssertionResult[] {
  return assertions.map((assertion) => {
    const latest = ledger.filter((row) => row.action === assertion.name && EVALUATED.has(row.status)).at(-1);
    return { assertion: assertion.name, status: latest?.status ?? "not run", run_id: latest?.run_id ?? null, message: latest?.message ?? null };
  });
}

function describeAssertions(results: AssertionResult[]): string {
  const failed = results.filter((result) => result.status === "failed");
  const notRun = results.filter((result) => result.status === "not run");
  return (
    `assertions ${results.length}, ${results.filter((result) => result.status === "succeeded").length} passed` +
    `${failed.length ? ` - FAILED ${failed.map((result) => `${result.assertion} in ${result.run_id} (${result.message ?? "failed"})`).join(", ")}` : ""}` +
    `${notRun.length ? ` - not run ${notRun.map((result) => result.assertion).join(", ")}` : ""}`
  );
}

function validationCoverage(graph: ProjectGraph, ledger: LedgerRow[], hasPreWriteRules: (model: string) => boolean): VerifyCheck {
  const details: string[] = [];
  let missing = 0;
  let failed = 0;
  let checked = 0;
  const assertions: AssertionResult[] = [];
  const warnings: CheckWarning[] = [];
  const incremental = models(graph).filter((action) => action.kind === "incremental");
  for (const model of incremental) {
    checked++;
    const own = ledger.filter((row) => row.action === model.name);
    const latest = own.filter((row) => WROTE.has(row.status)).at(-1);
    const attempt = own.at(-1);
    const since = attempt && attempt !== latest ? `; latest attempt ${attempt.status} in ${attempt.run_id}` : "";
    const results = assertionResults(assertionsWhere(graph, (assertion) => assertion.parent === model.id), ledger);
    assertions.push(...results);
    if (!latest) {
      missing++;
      details.push(`${model.name}: never ran its write for this date${since}`);
      continue;
    }
    const checks = parseChecks(latest.details);
    const pre = checks.filter((check) => check.phase === "pre-write");
    const post = checks.filter((check) => check.phase === "post-write");
    const postFailed = post.filter((check) => !check.passed && check.severity === "error");
    const postWarnings = post.filter((check) => !check.passed && check.severity === "warning");
    const preMissing = hasPreWriteRules(model.name) && pre.length === 0;
    // A model that wrote and whose assertions never ran has its checks missing too.
    if (preMissing || post.length === 0 || results.some((result) => result.status === "not run")) missing++;
    failed += postFailed.length;
    for (const check of checks.filter((entry) => !entry.passed && entry.severity === "warning")) {
      warnings.push({ model: model.name, check: check.check, phase: check.phase, rows: check.rows, run_id: latest.run_id });
    }
    const quarantined = latest.rows_quarantined ?? 0;
    const failedBefore = latest.status === "failed" && checks.length === 0 ? ` - failed before its checks ran${latest.message ? `: ${latest.message.split("\n")[0]}` : ""}` : "";
    details.push(
      `${model.name} (${latest.run_id}, ${latest.status}): pre-write ${pre.length} rules` +
        `${pre.some((check) => !check.passed) ? ` (${pre.filter((check) => !check.passed).map((check) => `${check.check}: ${check.rows}`).join(", ")})` : ""}, ` +
        `${quarantined} rows quarantined; post-write ${post.length} checks, ${post.filter((check) => check.passed).length} passed` +
        `${postWarnings.length ? `, warnings ${postWarnings.map((check) => check.check).join(", ")}` : ""}` +
        `${postFailed.length ? ` - FAILED ${postFailed.map((check) => check.check).join(", ")}` : ""}${failedBefore}` +
        `${results.length ? `; ${describeAssertions(results)}` : ""}${since}`,
    );
  }
  // The other assertions (of no incremental model): a failure counts, one not run is only listed.
  const others = assertionResults(assertionsWhere(graph, (assertion) => !incremental.some((model) => model.id === assertion.parent)), ledger);
  assertions.push(...others);
  if (others.length) details.push(`other ${describeAssertions(others)}`);
  const failedAssertions = assertions.filter((result) => result.status === "failed");
  const problems = [
    ...(missing > 0 ? [`${missing} model(s) without their checks in the ledger`] : []),
    ...(failed > 0 ? [`${failed} post-write check(s) failed`] : []),
    ...(failedAssertions.length > 0
      ? [`${failedAssertions.length} assertion(s) failed: ${nameSome(failedAssertions.map((result) => `${result.assertion} in ${result.run_id} (${result.message ?? "failed"})`))}`]
      : []),
  ];
  // A warning of a check is published data that needs a look: the check warns (a failure wins).
  const warned = warnings.length > 0 ? [`${warnings.length} check warning(s): ${nameSome(warnings.map((warning) => `${warning.model} ${warning.check} (${warning.rows} rows)`))}`] : [];
  return {
    id: "validation_coverage",
    title: "Validation coverage: pre- and post-write checks ran for every model",
    state: problems.length > 0 ? "fail" : warnings.length > 0 ? "warn" : "pass",
    summary:
      problems.length > 0
        ? [...problems, ...warned].join("; ")
        : ["every model ran its pre- and post-write checks and its assertions", ...warned].join("; "),
    details,
    numbers: {
      models_checked: checked,
      models_without_checks: missing,
      post_write_failed: failed,
      assertions_checked: assertions.length,
      assertions_failed: failedAssertions.length,
      failed_assertions: failedAssertions.map((result) => ({ assertion: result.assertion, run_id: result.run_id, message: result.message })),
      check_warnings: warnings.map((warning) => ({ ...warning })),
    },
  };
}

async function duplicates(options: VerifyOptions): Promise<VerifyCheck> {
  const { engine, graph, gameDate } = options;
  const details: string[] = [];
  let total = 0;
  for (const model of models(graph).filter((action) => action.uniqueKey.length > 0)) {
    const target = targetRef(model);
    if (!(await engine.describeTable(target))) continue;
    const keys = model.uniqueKey.join(", ");
    const [row] = await engine.query(
      `SELECT COUNT(*) AS duplicated_keys FROM (
         SELECT ${keys} FROM ${engine.qualify(target)} WHERE game_date = @game_date GROUP BY ${keys} HAVING COUNT(*) > 1
       ) AS duplicated`,
      { params: { game_date: param.date(gameDate) } },
    );
    const count = Number(row?.duplicated_keys ?? 0);
    total += count;
    details.push(`${model.name}: ${count} duplicated keys (${keys})`);
  }
  return {
    id: "duplicates",
    title: "Duplicates: one row per unique key",
    state: total === 0 ? "pass" : "fail",
    summary: total === 0 ? "no duplicated key on this date" : `${total} duplicated key(s) on this date`,
    details,
    numbers: { duplicated_keys: total },
  };
}

async function quarantine(options: VerifyOptions): Promise<VerifyCheck> {
  const { engine, graph, gameDate } = options;
  const details: string[] = [];
  let total = 0;
  for (const model of models(graph).filter((action) => action.kind === "incremental")) {
    const table = quarantineTable(targetRef(model));
    if (!(await engine.describeTable(table))) continue;
    const rows = await engine.query(
      `SELECT rule, COUNT(*) AS quarantined FROM ${engine.qualify(table)} WHERE game_date = @game_date GROUP BY rule ORDER BY rule`,
      { params: { game_date: param.date(gameDate) } },
    );
    for (const row of rows) {
      total += Number(row.quarantined);
      details.push(`${model.name}: ${row.quarantined} row(s) held back by ${row.rule}`);
    }
  }
  return {
    id: "quarantine",
    title: "Quarantine: rows held back by pre-write rules (information)",
    state: "pass",
    summary: total === 0 ? "nothing quarantined for this date" : `${total} row(s) in quarantine for this date (see runner quarantine list)`,
    details,
    numbers: { rows_quarantined: total },
  };
}

const HELD_BACK_TITLE = "Held-back games: every game of the date published, or why not";

/**
 * Games of the date some model did not publish, with the reason (DESIGN 6). A game held back
 * because its source is late or partial (or a model upstream held it back) is a missing number
 * that a later run publishes: a warning. A game held back for a rejected row is a data failure.
 */
async function heldBackGames(options: VerifyOptions): Promise<VerifyCheck> {
  const { engine, gameDate } = options;
  if (!(await engine.describeTable(heldBackTable(engine)))) {
    return {
      id: "held_back_games",
      title: HELD_BACK_TITLE,
      state: "pass",
      summary: "no game held back (nothing recorded yet)",
      details: [],
      numbers: { games: 0, rejected: 0, held_back: [] },
    };
  }
  const rows = await engine.query<{ game_id: string; model: string; reason: string; detail: string }>(
    `SELECT game_id, model, reason, detail FROM ${engine.qualify(heldBackTable(engine))}
     WHERE game_date = @game_date
     ORDER BY game_id, model`,
    { params: { game_date: param.date(gameDate) } },
  );
  const games = [...new Set(rows.map((row) => row.game_id))];
  const rejected = [...new Set(rows.filter((row) => row.reason === "rejected").map((row) => row.game_id))];
  const details = games.map((game) => {
    const own = rows.filter((row) => row.game_id === game && row.reason !== "upstream_held_back");
    const downstream = rows.filter((row) => row.game_id === game && row.reason === "upstream_held_back").map((row) => row.model);
    const where = own.map((row) => `${row.model}: ${row.reason} (${row.detail})`).join("; ");
    return `${game}: ${where || "held back upstream"}${downstream.length ? `; so also held back in ${downstream.join(", ")}` : ""}`;
  });
  const state: CheckState = rejected.length > 0 ? "fail" : games.length > 0 ? "warn" : "pass";
  return {
    id: "held_back_games",
    title: HELD_BACK_TITLE,
    state,
    summary:
      games.length === 0
        ? "every game of the date was published"
        : `${games.length} game(s) held back: ${games.join(", ")}` +
          (rejected.length > 0 ? `; ${rejected.length} for rejected rows (a data failure): ${rejected.join(", ")}` : ""),
    details,
    numbers: {
      games: games.length,
      rejected: rejected.length,
      held_back: rows.map((row) => ({ game_id: row.game_id, model: row.model, reason: row.reason, detail: row.detail })),
    },
  };
}

interface CoverageRow extends Row {
  game_id: string;
  team_abbr: string;
  played: number;
  with_usage: number;
}

/**
 * Per team and game of the date, the share of the players who played (minutes_played > 0) that
 * have a usage_rate. Below the threshold, usage is missing for too many of the team's players
 * (partial team totals, values withheld): a warning naming the team and game.
 */
async function usageCoverage(options: VerifyOptions): Promise<VerifyCheck> {
  const { engine, gameDate, usageCoverageWarnPct: threshold } = options;
  const details: string[] = [];
  const below: { game_id: string; team_abbr: string; played: number; with_usage: number; coverage_pct: number }[] = [];
  let teams = 0;
  for (const { model, columns } of await playerTables(options, details)) {
    if (!["usage_rate", "minutes_played", "team_abbr", "game_id"].every((column) => columns.has(column))) {
      details.push(`${model.name}: no usage_rate, minutes_played, team_abbr and game_id columns`);
      continue;
    }
    const target = engine.qualify(targetRef(model));
    const params = { game_date: param.date(gameDate) };
    const rows = await engine.query<CoverageRow>(
      `SELECT game_id, team_abbr, COUNT(*) AS played, COUNTIF(usage_rate IS NOT NULL) AS with_usage
       FROM ${target}
       WHERE game_date = @game_date AND minutes_played > 0
       GROUP BY game_id, team_abbr
       ORDER BY game_id, team_abbr`,
      { params },
    );
    teams += rows.length;
    const low = rows
      .map((row) => ({ game_id: row.game_id, team_abbr: row.team_abbr, played: Number(row.played), with_usage: Number(row.with_usage) }))
      .filter((row) => 100 * row.with_usage < threshold * row.played)
      .map((row) => ({ ...row, coverage_pct: Math.round((1000 * row.with_usage) / row.played) / 10 }));
    const reasons = new Map<string, string>();
    if (low.length > 0 && columns.has("usage_rate_anomaly_reason")) {
      const why = await engine.query<{ game_id: string; team_abbr: string; reason: string | null; players: number }>(
        `SELECT game_id, team_abbr, usage_rate_anomaly_reason AS reason, COUNT(*) AS players
         FROM ${target}
         WHERE game_date = @game_date AND minutes_played > 0 AND usage_rate IS NULL
         GROUP BY game_id, team_abbr, usage_rate_anomaly_reason
         ORDER BY game_id, team_abbr, reason`,
        { params },
      );
      for (const row of why) {
        const key = `${row.game_id}/${row.team_abbr}`;
        const part = `${row.players} ${row.reason ?? "no reason recorded"}`;
        reasons.set(key, reasons.has(key) ? `${reasons.get(key)}, ${part}` : part);
      }
    }
    details.push(`${model.name}: ${rows.length} team(s) checked, ${low.length} below ${threshold} percent`);
    for (const row of low) {
      const reason = reasons.get(`${row.game_id}/${row.team_abbr}`);
      details.push(
        `  ${row.team_abbr} in ${row.game_id}: ${row.with_usage} of ${row.played} players who played have a usage_rate (${row.coverage_pct} percent)` +
          `${reason ? `; without: ${reason}` : ""}`,
      );
    }
    below.push(...low);
  }
  return {
    id: "usage_coverage",
    title: `Usage coverage: at least ${threshold} percent of the players who played have a usage_rate, per team and game`,
    state: below.length > 0 ? "warn" : "pass",
    summary:
      below.length > 0
        ? `${below.length} team(s) below ${threshold} percent: ${nameSome(below.map((row) => `${row.team_abbr} in ${row.game_id} (${row.coverage_pct} percent)`))}`
        : teams > 0
          ? `all ${teams} team(s) at or above ${threshold} percent`
          : "no player who played on this date",
    details,
    numbers: { teams_checked: teams, teams_below: below.length, warn_below_pct: threshold, below },
  };
}

interface UsageValueRow extends Row {
  usage_rate: number | null;
  usage_rate_raw: number | null;
}

/**
 * The date's usage_rate and usage_rate_raw values, for the histogram: the values race detection
 * judges, read from the date's partition only (rows with neither, players who did not play, are
 * left out).
 */
async function usageValues(options: VerifyOptions): Promise<UsageValues[]> {
  const { engine, gameDate } = options;
  const found: UsageValues[] = [];
  for (const { model, columns } of await playerTables(options, [])) {
    if (!columns.has("usage_rate")) continue;
    const hasRaw = columns.has("usage_rate_raw");
    const raw = hasRaw ? "usage_rate_raw" : "CAST(NULL AS NUMERIC) AS usage_rate_raw";
    const rows = await engine.query<UsageValueRow>(
      `SELECT usage_rate, ${raw} FROM ${engine.qualify(targetRef(model))}
       WHERE game_date = @game_date AND (usage_rate IS NOT NULL${hasRaw ? " OR usage_rate_raw IS NOT NULL" : ""})`,
      { params: { game_date: param.date(gameDate) } },
    );
    const values = (column: "usage_rate" | "usage_rate_raw") => rows.map((row) => numberOrNull(row[column])).filter((value): value is number => value !== null);
    found.push({ model: model.name, table: `${model.target.schema}.${model.target.name}`, published: values("usage_rate"), raw: values("usage_rate_raw"), hasRaw });
  }
  return found;
}

function timelineKind(action: Action | undefined, role: string): TimelineKind {
  if (role === "gate" || role === "assertion" || role === "operation") return role;
  if (action?.tags.includes(TEAM_TAG)) return "team_model";
  if (action?.tags.includes(PLAYER_TAG)) return "player_model";
  return "model";
}

/** "player_game_summary: row_conditions" for the check player_game_summary_row_conditions. */
function timelineLabel(graph: ProjectGraph, action: Action | undefined, name: string): string {
  const parent = action?.parent ? graph.actions.get(action.parent) : undefined;
  return parent && action ? `${parent.name}: ${checkName(action, parent)}` : name;
}

/** Each run of the date with its actions, for the timeline (the ordering check's evidence, drawn). */
function runTimelines(graph: ProjectGraph, ledger: LedgerRow[]): RunTimeline[] {
  const byName = new Map([...graph.actions.values()].map((action) => [action.name, action]));
  const runs = new Map<string, TimelineAction[]>();
  for (const row of ledger) {
    const action = byName.get(row.action);
    const entry: TimelineAction = {
      action: row.action,
      label: timelineLabel(graph, action, row.action),
      kind: timelineKind(action, row.action_role),
      level: row.level ?? -1,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
    const actions = runs.get(row.run_id) ?? [];
    actions.push(entry);
    runs.set(row.run_id, actions);
  }
  return [...runs].map(([runId, actions]) => ({ runId, actions }));
}

export async function verifyDate(options: VerifyOptions, hasPreWriteRules: (model: string) => boolean): Promise<VerifyReport> {
  const ledger = await ledgerRows(options.engine, options.gameDate);
  const checks = [
    orderedExecution(options.graph, ledger),
    await raceDetection(options),
    dependencyGates(options.graph, ledger),
    validationCoverage(options.graph, ledger, hasPreWriteRules),
    await duplicates(options),
    await heldBackGames(options),
    await usageCoverage(options),
    await quarantine(options),
  ];
  return {
    gameDate: options.gameDate,
    generatedAt: new Date().toISOString(),
    state: worstState(checks.map((check) => check.state)),
    warehouse: options.warehouse,
    checks,
    usageThresholds: { warnAbove: options.usageWarnAbove, max: options.usageMax },
    usage: await usageValues(options),
    runs: runTimelines(options.graph, ledger),
  };
}

/** Verifies each date in order: one report per date, the worst state and how many dates had each. */
export async function verifyRange(
  options: Omit<VerifyOptions, "gameDate">,
  dates: string[],
  hasPreWriteRules: (model: string) => boolean,
): Promise<VerifyRangeReport> {
  const reports: VerifyReport[] = [];
  for (const gameDate of dates) reports.push(await verifyDate({ ...options, gameDate }, hasPreWriteRules));
  const count = (state: CheckState) => reports.filter((report) => report.state === state).length;
  return {
    startDate: dates[0] ?? "",
    endDate: dates.at(-1) ?? "",
    generatedAt: new Date().toISOString(),
    state: worstState(reports.map((report) => report.state)),
    warehouse: options.warehouse,
    dates: reports,
    totals: { dates: reports.length, pass: count("pass"), warn: count("warn"), fail: count("fail") },
  };
}
