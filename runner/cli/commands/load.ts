/** `runner load`: real upstream payload files into the raw tables of the local warehouse. */
import path from "node:path";
import { Command, Option } from "commander";
import { z } from "zod";
import type { Engine, StatementOptions } from "../../engines/engine.ts";
import { ExitCode } from "../../errors.ts";
import { Logger } from "../../log.ts";
import { FORMAT_NAMES, FORMATS, type FormatName } from "../../load/detect.ts";
import { loadFiles, summaryJson, summaryText } from "../../load/load.ts";
import { rawTableRef, rawTables, type RawTableName } from "../../load/raw_tables.ts";
import { addExamples, addIsolationOptions, addWarehouseOption, IsolationOptionsSchema, parseOptions, WarehouseOptionsSchema, wholeNumberFlag, type CliIO, type WarehouseOptions } from "../options.ts";
import { StepProgress } from "../progress.ts";

const LoadOptionsSchema = z.object({
  ...WarehouseOptionsSchema.shape,
  // The raw tables are declarations: they follow --default-database, never a schema suffix.
  defaultDatabase: IsolationOptionsSchema.shape.defaultDatabase,
  format: z.enum(["auto", ...FORMAT_NAMES] as [FormatName | "auto", ...(FormatName | "auto")[]]),
  processedAt: z.string().optional(),
  gameDate: z.string().optional(),
  home: z.string().optional(),
  rosterDate: z.string().optional(),
  scrapeHour: wholeNumberFlag({ min: 0, max: 23, meaning: "the Eastern hour the roster was fetched, e.g. 8" }).optional(),
  json: z.boolean().optional(),
});

/**
 * The engine, calling `onFile` with the file each write belongs to, before it runs. Every row a
 * load writes, and every DELETE that replaces a file's earlier rows, carries the file's absolute
 * path (`source_file_path`): the first write of a file is the start of its step.
 */
function observeFiles(engine: Engine, onFile: (sourceFilePath: string) => void): Engine {
  const seen = (value: unknown) => {
    if (typeof value === "string") onFile(value);
  };
  return new Proxy(engine, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "execute") {
        return (sql: string, options?: StatementOptions) => {
          seen(options?.params?.source_file_path?.value);
          return target.execute(sql, options);
        };
      }
      if (property === "insertRows") {
        return (...args: Parameters<Engine["insertRows"]>) => {
          seen(args[2][0]?.source_file_path);
          return target.insertRows(...args);
        };
      }
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

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
        "reference data: a load replaces the whole table nba_static.travel_distances.\n" +
        "Player rows (player index, gamebooks, box scores) also add the players, teams\n" +
        "and seasons not yet registered to nba_reference.nba_players_registry.",
    )
    .argument("<files...>", "payload files (JSON; CSV for the travel distances and BigDataBall)")
    .addOption(new Option("--format <format>", "payload format of every file").choices(["auto", ...FORMAT_NAMES]).default("auto"))
    .option("--processed-at <timestamp>", "processed_at of every row, ISO 8601 (default: now)")
    .option("--game-date <YYYY-MM-DD>", "nbac-boxscore, nbac-play-by-play: the game's date when nbac_schedule does not have the game")
    .option("--home <TRICODE>", "nbac-boxscore, nbac-play-by-play, bigdataball-pbp: the home team when nbac_schedule does not have the game")
    .option("--roster-date <YYYY-MM-DD>", "espn-roster: the snapshot's date when the file name does not give it")
    .option("--scrape-hour <H>", "espn-roster: the Eastern hour (0-23) the roster was fetched (the response does not say)")
    .option("--json", "print the summary as JSON");
  addWarehouseOption(command);
  addIsolationOptions(command, { schemaSuffix: false });
  command.addHelpText(
    "after",
    `\nFormats (--format auto recognises them from the payload's shape):\n${formats.join("\n")}`,
  );
  addExamples(command, [
    "runner load ../shared/fixtures/nbac_schedule_2024-25.json",
    "runner load --format nbac-gamebook gamebooks/*.json",
    "runner load ../shared/fixtures/oddsa_game_lines_2024-01-24_ATLGSW.json ../shared/fixtures/nbac_injury_report_2024-01-04_12PM.json",
    "runner load ../shared/fixtures/espn_scoreboard_2024-01-15.json ../shared/fixtures/nba_static_travel_distances.csv",
    "runner load ../shared/fixtures/nbac_player_list_2025-26.json    # also fills nba_reference.nba_players_registry",
    "runner load --scrape-hour 8 ../shared/fixtures/espn_roster_api_BOS_2025-06-19.json",
    "runner load boxscore_0022400561.json          # date and home team from nbac_schedule",
    "runner load boxscore_0022400561.json --game-date 2025-01-15 --home PHI --json",
  ]);
  return command.action(async (files: string[], raw: unknown) => {
    const options = parseOptions(LoadOptionsSchema, raw, "load");
    const engine = await openEngine(options);
    // Files by absolute path, as the load matches them (a file named twice is loaded once).
    const named = new Map(files.map((file) => [path.resolve(file), file] as const));
    const progress = new StepProgress(io, named.size, "writing");
    try {
      progress.phase(`reading and validating ${named.size} ${named.size === 1 ? "file" : "files"}`);
      const summary = await loadFiles(
        observeFiles(engine, (sourceFilePath) => {
          const file = named.get(sourceFilePath);
          if (file !== undefined) progress.step(file);
        }),
        files,
        {
          format: options.format,
          processedAt: options.processedAt,
          gameDate: options.gameDate,
          home: options.home,
          rosterDate: options.rosterDate,
          scrapeHour: options.scrapeHour,
          // On a terminal warnings as one line beside the progress (the summary says the rest);
          // elsewhere (CI, Cloud Run) every entry as JSON, each file loaded too.
          log: new Logger({ command: "load" }, progress.logSink()),
        },
      );
      progress.finish();
      io.stdout(options.json ? JSON.stringify(summaryJson(summary), null, 2) : summaryText(summary));
      setExit(ExitCode.success);
    } finally {
      progress.finish();
      await engine.close();
    }
  });
}
