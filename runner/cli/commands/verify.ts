/** `runner verify`: the production verification report for a date or a range, from the ledger and the tables. */
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { preWriteRules } from "../../checks/templates.ts";
import { parseRunDates } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { defaultWarehousePath, targetOf } from "../../engines/open.ts";
import { projectConstants } from "../../project_constants.ts";
import { renderRange, renderReport, type ReportFormat } from "../../reports/render.ts";
import { verifyDate, verifyExitCode, verifyRange, type CheckState } from "../../reports/verify.ts";
import {
  addDateOptions,
  addProjectOption,
  addWarehouseOption,
  compileFor,
  type CliIO,
  type DateOptions,
  type ProjectOptions,
  type WarehouseOptions,
} from "../options.ts";

interface VerifyOptions extends DateOptions, ProjectOptions, WarehouseOptions {
  format: ReportFormat;
  output?: string;
  strict?: boolean;
}

/** What the report reads, in words: the DuckDB file, or the BigQuery project of the datasets. */
async function warehouseRead(options: VerifyOptions, projectDir: string): Promise<string> {
  if (targetOf(options) === "bigquery") {
    const { loadBigQueryConfig } = await import("../../engines/bigquery/config.ts");
    return `bigquery project ${loadBigQueryConfig({ projectDir, flags: { maxBytesEstimate: options.maxBytes } }).dataProject}`;
  }
  return path.resolve(options.warehouse ?? defaultWarehousePath());
}

const OUTCOME: Record<CheckState, string> = { pass: "All checks passed", warn: "Passed WITH WARNINGS", fail: "Verification FAILED" };

export function verifyCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("verify")
    .summary("verify a date or a range: ordering, race detection, gates, validation coverage")
    .description(
      "Reads the run ledger and the tables for one date (or each date of a range) and reports: (1) ordered " +
        "execution - team models finished before the player model started, in every run; (2) race detection - " +
        "usage_rate maximum and the counts above 50 and 100; (3) dependency gates - each gate's latest result; " +
        "(4) validation coverage - every model ran its pre- and post-write checks; plus duplicated keys, the " +
        "held-back games, the usage coverage per team and game, and the quarantine.\n\n" +
        "Each check is PASS, WARN or FAIL. WARN: a usage_rate above 50, a gate bypassed or ignored, a game held " +
        "back (late or partial source), a team with usage_rate for under 80 percent of its players who played. " +
        "FAIL: a usage_rate above 100, a gate blocked or not run, a check missing or failed, a duplicated key, a " +
        "game held back for a rejected row.\n\n" +
        "Exit codes: 0 pass or warn, 1 fail (and warn with --strict), 2 bad input.",
    )
    .addOption(new Option("--format <format>", "report format").choices(["markdown", "json", "html"]).default("markdown"))
    .option("--output <file>", "write the report to a file instead of stdout")
    .option("--strict", "exit 1 on warnings too");
  addDateOptions(command);
  addWarehouseOption(command);
  addProjectOption(command);
  command.addHelpText(
    "after",
    "\nExamples:\n" +
      "  runner verify --date 2024-01-15\n" +
      "  runner verify --date 2024-01-15 --strict --format json\n" +
      "  runner verify --start-date 2025-01-13 --end-date 2025-01-19          # one line per date and a total\n" +
      "  runner verify --date 2024-01-15 --format html --output report.html",
  );
  return command.action(async (options: VerifyOptions) => {
    const dates = parseRunDates(options);
    const projectDir = options.project ?? PROJECT_DIR;
    const { graph } = compileFor(dates, options);
    const constants = projectConstants(projectDir);
    const warehouse = await warehouseRead(options, projectDir);
    const engine = await openEngine(options);
    try {
      const settings = {
        engine,
        graph,
        usageWarnAbove: constants.USAGE_RATE_WARN_ABOVE,
        usageMax: constants.USAGE_RATE_MAX,
        usageCoverageWarnPct: constants.USAGE_COVERAGE_WARN_PCT,
        warehouse,
      };
      const hasPreWriteRules = (model: string) => preWriteRules(projectDir, model).length > 0;
      // --date gives one report; --start-date/--end-date one line per date and a total.
      const { state, rendered } =
        options.date !== undefined
          ? await verifyDate({ ...settings, gameDate: dates.start }, hasPreWriteRules).then((report) => ({ state: report.state, rendered: renderReport(report, options.format) }))
          : await verifyRange(settings, dates.dates, hasPreWriteRules).then((range) => ({ state: range.state, rendered: renderRange(range, options.format) }));
      if (options.output) {
        fs.writeFileSync(options.output, rendered);
        io.stderr(`${OUTCOME[state]}; report written to ${options.output}`);
      } else {
        io.stdout(rendered);
      }
      setExit(verifyExitCode(state, Boolean(options.strict)));
    } finally {
      await engine.close();
    }
  });
}
