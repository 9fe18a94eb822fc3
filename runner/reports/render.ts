/**
 * Renders the verification report as Markdown, HTML (one self-contained page) or JSON, for one
 * date or for a range (one line per date and a total).
 */
import fs from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { PROJECT_DIR } from "../compile/compile.ts";
import type { CheckState, VerifyCheck, VerifyRangeReport, VerifyReport } from "./verify.ts";

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

function reportContext(report: VerifyReport) {
  return {
    ...report,
    label: stateLabel(report.state),
    verdict: VERDICT[report.state],
    verdictWords: VERDICT_WORDS[report.state],
    counts: countsText(report.checks),
    line: dateLine(report),
    checks: report.checks.map((check) => ({
      ...check,
      label: stateLabel(check.state),
      // Markdown: a state other than PASS stands out in bold.
      cell: check.state === "pass" ? "PASS" : `**${stateLabel(check.state)}**`,
    })),
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
  const context = reportContext(report);
  return format === "html" ? template("verify.html.hbs", true)(context) : template("verify.md.hbs", false)(context);
}

export function renderRange(range: VerifyRangeReport, format: ReportFormat): string {
  if (format === "json") return JSON.stringify(rangeJson(range), null, 2);
  const context = {
    ...range,
    verdict: VERDICT[range.state],
    verdictWords: VERDICT_WORDS[range.state],
    total: totalLine(range),
    dates: range.dates.map(reportContext),
  };
  return format === "html" ? template("verify-range.html.hbs", true)(context) : template("verify-range.md.hbs", false)(context);
}
