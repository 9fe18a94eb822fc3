import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeNbacLeaguegamelog, parseNbacLeaguegamelog } from "./nbac-leaguegamelog.ts";

const FILE = "nbac_leaguegamelog_2025-03-15.json";

interface Envelope {
  resultSets: { headers: string[]; rowSet: unknown[][] }[];
}

function rows(payload: unknown = readFixture(FILE)): RawRow[] {
  return parseNbacLeaguegamelog(payload, metaFor(FILE)).nbac_player_boxscores ?? [];
}

/** The fixture with `value` in column `header` of row `index`. */
function withValue(index: number, header: string, value: unknown): Envelope {
  const payload = readFixture(FILE) as Envelope;
  const set = payload.resultSets[0] as Envelope["resultSets"][number];
  (set.rowSet[index] as unknown[])[set.headers.indexOf(header)] = value;
  return payload;
}

describe("nbac-leaguegamelog", () => {
  it("writes one 'Final' row per player line", () => {
    const all = rows();
    expect(all).toHaveLength(157);
    expect(new Set(all.map((row) => `${row.game_date} ${row.season_year} ${row.game_status}`))).toEqual(new Set(["2025-03-15 2024 Final"]));
    expect(new Set(all.map((row) => row.nba_game_id)).size).toBe(8);
    expect(() => checkRowsAgainstSpec("nbac_player_boxscores", all)).not.toThrow();
  });

  it("maps a home player's line (Stephen Curry, GSW vs. NYK)", () => {
    expect(rows().find((row) => row.nba_player_id === 201939)).toEqual({
      game_id: "20250315_NYK_GSW",
      nba_game_id: "0022400974",
      game_date: "2025-03-15",
      season_year: 2024,
      game_status: "Final",
      home_team_abbr: "GSW",
      away_team_abbr: "NYK",
      nba_player_id: 201939,
      player_full_name: "Stephen Curry",
      player_lookup: "stephencurry",
      team_abbr: "GSW",
      starter: null,
      minutes: "35",
      points: 28,
      field_goals_made: 8,
      field_goals_attempted: 20,
      three_pointers_made: 4,
      three_pointers_attempted: 13,
      free_throws_made: 8,
      free_throws_attempted: 9,
      offensive_rebounds: 0,
      defensive_rebounds: 7,
      total_rebounds: 7,
      assists: 5,
      steals: 0,
      blocks: 1,
      turnovers: 3,
      personal_fouls: 2,
      plus_minus: -5,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("reads \"MIL @ IND\" as MIL away, and keeps 0 minutes as \"0\"", () => {
    const all = rows();
    expect(all.find((row) => row.player_full_name === "T.J. McConnell")).toMatchObject({
      game_id: "20250315_IND_MIL",
      home_team_abbr: "MIL",
      away_team_abbr: "IND",
      team_abbr: "IND",
      player_lookup: "tjmcconnell",
      minutes: "16",
      plus_minus: -34,
    });
    expect(all.find((row) => row.player_full_name === "Andre Jackson Jr.")).toMatchObject({
      game_id: "20250315_IND_MIL",
      team_abbr: "MIL",
      player_lookup: "andrejacksonjr",
      minutes: "0",
    });
    expect(all.find((row) => row.nba_player_id === 203999)?.player_lookup).toBe("nikolajokic");
  });

  it("gives both teams of a game the same system game id", () => {
    const teamsByGame = new Map<string, Set<string>>();
    for (const row of rows()) teamsByGame.set(String(row.game_id), (teamsByGame.get(String(row.game_id)) ?? new Set()).add(String(row.team_abbr)));
    expect(teamsByGame.size).toBe(8);
    for (const [gameId, teams] of teamsByGame) {
      const [, away, home] = gameId.split("_");
      expect(teams, gameId).toEqual(new Set([away, home]));
    }
  });

  it("reports bad cells by row and header", () => {
    expect(problemsOf(() => rows(withValue(12, "MIN", "abc")))).toEqual(['resultSets[0].rowSet[12].MIN: expected number, got "abc"']);
    expect(problemsOf(() => rows(withValue(0, "MATCHUP", "NYK @ GSW")))).toEqual([
      'resultSets[0].rowSet[0].MATCHUP: "NYK @ GSW" does not start with the player\'s team "GSW"',
    ]);
    expect(problemsOf(() => rows(withValue(3, "MATCHUP", "GSW at NYK")))).toEqual([
      'resultSets[0].rowSet[3].MATCHUP: expected a matchup like "GSW vs. NYK" or "MIL @ IND", got "GSW at NYK"',
    ]);
    const short = readFixture(FILE) as Envelope;
    (short.resultSets[0]?.rowSet[4] as unknown[]).pop();
    expect(problemsOf(() => rows(short))).toEqual(["resultSets[0].rowSet[4]: expected 32 values (one per header), got 31"]);
  });

  it("refuses a team game log (no player columns)", () => {
    const teams = readFixture(FILE) as Envelope;
    const set = teams.resultSets[0] as Envelope["resultSets"][number];
    set.headers = set.headers.filter((header) => header !== "PLAYER_ID" && header !== "PLAYER_NAME");
    expect(problemsOf(() => rows(teams))).toEqual(["resultSets[0].headers: missing PLAYER_ID, PLAYER_NAME"]);
  });

  it("recognises the payload by its resource", () => {
    expect(looksLikeNbacLeaguegamelog(readFixture(FILE))).toBe(true);
    expect(looksLikeNbacLeaguegamelog({ resource: "boxscore", resultSets: [] })).toBe(false);
  });
});
