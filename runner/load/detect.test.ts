import { describe, expect, it } from "vitest";
import { detectFormat } from "./detect.ts";
import { boxscorePayload, readFixture } from "./test_support.ts";

describe("--format auto", () => {
  it("recognises each real payload", () => {
    expect(detectFormat(readFixture("bdl_box_scores_2024-01-15.json"))).toEqual({ format: "bdl-boxscores" });
    expect(detectFormat(readFixture("nbac_gamebook_20240410_MEMCLE.json"))).toEqual({ format: "nbac-gamebook" });
    expect(detectFormat(readFixture("nbac_gamebook_20211008_MILBKN.json"))).toEqual({ format: "nbac-gamebook" });
    expect(detectFormat(readFixture("nbac_schedule_2024-25.json"))).toEqual({ format: "nbac-schedule" });
    expect(detectFormat(readFixture("nbac_leaguegamelog_2025-03-15.json"))).toEqual({ format: "nbac-leaguegamelog" });
    expect(detectFormat(boxscorePayload())).toEqual({ format: "nbac-boxscore" });
  });

  it("says what it saw when no format fits", () => {
    const detection = detectFormat({ events: [], meta: {} });
    expect(detection).toEqual({ reason: expect.stringMatching(/^cannot tell the format: the payload is an object with keys events, meta, which is none of bdl-boxscores: /) });
    expect(detectFormat([1, 2])).toEqual({ reason: expect.stringContaining("the payload is a JSON array") });
    expect(detectFormat({ resource: "scoreboardv2", resultSets: [{ name: "GameHeader" }] })).toEqual({ reason: expect.stringContaining("keys resource, resultSets") });
  });
});
