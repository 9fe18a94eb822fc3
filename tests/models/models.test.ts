/**
 * The models run through the real runner on hand-built raw rows: what only a whole run shows
 * (models agree with each other, a re-run writes nothing, the documented columns are the ones
 * written). Each model's formulas and edge cases, input rows -> expected rows computed by hand,
 * are in its test file next to it (definitions/analytics/<model>.test.yaml, `runner test`).
 *
 * Game 20250115_LAL_PHI went to one overtime (265 team player-minutes, 53 game minutes) and has
 * an NBA.com team box score; game 20250115_BOS_NYK has gamebook rows only (team totals rebuilt from
 * players, regulation 240).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, Row } from "../../runner/engines/engine.ts";
import { recordAllInLedger, type LedgerEntry } from "../../runner/ledger/ledger.ts";
import { ROOT } from "../helpers.ts";
import { insertRaw, openTestWarehouse, runDate, statuses, tableRows } from "./harness.ts";

const DATE = "2025-01-15";
const LOADED = "2025-01-16T06:00:00Z";
const OT_GAME = "20250115_LAL_PHI";
const REBUILT_GAME = "20250115_BOS_NYK";

// name, team, minutes, FGA, FGM, 3PA, 3PM, FTA, FTM, OREB, DREB, AST, STL, BLK, TOV, PF, PTS
type Line = [string, string, string, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
const OT_LINES: Line[] = [
  ["Lal One", "LAL", "44:00", 20, 10, 6, 2, 8, 6, 2, 6, 5, 1, 0, 3, 2, 28],
  ["Lal Two", "LAL", "42:30", 15, 7, 5, 2, 4, 3, 1, 4, 7, 2, 1, 2, 3, 19],
  ["Lal Three", "LAL", "48:00", 12, 5, 4, 1, 2, 2, 3, 8, 2, 0, 2, 1, 4, 13],
  ["Lal Four", "LAL", "45:30", 10, 4, 3, 1, 0, 0, 1, 3, 3, 1, 0, 2, 2, 9],
  ["Lal Five", "LAL", "40:00", 14, 6, 2, 0, 6, 5, 4, 7, 1, 0, 1, 1, 5, 17],
  ["Lal Six", "LAL", "45:00", 9, 3, 5, 2, 2, 2, 0, 2, 2, 1, 0, 1, 1, 10],
  ["Phi One", "PHI", "53:00", 22, 11, 6, 3, 6, 5, 2, 8, 6, 2, 1, 4, 3, 30],
  ["Phi Two", "PHI", "53:00", 18, 8, 8, 4, 4, 4, 1, 5, 4, 1, 0, 3, 2, 24],
  ["Phi Three", "PHI", "53:00", 16, 7, 2, 0, 8, 6, 4, 9, 2, 0, 3, 2, 4, 20],
  ["Phi Four", "PHI", "53:00", 14, 6, 6, 2, 2, 1, 1, 4, 5, 2, 0, 2, 3, 15],
  ["Phi Five", "PHI", "53:00", 10, 4, 3, 1, 0, 0, 2, 6, 3, 1, 1, 1, 2, 9],
];
// Regulation game without a team box score: five players a side, 48:00 each.
const REBUILT_LINES: Line[] = [
  ["Bos One", "BOS", "48:00", 20, 9, 8, 3, 5, 4, 1, 6, 5, 1, 0, 2, 2, 25],
  ["Bos Two", "BOS", "48:00", 15, 6, 5, 2, 4, 4, 2, 5, 4, 1, 1, 3, 3, 18],
  ["Bos Three", "BOS", "48:00", 14, 7, 2, 0, 2, 1, 3, 7, 2, 0, 2, 1, 2, 15],
  ["Bos Four", "BOS", "48:00", 12, 5, 6, 3, 0, 0, 0, 4, 6, 2, 0, 2, 1, 13],
  ["Bos Five", "BOS", "48:00", 10, 4, 1, 0, 6, 5, 2, 8, 1, 1, 1, 1, 4, 13],
  ["Nyk One", "NYK", "48:00", 22, 10, 7, 3, 8, 7, 2, 5, 6, 2, 0, 3, 2, 30],
  ["Nyk Two", "NYK", "48:00", 16, 7, 6, 2, 2, 2, 1, 6, 5, 1, 1, 2, 3, 18],
  ["Nyk Three", "NYK", "48:00", 13, 6, 0, 0, 4, 2, 4, 9, 1, 0, 2, 1, 4, 14],
  ["Nyk Four", "NYK", "48:00", 11, 4, 5, 2, 2, 2, 1, 3, 4, 1, 0, 2, 2, 12],
  ["Nyk Five", "NYK", "48:00", 8, 3, 2, 1, 0, 0, 0, 2, 2, 0, 0, 1, 1, 7],
];

function lookup(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, "");
}

/** The identity columns of a gamebook row. */
function gamebookIdentity(gameId: string, name: string, team: string) {
  const [, away, home] = gameId.split("_");
  return {
    game_id: gameId,
    game_date: DATE,
    season_year: 2024,
    home_team_abbr: home,
    away_team_abbr: away,
    player_name: name,
    player_name_original: name,
    player_lookup: lookup(name),
    team_abbr: team,
    processed_at: LOADED,
  };
}

