import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { addDays } from "../dates.ts";
import { BadInputError } from "../errors.ts";
import { playerLookup } from "../nba/player_lookup.ts";
import { TEAMS } from "../nba/teams.ts";
import { generateSeason, SEEDED_TABLES, type GeneratedSeason, type SeasonOptions, type SeededTableName } from "./generate.ts";
import { rawTables } from "../load/raw_tables.ts";
import { checkRowsAgainstSpec, type RawRow } from "../load/rows.ts";
import { expectEvery, groupBy } from "./test_support.ts";

const constants = createRequire(import.meta.url)("../../includes/constants.js") as {
  DNP_REASON_CATEGORIES: { category: string; keywords: string[] }[];
};

const SEASON: SeasonOptions = { seasonYear: 2024, seed: 42 };
const season = generateSeason(SEASON);
const WEEK = { start: "2025-01-13", end: "2025-01-19" };

const num = (row: RawRow, column: string): number => {
  const value = row[column];
  if (typeof value !== "number") throw new Error(`${column} is ${JSON.stringify(value)}, not a number, in ${JSON.stringify(row)}`);
  return value;
};
const seconds = (minutes: string): number => {
  const match = /^(\d+):([0-5]\d)$/.exec(minutes);
  if (!match) throw new Error(`minutes "${minutes}" is not M:SS`);
  return Number(match[1]) * 60 + Number(match[2]);
};
const inRange = (rows: RawRow[], start: string, end: string) => rows.filter((row) => (row.game_date as string) >= start && (row.game_date as string) <= end);

/** A table's key of a row in the undated reference tables. */
const REFERENCE_KEY: Partial<Record<SeededTableName, (row: RawRow) => string>> = {
  nba_players_registry: (row) => `${String(row.player_lookup)}|${String(row.team_abbr)}|${String(row.season_year)}`,
  player_aliases: (row) => String(row.alias_lookup),
};

/**
 * The rows of `table` in a season that a seed of `start..end` writes: those of its dates (game
 * date, or roster date), and in the reference tables the rows with the keys of `range`'s rows.
 */
function rowsOfRange(table: SeededTableName, seasonRows: RawRow[], start: string, end: string, range: RawRow[]): RawRow[] {
  const key = REFERENCE_KEY[table];
  if (key) {
    const keys = new Set(range.map(key));
    return seasonRows.filter((row) => keys.has(key(row)));
  }
  const date = table === "espn_team_rosters" ? "roster_date" : "game_date";
  return seasonRows.filter((row) => (row[date] as string) >= start && (row[date] as string) <= end);
}

const PLAYER_COUNTING = [
  "field_goals_made", "field_goals_attempted", "three_pointers_made", "three_pointers_attempted", "free_throws_made",
  "free_throws_attempted", "offensive_rebounds", "defensive_rebounds", "assists", "steals", "blocks", "turnovers",
  "personal_fouls", "points",
];
const TEAM_COLUMN_FOR: Record<string, string> = {
  field_goals_made: "fg_made",
  field_goals_attempted: "fg_attempted",
  three_pointers_made: "three_pt_made",
  three_pointers_attempted: "three_pt_attempted",
  free_throws_made: "ft_made",
  free_throws_attempted: "ft_attempted",
  offensive_rebounds: "offensive_rebounds",
  defensive_rebounds: "defensive_rebounds",
  assists: "assists",
  steals: "steals",
  blocks: "blocks",
  personal_fouls: "personal_fouls",
  points: "points",
};

