import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeNbacPlayerList, parseNbacPlayerList } from "./nbac-player-list.ts";

const FILE = "nbac_player_list_2025-26.json";

interface Envelope {
  parameters: Record<string, unknown>;
  resultSets: { headers: string[]; rowSet: unknown[][] }[];
}

function rows(payload: unknown = readFixture(FILE)): RawRow[] {
  return parseNbacPlayerList(payload, metaFor(FILE)).nbac_player_list ?? [];
}

/** The fixture with `value` in column `header` of row `index`. */
function withValue(index: number, header: string, value: unknown): Envelope {
  const payload = readFixture(FILE) as Envelope;
  const set = payload.resultSets[0] as Envelope["resultSets"][number];
  (set.rowSet[index] as unknown[])[set.headers.indexOf(header)] = value;
  return payload;
}

describe("nbac-player-list", () => {
  it("writes the 594 players of the real 2025-26 index, one per person id, all of season 2025", () => {
    const all = rows();
    expect(all).toHaveLength(594);
    expect(new Set(all.map((row) => row.nba_person_id)).size).toBe(594);
    expect(new Set(all.map((row) => row.season_year))).toEqual(new Set([2025]));
    expect(new Set(all.map((row) => row.team_abbr)).size).toBe(30);
    expect(() => checkRowsAgainstSpec("nbac_player_list", all)).not.toThrow();
  });

  it("maps a player line: full name, canonical lookup, team, roster status 1.0 as 1", () => {
    expect(rows().find((row) => row.nba_person_id === 203999)).toEqual({
      season_year: 2025,
      nba_person_id: 203999,
      player_first_name: "Nikola",
      player_last_name: "Jokić",
      player_full_name: "Nikola Jokić",
      player_lookup: "nikolajokic",
      team_abbr: "DEN",
      jersey_number: "15",
      position: "C",
      roster_status: 1,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("keeps a suffix printed after a comma and leaves missing jersey and position NULL", () => {
    const milicic = rows().find((row) => row.nba_person_id === 1642945);
    expect(milicic).toMatchObject({ player_full_name: "Igor Miličić, Jr.", player_lookup: "igormilicicjr", jersey_number: null, position: null });
  });

  it("keeps a free agent (no team) with a NULL team_abbr, and refuses a code that is no NBA team", () => {
    expect(rows(withValue(0, "TEAM_ABBREVIATION", ""))[0]?.team_abbr).toBeNull();
    expect(problemsOf(() => rows(withValue(0, "TEAM_ABBREVIATION", "XYZ")))).toEqual(['resultSets[0].rowSet[0].TEAM_ABBREVIATION: not an NBA team code: "XYZ"']);
  });

  it("refuses an index whose season cannot be known, rather than guess one", () => {
    const noSeason = readFixture(FILE) as Envelope;
    delete noSeason.parameters.Season;
    expect(problemsOf(() => rows(noSeason))).toEqual(['parameters.Season: missing: the season of the index (e.g. "2025-26") cannot be known']);
    const badSeason = readFixture(FILE) as Envelope;
    badSeason.parameters.Season = "2025-27";
    expect(problemsOf(() => rows(badSeason))).toEqual(['parameters.Season: expected a season like "2025-26", got "2025-27"']);
    const noParameters = readFixture(FILE) as Partial<Envelope>;
    delete noParameters.parameters;
    expect(problemsOf(() => rows(noParameters))).toEqual(["parameters: missing: the envelope's parameters name the season of the index"]);
  });

  it("reports a person listed twice and a bad roster status at their position", () => {
    const payload = readFixture(FILE) as Envelope;
    const set = payload.resultSets[0] as Envelope["resultSets"][number];
    set.rowSet.push([...(set.rowSet[2] as unknown[])]);
    expect(problemsOf(() => rows(payload))).toEqual(["resultSets[0].rowSet[594].PERSON_ID: person 1628389 is already listed at rowSet[2]"]);
    expect(problemsOf(() => rows(withValue(5, "ROSTER_STATUS", 2)))).toEqual(["resultSets[0].rowSet[5].ROSTER_STATUS: expected 1 (on a roster) or 0, got 2"]);
  });

  it("recognises the playerindex envelope", () => {
    expect(looksLikeNbacPlayerList(readFixture(FILE))).toBe(true);
    expect(looksLikeNbacPlayerList(readFixture("nbac_leaguegamelog_2025-03-15.json"))).toBe(false);
  });
});
