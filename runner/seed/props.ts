/**
 * Player points props for the synthetic season, for games played or not yet played, as the
 * bookmakers post them before the game: for the players expected to play (dressed, by the
 * coach's order), most starters and some of the rotation, never the players out for the night.
 * Lines are x.5 points near the player's scoring level (his minutes times his usage).
 *
 * The Odds API (odds_api_player_points_props): two or three of DraftKings, FanDuel and BetMGM per
 * player (now and then without DraftKings, so the second choice is exercised), snapshots 10 hours,
 * 2 hours and 5 minutes before tip-off with the line moving a point now and then (a few players
 * are only posted from the 2-hour snapshot), and for a game that was played one more snapshot 45
 * minutes after tip-off with an in-game line far from the pre-game ones, which a model must never
 * pick. The event id is the game lines' one. One starter is printed under an alias (registry.ts).
 *
 * BettingPros (bettingpros_player_points_props): most of the same players and a few more, an
 * over and an under row per bookmaker (DraftKings, FanDuel, BettingPros Consensus) with the
 * opening and the current line; the best line of each side across bookmakers flagged; now and
 * then a pulled offer (is_active FALSE) updated last with a stale line; and DraftKings rebounds
 * props of half the same players (market_type 'rebounds'), which a points model must filter out.
 *
 * Each game draws from its own stream, and the in-game values are drawn whether the game was
 * played or not, so the pre-game rows of a game do not depend on --today.
 */
