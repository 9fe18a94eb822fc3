/** `runner load`: real upstream payload files into the raw tables of the local warehouse. */
import { Command, Option } from "commander";
import type { Engine } from "../../engines/engine.ts";
import { ExitCode } from "../../errors.ts";
import { Logger } from "../../log.ts";
import { FORMAT_NAMES, FORMATS, type FormatName } from "../../load/detect.ts";
import { loadFiles, summaryJson, summaryText } from "../../load/load.ts";
import { addWarehouseOption, type CliIO, type WarehouseOptions } from "../options.ts";

interface LoadCommandOptions extends WarehouseOptions {
  format: FormatName | "auto";
  processedAt?: string;
  gameDate?: string;
  home?: string;
  json?: boolean;
}

export function loadCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const formats = FORMAT_NAMES.map((name) => `  ${name.padEnd(19)} ${FORMATS[name].describe}\n${" ".repeat(22)}-> ${FORMATS[name].tables.join(", ")}`);
  const command = new Command("load")
    .summary("load upstream payload files (NBA.com, balldontlie) into the raw tables")
    .description(
      "Maps real payloads of the upstream scrapers into the nba_raw tables of the local\n" +
        "warehouse (--warehouse). Every file is validated first, then all of them are\n" +
        "written in one transaction: a bad file is reported as `file: position: reason`\n" +
        "and nothing is written. Loading a file again replaces its earlier rows (matched\n" +
        "by its absolute path, source_file_path).",
    )
    .argument("<files...>", "payload files (JSON)")
    .addOption(new Option("--format <format>", "payload format of every file").choices(["auto", ...FORMAT_NAMES]).default("auto"))
    .option("--processed-at <timestamp>", "processed_at of every row, ISO 8601 (default: now)")
    .option("--game-date <YYYY-MM-DD>", "nbac-boxscore: the game's date when nbac_schedule does not have the game")
    .option("--home <TRICODE>", "nbac-boxscore: the home team when nbac_schedule does not have the game")
    .option("--json", "print the summary as JSON");
  addWarehouseOption(command);
  command.addHelpText(
    "after",
    `\nFormats (--format auto recognises them from the payload's shape):\n${formats.join("\n")}\n` +
      "\nExamples:\n" +
      "  runner load ../shared/fixtures/nbac_schedule_2024-25.json\n" +
      "  runner load --format nbac-gamebook gamebooks/*.json\n" +
      "  runner load boxscore_0022400561.json          # date and home team from nbac_schedule\n" +
      "  runner load boxscore_0022400561.json --game-date 2025-01-15 --home PHI --json",
  );
  return command.action(async (files: string[], options: LoadCommandOptions) => {
    const engine = await openEngine(options);
    try {
      const summary = await loadFiles(engine, files, {
        format: options.format,
        processedAt: options.processedAt,
        gameDate: options.gameDate,
        home: options.home,
        // On a terminal the summary says it all; elsewhere (CI, Cloud Run) each file is logged too.
        log: new Logger({ command: "load" }, (entry) => {
          if (!io.interactive || entry.severity !== "INFO") io.stderr(JSON.stringify(entry));
        }),
      });
      io.stdout(options.json ? JSON.stringify(summaryJson(summary), null, 2) : summaryText(summary));
      setExit(ExitCode.success);
    } finally {
      await engine.close();
    }
  });
}
