/**
 * What every format produces: rows for the raw tables, keyed by column name exactly as
 * includes/raw_tables.js names them, plus the conventions all of them share (spec section 0):
 * the system game id, the season year, the load metadata.
 */
import { PROJECT_DIR } from "../compile/compile.ts";
import { isCalendarDate } from "../dates.ts";
import { projectConstants, todayIn } from "../project_constants.ts";
import { rawTables, type RawTableName } from "./raw_tables.ts";

export type RowValue = string | number | boolean | null;
export type RawRow = Record<string, RowValue>;
export type RowsByTable = Partial<Record<RawTableName, RawRow[]>>;

/** Stamped on every row of a file. */
export interface FileMeta {
  /** Absolute path of the loaded file (`source_file_path`): reloading it replaces its rows. */
  sourceFilePath: string;
  /** ISO 8601 UTC timestamp (`processed_at`). */
  processedAt: string;
}

/** The columns every raw table carries for the load itself. */
export function metaColumns(meta: FileMeta): RawRow {
  return { source_file_path: meta.sourceFilePath, processed_at: meta.processedAt };
}

/** The same columns, every one NULL: the stats of a player who did not play (DNP, inactive). */
export function nullColumns<K extends string>(columns: Record<K, unknown>): Record<K, null> {
  return Object.fromEntries(Object.keys(columns).map((name) => [name, null])) as Record<K, null>;
}

/** `season_year`: the starting year of the season; the season starts on 1 October. */
export function seasonYear(gameDate: string): number {
  const year = Number(gameDate.slice(0, 4));
  const month = Number(gameDate.slice(5, 7));
  return month >= 10 ? year : year - 1;
}

/** The system game id `YYYYMMDD_AWAY_HOME` from the ET game date and NBA.com tricodes. */
export function systemGameId(gameDate: string, awayTricode: string, homeTricode: string): string {
  return `${gameDate.replaceAll("-", "")}_${awayTricode}_${homeTricode}`;
}

function fitsType(type: string, value: RowValue): boolean {
  if (value === null) return true;
  switch (type) {
    case "STRING":
      return typeof value === "string";
    case "INT64":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "FLOAT64":
    case "NUMERIC":
      return typeof value === "number" && Number.isFinite(value);
    case "BOOL":
      return typeof value === "boolean";
    case "DATE":
      return typeof value === "string" && isCalendarDate(value);
    case "TIMESTAMP":
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    default:
      return typeof value === "string";
  }
}

/**
 * Checks rows against the table's columns in includes/raw_tables.js: every column present (null
 * when unknown), no other key, every value of the column's type. A mismatch is a loader bug or a
 * column renamed in raw_tables.js, so it is reported as such rather than as a payload problem.
 */
export function checkRowsAgainstSpec(table: RawTableName, rows: readonly RawRow[]): void {
  const columns = rawTables().specs[table].columns;
  const names = new Set(columns.map((column) => column.name));
  rows.forEach((row, index) => {
    const missing = columns.filter((column) => !(column.name in row)).map((column) => column.name);
    const unknown = Object.keys(row).filter((key) => !names.has(key));
    const mistyped = columns
      .filter((column) => column.name in row && !fitsType(column.type, row[column.name] ?? null))
      .map((column) => `${column.name} (${column.type}) = ${JSON.stringify(row[column.name])}`);
    if (missing.length + unknown.length + mistyped.length > 0) {
      const details = [
        missing.length ? `missing ${missing.join(", ")}` : "",
        unknown.length ? `not in includes/raw_tables.js: ${unknown.join(", ")}` : "",
        mistyped.length ? `wrong type: ${mistyped.join(", ")}` : "",
      ].filter(Boolean);
      throw new Error(`loader bug: row ${index} for ${table} does not match includes/raw_tables.js: ${details.join("; ")}`);
    }
  });
}

/** The Eastern-time calendar date (the schedule's timezone, includes/constants.js) of a UTC instant. */
export function easternDate(timestamp: string): string {
  return todayIn(projectConstants(PROJECT_DIR).SCHEDULE_TIMEZONE, new Date(timestamp));
}
