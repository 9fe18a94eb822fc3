/**
 * The Odds API event odds with player markets (the envelope of odds-api-game-lines: `timestamp`,
 * `data` with the event and its `bookmakers[]`, or an array of events) →
 * nba_raw.odds_api_player_points_props: one row per snapshot, bookmaker and player of the
 * `player_points` market. A line is two outcomes, `name` Over and Under, `description` the player,
 * `point` the line: they are merged onto one row (a player offered on one side only keeps the
 * other price NULL). Two different points for the same player, bookmaker and snapshot, or the same
 * side twice, is a payload problem: the row could not say which line was offered. Teams, game date
 * and minutes before tip-off are worked out as for the game lines.
 *
 * Which loader reads an odds snapshot is decided by its market keys (see `oddsMarketKeys`): player
 * markets (`player_*`) are props, the others game lines; each loader writes only its own markets
 * and counts the rest in a note.
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { formatPath, ProblemList, show } from "../problems.ts";
import { easternDate, metaColumns, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { forEachMarket, oddsEnvelope } from "./odds-api.ts";

export const ODDS_API_PLAYER_PROPS_TABLES = ["odds_api_player_points_props"] as const;

/** The market written; player_points_alternate and the other player markets are not. */
const POINTS_MARKET = "player_points";

/** Outcomes are validated only in the markets written: another market may have another shape. */
const Outcome = z.object({
  name: z.string().min(1),
  description: z.string().nullish(),
  price: z.number(),
  point: z.number().nullish(),
});

const Payload = oddsEnvelope(z.unknown());

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The market keys of an Odds API snapshot (`timestamp` and `data`, an event or events with
 * `bookmakers[]`), or undefined when the payload is not one. Auto-detection reads them: a snapshot
 * whose markets are all player markets is props, one without player markets is game lines, and
 * one with both fits both formats, so the loader asks for --format (load it once per format).
 */
export function oddsMarketKeys(payload: unknown): Set<string> | undefined {
  if (!isRecord(payload) || !("timestamp" in payload) || !("data" in payload)) return undefined;
  const events = Array.isArray(payload.data) ? payload.data : [payload.data];
  if (!events.every((event) => isRecord(event) && "bookmakers" in event && "commence_time" in event)) return undefined;
  const keys = new Set<string>();
  for (const event of events as Record<string, unknown>[]) {
    if (!Array.isArray(event.bookmakers)) continue;
    for (const bookmaker of event.bookmakers) {
      if (!isRecord(bookmaker) || !Array.isArray(bookmaker.markets)) continue;
      for (const market of bookmaker.markets) if (isRecord(market) && typeof market.key === "string") keys.add(market.key);
    }
  }
  return keys;
}

export const isPlayerMarket = (key: string): boolean => key.startsWith("player_");

/** An Odds API snapshot with at least one player market (player_points, player_rebounds...). */
export function looksLikeOddsApiPlayerProps(payload: unknown): boolean {
  const keys = oddsMarketKeys(payload);
  return keys !== undefined && [...keys].some(isPlayerMarket);
}

/** One side of a player's line as read, with where it was. */
interface Side {
  point: number;
  price: number;
  at: string;
}

/** A player's line at one bookmaker for one event, with the row columns known before its sides. */
interface PlayerLine {
  columns: RawRow;
  name: string;
  over?: Side;
  under?: Side;
}

export interface OddsApiPlayerProps {
  rows: RowsByTable;
  /** What was read but not written. */
  notes: string[];
}

export function parseOddsApiPlayerProps(payload: unknown, meta: FileMeta): OddsApiPlayerProps {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return { rows: { odds_api_player_points_props: [] }, notes: [] };
  const snapshot = new Date(parsed.timestamp);
  const lines = new Map<string, PlayerLine>();
  const rows: RawRow[] = [];
  const otherMarkets = new Map<string, number>();
  forEachMarket(parsed, problems, ({ event, home, away, bookmaker, market, minutesBefore, outcomeAt }) => {
    const bookmakerKey = bookmaker.key.toLowerCase();
    if (market.key !== POINTS_MARKET) {
      otherMarkets.set(market.key, (otherMarkets.get(market.key) ?? 0) + market.outcomes.length);
      return;
    }
    market.outcomes.forEach((raw, outcomeIndex) => {
      const position = outcomeAt(outcomeIndex);
      const outcome = problems.parse(Outcome, raw, position);
      if (!outcome) return;
      const side = outcome.name.trim().toLowerCase();
      if (side !== "over" && side !== "under") {
        problems.add([...position, "name"], `expected Over or Under, got ${show(outcome.name)}`);
        return;
      }
      const name = outcome.description?.trim() ?? "";
      const lookup = playerLookup(name);
      if (!lookup) {
        problems.add([...position, "description"], `expected the player's name, got ${show(outcome.description)}`);
        return;
      }
      if (outcome.point === null || outcome.point === undefined) {
        problems.add([...position, "point"], "a player_points outcome needs a point (the line)");
        return;
      }
      // The table's grain: snapshot x event x bookmaker x player, wherever in the payload the sides are.
      const key = `${event.id}\u0000${bookmakerKey}\u0000${lookup}`;
      const line: PlayerLine = lines.get(key) ?? {
        name,
        columns: {
          snapshot_timestamp: snapshot.toISOString(),
          game_id: event.id,
          commence_time: new Date(event.commence_time).toISOString(),
          game_date: easternDate(event.commence_time),
          home_team_abbr: home.tricode,
          away_team_abbr: away.tricode,
          bookmaker: bookmakerKey,
          bookmaker_last_update: bookmaker.last_update ? new Date(bookmaker.last_update).toISOString() : null,
          player_name: name,
          player_lookup: lookup,
          minutes_before_tipoff: minutesBefore,
        },
      };
      const same = side === "over" ? line.over : line.under;
      const other = side === "over" ? line.under : line.over;
      if (same) {
        problems.add(position, `a second ${outcome.name} for ${line.name} at ${bookmakerKey} (the first is at ${same.at})`);
        return;
      }
      if (other && other.point !== outcome.point) {
        problems.add([...position, "point"], `${line.name} has two lines at ${bookmakerKey}: ${other.point} at ${other.at} and ${outcome.point} here`);
        return;
      }
      line[side] = { point: outcome.point, price: outcome.price, at: formatPath(position) };
      lines.set(key, line);
    });
  });
  for (const line of lines.values()) {
    rows.push({
      ...line.columns,
      points_line: (line.over ?? line.under)?.point ?? null,
      over_price: line.over?.price ?? null,
      under_price: line.under?.price ?? null,
      ...metaColumns(meta),
    });
  }
  problems.throwIfAny();
  const others = [...otherMarkets.values()].reduce((sum, n) => sum + n, 0);
  const notes =
    otherMarkets.size > 0 ? [`${others} outcomes of markets other than ${POINTS_MARKET} not written (${[...otherMarkets.keys()].sort().join(", ")})`] : [];
  return { rows: { odds_api_player_points_props: rows }, notes };
}