describe("generateSeason: determinism", () => {
  it("gives byte-identical rows for the same options, and different rows for another seed", () => {
    // A month of every table (the next test compares a week with the whole season): ~50 MB
    // serialised, so compare digests, a table at a time.
    const digest = (generated: GeneratedSeason) => {
      const hash = createHash("sha256");
      for (const table of SEEDED_TABLES) hash.update(JSON.stringify(generated.rows[table]));
      return hash.digest("hex");
    };
    const month = { ...SEASON, start: "2025-01-01", end: "2025-01-31" };
    expect(digest(generateSeason(month))).toBe(digest(generateSeason(month)));
    const other = generateSeason({ ...SEASON, ...WEEK, seed: 43 });
    expect(JSON.stringify(other.rows.nbac_schedule)).not.toBe(JSON.stringify(inRange(season.rows.nbac_schedule, WEEK.start, WEEK.end)));
  });

  it("gives a week seeded alone exactly as that week inside the season, missing-rate included", () => {
    const week = generateSeason({ ...SEASON, ...WEEK });
    const sorted = (rows: RawRow[]) => rows.map((row) => JSON.stringify(row)).sort();
    for (const table of SEEDED_TABLES) {
      expect(week.rows[table].length).toBeGreaterThan(0);
      expect(sorted(week.rows[table]), table).toEqual(sorted(rowsOfRange(table, season.rows[table], WEEK.start, WEEK.end, week.rows[table])));
    }
    // The missing box scores are the same games: the tables of played games agree.
    const played = ["nbac_team_boxscore", "nbac_gamebook_player_stats", "nbac_player_boxscores", "bdl_player_boxscores", "nbac_play_by_play", "bigdataball_play_by_play"] as const;
    const withRate = (range: Partial<SeasonOptions>) => generateSeason({ ...SEASON, ...range, missing: { rate: 0.2 }, tables: played });
    const seasonWithRate = withRate({});
    const weekWithRate = withRate(WEEK);
    expect(weekWithRate.games.some((game) => game.boxScoreMissing)).toBe(true);
    for (const table of played) {
      expect(sorted(weekWithRate.rows[table]), table).toEqual(sorted(rowsOfRange(table, seasonWithRate.rows[table], WEEK.start, WEEK.end, weekWithRate.rows[table])));
    }
  });

  it("builds only the tables asked for, each exactly as when all are built", () => {
    const some = generateSeason({ ...SEASON, ...WEEK, tables: ["bigdataball_play_by_play", "odds_api_player_points_props", "player_aliases"] });
    const all = generateSeason({ ...SEASON, ...WEEK });
    for (const table of SEEDED_TABLES) {
      expect(some.rows[table], table).toEqual(["bigdataball_play_by_play", "odds_api_player_points_props", "player_aliases"].includes(table) ? all.rows[table] : []);
    }
    expect(some.games).toEqual(all.games);
  });

  it("writes exactly the columns includes/raw_tables.js declares, with their types, for every row of every table", () => {
    for (const table of SEEDED_TABLES) {
      expect(() => checkRowsAgainstSpec(table, season.rows[table])).not.toThrow();
      const columns = rawTables().specs[table].columns.map((column) => column.name).sort().join(",");
      expectEvery(season.rows[table], (row) => Object.keys(row).sort().join(",") !== columns && `${table}: ${Object.keys(row).sort().join(",")}`);
    }
  });
});

