import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { metaFor, PROCESSED_AT, problemsOf } from "../test_support.ts";
import { looksLikeOddsApiPlayerProps, oddsMarketKeys, parseOddsApiPlayerProps } from "./odds-api-player-props.ts";

const FILE = "oddsa_player_props_2024-01-24_ATLGSW.json";

/**
 * No real props sample exists: a snapshot in the documented shape, modelled on the game-lines
 * fixture (same event, ATL at GSW, tip-off 2024-01-25T03:20:30Z), taken 2 h 20 min before tip-off.
 * DraftKings prices both sides of Curry and Young; FanDuel only Curry's Over, plus Young's
 * rebounds (another player market, not written).
 */
function propsPayload() {
  return {
    timestamp: "2024-01-25T01:00:30Z",
    previous_timestamp: "2024-01-25T00:55:30Z",
    next_timestamp: "2024-01-25T01:05:30Z",
    data: {
      id: "cd0bc7d0c238f4446ce1c03d0cea7ec4",
      sport_key: "basketball_nba",
      commence_time: "2024-01-25T03:20:30Z",
      home_team: "Golden State Warriors",
      away_team: "Atlanta Hawks",
      bookmakers: [
        {
          key: "draftkings",
          title: "DraftKings",
          last_update: "2024-01-25T00:59:12Z",
          markets: [
            {
              key: "player_points",
              last_update: "2024-01-25T00:59:12Z",
              outcomes: [
                { name: "Over", description: "Stephen Curry", price: 1.87, point: 27.5 },
                { name: "Under", description: "Stephen Curry", price: 1.95, point: 27.5 },
                { name: "Over", description: "Trae Young", price: 1.91, point: 26.5 },
                { name: "Under", description: "Trae Young", price: 1.91, point: 26.5 },
              ],
            },
          ],
        },
        {
          key: "FanDuel",
          title: "FanDuel",
          last_update: "2024-01-25T00:58:40Z",
          markets: [
            {
              key: "player_points",
              last_update: "2024-01-25T00:58:40Z",
              outcomes: [{ name: "Over", description: "Stephen Curry", price: 1.9, point: 28.5 }],
            },
            {
              key: "player_rebounds",
              last_update: "2024-01-25T00:58:40Z",
              outcomes: [
                { name: "Over", description: "Trae Young", price: 1.8, point: 2.5 },
                { name: "Under", description: "Trae Young", price: 2.0, point: 2.5 },
              ],
            },
          ],
        },
      ],
    },
  };
}

type Payload = ReturnType<typeof propsPayload>;

function parse(payload: unknown = propsPayload()): RawRow[] {
  return parseOddsApiPlayerProps(payload, metaFor(FILE)).rows.odds_api_player_points_props ?? [];
}

