import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCommand } from "../cli/commands/seed.ts";
import type { CliIO } from "../cli/options.ts";
import { param, type Engine } from "../engines/engine.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import { BadInputError } from "../errors.ts";
import { rawTableRef } from "../load/raw_tables.ts";
import { generateSeason, SEEDED_TABLES, type SeededTableName } from "./generate.ts";
import { seedWarehouse } from "./seed.ts";

const TWO_WEEKS = { start: "2025-01-13", end: "2025-01-26" };
const OPTIONS = { seasonYear: 2024, seed: 42, ...TWO_WEEKS };

/** The rows of each seeded table in the dates, or all of them in the undated reference tables. */
async function counts(engine: Engine, start: string, end: string): Promise<Record<SeededTableName, number>> {
  const result = {} as Record<SeededTableName, number>;
  for (const table of SEEDED_TABLES) {
    const date = table === "espn_team_rosters" ? "roster_date" : table === "nba_players_registry" || table === "player_aliases" ? undefined : "game_date";
    const [row] = await engine.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${engine.qualify(rawTableRef(table))}${date ? ` WHERE ${date} BETWEEN @start AND @end` : ""}`,
      { params: date ? { start: param.date(start), end: param.date(end) } : {} },
    );
    result[table] = Number(row?.n);
  }
  return result;
}

function expectedCounts(options: Parameters<typeof generateSeason>[0]): Record<SeededTableName, number> {
  const season = generateSeason(options);
  return Object.fromEntries(SEEDED_TABLES.map((table) => [table, season.rows[table].length])) as Record<SeededTableName, number>;
}

describe("seedWarehouse on DuckDB", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openDuckDBEngine({ path: ":memory:" });
  });
  afterAll(async () => {
    await engine.close();
  });

  it("creates the raw tables and writes two weeks; seeding again replaces them without duplicates", async () => {
    const expected = expectedCounts(OPTIONS);
    expect(expected.nbac_schedule).toBeGreaterThan(80);

    const first = await seedWarehouse(engine, OPTIONS);
    expect(first.rows).toEqual(expected);
    expect(await counts(engine, TWO_WEEKS.start, TWO_WEEKS.end)).toEqual(expected);

    const second = await seedWarehouse(engine, OPTIONS);
    expect(second.rows).toEqual(expected);
    expect(await counts(engine, TWO_WEEKS.start, TWO_WEEKS.end)).toEqual(expected);
    const [duplicates] = await engine.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (
         SELECT game_id, player_lookup FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))}
         WHERE game_date BETWEEN @start AND @end
         GROUP BY game_id, player_lookup HAVING COUNT(*) > 1
       ) AS repeated`,
      { params: { start: param.date(TWO_WEEKS.start), end: param.date(TWO_WEEKS.end) } },
    );
    expect(Number(duplicates?.n)).toBe(0);
  });

  it("replaces only its own keys in the registry and the aliases: rows other loads wrote stay", async () => {
    const registry = engine.qualify(rawTableRef("nba_players_registry"));
    const aliases = engine.qualify(rawTableRef("player_aliases"));
    await engine.execute(
      `INSERT INTO ${registry} (universal_player_id, player_lookup, player_full_name, nba_person_id, team_abbr, season_year, first_seen_source, processed_at)
       VALUES ('jalenbrunson_001', 'jalenbrunson', 'Jalen Brunson', 1628973, 'NYK', 2024, 'nbac_player_list', TIMESTAMP '2025-01-01 06:00:00')`,
    );
    await engine.execute(`INSERT INTO ${aliases} (alias_lookup, nba_canonical_lookup, alias_type, is_active, processed_at) VALUES ('jbrunson', 'jalenbrunson', 'nickname', TRUE, TIMESTAMP '2025-01-01 06:00:00')`);
    const seeded = generateSeason({ ...OPTIONS, tables: ["nba_players_registry", "player_aliases"] });
    await seedWarehouse(engine, { ...OPTIONS, tables: ["nba_players_registry", "player_aliases"] });
    const [registryRows] = await engine.query<{ n: number; brunson: number; seeded: number }>(
      `SELECT COUNT(*) AS n, COUNTIF(player_lookup = 'jalenbrunson') AS brunson, COUNTIF(first_seen_source = 'espn_team_rosters') AS seeded FROM ${registry}`,
    );
    expect([Number(registryRows?.n), Number(registryRows?.brunson), Number(registryRows?.seeded)]).toEqual([seeded.rows.nba_players_registry.length + 1, 1, seeded.rows.nba_players_registry.length]);
    const [aliasRows] = await engine.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${aliases}`);
    expect(Number(aliasRows?.n)).toBe(seeded.rows.player_aliases.length + 1);
    await engine.execute(`DELETE FROM ${registry} WHERE player_lookup = 'jalenbrunson'`);
    await engine.execute(`DELETE FROM ${aliases} WHERE alias_lookup = 'jbrunson'`);
  });

  it("reseeds one week without touching the other, and keeps the box scores adding up in SQL", async () => {
    const week = { start: "2025-01-20", end: "2025-01-26" };
    const summary = await seedWarehouse(engine, { ...OPTIONS, ...week, missing: { latest: 2 } });
    expect(summary.games.missingBoxscores).toHaveLength(2);
    const firstWeek = await counts(engine, TWO_WEEKS.start, "2025-01-19");
    // The registry keeps the rows of both seeds (the same players here); the aliases are the season's.
    expect(firstWeek).toEqual(expectedCounts({ ...OPTIONS, end: "2025-01-19" }));
    const secondWeek = await counts(engine, week.start, week.end);
    expect(secondWeek.nbac_schedule).toBe(summary.rows.nbac_schedule);
    expect(secondWeek.nbac_team_boxscore).toBe(2 * (summary.games.final - 2));

    const mismatches = await engine.query(
      `SELECT team.game_id, team.team_abbr
       FROM ${engine.qualify(rawTableRef("nbac_team_boxscore"))} AS team
       INNER JOIN (
         SELECT game_id, team_abbr, SUM(points) AS points, SUM(field_goals_attempted) AS fga, COUNT(*) AS players
         FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))}
         WHERE game_date BETWEEN @start AND @end AND player_status = 'active'
         GROUP BY game_id, team_abbr
       ) AS players
         ON players.game_id = team.game_id AND players.team_abbr = team.team_abbr
       WHERE team.game_date BETWEEN @start AND @end
         AND (team.points != players.points OR team.fg_attempted != players.fga)`,
      { params: { start: param.date(TWO_WEEKS.start), end: param.date(TWO_WEEKS.end) } },
    );
    expect(mismatches).toEqual([]);
    const [schedule] = await engine.query<{ final: number; processed: string }>(
      `SELECT COUNTIF(game_status = 3) AS final, MIN(processed_at) AS processed
       FROM ${engine.qualify(rawTableRef("nbac_schedule"))} WHERE game_date = @day`,
      { params: { day: param.date("2025-01-15") } },
    );
    expect(Number(schedule?.final)).toBeGreaterThanOrEqual(5);
    expect(schedule?.processed).toBe("2025-01-16T06:00:00.000Z");
  });
});

describe("runner seed", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-seed-"));
  const warehouse = path.join(dir, "nba.duckdb");
  const out: string[] = [];
  const io: CliIO = { stdout: (text) => out.push(text), stderr: () => undefined };
  let exitCode: number | undefined;
  const run = async (args: string[], open = () => openDuckDBEngine({ path: warehouse })) => {
    out.length = 0;
    exitCode = undefined;
    await seedCommand(io, (code) => (exitCode = code), open).parseAsync(args, { from: "user" });
    return out.join("\n");
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("seeds the dates given and prints the rows per table, as JSON with --json", async () => {
    const week = generateSeason({ ...OPTIONS, end: "2025-01-19" });
    // One game named by its system id, one by its NBA.com id.
    const missing = [week.games[3]?.gameId as string, week.games[20]?.nbaGameId as string];
    const summary = JSON.parse(await run(["--start-date", "2025-01-13", "--end-date", "2025-01-19", "--missing-games", missing.join(","), "--json"])) as {
      rows: Record<string, number>;
      games: { missingBoxscores: string[] };
    };
    expect(exitCode).toBe(0);
    const expected = generateSeason({ ...OPTIONS, end: "2025-01-19", missing: { games: missing } });
    expect(summary.games.missingBoxscores).toHaveLength(2);
    expect(summary.rows.nbac_gamebook_player_stats).toBe(expected.rows.nbac_gamebook_player_stats.length);
    expect(summary.games.missingBoxscores).toEqual(expected.games.filter((game) => game.boxScoreMissing).map((game) => game.nbaGameId));
    const engine = await openDuckDBEngine({ path: warehouse });
    try {
      expect((await counts(engine, "2025-01-13", "2025-01-19")).nbac_team_boxscore).toBe(expected.rows.nbac_team_boxscore.length);
    } finally {
      await engine.close();
    }
  });

  it("writes only the schedule with --schedule-only, and nothing with --dry-run", async () => {
    const text = await run(["--date", "2025-02-03", "--schedule-only"]);
    expect(text).toMatch(/^Seeded nba_raw for 2025-02-03 /);
    expect(text).toMatch(/nbac_schedule\s+\d+ rows/);
    expect(text).not.toMatch(/nbac_team_boxscore/);
    const dry = await run(["--date", "2025-02-04", "--dry-run"], () => Promise.reject(new Error("a dry run must not open the warehouse")));
    expect(dry).toMatch(/^Dry run, nothing written/);
    expect(exitCode).toBe(0);
  });

  it("rejects bad options with the flag named", async () => {
    await expect(run(["--missing-rate", "2"])).rejects.toThrow(/--missing-rate: /);
    await expect(run(["--seed", "x", "--tables", "nope"])).rejects.toThrow(BadInputError);
    await expect(run(["--start-date", "2025-05-01", "--end-date", "2025-11-01"])).rejects.toThrow(/season/);
  });

  it("writes play-by-play, props, rosters and the registry with --tables", async () => {
    const tables = ["bigdataball_play_by_play", "bettingpros_player_points_props", "espn_team_rosters", "nba_players_registry"];
    const text = await run(["--date", "2025-02-05", "--tables", tables.join(",")]);
    for (const table of tables) expect(text).toMatch(new RegExp(`${table}\\s+[\\d,]+ rows`));
    expect(text).not.toMatch(/nbac_play_by_play|odds_api_player_points_props|nbac_schedule/);
    const expected = generateSeason({ ...OPTIONS, start: "2025-02-05", end: "2025-02-05" });
    const engine = await openDuckDBEngine({ path: warehouse });
    try {
      const [row] = await engine.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${engine.qualify(rawTableRef("espn_team_rosters"))} WHERE roster_date = @day`, {
        params: { day: param.date("2025-02-05") },
      });
      expect(Number(row?.n)).toBe(expected.rows.espn_team_rosters.length);
    } finally {
      await engine.close();
    }
  });

  it("writes game lines and injury reports with --tables, and refuses the tables it does not seed", async () => {
    const text = await run(["--date", "2025-02-05", "--tables", "odds_api_game_lines,nbac_injury_report"]);
    expect(text).toMatch(/odds_api_game_lines\s+[\d,]+ rows/);
    expect(text).toMatch(/nbac_injury_report\s+[\d,]+ rows/);
    expect(text).not.toMatch(/nbac_schedule/);
    await expect(run(["--date", "2025-02-05", "--tables", "travel_distances"])).rejects.toThrow(
      /runner seed does not write travel_distances: it writes nbac_schedule, .*odds_api_game_lines, nbac_injury_report/,
    );
  });
});
