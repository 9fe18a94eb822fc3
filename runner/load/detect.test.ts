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
