/**
 * `runner load`: real upstream payloads into the raw tables. Every file is read and validated
 * first, and every row checked against includes/raw_tables.js; only then is anything written, in
 * one transaction, so a bad file leaves the warehouse as it was. A file's earlier rows (same
 * `source_file_path`) are deleted before its rows are inserted, so reloading it replaces them.
 * Player rows then register their new players, teams and seasons in the same transaction
 * (registry.ts); the summary counts the registry rows added per file.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { isCalendarDate } from "../dates.ts";
import { param, type Engine, type QueryParams } from "../engines/engine.ts";
import { BadInputError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { toTricode } from "../nba/teams.ts";
import {
  boxscoreNamesFromRows,
  indexNamesFromRows,
  resolveBoxscoreGame,
  resolveDatedGame,
  ScheduleIndex,
  scheduledGamesFromRows,
  warehouseBoxscoreNames,
  warehouseIndexNames,
  warehouseScheduledGames,
  type BoxscoreGameOptions,
} from "./boxscore_games.ts";
import { detectFormat, FORMATS, type FormatName } from "./detect.ts";
import { parseBdlBoxscores } from "./formats/bdl-boxscores.ts";
import { nbacBoxscoreRows, readNbacBoxscore, type NbacBoxscore } from "./formats/nbac-boxscore.ts";
import { parseNbacGamebook } from "./formats/nbac-gamebook.ts";
import { parseNbacLeaguegamelog } from "./formats/nbac-leaguegamelog.ts";
import { parseNbacSchedule } from "./formats/nbac-schedule.ts";
import { parseOddsApiGameLines } from "./formats/odds-api-game-lines.ts";
import { parseNbacInjuryReport } from "./formats/nbac-injury-report.ts";
import { parseEspnScoreboard } from "./formats/espn-scoreboard.ts";
import { parseTravelDistances } from "./formats/travel-distances.ts";
import { nbacPlayByPlayRows, readNbacPlayByPlay, unresolvedNote, type NbacPlayByPlay } from "./formats/nbac-play-by-play.ts";
import { bigDataBallRows, readBigDataBallPbp, type BigDataBallGame } from "./formats/bigdataball-pbp.ts";
import { parseNbacPlayerList } from "./formats/nbac-player-list.ts";
import { parseOddsApiPlayerProps } from "./formats/odds-api-player-props.ts";
import { parseEspnRoster, type RosterSnapshotOptions } from "./formats/espn-roster.ts";
import { isRegistrySource, REGISTRY_TABLE, registryNotes, updateRegistry } from "./registry.ts";
import { parseCsv } from "./csv.ts";
import { PayloadProblems, type Problem } from "./problems.ts";
import { ensureRawTables, rawTableRef, rawTables, type RawTableName } from "./raw_tables.ts";
import { checkRowsAgainstSpec, type FileMeta, type RowsByTable } from "./rows.ts";

export interface LoadOptions {
  /** A format for every file, or "auto" (default) to recognise each file's format from its shape. */
  format?: FormatName | "auto" | undefined;
  /** `processed_at` of every row (ISO 8601); the load time by default. */
  processedAt?: string | undefined;
  /** nbac-boxscore, nbac-play-by-play: the game date when nbac_schedule does not have the game (bigdataball-pbp: must be the file's date). */
  gameDate?: string | undefined;
  /** nbac-boxscore and the play-by-play formats: the home team (NBA.com tricode) when nbac_schedule does not have the game. */
  home?: string | undefined;
  /** espn-roster: the snapshot's date when the file name does not give it. */
  rosterDate?: string | undefined;
  /** espn-roster: the snapshot's hour (0-23, Eastern; the CLI checks --scrape-hour); the roster response does not say it. */
  scrapeHour?: number | undefined;
  log?: Logger | undefined;
}

export interface TableLoad {
  table: RawTableName;
  /** Rows inserted. */
  rows: number;
  /** Rows of an earlier load of the same file that were deleted first (when the engine reports it). */
  replaced: number | null;
}

export interface FileLoad {
  /** The file as it was named. */
  file: string;
  /** Its absolute path, written to `source_file_path`. */
  sourceFilePath: string;
  format: FormatName;
  tables: TableLoad[];
  /** What was read but deliberately not written, and why. */
  notes: string[];
}

export interface LoadSummary {
  dataset: string;
  processedAt: string;
  files: FileLoad[];
}

