/**
 * The seeded player props against the seeded games and box scores: three weeks of which the last
 * days are not played yet.
 */
import { describe, expect, it } from "vitest";
import type { RawRow } from "../load/rows.ts";
import { generateSeason } from "./generate.ts";
import { expectEvery, groupBy } from "./test_support.ts";

const OPTIONS = { seasonYear: 2024, seed: 42, start: "2025-01-06", end: "2025-01-26", today: "2025-01-23" };
const season = generateSeason(OPTIONS);
const odds = season.rows.odds_api_player_points_props;
const bettingPros = season.rows.bettingpros_player_points_props;
const aliases = new Map(season.rows.player_aliases.filter((row) => row.is_active).map((row) => [String(row.alias_lookup), String(row.nba_canonical_lookup)]));
const canonical = (lookup: unknown) => aliases.get(String(lookup)) ?? String(lookup);



const matchup = (row: RawRow) => `${String(row.game_date)}|${String(row.away_team_abbr)}|${String(row.home_team_abbr)}`;
const played = season.rows.nbac_gamebook_player_stats.filter((row) => row.player_status === "active");
const isHalfPoint = (value: unknown) => typeof value === "number" && value > 0 && value % 1 === 0.5;

describe("seeded Odds API player points props", () => {
  const offers = groupBy(odds, (row) => `${matchup(row)}|${String(row.player_lookup)}|${String(row.bookmaker)}`);
  const finals = new Set(season.games.filter((game) => game.status === "final").map((game) => `${game.gameDate}|${game.away}|${game.home}`));

  it("gives a pre-tip line for every offer and an in-game snapshot, far from it, only for games played", () => {
    expect(offers.size).toBeGreaterThan(2000);
    let inGame = 0;
    expectEvery(offers, ([key, rows]) => {
      const preTip = rows.filter((row) => Number(row.minutes_before_tipoff) >= 0).sort((a, b) => String(a.snapshot_timestamp).localeCompare(String(b.snapshot_timestamp)));
      const live = rows.filter((row) => Number(row.minutes_before_tipoff) < 0);
      if (preTip.length === 0) return `${key}: no pre-tip line`;
      if (live.length > 0 !== finals.has(matchup(rows[0] as RawRow))) return `${key}: ${live.length} in-game rows`;
      inGame += live.length;
      const latest = preTip.at(-1) as RawRow;
      // The in-game snapshot is the latest of all: a model without the pre-tip filter picks it.
      for (const row of live) {
        if (Math.abs(Number(row.points_line) - Number(latest.points_line)) < 5 && Number(row.points_line) > 0.5) return `${key}: in-game line ${String(row.points_line)} near ${String(latest.points_line)}`;
        if (String(row.snapshot_timestamp) <= String(latest.snapshot_timestamp)) return `${key}: in-game snapshot not the latest`;
      }
      return rows.some((row) => !isHalfPoint(row.points_line)) && `${key}: lines ${rows.map((row) => row.points_line).join(", ")}`;
    });
    expect(inGame).toBeGreaterThan(500);
    // Lines move between snapshots now and then.
    const moved = [...offers.values()].filter((rows) => new Set(rows.filter((row) => Number(row.minutes_before_tipoff) >= 0).map((row) => row.points_line)).size > 1);
    expect(moved.length / offers.size).toBeGreaterThan(0.15);
  });

  it("counts minutes to tip-off from the timestamps, uses the game lines' event id and two or three bookmakers", () => {
    const eventIds = new Map(season.rows.odds_api_game_lines.map((row) => [matchup(row), row.game_id]));
    expectEvery(odds, (row) => {
      const minutes = Math.floor((Date.parse(String(row.commence_time)) - Date.parse(String(row.snapshot_timestamp))) / 60_000);
      if (minutes !== row.minutes_before_tipoff) return `${matchup(row)}: ${minutes} minutes, row says ${String(row.minutes_before_tipoff)}`;
      if (row.game_id !== eventIds.get(matchup(row))) return `${matchup(row)}: event id ${String(row.game_id)}`;
      return !["draftkings", "fanduel", "betmgm"].includes(String(row.bookmaker)) && `bookmaker ${String(row.bookmaker)}`;
    });
    const books = groupBy(odds, (row) => `${matchup(row)}|${String(row.player_lookup)}`);
    expectEvery(books, ([key, rows]) => {
      const count = new Set(rows.map((row) => row.bookmaker)).size;
      return (count < 2 || count > 3) && `${key}: ${count} bookmakers`;
    });
    // Without DraftKings now and then, so FanDuel's line is the one chosen.
    expect([...books.values()].some((rows) => !rows.some((row) => row.bookmaker === "draftkings"))).toBe(true);
  });

  it("covers most starters and rotation players of every date, never a player out for the night", () => {
    const offered = new Set(odds.map((row) => `${String(row.game_date)}|${canonical(row.player_lookup)}`));
    const byDate = groupBy(played, (row) => String(row.game_date));
    expectEvery(byDate, ([date, rows]) => {
      const share = rows.filter((row) => offered.has(`${date}|${String(row.player_lookup)}`)).length / rows.length;
      return (share < 0.35 || share > 0.7) && `${date}: ${Math.round(share * 100)} % of the players who played have props`;
    });
    const all = played.filter((row) => offered.has(`${String(row.game_date)}|${String(row.player_lookup)}`)).length / played.length;
    expect(all).toBeGreaterThan(0.4);
    expect(all).toBeLessThan(0.62);
    const out = season.rows.nbac_gamebook_player_stats.filter((row) => row.player_status === "inactive");
    expectEvery(out, (row) => offered.has(`${String(row.game_date)}|${String(row.player_lookup)}`) && `${String(row.player_lookup)} inactive on ${String(row.game_date)} has props`);
  });

  it("sets lines near each player's scoring", () => {
    const points = new Map<string, number[]>();
    for (const row of played) points.set(String(row.player_lookup), [...(points.get(String(row.player_lookup)) ?? []), Number(row.points)]);
    const gaps: number[] = [];
    for (const rows of groupBy(odds, (row) => canonical(row.player_lookup)).values()) {
      const scored = points.get(canonical(rows[0]?.player_lookup));
      if (!scored || scored.length < 5) continue;
      const mean = scored.reduce((a, b) => a + b, 0) / scored.length;
      const preTip = rows.filter((row) => Number(row.minutes_before_tipoff) >= 0);
      gaps.push(Math.abs(preTip.reduce((sum, row) => sum + Number(row.points_line), 0) / preTip.length - mean));
    }
    expect(gaps.length).toBeGreaterThan(150);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThan(3);
  });

  it("has props for games not played yet, without in-game snapshots", () => {
    const upcoming = season.games.filter((game) => game.status === "scheduled");
    expect(upcoming.length).toBeGreaterThan(10);
    for (const game of upcoming) {
      const rows = odds.filter((row) => matchup(row) === `${game.gameDate}|${game.away}|${game.home}`);
      expect(rows.length, game.gameId).toBeGreaterThan(20);
      expect(rows.every((row) => Number(row.minutes_before_tipoff) >= 0), game.gameId).toBe(true);
    }
    // The pre-game rows of a game do not depend on whether it has been played.
    const playedAll = generateSeason({ ...OPTIONS, start: "2025-01-24", today: "2025-01-26" });
    const preTip = (rows: RawRow[]) => rows.filter((row) => Number(row.minutes_before_tipoff) >= 0 && String(row.game_date) >= "2025-01-24");
    expect(preTip(playedAll.rows.odds_api_player_points_props)).toEqual(preTip(odds));
    expect(playedAll.rows.bettingpros_player_points_props).toEqual(bettingPros.filter((row) => String(row.game_date) >= "2025-01-24"));
  });

  it("prints one starter under the alias of player_aliases on every one of his nights, never under his own lookup", () => {
    const alias = season.rows.player_aliases.find((row) => row.is_active && odds.some((prop) => prop.player_lookup === row.alias_lookup));
    expect(alias).toBeDefined();
    const player = String(alias?.nba_canonical_lookup);
    expect(odds.some((row) => row.player_lookup === player)).toBe(false);
    const nights = played.filter((row) => row.player_lookup === player).map((row) => String(row.game_date));
    expect(nights.length).toBeGreaterThan(5);
    const aliased = new Set(odds.filter((row) => row.player_lookup === alias?.alias_lookup).map((row) => String(row.game_date)));
    for (const night of nights) expect(aliased.has(night), night).toBe(true);
    // BettingPros prints his registry name.
    expect(bettingPros.some((row) => row.player_lookup === player)).toBe(true);
  });
});

