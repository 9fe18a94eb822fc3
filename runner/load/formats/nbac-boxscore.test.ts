import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec } from "../rows.ts";
import { boxscorePayload, PROCESSED_AT, problemsOf } from "../test_support.ts";
import { looksLikeNbacBoxscore, nbacBoxscoreRows, readNbacBoxscore } from "./nbac-boxscore.ts";

const META = { sourceFilePath: "/data/boxscore_0022400561.json", processedAt: PROCESSED_AT };
const NYK_AT_PHI = { gameDate: "2025-01-15", homeTricode: "PHI", awayTricode: "NYK" };

type Payload = ReturnType<typeof boxscorePayload>;

function edited(edit: (payload: Payload) => void): Payload {
  const payload = boxscorePayload();
  edit(payload);
  return payload;
}

describe("nbac-boxscore", () => {
  it("reads the game, its two teams and the players who appeared", () => {
    const box = readNbacBoxscore(boxscorePayload());
    expect(box.nbaGameId).toBe("0022400561");
    expect(box.teams).toEqual(["PHI", "NYK"]);
    expect(box.players.map((player) => player.lookup)).toEqual(["jalenbrunson", "tyresemaxey", "guerschonyabusele"]);
    expect(box.didNotPlay).toBe(1);
  });

  it("maps PlayerStats to nbac_player_boxscores once the date and sides are known", () => {
    const rows = nbacBoxscoreRows(readNbacBoxscore(boxscorePayload()), NYK_AT_PHI, META);
    expect(rows.nbac_player_boxscores).toHaveLength(3);
    expect(rows.nbac_player_boxscores?.[0]).toEqual({
      game_id: "20250115_NYK_PHI",
      nba_game_id: "0022400561",
      game_date: "2025-01-15",
      season_year: 2024,
      game_status: "Final",
      home_team_abbr: "PHI",
      away_team_abbr: "NYK",
      nba_player_id: 1628973,
      player_full_name: "Jalen Brunson",
      player_lookup: "jalenbrunson",
      team_abbr: "NYK",
      starter: true,
      minutes: "44:10",
      points: 32,
      field_goals_made: 12,
      field_goals_attempted: 25,
      three_pointers_made: 3,
      three_pointers_attempted: 8,
      free_throws_made: 5,
      free_throws_attempted: 6,
      offensive_rebounds: 0,
      defensive_rebounds: 4,
      total_rebounds: 4,
      assists: 9,
      steals: 1,
      blocks: 0,
      turnovers: 3,
      personal_fouls: 2,
      plus_minus: 8,
      source_file_path: "/data/boxscore_0022400561.json",
      processed_at: PROCESSED_AT,
    });
    expect(rows.nbac_player_boxscores?.[2]).toMatchObject({ player_full_name: "Guerschon Yabusele", starter: false, minutes: "36:05", team_abbr: "PHI" });
    expect(() => checkRowsAgainstSpec("nbac_player_boxscores", rows.nbac_player_boxscores ?? [])).not.toThrow();
  });

  it("maps TeamStats to nbac_team_boxscore with the home side and overtime minutes", () => {
    const rows = nbacBoxscoreRows(readNbacBoxscore(boxscorePayload()), NYK_AT_PHI, META);
    expect(rows.nbac_team_boxscore).toEqual([
      {
        game_id: "20250115_NYK_PHI",
        nba_game_id: "0022400561",
        game_date: "2025-01-15",
        season_year: 2024,
        team_id: 1610612755,
        team_abbr: "PHI",
        team_name: "76ers",
        is_home: true,
        minutes: "265:00",
        fg_made: 44,
        fg_attempted: 92,
        three_pt_made: 13,
        three_pt_attempted: 35,
        ft_made: 18,
        ft_attempted: 22,
        offensive_rebounds: 9,
        defensive_rebounds: 33,
        total_rebounds: 42,
        assists: 25,
        steals: 7,
        blocks: 4,
        turnovers: 12,
        personal_fouls: 20,
        points: 119,
        plus_minus: -6,
        source_file_path: "/data/boxscore_0022400561.json",
        processed_at: PROCESSED_AT,
      },
      expect.objectContaining({ team_abbr: "NYK", team_name: "Knicks", is_home: false, points: 125, plus_minus: 6 }),
    ]);
    expect(() => checkRowsAgainstSpec("nbac_team_boxscore", rows.nbac_team_boxscore ?? [])).not.toThrow();
  });

  it("refuses sides that are not the boxscore's teams", () => {
    const box = readNbacBoxscore(boxscorePayload());
    expect(problemsOf(() => nbacBoxscoreRows(box, { gameDate: "2025-01-15", homeTricode: "BOS", awayTricode: "NYK" }, META))).toEqual([
      "resultSets: game 0022400561 is NYK at BOS, but the boxscore's teams are PHI and NYK",
    ]);
  });

  it("reports a missing result set, a third team and a foreign player at their position", () => {
    expect(problemsOf(() => readNbacBoxscore(edited((payload) => payload.resultSets.splice(1, 1))))).toEqual([
      'resultSets: no result set "TeamStats" (present: PlayerStats, TeamStarterBenchStats)',
    ]);
    const third = edited((payload) => {
      const teams = payload.resultSets[1]?.rowSet as unknown[][];
      teams.push([...(teams[0] as unknown[])]);
    });
    expect(problemsOf(() => readNbacBoxscore(third))).toEqual(["resultSets[1].rowSet: expected one row for each of the two teams, got 3 (PHI, NYK, PHI)"]);
    const foreign = edited((payload) => {
      ((payload.resultSets[0]?.rowSet as unknown[][])[2] as unknown[])[2] = "BOS";
    });
    expect(problemsOf(() => readNbacBoxscore(foreign))).toEqual([
      'resultSets[0].rowSet[2].TEAM_ABBREVIATION: "BOS" is not one of the teams in TeamStats (PHI, NYK)',
    ]);
    const badMinutes = edited((payload) => {
      ((payload.resultSets[0]?.rowSet as unknown[][])[0] as unknown[])[9] = "44";
    });
    expect(problemsOf(() => readNbacBoxscore(badMinutes))).toEqual(['resultSets[0].rowSet[0].MIN: expected minutes like "34:12", got "44"']);
  });

  it("refuses rows of two games in one payload", () => {
    const mixed = edited((payload) => {
      ((payload.resultSets[0]?.rowSet as unknown[][])[0] as unknown[])[0] = "0022400562";
    });
    expect(problemsOf(() => readNbacBoxscore(mixed))).toEqual(["resultSets: expected the rows of one game, got 0022400561, 0022400562"]);
  });

  it("recognises the payload by its resource or its result sets", () => {
    expect(looksLikeNbacBoxscore(boxscorePayload())).toBe(true);
    expect(looksLikeNbacBoxscore({ resultSets: [{ name: "PlayerStats" }, { name: "TeamStats" }] })).toBe(true);
    expect(looksLikeNbacBoxscore({ resource: "leaguegamelog", resultSets: [{ name: "LeagueGameLog" }] })).toBe(false);
  });
});