/** At most this many problems are listed per file; the count of the rest follows. */
const PROBLEMS_SHOWN_PER_FILE = 20;

interface ParsedFile {
  file: string;
  meta: FileMeta;
  format: FormatName;
  rows: RowsByTable;
  notes: string[];
  /** nbac-boxscore files wait for their game's date and sides. */
  boxscore?: NbacBoxscore;
  /** nbac-play-by-play files wait for their game's date and sides, and for their players' names. */
  playByPlay?: NbacPlayByPlay;
  /** bigdataball-pbp files wait for their game's sides. */
  bigDataBall?: BigDataBallGame;
}

/** The formats whose game is placed with the schedule, and so take --game-date and --home. */
const SCHEDULED_FORMATS: readonly FormatName[] = ["nbac-boxscore", "nbac-play-by-play", "bigdataball-pbp"];

function processedAtOf(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  const millis = Date.parse(value);
  // The zone is required: without one the same text means different instants on different machines.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(millis)) {
    throw new BadInputError("invalid_processed_at", `--processed-at: "${value}" is not an ISO 8601 timestamp with a time zone`, {
      suggestion: "Give a date, a time and a zone, e.g. --processed-at 2025-01-16T09:00:00Z.",
    });
  }
  return new Date(millis).toISOString();
}

function checkOptions(options: LoadOptions): { gameDate: string | undefined; home: string | undefined } {
  if (options.gameDate !== undefined && !isCalendarDate(options.gameDate)) {
    throw new BadInputError("invalid_date", `--game-date: "${options.gameDate}" is not a calendar date`, {
      suggestion: "Dates are YYYY-MM-DD, e.g. --game-date 2025-01-15.",
    });
  }
  const home = options.home === undefined ? undefined : toTricode(options.home);
  if (options.home !== undefined && !home) {
    throw new BadInputError("invalid_team", `--home: "${options.home}" is not an NBA team code`, {
      suggestion: "Use the NBA.com tricode, e.g. --home PHI.",
    });
  }
  if ((options.gameDate !== undefined || home !== undefined) && options.format !== undefined && options.format !== "auto" && !SCHEDULED_FORMATS.includes(options.format)) {
    throw new BadInputError("option_not_applicable", `--game-date and --home apply to ${SCHEDULED_FORMATS.join(", ")} files only, not ${options.format}`);
  }
  return { gameDate: options.gameDate, home };
}

/** --roster-date, checked, and --scrape-hour (checked by the CLI); they apply to espn-roster files only. */
function checkRosterOptions(options: LoadOptions): RosterSnapshotOptions {
  if (options.rosterDate !== undefined && !isCalendarDate(options.rosterDate)) {
    throw new BadInputError("invalid_date", `--roster-date: "${options.rosterDate}" is not a calendar date`, {
      suggestion: "Dates are YYYY-MM-DD, e.g. --roster-date 2025-06-19.",
    });
  }
  if ((options.rosterDate !== undefined || options.scrapeHour !== undefined) && options.format !== undefined && options.format !== "auto" && options.format !== "espn-roster") {
    throw new BadInputError("option_not_applicable", `--roster-date and --scrape-hour apply to espn-roster files only, not ${options.format}`);
  }
  return { rosterDate: options.rosterDate, scrapeHour: options.scrapeHour };
}

/** A file's payload: JSON, or a CSV table (CsvTable) for a file named *.csv. */
async function readPayload(absolute: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PayloadProblems([{ path: "", reason: code === "ENOENT" ? "no such file" : `cannot read it: ${(error as Error).message}` }]);
  }
  if (absolute.toLowerCase().endsWith(".csv")) return parseCsv(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PayloadProblems([{ path: "", reason: `not valid JSON: ${(error as Error).message}` }]);
  }
}

