/**
 * Box scores that cannot be true, built into a seeded date (runner seed, then a re-scrape of one
 * game with the fault) and run through the CLI as a scheduler would: the wrong figure is never
 * published with exit 0. Expected figures are read from the raw rows of the clean load, never from
 * the models under test.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers.ts";
import { executeInWarehouse, queryWarehouse } from "../scenario.ts";

const DATE = "2024-12-16";
const GAME = "20241216_SAS_DET";
const PLAYER = "terrencehernangomez";
const TEAM_DATE = "2024-12-20";
const TEAM_GAME = "20241220_WAS_PHX";
const FRESH = ["--var", "as_of_date=2030-01-01"];
const BOX_SCORE_MODELS = ["--actions", "player_game_summary", "team_defense_game_summary", "--include-deps"];

interface RunJson {
  outcome: string;
  exit_code: number;
  warnings: { kind: string; action: string; message: string }[];
  results: { held_back_games: { game_id: string; reason: string; detail: string }[]; actions: { action: string; status: string }[] }[];
}

let seeded: string;

beforeAll(async () => {
  seeded = path.join(tempDir("impossible-seed"), "warehouse.duckdb");
  const seed = await runCli(["seed", "--start-date", DATE, "--end-date", TEAM_DATE, "--warehouse", seeded]);
  expect(seed.code, seed.stderr.slice(-2000)).toBe(0);
}, 120_000);

/** A copy of the seeded date, run once clean: the published rows a later fault must not touch. */
async function publishedDate(name: string, date = DATE): Promise<string> {
  const warehouse = path.join(tempDir(name), "warehouse.duckdb");
  fs.copyFileSync(seeded, warehouse);
  const clean = await run(warehouse, date);
  expect(clean.code, clean.stderr.slice(-2000)).toBe(0);
  return warehouse;
}

async function run(warehouse: string, date = DATE): Promise<{ code: number; json: RunJson; stderr: string }> {
  const result = await runCli(["run", "--date", date, "--json", "--warehouse", warehouse, ...FRESH, ...BOX_SCORE_MODELS]);
  return { code: result.code, json: JSON.parse(result.stdout) as RunJson, stderr: result.stderr };
}

/**
 * Appends a re-scrape of the game's `table` rows (loaded 6 hours later, its own file: the game's
 * latest load, which replaces the earlier one whole) with
 * `changes` (SQL assignments) applied to the rows `where` selects.
 */
function rescrape(table: string, changes: string, where: string, game = GAME): string[] {
  return [
    `CREATE TEMP TABLE rescraped AS SELECT * FROM nba_raw.${table} WHERE game_id = '${game}'`,
    `UPDATE rescraped SET processed_at = TIMESTAMP_ADD(processed_at, INTERVAL 6 HOUR), source_file_path = source_file_path || '#rescrape' WHERE TRUE`,
    `UPDATE rescraped SET ${changes} WHERE ${where}`,
    `INSERT INTO nba_raw.${table} SELECT * FROM rescraped`,
    "DROP TABLE rescraped",
  ];
}

/** What is published of the game: team defense and the player's summary row. */
async function published(warehouse: string) {
  return {
    defense: await queryWarehouse(
      warehouse,
      `SELECT defending_team_abbr, steals, defensive_rebounds FROM nba_analytics.team_defense_game_summary WHERE game_id = '${GAME}' ORDER BY 1`,
    ),
    player: await queryWarehouse(
      warehouse,
      `SELECT offensive_rebounds, defensive_rebounds, assists, steals, blocks, personal_fouls FROM nba_analytics.player_game_summary WHERE game_id = '${GAME}' AND player_lookup = '${PLAYER}'`,
    ),
  };
}

