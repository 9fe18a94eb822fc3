import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../engines/duckdb/engine.ts";
import { CsvTable, parseCsv } from "../csv.ts";
import { loadFiles } from "../load.ts";
import { rawTableRef } from "../raw_tables.ts";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf } from "../test_support.ts";
import { bigDataBallRows, looksLikeBigDataBallPbp, readBigDataBallPbp, shotTypeOf } from "./bigdataball-pbp.ts";

const FILE = "bigdataball_pbp_20250622_INDOKC.csv";
const IND_AT_OKC = { gameDate: "2025-06-22", homeTricode: "OKC", awayTricode: "IND" };

/** A fresh parse of the real file, safe to modify. */
const table = () => parseCsv(fs.readFileSync(fixturePath(FILE), "utf8"));

/** The real file with some fields changed: `edits` maps a play_id to the columns to set. */
function edited(edits: Record<string, Record<string, string>>): CsvTable {
  const csv = table();
  const column = (name: string) => csv.header.indexOf(name);
  for (const record of csv.records) {
    const changes = edits[record.fields[column("play_id")] as string];
    for (const [name, value] of Object.entries(changes ?? {})) record.fields[column(name)] = value;
  }
  return csv;
}

function rowsOf(csv: CsvTable = table()): RawRow[] {
  return bigDataBallRows(readBigDataBallPbp(csv), IND_AT_OKC, metaFor(FILE)).bigdataball_play_by_play ?? [];
}