function parseFile(file: string, meta: FileMeta, payload: unknown, requested: FormatName | "auto", roster: RosterSnapshotOptions): ParsedFile {
  let format: FormatName;
  if (requested === "auto") {
    const detection = detectFormat(payload);
    if ("reason" in detection) throw new PayloadProblems([{ path: "", reason: detection.reason }]);
    format = detection.format;
  } else {
    format = requested;
  }
  const parsed = { file, meta, format, notes: [] as string[] };
  switch (format) {
    case "bdl-boxscores":
      return { ...parsed, rows: parseBdlBoxscores(payload, meta) };
    case "nbac-gamebook":
      return { ...parsed, rows: parseNbacGamebook(payload, meta) };
    case "nbac-schedule":
      return { ...parsed, rows: parseNbacSchedule(payload, meta) };
    case "nbac-leaguegamelog":
      return { ...parsed, rows: parseNbacLeaguegamelog(payload, meta) };
    case "odds-api-game-lines": {
      const lines = parseOddsApiGameLines(payload, meta);
      return { ...parsed, rows: lines.rows, notes: lines.notes };
    }
    case "nbac-injury-report":
      return { ...parsed, rows: parseNbacInjuryReport(payload, meta) };
    case "espn-scoreboard":
      return { ...parsed, rows: parseEspnScoreboard(payload, meta) };
    case "travel-distances":
      return { ...parsed, rows: parseTravelDistances(payload, meta) };
    case "nbac-boxscore": {
      const boxscore = readNbacBoxscore(payload);
      const notes =
        boxscore.didNotPlay > 0
          ? [`${boxscore.didNotPlay} PlayerStats rows without minutes (did not play) not written: nbac_player_boxscores holds players who appeared`]
          : [];
      return { ...parsed, rows: {}, notes, boxscore };
    }
    case "nbac-play-by-play":
      return { ...parsed, rows: {}, playByPlay: readNbacPlayByPlay(payload) };
    case "bigdataball-pbp":
      return { ...parsed, rows: {}, bigDataBall: readBigDataBallPbp(payload) };
    case "nbac-player-list":
      return { ...parsed, rows: parseNbacPlayerList(payload, meta) };
    case "odds-api-player-props": {
      const props = parseOddsApiPlayerProps(payload, meta);
      return { ...parsed, rows: props.rows, notes: props.notes };
    }
    case "espn-roster":
      return { ...parsed, rows: parseEspnRoster(payload, meta, roster) };
  }
}

function problemLines(file: string, problems: Problem[]): string[] {
  const lines = problems.slice(0, PROBLEMS_SHOWN_PER_FILE).map((problem) => `${file}: ${problem.path ? `${problem.path}: ` : ""}${problem.reason}`);
  if (problems.length > PROBLEMS_SHOWN_PER_FILE) lines.push(`${file}: ... and ${problems.length - PROBLEMS_SHOWN_PER_FILE} more problems`);
  return lines;
}

/** Runs `step`, turning PayloadProblems into lines for `file`; other errors propagate. */
function collecting<T>(file: string, lines: string[], failed: Set<string>, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof PayloadProblems)) throw error;
    lines.push(...problemLines(file, error.problems));
    failed.add(file);
    return undefined;
  }
}

/**
 * Builds the rows of the files that wait for their game (boxscores, play-by-play): the date and
 * sides from the schedule (this call's schedule rows, then the warehouse) or the options; for the
 * NBA.com play-by-play also the full names of its person ids, from the game's box score (this
 * call's boxscore rows, then the warehouse), else the NBA.com player index (this call's, then the
 * warehouse's). Problems go to `lines`, like the parsers'.
 */
