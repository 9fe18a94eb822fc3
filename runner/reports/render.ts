/**
 * Renders the verification report as Markdown, HTML (one self-contained page) or JSON, for one
 * date or for a range (one line per date and a total). The HTML shows the state in its header and
 * per date, names the warehouse read, and draws each date's usage histogram and run timelines as
 * inline SVG (runner/reports/charts/): nothing is fetched when the page is opened.
 */
import fs from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { PROJECT_DIR } from "../compile/compile.ts";
import { formatOffset, timelineSummary, timelineSvg, type RunTimeline } from "./charts/timeline.ts";
import { usageHistogram, usageHistogramSvg, type UsageValues } from "./charts/usage_histogram.ts";
import { CHECK_STATES, type CheckState, type VerifyCheck, type VerifyRangeReport, type VerifyReport } from "./verify.ts";

export type ReportFormat = "markdown" | "html" | "json";

// Resolved from the project root, so that the sources and the bundle in dist/ find the same files.
const TEMPLATES = path.join(PROJECT_DIR, "runner", "reports", "templates");

function read(name: string): string {
  return fs.readFileSync(path.join(TEMPLATES, name), "utf8");
}

function template(name: string, escape: boolean): Handlebars.TemplateDelegate {
  const handlebars = Handlebars.create();
  handlebars.registerHelper("inc", (value: number) => value + 1);
  handlebars.registerHelper("isnt", (value: unknown, other: unknown) => value !== other);
  handlebars.registerPartial("checks", read("verify-checks.html.hbs"));
  handlebars.registerPartial("style", read("verify-style.html.hbs"));
  handlebars.registerPartial("date", read("verify-date.html.hbs"));
  return handlebars.compile(read(name), { noEscape: !escape, strict: false });
}

/** PASS, WARN, FAIL: how a state is written in the reports. */
export function stateLabel(state: CheckState): string {
  return state.toUpperCase();
}

const VERDICT: Record<CheckState, string> = { pass: "ALL CHECKS PASSED", warn: "PASSED WITH WARNINGS", fail: "VERIFICATION FAILED" };
const VERDICT_WORDS: Record<CheckState, string> = { pass: "passed", warn: "passed with warnings", fail: "failed" };

function ids(checks: VerifyCheck[], state: CheckState): string[] {
  return checks.filter((check) => check.state === state).map((check) => check.id);
}

/** "8 of 8 checks passed", "6 of 8 checks passed, 2 with warnings (a, b)", "1 failed (c); ...". */
function countsText(checks: VerifyCheck[]): string {
  const passed = ids(checks, "pass").length;
  const warned = ids(checks, "warn");
  const failed = ids(checks, "fail");
  const parts = [`${passed} of ${checks.length} checks passed`];
  if (warned.length > 0) parts.push(`${warned.length} with warnings (${warned.join(", ")})`);
  if (failed.length > 0) parts.push(`${failed.length} failed (${failed.join(", ")})`);
  return parts.join(", ");
}

/** One line of a range: "2025-01-13  PASS", "2025-01-14  WARN (2 checks: a, b)", "2025-01-15  FAIL (c)". */
export function dateLine(report: VerifyReport): string {
  const label = `${report.gameDate}  ${stateLabel(report.state)}`;
  if (report.state === "fail") return `${label} (${ids(report.checks, "fail").join(", ")})`;
  if (report.state === "warn") {
    const warned = ids(report.checks, "warn");
    return `${label} (${warned.length} check${warned.length === 1 ? "" : "s"}: ${warned.join(", ")})`;
  }
  return label;
}

/** The total line of a range: "Total  3 dates: 1 PASS, 1 WARN, 1 FAIL -> FAIL". */
export function totalLine(range: VerifyRangeReport): string {
  const { totals } = range;
  return `Total  ${totals.dates} date${totals.dates === 1 ? "" : "s"}: ${totals.pass} PASS, ${totals.warn} WARN, ${totals.fail} FAIL -> ${stateLabel(range.state)}`;
}

/** The warehouse read, in words for the page: "DuckDB file /path" or "BigQuery project p". */
function source(warehouse: string | undefined): { kind: string; name: string } | undefined {
  if (warehouse === undefined) return undefined;
  const project = warehouse.match(/^bigquery project (.+)$/)?.[1];
  return project ? { kind: "BigQuery project", name: project } : { kind: "DuckDB file", name: warehouse };
}

/** The timelines drawn per date: the latest runs (a date re-run all day would fill the page). */
export const TIMELINE_RUNS_DRAWN = 5;