describe("a negative counting stat in a player line", () => {
  it("is rejected before publish: the game held back whole, the line quarantined, the published rows kept, verify fails", async () => {
    const warehouse = await publishedDate("negative-stats");
    // The clean load's figures, from the raw gamebook: DET's steals and defensive rebounds are its
    // players' sums, and the player's own line.
    const [clean] = await queryWarehouse(
      warehouse,
      `SELECT SUM(steals) AS det_steals, SUM(defensive_rebounds) AS det_dreb,
              MAX(IF(player_lookup = '${PLAYER}', steals, NULL)) AS player_steals,
              MAX(IF(player_lookup = '${PLAYER}', assists, NULL)) AS player_assists
       FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${GAME}' AND team_abbr = 'DET'`,
    );
    expect(Number(clean?.player_steals)).toBeGreaterThanOrEqual(0);
    const before = await published(warehouse);
    expect(before.defense.find((row) => row.defending_team_abbr === "DET")).toMatchObject({ steals: Number(clean?.det_steals), defensive_rebounds: Number(clean?.det_dreb) });
    const [games] = await queryWarehouse(warehouse, "SELECT COUNT(DISTINCT game_id) AS n FROM nba_analytics.team_defense_game_summary");

    // The re-scrape: OREB -5, DREB -8, AST 45, STL -3, BLK -2, PF 11; points (and so the score,
    // minutes and every other check of the source) unchanged.
    await executeInWarehouse(
      warehouse,
      ...rescrape(
        "nbac_gamebook_player_stats",
        "offensive_rebounds = -5, defensive_rebounds = -8, assists = 45, steals = -3, blocks = -2, personal_fouls = 11",
        `player_lookup = '${PLAYER}'`,
      ),
    );
    const faulty = await run(warehouse);

    // Rejected (DESIGN 6): exit 1, the game held back whole by its reason, the others published.
    expect(faulty.code, faulty.stderr.slice(-2000)).toBe(1);
    expect(faulty.json.outcome).toBe("failed");
    expect(faulty.json.results[0]?.actions.find((action) => action.action === "player_game_boxscore")?.status).toBe("failed");
    expect(faulty.json.results[0]?.held_back_games).toEqual([
      expect.objectContaining({ game_id: GAME, reason: "rejected", detail: "player_game_boxscore: rows broke counts_not_negative" }),
    ]);
    expect(faulty.stderr).toContain("PRE_WRITE counts_not_negative: 1 rows quarantined");
    const quarantined = await runCli(["quarantine", "list", "--date", DATE, "--json", "--warehouse", warehouse]);
    expect(JSON.parse(quarantined.stdout)).toEqual([
      expect.objectContaining({ model: "player_game_boxscore", rule: "counts_not_negative", row_count: 1 }),
    ]);

    // The good rows published before are exactly as they were: DET's steals stay its players'.
    expect(await published(warehouse)).toEqual(before);
    expect(before.player).toEqual([expect.objectContaining({ steals: Number(clean?.player_steals), assists: Number(clean?.player_assists) })]);
    expect(await queryWarehouse(warehouse, "SELECT COUNT(DISTINCT game_id) AS n FROM nba_analytics.team_defense_game_summary")).toEqual([games]);
    const held = await queryWarehouse(warehouse, `SELECT model, reason FROM nba_orchestration.held_back_games WHERE game_id = '${GAME}' ORDER BY model`);
    expect(held.filter((row) => row.reason === "rejected")).toEqual([{ model: "player_game_boxscore", reason: "rejected" }]);
    expect(held.map((row) => row.model)).toEqual(expect.arrayContaining(["team_game_boxscore", "team_defense_game_summary", "team_offense_game_summary", "player_game_summary"]));

    const verify = await runCli(["verify", "--date", DATE, "--format", "json", "--warehouse", warehouse]);
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout) as { state: string; checks: { id: string; state: string; details: string[] }[] };
    expect(report.state).toBe("fail");
    const heldBack = report.checks.find((check) => check.id === "held_back_games");
    expect(heldBack?.state).toBe("fail");
    expect(heldBack?.details.join("\n")).toContain("counts_not_negative");
  }, 120_000);
});