describe("generateSeason: the schedule", () => {
  const schedule = season.rows.nbac_schedule;

  it("covers the 2024-25 regular season with the 30 NBA.com teams, 82 games each, 41 at home", () => {
    expect(season.start).toBe("2024-10-22");
    expect(season.end).toBe("2025-04-13");
    expect(schedule).toHaveLength(1230);
    expect(schedule[0]?.game_date).toBe("2024-10-22");
    expect(schedule.at(-1)?.game_date).toBe("2025-04-13");
    const games = new Map<string, number>();
    const home = new Map<string, number>();
    for (const row of schedule) {
      const [h, a] = [row.home_team_tricode as string, row.away_team_tricode as string];
      expect(h).not.toBe(a);
      games.set(h, (games.get(h) ?? 0) + 1).set(a, (games.get(a) ?? 0) + 1);
      home.set(h, (home.get(h) ?? 0) + 1);
    }
    expect([...games.keys()].sort()).toEqual(TEAMS.map((team) => team.tricode).sort());
    for (const count of games.values()) expect(Math.abs(count - 82)).toBeLessThanOrEqual(2);
    for (const count of home.values()) expect(Math.abs(count - 41)).toBeLessThanOrEqual(2);
  });

  it("never gives a team two games on one day nor three days in a row; 5-15 games per game day; days off", () => {
    const byDate = groupBy(schedule, (row) => row.game_date as string);
    for (const [date, rows] of byDate) {
      expect(rows.length, date).toBeGreaterThanOrEqual(5);
      expect(rows.length, date).toBeLessThanOrEqual(15);
      const teams = rows.flatMap((row) => [row.home_team_tricode, row.away_team_tricode]);
      expect(new Set(teams).size, date).toBe(teams.length);
    }
    const datesOf = new Map<string, Set<string>>();
    for (const row of schedule) {
      for (const team of [row.home_team_tricode as string, row.away_team_tricode as string]) {
        const dates = datesOf.get(team) ?? new Set<string>();
        datesOf.set(team, dates.add(row.game_date as string));
      }
    }
    for (const [team, dates] of datesOf) {
      for (const date of dates) expect(dates.has(addDays(date, 1)) && dates.has(addDays(date, 2)), `${team} ${date}`).toBe(false);
    }
    // Thanksgiving, Christmas Eve and the All-Star break have no games.
    for (const date of ["2024-11-28", "2024-12-24", "2025-02-14", "2025-02-16", "2025-02-18"]) expect(byDate.has(date), date).toBe(false);
    expect(byDate.size).toBeGreaterThan(150);
  });

  it("numbers games 00224xxxxx in date order with game codes YYYYMMDD/AWAYHOME", () => {
    schedule.forEach((row, index) => {
      expect(row.game_id).toBe(`00224${String(index + 1).padStart(5, "0")}`);
      const date = (row.game_date as string).replaceAll("-", "");
      expect(row.game_code).toBe(`${date}/${row.away_team_tricode}${row.home_team_tricode}`);
      expect(row.season_year).toBe(2024);
      expect(row.is_regular_season).toBe(true);
      expect(row.game_date_est).toMatch(new RegExp(`^${row.game_date}T\\d\\d:\\d\\d:00Z$`));
    });
    const dates = schedule.map((row) => row.game_date as string);
    expect([...dates].sort()).toEqual(dates);
  });
});

