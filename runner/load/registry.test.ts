/**
 * The player registry upkeep on a real DuckDB warehouse, through `runner load`: the real NBA.com
 * player index, league game log, gamebook and balldontlie box scores, and a hand-built case of two
 * different players sharing one lookup. Its statements are also checked as BigQuery SQL (ZetaSQL).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZetaSqlAnalyzer, zetaType } from "../../tests/bigquery/zetasql.ts";
import { bigQueryNames } from "../engines/bigquery/names.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import type { Engine } from "../engines/engine.ts";
import { loadFiles, summaryJson, summaryText, type LoadSummary } from "./load.ts";
import { rawTableRef, rawTables, type RawTableName } from "./raw_tables.ts";
import { registryStatements, type RegistrySource } from "./registry.ts";
import { fixturePath, PROCESSED_AT, readFixture } from "./test_support.ts";

const INDEX = fixturePath("nbac_player_list_2025-26.json");
const GAMELOG = fixturePath("nbac_leaguegamelog_2025-03-15.json");
const GAMEBOOK = fixturePath("nbac_gamebook_20240410_MEMCLE.json");
const BDL = fixturePath("bdl_box_scores_2024-01-15.json");

interface Envelope {
  parameters: Record<string, unknown>;
  resultSets: { headers: string[]; rowSet: unknown[][] }[];
}

interface RegistryRow {
  universal_player_id: string;
  player_lookup: string;
  nba_person_id: number | null;
  team_abbr: string;
  season_year: number;
  first_seen_source: string;
}

let scratch: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "runner-registry-"));
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function write(name: string, payload: unknown): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, JSON.stringify(payload));
  return file;
}

/** A player index of `season` listing only `players` ([person id, first, last, team]), in the real file's shape. */
function indexFile(name: string, season: string, players: [number, string, string, string][]): string {
  const payload = readFixture("nbac_player_list_2025-26.json") as Envelope;
  payload.parameters.Season = season;
  const set = payload.resultSets[0] as Envelope["resultSets"][number];
  const column = (header: string) => set.headers.indexOf(header);
  const template = set.rowSet[0] as unknown[];
  set.rowSet = players.map(([personId, first, last, team]) => {
    const row = [...template];
    row[column("PERSON_ID")] = personId;
    row[column("PLAYER_FIRST_NAME")] = first;
    row[column("PLAYER_LAST_NAME")] = last;
    row[column("TEAM_ABBREVIATION")] = team;
    return row;
  });
  return write(name, payload);
}

/** The registry rows added by the load, per file, as the summary reports them. */
function added(summary: LoadSummary): number[] {
  return summary.files.map((file) => file.tables.find((table) => table.table === "nba_players_registry")?.rows ?? -1);
}

