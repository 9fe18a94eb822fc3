/**
 * The seeded ESPN rosters, player registry and aliases against the seeded gamebooks, over three
 * weeks around the trade deadline (2025-02-06: traded players play for their new team from the 7th).
 */
import { describe, expect, it } from "vitest";
import { addDays } from "../dates.ts";
import type { RawRow } from "../load/rows.ts";
import { generateSeason } from "./generate.ts";
import { ageOn } from "./espn_rosters.ts";
import { universalIds } from "./registry.ts";
import { buildRosters, type Player, type Roster } from "./rosters.ts";
import { expectEvery } from "./test_support.ts";

const OPTIONS = { seasonYear: 2024, seed: 42, start: "2025-01-27", end: "2025-02-16" };
const season = generateSeason(OPTIONS);
const gamebook = season.rows.nbac_gamebook_player_stats;
const rosters = season.rows.espn_team_rosters;
const onRoster = new Set(rosters.map((row) => `${String(row.roster_date)}|${String(row.team_abbr)}|${String(row.player_lookup)}`));


/** Whole years between two dates, counted with Date arithmetic (independent of ageOn). */
function yearsBetween(birth: string, date: string): number {
  const born = new Date(`${birth}T00:00:00Z`);
  const on = new Date(`${date}T00:00:00Z`);
  let years = on.getUTCFullYear() - born.getUTCFullYear();
  const birthday = new Date(Date.UTC(on.getUTCFullYear(), born.getUTCMonth(), born.getUTCDate()));
  if (on < birthday) years--;
  return years;
}