describe("generateSeason: box scores of every game of the season", () => {
  const schedule = new Map(season.rows.nbac_schedule.map((row) => [row.game_id as string, row]));
  const teams = groupBy(season.rows.nbac_team_boxscore, (row) => row.game_id as string);
  const gamebook = groupBy(season.rows.nbac_gamebook_player_stats, (row) => `${row.game_id}|${row.team_abbr}`);

  it("has two team rows and a gamebook for every Final game, keyed YYYYMMDD_AWAY_HOME", () => {
    expect(teams.size).toBe(1230);
    for (const [gameId, rows] of teams) {
      expect(rows).toHaveLength(2);
      const scheduled = schedule.get(rows[0]?.nba_game_id as string) as RawRow;
      const date = (scheduled.game_date as string).replaceAll("-", "");
      expect(gameId).toBe(`${date}_${scheduled.away_team_tricode}_${scheduled.home_team_tricode}`);
      for (const row of rows) {
        expect(gamebook.get(`${gameId}|${row.team_abbr}`)?.length).toBeGreaterThanOrEqual(13);
        expect(row.processed_at).toBe(`${addDays(row.game_date as string, 1)}T06:00:00.000Z`);
      }
    }
  });

  it("keeps every active player's line consistent and every DNP/inactive line empty", () => {
    expectEvery(season.rows.nbac_gamebook_player_stats, (row) => {
      const where = `${row.game_id} ${row.player_lookup}`;
      if (row.player_lookup !== playerLookup(row.player_name as string)) return `${where}: lookup of ${row.player_name}`;
      if (row.player_status === "active") {
        for (const column of [...PLAYER_COUNTING, "total_rebounds", "plus_minus"]) {
          if (typeof row[column] !== "number") return `${where}: ${column} is ${row[column]}`;
        }
        if (PLAYER_COUNTING.some((column) => num(row, column) < 0)) return `${where}: negative stat`;
        if (num(row, "field_goals_made") > num(row, "field_goals_attempted")) return `${where}: FGM > FGA`;
        if (num(row, "three_pointers_made") > num(row, "three_pointers_attempted")) return `${where}: 3PM > 3PA`;
        if (num(row, "three_pointers_made") > num(row, "field_goals_made")) return `${where}: 3PM > FGM`;
        if (num(row, "three_pointers_attempted") > num(row, "field_goals_attempted")) return `${where}: 3PA > FGA`;
        if (num(row, "free_throws_made") > num(row, "free_throws_attempted")) return `${where}: FTM > FTA`;
        if (num(row, "points") !== 2 * num(row, "field_goals_made") + num(row, "three_pointers_made") + num(row, "free_throws_made")) {
          return `${where}: points`;
        }
        if (num(row, "offensive_rebounds") + num(row, "defensive_rebounds") !== num(row, "total_rebounds")) return `${where}: rebounds`;
        if (num(row, "personal_fouls") > 6) return `${where}: more than 6 fouls`;
        if (!(seconds(row.minutes as string) > 0)) return `${where}: active without minutes`;
        if (row.dnp_reason !== null) return `${where}: active with a DNP reason`;
        return undefined;
      }
      if (row.player_status !== "dnp" && row.player_status !== "inactive") return `${where}: status ${row.player_status}`;
      const filled = [...PLAYER_COUNTING, "total_rebounds", "plus_minus", "minutes"].filter((column) => row[column] !== null);
      if (filled.length > 0) return `${where}: ${row.player_status} with ${filled.join(", ")}`;
      if (typeof row.dnp_reason !== "string" || row.dnp_reason === "") return `${where}: no reason`;
      const prefixed = /^(DNP|NWT) - /.test(row.dnp_reason);
      if (prefixed !== (row.player_status === "dnp")) return `${where}: ${row.player_status} reason "${row.dnp_reason}"`;
      return undefined;
    });
  });

  it("makes team totals the sums of their players (turnovers at least), minutes 240/265/290, +/- the margin", () => {
    expectEvery(teams, ([gameId, rows]) => {
      const [away, home] = rows as [RawRow, RawRow];
      if (away.is_home !== false || home.is_home !== true) return `${gameId}: home/away`;
      if (num(away, "plus_minus") + num(home, "plus_minus") !== 0) return `${gameId}: plus_minus does not sum to 0`;
      if (num(home, "plus_minus") !== num(home, "points") - num(away, "points")) return `${gameId}: plus_minus is not the margin`;
      if (num(home, "points") === num(away, "points")) return `${gameId}: tie`;
      if (away.minutes !== home.minutes) return `${gameId}: team minutes differ`;
      const teamMinutes = Number((home.minutes as string).replace(/:00$/, ""));
      if (![240, 265, 290, 315].includes(teamMinutes)) return `${gameId}: team minutes ${home.minutes}`;
      for (const team of rows) {
        const where = `${gameId} ${team.team_abbr}`;
        const active = (gamebook.get(`${gameId}|${team.team_abbr}`) as RawRow[]).filter((row) => row.player_status === "active");
        if (active.length < 8) return `${where}: ${active.length} players`;
        const sum = (column: string) => active.reduce((total, row) => total + num(row, column), 0);
        for (const [column, teamColumn] of Object.entries(TEAM_COLUMN_FOR)) {
          if (num(team, teamColumn) !== sum(column)) return `${where}: ${teamColumn} ${team[teamColumn]} != players ${sum(column)}`;
        }
        const teamOwnTurnovers = num(team, "turnovers") - sum("turnovers");
        if (teamOwnTurnovers < 0 || teamOwnTurnovers > 3) return `${where}: team turnovers ${teamOwnTurnovers}`;
        if (num(team, "total_rebounds") !== num(team, "offensive_rebounds") + num(team, "defensive_rebounds")) return `${where}: REB`;
        if (num(team, "points") !== 2 * num(team, "fg_made") + num(team, "three_pt_made") + num(team, "ft_made")) return `${where}: points`;
        const playerSeconds = active.map((row) => seconds(row.minutes as string));
        if (playerSeconds.reduce((a, b) => a + b, 0) !== teamMinutes * 60) return `${where}: player minutes do not add up`;
        if (playerSeconds.some((value) => value > (teamMinutes / 5) * 60)) return `${where}: a player played more than the game`;
        // Five players on the floor: the players' plus/minus add up to five times the margin.
        if (sum("plus_minus") !== 5 * num(team, "plus_minus")) return `${where}: players' plus/minus ${sum("plus_minus")}`;
      }
      return undefined;
    });
  });

  it("matches the schedule: status 3 Final, the box-score scores and winner", () => {
    expectEvery(teams.values(), (rows) => {
      const [away, home] = rows as [RawRow, RawRow];
      const scheduled = schedule.get(home.nba_game_id as string) as RawRow;
      const winner = num(home, "points") > num(away, "points") ? home.team_abbr : away.team_abbr;
      const expected = [3, "Final", home.points, away.points, winner];
      const actual = [scheduled.game_status, scheduled.game_status_text, scheduled.home_team_score, scheduled.away_team_score, scheduled.winning_team_tricode];
      return JSON.stringify(actual) !== JSON.stringify(expected) && `${home.game_id}: schedule ${JSON.stringify(actual)}, box score ${JSON.stringify(expected)}`;
    });
  });

  it("stays in realistic ranges", () => {
    const regulation = season.rows.nbac_team_boxscore.filter((row) => row.minutes === "240:00");
    const points = regulation.map((row) => num(row, "points"));
    expect(Math.min(...points)).toBeGreaterThanOrEqual(85);
    expect(Math.max(...points)).toBeLessThanOrEqual(145);
    const mean = points.reduce((a, b) => a + b, 0) / points.length;
    expect(mean).toBeGreaterThan(108);
    expect(mean).toBeLessThan(120);
    for (const row of regulation) {
      expect(num(row, "fg_attempted")).toBeGreaterThanOrEqual(80);
      expect(num(row, "fg_attempted")).toBeLessThanOrEqual(110);
    }
    const minutes = season.rows.nbac_gamebook_player_stats.filter((row) => row.minutes !== null).map((row) => seconds(row.minutes as string) / 60);
    expect(Math.max(...minutes)).toBeGreaterThan(40);
    expect(Math.min(...minutes)).toBeLessThan(5);
  });

  it("sends about 6 % of games to overtime", () => {
    const overtime = season.games.filter((game) => game.overtimePeriods > 0).length;
    expect(overtime / season.games.length).toBeGreaterThan(0.03);
    expect(overtime / season.games.length).toBeLessThan(0.1);
  });

  it("lists every rostered player in the gamebook: active, DNP with reasons of every category, inactive", () => {
    const rows = season.rows.nbac_gamebook_player_stats;
    const byStatus = groupBy(rows, (row) => row.player_status as string);
    expect([...byStatus.keys()].sort()).toEqual(["active", "dnp", "inactive"]);
    expect(rows.length / 2460).toBeGreaterThanOrEqual(15);
    expect(rows.length).toBeGreaterThan(40_000);
    const categories = new Set(
      rows
        .filter((row) => row.dnp_reason)
        .map((row) => constants.DNP_REASON_CATEGORIES.find(({ keywords }) => keywords.some((word) => (row.dnp_reason as string).toLowerCase().includes(word)))?.category ?? "other"),
    );
    expect([...categories].sort()).toEqual(["coach_decision", "injury", "other", "personal", "rest"]);
    expect(rows.some((row) => row.dnp_reason === "DNP - Coach's Decision")).toBe(true);
    expect(rows.some((row) => /^NWT - Injury\/Illness - (Left|Right) \w+; \w+/.test(row.dnp_reason as string))).toBe(true);
  });

  it("gives each player one row per date, one key per name, names that exercise normalisation, and a few trades", () => {
    const rows = season.rows.nbac_gamebook_player_stats;
    const perDate = groupBy(rows, (row) => `${row.game_date}|${row.player_lookup}`);
    for (const [key, group] of perDate) expect(group.length, key).toBe(1);
    const namesByLookup = groupBy(rows, (row) => row.player_lookup as string);
    const teamsByLookup = new Map<string, Set<string>>();
    for (const [lookup, group] of namesByLookup) {
      expect(new Set(group.map((row) => row.player_name)).size, lookup).toBe(1);
      teamsByLookup.set(lookup, new Set(group.map((row) => row.team_abbr as string)));
    }
    expect(namesByLookup.size).toBe(30 * 18);
    const names = [...namesByLookup.values()].map((group) => group[0]?.player_name as string);
    expect(names.filter((name) => /[^\x20-\x7e]/.test(name)).length).toBeGreaterThan(10);
    expect(names.some((name) => / Jr\.$/.test(name))).toBe(true);
    expect(names.some((name) => name.includes("'"))).toBe(true);
    const traded = [...teamsByLookup.values()].filter((set) => set.size > 1);
    expect(traded.length).toBeGreaterThanOrEqual(2);
    for (const set of teamsByLookup.values()) expect(set.size).toBeLessThanOrEqual(2);
  });

  it("copies the gamebook into NBA.com player box scores (players who appeared, five starters)", () => {
    const active = season.rows.nbac_gamebook_player_stats.filter((row) => row.player_status === "active");
    const box = season.rows.nbac_player_boxscores;
    expect(box).toHaveLength(active.length);
    expectEvery(box.keys(), (index) => {
      const [row, book] = [box[index] as RawRow, active[index] as RawRow];
      const columns = ["game_id", "player_lookup", "team_abbr", "minutes", ...PLAYER_COUNTING, "total_rebounds", "plus_minus"];
      const different = columns.filter((column) => row[column] !== book[column]);
      return different.length > 0 && `${row.game_id} ${row.player_lookup}: ${different.join(", ")}`;
    });
    expectEvery(groupBy(box, (row) => `${row.game_id}|${row.team_abbr}`), ([key, group]) => {
      const starters = group.filter((row) => row.starter).length;
      return starters !== 5 && `${key}: ${starters} starters`;
    });
  });

  it("writes balldontlie rows for dressed players, whole minutes adding up, '00' and zeros for DNPs", () => {
    const dressed = season.rows.nbac_gamebook_player_stats.filter((row) => row.player_status !== "inactive");
    const bdl = season.rows.bdl_player_boxscores;
    expect(bdl).toHaveLength(dressed.length);
    expectEvery(groupBy(bdl, (row) => `${row.game_id}|${row.team_abbr}`), ([key, group]) => {
      const total = group.reduce((sum, row) => sum + Number(row.minutes), 0);
      const expected = 5 * (48 + 5 * (num(group[0] as RawRow, "period") - 4));
      return total !== expected && `${key}: ${total} minutes, expected ${expected}`;
    });
    expectEvery(bdl.keys(), (index) => {
      const [row, book] = [bdl[index] as RawRow, dressed[index] as RawRow];
      const where = `${row.game_id} ${row.player_lookup}`;
      if (row.player_lookup !== book.player_lookup || !/^\d\d$/.test(row.minutes as string)) return `${where}: ${row.minutes}`;
      if (book.player_status === "dnp") return (row.minutes !== "00" || row.points !== 0 || row.rebounds !== 0) && `${where}: DNP with minutes or stats`;
      if (Number(row.minutes) === 0) return `${where}: played with "00" minutes`;
      return (row.points !== book.points || row.rebounds !== book.total_rebounds || row.steals !== book.steals) && `${where}: stats differ`;
    });
  });
});

