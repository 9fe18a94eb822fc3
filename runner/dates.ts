/**
 * Run dates: one date (`--date`) or a closed range (`--start-date`/`--end-date`), validated at the
 * edge (CLI, HTTP). A run date is a real calendar date; a range is ordered and bounded.
 */
import { z } from "zod";
import { BadInputError } from "./errors.ts";

/** The flags that set the run dates, as every message and help text names them. */
export const RUN_DATE_FLAGS = "--date or --start-date/--end-date";

/** The longest range one command accepts; a season is ~200 days, so this covers a full backfill. */
export const MAX_RANGE_DAYS = 400;

const DAY_MS = 86_400_000;

export const CalendarDateSchema = z.string().refine(isCalendarDate, {
  message: "must be a calendar date YYYY-MM-DD",
});

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export interface RunDates {
  start: string;
  end: string;
  /** Every date from start to end, in order. */
  dates: string[];
}

export interface RunDateOptions {
  date?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

function checkDate(flag: string, value: string): string {
  if (!isCalendarDate(value)) {
    throw new BadInputError(
      "invalid_date",
      `${flag}: "${value}" is not a calendar date`,
      { suggestion: "Dates are YYYY-MM-DD and must exist, e.g. --date 2025-01-15." },
    );
  }
  return value;
}

export function rangeOf(start: string, end: string): RunDates {
  const dates: string[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) dates.push(day);
  return { start, end, dates };
}

/**
 * Resolves `--date` or `--start-date/--end-date` into run dates. `fallback` is used when none is
 * given; without one, a missing date is an error.
 */
export function parseRunDates(options: RunDateOptions, fallback?: { start: string; end: string }): RunDates {
  const { date, startDate, endDate } = options;
  if (date !== undefined) {
    if (startDate !== undefined || endDate !== undefined) {
      throw new BadInputError("conflicting_dates", `use either ${RUN_DATE_FLAGS}, not both`);
    }
    const day = checkDate("--date", date);
    return rangeOf(day, day);
  }
  if (startDate === undefined && endDate === undefined) {
    if (fallback) return rangeOf(checkDate("start_date", fallback.start), checkDate("end_date", fallback.end));
    throw new BadInputError("missing_date", "no run date given", {
      suggestion: `Pass ${RUN_DATE_FLAGS} (YYYY-MM-DD; a range is inclusive).`,
    });
  }
  if (startDate === undefined || endDate === undefined) {
    throw new BadInputError("incomplete_range", "a range needs both --start-date and --end-date");
  }
  const start = checkDate("--start-date", startDate);
  const end = checkDate("--end-date", endDate);
  if (start > end) {
    throw new BadInputError("reversed_range", `--start-date ${start} is after --end-date ${end}`);
  }
  const days = daysBetween(start, end) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new BadInputError("range_too_long", `the range ${start}..${end} spans ${days} days; the limit is ${MAX_RANGE_DAYS}`, {
      suggestion: "Split the backfill into several commands.",
    });
  }
  return rangeOf(start, end);
}