async function placeGames(
  engine: Engine,
  parsed: ParsedFile[],
  options: BoxscoreGameOptions,
  lines: string[],
  failed: Set<string>,
  log: Logger | undefined,
): Promise<void> {
  const waiting = parsed.filter((file) => file.boxscore ?? file.playByPlay ?? file.bigDataBall);
  if (waiting.length === 0) return;
  const schedule = new ScheduleIndex();
  for (const file of parsed) schedule.add(scheduledGamesFromRows(file.rows.nbac_schedule ?? []));
  const ids = [...new Set(waiting.map((file) => (file.boxscore ?? file.playByPlay ?? (file.bigDataBall as BigDataBallGame)).nbaGameId))];
  schedule.add(await warehouseScheduledGames(engine, ids, options.gameDate));

  for (const file of waiting) {
    const box = file.boxscore;
    if (!box) continue;
    const rows = collecting(file.file, lines, failed, () => nbacBoxscoreRows(box, resolveBoxscoreGame(box, schedule, options), file.meta));
    if (rows) file.rows = rows;
  }
  for (const file of waiting) {
    const game = file.bigDataBall;
    if (!game) continue;
    const rows = collecting(file.file, lines, failed, () =>
      bigDataBallRows(game, resolveDatedGame(game, game.fileDate, schedule, options, "the play-by-play"), file.meta),
    );
    if (rows) file.rows = rows;
  }

  const sameCallIndex = indexNamesFromRows(parsed.flatMap((file) => file.rows.nbac_player_list ?? []));
  const sameCallBoxscores = parsed.flatMap((file) => file.rows.nbac_player_boxscores ?? []);
  for (const file of waiting) {
    const pbp = file.playByPlay;
    if (!pbp) continue;
    const game = collecting(file.file, lines, failed, () => resolveBoxscoreGame(pbp, schedule, options, "the play-by-play"));
    if (!game) continue;
    // The first name found for a person wins: the game's box score, then the player index; the
    // warehouse is asked only for the persons still unnamed.
    const names = boxscoreNamesFromRows(sameCallBoxscores, pbp.nbaGameId);
    const unnamed = () => pbp.personIds.filter((id) => !names.has(id));
    const fill = (found: ReadonlyMap<number, string>) => {
      for (const id of unnamed()) if (found.has(id)) names.set(id, found.get(id) as string);
    };
    if (unnamed().length > 0) fill(await warehouseBoxscoreNames(engine, pbp.nbaGameId, game.gameDate));
    fill(sameCallIndex);
    if (unnamed().length > 0) fill(await warehouseIndexNames(engine, unnamed()));
    const built = collecting(file.file, lines, failed, () => nbacPlayByPlayRows(pbp, game, names, file.meta));
    if (!built) continue;
    file.rows = built.rows;
    const note = unresolvedNote(built.unresolved);
    if (note) {
      file.notes.push(note);
      log?.warn("play-by-play person ids without a name", {
        file: file.meta.sourceFilePath,
        nba_game_id: pbp.nbaGameId,
        actions: built.unresolved.actions,
        person_ids: built.unresolved.personIds,
      });
    }
  }
}

/**
 * Validates every file, then writes all of them in one transaction. Throws BadInputError listing
 * every problem (`file: position: reason`) when any file cannot be loaded; nothing is written then.
 */
export async function loadFiles(engine: Engine, files: readonly string[], options: LoadOptions = {}): Promise<LoadSummary> {
  if (files.length === 0) throw new BadInputError("no_files", "no file to load", { suggestion: "Name one or more payload files." });
  const processedAt = processedAtOf(options.processedAt);
  const boxscoreOptions = checkOptions(options);
  const rosterOptions = checkRosterOptions(options);
  const requested = options.format ?? "auto";

  // Read and validate everything before touching the warehouse.
  const lines: string[] = [];
  const failed = new Set<string>();
  const parsed: ParsedFile[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const absolute = path.resolve(file);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const meta: FileMeta = { sourceFilePath: absolute, processedAt };
    let payload: unknown;
    try {
      payload = await readPayload(absolute);
    } catch (error) {
      if (!(error instanceof PayloadProblems)) throw error;
      lines.push(...problemLines(file, error.problems));
      failed.add(file);
      continue;
    }
    const result = collecting(file, lines, failed, () => parseFile(file, meta, payload, requested, rosterOptions));
    if (result) parsed.push(result);
  }

  // Boxscores and play-by-play get their date and sides from the schedule: this call's schedule
  // files, then the warehouse; the NBA.com play-by-play also its players' names (placeGames).
  await placeGames(engine, parsed, boxscoreOptions, lines, failed, options.log);

  if (lines.length > 0) {
    throw new BadInputError(
      "invalid_payload",
      `${failed.size} of ${seen.size} files cannot be loaded; nothing was written:\n  ${lines.join("\n  ")}`,
      { suggestion: "Fix or leave out the files above and run the load again." },
    );
  }

  for (const file of parsed) {
    for (const table of FORMATS[file.format].tables) checkRowsAgainstSpec(table, file.rows[table] ?? []);
  }

  await ensureRawTables(engine);
  const { dataset, specs } = rawTables();

  const loaded = await engine.transaction(async () => {
    const results: FileLoad[] = [];
    for (const file of parsed) {
      const tableLoads: TableLoad[] = [];
      for (const table of FORMATS[file.format].tables) {
        const ref = rawTableRef(table);
        const rows = file.rows[table] ?? [];
        // A reference table is one snapshot: a load replaces all of it; else the file's earlier rows.
        const deleted =
          FORMATS[file.format].replaces === "table"
            ? await engine.execute(`DELETE FROM ${engine.qualify(ref)} WHERE TRUE`, { context: LOAD_CONTEXT })
            : await engine.execute(replaceFileStatement(engine.qualify(ref), specs[table].partitionBy), {
                params: replaceFileParams(file.meta.sourceFilePath, specs[table].partitionBy, rows),
                context: LOAD_CONTEXT,
              });
        await engine.insertRows(ref, specs[table].columns, rows, LOAD_CONTEXT);
        tableLoads.push({ table, rows: rows.length, replaced: deleted.rowsAffected ?? null });
      }
      // Player rows register their players (registry.ts): rows added, never replaced.
      const notes = [...file.notes];
      for (const table of FORMATS[file.format].tables) {
        if (!isRegistrySource(table)) continue;
        const upkeep = await updateRegistry(engine, table, file.rows[table] ?? [], file.meta);
        tableLoads.push({ table: REGISTRY_TABLE, rows: upkeep.added, replaced: 0 });
        notes.push(...registryNotes(upkeep));
      }
      results.push({ file: file.file, sourceFilePath: file.meta.sourceFilePath, format: file.format, tables: tableLoads, notes });
    }
    return results;
  });

  for (const file of loaded) {
    options.log?.info("loaded file", {
      file: file.sourceFilePath,
      format: file.format,
      rows: Object.fromEntries(file.tables.map((table) => [table.table, table.rows])),
    });
  }
  return { dataset, processedAt, files: loaded };
}

