/** Renders the verification report as Markdown, HTML (one self-contained page) or JSON. */
import fs from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { PROJECT_DIR } from "../compile/compile.ts";
import type { VerifyReport } from "./verify.ts";

export type ReportFormat = "markdown" | "html" | "json";

// Resolved from the project root, so that the sources and the bundle in dist/ find the same files.
const TEMPLATES = path.join(PROJECT_DIR, "runner", "reports", "templates");

function template(name: string, escape: boolean): Handlebars.TemplateDelegate {
  const handlebars = Handlebars.create();
  handlebars.registerHelper("inc", (value: number) => value + 1);
  return handlebars.compile(fs.readFileSync(path.join(TEMPLATES, name), "utf8"), { noEscape: !escape, strict: false });
}

export function renderReport(report: VerifyReport, format: ReportFormat): string {
  if (format === "json") return JSON.stringify(report, null, 2);
  const context = { ...report, passedCount: report.checks.filter((check) => check.passed).length };
  return format === "html" ? template("verify.html.hbs", true)(context) : template("verify.md.hbs", false)(context);
}