import type { RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import type { PlayerAvailability } from "./availability.ts";
import { easternToUtc, oddsEventId } from "./lines.ts";
import { Random } from "./random.ts";
import type { SeededAlias } from "./registry.ts";
import type { Player } from "./rosters.ts";
import type { SeededGame } from "./rows.ts";

/** Minutes before tip-off of the pre-game snapshots, earliest first. */
export const PROP_SNAPSHOTS = [600, 120, 5];
/** The in-game snapshot of a played game: 45 minutes after tip-off. */
export const IN_GAME_PROP_SNAPSHOT = -45;

/** Points per minute per unit of usage (fitted on a seeded season: 0.45). */
const POINTS_PER_USAGE_MINUTE = 0.45;
const REBOUNDS_PER_REBOUNDING_MINUTE = 0.146;

/** Chance that a dressed player has Odds API props, by his place in the night's rotation. */
const ODDS_COVERAGE = [0.88, 0.88, 0.88, 0.85, 0.85, 0.4, 0.4, 0.35];
/** BettingPros covers most of the same players and a few more of the bench. */
const BETTINGPROS_KEEPS = 0.92;
const BETTINGPROS_EXTRA = 0.3;

const ODDS_BOOKS = ["draftkings", "fanduel", "betmgm"] as const;
const BOOK_SETS: readonly (readonly (typeof ODDS_BOOKS)[number][])[] = [ODDS_BOOKS, ODDS_BOOKS, ["draftkings", "fanduel"], ["fanduel", "betmgm"], ["draftkings", "betmgm"]];
const BETTINGPROS_BOOKS = ["DraftKings", "FanDuel", "BettingPros Consensus"] as const;

const team = (index: number): Team => TEAMS[index] as Team;
/** x.5 at or above `floor`. */
const halfPoint = (value: number, floor: number) => Math.max(floor, Math.floor(value)) + 0.5;
/** The Odds API and BettingPros print names without diacritics. */
const plainName = (name: string) => name.normalize("NFD").replace(/\p{M}/gu, "");
const minutesBefore = (commence: Date, minutes: number) => new Date(commence.getTime() - minutes * 60_000);

function decimalPrice(random: Random): number {
  return Math.round(random.between(1.8, 2.0) * 100) / 100;
}

function americanOdds(random: Random): number {
  return random.pick([-125, -120, -115, -112, -110, -110, -108, -105, 100, 105]);
}

export function pointsLevel(player: Player): number {
  return POINTS_PER_USAGE_MINUTE * player.baseMinutes * player.tendencies.usage;
}

function reboundsLevel(player: Player): number {
  return REBOUNDS_PER_REBOUNDING_MINUTE * player.baseMinutes * player.tendencies.rebounding;
}

interface Offered {
  player: Player;
  side: Team;
  odds: boolean;
  bettingPros: boolean;
  line: number;
}

/** The players with props in the game, each with his base line. */
function offeredPlayers(random: Random, game: SeededGame, night: { away: PlayerAvailability[]; home: PlayerAvailability[] }, alias: SeededAlias | undefined): Offered[] {
  const offered: Offered[] = [];
  for (const [side, list] of [
    [team(game.schedule.away), night.away],
    [team(game.schedule.home), night.home],
  ] as const) {
    const dressed = list.filter((entry) => entry.availability.status === "available").map((entry) => entry.player);
    dressed.sort((a, b) => a.rotationRank - b.rotationRank);
    dressed.slice(0, 10).forEach((player, place) => {
      const oddsDraw = random.next();
      const keepDraw = random.next();
      const extraDraw = random.next();
      const line = halfPoint(pointsLevel(player) + random.normal(0, 1.3), 2);
      const odds = player === alias?.player || oddsDraw < (ODDS_COVERAGE[place] ?? 0);
      const bettingPros = odds ? keepDraw < BETTINGPROS_KEEPS : extraDraw < BETTINGPROS_EXTRA;
      if (odds || bettingPros) offered.push({ player, side, odds, bettingPros, line });
    });
  }
  return offered;
}

function oddsRows(random: Random, game: SeededGame, seed: number, offered: Offered[], alias: SeededAlias | undefined): RawRow[] {
  const commence = easternToUtc(game.schedule.gameDate, game.schedule.tipoffEt);
  const eventId = oddsEventId(seed, game.schedule.nbaGameId);
  const commenceTime = commence.toISOString();
  const home = team(game.schedule.home).tricode;
  const away = team(game.schedule.away).tricode;
  const file = `seed://${seed}/odds_api_player_points_props/${game.schedule.gameDate}/${game.schedule.nbaGameId}.json`;
  const rows: RawRow[] = [];
  for (const entry of offered) {
    const books = random.pick(BOOK_SETS);
    const lateStart = random.chance(0.15) ? 1 : 0;
    const drift = PROP_SNAPSHOTS.map((_, index) => (index === 0 ? 0 : random.pick([-1, 0, 0, 0, 1])));
    // In the game the line follows his points so far: far from the pre-game line.
    const live = random.pick([-9, -7, -6, 6, 7, 9]);
    const offsets = books.map(() => random.pick([-1, 0, 0, 0, 1]));
    if (!entry.odds) continue;
    const printed = entry.player === alias?.player ? { name: alias.aliasName, lookup: alias.aliasLookup } : { name: plainName(entry.player.name), lookup: entry.player.lookup };
    // The in-game rows are drawn for a game not played too, and dropped: the other rows stay the same.
    for (const minutes of [...PROP_SNAPSHOTS.slice(lateStart), IN_GAME_PROP_SNAPSHOT]) {
      const index = PROP_SNAPSHOTS.indexOf(minutes);
      const moved = index < 0 ? drift.reduce((a, b) => a + b, 0) + live : drift.slice(0, index + 1).reduce((a, b) => a + b, 0);
      const snapshot = minutesBefore(commence, minutes);
      const taken = snapshot.toISOString();
      const processed = new Date(snapshot.getTime() + 90_000).toISOString();
      books.forEach((bookmaker, b) => {
        // An object literal with every column in order: spreading shared columns in is much slower.
        const row: RawRow = {
          snapshot_timestamp: taken,
          game_id: eventId,
          commence_time: commenceTime,
          game_date: game.schedule.gameDate,
          home_team_abbr: home,
          away_team_abbr: away,
          bookmaker,
          bookmaker_last_update: new Date(snapshot.getTime() - random.int(10, 300) * 1000).toISOString(),
          player_name: printed.name,
          player_lookup: printed.lookup,
          points_line: Math.max(0.5, entry.line + (offsets[b] as number) + moved),
          over_price: decimalPrice(random),
          under_price: decimalPrice(random),
          minutes_before_tipoff: minutes,
          source_file_path: file,
          processed_at: processed,
        };
        if (minutes >= 0 || game.result) rows.push(row);
      });
    }
  }
  return rows;
}

function bettingProsRows(random: Random, game: SeededGame, seed: number, offered: Offered[]): RawRow[] {
  const commence = easternToUtc(game.schedule.gameDate, game.schedule.tipoffEt);
  const file = `seed://${seed}/bettingpros_player_points_props/${game.schedule.gameDate}/${game.schedule.nbaGameId}.json`;
  const rows: RawRow[] = [];
  for (const entry of offered) {
    const books = BETTINGPROS_BOOKS.filter((book) => book === "BettingPros Consensus" || random.chance(0.85));
    const movement = random.pick([-1, 0, 0, 0, 1]);
    const stale = random.chance(0.1);
    const withRebounds = random.chance(0.5);
    const reboundLine = halfPoint(reboundsLevel(entry.player) + random.normal(0, 0.8), 1);
    if (!entry.bettingPros) continue;
    const offer = (market: string, book: string, side: "over" | "under", line: number, opening: number, active: boolean, best: boolean, updated: Date): RawRow => ({
      game_date: game.schedule.gameDate,
      market_type: market,
      bet_side: side,
      player_name: plainName(entry.player.name),
      player_lookup: entry.player.lookup,
      player_team: entry.side.tricode,
      bookmaker: book,
      points_line: line,
      opening_line: opening,
      odds_american: americanOdds(random),
      is_active: active,
      is_best_line: best,
      bookmaker_last_update: updated.toISOString(),
      source_file_path: file,
      processed_at: new Date(updated.getTime() + 180_000).toISOString(),
    });
    const lines = books.map((book) => {
      const opening = Math.max(0.5, entry.line + random.pick([-1, 0, 0, 1]));
      return { book, opening, current: Math.max(0.5, opening + movement), updated: minutesBefore(commence, random.int(6, 240)) };
    });
    // The best over is the lowest line, the best under the highest, among the real bookmakers.
    const real = lines.filter((line) => line.book !== "BettingPros Consensus");
    const bestOver = real.reduce<(typeof lines)[number] | undefined>((best, line) => (!best || line.current < best.current ? line : best), undefined);
    const bestUnder = real.reduce<(typeof lines)[number] | undefined>((best, line) => (!best || line.current > best.current ? line : best), undefined);
    for (const line of lines) {
      rows.push(offer("points", line.book, "over", line.current, line.opening, true, line === bestOver, line.updated));
      rows.push(offer("points", line.book, "under", line.current, line.opening, true, line === bestUnder, line.updated));
    }
    if (stale && real[0]) {
      // A pulled offer, updated after the live ones, with a line nobody should use.
      const pulled = real[0];
      const updated = minutesBefore(commence, 2);
      for (const side of ["over", "under"] as const) rows.push(offer("points", pulled.book, side, pulled.current + 4, pulled.opening, false, false, updated));
    }
    if (withRebounds) {
      const updated = minutesBefore(commence, random.int(6, 240));
      for (const side of ["over", "under"] as const) rows.push(offer("rebounds", "DraftKings", side, reboundLine, reboundLine, true, true, updated));
    }
  }
  return rows;
}

export function playerPropRows(
  game: SeededGame,
  night: { away: PlayerAvailability[]; home: PlayerAvailability[] },
  seed: number,
  alias: SeededAlias | undefined,
): { odds: RawRow[]; bettingPros: RawRow[] } {
  const random = Random.of(seed, "player_props", game.schedule.nbaGameId);
  const offered = offeredPlayers(random, game, night, alias);
  const odds = oddsRows(random, game, seed, offered, alias);
  const bettingPros = bettingProsRows(random, game, seed, offered);
  return { odds, bettingPros };
}