function gamebookRow(gameId: string, [name, team, minutes, fga, fgm, tpa, tpm, fta, ftm, oreb, dreb, ast, stl, blk, tov, pf, pts]: Line) {
  return {
    ...gamebookIdentity(gameId, name, team),
    player_status: "active",
    minutes,
    points: pts,
    field_goals_made: fgm,
    field_goals_attempted: fga,
    three_pointers_made: tpm,
    three_pointers_attempted: tpa,
    free_throws_made: ftm,
    free_throws_attempted: fta,
    offensive_rebounds: oreb,
    defensive_rebounds: dreb,
    total_rebounds: oreb + dreb,
    assists: ast,
    steals: stl,
    blocks: blk,
    turnovers: tov,
    personal_fouls: pf,
    plus_minus: team === "PHI" ? 2 : -2,
  };
}

function notPlaying(gameId: string, name: string, team: string, status: "dnp" | "inactive", reason: string) {
  return { ...gamebookIdentity(gameId, name, team), player_status: status, dnp_reason: reason };
}

function teamBox(team: string, isHome: boolean, lines: Line[], teamTurnovers: number, plusMinus: number) {
  const own = lines.filter((line) => line[1] === team);
  const sum = (index: number) => own.reduce((total, line) => total + (line[index] as number), 0);
  return {
    game_id: OT_GAME,
    nba_game_id: "0022400561",
    game_date: DATE,
    season_year: 2024,
    team_id: 1,
    team_abbr: team,
    team_name: team,
    is_home: isHome,
    minutes: "265:00",
    fg_made: sum(4),
    fg_attempted: sum(3),
    three_pt_made: sum(6),
    three_pt_attempted: sum(5),
    ft_made: sum(8),
    ft_attempted: sum(7),
    offensive_rebounds: sum(9),
    defensive_rebounds: sum(10),
    total_rebounds: sum(9) + sum(10),
    assists: sum(11),
    steals: sum(12),
    blocks: sum(13),
    turnovers: sum(14) + teamTurnovers,
    personal_fouls: sum(15),
    points: sum(16),
    plus_minus: plusMinus,
    processed_at: LOADED,
  };
}

function scheduleRow(nbaGameId: string, gameId: string, homeScore: number, awayScore: number) {
  const [, away, home] = gameId.split("_");
  return {
    game_id: nbaGameId,
    game_date: DATE,
    season_year: 2024,
    game_status: 3,
    game_status_text: "Final",
    home_team_tricode: home,
    away_team_tricode: away,
    home_team_score: homeScore,
    away_team_score: awayScore,
    processed_at: LOADED,
  };
}

let engine: Engine;
let offense: Row[];
let defense: Row[];
let players: Row[];

beforeAll(async () => {
  engine = await openTestWarehouse();
  await insertRaw(engine, "nbac_gamebook_player_stats", [
    ...OT_LINES.map((line) => gamebookRow(OT_GAME, line)),
    notPlaying(OT_GAME, "Lal Bench", "LAL", "dnp", "DNP - Coach's Decision"),
    notPlaying(OT_GAME, "Lal Hurt", "LAL", "inactive", "Injury/Illness - Left Ankle; Sprain"),
    notPlaying(OT_GAME, "Phi Rest", "PHI", "dnp", "Rest"),
    ...REBUILT_LINES.map((line) => gamebookRow(REBUILT_GAME, line)),
  ]);
  // The schedule's final scores, summed from the lines above: LAL 96 at PHI 98, BOS 84 at NYK 81.
  await insertRaw(engine, "nbac_schedule", [
    scheduleRow("0022400561", OT_GAME, 98, 96),
    scheduleRow("0022400562", REBUILT_GAME, 81, 84),
  ]);
  // LAL committed 2 team turnovers and PHI 1 that no player is charged with.
  await insertRaw(engine, "nbac_team_boxscore", [teamBox("LAL", false, OT_LINES, 2, -2), teamBox("PHI", true, OT_LINES, 1, 2)]);
  const run = await runDate(engine, DATE);
  expect(run.summary.outcome).toBe("success");
  offense = await tableRows(engine, "nba_analytics.team_offense_game_summary", "team_abbr");
  defense = await tableRows(engine, "nba_analytics.team_defense_game_summary", "defending_team_abbr");
  players = await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup");
});