describe("bigdataball-pbp", () => {
  it("reads the game: NBA.com id padded to ten digits, the file's date, two teams, every event", () => {
    const game = readBigDataBallPbp(table());
    expect(game.nbaGameId).toBe("0042400407");
    expect(game.fileDate).toBe("2025-06-22");
    expect([...game.teams].sort()).toEqual(["IND", "OKC"]);
    expect(game.events).toHaveLength(510);
  });

  it("maps the shots, free throws, assists, blocks and steals of the real file", () => {
    const rows = rowsOf();
    expect(rows).toHaveLength(510);
    expect(() => checkRowsAgainstSpec("bigdataball_play_by_play", rows)).not.toThrow();
    const shots = rows.filter((row) => row.event_type === "shot");
    const made = (team: string) => shots.filter((row) => row.player_1_team_abbr === team && row.shot_made).length;
    const attempts = (team: string) => shots.filter((row) => row.player_1_team_abbr === team).length;
    expect(shots).toHaveLength(157);
    expect([made("IND"), attempts("IND"), made("OKC"), attempts("OKC")]).toEqual([29, 70, 35, 87]);
    // The type decides two or three, and every made shot's points agree with it.
    expect(shots.every((row) => row.shot_type === (String(row.event_subtype).startsWith("3pt") ? "3PT" : "2PT"))).toBe(true);
    expect(shots.filter((row) => row.shot_made).every((row) => row.points === (row.shot_type === "3PT" ? 3 : 2))).toBe(true);
    expect(shots.filter((row) => !row.shot_made).every((row) => row.points === 0)).toBe(true);
    const freeThrows = rows.filter((row) => row.event_type === "free throw");
    expect(freeThrows).toHaveLength(60);
    expect(freeThrows.every((row) => row.shot_type === "FT" && row.shot_distance === null && row.points === (row.shot_made ? 1 : 0))).toBe(true);
    const role = (name: string) => rows.filter((row) => row.player_2_role === name);
    expect([role("assist").length, role("block").length, role("steal").length]).toEqual([37, 12, 20]);
    expect(role("assist").every((row) => row.player_2_team_abbr === row.player_1_team_abbr)).toBe(true);
    for (const row of [...role("block"), ...role("steal")]) expect(row.player_2_team_abbr).toBe(row.player_1_team_abbr === "IND" ? "OKC" : "IND");
    expect(rows.every((row) => row.shot_type === null || row.event_type === "shot" || row.event_type === "free throw")).toBe(true);
  });

  it("writes one event with the schedule's game columns and canonical lookups", () => {
    const rows = rowsOf();
    expect(rows.find((row) => row.event_sequence === 4)).toEqual({
      game_id: "20250622_IND_OKC",
      nba_game_id: "0042400407",
      game_date: "2025-06-22",
      season_year: 2024,
      home_team_abbr: "OKC",
      away_team_abbr: "IND",
      event_sequence: 4,
      period: 1,
      period_seconds_remaining: 689,
      event_type: "shot",
      event_subtype: "jump shot",
      shot_type: "2PT",
      shot_made: false,
      shot_distance: 10,
      player_1_name: "Jalen Williams",
      player_1_lookup: "jalenwilliams",
      player_1_team_abbr: "OKC",
      player_2_name: "Aaron Nesmith",
      player_2_lookup: "aaronnesmith",
      player_2_team_abbr: "IND",
      player_2_role: "block",
      points: 0,
      description: "MISS Jal. Williams 10' Step Back Jump Shot: Nesmith BLOCK (1 BLK)",
      data_source: "bigdataball",
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
    // An event without a type or a team ("unknown" in the file) keeps NULLs, not empty strings.
    expect(rows.find((row) => row.event_sequence === 362)).toMatchObject({ event_type: null, event_subtype: "unknown", player_1_team_abbr: null, player_1_lookup: null, points: 0 });
    expect(rows.find((row) => row.event_sequence === 52)).toMatchObject({ player_2_role: "steal", player_2_lookup: "alexcaruso", player_2_team_abbr: "OKC", player_1_team_abbr: "IND" });
  });

  it("keeps jr/sr in lookups and reads fractional clocks", () => {
    const rows = rowsOf(edited({ "3": { player: "Tim Hardaway Jr.", remaining_time: "0:00:04.7" } }));
    expect(rows.find((row) => row.event_sequence === 3)).toMatchObject({ player_1_lookup: "timhardawayjr", period_seconds_remaining: 4.7 });
  });

  it("reports inconsistent events at their line", () => {
    const csv = edited({
      "3": { points: "3" },
      "4": { assist: "Myles Turner" },
      "5": { remaining_time: "11:29" },
      "6": { team: "SEA" },
      "7": { play_id: "8" },
    });
    expect(problemsOf(() => readBigDataBallPbp(csv))).toEqual([
      'line 4.points: 3 points for a made 2PT shot (type "jump shot")',
      "line 5: names 2 second players (assist, block, steal): at most one per event",
      'line 6.remaining_time: expected a clock like "0:11:44", got "11:29"',
      'line 7.team: not an NBA team code: "SEA"',
      "line 9.play_id: 8 is also the play_id of line 8",
    ]);
    expect(problemsOf(() => readBigDataBallPbp(edited({ "10": { game_id: "42400406" } })))).toEqual(["game_id: expected the events of one game, got 0042400407, 0042400406"]);
    expect(problemsOf(() => readBigDataBallPbp(parseCsv("game_id,play_id,remaining_time,event_type\n42400407,1,0:12:00,shot\n")))).toEqual([
      "line 1: the header has no column date, period, team, player, assist, block, steal, result, type, shot_distance, points, description",
    ]);
  });

  it("refuses sides that are not the file's teams", () => {
    const game = readBigDataBallPbp(table());
    expect(problemsOf(() => bigDataBallRows(game, { ...IND_AT_OKC, homeTricode: "BOS" }, metaFor(FILE)))).toEqual([
      "team: game 0042400407 is IND at BOS, but the file's teams are OKC and IND",
    ]);
  });

  it("recognises the file by its header, and types shots by the source's type", () => {
    expect(looksLikeBigDataBallPbp(table())).toBe(true);
    expect(looksLikeBigDataBallPbp(parseCsv(fs.readFileSync(fixturePath("nba_static_travel_distances.csv"), "utf8")))).toBe(false);
    expect([shotTypeOf("shot", "3pt jump shot"), shotTypeOf("shot", "driving layup"), shotTypeOf("free throw", "free throw 1/2"), shotTypeOf("rebound", "")]).toEqual([
      "3PT",
      "2PT",
      "FT",
      null,
    ]);
  });

  it("loads into the warehouse with the schedule of the same call, or refuses without a home team", async () => {
    const engine = await openDuckDBEngine({ path: ":memory:" });
    try {
      await expect(loadFiles(engine, [fixturePath(FILE)])).rejects.toThrow(
        "nbac_schedule has no game between OKC and IND on 2025-06-22, so the home team is unknown: pass --home TRICODE",
      );
      await expect(loadFiles(engine, [fixturePath(FILE)], { gameDate: "2025-06-21", home: "OKC" })).rejects.toThrow(
        "the play-by-play dates game 0042400407 2025-06-22, not --game-date 2025-06-21",
      );
      const summary = await loadFiles(engine, [fixturePath(FILE), fixturePath("nbac_schedule_2024-25.json")], { processedAt: PROCESSED_AT });
      expect(summary.files.map((file) => [file.format, file.tables.map((entry) => `${entry.table}=${entry.rows}`)])).toEqual([
        ["bigdataball-pbp", ["bigdataball_play_by_play=510"]],
        ["nbac-schedule", ["nbac_schedule=1400"]],
      ]);
      const [game] = await engine.query(
        `SELECT game_id, nba_game_id, game_date, home_team_abbr, away_team_abbr, COUNTIF(event_type = 'shot') AS shots,
                COUNTIF(event_type = 'free throw') AS free_throws, COUNTIF(player_2_role = 'block') AS blocks, COUNTIF(player_2_role = 'assist') AS assists
         FROM ${engine.qualify(rawTableRef("bigdataball_play_by_play"))}
         GROUP BY game_id, nba_game_id, game_date, home_team_abbr, away_team_abbr`,
      );
      expect(game).toEqual({
        game_id: "20250622_IND_OKC",
        nba_game_id: "0042400407",
        game_date: "2025-06-22",
        home_team_abbr: "OKC",
        away_team_abbr: "IND",
        shots: 157,
        free_throws: 60,
        blocks: 12,
        assists: 37,
      });
    } finally {
      await engine.close();
    }
  });
});