describe("player registry upkeep", () => {
  let engine: Engine;

  beforeEach(async () => {
    engine = await openDuckDBEngine({ path: ":memory:" });
  });

  afterEach(async () => {
    await engine.close();
  });

  const registry = () =>
    engine.query<RegistryRow & Record<string, never>>(
      `SELECT universal_player_id, player_lookup, nba_person_id, team_abbr, season_year, first_seen_source
       FROM ${engine.qualify(rawTableRef("nba_players_registry"))}
       ORDER BY universal_player_id, season_year, team_abbr`,
    );
  const rowsOf = async (lookup: string) => (await registry()).filter((row) => row.player_lookup === lookup);

  it("registers every player of the real index under <player_lookup>_001 with its person id, and says so", async () => {
    const summary = await loadFiles(engine, [INDEX], { processedAt: PROCESSED_AT });
    expect(summaryJson(summary).files[0]?.tables).toEqual([
      { table: "nbac_player_list", rows: 594, replaced: 0 },
      { table: "nba_players_registry", rows: 594, replaced: 0 },
    ]);
    expect(summaryText(summary)).toContain("    nba_reference.nba_players_registry    594 rows added");
    const rows = await registry();
    expect(rows).toHaveLength(594);
    expect(rows.every((row) => row.universal_player_id === `${row.player_lookup}_001` && row.nba_person_id !== null && row.season_year === 2025)).toBe(true);
    expect(await rowsOf("nikolajokic")).toEqual([
      { universal_player_id: "nikolajokic_001", player_lookup: "nikolajokic", nba_person_id: 203999, team_abbr: "DEN", season_year: 2025, first_seen_source: "nbac_player_list" },
    ]);
  });

  it("keeps a player's id for every team and season, and adds nothing when the same files are loaded again", async () => {
    expect(added(await loadFiles(engine, [INDEX, GAMELOG], { processedAt: PROCESSED_AT }))).toEqual([594, 157]);
    // Desmond Bane: MEM in the 2024-25 game log, ORL in the 2025-26 index; one player, one id.
    expect((await rowsOf("desmondbane")).map((row) => [row.universal_player_id, row.nba_person_id, row.team_abbr, row.season_year])).toEqual([
      ["desmondbane_001", 1630217, "MEM", 2024],
      ["desmondbane_001", 1630217, "ORL", 2025],
    ]);
    // Damian Lillard is in the game log only: a new lookup, a new _001.
    expect(await rowsOf("damianlillard")).toMatchObject([{ universal_player_id: "damianlillard_001", nba_person_id: 203081, first_seen_source: "nbac_player_boxscores" }]);
    const again = await loadFiles(engine, [GAMELOG, INDEX], { processedAt: "2025-07-02T00:00:00Z" });
    expect(added(again)).toEqual([0, 0]);
    expect(again.files.flatMap((file) => file.notes)).toEqual([]);
    expect(await registry()).toHaveLength(751);
  });

  it("gives the person id to players first registered from a gamebook instead of a second id, and skips last names", async () => {
    const gamebook = await loadFiles(engine, [GAMEBOOK], { processedAt: PROCESSED_AT });
    // 41 rows: 27 named in full, 14 inactive players printed by last name only ("Bane").
    expect(added(gamebook)).toEqual([27]);
    expect(gamebook.files[0]?.notes).toEqual([
      "registry: 14 rows named by a last name only (as gamebooks list inactive players) not registered: a last name is no player's identity",
    ]);
    expect(await rowsOf("santialdama")).toMatchObject([{ universal_player_id: "santialdama_001", nba_person_id: null, team_abbr: "MEM", season_year: 2023 }]);
    expect(await rowsOf("bane")).toEqual([]);

    const index = await loadFiles(engine, [INDEX, BDL], { processedAt: PROCESSED_AT });
    expect(index.files[0]?.notes).toEqual(["registry: NBA.com person id filled in on 18 rows of players first registered without one"]);
    expect((await rowsOf("santialdama")).map((row) => [row.universal_player_id, row.nba_person_id, row.team_abbr, row.season_year])).toEqual([
      ["santialdama_001", 1630583, "MEM", 2023],
      ["santialdama_001", 1630583, "MEM", 2025],
    ]);
    // A source without person ids, after the index: the player's id and person id.
    expect(await rowsOf("jarenjacksonjr")).toMatchObject([
      { universal_player_id: "jarenjacksonjr_001", nba_person_id: 1628991, season_year: 2023, first_seen_source: "bdl_player_boxscores" },
      { universal_player_id: "jarenjacksonjr_001", nba_person_id: 1628991, season_year: 2025, first_seen_source: "nbac_player_list" },
    ]);
    expect((await registry()).filter((row) => !row.universal_player_id.endsWith("_001"))).toEqual([]);
  });

  it("tells two players with the same lookup apart by NBA.com person id, and invents nothing for a row without one", async () => {
    // Illustrative ids: two different Tony Mitchells, one in DET's 2013-14 index, one in MIL's 2014-15 index.
    const first = indexFile("index_2013-14.json", "2013-14", [[203183, "Tony", "Mitchell", "DET"]]);
    const second = indexFile("index_2014-15.json", "2014-15", [[203502, "Tony", "Mitchell", "MIL"]]);
    // The first Tony Mitchell again, in a game log of another team and season.
    const gamelog = readFixture("nbac_leaguegamelog_2025-03-15.json") as Envelope;
    const logSet = gamelog.resultSets[0] as Envelope["resultSets"][number];
    const logRow = logSet.rowSet[0] as unknown[];
    logRow[logSet.headers.indexOf("PLAYER_ID")] = 203183;
    logRow[logSet.headers.indexOf("PLAYER_NAME")] = "Tony Mitchell";
    logSet.rowSet = [logRow];
    const logFile = write("gamelog_tony.json", gamelog);
    const logTeam = logRow[logSet.headers.indexOf("TEAM_ABBREVIATION")] as string;
    // And a balldontlie row named Tony Mitchell: no person id, so either of them.
    const bdl = readFixture("bdl_box_scores_2024-01-15.json") as { data: { home_team: { abbreviation: string; players: { player: Record<string, unknown> }[] } }[] };
    bdl.data = bdl.data.slice(0, 1);
    const bdlGame = bdl.data[0] as (typeof bdl.data)[number];
    Object.assign((bdlGame.home_team.players[0] as { player: Record<string, unknown> }).player, { first_name: "Tony", last_name: "Mitchell" });
    const bdlFile = write("bdl_tony.json", bdl);

    await loadFiles(engine, [first], { processedAt: PROCESSED_AT });
    await loadFiles(engine, [second], { processedAt: PROCESSED_AT });
    const later = await loadFiles(engine, [logFile, bdlFile], { processedAt: PROCESSED_AT });
    expect((await rowsOf("tonymitchell")).map((row) => [row.universal_player_id, row.nba_person_id, row.team_abbr, row.season_year])).toEqual([
      ["tonymitchell_001", 203183, "DET", 2013],
      ["tonymitchell_001", 203183, logTeam, 2024],
      // The second person: _002, never the first one's id.
      ["tonymitchell_002", 203502, "MIL", 2014],
    ]);
    expect(later.files[1]?.notes).toEqual([
      `registry: 1 player not registered: their lookup names several players and the row has no NBA.com person id to tell which: tonymitchell (${bdlGame.home_team.abbreviation} 2023)`,
    ]);

    const again = await loadFiles(engine, [second, first, logFile, bdlFile], { processedAt: "2025-07-02T00:00:00Z" });
    expect(added(again)).toEqual([0, 0, 0, 0]);
    expect(await rowsOf("tonymitchell")).toHaveLength(3);
  });

  it("numbers two new players of one lookup in one file by person id", async () => {
    const both = indexFile("index_two.json", "2013-14", [
      [203502, "Tony", "Mitchell", "MIL"],
      [203183, "Tony", "Mitchell", "DET"],
    ]);
    await loadFiles(engine, [both], { processedAt: PROCESSED_AT });
    expect((await rowsOf("tonymitchell")).map((row) => [row.universal_player_id, row.nba_person_id])).toEqual([
      ["tonymitchell_001", 203183],
      ["tonymitchell_002", 203502],
    ]);
  });
});