describe("odds-api-player-props", () => {
  it("writes one row per bookmaker and player, the Over and Under of a line merged", () => {
    const rows = parse();
    expect(() => checkRowsAgainstSpec("odds_api_player_points_props", rows)).not.toThrow();
    expect(rows.map((row) => [row.bookmaker, row.player_lookup, row.points_line, row.over_price, row.under_price])).toEqual([
      ["draftkings", "stephencurry", 27.5, 1.87, 1.95],
      ["draftkings", "traeyoung", 26.5, 1.91, 1.91],
      // One side only: the other price stays NULL.
      ["fanduel", "stephencurry", 28.5, 1.9, null],
    ]);
  });

  it("maps the event as the game lines do: tricodes, Eastern date, minutes before tip-off", () => {
    expect(parse()[0]).toEqual({
      snapshot_timestamp: "2024-01-25T01:00:30.000Z",
      game_id: "cd0bc7d0c238f4446ce1c03d0cea7ec4",
      commence_time: "2024-01-25T03:20:30.000Z",
      game_date: "2024-01-24",
      home_team_abbr: "GSW",
      away_team_abbr: "ATL",
      bookmaker: "draftkings",
      bookmaker_last_update: "2024-01-25T00:59:12.000Z",
      player_name: "Stephen Curry",
      player_lookup: "stephencurry",
      points_line: 27.5,
      over_price: 1.87,
      under_price: 1.95,
      minutes_before_tipoff: 140,
      source_file_path: metaFor(FILE).sourceFilePath,
      processed_at: PROCESSED_AT,
    });
    const late = propsPayload();
    late.timestamp = "2024-01-25T03:20:45Z";
    expect(parse(late)[0]?.minutes_before_tipoff).toBe(-1);
  });

  it("counts the outcomes of other markets in a note instead of writing them", () => {
    const payload = propsPayload();
    payload.data.bookmakers[0]?.markets.push({ key: "player_points_alternate", last_update: "2024-01-25T00:59:12Z", outcomes: [] });
    const parsed = parseOddsApiPlayerProps(payload, metaFor(FILE));
    expect(parsed.rows.odds_api_player_points_props).toHaveLength(3);
    expect(parsed.notes).toEqual(["2 outcomes of markets other than player_points not written (player_points_alternate, player_rebounds)"]);
  });

  it("reads a slate: data as an array of events", () => {
    const other = propsPayload().data;
    other.id = "a1b2c3";
    other.home_team = "Los Angeles Clippers";
    other.away_team = "Boston Celtics";
    const rows = parse({ ...propsPayload(), data: [propsPayload().data, other] });
    expect(rows).toHaveLength(6);
    expect(rows.at(-1)).toMatchObject({ game_id: "a1b2c3", home_team_abbr: "LAC", away_team_abbr: "BOS" });
  });

  it("refuses two different points for the same player, bookmaker and snapshot, and a side offered twice", () => {
    const twoLines = propsPayload() as Payload;
    (twoLines.data.bookmakers[0]?.markets[0]?.outcomes[1] as { point: number }).point = 28.5;
    expect(problemsOf(() => parse(twoLines))).toEqual([
      "data.bookmakers[0].markets[0].outcomes[1].point: Stephen Curry has two lines at draftkings: 27.5 at data.bookmakers[0].markets[0].outcomes[0] and 28.5 here",
    ]);
    const twice = propsPayload() as Payload;
    twice.data.bookmakers[1]?.markets[0]?.outcomes.push({ name: "Over", description: "Stephen Curry", price: 1.8, point: 28.5 });
    expect(problemsOf(() => parse(twice))).toEqual([
      "data.bookmakers[1].markets[0].outcomes[1]: a second Over for Stephen Curry at fanduel (the first is at data.bookmakers[1].markets[0].outcomes[0])",
    ]);
  });

  it("reports an outcome without a player, a side or a point at its position", () => {
    const payload = propsPayload() as Payload;
    const outcomes = payload.data.bookmakers[0]?.markets[0]?.outcomes as Record<string, unknown>[];
    delete outcomes[0]?.description;
    (outcomes[1] as { name: string }).name = "Yes";
    delete outcomes[2]?.point;
    payload.data.home_team = "Golden State";
    expect(problemsOf(() => parse(payload))).toEqual(['data.home_team: not an NBA team name: "Golden State"']);
    payload.data.home_team = "Golden State Warriors";
    expect(problemsOf(() => parse(payload))).toEqual([
      "data.bookmakers[0].markets[0].outcomes[0].description: expected the player's name, got nothing",
      'data.bookmakers[0].markets[0].outcomes[1].name: expected Over or Under, got "Yes"',
      "data.bookmakers[0].markets[0].outcomes[2].point: a player_points outcome needs a point (the line)",
    ]);
  });

  it("recognises a snapshot by its market keys", () => {
    expect(looksLikeOddsApiPlayerProps(propsPayload())).toBe(true);
    expect(oddsMarketKeys(propsPayload())).toEqual(new Set(["player_points", "player_rebounds"]));
    expect(oddsMarketKeys({ data: [] })).toBeUndefined();
    expect(looksLikeOddsApiPlayerProps({ timestamp: "x", data: [] })).toBe(false);
  });
});