afterAll(async () => {
  await engine.close();
});

function byKey(rows: Row[], column: string, value: string): Row {
  const row = rows.find((candidate) => candidate[column] === value);
  if (!row) throw new Error(`no row with ${column} = ${value}`);
  return row;
}

describe("the models through the runner", () => {
  it("publishes both games, every team and every listed player (DNP and inactive included)", () => {
    expect(offense.map((row) => row.team_abbr)).toEqual(["BOS", "LAL", "NYK", "PHI"]);
    expect(defense).toHaveLength(4);
    expect(players).toHaveLength(OT_LINES.length + 3 + REBUILT_LINES.length);
  });

  it("agrees across models: a team's defensive rating is its opponent's offensive rating", () => {
    for (const row of defense) {
      const opponent = byKey(offense, "team_abbr", String(row.opponent_team_abbr));
      expect(row.defensive_rating).toBe(opponent.offensive_rating);
      expect(row.points_allowed).toBe(opponent.points_scored);
    }
  });

  it("weights usage to 20 per player-minute when the team totals are the players' sums", () => {
    // In the rebuilt game team plays = the players' plays, so sum(usage * minutes) = 20 * 240.
    for (const team of ["BOS", "NYK"]) {
      const rows = players.filter((row) => row.team_abbr === team);
      const weighted = rows.reduce((total, row) => total + Number(row.usage_rate) * Number(row.minutes_played), 0);
      expect(weighted / 240).toBeCloseTo(20, 0);
    }
  });

  it("re-running the date with --force changes nothing", async () => {
    const before = await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup");
    const rerun = await runDate(engine, DATE, { force: true });
    expect(rerun.summary.results[0]?.unchangedSince).toBeUndefined();
    expect(statuses(rerun.summary).player_game_summary).toBe("succeeded");
    const written = rerun.summary.results[0]?.actions.filter((action) => action.role === "model").map((action) => action.rowsWritten);
    // Every model ran again (the six of these games at least) and wrote nothing.
    expect(written?.length).toBeGreaterThanOrEqual(6);
    expect(written?.filter((rows) => rows !== 0)).toEqual([]);
    expect(await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup")).toEqual(before);
  });

  it("does not run an unchanged date again, and names the run it is unchanged since", async () => {
    const last = await runDate(engine, DATE, { force: true });
    const before = await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup");
    const again = await runDate(engine, DATE);
    const result = again.summary.results[0];
    expect(result?.unchangedSince?.runId).toBe(last.summary.runId);
    expect(again.summary.outcome).toBe("success");
    expect(new Set(result?.actions.map((action) => action.status))).toEqual(new Set(["unchanged"]));
    expect(result?.actions.length).toBe(last.summary.results[0]?.actions.length);
    expect(again.logs.find((entry) => entry.message.includes("not run again"))).toMatchObject({ severity: "NOTICE", unchanged_since: last.summary.runId });
    // The ledger says so, action by action, and the run it points to kept its fingerprint.
    const ledger = await engine.query<{ status: string; message: string }>(
      `SELECT status, message FROM \`nba_orchestration.phase3_runner_runs\` WHERE run_id = '${again.summary.runId}'`,
    );
    expect(ledger.length).toBe(result?.actions.length);
    expect(ledger.every((row) => row.status === "unchanged" && row.message.includes(last.summary.runId))).toBe(true);
    expect(await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup")).toEqual(before);
  });

  it("runs the date again when a raw row changed in place, even with the same processed_at", async () => {
    await runDate(engine, DATE, { force: true });
    expect((await runDate(engine, DATE)).summary.results[0]?.unchangedSince).toBeDefined();
    await engine.execute(
      `UPDATE \`nba_raw.nbac_gamebook_player_stats\` SET player_name_original = CONCAT(player_name_original, ' ') WHERE game_id = '${REBUILT_GAME}' AND player_lookup = 'bosone'`,
    );
    const again = await runDate(engine, DATE);
    expect(again.summary.results[0]?.unchangedSince).toBeUndefined();
    expect(statuses(again.summary).player_game_summary).toBe("succeeded");
  });

  it("runs the date again when a published row was deleted by hand, and writes it back", async () => {
    await runDate(engine, DATE, { force: true });
    expect((await runDate(engine, DATE)).summary.results[0]?.unchangedSince).toBeDefined();
    const before = await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup");
    await engine.execute(`DELETE FROM \`nba_analytics.player_game_summary\` WHERE game_date = '${DATE}' AND player_lookup = 'bosone'`);
    const again = await runDate(engine, DATE);
    expect(again.summary.results[0]?.unchangedSince).toBeUndefined();
    expect(again.summary.results[0]?.actions.find((action) => action.action === "player_game_summary")?.rowsWritten).toBe(1);
    // The same rows again; the one written back has a new processed_at.
    const withoutWriteTime = (rows: Row[]) => rows.map(({ processed_at: _written, ...row }) => row);
    expect(withoutWriteTime(await tableRows(engine, "nba_analytics.player_game_summary", "player_lookup"))).toEqual(withoutWriteTime(before));
  });

  it("runs the date again when another run wrote since", async () => {
    await runDate(engine, DATE, { force: true });
    const before = await runDate(engine, DATE);
    expect(before.summary.results[0]?.unchangedSince).toBeDefined();
    // A model's table written by another run (here: a row of the date deleted by hand, then
    // written back by a forced run) may be anybody's input.
    await engine.execute(`DELETE FROM \`nba_analytics.player_game_summary\` WHERE game_date = '${DATE}' AND player_lookup = 'bosone'`);
    const restored = await runDate(engine, DATE, { force: true, selection: { actions: ["player_game_summary"] } });
    expect(restored.summary.results[0]?.actions.find((action) => action.action === "player_game_summary")?.rowsWritten).toBe(1);
    const again = await runDate(engine, DATE);
    expect(again.summary.results[0]?.unchangedSince).toBeUndefined();
    expect(statuses(again.summary).player_game_summary).toBe("succeeded");
  });

  it("runs the date again when another run published while it ran, and not for one that published before", async () => {
    // serve runs dates at once: a run of another date that published between this run's reads and
    // its end may have changed what it read, yet the table versions it took at its end include
    // that write. Stood for by a ledger row of another run, finished inside this run's span.
    const last = await runDate(engine, DATE, { force: true });
    const [span] = await engine.query<{ started: string; finished: string }>(
      `SELECT CAST(MIN(started_at) AS STRING) AS started, CAST(MAX(finished_at) AS STRING) AS finished
       FROM \`nba_orchestration.phase3_runner_runs\` WHERE run_id = '${last.summary.runId}'`,
    );
    const otherRun = (runId: string, finishedAt: string): LedgerEntry => ({
      run_id: runId,
      trigger: "test",
      game_date: "2025-01-14",
      action: "player_game_summary",
      action_role: "model",
      target: "nba_analytics.player_game_summary",
      level: 3,
      status: "succeeded",
      started_at: finishedAt,
      finished_at: finishedAt,
      duration_ms: 0,
      rows_staged: 1,
      rows_written: 1,
      rows_quarantined: 0,
      games: 1,
      message: null,
      details: null,
    });
    const started = Date.parse(String(span?.started));
    await recordAllInLedger(engine, [otherRun("run_before", new Date(started - 60_000).toISOString())]);
    expect((await runDate(engine, DATE)).summary.results[0]?.unchangedSince?.runId).toBe(last.summary.runId);

    const forced = await runDate(engine, DATE, { force: true });
    const [during] = await engine.query<{ first_finished: string }>(
      `SELECT CAST(MIN(finished_at) AS STRING) AS first_finished FROM \`nba_orchestration.phase3_runner_runs\` WHERE run_id = '${forced.summary.runId}'`,
    );
    await recordAllInLedger(engine, [otherRun("run_during", new Date(Date.parse(String(during?.first_finished)) + 1).toISOString())]);
    const again = await runDate(engine, DATE);
    expect(again.summary.results[0]?.unchangedSince).toBeUndefined();
    expect(statuses(again.summary).player_game_summary).toBe("succeeded");
  });
});

describe("column documentation", () => {
  it("documents exactly the columns each model outputs, in order", async () => {
    const docs = createRequire(import.meta.url)(path.join(ROOT, "includes", "docs.js")) as { columnNames: (table: string) => string[] };
    for (const model of [
      "game_source_checks",
      "player_game_boxscore",
      "team_game_boxscore",
      "team_offense_game_summary",
      "team_defense_game_summary",
      "player_game_summary",
      "nbac_schedule_latest",
      "upcoming_team_game_context",
      "shot_attempts",
      "defense_zone_analytics",
      "upcoming_player_game_context",
    ]) {
      const columns = (await engine.describeTable({ dataset: "nba_analytics", table: model }))?.map((column) => column.name);
      expect(columns, model).toEqual(docs.columnNames(model));
    }
  });
});
