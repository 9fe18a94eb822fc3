import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { metaFor, PROCESSED_AT, fixturePath, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeBdlBoxscores, parseBdlBoxscores } from "./bdl-boxscores.ts";

const FILE = "bdl_box_scores_2024-01-15.json";

function rows(payload: unknown = readFixture(FILE)): RawRow[] {
  return parseBdlBoxscores(payload, metaFor(FILE)).bdl_player_boxscores ?? [];
}

/** The fixture with one game's value changed. */
function edited(edit: (games: Record<string, unknown>[]) => void): unknown {
  const payload = readFixture(FILE) as { data: Record<string, unknown>[] };
  edit(payload.data);
  return payload;
}

describe("bdl-boxscores", () => {
  it("writes one row per listed player, including the 155 with \"00\" minutes", () => {
    const all = rows();
    expect(all).toHaveLength(384);
    expect(all.filter((row) => row.minutes === "00")).toHaveLength(155);
    expect(new Set(all.map((row) => row.game_id)).size).toBe(11);
    expect(new Set(all.map((row) => `${row.game_date} ${row.season_year}`))).toEqual(new Set(["2024-01-15 2023"]));
    expect(() => checkRowsAgainstSpec("bdl_player_boxscores", all)).not.toThrow();
  });

  it("maps a player line column by column (Nicolas Batum, HOU at PHI)", () => {
    const batum = rows().find((row) => row.bdl_player_id === 33);
    expect(batum).toEqual({
      game_id: "20240115_HOU_PHI",
      game_date: "2024-01-15",
      season_year: 2023,
      game_status: "Final",
      period: 4,
      home_team_abbr: "PHI",
      away_team_abbr: "HOU",
      home_team_score: 124,
      away_team_score: 115,
      team_abbr: "PHI",
      bdl_player_id: 33,
      player_full_name: "Nicolas Batum",
      player_lookup: "nicolasbatum",
      position: "F-G",
      minutes: "28",
      points: 5,
      field_goals_made: 2,
      field_goals_attempted: 7,
      three_pointers_made: 1,
      three_pointers_attempted: 3,
      free_throws_made: 0,
      free_throws_attempted: 0,
      offensive_rebounds: 2,
      defensive_rebounds: 3,
      rebounds: 5,
      assists: 3,
      steals: 2,
      blocks: 1,
      turnovers: 0,
      personal_fouls: 2,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("keeps the overtime game's period and scores: MIA won at BKN 96-95 in overtime", () => {
    const game = rows().filter((row) => row.game_id === "20240115_MIA_BKN");
    expect(game).toHaveLength(34);
    expect(game[0]).toMatchObject({ period: 5, home_team_abbr: "BKN", away_team_abbr: "MIA", home_team_score: 95, away_team_score: 96 });
  });

  it("credits each team 240 player-minutes, 265 with one overtime", () => {
    const minutes = new Map<string, number>();
    for (const row of rows()) minutes.set(String(row.team_abbr), (minutes.get(String(row.team_abbr)) ?? 0) + Number(row.minutes));
    expect(minutes.size).toBe(22);
    for (const [team, total] of minutes) expect(total, team).toBe(team === "BKN" || team === "MIA" ? 265 : 240);
  });

  it("normalises names with player_lookup and leaves an empty position NULL", () => {
    const house = rows().find((row) => row.player_full_name === "Danuel House Jr.");
    expect(house).toMatchObject({ player_lookup: "danuelhousejr", position: null, team_abbr: "PHI", minutes: "18" });
    expect(rows().find((row) => row.player_full_name === "De'Anthony Melton")?.player_lookup).toBe("deanthonymelton");
  });

  it("reports bad values at their position in the payload", () => {
    const payload = edited((games) => {
      const game = games[3] as { home_team: { players: Record<string, unknown>[]; abbreviation: string } };
      (game.home_team.players[5] as Record<string, unknown>).min = "abc";
      delete (game.home_team.players[6] as Record<string, unknown>).pts;
    });
    expect(problemsOf(() => rows(payload))).toEqual([
      'data[3].home_team.players[5].min: expected minutes like "28" or "28:30", got "abc"',
      "data[3].home_team.players[6].pts: missing (expected number)",
    ]);
    const badTeam = edited((games) => {
      (games[4] as { visitor_team: { abbreviation: string } }).visitor_team.abbreviation = "XYZ";
    });
    expect(problemsOf(() => rows(badTeam))).toEqual(['data[4].visitor_team.abbreviation: not an NBA team code: "XYZ"']);
  });

  it("accepts a timestamped date, \"MM:SS\" and empty minutes", () => {
    const payload = edited((games) => {
      const game = games[0] as { date: string; home_team: { players: Record<string, unknown>[] } };
      game.date = "2024-01-15T00:00:00.000Z";
      (game.home_team.players[0] as Record<string, unknown>).min = "28:30";
      (game.home_team.players[1] as Record<string, unknown>).min = "";
    });
    const parsed = rows(payload).filter((row) => row.game_id === "20240115_HOU_PHI");
    expect(parsed[0]?.minutes).toBe("28:30");
    expect(parsed[1]?.minutes).toBeNull();
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeBdlBoxscores(readFixture(FILE))).toBe(true);
    expect(looksLikeBdlBoxscores({ data: [{ id: 1, first_name: "x" }] })).toBe(false);
  });
});
