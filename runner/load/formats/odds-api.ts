/**
 * The Odds API historical event-odds envelope, shared by the game-lines and the player-props
 * loaders: `timestamp` (the snapshot), `data` with an event (or an array of events) and its
 * `bookmakers[]` with `markets[]`. What a market's outcomes look like is each loader's business.
 */
import { z } from "zod";
import { teamByFullName, type Team } from "../../nba/teams.ts";
import { show, type PathSegment, type ProblemList } from "../problems.ts";

export const timestamp = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), {
  error: (issue) => `expected a UTC timestamp like "2024-01-25T03:55:40Z", got ${show(issue.input)}`,
});

/** The envelope schema, with `outcome` the schema of one outcome of a market. */
export function oddsEnvelope<Outcome extends z.ZodType>(outcome: Outcome) {
  const Market = z.object({
    key: z.string().min(1),
    last_update: timestamp.nullish(),
    outcomes: z.array(outcome),
  });
  const Bookmaker = z.object({
    key: z.string().min(1),
    title: z.string().nullish(),
    last_update: timestamp.nullish(),
    markets: z.array(Market),
  });
  const Event = z.object({
    id: z.string().min(1),
    commence_time: timestamp,
    home_team: z.string().min(1),
    away_team: z.string().min(1),
    bookmakers: z.array(Bookmaker),
  });
  return z.object({
    timestamp,
    previous_timestamp: timestamp.nullish(),
    next_timestamp: timestamp.nullish(),
    data: z.union([Event, z.array(Event)]),
  });
}

/** The two teams of an event from their full names, or undefined with a problem per unknown name. */
function eventTeams(
  event: { home_team: string; away_team: string },
  at: (...segments: PathSegment[]) => PathSegment[],
  problems: ProblemList,
): { home: Team; away: Team } | undefined {
  const home = teamByFullName(event.home_team);
  const away = teamByFullName(event.away_team);
  if (!home) problems.add(at("home_team"), `not an NBA team name: ${show(event.home_team)}`);
  if (!away) problems.add(at("away_team"), `not an NBA team name: ${show(event.away_team)}`);
  return home && away ? { home, away } : undefined;
}

/**
 * Whole minutes from the snapshot to tip-off, rounded down: a snapshot taken a few seconds after
 * tip-off is in-game (-1), never 0.
 */
export function minutesBeforeTipoff(commenceTime: string, snapshot: string): number {
  return Math.floor((new Date(commenceTime).getTime() - new Date(snapshot).getTime()) / 60_000);
}

interface EnvelopeMarket<Outcome> {
  key: string;
  last_update?: string | null | undefined;
  outcomes: Outcome[];
}

interface EnvelopeEvent<Outcome> {
  id: string;
  commence_time: string;
  home_team: string;
  away_team: string;
  bookmakers: { key: string; title?: string | null | undefined; last_update?: string | null | undefined; markets: EnvelopeMarket<Outcome>[] }[];
}

/** One market of one bookmaker of one event of a snapshot, with what every row of it shares. */
export interface SnapshotMarket<Outcome> {
  event: EnvelopeEvent<Outcome>;
  home: Team;
  away: Team;
  bookmaker: EnvelopeEvent<Outcome>["bookmakers"][number];
  market: EnvelopeMarket<Outcome>;
  /** Whole minutes from the snapshot to tip-off (negative: in-game). */
  minutesBefore: number;
  /** The payload path of an outcome of this market, for problems. */
  outcomeAt: (outcomeIndex: number, ...segments: PathSegment[]) => PathSegment[];
}

/**
 * Every market of a snapshot, event by event and bookmaker by bookmaker; an event whose team names
 * are unknown is reported (a problem per name) and skipped.
 */
export function forEachMarket<Outcome>(
  parsed: { timestamp: string; data: EnvelopeEvent<Outcome> | EnvelopeEvent<Outcome>[] },
  problems: ProblemList,
  visit: (market: SnapshotMarket<Outcome>) => void,
): void {
  const events = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  events.forEach((event, eventIndex) => {
    const at = (...segments: PathSegment[]) => (Array.isArray(parsed.data) ? ["data", eventIndex, ...segments] : ["data", ...segments]);
    const teams = eventTeams(event, at, problems);
    if (!teams) return;
    const minutesBefore = minutesBeforeTipoff(event.commence_time, parsed.timestamp);
    event.bookmakers.forEach((bookmaker, bookmakerIndex) => {
      bookmaker.markets.forEach((market, marketIndex) => {
        const outcomeAt = (outcomeIndex: number, ...segments: PathSegment[]) => at("bookmakers", bookmakerIndex, "markets", marketIndex, "outcomes", outcomeIndex, ...segments);
        visit({ event, ...teams, bookmaker, market, minutesBefore, outcomeAt });
      });
    });
  });
}
