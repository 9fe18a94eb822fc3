import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeOddsApiGameLines, parseOddsApiGameLines } from "./odds-api-game-lines.ts";

const FILE = "oddsa_game_lines_2024-01-24_ATLGSW.json";

function parse(payload: unknown): RawRow[] {
  return parseOddsApiGameLines(payload, metaFor(FILE)).rows.odds_api_game_lines ?? [];
}

describe("odds-api-game-lines", () => {
  it("flattens the real ATL at GSW snapshot into 8 outcome rows: 2 bookmakers x (2 spreads + 2 totals)", () => {
    const rows = parse(readFixture(FILE));
    expect(rows).toHaveLength(8);
    expect(() => checkRowsAgainstSpec("odds_api_game_lines", rows)).not.toThrow();
    const lines = rows.map((row) => [row.bookmaker_key, row.market_key, row.outcome_name, row.outcome_point]);
    expect(lines).toEqual([
      ["draftkings", "spreads", "Atlanta Hawks", 6.5],
      ["draftkings", "spreads", "Golden State Warriors", -6.5],
      ["draftkings", "totals", "Over", 248.5],
      ["draftkings", "totals", "Under", 248.5],
      ["fanduel", "spreads", "Atlanta Hawks", 7.5],
      ["fanduel", "spreads", "Golden State Warriors", -7.5],
      ["fanduel", "totals", "Over", 247.5],
      ["fanduel", "totals", "Under", 247.5],
    ]);
  });

  it("maps the full team names to tricodes, dates the game in Eastern time and marks the snapshot in-game", () => {
    const [first] = parse(readFixture(FILE));
    expect(first).toEqual({
      snapshot_timestamp: "2024-01-25T03:55:40.000Z",
      previous_snapshot_timestamp: "2024-01-25T03:50:38.000Z",
      next_snapshot_timestamp: "2024-01-25T04:00:38.000Z",
      game_id: "cd0bc7d0c238f4446ce1c03d0cea7ec4",
      commence_time: "2024-01-25T03:20:30.000Z",
      // 03:20:30 UTC is 22:20:30 on the 24th in New York.
      game_date: "2024-01-24",
      home_team: "Golden State Warriors",
      away_team: "Atlanta Hawks",
      home_team_abbr: "GSW",
      away_team_abbr: "ATL",
      bookmaker_key: "draftkings",
      bookmaker_title: "DraftKings",
      bookmaker_last_update: "2024-01-25T03:55:22.000Z",
      market_key: "spreads",
      market_last_update: "2024-01-25T03:55:22.000Z",
      outcome_name: "Atlanta Hawks",
      outcome_price: 1.91,
      outcome_point: 6.5,
      // The snapshot is 35 min 10 s after tip-off: -35.17 minutes, rounded down to -36 (in-game).
      minutes_before_tipoff: -36,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("counts minutes before tip-off rounded down, so a snapshot seconds after tip-off is in-game", () => {
    const payload = readFixture(FILE) as { timestamp: string };
    payload.timestamp = "2024-01-25T02:20:30Z";
    expect(parse(payload)[0]?.minutes_before_tipoff).toBe(60);
    payload.timestamp = "2024-01-25T03:20:30Z";
    expect(parse(payload)[0]?.minutes_before_tipoff).toBe(0);
    payload.timestamp = "2024-01-25T03:20:45Z";
    expect(parse(payload)[0]?.minutes_before_tipoff).toBe(-1);
  });

  it("reads a slate (data as an array of events) and leaves other markets out, saying so", () => {
    const payload = readFixture(FILE) as { data: { bookmakers: { markets: unknown[] }[] } };
    payload.data.bookmakers[0]?.markets.push({ key: "h2h", outcomes: [{ name: "Atlanta Hawks", price: 3.4 }, { name: "Golden State Warriors", price: 1.33 }] });
    const parsed = parseOddsApiGameLines({ ...payload, data: [payload.data, payload.data] }, metaFor(FILE));
    expect(parsed.rows.odds_api_game_lines).toHaveLength(16);
    expect(parsed.notes).toEqual(["4 outcomes of markets other than spreads and totals not written"]);
  });

  it("reports a team it cannot map and a line without a point, at their position", () => {
    const payload = readFixture(FILE) as { data: { home_team: string; bookmakers: { markets: { outcomes: { point?: number }[] }[] }[] } };
    payload.data.home_team = "Golden State";
    expect(problemsOf(() => parse(payload))).toEqual(['data.home_team: not an NBA team name: "Golden State"']);
    const noPoint = readFixture(FILE) as typeof payload;
    delete noPoint.data.bookmakers[1]?.markets[1]?.outcomes[0]?.point;
    expect(problemsOf(() => parse(noPoint))).toEqual(["data.bookmakers[1].markets[1].outcomes[0].point: a totals outcome needs a point"]);
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeOddsApiGameLines(readFixture(FILE))).toBe(true);
    expect(looksLikeOddsApiGameLines({ timestamp: "x", data: [] })).toBe(true);
    expect(looksLikeOddsApiGameLines({ data: [] })).toBe(false);
  });
});