describe("an implausible but possible player line", () => {
  it("is published, with a warning in the log, --json and verify: 7 fouls (no substitute left) and 31 assists", async () => {
    const warehouse = await publishedDate("implausible-stats");
    const [line] = await queryWarehouse(
      warehouse,
      `SELECT assists, personal_fouls FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${GAME}' AND player_lookup = '${PLAYER}'`,
    );
    const moreAssists = 31 - Number(line?.assists);
    const moreFouls = 7 - Number(line?.personal_fouls);
    // A consistent re-scrape: the player's line and his team's box score gain the same assists and fouls.
    await executeInWarehouse(
      warehouse,
      ...rescrape("nbac_gamebook_player_stats", "assists = 31, personal_fouls = 7", `player_lookup = '${PLAYER}'`),
      ...rescrape("nbac_team_boxscore", `assists = assists + ${moreAssists}, personal_fouls = personal_fouls + ${moreFouls}`, "team_abbr = 'DET'"),
    );
    const result = await run(warehouse);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const warnings = result.json.warnings.filter((warning) => warning.kind === "check_warning" && warning.action === "player_game_boxscore").map((warning) => warning.message);
    expect(warnings).toEqual([expect.stringMatching(/^personal_fouls_within_foul_out \(1 rows\)/), expect.stringMatching(/^assists_within_record \(1 rows\)/)]);
    const logged = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { severity: string; message: string })
      .filter((entry) => entry.message.startsWith("PRE_WRITE"));
    expect(logged.map((entry) => [entry.severity, entry.message.split(":")[0]])).toEqual([
      ["WARNING", "PRE_WRITE personal_fouls_within_foul_out"],
      ["WARNING", "PRE_WRITE assists_within_record"],
    ]);
    expect(await queryWarehouse(warehouse, `SELECT assists, personal_fouls FROM nba_analytics.player_game_summary WHERE player_lookup = '${PLAYER}'`)).toEqual([
      { assists: 31, personal_fouls: 7 },
    ]);
    const verify = await runCli(["verify", "--date", DATE, "--format", "json", "--warehouse", warehouse]);
    const report = JSON.parse(verify.stdout) as { checks: { id: string; details: string[] }[] };
    const coverage = report.checks.find((check) => check.id === "validation_coverage")?.details.find((detail) => detail.startsWith("player_game_boxscore"));
    expect(coverage).toContain("personal_fouls_within_foul_out: 1");
    expect(coverage).toContain("assists_within_record: 1");
  }, 120_000);
});

/** "MM:SS" as minutes. */
function minutesOf(text: unknown): number {
  const [minutes, seconds] = String(text).split(":").map(Number);
  return Number(minutes) + Number(seconds) / 60;
}

