/** `runner verify`: the production verification report for a date, from the ledger and the tables. */
import fs from "node:fs";
import { Command, Option } from "commander";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { preWriteRules } from "../../checks/templates.ts";
import { parseRunDates } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { ExitCode } from "../../errors.ts";
import { projectConstants } from "../../project_constants.ts";
import { renderReport, type ReportFormat } from "../../reports/render.ts";
import { verifyDate } from "../../reports/verify.ts";
import {
  addProjectOption,
  addWarehouseOption,
  compileFor,
  type CliIO,
  type ProjectOptions,
  type WarehouseOptions,
} from "../options.ts";

interface VerifyOptions extends ProjectOptions, WarehouseOptions {
  date?: string;
  format: ReportFormat;
  output?: string;
}

export function verifyCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("verify")
    .summary("verify a date: ordering, race detection, gates, validation coverage")
    .description(
      "Reads the run ledger and the tables for one date and reports: (1) ordered execution - team models finished " +
        "before the player model started, in every run; (2) race detection - usage_rate maximum and the counts above " +
        "50 and 100; (3) dependency gates - each model's gates in the latest run; (4) validation coverage - every model " +
        "ran its pre- and post-write checks; plus duplicated keys and the quarantine. Exit 0 only if every check passes.",
    )
    .requiredOption("--date <YYYY-MM-DD>", "the game date to verify")
    .addOption(new Option("--format <format>", "report format").choices(["markdown", "json", "html"]).default("markdown"))
    .option("--output <file>", "write the report to a file instead of stdout");
  addWarehouseOption(command);
  addProjectOption(command);
  command.addHelpText("after", "\nExamples:\n  runner verify --date 2024-01-15\n  runner verify --date 2024-01-15 --format html --output report.html");
  return command.action(async (options: VerifyOptions) => {
    const dates = parseRunDates({ date: options.date });
    const projectDir = options.project ?? PROJECT_DIR;
    const { graph } = compileFor(dates, options);
    const constants = projectConstants(projectDir);
    const engine = await openEngine(options);
    try {
      const report = await verifyDate(
        { engine, graph, gameDate: dates.start, usageWarnAbove: constants.USAGE_RATE_WARN_ABOVE, usageMax: constants.USAGE_RATE_MAX },
        (model) => preWriteRules(projectDir, model).length > 0,
      );
      const rendered = renderReport(report, options.format);
      if (options.output) {
        fs.writeFileSync(options.output, rendered);
        io.stderr(`${report.passed ? "All checks passed" : "Verification FAILED"}; report written to ${options.output}`);
      } else {
        io.stdout(rendered);
      }
      setExit(report.passed ? ExitCode.success : ExitCode.dataFailure);
    } finally {
      await engine.close();
    }
  });
}