describe("registry statements on BigQuery", () => {
  let analyzer: ZetaSqlAnalyzer;

  beforeAll(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
    const raw = rawTables();
    for (const [table, spec] of Object.entries(raw.specs)) analyzer.addTableSpec(`p.${raw.datasets[table as RawTableName]}.${table}`, spec.columns);
  }, 60_000);

  afterAll(async () => {
    await analyzer?.close();
  });

  const sources: [RegistrySource, Record<string, string>[]][] = [
    ["nbac_player_list", []],
    ["nbac_gamebook_player_stats", [{ game_date: "2024-04-10" }]],
    ["nbac_player_boxscores", [{ game_date: "2025-03-15" }]],
    ["bdl_player_boxscores", [{ game_date: "2024-01-15" }]],
  ];

  it.each(sources)("are valid BigQuery SQL for %s", async (table, rows) => {
    const statements = registryStatements(bigQueryNames("p", "staging"), table, rows, { sourceFilePath: "/data/file.json", processedAt: PROCESSED_AT });
    for (const [step, statement] of Object.entries(statements)) {
      const params = Object.fromEntries(Object.entries(statement.params).map(([name, value]) => [name, zetaType(value.type as Parameters<typeof zetaType>[0])]));
      expect({ step, ...(await analyzer.analyze(statement.sql, params)) }).toMatchObject({ step, ok: true });
    }
  });
});