function usageChart(values: UsageValues, report: VerifyReport) {
  const { warnAbove, max } = report.usageThresholds;
  const histogram = usageHistogram(values, report.usageThresholds);
  const published = values.published;
  const above = (limit: number) => published.filter((value) => value > limit).length;
  const withheld = values.raw.filter((value) => value > max).length;
  const parts = [
    `${published.length} row(s) with a usage_rate` + (values.hasRaw ? `, ${values.raw.length} with a usage_rate_raw` : ""),
    `max usage_rate ${histogram.maxPublished ?? "n/a"}` + (values.hasRaw ? `, max usage_rate_raw ${histogram.maxRaw ?? "n/a"}` : ""),
    `usage_rate above ${warnAbove}: ${above(warnAbove)}, above ${max}: ${above(max)}` + (values.hasRaw ? `; usage_rate_raw above ${max}: ${withheld}` : ""),
  ];
  const empty = published.length === 0 && values.raw.length === 0;
  return {
    ...values,
    svg: empty ? undefined : usageHistogramSvg(histogram, `usage_rate of ${values.table} on ${report.gameDate}`),
    caption: parts.join("; "),
    binWidth: histogram.binWidth,
    overflowFrom: histogram.overflow ? histogram.end : undefined,
  };
}

function timelineChart(run: RunTimeline, report: VerifyReport) {
  const summary = timelineSummary(run);
  const order =
    summary.gapMs === null
      ? "no team and player model both ran in this run"
      : summary.gapMs >= 0
        ? `the player model started ${summary.gapMs} ms after the last team model finished`
        : `the player model started ${-summary.gapMs} ms BEFORE the last team model finished`;
  return {
    runId: run.runId,
    svg: timelineSvg(run, `run ${run.runId} on ${report.gameDate}: ${run.actions.length} actions by level`),
    caption: `${run.actions.length} action(s) in ${summary.levels} level(s), ${formatOffset(summary.durationMs, summary.durationMs >= 60_000 ? 60_000 : 1)} from ${summary.startedAt}; ${order}`,
    violation: summary.gapMs !== null && summary.gapMs < 0,
  };
}

/** What the HTML draws for a date: the usage histogram(s) and the latest runs' timelines. */
function charts(report: VerifyReport) {
  const drawn = report.runs.slice(-TIMELINE_RUNS_DRAWN);
  return {
    usage: report.usage.map((values) => usageChart(values, report)),
    runs: drawn.map((run) => timelineChart(run, report)),
    runsNotDrawn: report.runs.length - drawn.length,
  };
}

/**
 * `anchor` prefixes the ids of a date's elements: none on a one-date page (#race_detection), the
 * date on a range page, where every date has the same checks.
 */
function reportContext(report: VerifyReport, options: { html: boolean; anchor: string }) {
  const checks = report.checks.map((check) => ({
    ...check,
    anchor: `${options.anchor}${check.id}`,
    label: stateLabel(check.state),
    // Markdown: a state other than PASS stands out in bold.
    cell: check.state === "pass" ? "PASS" : `**${stateLabel(check.state)}**`,
  }));
  return {
    ...report,
    anchor: options.anchor,
    label: stateLabel(report.state),
    verdict: VERDICT[report.state],
    verdictWords: VERDICT_WORDS[report.state],
    counts: countsText(report.checks),
    line: dateLine(report),
    source: source(report.warehouse),
    checks,
    // The checks to look at first: FAIL, then WARN.
    attention: [...checks.filter((check) => check.state === "fail"), ...checks.filter((check) => check.state === "warn")],
    states: CHECK_STATES.map((state) => ({ state, label: stateLabel(state), count: checks.filter((check) => check.state === state).length })),
    charts: options.html ? charts(report) : undefined,
  };
}

/** The report as JSON, in the snake_case of every JSON the runner prints (`run --json`). */
export function reportJson(report: VerifyReport) {
  return {
    game_date: report.gameDate,
    generated_at: report.generatedAt,
    state: report.state,
    passed: report.state !== "fail",
    warehouse: report.warehouse ?? null,
    checks: report.checks.map((check) => ({
      id: check.id,
      title: check.title,
      state: check.state,
      passed: check.state !== "fail",
      summary: check.summary,
      details: check.details,
      numbers: check.numbers ?? {},
    })),
  };
}

export function rangeJson(range: VerifyRangeReport) {
  return {
    start_date: range.startDate,
    end_date: range.endDate,
    generated_at: range.generatedAt,
    state: range.state,
    passed: range.state !== "fail",
    warehouse: range.warehouse ?? null,
    totals: range.totals,
    dates: range.dates.map(reportJson),
  };
}

export function renderReport(report: VerifyReport, format: ReportFormat): string {
  if (format === "json") return JSON.stringify(reportJson(report), null, 2);
  const context = reportContext(report, { html: format === "html", anchor: "" });
  return format === "html" ? template("verify.html.hbs", true)(context) : template("verify.md.hbs", false)(context);
}

export function renderRange(range: VerifyRangeReport, format: ReportFormat): string {
  if (format === "json") return JSON.stringify(rangeJson(range), null, 2);
  const context = {
    ...range,
    verdict: VERDICT[range.state],
    verdictWords: VERDICT_WORDS[range.state],
    total: totalLine(range),
    source: source(range.warehouse),
    dates: range.dates.map((report) => reportContext(report, { html: format === "html", anchor: `${report.gameDate}-` })),
  };
  return format === "html" ? template("verify-range.html.hbs", true)(context) : template("verify-range.md.hbs", false)(context);
}