describe("generateSeason: options", () => {
  function boxScoreGames(generated: GeneratedSeason, table: SeededTableName): Set<string> {
    return new Set(generated.rows[table].map((row) => row.game_id as string));
  }

  it("leaves the N latest Final games without any box-score row, still Final in the schedule", () => {
    const generated = generateSeason({ ...SEASON, ...WEEK, missing: { latest: 3 } });
    const missing = generated.games.filter((game) => game.boxScoreMissing);
    expect(missing.map((game) => game.nbaGameId)).toEqual(generated.games.slice(-3).map((game) => game.nbaGameId));
    for (const table of ["nbac_team_boxscore", "nbac_gamebook_player_stats", "nbac_player_boxscores", "bdl_player_boxscores"] as const) {
      const present = boxScoreGames(generated, table);
      expect(present.size, table).toBe(generated.games.length - 3);
      for (const game of missing) expect(present.has(game.gameId), table).toBe(false);
    }
    // Nor play-by-play, which arrives from the same games.
    const withPlayByPlay = new Set([...boxScoreGames(generated, "nbac_play_by_play"), ...boxScoreGames(generated, "bigdataball_play_by_play")]);
    expect(withPlayByPlay.size).toBe(generated.games.length - 3);
    for (const game of missing) expect(withPlayByPlay.has(game.gameId)).toBe(false);
    const schedule = new Map(generated.rows.nbac_schedule.map((row) => [row.game_id, row]));
    for (const game of missing) {
      expect(schedule.get(game.nbaGameId)?.game_status).toBe(3);
      expect(schedule.get(game.nbaGameId)?.home_team_score).toBe(game.homeScore);
    }
    // Everything else is exactly the week without the option.
    const plain = generateSeason({ ...SEASON, ...WEEK });
    expect(generated.rows.nbac_schedule).toEqual(plain.rows.nbac_schedule);
  });

  it("leaves out listed games by NBA.com or system id, and refuses games outside the range", () => {
    const plain = generateSeason({ ...SEASON, ...WEEK });
    const [first, second] = plain.games as [GeneratedSeason["games"][number], GeneratedSeason["games"][number]];
    const generated = generateSeason({ ...SEASON, ...WEEK, missing: { games: [first.nbaGameId, second.gameId] } });
    expect(generated.games.filter((game) => game.boxScoreMissing).map((game) => game.nbaGameId)).toEqual([first.nbaGameId, second.nbaGameId]);
    expect(boxScoreGames(generated, "nbac_team_boxscore").has(first.gameId)).toBe(false);
    expect(() => generateSeason({ ...SEASON, ...WEEK, missing: { games: ["0022400001"] } })).toThrow(BadInputError);
    expect(() => generateSeason({ ...SEASON, ...WEEK, missing: { latest: 500 } })).toThrow(/Final games/);
  });

  it("leaves out about the given share of games with --missing-rate", () => {
    const generated = generateSeason({ ...SEASON, missing: { rate: 0.05 }, tables: ["nbac_team_boxscore"] });
    const share = generated.games.filter((game) => game.boxScoreMissing).length / generated.games.length;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.07);
    expect(boxScoreGames(generated, "nbac_team_boxscore").size).toBe(generated.games.filter((game) => !game.boxScoreMissing).length);
  });

  it("schedules the games after --today: status 1, no score, no box score", () => {
    const generated = generateSeason({ ...SEASON, ...WEEK, today: "2025-01-16" });
    for (const row of generated.rows.nbac_schedule) {
      if ((row.game_date as string) <= "2025-01-16") {
        expect(row.game_status).toBe(3);
      } else {
        expect(row.game_status).toBe(1);
        expect(row.game_status_text).toBe("Scheduled");
        expect([row.home_team_score, row.away_team_score, row.winning_team_tricode]).toEqual([0, 0, null]);
        expect(row.processed_at).toBe("2025-01-17T06:00:00.000Z");
      }
    }
    const played = generated.rows.nbac_team_boxscore.map((row) => row.game_date as string);
    expect(played.length).toBeGreaterThan(0);
    expect(played.every((date) => date <= "2025-01-16")).toBe(true);
    // The games that were played are the same as in a fully played week.
    const full = generateSeason({ ...SEASON, ...WEEK });
    expect(generated.rows.nbac_team_boxscore).toEqual(inRange(full.rows.nbac_team_boxscore, WEEK.start, "2025-01-16"));
  });

  it("refuses a range outside the season", () => {
    expect(() => generateSeason({ ...SEASON, start: "2025-09-01", end: "2025-10-30" })).toThrow(BadInputError);
    expect(() => generateSeason({ ...SEASON, start: "2025-01-20", end: "2025-01-10" })).toThrow(BadInputError);
  });

  it("seeds other seasons with their own calendar and ids", () => {
    const other = generateSeason({ seasonYear: 2025, seed: 1, start: "2025-10-21", end: "2025-10-31" });
    expect(other.rows.nbac_schedule[0]?.game_id).toBe("0022500001");
    expect(other.rows.nbac_schedule[0]?.game_date).toBe("2025-10-21");
    expect(other.rows.nbac_team_boxscore.every((row) => row.season_year === 2025)).toBe(true);
  });
});

