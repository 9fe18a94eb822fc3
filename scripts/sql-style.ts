/**
 * The SQL style check over the whole project (runner/style/sql_style.ts says what it checks): one
 * `file:line: rule: message; suggestion` line per finding on stdout, exit 1 on any finding, 2 when
 * the project does not compile. Part of `npm test`; alone:
 *   npm run lint:sql [-- --project DIR]
 */
import { parseArgs } from "node:util";
import { PROJECT_DIR } from "../runner/compile/compile.ts";
import { checkProject, formatFinding, type StyleFinding } from "../runner/style/sql_style.ts";

function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: unknown }).exitCode;
  return typeof code === "number" ? code : 2;
}

/** SQL an includes/ helper writes is reported once, at its first model, with how many others share it. */
function grouped(findings: StyleFinding[]): string[] {
  const lines: string[] = [];
  const shared = new Map<string, { at: number; files: Set<string> }>();
  for (const finding of findings) {
    if (!finding.origin) {
      lines.push(formatFinding(finding));
      continue;
    }
    const key = `${finding.origin}|${finding.rule}|${finding.message}`;
    const seen = shared.get(key);
    if (seen) {
      seen.files.add(finding.file);
      continue;
    }
    shared.set(key, { at: lines.length, files: new Set([finding.file]) });
    lines.push(formatFinding(finding));
  }
  for (const { at, files } of shared.values()) {
    if (files.size > 1) lines[at] += ` (also in ${files.size - 1} other file${files.size > 2 ? "s" : ""})`;
  }
  return lines;
}

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { project: { type: "string" } } });
  const projectDir = values.project ?? PROJECT_DIR;
  let findings: StyleFinding[];
  try {
    findings = checkProject(projectDir);
  } catch (error) {
    const suggestion = (error as { suggestion?: unknown }).suggestion;
    process.stderr.write(`sql style: ${(error as Error).message}${typeof suggestion === "string" ? `\n  ${suggestion}` : ""}\n`);
    return exitCodeOf(error);
  }
  if (findings.length === 0) {
    process.stdout.write("sql style: no findings\n");
    return 0;
  }
  process.stdout.write(`${grouped(findings).join("\n")}\n`);
  process.stderr.write(`sql style: ${findings.length} finding${findings.length === 1 ? "" : "s"} (rules: runner/style/sql_style.ts)\n`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
