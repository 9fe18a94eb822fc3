import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.ts";
import { detectFormat } from "./detect.ts";
import { boxscorePayload, fixturePath, readFixture } from "./test_support.ts";

describe("--format auto", () => {
  it("recognises each real payload", () => {
    expect(detectFormat(readFixture("bdl_box_scores_2024-01-15.json"))).toEqual({ format: "bdl-boxscores" });
    expect(detectFormat(readFixture("nbac_gamebook_20240410_MEMCLE.json"))).toEqual({ format: "nbac-gamebook" });
    expect(detectFormat(readFixture("nbac_gamebook_20211008_MILBKN.json"))).toEqual({ format: "nbac-gamebook" });
    expect(detectFormat(readFixture("nbac_schedule_2024-25.json"))).toEqual({ format: "nbac-schedule" });
    expect(detectFormat(readFixture("nbac_leaguegamelog_2025-03-15.json"))).toEqual({ format: "nbac-leaguegamelog" });
    expect(detectFormat(boxscorePayload())).toEqual({ format: "nbac-boxscore" });
    expect(detectFormat(readFixture("oddsa_game_lines_2024-01-24_ATLGSW.json"))).toEqual({ format: "odds-api-game-lines" });
    expect(detectFormat(readFixture("nbac_injury_report_2024-01-04_12PM.json"))).toEqual({ format: "nbac-injury-report" });
    expect(detectFormat(readFixture("espn_scoreboard_2024-01-15.json"))).toEqual({ format: "espn-scoreboard" });
    expect(detectFormat(parseCsv(fs.readFileSync(fixturePath("nba_static_travel_distances.csv"), "utf8")))).toEqual({ format: "travel-distances" });
    expect(detectFormat(readFixture("nbac_play_by_play_20250115_NYKPHI.json"))).toEqual({ format: "nbac-play-by-play" });
    expect(detectFormat(readFixture("nbac_play_by_play_20250106_LACMIN.json"))).toEqual({ format: "nbac-play-by-play" });
    expect(detectFormat(parseCsv(fs.readFileSync(fixturePath("bigdataball_pbp_20250622_INDOKC.csv"), "utf8")))).toEqual({ format: "bigdataball-pbp" });
    expect(detectFormat(readFixture("nbac_player_list_2025-26.json"))).toEqual({ format: "nbac-player-list" });
    expect(detectFormat(readFixture("espn_roster_api_BOS_2025-06-19.json"))).toEqual({ format: "espn-roster" });
  });

  it("tells player props from game lines by the snapshot's market keys", () => {
    type Snapshot = { data: { bookmakers: { markets: { key: string; outcomes: unknown[] }[] }[] } };
    const withMarkets = (...keys: string[]) => {
      const payload = readFixture("oddsa_game_lines_2024-01-24_ATLGSW.json") as Snapshot;
      for (const bookmaker of payload.data.bookmakers) bookmaker.markets = keys.map((key) => ({ key, outcomes: [] }));
      return payload;
    };
    expect(detectFormat(withMarkets("player_points"))).toEqual({ format: "odds-api-player-props" });
    expect(detectFormat(withMarkets("player_points", "player_assists"))).toEqual({ format: "odds-api-player-props" });
    expect(detectFormat(withMarkets("spreads", "h2h"))).toEqual({ format: "odds-api-game-lines" });
    // No market at all: game lines, as before there were two formats.
    expect(detectFormat(withMarkets())).toEqual({ format: "odds-api-game-lines" });
    // Both kinds: load the file once per format, each writes only its own markets.
    expect(detectFormat(withMarkets("totals", "player_points"))).toEqual({
      reason: "the payload fits several formats (odds-api-game-lines, odds-api-player-props); pass --format",
    });
  });

  it("names the columns of a CSV it does not know", () => {
    expect(detectFormat(parseCsv("game_id,date\n1,2\n"))).toEqual({ reason: expect.stringContaining("the payload is a CSV table with columns game_id, date") });
  });

  it("says what it saw when no format fits", () => {
    const detection = detectFormat({ events: [], meta: {} });
    expect(detection).toEqual({ reason: expect.stringMatching(/^cannot tell the format: the payload is an object with keys events, meta, which is none of bdl-boxscores: /) });
    expect(detectFormat([1, 2])).toEqual({ reason: expect.stringContaining("the payload is a JSON array") });
    expect(detectFormat({ resource: "scoreboardv2", resultSets: [{ name: "GameHeader" }] })).toEqual({ reason: expect.stringContaining("keys resource, resultSets") });
  });
});
