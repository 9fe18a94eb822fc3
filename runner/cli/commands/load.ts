/** `runner load`: real upstream payload files into the raw tables of the local warehouse. */
import { Command, Option } from "commander";
import { z } from "zod";
import type { Engine } from "../../engines/engine.ts";
import { ExitCode } from "../../errors.ts";
import { Logger } from "../../log.ts";
import { FORMAT_NAMES, FORMATS, type FormatName } from "../../load/detect.ts";
import { loadFiles, summaryJson, summaryText } from "../../load/load.ts";
import { rawTableRef, rawTables, type RawTableName } from "../../load/raw_tables.ts";
import { addWarehouseOption, parseOptions, WarehouseOptionsSchema, type CliIO, type WarehouseOptions } from "../options.ts";

const LoadOptionsSchema = z.object({
  ...WarehouseOptionsSchema.shape,
  format: z.enum(["auto", ...FORMAT_NAMES] as [FormatName | "auto", ...(FormatName | "auto")[]]),
  processedAt: z.string().optional(),
  gameDate: z.string().optional(),
  home: z.string().optional(),
  json: z.boolean().optional(),
});

export function loadCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const width = Math.max(...FORMAT_NAMES.map((name) => name.length)) + 1;
  const tableName = (table: RawTableName) => (rawTableRef(table).dataset === rawTables().dataset ? table : `${rawTableRef(table).dataset}.${table}`);
  const formats = FORMAT_NAMES.map(
    (name) => `  ${name.padEnd(width)} ${FORMATS[name].describe}\n${" ".repeat(width + 3)}-> ${FORMATS[name].tables.map(tableName).join(", ")}`,
  );
  const command = new Command("load")
    .summary("load upstream payload files (NBA.com, balldontlie, The Odds API, ESPN) into the raw tables")
    .description(
      "Maps real payloads of the upstream scrapers into the nba_raw tables of the local\n" +
        "warehouse (--warehouse). Every file is validated first, then all of them are\n" +
        "written in one transaction: a bad file is reported as `file: position: reason`\n" +
        "and nothing is written. Loading a file again replaces its earlier rows (matched\n" +
        "by its absolute path, source_file_path). The travel distances (a CSV file) are\n" +
        "reference data: a load replaces the whole table nba_static.travel_distances.",
    )
    .argument("<files...>", "payload files (JSON; CSV for the travel distances)")
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
      "  runner load ../shared/fixtures/oddsa_game_lines_2024-01-24_ATLGSW.json ../shared/fixtures/nbac_injury_report_2024-01-04_12PM.json\n" +
      "  runner load ../shared/fixtures/espn_scoreboard_2024-01-15.json ../shared/fixtures/nba_static_travel_distances.csv\n" +
      "  runner load boxscore_0022400561.json          # date and home team from nbac_schedule\n" +
      "  runner load boxscore_0022400561.json --game-date 2025-01-15 --home PHI --json",
  );
  return command.action(async (files: string[], raw: unknown) => {
    const options = parseOptions(LoadOptionsSchema, raw, "load");
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
