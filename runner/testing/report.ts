/**
 * What `runner test` prints: one line per case (PASS / FAIL / ERROR, the model, the case's
 * description, its time), the differences under a failed case, every problem of a malformed
 * file, and a closing summary with the time per test file; or all of it as one JSON document.
 */
import { differenceLines } from "./compare.ts";
import type { CaseResult, FileResult, TestRunResult } from "./run.ts";

function milliseconds(value: number): string {
  return `${Math.round(value)} ms`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function caseLines(file: FileResult, entry: CaseResult): string[] {
  const label = entry.status === "passed" ? "PASS " : entry.status === "failed" ? "FAIL " : "ERROR";
  const lines = [`${label} ${file.model} › ${entry.description} (${milliseconds(entry.milliseconds)})`];
  if (entry.status === "passed") return lines;
  lines.push(`        ${file.file}${entry.line === undefined ? "" : `:${entry.line}`}: cases[${entry.index}]`);
  if (entry.comparison) lines.push(...differenceLines(entry.comparison).map((line) => `        ${line}`));
  if (entry.error) lines.push(...entry.error.split("\n").map((line) => `        ${line}`));
  return lines;
}

/** The lines of one file's result, printed as soon as the file has run. */
export function fileLines(file: FileResult): string[] {
  if (file.problems.length > 0) {
    return [`BAD   ${file.file}: malformed test file, its cases did not run`, ...file.problems.map((line) => `        ${line}`)];
  }
  return file.cases.flatMap((entry) => caseLines(file, entry));
}

export function summaryLines(result: TestRunResult): string[] {
  const files = result.files.length;
  const ran = result.files.filter((file) => file.problems.length === 0);
  const perFile = ran.length > 0 ? ran.reduce((total, file) => total + file.milliseconds, 0) / ran.length : 0;
  const slowest = [...ran].sort((a, b) => b.milliseconds - a.milliseconds)[0];
  const malformed = result.malformedFiles > 0 ? `, ${result.malformedFiles} malformed file${result.malformedFiles === 1 ? "" : "s"}` : "";
  return [
    "",
    `${files} test file${files === 1 ? "" : "s"}, ${plural(result.passed + result.failed, "case")}: ${result.passed} passed, ${result.failed} failed${malformed}`,
    ran.length === 0
      ? `time: ${seconds(result.milliseconds)}`
      : `time: ${seconds(result.milliseconds)} in all; ${seconds(result.setupMilliseconds)} to open the warehouse, then ${seconds(perFile)} per test file` +
        (slowest ? ` (slowest: ${slowest.model} ${seconds(slowest.milliseconds)})` : ""),
  ];
}

export function resultJson(result: TestRunResult): unknown {
  return {
    outcome: result.exitCode === 0 ? "passed" : result.malformedFiles > 0 ? "malformed" : "failed",
    passed: result.passed,
    failed: result.failed,
    malformed_files: result.malformedFiles,
    seconds: result.milliseconds / 1000,
    setup_seconds: result.setupMilliseconds / 1000,
    files: result.files.map((file) => ({
      file: file.file,
      model: file.model,
      seconds: file.milliseconds / 1000,
      problems: file.problems,
      cases: file.cases.map((entry) => ({
        case: entry.index,
        description: entry.description,
        status: entry.status,
        seconds: entry.milliseconds / 1000,
        ...(entry.comparison && !entry.comparison.passed
          ? { expected_rows: entry.comparison.expectedRows, actual_rows: entry.comparison.actualRows, differences: entry.comparison.differences }
          : {}),
        ...(entry.error ? { error: entry.error } : {}),
      })),
    })),
  };
}
