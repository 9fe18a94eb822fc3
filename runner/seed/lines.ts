/**
 * Game lines for the synthetic season, as The Odds API loader writes them (odds_api_game_lines):
 * spreads and totals of three bookmakers (DraftKings and FanDuel, which the models read in that
 * order, and BetMGM, which they ignore), in snapshots taken a day, three hours and a quarter of
 * an hour before tip-off, and for a game that was played one more taken 30 minutes after tip-off
 * with in-game lines far from the pre-game ones (a model must never pick it). The lines move a
 * little from snapshot to snapshot. Now and then one of DraftKings and FanDuel has no line for a
 * game, never both. Each game draws from its own stream, so a week seeded alone has the same lines.
 */
import type { RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import { Random } from "./random.ts";
import type { SeededGame } from "./rows.ts";

/** Minutes before tip-off of the pre-game snapshots, earliest first. */
const PRE_GAME_SNAPSHOTS = [1440, 180, 15];
/** The in-game snapshot of a played game: 30 minutes after tip-off. */
const IN_GAME_SNAPSHOT = -30;

const BOOKMAKERS = [
  { key: "draftkings", title: "DraftKings" },
  { key: "fanduel", title: "FanDuel" },
  { key: "betmgm", title: "BetMGM" },
] as const;

const team = (index: number): Team => TEAMS[index] as Team;
const fullName = (t: Team) => `${t.city === "LA" ? "Los Angeles" : t.city} ${t.nickname}`;
const half = (value: number) => Math.round(value * 2) / 2;

const EASTERN_CLOCK = new Intl.DateTimeFormat("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** The UTC instant of an Eastern wall-clock time (EST or EDT, whichever applies that day). */
export function easternToUtc(date: string, time: string): Date {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hours, minutes] = time.split(":").map(Number) as [number, number];
  for (const offset of [5, 4]) {
    const candidate = new Date(Date.UTC(year, month - 1, day, hours + offset, minutes));
    if (EASTERN_CLOCK.format(candidate) === time) return candidate;
  }
  throw new Error(`no Eastern time ${time} on ${date}`);
}

function hex(random: Random, digits: number): string {
  let text = "";
  while (text.length < digits) text += random.uint32().toString(16).padStart(8, "0");
  return text.slice(0, digits);
}

/** Decimal odds around -110 (1.91). */
function price(random: Random): number {
  return Math.round(random.between(1.83, 1.98) * 100) / 100;
}

/** The game's stream of game lines; its first draw is the Odds API event id. */
const gameLinesStream = (seed: number, nbaGameId: string) => Random.of(seed, "game_lines", nbaGameId);

/** The Odds API event id of a game, the same in its game lines and its player props. */
export function oddsEventId(seed: number, nbaGameId: string): string {
  return hex(gameLinesStream(seed, nbaGameId), 32);
}

export function gameLineRows(game: SeededGame, seed: number): RawRow[] {
  const random = gameLinesStream(seed, game.schedule.nbaGameId);
  const home = team(game.schedule.home);
  const away = team(game.schedule.away);
  const commence = easternToUtc(game.schedule.gameDate, game.schedule.tipoffEt);
  const eventId = hex(random, 32);
  // The home side's spread (negative: home favoured) and the total, before any movement.
  const baseSpread = half(random.normal(-2.5, 5.5));
  const baseTotal = half(random.normal(226, 7));
  const missing = random.chance(0.15) ? random.pick(["draftkings", "fanduel"]) : undefined;
  const books = BOOKMAKERS.filter((book) => book.key !== missing);
  const snapshots = [...PRE_GAME_SNAPSHOTS, ...(game.result ? [IN_GAME_SNAPSHOT] : [])];
  const times = snapshots.map((minutes) => new Date(commence.getTime() - minutes * 60_000));
  const offsets = new Map(books.map((book) => [book.key, { spread: half(random.between(-0.75, 0.75)), total: half(random.between(-1, 1)) }]));

  const rows: RawRow[] = [];
  let spreadDrift = 0;
  let totalDrift = 0;
  snapshots.forEach((minutes, index) => {
    const inGame = minutes < 0;
    if (!inGame && index > 0) {
      spreadDrift += random.pick([-0.5, 0, 0, 0.5]);
      totalDrift += random.pick([-1, -0.5, 0, 0.5, 1]);
    }
    // In-game lines follow the score, far from the pre-game ones.
    const liveShift = inGame ? { spread: random.pick([-9, -7, 6, 8]), total: random.pick([-14, -10, 11, 15]) } : { spread: 0, total: 0 };
    const snapshot = times[index] as Date;
    for (const book of books) {
      const offset = offsets.get(book.key) ?? { spread: 0, total: 0 };
      const spread = baseSpread + spreadDrift + offset.spread + liveShift.spread;
      const total = baseTotal + totalDrift + offset.total + liveShift.total;
      const updated = new Date(snapshot.getTime() - random.int(5, 240) * 1000).toISOString();
      const base = {
        snapshot_timestamp: snapshot.toISOString(),
        previous_snapshot_timestamp: index > 0 ? (times[index - 1] as Date).toISOString() : null,
        next_snapshot_timestamp: index + 1 < times.length ? (times[index + 1] as Date).toISOString() : null,
        game_id: eventId,
        commence_time: commence.toISOString(),
        game_date: game.schedule.gameDate,
        home_team: fullName(home),
        away_team: fullName(away),
        home_team_abbr: home.tricode,
        away_team_abbr: away.tricode,
        bookmaker_key: book.key,
        bookmaker_title: book.title,
        bookmaker_last_update: updated,
        market_last_update: updated,
        // Whole minutes to tip-off, rounded down as the loader does.
        minutes_before_tipoff: minutes,
        source_file_path: `seed://${seed}/odds_api_game_lines/${game.schedule.gameDate}/${game.schedule.nbaGameId}.json`,
        processed_at: new Date(snapshot.getTime() + 120_000).toISOString(),
      };
      rows.push(
        { ...base, market_key: "spreads", outcome_name: fullName(home), outcome_price: price(random), outcome_point: spread },
        { ...base, market_key: "spreads", outcome_name: fullName(away), outcome_price: price(random), outcome_point: spread === 0 ? 0 : -spread },
        { ...base, market_key: "totals", outcome_name: "Over", outcome_price: price(random), outcome_point: total },
        { ...base, market_key: "totals", outcome_name: "Under", outcome_price: price(random), outcome_point: total },
      );
    }
  });
  return rows;
}