describe("seeded ESPN rosters", () => {
  it("snapshots all 30 teams on every seeded date, 18 players each", () => {
    const dates = new Set(rosters.map((row) => row.roster_date));
    expect(dates.size).toBe(21);
    for (let date = OPTIONS.start; date <= OPTIONS.end; date = addDays(date, 1)) {
      const rows = rosters.filter((row) => row.roster_date === date);
      expect(new Set(rows.map((row) => row.team_abbr)).size, date).toBe(30);
      expect(rows.length, date).toBe(30 * 18);
    }
  });

  it("lists every player of a gamebook (played, DNP or inactive) on his team's roster that day and the day before", () => {
    const anyTeam = new Set(rosters.map((row) => `${String(row.roster_date)}|${String(row.player_lookup)}`));
    expectEvery(gamebook, (row) => {
      const key = (date: string) => `${date}|${String(row.team_abbr)}|${String(row.player_lookup)}`;
      const date = String(row.game_date);
      if (!onRoster.has(key(date))) return `${String(row.player_lookup)} (${String(row.team_abbr)}) plays on ${date}, not on the roster`;
      if (date === OPTIONS.start) return undefined;
      // The day after the deadline a traded player was still on his old team the day before.
      const dayBefore = addDays(date, -1);
      const listed = date === "2025-02-07" ? anyTeam.has(`${dayBefore}|${String(row.player_lookup)}`) : onRoster.has(key(dayBefore));
      return !listed && `${String(row.player_lookup)} (${String(row.team_abbr)}) not on the roster the day before ${date}`;
    });
  });

  it("moves a traded player to his new team the day after the deadline, and keeps him on one team a day", () => {
    const teamsOf = new Map<string, Set<string>>();
    for (const row of gamebook) teamsOf.set(String(row.player_lookup), (teamsOf.get(String(row.player_lookup)) ?? new Set()).add(String(row.team_abbr)));
    const traded = [...teamsOf].filter(([, teams]) => teams.size > 1).map(([lookup]) => lookup);
    expect(traded.length).toBeGreaterThanOrEqual(2);
    for (const lookup of traded) {
      const before = new Set(rosters.filter((row) => row.player_lookup === lookup && String(row.roster_date) <= "2025-02-06").map((row) => row.team_abbr));
      const after = new Set(rosters.filter((row) => row.player_lookup === lookup && String(row.roster_date) >= "2025-02-07").map((row) => row.team_abbr));
      expect(before.size, lookup).toBe(1);
      expect(after.size, lookup).toBe(1);
      expect([...before][0], lookup).not.toBe([...after][0]);
    }
    const perDay = new Map<string, number>();
    for (const row of rosters) perDay.set(`${String(row.roster_date)}|${String(row.player_lookup)}`, (perDay.get(`${String(row.roster_date)}|${String(row.player_lookup)}`) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBe(1);
  });

  it("gives each player one birth date and his age in whole years on the snapshot's date", () => {
    const births = new Map<string, Set<unknown>>();
    for (const row of rosters) births.set(String(row.player_lookup), (births.get(String(row.player_lookup)) ?? new Set()).add(row.birth_date));
    expect([...births.values()].every((dates) => dates.size === 1)).toBe(true);
    expectEvery(rosters, (row) => {
      const expected = yearsBetween(String(row.birth_date), String(row.roster_date));
      return (row.age !== expected || expected < 19 || expected > 38) && `${String(row.player_lookup)} on ${String(row.roster_date)}: age ${String(row.age)}, born ${String(row.birth_date)}`;
    });
    // Some players have a birthday in the range: their age changes.
    const ages = new Map<string, Set<unknown>>();
    for (const row of rosters) ages.set(String(row.player_lookup), (ages.get(String(row.player_lookup)) ?? new Set()).add(row.age));
    expect([...ages.values()].some((set) => set.size === 2)).toBe(true);
    expect(ageOn("2000-02-29", "2025-02-28")).toBe(24);
    expect(ageOn("2000-02-29", "2025-03-01")).toBe(25);
  });

  it("marks players out injured for the team's next game, and ESPN's own team codes", () => {
    const out = rosters.filter((row) => row.injury_status === "out");
    expect(out.length).toBeGreaterThan(100);
    expect(rosters.every((row) => row.injury_status === "out" || row.injury_status === null)).toBe(true);
    // Out on game day means not playing that night.
    const played = new Set(gamebook.filter((row) => row.player_status === "active").map((row) => `${String(row.game_date)}|${String(row.player_lookup)}`));
    expectEvery(out, (row) => played.has(`${String(row.roster_date)}|${String(row.player_lookup)}`) && `${String(row.player_lookup)} out on ${String(row.roster_date)} but played`);
    const codes = new Map(rosters.map((row) => [row.team_abbr, row.espn_team_abbr]));
    expect([codes.get("NYK"), codes.get("GSW"), codes.get("UTA"), codes.get("WAS"), codes.get("BOS")]).toEqual(["NY", "GS", "UTAH", "WSH", "BOS"]);
  });
});

describe("seeded player registry and aliases", () => {
  const registry = season.rows.nba_players_registry;

  it("has one row per player, team and season seen, with the universal id <lookup>_001", () => {
    const keys = registry.map((row) => `${String(row.player_lookup)}|${String(row.team_abbr)}|${String(row.season_year)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expectEvery(registry, (row) => row.universal_player_id !== `${String(row.player_lookup)}_001` && `${String(row.player_lookup)}: ${String(row.universal_player_id)}`);
    const seen = new Set(keys);
    expectEvery(gamebook, (row) => !seen.has(`${String(row.player_lookup)}|${String(row.team_abbr)}|2024`) && `${String(row.player_lookup)} (${String(row.team_abbr)}) not in the registry`);
    const personIds = new Map(season.rows.nbac_player_boxscores.map((row) => [row.player_lookup, row.nba_player_id]));
    expectEvery(registry, (row) => personIds.has(row.player_lookup) && personIds.get(row.player_lookup) !== row.nba_person_id && `${String(row.player_lookup)}: person id`);
    // Traded players have a row for each team.
    expect(registry.length).toBeGreaterThan(540);
  });

  it("numbers players who share a lookup by person id: _001, then _002", () => {
    const [first, second] = buildRosters(42, 2024) as [Roster, Roster];
    const twin = { ...(second.players[0] as Player), lookup: (first.players[0] as Player).lookup };
    const ids = universalIds([first, { ...second, players: [twin, ...second.players.slice(1)] }]);
    const [older, younger] = [first.players[0] as Player, twin].sort((a, b) => a.nbaPlayerId - b.nbaPlayerId) as [Player, Player];
    expect(ids.get(older.nbaPlayerId)).toBe(`${older.lookup}_001`);
    expect(ids.get(younger.nbaPlayerId)).toBe(`${older.lookup}_002`);
    expect(ids.get((second.players[1] as Player).nbaPlayerId)).toBe(`${(second.players[1] as Player).lookup}_001`);
  });

  it("maps aliases to registry lookups, no alias being a registry lookup itself", () => {
    const aliases = season.rows.player_aliases;
    const lookups = new Set(registry.map((row) => row.player_lookup));
    expect(aliases.length).toBeGreaterThanOrEqual(2);
    for (const alias of aliases) {
      expect(lookups.has(alias.nba_canonical_lookup), String(alias.nba_canonical_lookup)).toBe(true);
      expect(lookups.has(alias.alias_lookup), String(alias.alias_lookup)).toBe(false);
    }
    expect(aliases.some((alias) => alias.is_active === false)).toBe(true);
    const used = aliases.filter((alias) => season.rows.odds_api_player_points_props.some((row: RawRow) => row.player_lookup === alias.alias_lookup));
    expect(used.map((alias) => [alias.alias_type, alias.is_active])).toEqual([["nickname", true]]);
  });
});
