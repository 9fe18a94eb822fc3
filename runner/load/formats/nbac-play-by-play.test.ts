import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../engines/duckdb/engine.ts";
import type { Engine } from "../../engines/engine.ts";
import { Logger, type LogEntry } from "../../log.ts";
import { playerLookup } from "../../nba/player_lookup.ts";
import { loadFiles, summaryText } from "../load.ts";
import { rawTableRef, rawTables } from "../raw_tables.ts";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeNbacPlayByPlay, nbacPlayByPlayRows, readNbacPlayByPlay, unresolvedNote } from "./nbac-play-by-play.ts";

const NYKPHI = "nbac_play_by_play_20250115_NYKPHI.json";
const LACMIN = "nbac_play_by_play_20250106_LACMIN.json";
const BOXSCORE = "nbac_boxscore_20250115_NYKPHI.json";
const PLAYER_LIST = "nbac_player_list_2025-26.json";
const NYK_AT_PHI = { gameDate: "2025-01-15", homeTricode: "PHI", awayTricode: "NYK" };

interface ResultSet {
  headers: string[];
  rowSet: unknown[][];
}

/** The rows of a stats API result set as objects, straight from the fixture (not through a parser). */
function resultSetRows(name: string, set = 0): Record<string, unknown>[] {
  const payload = readFixture(name) as { resultSets: ResultSet[] };
  const { headers, rowSet } = payload.resultSets[set] as ResultSet;
  return rowSet.map((row) => Object.fromEntries(headers.map((header, column) => [header, row[column]])));
}

/** Person id -> name of the players who appeared in the NYK-PHI box score. */
function boxscoreNames(): Map<number, string> {
  return new Map(resultSetRows(BOXSCORE).filter((row) => row.MIN !== null).map((row) => [row.PLAYER_ID as number, row.PLAYER_NAME as string]));
}

/** The real NBA.com player index as nbac_player_list rows (what the nbac-player-list format writes). */
function playerListRows(): RawRow[] {
  return resultSetRows(PLAYER_LIST).map((row) => {
    const full = `${String(row.PLAYER_FIRST_NAME)} ${String(row.PLAYER_LAST_NAME)}`;
    return {
      season_year: 2025,
      nba_person_id: row.PERSON_ID as number,
      player_first_name: row.PLAYER_FIRST_NAME as string,
      player_last_name: row.PLAYER_LAST_NAME as string,
      player_full_name: full,
      player_lookup: playerLookup(full),
      team_abbr: (row.TEAM_ABBREVIATION as string | null) || null,
      jersey_number: (row.JERSEY_NUMBER as string | null) || null,
      position: (row.POSITION as string | null) || null,
      roster_status: row.ROSTER_STATUS === null ? null : Number(row.ROSTER_STATUS),
      source_file_path: fixturePath(PLAYER_LIST),
      processed_at: PROCESSED_AT,
    };
  });
}

type Payload = { metadata: Record<string, unknown>; playByPlay: { game: { gameId: string; actions: Record<string, unknown>[] } } };

function edited(edit: (payload: Payload) => void): Payload {
  const payload = readFixture(NYKPHI) as Payload;
  edit(payload);
  return payload;
}

const actionAt = (payload: Payload, index: number) => payload.playByPlay.game.actions[index] as Record<string, unknown>;

