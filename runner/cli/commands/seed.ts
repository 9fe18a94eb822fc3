/** `runner seed`: fill the raw tables with a deterministic synthetic season. */
import { Command } from "commander";
import { z } from "zod";
import { CalendarDateSchema, parseRunDates } from "../../dates.ts";
import type { Engine, StatementOptions } from "../../engines/engine.ts";
import { BadInputError, ExitCode } from "../../errors.ts";
import { seasonYear as seasonYearOf } from "../../load/rows.ts";
import { seasonCalendar } from "../../seed/calendar.ts";
import { DEFAULT_SEASON, DEFAULT_SEED, resolveRange, SEEDED_TABLES } from "../../seed/generate.ts";
import { RAW_TABLE_NAMES, type RawTableName } from "../../load/raw_tables.ts";
import { dryRunSeed, seedWarehouse, type SeedOptions, type SeedSummary } from "../../seed/seed.ts";
import {
  addDateOptions,
  addExamples,
  addIsolationOptions,
  addWarehouseOption,
  collectList,
  DateOptionsSchema,
  IsolationOptionsSchema,
  parseOptions,
  WarehouseOptionsSchema,
  wholeNumberFlag,
  type CliIO,
  type WarehouseOptions,
} from "../options.ts";
import { StepProgress } from "../progress.ts";

/** The options of `runner seed`: the source of their type, SeedCliOptions. */
const CliSchema = z.object({
  ...DateOptionsSchema.shape,
  ...WarehouseOptionsSchema.shape,
  // The raw tables are declarations: they follow --default-database, never a schema suffix.
  defaultDatabase: IsolationOptionsSchema.shape.defaultDatabase,
  scheduleOnly: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  season: wholeNumberFlag({ min: 1946, max: 2100, meaning: "the season's starting year, e.g. 2024" }).optional(),
  seed: wholeNumberFlag({ min: 0 }).optional(),
  today: CalendarDateSchema.optional(),
  missingBoxscores: wholeNumberFlag({ min: 0 }).optional(),
  missingGames: z
    .array(z.string().regex(/^(\d{10}|\d{8}_[A-Z]{3}_[A-Z]{3})$/, "game ids are NBA.com ids (0022400561) or system ids (20250115_LAL_PHI)"))
    .optional(),
  missingRate: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, "must be a fraction between 0 and 1, e.g. 0.05")
    .transform(Number)
    .optional(),
  tables: z
    .array(z.enum(RAW_TABLE_NAMES, { error: `must be one of ${RAW_TABLE_NAMES.join(", ")}` }))
    .optional(),
});

type SeedCliOptions = z.input<typeof CliSchema>;

/** Command-line options -> seed options, or a BadInputError naming each bad flag. */
export function seedOptionsFrom(options: SeedCliOptions): SeedOptions {
  const values = parseOptions(CliSchema, options, "seed");
  if (options.scheduleOnly && values.tables) {
    throw new BadInputError("conflicting_tables", "use either --schedule-only or --tables, not both");
  }
  const firstDate = options.date ?? options.startDate;
  const seasonYear = values.season ?? (firstDate && CalendarDateSchema.safeParse(firstDate).success ? seasonYearOf(firstDate) : DEFAULT_SEASON);
  const calendar = seasonCalendar(seasonYear);
  const dates = parseRunDates(options, { start: calendar.openingDay, end: calendar.finalDay });
  // Refuse a range outside the season before any warehouse is opened.
  resolveRange({ seasonYear, start: dates.start, end: dates.end });
  const tables: RawTableName[] | undefined = options.scheduleOnly ? ["nbac_schedule"] : values.tables;
  const missing =
    values.missingBoxscores !== undefined || values.missingGames || values.missingRate !== undefined
      ? { latest: values.missingBoxscores, games: values.missingGames, rate: values.missingRate }
      : undefined;
  return {
    seasonYear,
    seed: values.seed ?? DEFAULT_SEED,
    start: dates.start,
    end: dates.end,
    today: values.today,
    missing,
    tables,
  };
}

