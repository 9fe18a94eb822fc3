import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeEspnRoster, parseEspnRoster, type RosterSnapshotOptions } from "./espn-roster.ts";

const FILE = "espn_roster_api_BOS_2025-06-19.json";

interface Roster {
  team: { abbreviation: string; athletes: Record<string, unknown>[] };
}

function rows(options: RosterSnapshotOptions = { scrapeHour: 8 }, payload: unknown = readFixture(FILE), file = FILE): RawRow[] {
  return parseEspnRoster(payload, { ...metaFor(FILE), sourceFilePath: `/data/${file}` }, options).espn_team_rosters ?? [];
}

describe("espn-roster", () => {
  it("writes the 17 Celtics of the real 2025-06-19 roster, dated by the file name, season 2024", () => {
    const all = rows();
    expect(all).toHaveLength(17);
    expect(new Set(all.map((row) => `${row.roster_date} ${row.scrape_hour} ${row.season_year} ${row.team_abbr}`))).toEqual(new Set(["2025-06-19 8 2024 BOS"]));
    expect(() => checkRowsAgainstSpec("espn_team_rosters", all)).not.toThrow();
  });

  it("maps an athlete: id, name, lookup, jersey, position, age, birth date, injury status in lowercase", () => {
    expect(parseEspnRoster(readFixture(FILE), metaFor(FILE), { scrapeHour: 8 }).espn_team_rosters?.[0]).toEqual({
      roster_date: "2025-06-19",
      scrape_hour: 8,
      season_year: 2024,
      team_abbr: "BOS",
      espn_team_abbr: "BOS",
      espn_player_id: "3917376",
      player_full_name: "Jaylen Brown",
      player_lookup: "jaylenbrown",
      jersey_number: "7",
      position: "SG",
      age: 28,
      // "1996-10-24T07:00Z": midnight in ESPN's zone, the date part is the birth date.
      birth_date: "1996-10-24",
      injury_status: "out",
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
    const statuses = rows().map((row) => row.injury_status);
    expect(statuses.filter((status) => status === "out")).toHaveLength(2);
    expect(statuses.filter((status) => status === null)).toHaveLength(15);
  });

  it("maps ESPN's team code to the NBA.com tricode and keeps ESPN's beside it", () => {
    const payload = readFixture(FILE) as Roster;
    payload.team.abbreviation = "GS";
    const [first] = rows({ scrapeHour: 8 }, payload, "espn_roster_api_GS_2025-06-19.json");
    expect(first).toMatchObject({ team_abbr: "GSW", espn_team_abbr: "GS" });
    const day = (payload.team.athletes[1] as { injuries: unknown[] }).injuries;
    day.push({ status: "Day-To-Day" });
    expect(rows({ scrapeHour: 8 }, payload, "espn_roster_api_GSW_2025-06-19.json")[1]?.injury_status).toBe("day-to-day");
  });

  it("takes the date from --roster-date when the file name does not carry it", () => {
    const all = rows({ rosterDate: "2025-10-21", scrapeHour: 17 }, readFixture(FILE), "celtics.json");
    expect(all[0]).toMatchObject({ roster_date: "2025-10-21", scrape_hour: 17, season_year: 2025 });
  });

  it("refuses a roster whose date or hour cannot be known, rather than guess them", () => {
    expect(problemsOf(() => rows({}))).toEqual([
      "the roster response does not say when it was fetched, and neither does the load: give its hour (--scrape-hour, 0-23 Eastern)",
    ]);
    expect(problemsOf(() => rows({}, readFixture(FILE), "celtics.json"))).toEqual([
      "the roster response does not say when it was fetched, and neither does the load: give its date (a file name espn_roster_api_<TEAM>_<YYYY-MM-DD>.json, or --roster-date) and its hour (--scrape-hour, 0-23 Eastern)",
    ]);
  });

  it("refuses a file name that disagrees with the payload or the options", () => {
    expect(problemsOf(() => rows({ scrapeHour: 8 }, readFixture(FILE), "espn_roster_api_NYK_2025-06-19.json"))).toEqual([
      "the file name says team NYK but the roster is BOS's",
    ]);
    expect(problemsOf(() => rows({ rosterDate: "2025-06-20", scrapeHour: 8 }))).toEqual(["the file name says 2025-06-19 but --roster-date is 2025-06-20"]);
  });

  it("reports a bad team code, an athlete listed twice and a missing name at their position", () => {
    const payload = readFixture(FILE) as Roster;
    payload.team.athletes.push({ ...payload.team.athletes[0] });
    (payload.team.athletes[2] as { fullName: string }).fullName = " ";
    expect(problemsOf(() => rows({ scrapeHour: 8 }, payload))).toEqual([
      "team.athletes[2].fullName: expected the player's name, got an empty string",
    ]);
    (payload.team.athletes[2] as { fullName: string }).fullName = "JD Davison";
    expect(problemsOf(() => rows({ scrapeHour: 8 }, payload))).toEqual(["team.athletes[17].id: athlete 3917376 is already listed at team.athletes[0]"]);
    payload.team.abbreviation = "XYZ";
    expect(problemsOf(() => rows({ scrapeHour: 8 }, payload))).toEqual(['team.abbreviation: not an NBA team code: "XYZ"']);
  });

  it("recognises the roster response", () => {
    expect(looksLikeEspnRoster(readFixture(FILE))).toBe(true);
    expect(looksLikeEspnRoster({ team: { abbreviation: "BOS" } })).toBe(false);
    expect(looksLikeEspnRoster(readFixture("espn_scoreboard_2024-01-15.json"))).toBe(false);
  });
});
