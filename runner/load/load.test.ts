/**
 * End to end: real payload files into a real DuckDB warehouse (in memory, or a temporary file for
 * the command), one transaction, reload idempotence, nothing written when any file is bad.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadCommand } from "../cli/commands/load.ts";
import type { CliIO } from "../cli/options.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import type { Engine } from "../engines/engine.ts";
import { BadInputError } from "../errors.ts";
import { loadFiles, summaryText } from "./load.ts";
import { rawTableRef, type RawTableName } from "./raw_tables.ts";
import { boxscorePayload, fixturePath, PROCESSED_AT, readFixture } from "./test_support.ts";

const BDL = fixturePath("bdl_box_scores_2024-01-15.json");
const GAMEBOOK = fixturePath("nbac_gamebook_20240410_MEMCLE.json");
const SCHEDULE = fixturePath("nbac_schedule_2024-25.json");
const GAMELOG = fixturePath("nbac_leaguegamelog_2025-03-15.json");
const LINES = fixturePath("oddsa_game_lines_2024-01-24_ATLGSW.json");
const INJURIES = fixturePath("nbac_injury_report_2024-01-04_12PM.json");
const ESPN = fixturePath("espn_scoreboard_2024-01-15.json");
const TRAVEL = fixturePath("nba_static_travel_distances.csv");

let scratch: string;
let boxscoreFile: string;
let badBdlFile: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "runner-load-"));
  boxscoreFile = path.join(scratch, "boxscore_0022400561.json");
  fs.writeFileSync(boxscoreFile, JSON.stringify(boxscorePayload()));
  const bad = readFixture("bdl_box_scores_2024-01-15.json") as { data: { home_team: { players: { min: string }[] } }[] };
  (bad.data[3]?.home_team.players[5] as { min: string }).min = "abc";
  badBdlFile = path.join(scratch, "bdl_box_scores_bad.json");
  fs.writeFileSync(badBdlFile, JSON.stringify(bad));
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("loadFiles", () => {
  let engine: Engine;

  beforeEach(async () => {
    engine = await openDuckDBEngine({ path: ":memory:" });
  });

  afterEach(async () => {
    await engine.close();
  });

  async function count(table: RawTableName): Promise<number> {
    const [row] = await engine.query(`SELECT COUNT(*) AS n FROM ${engine.qualify(rawTableRef(table))}`);
    return Number(row?.n);
  }

  it("loads the real payloads into their raw tables and says how many rows went where", async () => {
    const summary = await loadFiles(engine, [BDL, GAMEBOOK, SCHEDULE, GAMELOG], { processedAt: PROCESSED_AT });
    expect(summary.files.map((file) => [file.format, file.tables.map((table) => `${table.table}=${table.rows}`)])).toEqual([
      // Player rows also register their players, teams and seasons not yet in the registry (registry.ts).
      ["bdl-boxscores", ["bdl_player_boxscores=384", "nba_players_registry=384"]],
      ["nbac-gamebook", ["nbac_gamebook_player_stats=41", "nba_players_registry=9"]],
      ["nbac-schedule", ["nbac_schedule=1400"]],
      ["nbac-leaguegamelog", ["nbac_player_boxscores=157", "nba_players_registry=157"]],
    ]);
    expect([await count("bdl_player_boxscores"), await count("nbac_gamebook_player_stats"), await count("nbac_schedule"), await count("nbac_player_boxscores")]).toEqual([
      384, 41, 1400, 157,
    ]);
    const [batum] = await engine.query(
      `SELECT game_id, game_date, season_year, minutes, points, player_lookup, source_file_path, processed_at
       FROM ${engine.qualify(rawTableRef("bdl_player_boxscores"))} WHERE bdl_player_id = 33`,
    );
    expect(batum).toEqual({
      game_id: "20240115_HOU_PHI",
      game_date: "2024-01-15",
      season_year: 2023,
      minutes: "28",
      points: 5,
      player_lookup: "nicolasbatum",
      source_file_path: BDL,
      processed_at: PROCESSED_AT,
    });
    const [inactive] = await engine.query(
      `SELECT COUNT(*) AS n FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))} WHERE player_status = 'inactive' AND points IS NULL`,
    );
    expect(Number(inactive?.n)).toBe(14);
    expect(summaryText(summary)).toContain(
      `  ${BDL} (bdl-boxscores)\n    bdl_player_boxscores                  384 rows\n    nba_reference.nba_players_registry    384 rows added\n`,
    );
  });

  it("loads the game lines, injury report, ESPN scoreboard and travel table, the last into nba_static", async () => {
    const summary = await loadFiles(engine, [LINES, INJURIES, ESPN, TRAVEL], { processedAt: PROCESSED_AT });
    expect(summary.files.map((file) => [file.format, file.tables.map((table) => `${table.table}=${table.rows}`)])).toEqual([
      ["odds-api-game-lines", ["odds_api_game_lines=8"]],
      ["nbac-injury-report", ["nbac_injury_report=14"]],
      ["espn-scoreboard", ["espn_scoreboard=11"]],
      ["travel-distances", ["travel_distances=870"]],
    ]);
    expect(rawTableRef("travel_distances")).toEqual({ dataset: "nba_static", table: "travel_distances" });
    expect([await count("odds_api_game_lines"), await count("nbac_injury_report"), await count("espn_scoreboard"), await count("travel_distances")]).toEqual([
      8, 14, 11, 870,
    ]);
    expect(summaryText(summary)).toContain(`  ${TRAVEL} (travel-distances)\n    nba_static.travel_distances    870 rows`);
  });

  it("replaces the whole travel table with each load, whatever file it came from", async () => {
    await loadFiles(engine, [TRAVEL], { processedAt: PROCESSED_AT });
    const copy = path.join(scratch, "travel_copy.csv");
    fs.writeFileSync(copy, fs.readFileSync(TRAVEL, "utf8").split("\n").slice(0, 11).join("\n"));
    const again = await loadFiles(engine, [copy], { processedAt: "2025-02-01T00:00:00Z" });
    expect(again.files[0]?.tables).toEqual([{ table: "travel_distances", rows: 10, replaced: 870 }]);
    expect(await count("travel_distances")).toBe(10);
  });

  it("replaces a file's earlier rows when it is loaded again", async () => {
    await loadFiles(engine, [BDL], { processedAt: "2024-01-16T08:00:00Z" });
    const again = await loadFiles(engine, [BDL], { processedAt: "2024-01-16T10:00:00Z" });
    expect(again.files[0]?.tables).toEqual([
      { table: "bdl_player_boxscores", rows: 384, replaced: 384 },
      { table: "nba_players_registry", rows: 0, replaced: 0 },
    ]);
    expect(await count("bdl_player_boxscores")).toBe(384);
    const stamps = await engine.query(`SELECT DISTINCT processed_at FROM ${engine.qualify(rawTableRef("bdl_player_boxscores"))}`);
    expect(stamps).toEqual([{ processed_at: "2024-01-16T10:00:00.000Z" }]);
  });

  it("writes nothing when any file is bad, and names the file, the position and the reason", async () => {
    await loadFiles(engine, [GAMEBOOK], { processedAt: PROCESSED_AT });
    const failure = loadFiles(engine, [BDL, badBdlFile, GAMEBOOK], { processedAt: "2025-02-01T00:00:00Z" });
    await expect(failure).rejects.toBeInstanceOf(BadInputError);
    await expect(failure).rejects.toThrow(
      `1 of 3 files cannot be loaded; nothing was written:\n  ${badBdlFile}: data[3].home_team.players[5].min: expected minutes like "28" or "28:30", got "abc"`,
    );
    // Every raw table exists (a load creates them all), but the good files of the call wrote nothing.
    expect(await engine.listTables("nba_raw")).toHaveLength(14);
    expect(await engine.listTables("nba_static")).toHaveLength(1);
    expect(await engine.listTables("nba_reference")).toHaveLength(2);
    expect(await count("bdl_player_boxscores")).toBe(0);
    const stamps = await engine.query(`SELECT DISTINCT processed_at FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))}`);
    expect(stamps).toEqual([{ processed_at: PROCESSED_AT }]);
  });

  it("rolls back every file of the call when a write fails midway", async () => {
    await loadFiles(engine, [GAMEBOOK], { processedAt: PROCESSED_AT });
    // The real engine, except that its second insert fails (after the first file was written and
    // the second file's earlier rows deleted).
    let inserts = 0;
    const failing = new Proxy(engine, {
      get(target, property) {
        if (property === "insertRows") {
          return async (...args: Parameters<Engine["insertRows"]>) => {
            inserts += 1;
            if (inserts === 2) throw new Error("disk full");
            return target.insertRows(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await expect(loadFiles(failing, [BDL, GAMEBOOK], { processedAt: "2025-02-01T00:00:00Z" })).rejects.toThrow("disk full");
    expect(await count("bdl_player_boxscores")).toBe(0);
    const stamps = await engine.query(
      `SELECT processed_at, COUNT(*) AS n FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))} GROUP BY processed_at`,
    );
    expect(stamps).toEqual([{ processed_at: PROCESSED_AT, n: 41 }]);
  });

  it("reports unreadable files, unknown shapes and a format that does not fit", async () => {
    const notJson = path.join(scratch, "not_json.json");
    const unknown = path.join(scratch, "unknown.json");
    fs.writeFileSync(notJson, "{");
    fs.writeFileSync(unknown, JSON.stringify({ events: [] }));
    const missing = path.join(scratch, "missing.json");
    await expect(loadFiles(engine, [missing, notJson, unknown])).rejects.toThrow(
      new RegExp(`^3 of 3 files cannot be loaded; nothing was written:\\n  ${missing}: no such file\\n  ${notJson}: not valid JSON: .+\\n  ${unknown}: cannot tell the format: the payload is an object with keys events`),
    );
    await expect(loadFiles(engine, [SCHEDULE], { format: "bdl-boxscores" })).rejects.toThrow(`${SCHEDULE}: data: missing (expected array)`);
  });

  it("takes a boxscore's date and sides from nbac_schedule in the warehouse", async () => {
    await loadFiles(engine, [SCHEDULE], { processedAt: PROCESSED_AT });
    const summary = await loadFiles(engine, [boxscoreFile], { processedAt: PROCESSED_AT });
    expect(summary.files[0]).toMatchObject({
      format: "nbac-boxscore",
      tables: [
        { table: "nbac_player_boxscores", rows: 3, replaced: 0 },
        { table: "nbac_team_boxscore", rows: 2, replaced: 0 },
        { table: "nba_players_registry", rows: 3, replaced: 0 },
      ],
      notes: ["1 PlayerStats rows without minutes (did not play) not written: nbac_player_boxscores holds players who appeared"],
    });
    const teams = await engine.query(
      `SELECT game_id, team_abbr, is_home, minutes, points, plus_minus FROM ${engine.qualify(rawTableRef("nbac_team_boxscore"))} ORDER BY team_abbr`,
    );
    expect(teams).toEqual([
      { game_id: "20250115_NYK_PHI", team_abbr: "NYK", is_home: false, minutes: "265:00", points: 125, plus_minus: 6 },
      { game_id: "20250115_NYK_PHI", team_abbr: "PHI", is_home: true, minutes: "265:00", points: 119, plus_minus: -6 },
    ]);
  });

  it("takes a boxscore's game from a schedule loaded in the same call, or from --game-date and --home", async () => {
    await expect(loadFiles(engine, [boxscoreFile])).rejects.toThrow("carries no date and nbac_schedule has no row for it");
    expect(await engine.listTables("nba_raw")).toEqual([]);
    const together = await loadFiles(engine, [boxscoreFile, SCHEDULE]);
    expect(together.files.map((file) => file.format)).toEqual(["nbac-boxscore", "nbac-schedule"]);
    expect(await count("nbac_team_boxscore")).toBe(2);

    const other = await openDuckDBEngine({ path: ":memory:" });
    try {
      await loadFiles(other, [boxscoreFile], { gameDate: "2025-01-15", home: "PHI" });
      const [home] = await other.query(`SELECT team_abbr, game_id FROM ${other.qualify(rawTableRef("nbac_team_boxscore"))} WHERE is_home`);
      expect(home).toEqual({ team_abbr: "PHI", game_id: "20250115_NYK_PHI" });
    } finally {
      await other.close();
    }
  });

  it("refuses to write into a raw table that lacks a declared column", async () => {
    await engine.ensureDataset("nba_raw");
    await engine.execute(`CREATE TABLE ${engine.qualify(rawTableRef("nbac_schedule"))} (game_id STRING, game_date DATE)`);
    await expect(loadFiles(engine, [SCHEDULE])).rejects.toThrow(/^nba_raw\.nbac_schedule in the warehouse has no column game_code, season_year, game_date_est/);
  });

  it("checks its options before reading anything", async () => {
    await expect(loadFiles(engine, [BDL], { processedAt: "yesterday" })).rejects.toThrow('--processed-at: "yesterday" is not an ISO 8601 timestamp');
    await expect(loadFiles(engine, [BDL], { processedAt: "2025-01-16T09:00:00" })).rejects.toThrow("with a time zone");
    await expect(loadFiles(engine, [boxscoreFile], { gameDate: "2025-02-30" })).rejects.toThrow('--game-date: "2025-02-30" is not a calendar date');
    await expect(loadFiles(engine, [boxscoreFile], { home: "SEA" })).rejects.toThrow('--home: "SEA" is not an NBA team code');
    await expect(loadFiles(engine, [BDL], { format: "bdl-boxscores", home: "PHI" })).rejects.toThrow("--game-date and --home apply to nbac-boxscore, nbac-play-by-play, bigdataball-pbp files only, not bdl-boxscores");
  });
});

describe("runner load (command)", () => {
  it("prints a JSON summary and exits 0; the rows are in the warehouse file", async () => {
    const warehouse = path.join(scratch, "warehouse.duckdb");
    const out: string[] = [];
    const io: CliIO = { stdout: (text) => out.push(text), stderr: () => undefined };
    let exitCode: number | undefined;
    const command = loadCommand(io, (code) => (exitCode = code), () => openDuckDBEngine({ path: warehouse }));
    await command.parseAsync([GAMEBOOK, "--json", "--processed-at", "2025-01-16T09:00:00Z"], { from: "user" });
    expect(exitCode).toBe(0);
    expect(JSON.parse(out.join("\n"))).toEqual({
      dataset: "nba_raw",
      processed_at: PROCESSED_AT,
      files: [
        {
          file: GAMEBOOK,
          source_file_path: GAMEBOOK,
          format: "nbac-gamebook",
          tables: [
            { table: "nbac_gamebook_player_stats", rows: 41, replaced: 0 },
            { table: "nba_players_registry", rows: 27, replaced: 0 },
          ],
          notes: ["registry: 14 rows named by a last name only (as gamebooks list inactive players) not registered: a last name is no player's identity"],
        },
      ],
    });
    const engine = await openDuckDBEngine({ path: warehouse });
    try {
      const [row] = await engine.query(`SELECT COUNT(*) AS n FROM ${engine.qualify(rawTableRef("nbac_gamebook_player_stats"))}`);
      expect(Number(row?.n)).toBe(41);
    } finally {
      await engine.close();
    }
  });
});