describe("seeded BettingPros player props", () => {
  const points = bettingPros.filter((row) => row.market_type === "points");

  it("writes points and rebounds offers, an over and an under per bookmaker, the best line of each side flagged", () => {
    expect(new Set(bettingPros.map((row) => row.market_type))).toEqual(new Set(["points", "rebounds"]));
    expect(new Set(points.map((row) => row.bookmaker))).toEqual(new Set(["DraftKings", "FanDuel", "BettingPros Consensus"]));
    const offers = groupBy(points.filter((row) => row.is_active), (row) => `${String(row.game_date)}|${String(row.player_lookup)}`);
    expectEvery(offers, ([key, rows]) => {
      for (const side of ["over", "under"]) {
        const sideRows = rows.filter((row) => row.bet_side === side);
        const books = sideRows.map((row) => String(row.bookmaker));
        if (new Set(books).size !== books.length || !books.includes("BettingPros Consensus")) return `${key} ${side}: ${books.join(", ")}`;
        const best = sideRows.filter((row) => row.is_best_line);
        const real = sideRows.filter((row) => row.bookmaker !== "BettingPros Consensus").map((row) => Number(row.points_line));
        const bestLine = side === "over" ? Math.min(...real) : Math.max(...real);
        if (real.length > 0 && (best.length !== 1 || best[0]?.points_line !== bestLine)) return `${key} ${side}: best ${JSON.stringify(best)}`;
      }
      return rows.some((row) => !isHalfPoint(row.points_line) || !isHalfPoint(row.opening_line)) && `${key}: lines`;
    });
    const pulled = points.filter((row) => !row.is_active);
    expect(pulled.length).toBeGreaterThan(20);
    expect(pulled.every((row) => !row.is_best_line)).toBe(true);
  });

  it("covers at least 20 players with points props on every date, for the players the Odds API covers and more", () => {
    const byDate = groupBy(points.filter((row) => row.is_active), (row) => String(row.game_date));
    for (const game of season.games) expect(new Set(byDate.get(game.gameDate)?.map((row) => row.player_lookup)).size, game.gameDate).toBeGreaterThanOrEqual(20);
    const oddsPlayers = new Set(odds.map((row) => `${String(row.game_date)}|${canonical(row.player_lookup)}`));
    const bettingProsPlayers = new Set(points.map((row) => `${String(row.game_date)}|${String(row.player_lookup)}`));
    expect([...bettingProsPlayers].filter((key) => !oddsPlayers.has(key)).length).toBeGreaterThan(100);
    expect([...oddsPlayers].filter((key) => bettingProsPlayers.has(key)).length / oddsPlayers.size).toBeGreaterThan(0.85);
    // player_team is the team the player plays for that night.
    const teams = new Map(season.rows.nbac_gamebook_player_stats.map((row) => [`${String(row.game_date)}|${String(row.player_lookup)}`, row.team_abbr]));
    expectEvery(points, (row) => {
      const team = teams.get(`${String(row.game_date)}|${String(row.player_lookup)}`);
      return team !== undefined && team !== row.player_team && `${String(row.player_lookup)} on ${String(row.game_date)}: ${String(row.player_team)}, plays for ${String(team)}`;
    });
  });
});
