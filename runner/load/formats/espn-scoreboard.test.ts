import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeEspnScoreboard, parseEspnScoreboard } from "./espn-scoreboard.ts";

const FILE = "espn_scoreboard_2024-01-15.json";

function parse(payload: unknown): RawRow[] {
  return parseEspnScoreboard(payload, metaFor(FILE)).espn_scoreboard ?? [];
}

describe("espn-scoreboard", () => {
  it("writes the 11 games of 2024-01-15 with ESPN's codes mapped to NBA.com tricodes", () => {
    const rows = parse(readFixture(FILE));
    expect(rows).toHaveLength(11);
    expect(() => checkRowsAgainstSpec("espn_scoreboard", rows)).not.toThrow();
    expect(rows.map((row) => row.game_id).sort()).toEqual([
      "20240115_BOS_TOR",
      "20240115_CHI_CLE",
      "20240115_DET_WAS",
      "20240115_GSW_MEM",
      "20240115_HOU_PHI",
      "20240115_IND_UTA",
      "20240115_MIA_BKN",
      "20240115_NOP_DAL",
      "20240115_OKC_LAL",
      "20240115_ORL_NYK",
      "20240115_SAS_ATL",
    ]);
    const mapped = rows.flatMap((row) => [
      [row.home_team_espn_abbr, row.home_team_abbr],
      [row.away_team_espn_abbr, row.away_team_abbr],
    ]);
    for (const [espn, nba] of [["NO", "NOP"], ["NY", "NYK"], ["SA", "SAS"], ["GS", "GSW"], ["UTAH", "UTA"], ["WSH", "WAS"]]) {
      expect(mapped).toContainEqual([espn, nba]);
    }
    expect(rows.every((row) => row.game_status === "final" && row.is_completed === true && row.season_year === 2023)).toBe(true);
  });

  it("keeps the scores and the winner of MIA at BKN (overtime, printed plain Final)", () => {
    const game = parse(readFixture(FILE)).find((row) => row.home_team_abbr === "BKN");
    expect(game).toEqual({
      game_id: "20240115_MIA_BKN",
      espn_game_id: "401585190",
      game_date: "2024-01-15",
      season_year: 2023,
      home_team_abbr: "BKN",
      away_team_abbr: "MIA",
      home_team_espn_abbr: "BKN",
      away_team_espn_abbr: "MIA",
      home_team_name: "Brooklyn Nets",
      away_team_name: "Miami Heat",
      game_status: "final",
      game_status_detail: "Final",
      espn_state: "post",
      is_completed: true,
      scheduled_start_time: expect.stringMatching(/^2024-01-1[56]T/),
      home_team_score: 95,
      away_team_score: 96,
      home_team_winner: false,
      away_team_winner: true,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("has no scores before tip-off, and names a postponed game's status", () => {
    const payload = readFixture(FILE) as { games: Record<string, unknown>[] };
    Object.assign(payload.games[0] as Record<string, unknown>, { state: "pre", status: "7:00 PM" });
    Object.assign(payload.games[1] as Record<string, unknown>, { state: "post", status: "Postponed" });
    const [pre, postponed] = parse(payload);
    expect(pre).toMatchObject({ game_status: "scheduled", is_completed: false, home_team_score: null, away_team_score: null });
    expect(postponed).toMatchObject({ game_status: "postponed", is_completed: false });
  });

  it("reports a truncated scrape and a game without a home team", () => {
    const payload = readFixture(FILE) as { gameCount: number; games: { teams: { homeAway: string }[] }[] };
    payload.gameCount = 12;
    (payload.games[4]?.teams[0] as { homeAway: string }).homeAway = "away";
    expect(problemsOf(() => parse(payload))).toEqual([
      "gameCount: says 12 games but games[] has 11: a truncated scrape",
      "games[4].teams: expected one home and one away team, got 0 home and 2 away",
    ]);
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeEspnScoreboard(readFixture(FILE))).toBe(true);
    expect(looksLikeEspnScoreboard(readFixture("nbac_schedule_2024-25.json"))).toBe(false);
  });
});
