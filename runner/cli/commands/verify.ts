/** `runner verify`: the production verification report for a date or a range, from the ledger and the tables. */
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { z } from "zod";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { preWriteRules } from "../../checks/templates.ts";
import { parseRunDates } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { engineKindOf, warehousePath } from "../../engines/open.ts";
import { BadInputError } from "../../errors.ts";
import { projectConstants } from "../../project_constants.ts";
import { renderRange, renderReport, type ReportFormat } from "../../reports/render.ts";
import { verifyDate, verifyExitCode, verifyRange, type CheckState } from "../../reports/verify.ts";
import {
  addDateOptions,
  addExamples,
  addProjectOption,
  addWarehouseOption,
  compileFor,
  DateOptionsSchema,
  parseOptions,
  ProjectOptionsSchema,
  WarehouseOptionsSchema,
  type CliIO,
  type WarehouseOptions,
} from "../options.ts";

const REPORT_FORMATS = ["markdown", "json", "html"] as const satisfies readonly ReportFormat[];

const VerifyOptionsSchema = z.object({
  ...DateOptionsSchema.shape,
  ...ProjectOptionsSchema.shape,
  ...WarehouseOptionsSchema.shape,
  format: z.enum(REPORT_FORMATS),
  output: z.string().min(1, "must name a file").optional(),
  strict: z.boolean().optional(),
});
type VerifyOptions = z.infer<typeof VerifyOptionsSchema>;

/** What the report reads, in words: the DuckDB file, or the BigQuery project of the datasets. */
async function warehouseRead(options: VerifyOptions, projectDir: string): Promise<string> {
  if (engineKindOf(options) === "bigquery") {
    const { loadBigQueryConfig } = await import("../../engines/bigquery/config.ts");
    return `bigquery project ${loadBigQueryConfig({ projectDir, flags: { maxBytesEstimate: options.maxBytes }, overrides: { defaultDatabase: options.defaultDatabase } }).dataProject}`;
  }
  return path.resolve(warehousePath(options.warehouse));
}

/** Refuses an --output the report could not be written to, before any work. */
function checkOutput(file: string): void {
  const directory = path.dirname(path.resolve(file));
  if (!fs.existsSync(directory)) {
    throw new BadInputError("output_directory_missing", `--output ${file}: directory ${directory} does not exist`, { suggestion: "Create the directory, or write the report elsewhere." });
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new BadInputError("output_is_directory", `--output ${file} is a directory`, { suggestion: "Name a file, e.g. --output reports/2025-01-15.html." });
  }
}

function writeOutput(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new BadInputError("output_unwritable", `--output ${file}: ${(error as Error).message}`, { suggestion: "Write the report to a file this user may write.", cause: error });
  }
}

const OUTCOME: Record<CheckState, string> = { pass: "All checks passed", warn: "Passed WITH WARNINGS", fail: "Verification FAILED" };

export function verifyCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("verify")
    .summary("verify a date or a range: ordering, race detection, gates, validation coverage")
    .description(
      "Reads the run ledger and the tables for one date (or each date of a range) and reports: (1) ordered " +
        "execution - team models finished before the player model started, in every run; (2) race detection - " +
        "usage_rate maximum and the counts above 50 and 100; (3) dependency gates - each gate's latest result; " +
        "(4) validation coverage - every model ran its pre- and post-write checks and the latest evaluation of " +
        "each of its assertions passed; plus duplicated keys, the " +
        "held-back games, the usage coverage per team and game, and the quarantine.\n\n" +
        "Each check is PASS, WARN or FAIL. WARN: a usage_rate above 50, a gate bypassed or ignored, a game held " +
        "back (late or partial source), a team with usage_rate for under 80 percent of its players who played. " +
        "FAIL: a usage_rate above 100, a gate blocked or not run, a check missing or failed (an assertion " +
        "failed in its latest evaluation for the date), a duplicated key, a " +
        "game held back for a rejected row.\n\n" +
        "Exit codes: 0 pass or warn, 1 fail (and warn with --strict), 2 bad input.",
    )
    .addOption(new Option("--format <format>", "report format").choices(REPORT_FORMATS).default("markdown"))
    .option("--output <file>", "write the report to a file instead of stdout")
    .option("--strict", "exit 1 on warnings too");
  addDateOptions(command);
  addWarehouseOption(command);
  addProjectOption(command);
  addExamples(command, [
    "runner verify --date 2024-01-15",
    "runner verify --date 2024-01-15 --strict --format json",
    "runner verify --start-date 2025-01-13 --end-date 2025-01-19          # one line per date and a total",
    "runner verify --date 2024-01-15 --format html --output /tmp/report.html",
  ]);
  return command.action(async (raw: unknown) => {
    const options = parseOptions(VerifyOptionsSchema, raw, "verify");
    const dates = parseRunDates(options);
    if (options.output) checkOutput(options.output);
    const projectDir = options.project ?? PROJECT_DIR;
    const { graph } = compileFor(dates, options);
    const constants = projectConstants(projectDir);
    const warehouse = await warehouseRead(options, projectDir);
    const engine = await openEngine({ ...options, access: "read" });
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
        writeOutput(options.output, rendered);
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
