import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, nullColumns, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeNbacGamebook, parseNbacGamebook } from "./nbac-gamebook.ts";

const MEMCLE = "nbac_gamebook_20240410_MEMCLE.json";
const MILBKN = "nbac_gamebook_20211008_MILBKN.json";

function rows(file: string, payload: unknown = readFixture(file)): RawRow[] {
  return parseNbacGamebook(payload, metaFor(file)).nbac_gamebook_player_stats ?? [];
}

/** GG Jackson's box score in the MEM at CLE gamebook, and so the stats every DNP and inactive row has NULL. */
const GG_JACKSON_STATS = {
  minutes: "35:42",
  points: 22,
  field_goals_made: 7,
  field_goals_attempted: 21,
  three_pointers_made: 2,
  three_pointers_attempted: 10,
  free_throws_made: 6,
  free_throws_attempted: 6,
  offensive_rebounds: 0,
  defensive_rebounds: 2,
  total_rebounds: 2,
  assists: 2,
  steals: 2,
  blocks: 1,
  turnovers: 1,
  personal_fouls: 2,
  plus_minus: -13,
};
const NULL_STATS = nullColumns(GG_JACKSON_STATS);

describe("nbac-gamebook", () => {
  it("writes every rostered player: 21 active, 6 DNP, 14 inactive (MEM at CLE)", () => {
    const all = rows(MEMCLE);
    const count = (status: string) => all.filter((row) => row.player_status === status).length;
    expect([all.length, count("active"), count("dnp"), count("inactive")]).toEqual([41, 21, 6, 14]);
    expect(new Set(all.map((row) => `${row.game_id} ${row.game_date} ${row.season_year} ${row.away_team_abbr}@${row.home_team_abbr}`))).toEqual(
      new Set(["20240410_MEM_CLE 2024-04-10 2023 MEM@CLE"]),
    );
    expect(() => checkRowsAgainstSpec("nbac_gamebook_player_stats", all)).not.toThrow();
  });

  it("maps an active player's box score (GG Jackson)", () => {
    expect(rows(MEMCLE).find((row) => row.player_name === "GG Jackson")).toEqual({
      game_id: "20240410_MEM_CLE",
      game_code: "20240410/MEMCLE",
      game_date: "2024-04-10",
      season_year: 2023,
      home_team_abbr: "CLE",
      away_team_abbr: "MEM",
      player_name: "GG Jackson",
      player_name_original: "GG Jackson",
      player_lookup: "ggjackson",
      team_abbr: "MEM",
      player_status: "active",
      dnp_reason: null,
      ...GG_JACKSON_STATS,
      source_file_path: fixturePath(MEMCLE),
      processed_at: PROCESSED_AT,
    });
  });

  it("gives DNP rows the gamebook's dnp_reason and NULL stats", () => {
    expect(rows(MEMCLE).find((row) => row.player_name === "Santi Aldama")).toMatchObject({
      player_status: "dnp",
      team_abbr: "MEM",
      player_lookup: "santialdama",
      dnp_reason: "NWT - Injury/Illness - Right Foot; Strain",
      ...NULL_STATS,
    });
    expect(rows(MEMCLE).find((row) => row.player_name === "Marcus Morris Sr.")).toMatchObject({
      player_lookup: "marcusmorrissr",
      team_abbr: "CLE",
      dnp_reason: "DNP - Coach's Decision",
    });
  });

  it("gives inactive rows the gamebook's reason and keeps the printed (last) name", () => {
    expect(rows(MEMCLE).find((row) => row.player_name === "Morant")).toMatchObject({
      player_status: "inactive",
      team_abbr: "MEM",
      player_lookup: "morant",
      dnp_reason: "Injury/Illness - Right Shoulder; Labral Repair",
      ...NULL_STATS,
    });
  });

  it("reads full team names in any case (BROOKLYN NETS) and preseason games", () => {
    const all = rows(MILBKN);
    expect(all).toHaveLength(39);
    expect(all.filter((row) => row.team_abbr === "BKN")).toHaveLength(19);
    expect(all.find((row) => row.player_name === "Kevin Durant")).toMatchObject({
      game_id: "20211008_MIL_BKN",
      season_year: 2021,
      team_abbr: "BKN",
      minutes: "23:22",
    });
  });

  it("reports teams it cannot place and a game code that disagrees with the teams", () => {
    const payload = readFixture(MEMCLE) as { home_team: string; active_players: { team: string }[] };
    (payload.active_players[0] as { team: string }).team = "Seattle SuperSonics";
    (payload.active_players[1] as { team: string }).team = "Boston Celtics";
    expect(problemsOf(() => rows(MEMCLE, payload))).toEqual([
      'active_players[0].team: not an NBA team name: "Seattle SuperSonics"',
      'active_players[1].team: "Boston Celtics" is neither team of 20240410/MEMCLE',
    ]);
    payload.home_team = "BOS";
    expect(problemsOf(() => rows(MEMCLE, payload))).toEqual(['home_team: "BOS" disagrees with game_code "20240410/MEMCLE"']);
  });

  it("reports a malformed box score at its position", () => {
    const payload = readFixture(MEMCLE) as { active_players: { stats: Record<string, unknown> }[] };
    (payload.active_players[2] as { stats: Record<string, unknown> }).stats.minutes = "35";
    (payload.active_players[2] as { stats: Record<string, unknown> }).stats.points = -1;
    expect(problemsOf(() => rows(MEMCLE, payload))).toEqual([
      'active_players[2].stats.minutes: expected minutes like "35:42", got "35"',
      "active_players[2].stats.points: expected at least 0, got -1",
    ]);
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeNbacGamebook(readFixture(MEMCLE))).toBe(true);
    expect(looksLikeNbacGamebook({ game_code: "20240410/MEMCLE" })).toBe(false);
  });
});
