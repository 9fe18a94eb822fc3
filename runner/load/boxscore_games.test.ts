import { describe, expect, it } from "vitest";
import { resolveBoxscoreGame, ScheduleIndex, scheduledGamesFromRows } from "./boxscore_games.ts";
import { readNbacBoxscore } from "./formats/nbac-boxscore.ts";
import { parseNbacSchedule } from "./formats/nbac-schedule.ts";
import { boxscorePayload, metaFor, problemsOf, readFixture } from "./test_support.ts";

const SCHEDULE = "nbac_schedule_2024-25.json";
const box = readNbacBoxscore(boxscorePayload());

function seasonSchedule(): ScheduleIndex {
  const index = new ScheduleIndex();
  index.add(scheduledGamesFromRows(parseNbacSchedule(readFixture(SCHEDULE), metaFor(SCHEDULE)).nbac_schedule ?? []));
  return index;
}

describe("the date and sides of a boxscore's game", () => {
  it("come from nbac_schedule by NBA.com game id", () => {
    expect(resolveBoxscoreGame(box, seasonSchedule(), {})).toEqual({
      nbaGameId: "0022400561",
      gameDate: "2025-01-15",
      homeTricode: "PHI",
      awayTricode: "NYK",
    });
  });

  it("must agree with --game-date and --home when the schedule has the game", () => {
    expect(problemsOf(() => resolveBoxscoreGame(box, seasonSchedule(), { gameDate: "2025-01-16" }))).toEqual([
      "nbac_schedule has game 0022400561 on 2025-01-15, not on --game-date 2025-01-16",
    ]);
    expect(problemsOf(() => resolveBoxscoreGame(box, seasonSchedule(), { home: "NYK" }))).toEqual([
      "nbac_schedule has PHI at home in game 0022400561, not --home NYK",
    ]);
  });

  it("come from the schedule's game between the two teams on --game-date when the id is unknown", () => {
    const other = new ScheduleIndex();
    other.add([{ nbaGameId: "0099999999", gameDate: "2025-01-15", homeTricode: "PHI", awayTricode: "NYK" }]);
    expect(resolveBoxscoreGame(box, other, { gameDate: "2025-01-15" })).toEqual({ gameDate: "2025-01-15", homeTricode: "PHI", awayTricode: "NYK" });
  });

  it("come from --game-date and --home without a schedule", () => {
    expect(resolveBoxscoreGame(box, new ScheduleIndex(), { gameDate: "2025-01-15", home: "NYK" })).toEqual({
      gameDate: "2025-01-15",
      homeTricode: "NYK",
      awayTricode: "PHI",
    });
    expect(problemsOf(() => resolveBoxscoreGame(box, new ScheduleIndex(), { gameDate: "2025-01-15", home: "BOS" }))).toEqual([
      "--home BOS is neither team of game 0022400561 (PHI, NYK)",
    ]);
  });

  it("are refused, with what to do, when nothing says them", () => {
    expect(problemsOf(() => resolveBoxscoreGame(box, new ScheduleIndex(), {}))).toEqual([
      "the boxscore of game 0022400561 (PHI, NYK) carries no date and nbac_schedule has no row for it: " +
        "load the season schedule first (it may be loaded in the same call), or pass --game-date YYYY-MM-DD",
    ]);
    expect(problemsOf(() => resolveBoxscoreGame(box, new ScheduleIndex(), { gameDate: "2025-01-15" }))).toEqual([
      "nbac_schedule has no game between PHI and NYK on 2025-01-15, so the home team is unknown: pass --home TRICODE",
    ]);
  });
});
