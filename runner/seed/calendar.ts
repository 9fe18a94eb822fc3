/**
 * The calendar of a synthetic regular season, following the NBA's pattern: opening night on the
 * Tuesday between 18 and 24 October, the last day on the Sunday between 8 and 14 April, no games
 * on Thanksgiving, Christmas Eve and the All-Star break (Friday to Tuesday around the third
 * Sunday of February), and the trade deadline on the Thursday ten days before the All-Star game.
 * For 2024 this gives 2024-10-22 .. 2025-04-13, like the real 2024-25 season.
 */
import { addDays } from "../dates.ts";

export interface SeasonCalendar {
  seasonYear: number;
  openingDay: string;
  finalDay: string;
  /** The first date after the deadline on which traded players appear with their new team. */
  tradeDeadline: string;
  /** Dates between opening and final day without any game. */
  offDays: ReadonlySet<string>;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function iso(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The first date from `from` (inclusive) that falls on `day` of the week. */
function nextWeekday(from: string, day: number): string {
  return addDays(from, (day - weekday(from) + 7) % 7);
}

/** The dates a season covers for season_year: 1 October .. 30 September. */
export function seasonWindow(seasonYear: number): { start: string; end: string } {
  return { start: iso(seasonYear, 10, 1), end: iso(seasonYear + 1, 9, 30) };
}

export function seasonCalendar(seasonYear: number): SeasonCalendar {
  const TUESDAY = 2;
  const THURSDAY = 4;
  const SUNDAY = 0;
  const openingDay = nextWeekday(iso(seasonYear, 10, 18), TUESDAY);
  const finalDay = nextWeekday(iso(seasonYear + 1, 4, 8), SUNDAY);
  const thanksgiving = addDays(nextWeekday(iso(seasonYear, 11, 1), THURSDAY), 21);
  const allStarGame = addDays(nextWeekday(iso(seasonYear + 1, 2, 1), SUNDAY), 14);
  const offDays = new Set([thanksgiving, iso(seasonYear, 12, 24)]);
  for (let offset = -2; offset <= 2; offset++) offDays.add(addDays(allStarGame, offset));
  return { seasonYear, openingDay, finalDay, tradeDeadline: addDays(allStarGame, -10), offDays };
}

/** The dates with games, in order. */
export function gameDays(calendar: SeasonCalendar): string[] {
  const days: string[] = [];
  for (let day = calendar.openingDay; day <= calendar.finalDay; day = addDays(day, 1)) {
    if (!calendar.offDays.has(day)) days.push(day);
  }
  return days;
}