/** The engine, calling `onAction` with the context action of each statement before it runs. */
function observeStatements(engine: Engine, onAction: (action: string) => void): Engine {
  return new Proxy(engine, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "execute") {
        return (sql: string, options?: StatementOptions) => {
          if (options?.context?.action) onAction(options.context.action);
          return target.execute(sql, options);
        };
      }
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function seasonLabel(year: number): string {
  return `${year}-${String((year + 1) % 100).padStart(2, "0")}`;
}

export function summaryText(summary: SeedSummary): string {
  const range = summary.start === summary.end ? summary.start : `${summary.start}..${summary.end}`;
  const { games } = summary;
  const lines = [
    `${summary.dryRun ? "Dry run, nothing written: would seed" : "Seeded"} ${summary.dataset} for ${range} ` +
      `(season ${seasonLabel(summary.seasonYear)}, seed ${summary.seed}): ${games.total} games, ` +
      `${games.final} final (${games.overtime} in overtime)` +
      (games.scheduled > 0 ? `, ${games.scheduled} scheduled after ${summary.today}` : ""),
  ];
  const width = Math.max(...Object.keys(summary.rows).map((table) => table.length));
  for (const [table, count] of Object.entries(summary.rows)) {
    lines.push(`  ${table.padEnd(width)}  ${count.toLocaleString("en-US").padStart(7)} rows`);
  }
  if (games.missingBoxscores.length > 0) {
    const shown = games.missingBoxscores.slice(0, 10).join(", ");
    const more = games.missingBoxscores.length > 10 ? `, ... (${games.missingBoxscores.length - 10} more)` : "";
    lines.push(`  Final without box scores (${games.missingBoxscores.length}): ${shown}${more}`);
  }
  lines.push(`Generated in ${(summary.generationMs / 1000).toFixed(1)} s${summary.dryRun ? "" : `, written in ${(summary.writeMs / 1000).toFixed(1)} s`}.`);
  return lines.join("\n");
}

export function seedCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("seed")
    .summary("fill the raw tables with a deterministic synthetic season")
    .description(
      [
        "Writes a synthetic NBA regular season into the raw (Phase 2) tables of",
        "includes/raw_tables.js: the schedule (nbac_schedule, numeric NBA.com ids",
        "00224xxxxx), team box scores, NBA.com gamebooks (active, DNP and inactive",
        "players), NBA.com player box scores and balldontlie box scores. 30 real teams,",
        "18 players each, 82 games per team. Box scores add up: team = sum of its",
        "players, points = 2 FGM + 3PM + FTM, player minutes = 240:00 (265:00 per",
        "overtime); about 6 % of games go to overtime and none ends tied.",
        "",
        "With them: game lines and injury reports; play-by-play of every game with box",
        "scores, from BigDataBall for about a third of the games and NBA.com for the",
        "rest, whose shots, free throws, assists and blocks add up to the box score;",
        "Odds API and BettingPros player points props (pre-game snapshots, and an",
        "in-game one once played); ESPN rosters of every team on every date; and the",
        "player registry and aliases (nba_reference), of which one alias is the lookup",
        "the Odds API props print for one starter.",
        "",
        "The same --seed always gives the same rows, and a week seeded alone equals",
        "that week of a seeded season. The rows of the seeded dates are deleted from",
        "the tables written before the new ones are inserted, in one transaction: seeding",
        "a range again replaces it, never duplicates it. The registry and the aliases",
        "have no date: there the rows with the keys written are replaced, others stay.",
        "",
        "Games on or before --today are Final with box scores; later games are",
        "scheduled (status 1, no box scores). --missing-boxscores, --missing-games and",
        "--missing-rate (they combine) leave Final games without any box-score or",
        "play-by-play row, like late-arriving upstream data, for the readiness gates",
        "to catch.",
      ].join("\n"),
    )
    .option("--season <year>", `starting year of the season, 2024 = 2024-25 (default: the season of the first date, else ${DEFAULT_SEASON})`)
    .option("--seed <n>", `random seed; the same seed gives the same season (default ${DEFAULT_SEED})`)
    .option("--today <YYYY-MM-DD>", "games after this date are scheduled, not played (default: the last seeded date)")
    .option("--missing-boxscores <n>", "leave the n latest Final games of the range without box scores")
    .option("--missing-games <ids>", "leave these games without box scores: NBA.com or system ids, comma-separated or repeated", collectList)
    .option("--missing-rate <fraction>", "leave each Final game without box scores with this probability, e.g. 0.05")
    .option("--schedule-only", "write only nbac_schedule")
    .option("--tables <names>", `write only these raw tables (comma-separated): ${RAW_TABLE_NAMES.join(", ")}`, collectList)
    .option("--dry-run", "generate and count the rows, write nothing")
    .option("--json", "print the summary as JSON");
  addDateOptions(command);
  addWarehouseOption(command);
  addIsolationOptions(command, { schemaSuffix: false });
  command.addHelpText("after", "\nWithout dates the whole regular season is seeded (2024-25: 2024-10-22..2025-04-13).");
  addExamples(command, [
    "# the whole 2024-25 regular season, or one week of it with another seed",
    "runner seed",
    "runner seed --start-date 2025-01-13 --end-date 2025-01-19 --seed 7",
    "# 2025-01-15 with its two latest games still waiting for their box scores",
    "runner seed --date 2025-01-15 --missing-boxscores 2",
    "# named games without box scores (NBA.com or system ids of the seeded games)",
    "runner seed --date 2025-01-15 --missing-games 0022400628,20250115_ATL_MIA",
    "# about 5 % of the season's games without box scores, summary as JSON",
    "runner seed --missing-rate 0.05 --json",
    "# two weeks of which the second is not played yet",
    "runner seed --start-date 2025-01-13 --end-date 2025-01-26 --today 2025-01-19",
    "# the next season's schedule only; a dry run counts rows and writes nothing",
    "runner seed --season 2025 --schedule-only",
    "runner seed --dry-run",
  ]);
  return command.action(async (options: SeedCliOptions) => {
    // seedOptionsFrom parses the options with CliSchema: a bad flag is `--flag: reason`, exit 2.
    const seedOptions = seedOptionsFrom(options);
    let summary: SeedSummary;
    if (options.dryRun) {
      summary = dryRunSeed(seedOptions);
    } else {
      const engine = await openEngine(options);
      const tables = seedOptions.tables ?? SEEDED_TABLES;
      const progress = new StepProgress(io, tables.length, "writing");
      try {
        progress.phase(`generating ${seedOptions.start}..${seedOptions.end}`);
        // The seed names each table's statements "seed <table>": they mark the steps.
        summary = await seedWarehouse(
          observeStatements(engine, (action) => {
            if (action.startsWith("seed ")) progress.step(action.slice("seed ".length));
          }),
          seedOptions,
        );
      } finally {
        progress.finish();
        await engine.close();
      }
    }
    io.stdout(options.json ? JSON.stringify(summary, null, 2) : summaryText(summary));
    setExit(ExitCode.success);
  });
}