describe("nbac-play-by-play", () => {
  it("reads the game, its two teams, every action and the persons they name", () => {
    const pbp = readNbacPlayByPlay(readFixture(NYKPHI));
    expect(pbp.nbaGameId).toBe("0022400561");
    expect([...pbp.teams].sort()).toEqual(["NYK", "PHI"]);
    expect(pbp.actions).toHaveLength(506);
    expect(pbp.personIds).toHaveLength(17);
    // The other file names its game in metadata.gameId rather than metadata.game_id.
    const other = readNbacPlayByPlay(readFixture(LACMIN));
    expect([other.nbaGameId, other.actions.length, other.personIds.length]).toEqual(["0022400500", 571, 20]);
  });

  it("names the 37 persons of both files from the real player index", () => {
    const ids = new Set([...readNbacPlayByPlay(readFixture(NYKPHI)).personIds, ...readNbacPlayByPlay(readFixture(LACMIN)).personIds]);
    const index = new Set(playerListRows().map((row) => row.nba_person_id));
    expect(ids.size).toBe(37);
    expect([...ids].filter((id) => !index.has(id))).toEqual([]);
  });

  it("maps actions to rows: shot type, result, distance, clock, points, assister and blocker", () => {
    const { rows, unresolved } = nbacPlayByPlayRows(readNbacPlayByPlay(readFixture(NYKPHI)), NYK_AT_PHI, boxscoreNames(), metaFor(NYKPHI));
    const all = rows.nbac_play_by_play ?? [];
    expect(all).toHaveLength(506);
    expect(unresolved).toEqual({ actions: 0, personIds: [] });
    expect(() => checkRowsAgainstSpec("nbac_play_by_play", all)).not.toThrow();
    const row = (sequence: number) => all.find((candidate) => candidate.event_sequence === sequence);
    expect(row(170000)).toEqual({
      game_id: "20250115_NYK_PHI",
      nba_game_id: "0022400561",
      game_date: "2025-01-15",
      season_year: 2024,
      home_team_abbr: "PHI",
      away_team_abbr: "NYK",
      event_sequence: 170000,
      period: 1,
      period_seconds_remaining: 655,
      event_type: "3pt",
      event_subtype: "Jump Shot",
      is_field_goal: true,
      shot_type: "3PT",
      shot_made: true,
      shot_distance: 27.94,
      player_1_id: 1628969,
      player_1_name: "Mikal Bridges",
      player_1_lookup: "mikalbridges",
      player_1_team_abbr: "NYK",
      player_2_id: 1628404,
      player_2_lookup: "joshhart",
      player_2_team_abbr: "NYK",
      player_2_role: "assist",
      points: 3,
      description: "M. Bridges 27' 3PT running (3 PTS) (J. Hart 1 AST)",
      source_file_path: fixturePath(NYKPHI),
      processed_at: PROCESSED_AT,
    });
    // A block: the blocker is on the other team.
    expect(row(2850000)).toMatchObject({
      shot_type: "2PT",
      shot_made: false,
      points: 0,
      player_1_lookup: "tyresemaxey",
      player_1_team_abbr: "PHI",
      player_2_id: 1630173,
      player_2_lookup: "preciousachiuwa",
      player_2_team_abbr: "NYK",
      player_2_role: "block",
    });
    for (const blocked of all.filter((candidate) => candidate.player_2_role === "block")) {
      expect(blocked.player_2_team_abbr).toBe(blocked.player_1_team_abbr === "PHI" ? "NYK" : "PHI");
    }
    // A tip-in at the rim keeps its 0.0 feet; free throws have no distance.
    expect(row(all.find((candidate) => candidate.description === "J. Hart tip Layup (2 PTS)")?.event_sequence as number)).toMatchObject({
      event_type: "2pt",
      event_subtype: "Layup",
      shot_type: "2PT",
      shot_made: true,
      shot_distance: 0,
      points: 2,
      player_1_name: "Josh Hart",
      player_1_lookup: "joshhart",
      player_1_team_abbr: "NYK",
    });
    const freeThrows = all.filter((candidate) => candidate.shot_type === "FT");
    expect(freeThrows).toHaveLength(38);
    expect(freeThrows.filter((candidate) => candidate.shot_made).every((candidate) => candidate.points === 1 && candidate.shot_distance === null)).toBe(true);
    expect(freeThrows.filter((candidate) => candidate.shot_made)).toHaveLength(31);
    // Period start: no team, no person, 12:00 on the clock.
    expect(all[0]).toMatchObject({ event_type: "period", period: 1, period_seconds_remaining: 720, player_1_id: null, player_1_lookup: null, player_1_team_abbr: null, points: 0 });
    expect(all.find((candidate) => candidate.period === 5)?.period_seconds_remaining).toBe(300);
    expect(all.filter((candidate) => candidate.is_field_goal).every((candidate) => candidate.player_1_lookup !== null)).toBe(true);
  });

  it("numbers the actions in the game's order (orderNumber), which an edited action's actionNumber is not", () => {
    // P. George's three at 6:44 of the first period was edited after the foul and his free throw
    // were entered: the payload lists it first (orderNumber 655000), numbered 86 after the free throw's 69.
    const payload = readFixture(NYKPHI) as Payload;
    const actions = payload.playByPlay.game.actions;
    const shot = actions.find((action) => action.description === "P. George 24' 3PT  (3 PTS) (G. Yabusele 1 AST)");
    const freeThrow = actions.find((action) => action.description === "P. George Free Throw 1 of 1 (4 PTS)");
    expect([shot?.actionNumber, freeThrow?.actionNumber]).toEqual([86, 69]);
    expect(actions.indexOf(shot as Record<string, unknown>)).toBeLessThan(actions.indexOf(freeThrow as Record<string, unknown>));

    const rows = nbacPlayByPlayRows(readNbacPlayByPlay(payload), NYK_AT_PHI, boxscoreNames(), metaFor(NYKPHI)).rows.nbac_play_by_play ?? [];
    expect(rows.map((row) => row.event_sequence)).toEqual(actions.map((action) => action.orderNumber));
    const sequenceOf = (description: unknown) => rows.find((row) => row.description === description)?.event_sequence as number;
    expect(sequenceOf(shot?.description)).toBeLessThan(sequenceOf(freeThrow?.description));
    // The payload's list is in game order: the sequence only grows.
    expect(rows.every((row, at) => at === 0 || (row.event_sequence as number) > (rows[at - 1]?.event_sequence as number))).toBe(true);
  });

  it("reads the clock to the hundredth of a second", () => {
    const payload = edited((pbp) => {
      actionAt(pbp, 1).clock = "PT00M04.70S";
    });
    const { rows } = nbacPlayByPlayRows(readNbacPlayByPlay(payload), NYK_AT_PHI, boxscoreNames(), metaFor(NYKPHI));
    expect(rows.nbac_play_by_play?.[1]?.period_seconds_remaining).toBe(4.7);
  });

  it("leaves a person without a name NULL and says which ids and how many actions", () => {
    const names = boxscoreNames();
    names.delete(1628404); // Josh Hart
    names.delete(1630173); // Precious Achiuwa
    const { rows, unresolved } = nbacPlayByPlayRows(readNbacPlayByPlay(readFixture(NYKPHI)), NYK_AT_PHI, names, metaFor(NYKPHI));
    const unnamed = (rows.nbac_play_by_play ?? []).filter(
      (row) => (row.player_1_id !== null && row.player_1_lookup === null) || (row.player_2_id !== null && row.player_2_lookup === null),
    );
    expect(unresolved.personIds).toEqual([1628404, 1630173]);
    expect(unresolved.actions).toBe(unnamed.length);
    expect(unnamed.every((row) => row.player_1_name === null || row.player_2_lookup === null)).toBe(true);
    expect(unresolvedNote(unresolved)).toBe(
      `${unnamed.length} actions name 2 NBA.com person ids found in neither the game's box score nor the player index (1628404, 1630173): ` +
        "their player name and lookup are NULL; load the game's nbac-boxscore or an nbac-player-list index, then this file again",
    );
    expect(unresolvedNote({ actions: 0, personIds: [] })).toBeUndefined();
  });

  it("refuses sides that are not the play-by-play's teams", () => {
    const pbp = readNbacPlayByPlay(readFixture(NYKPHI));
    expect(problemsOf(() => nbacPlayByPlayRows(pbp, { gameDate: "2025-01-15", homeTricode: "BOS", awayTricode: "NYK" }, new Map(), metaFor(NYKPHI)))).toEqual([
      "playByPlay.game.actions: game 0022400561 is NYK at BOS, but the play-by-play's teams are NYK and PHI",
    ]);
  });

  it("reports inconsistent actions at their position", () => {
    const index = (pbp: Payload, wanted: (action: Record<string, unknown>) => boolean) => pbp.playByPlay.game.actions.findIndex(wanted);
    const payload = edited((pbp) => {
      pbp.metadata.game_id = "0022400562";
      actionAt(pbp, 1).teamTricode = "XYZ";
      actionAt(pbp, 2).clock = "11:46";
      const shot = index(pbp, (action) => action.isFieldGoal === 1);
      delete actionAt(pbp, shot).shotResult;
      const rebound = index(pbp, (action) => action.actionType === "rebound");
      actionAt(pbp, rebound).isFieldGoal = 1;
      const assisted = index(pbp, (action) => action.assistPersonId !== undefined);
      actionAt(pbp, assisted).blockPersonId = 1630173;
      const last = pbp.playByPlay.game.actions.length - 1;
      delete actionAt(pbp, last).orderNumber;
      actionAt(pbp, last - 1).orderNumber = actionAt(pbp, last - 2).orderNumber;
    });
    const problems = problemsOf(() => readNbacPlayByPlay(payload));
    const shot = payload.playByPlay.game.actions.findIndex((action) => action.isFieldGoal === 1 && action.actionType !== "rebound");
    const last = payload.playByPlay.game.actions.length - 1;
    expect(problems).toEqual(
      expect.arrayContaining([
        'metadata.game_id: names game "0022400562", but playByPlay.game.gameId is "0022400561"',
        'playByPlay.game.actions[1].teamTricode: not an NBA team code: "XYZ"',
        'playByPlay.game.actions[2].clock: expected a game clock like "PT11M41.00S", got "11:46"',
        `playByPlay.game.actions[${shot}].shotResult: missing on a ${String(actionAt(payload, shot).actionType)} action (expected "Made" or "Missed")`,
        expect.stringMatching(/^playByPlay\.game\.actions\[\d+\]\.isFieldGoal: 1 on a "rebound" action: field goals are the 2pt and 3pt actions$/),
        expect.stringMatching(/^playByPlay\.game\.actions\[\d+\]: names both an assist and a block: at most one second player per action$/),
        `playByPlay.game.actions[${last}].orderNumber: missing (expected number)`,
        `playByPlay.game.actions[${last - 1}].orderNumber: ${String(actionAt(payload, last - 2).orderNumber)} is also the order number of actions[${last - 2}]`,
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(problemsOf(() => readNbacPlayByPlay({ playByPlay: { game: { gameId: "22400561", actions: [] } } }))).toEqual([
      'playByPlay.game.gameId: expected a 10-digit NBA.com game id like "0022400561", got "22400561"',
    ]);
    expect(problemsOf(() => readNbacPlayByPlay({ playByPlay: { game: { gameId: "0022400561", actions: [] } } }))).toEqual([
      "playByPlay.game.actions: expected the actions of two teams, got none",
    ]);
  });

  it("recognises the payload by playByPlay.game.actions", () => {
    expect(looksLikeNbacPlayByPlay(readFixture(NYKPHI))).toBe(true);
    expect(looksLikeNbacPlayByPlay({ playByPlay: { game: {} } })).toBe(false);
    expect(looksLikeNbacPlayByPlay({ game: { actions: [] } })).toBe(false);
  });
});

describe("runner load of nbac-play-by-play (warehouse)", () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await openDuckDBEngine({ path: ":memory:" });
    await loadFiles(engine, [fixturePath("nbac_schedule_2024-25.json")], { processedAt: PROCESSED_AT });
  });

  afterAll(async () => {
    await engine.close();
  });

  const table = () => engine.qualify(rawTableRef("nbac_play_by_play"));

  it("loads NYK at PHI with its box score: every shooter named, shots per player equal to the box score's", async () => {
    const summary = await loadFiles(engine, [fixturePath(NYKPHI), fixturePath(BOXSCORE)], { processedAt: PROCESSED_AT });
    expect(summary.files.map((file) => file.format)).toEqual(["nbac-play-by-play", "nbac-boxscore"]);
    expect(summary.files[0]).toMatchObject({ tables: [{ table: "nbac_play_by_play", rows: 506 }], notes: [] });
    expect(summary.files[1]?.tables).toContainEqual({ table: "nbac_player_boxscores", rows: 17, replaced: 0 });
    const shooters = await engine.query(
      `SELECT player_1_id AS id, player_1_name AS name, COUNT(*) AS fga, COUNTIF(shot_made) AS fgm, COUNTIF(shot_type = '3PT') AS fg3a
       FROM ${table()} WHERE is_field_goal GROUP BY player_1_id, player_1_name ORDER BY player_1_id`,
    );
    const expected = resultSetRows(BOXSCORE)
      .filter((row) => row.MIN !== null && (row.FGA as number) > 0)
      .map((row) => ({ id: row.PLAYER_ID, name: row.PLAYER_NAME, fga: row.FGA, fgm: row.FGM, fg3a: row.FG3A }))
      .sort((a, b) => (a.id as number) - (b.id as number));
    expect(shooters).toEqual(expected);
    expect(shooters.reduce((sum, row) => sum + Number(row.fga), 0)).toBe(178);
    const [counts] = await engine.query(
      `SELECT COUNTIF(is_field_goal) AS fga, COUNTIF(is_field_goal AND player_1_lookup IS NULL) AS unnamed,
              COUNTIF(player_2_role = 'assist') AS assists, COUNTIF(player_2_role = 'block') AS blocks, COUNTIF(shot_distance = 0) AS at_rim
       FROM ${table()}`,
    );
    expect(counts).toEqual({ fga: 178, unnamed: 0, assists: 55, blocks: 5, at_rim: 7 });

    // Loaded again alone, it finds the box score in the warehouse.
    const again = await loadFiles(engine, [fixturePath(NYKPHI)], { processedAt: PROCESSED_AT });
    expect(again.files[0]?.notes).toEqual([]);
    expect(again.files[0]?.tables).toEqual([{ table: "nbac_play_by_play", rows: 506, replaced: 506 }]);
  });

  it("names LAC at MIN from the player index, and says which persons it could not name without it", async () => {
    // No box score exists for this game: without the index, every action with a person is unnamed.
    const withPerson = (readFixture(LACMIN) as Payload).playByPlay.game.actions.filter((action) => action.personId !== 0).length;
    const entries: LogEntry[] = [];
    const without = await loadFiles(engine, [fixturePath(LACMIN)], { processedAt: PROCESSED_AT, log: new Logger({}, (entry) => entries.push(entry)) });
    expect(entries.filter((entry) => entry.severity === "WARNING")).toEqual([
      expect.objectContaining({ message: "play-by-play person ids without a name", nba_game_id: "0022400500", actions: withPerson, person_ids: expect.arrayContaining([201144]) }),
    ]);
    expect(without.files[0]?.notes).toEqual([
      expect.stringMatching(new RegExp(`^${withPerson} actions name 20 NBA\\.com person ids found in neither the game's box score nor the player index \\(201144, `)),
    ]);
    expect(summaryText(without)).toContain(`    note: ${withPerson} actions name 20 NBA.com person ids`);

    await engine.insertRows(rawTableRef("nbac_player_list"), rawTables().specs.nbac_player_list.columns, playerListRows());
    const withIndex = await loadFiles(engine, [fixturePath(LACMIN)], { processedAt: PROCESSED_AT });
    expect(withIndex.files[0]?.notes).toEqual([]);
    const [named] = await engine.query(
      `SELECT COUNT(DISTINCT player_1_id) AS persons, COUNTIF(player_1_id IS NOT NULL AND player_1_lookup IS NULL) AS unnamed,
              COUNTIF(player_2_id IS NOT NULL AND player_2_lookup IS NULL) AS unnamed_2
       FROM ${table()} WHERE nba_game_id = '0022400500'`,
    );
    expect(named).toEqual({ persons: 20, unnamed: 0, unnamed_2: 0 });
    const teams = await engine.query(
      `SELECT game_id, player_1_team_abbr AS team, COUNTIF(shot_made) AS fgm, COUNT(*) AS fga
       FROM ${table()} WHERE nba_game_id = '0022400500' AND is_field_goal GROUP BY game_id, player_1_team_abbr ORDER BY team`,
    );
    expect(teams).toEqual([
      { game_id: "20250106_LAC_MIN", team: "LAC", fgm: 37, fga: 89 },
      { game_id: "20250106_LAC_MIN", team: "MIN", fgm: 41, fga: 92 },
    ]);
  });

  it("refuses a game the schedule does not have, unless --game-date and --home place it; names from an index of the same call", async () => {
    const empty = await openDuckDBEngine({ path: ":memory:" });
    try {
      await expect(loadFiles(empty, [fixturePath(LACMIN)])).rejects.toThrow(
        "the play-by-play of game 0022400500 (LAC, MIN) carries no date and nbac_schedule has no row for it",
      );
      // The player index of the same call names the persons (format nbac-player-list).
      const placed = await loadFiles(empty, [fixturePath(LACMIN), fixturePath(PLAYER_LIST)], { gameDate: "2025-01-06", home: "MIN" });
      expect(placed.files.map((file) => file.format)).toEqual(["nbac-play-by-play", "nbac-player-list"]);
      expect(placed.files[0]).toMatchObject({ tables: [{ table: "nbac_play_by_play", rows: 571 }], notes: [] });
      const [row] = await empty.query(`SELECT DISTINCT game_id, home_team_abbr FROM ${empty.qualify(rawTableRef("nbac_play_by_play"))}`);
      expect(row).toEqual({ game_id: "20250106_LAC_MIN", home_team_abbr: "MIN" });
    } finally {
      await empty.close();
    }
  });
});
