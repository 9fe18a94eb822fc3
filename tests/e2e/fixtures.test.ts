/**
 * The real balldontlie payload of 2024-01-15 (11 games, MIA at BKN in overtime), loaded and run
 * through the CLI as a person would, checked against the payload itself. The real ESPN scoreboard
 * of the same date is loaded with it: with no NBA.com schedule for 2024-01-15, it is the schedule
 * the upcoming team context needs (its gate answers not ready for a date no schedule covers).
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, runCli, tempDir } from "../helpers.ts";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { queryWarehouse } from "../scenario.ts";

const DATE = "2024-01-15";
const PAYLOAD = path.join(FIXTURES, "bdl_box_scores_2024-01-15.json");
const SCOREBOARD = path.join(FIXTURES, "espn_scoreboard_2024-01-15.json");

interface BdlGame {
  home_team: { abbreviation: string; players: { min: string }[] };
  visitor_team: { abbreviation: string; players: { min: string }[] };
  home_team_score: number;
  visitor_team_score: number;
  period: number;
}

const games = (JSON.parse(fs.readFileSync(PAYLOAD, "utf8")) as { data: BdlGame[] }).data;
const warehouse = path.join(tempDir("bdl"), "warehouse.duckdb");
let firstRun: { code: number; stdout: string };

beforeAll(async () => {
  const load = await runCli(["load", PAYLOAD, SCOREBOARD, "--warehouse", warehouse]);
  expect(load.code, load.stderr).toBe(0);
  firstRun = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse]);
});

describe("balldontlie 2024-01-15, loaded and run end to end", () => {
  it("writes 22 team offense rows, 22 team defense rows and one row per listed player", async () => {
    expect(firstRun.code).toBe(0);
    const [counts] = await queryWarehouse(
      warehouse,
      `SELECT
         (SELECT COUNT(*) FROM nba_analytics.team_offense_game_summary) AS offense,
         (SELECT COUNT(*) FROM nba_analytics.team_defense_game_summary) AS defense,
         (SELECT COUNT(*) FROM nba_analytics.player_game_summary) AS players,
         (SELECT COUNTIF(is_dnp) FROM nba_analytics.player_game_summary) AS did_not_play`,
    );
    const listed = games.reduce((total, game) => total + game.home_team.players.length + game.visitor_team.players.length, 0);
    expect(listed).toBe(384);
    expect(counts).toEqual({ offense: 22, defense: 22, players: 384, did_not_play: 155 });
  });

  it("pairs every team row with its opponent and matches the final scores of the payload", async () => {
    const rows = await queryWarehouse(
      warehouse,
      "SELECT team_abbr, opponent_team_abbr, home_game, points_scored, overtime_periods, team_minutes FROM nba_analytics.team_offense_game_summary",
    );
    for (const game of games) {
      const home = rows.find((row) => row.team_abbr === game.home_team.abbreviation);
      const away = rows.find((row) => row.team_abbr === game.visitor_team.abbreviation);
      expect(home).toMatchObject({ home_game: true, opponent_team_abbr: game.visitor_team.abbreviation, points_scored: game.home_team_score });
      expect(away).toMatchObject({ home_game: false, opponent_team_abbr: game.home_team.abbreviation, points_scored: game.visitor_team_score });
      const overtime = game.period - 4;
      expect(home?.overtime_periods).toBe(overtime);
      expect(home?.team_minutes).toBe(240 + 25 * overtime);
    }
    expect(rows.filter((row) => row.overtime_periods === 1).map((row) => row.team_abbr).sort()).toEqual(["BKN", "MIA"]);
  });

  it("sums player minutes per team to the team's minutes, and weights usage to 20 per player-minute", async () => {
    const teams = await queryWarehouse(
      warehouse,
      `SELECT
         players.team_abbr,
         ANY_VALUE(offense.team_minutes) AS team_minutes,
         SUM(players.minutes_played) AS minutes,
         SUM(players.usage_rate * players.minutes_played) AS usage_minutes,
         COUNTIF(players.minutes_played > 0 AND players.usage_rate IS NULL) AS missing_usage
       FROM nba_analytics.player_game_summary AS players
       JOIN nba_analytics.team_offense_game_summary AS offense
         ON offense.game_date = players.game_date AND offense.team_abbr = players.team_abbr
       GROUP BY players.team_abbr`,
    );
    expect(teams).toHaveLength(22);
    for (const team of teams) {
      expect(Math.abs(Number(team.minutes) - Number(team.team_minutes)), String(team.team_abbr)).toBeLessThanOrEqual(1);
      expect(team.missing_usage).toBe(0);
      // sum(usage * minutes) = 100 * (team minutes / 5) * sum(player plays) / team plays = 20 * team minutes
      // here (team totals are the players' sums), up to the rounding of usage and minutes to 0.1.
      const ratio = Number(team.usage_minutes) / (20 * Number(team.team_minutes));
      expect(ratio, String(team.team_abbr)).toBeGreaterThan(0.995);
      expect(ratio, String(team.team_abbr)).toBeLessThan(1.005);
    }
  });

  it("passes every check and assertion, and changes nothing when run again", async () => {
    const first = JSON.parse(firstRun.stdout) as { results: { actions: { role: string; status: string }[] }[] };
    const actions = first.results.flatMap((result) => result.actions);
    expect(actions.filter((action) => action.status !== "succeeded")).toEqual([]);
    // The unique_key and row_conditions checks of each of the 11 models (definitions/assertions/model_checks.js).
    expect(actions.filter((action) => action.role === "assertion")).toHaveLength(22);

    const before = await queryWarehouse(warehouse, "SELECT * FROM nba_analytics.player_game_summary ORDER BY player_lookup");
    const again = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse]);
    expect(again.code).toBe(0);
    const rerun = JSON.parse(again.stdout) as { results: { actions: { role: string; rows_written: number | null }[] }[] };
    expect(rerun.results[0]?.actions.filter((action) => action.role === "model").map((action) => action.rows_written)).toEqual(new Array(11).fill(0));
    expect(await queryWarehouse(warehouse, "SELECT * FROM nba_analytics.player_game_summary ORDER BY player_lookup")).toEqual(before);
  });

  it("verifies the date: every check passes but validation coverage, which names the sources the fixtures lack", async () => {
    const report = await runCli(["verify", "--date", DATE, "--format", "json", "--warehouse", warehouse]);
    expect(report.code, report.stdout).toBe(0);
    const parsed = JSON.parse(report.stdout) as { state: string; passed: boolean; checks: { id: string; state: string; passed: boolean; numbers: Record<string, unknown> }[] };
    expect(parsed.state).toBe("warn");
    expect(parsed.checks.map((check) => [check.id, check.state, check.passed])).toEqual([
      ["ordered_execution", "pass", true],
      ["race_detection", "pass", true],
      ["dependency_gates", "pass", true],
      ["validation_coverage", "warn", true],
      ["duplicates", "pass", true],
      ["held_back_games", "pass", true],
      ["usage_coverage", "pass", true],
      ["quarantine", "pass", true],
    ]);
    // The date has no NBA.com schedule (the ESPN scoreboard stands in), no props and no
    // play-by-play among the fixtures: each is a post-write warning, and so a warning of verify.
    const warnings = parsed.checks.find((check) => check.id === "validation_coverage")?.numbers.check_warnings as { model: string; check: string; rows: number }[];
    expect(warnings.map(({ model, check, rows }) => [model, check, rows])).toEqual([
      ["game_source_checks", "date_without_schedule", 1],
      ["player_game_summary", "prop_match_low", 1],
      ["team_offense_game_summary", "shot_zones_missing", 2 * games.length],
    ]);
  });

  it("fails verification after a simulated race, naming the check and why", async () => {
    // As on 2026-02-03: usage computed against partial team rows (Jrue Holiday 1228 %, Grayson Allen 1066.67 %).
    const engine = await openDuckDBEngine({ path: warehouse });
    try {
      await engine.execute(
        "UPDATE nba_analytics.player_game_summary SET usage_rate = 1228.0 WHERE player_lookup IN (SELECT player_lookup FROM nba_analytics.player_game_summary WHERE usage_rate IS NOT NULL ORDER BY player_lookup LIMIT 2)",
      );
    } finally {
      await engine.close();
    }
    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain("VERIFICATION FAILED");
    expect(markdown.stdout).toContain("| 2 | Race detection: usage_rate never above 100 | **FAIL** | 2 usage_rate value(s) above 100: the player model ran against partial or missing team totals |");
    const json = JSON.parse((await runCli(["verify", "--date", DATE, "--format", "json", "--warehouse", warehouse])).stdout) as { checks: { id: string; passed: boolean }[] };
    expect(json.checks.filter((check) => !check.passed).map((check) => check.id)).toEqual(["race_detection"]);
  });
});
