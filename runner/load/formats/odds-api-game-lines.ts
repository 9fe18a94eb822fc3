/**
 * The Odds API event odds (historical `events/{id}/odds` snapshots: `timestamp`, `data` with the
 * event and its `bookmakers[]`) → nba_raw.odds_api_game_lines: one row per snapshot, bookmaker,
 * market and outcome, for the spreads and totals markets. Teams are mapped from their full names
 * to NBA.com tricodes; the game date is the Eastern date of `commence_time`; and every row says
 * how many whole minutes before tip-off its snapshot was taken (negative: an in-game line), so
 * that the models can keep to pre-tip lines. `data` may also be an array of events (the
 * historical odds of a whole slate).
 */
import { z } from "zod";
import { ProblemList } from "../problems.ts";
import { easternDate, metaColumns, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { forEachMarket, oddsEnvelope } from "./odds-api.ts";

export const ODDS_API_GAME_LINES_TABLES = ["odds_api_game_lines"] as const;

/** The markets of game lines; others (h2h moneylines) are not written. */
const GAME_LINE_MARKETS = new Set(["spreads", "totals"]);

const Outcome = z.object({
  name: z.string().min(1),
  price: z.number(),
  point: z.number().nullish(),
});

const Payload = oddsEnvelope(Outcome);

function isEvent(value: unknown): boolean {
  return typeof value === "object" && value !== null && "bookmakers" in value && "commence_time" in value;
}

/** A historical odds snapshot: `timestamp` and `data`, an event (or events) with `bookmakers[]`. */
export function looksLikeOddsApiGameLines(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("timestamp" in payload) || !("data" in payload)) return false;
  const data: unknown = payload.data;
  return Array.isArray(data) ? data.length === 0 || isEvent(data[0]) : isEvent(data);
}

const iso = (value: string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

export interface OddsApiGameLines {
  rows: RowsByTable;
  /** What was read but not written. */
  notes: string[];
}

export function parseOddsApiGameLines(payload: unknown, meta: FileMeta): OddsApiGameLines {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return { rows: { odds_api_game_lines: [] }, notes: [] };
  const snapshot = new Date(parsed.timestamp);
  const rows: RawRow[] = [];
  let otherMarkets = 0;
  forEachMarket(parsed, problems, ({ event, home, away, bookmaker, market, minutesBefore, outcomeAt }) => {
    if (!GAME_LINE_MARKETS.has(market.key)) {
      otherMarkets += market.outcomes.length;
      return;
    }
    market.outcomes.forEach((outcome, outcomeIndex) => {
      if (outcome.point === null || outcome.point === undefined) {
        problems.add(outcomeAt(outcomeIndex, "point"), `a ${market.key} outcome needs a point`);
        return;
      }
      rows.push({
        snapshot_timestamp: snapshot.toISOString(),
        previous_snapshot_timestamp: iso(parsed.previous_timestamp),
        next_snapshot_timestamp: iso(parsed.next_timestamp),
        game_id: event.id,
        commence_time: new Date(event.commence_time).toISOString(),
        game_date: easternDate(event.commence_time),
        home_team: event.home_team,
        away_team: event.away_team,
        home_team_abbr: home.tricode,
        away_team_abbr: away.tricode,
        bookmaker_key: bookmaker.key.toLowerCase(),
        bookmaker_title: bookmaker.title ?? null,
        bookmaker_last_update: iso(bookmaker.last_update),
        market_key: market.key,
        market_last_update: iso(market.last_update),
        outcome_name: outcome.name,
        outcome_price: outcome.price,
        outcome_point: outcome.point,
        minutes_before_tipoff: minutesBefore,
        ...metaColumns(meta),
      });
    });
  });
  problems.throwIfAny();
  const notes = otherMarkets > 0 ? [`${otherMarkets} outcomes of markets other than spreads and totals not written`] : [];
  return { rows: { odds_api_game_lines: rows }, notes };
}