describe("generateSeason: game lines and injury reports", () => {
  const games = season.rows.nbac_schedule;
  const lines = groupBy(season.rows.odds_api_game_lines, (row) => `${String(row.game_date)}/${String(row.away_team_abbr)}/${String(row.home_team_abbr)}`);
  const reports = groupBy(season.rows.nbac_injury_report, (row) => String(row.game_id));

  it("gives every game a pre-tip spread and total from DraftKings or FanDuel, and an in-game snapshot only once played", () => {
    expectEvery(games, (game) => {
      const id = `${String(game.game_date)}/${String(game.away_team_tricode)}/${String(game.home_team_tricode)}`;
      const rows = lines.get(id) ?? [];
      const preTip = rows.filter((row) => num(row, "minutes_before_tipoff") >= 0 && ["draftkings", "fanduel"].includes(String(row.bookmaker_key)));
      if (!preTip.some((row) => row.market_key === "spreads") || !preTip.some((row) => row.market_key === "totals")) return `${id}: no pre-tip line`;
      const inGame = rows.filter((row) => num(row, "minutes_before_tipoff") < 0);
      if ((inGame.length > 0) !== (game.game_status === 3)) return `${id}: in-game snapshots ${inGame.length}, status ${String(game.game_status)}`;
      return undefined;
    });
  });

  it("writes lines as the loader does: opposite spreads, minutes to tip-off from the timestamps, the Eastern date", () => {
    expectEvery(groupBy(season.rows.odds_api_game_lines, (row) => `${String(row.game_id)}/${String(row.snapshot_timestamp)}/${String(row.bookmaker_key)}`).values(), (snapshot) => {
      const spreads = snapshot.filter((row) => row.market_key === "spreads").map((row) => num(row, "outcome_point"));
      const first = snapshot[0] as RawRow;
      const minutes = Math.floor((Date.parse(String(first.commence_time)) - Date.parse(String(first.snapshot_timestamp))) / 60_000);
      const eastern = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date(String(first.commence_time)));
      if (spreads.length !== 2 || spreads[0] !== -(spreads[1] as number)) return `${String(first.game_id)}: spreads ${spreads.join(", ")}`;
      if (minutes !== first.minutes_before_tipoff) return `${String(first.game_id)}: ${minutes} minutes, row says ${String(first.minutes_before_tipoff)}`;
      return eastern !== first.game_date && `${String(first.game_id)}: commence ${String(first.commence_time)} is not on ${String(first.game_date)} in New York`;
    });
  });

  it("lists every game on an injury report, every inactive gamebook player Out on game day, names printed Last, First", () => {
    const gameDay = (rows: RawRow[]) => rows.filter((row) => row.report_date === row.game_date);
    expectEvery(games, (game) => ((reports.get(`${String(game.game_date).replaceAll("-", "")}_${String(game.away_team_tricode)}_${String(game.home_team_tricode)}`) ?? []).length === 0 ? `${String(game.game_id)}: no report` : undefined));
    const inactive = season.rows.nbac_gamebook_player_stats.filter((row) => row.player_status === "inactive");
    expect(inactive.length).toBeGreaterThan(1000);
    expectEvery(inactive, (row) => {
      const listed = gameDay(reports.get(String(row.game_id)) ?? []).find((report) => report.player_lookup === row.player_lookup);
      return (listed?.injury_status !== "out" || listed.team !== row.team_abbr) && `${String(row.game_id)} ${String(row.player_lookup)}: ${JSON.stringify(listed ?? null)}`;
    });
    expectEvery(season.rows.nbac_injury_report, (row) => {
      const printed = String(row.player_name_original);
      const comma = printed.indexOf(", ");
      const reordered = `${printed.slice(comma + 2)} ${printed.slice(0, comma)}`;
      if (comma < 0 || playerLookup(reordered) !== row.player_lookup) return `${printed} does not normalise to ${String(row.player_lookup)}`;
      if (![row.game_date, addDays(String(row.game_date), -1)].includes(row.report_date)) return `${printed}: report of ${String(row.report_date)} for ${String(row.game_date)}`;
      return !["out", "questionable", "doubtful", "probable"].includes(String(row.injury_status)) && `${printed}: status ${String(row.injury_status)}`;
    });
  });
});