describe("a team box score whose totals disagree with its own players", () => {
  it("is not used: PHX with 40 more FGA and 20 more turnovers than its players is rebuilt from them, with a warning", async () => {
    const warehouse = await publishedDate("team-totals", TEAM_DATE);
    // The players' totals, from the raw gamebook (every PHX line of the game; DNP lines have none).
    const lines = await queryWarehouse(
      warehouse,
      `SELECT minutes, field_goals_attempted AS fga, free_throws_attempted AS fta, turnovers AS tov, offensive_rebounds AS oreb, player_lookup
       FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${TEAM_GAME}' AND team_abbr = 'PHX' AND player_status = 'active'`,
    );
    const sum = (key: string) => lines.reduce((total, line) => total + Number(line[key] ?? 0), 0);
    const [box] = await queryWarehouse(warehouse, `SELECT fg_attempted, turnovers FROM nba_raw.nbac_team_boxscore WHERE game_id = '${TEAM_GAME}' AND team_abbr = 'PHX'`);
    expect(Number(box?.fg_attempted)).toBe(sum("fga"));
    // The seed charges PHX turnovers no player is (team turnovers): allowed, and the team box score is used.
    expect(Number(box?.turnovers)).toBeGreaterThanOrEqual(sum("tov"));
    const [clean] = await queryWarehouse(warehouse, `SELECT team_source, team_boxscore_check FROM nba_analytics.game_source_checks WHERE game_id = '${TEAM_GAME}'`);
    expect(clean).toEqual({ team_source: "nbac_team_boxscore", team_boxscore_check: "passed" });

    await executeInWarehouse(warehouse, ...rescrape("nbac_team_boxscore", "fg_attempted = fg_attempted + 40, turnovers = turnovers + 20", "team_abbr = 'PHX'", TEAM_GAME));
    const result = await run(warehouse, TEAM_DATE);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const check = `PHX FGA ${sum("fga") + 40}, players ${sum("fga")}`;
    const warnings = result.json.warnings.filter((warning) => warning.kind === "check_warning" && warning.action === "game_source_checks").map((warning) => warning.message);
    expect(warnings).toEqual([expect.stringMatching(/^team_boxscore_not_used \(1 rows\)/)]);
    expect(warnings[0]).toContain(check);
    expect(result.stderr).toMatch(/"severity":"WARNING","message":"POST_WRITE_VALIDATION WARNING for game_source_checks: team_boxscore_not_used/);
    expect(await queryWarehouse(warehouse, `SELECT team_source, team_boxscore_check FROM nba_analytics.game_source_checks WHERE game_id = '${TEAM_GAME}'`)).toEqual([
      { team_source: "reconstructed_from_nbac_gamebook", team_boxscore_check: check },
    ]);

    // PHX's figures are its players': FGA, turnovers, possessions FGA + 0.44 FTA + TOV - OREB (truncated).
    const [phx] = await queryWarehouse(
      warehouse,
      `SELECT fg_attempts, ft_attempts, turnovers, possessions, primary_source_used FROM nba_analytics.team_offense_game_summary WHERE game_id = '${TEAM_GAME}' AND team_abbr = 'PHX'`,
    );
    expect(phx).toEqual({
      fg_attempts: sum("fga"),
      ft_attempts: sum("fta"),
      turnovers: sum("tov"),
      possessions: Math.trunc(sum("fga") + 0.44 * sum("fta") + sum("tov") - sum("oreb")),
      primary_source_used: "reconstructed_from_nbac_gamebook",
    });
    // Usage rates against those totals (spec 2.3, regulation: team minutes 240).
    const teamUsed = sum("fga") + 0.44 * sum("fta") + sum("tov");
    const usage = await queryWarehouse(warehouse, `SELECT player_lookup, usage_rate FROM nba_analytics.player_game_summary WHERE game_id = '${TEAM_GAME}' AND team_abbr = 'PHX' AND minutes_played > 0`);
    expect(usage).toHaveLength(lines.filter((line) => minutesOf(line.minutes) > 0).length);
    for (const row of usage) {
      const line = lines.find((candidate) => candidate.player_lookup === row.player_lookup) as Record<string, unknown>;
      const expected = (100 * (Number(line.fga) + 0.44 * Number(line.fta) + Number(line.tov)) * (240 / 5)) / (minutesOf(line.minutes) * teamUsed);
      expect(Math.abs(Number(row.usage_rate) - expected), String(row.player_lookup)).toBeLessThanOrEqual(0.05 + 1e-9);
    }

    const verify = await runCli(["verify", "--date", TEAM_DATE, "--format", "json", "--warehouse", warehouse]);
    const report = JSON.parse(verify.stdout) as { checks: { id: string; summary: string; details: string[] }[] };
    const validation = report.checks.find((entry) => entry.id === "validation_coverage");
    expect(validation?.details.find((detail) => detail.startsWith("game_source_checks"))).toContain("warnings team_boxscore_not_used");
    // Named in the check's summary too (its state is fail here: this run took only some models).
    expect(validation?.summary).toContain("1 check warning(s): game_source_checks team_boxscore_not_used (1 rows)");
  }, 120_000);
});
