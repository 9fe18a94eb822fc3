/** Test support: the real upstream samples in ../shared/fixtures/, read in place (never copied). */
import fs from "node:fs";
import path from "node:path";
import { PayloadProblems } from "./problems.ts";
import type { FileMeta } from "./rows.ts";

import { FIXTURES as FIXTURES_DIR } from "../../tests/fixtures_dir.ts";

export { FIXTURES_DIR };

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** A fresh parsed copy of a fixture, safe to modify in a test. */
export function readFixture(name: string): unknown {
  return JSON.parse(fs.readFileSync(fixturePath(name), "utf8")) as unknown;
}

export const PROCESSED_AT = "2025-01-16T09:00:00.000Z";

export function metaFor(name: string): FileMeta {
  return { sourceFilePath: fixturePath(name), processedAt: PROCESSED_AT };
}

/** The `path: reason` lines a parser reports, or [] when it accepts the payload. */
export function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
    return [];
  } catch (error) {
    if (error instanceof PayloadProblems) return error.problems.map((problem) => (problem.path ? `${problem.path}: ${problem.reason}` : problem.reason));
    throw error;
  }
}

const PLAYER_HEADERS = [
  "GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_CITY", "PLAYER_ID", "PLAYER_NAME", "NICKNAME", "START_POSITION", "COMMENT", "MIN",
  "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TO", "PF", "PTS", "PLUS_MINUS",
];
const TEAM_HEADERS = [
  "GAME_ID", "TEAM_ID", "TEAM_NAME", "TEAM_ABBREVIATION", "TEAM_CITY", "MIN",
  "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TO", "PF", "PTS", "PLUS_MINUS",
];

/**
 * A small NBA.com `boxscore` payload (no real sample exists in the fixtures): game 0022400561, NYK
 * at PHI on 2025-01-15, one overtime. The team lines are the real final scores; the player lines
 * are illustrative. One NYK player did not play (MIN null); one PHI line uses the old
 * "MM.000000:SS" minutes.
 */
export function boxscorePayload() {
  const g = "0022400561";
  return {
    resource: "boxscore",
    parameters: { GameID: g },
    resultSets: [
      {
        name: "PlayerStats",
        headers: PLAYER_HEADERS,
        rowSet: [
          // GAME_ID, TEAM_ID, TEAM, CITY, PLAYER_ID, NAME, NICKNAME, START, COMMENT, MIN,
          // FGM FGA FG% 3PM 3PA 3P% FTM FTA FT% OREB DREB REB AST STL BLK TO PF PTS +/-
          [g, 1610612752, "NYK", "New York", 1628973, "Jalen Brunson", "Jalen", "G", "", "44:10",
            12, 25, 0.48, 3, 8, 0.375, 5, 6, 0.833, 0, 4, 4, 9, 1, 0, 3, 2, 32, 8],
          [g, 1610612752, "NYK", "New York", 1630540, "Jericho Sims", "Jericho", "", "DNP - Coach's Decision", null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
          [g, 1610612755, "PHI", "Philadelphia", 1630178, "Tyrese Maxey", "Tyrese", "G", "", "45:02",
            11, 24, 0.458, 4, 10, 0.4, 4, 4, 1.0, 1, 3, 4, 6, 2, 0, 2, 1, 30, -6],
          [g, 1610612755, "PHI", "Philadelphia", 1627824, "Guerschon Yabusele", "Guerschon", "", "", "36.000000:05",
            5, 9, 0.556, 2, 4, 0.5, 0, 0, null, 2, 5, 7, 1, 0, 1, 1, 3, 12, 2],
        ],
      },
      {
        name: "TeamStats",
        headers: TEAM_HEADERS,
        rowSet: [
          [g, 1610612755, "76ers", "PHI", "Philadelphia", "265:00",
            44, 92, 0.478, 13, 35, 0.371, 18, 22, 0.818, 9, 33, 42, 25, 7, 4, 12, 20, 119, -6],
          [g, 1610612752, "Knicks", "NYK", "New York", "265:00",
            47, 95, 0.495, 15, 38, 0.395, 16, 19, 0.842, 11, 35, 46, 27, 8, 5, 13, 21, 125, 6],
        ],
      },
      { name: "TeamStarterBenchStats", headers: ["GAME_ID", "TEAM_ID", "STARTERS_BENCH"], rowSet: [] },
    ],
  };
}