/** What the load's jobs are labelled with on BigQuery. */
const LOAD_CONTEXT = { action: "load" };

/**
 * The DELETE that clears a file's earlier rows before its rows are written again. On a table
 * partitioned by a date it names the partitions too (the dates of the file's rows): production's
 * raw tables require a filter on their partition column (spec 3.1), and it keeps the DELETE from
 * scanning the table's whole history. A file's rows on a date it no longer has are not removed
 * (a scraper's file does not change dates).
 */
export function replaceFileStatement(qualified: string, partitionBy: string | undefined): string {
  const partitions = partitionBy ? `${partitionBy} IN UNNEST(@partition_dates)\n  AND ` : "";
  return `DELETE FROM ${qualified}\nWHERE ${partitions}source_file_path = @source_file_path`;
}

export function replaceFileParams(sourceFilePath: string, partitionBy: string | undefined, rows: Record<string, unknown>[]): QueryParams {
  const params: QueryParams = { source_file_path: param.string(sourceFilePath) };
  if (!partitionBy) return params;
  const dates = new Set<string>();
  for (const row of rows) {
    const value = row[partitionBy];
    if (value instanceof Date) dates.add(value.toISOString().slice(0, 10));
    else if (typeof value === "string" && value) dates.add(value.slice(0, 10));
  }
  return { ...params, partition_dates: param.dates([...dates].sort()) };
}

/** The machine-readable summary (`--json`), in the snake_case of the runner's other JSON outputs. */
export function summaryJson(summary: LoadSummary) {
  return {
    dataset: summary.dataset,
    processed_at: summary.processedAt,
    files: summary.files.map((file) => ({
      file: file.file,
      source_file_path: file.sourceFilePath,
      format: file.format,
      tables: file.tables,
      notes: file.notes,
    })),
  };
}

/** The human summary: one line per file, one per table under it. */
export function summaryText(summary: LoadSummary): string {
  const total = summary.files.reduce((sum, file) => sum + file.tables.reduce((rows, table) => rows + table.rows, 0), 0);
  const lines = [`Loaded ${summary.files.length} file${summary.files.length === 1 ? "" : "s"} into ${summary.dataset} (${total} rows, processed_at ${summary.processedAt})`];
  // A table outside the raw dataset (nba_static.travel_distances) is named with its dataset.
  const nameOf = (table: RawTableName) => (rawTableRef(table).dataset === summary.dataset ? table : `${rawTableRef(table).dataset}.${table}`);
  const width = Math.max(...summary.files.flatMap((file) => file.tables.map((table) => nameOf(table.table).length)));
  for (const file of summary.files) {
    lines.push(`  ${file.file} (${file.format})`);
    for (const table of file.tables) {
      const replaced = table.replaced ? `, replaced ${table.replaced} from an earlier load` : "";
      const added = table.table === REGISTRY_TABLE ? " added" : "";
      lines.push(`    ${nameOf(table.table).padEnd(width)}  ${String(table.rows).padStart(5)} rows${added}${replaced}`);
    }
    for (const note of file.notes) lines.push(`    note: ${note}`);
  }
  return lines.join("\n");
}
