/**
 * Every row of DESIGN section 6 through the CLI: the exit code, the outcome in --json, the ledger
 * statuses and the games named (cases in tests/outcomes.ts; tests/server/outcomes.test.ts drives the
 * same cases through serve). Plus the guarantees behind the table: a rejected row never deletes a
 * published one, quarantine keeps one copy, a failing blocking check rolls the publish back.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../helpers.ts";
import { DATE, FRESH, OUTCOME_CASES, STALE, projectWithFailingCheck } from "../outcomes.ts";
import { executeInWarehouse, gameId, gameRows, impossibleLineGame, merge, queryWarehouse, slate, writeRaw, type Game } from "../scenario.ts";

interface RunJson {
  outcome: string;
  exit_code: number;
  warnings: { kind: string; action: string; games: string[]; message: string }[];
  results: { held_back_games: { game_id: string; reason: string }[]; actions: { action: string; status: string; message: string | null }[] }[];
}

async function ledger(warehouse: string): Promise<Record<string, { status: string; message: string | null }>> {
  const rows = await queryWarehouse(warehouse, "SELECT action, status, message FROM nba_orchestration.phase3_runner_runs ORDER BY finished_at");
  return Object.fromEntries(rows.map((row) => [String(row.action), { status: String(row.status), message: row.message === null ? null : String(row.message) }]));
}

describe("DESIGN 6 through the CLI", () => {
  it.each(OUTCOME_CASES)("$row", async (outcome) => {
    const { warehouse, project } = await outcome.setup();
    const args = ["run", "--date", DATE, "--json", "--warehouse", warehouse, ...outcome.vars.flatMap((entry) => ["--var", entry]), ...(outcome.cliFlags ?? [])];
    const result = await runCli(project ? [...args, "--project", project] : args);
    expect(result.code, result.stderr.slice(-3000)).toBe(outcome.cli.code);
    const run = JSON.parse(result.stdout) as RunJson;
    expect(run.outcome).toBe(outcome.cli.outcome);
    const recorded = await ledger(warehouse);
    for (const [action, status] of Object.entries(outcome.ledger)) expect(recorded[action]?.status, action).toBe(status);
    for (const [action, words] of Object.entries(outcome.ledgerMessages ?? {})) {
      for (const word of words) expect(recorded[action]?.message, action).toContain(word);
    }
    // A warning outcome names what it let through or held back, in the log and in --json.
    if (run.outcome === "warnings") {
      expect(run.warnings.some((warning) => warning.kind === "gate_bypassed" || warning.kind === "gate_ignored")).toBe(true);
      expect(result.stderr).toMatch(/"severity":"WARNING","message":"GATE (BYPASSED|IGNORED)/);
    }
  });

  it("names the bypassed games in the terminal summary", async () => {
    const bypassed = OUTCOME_CASES.find((candidate) => candidate.row.startsWith("bypassed: after"));
    const { warehouse } = await (bypassed as (typeof OUTCOME_CASES)[number]).setup();
    const result = await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", STALE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("succeeded WITH WARNINGS");
    expect(result.stdout).toMatch(/warnings:\n {4}gate_bypassed boxscores_complete: 2 game\(s\) let through missing \(20250115_BKN_CHA, 20250115_CHI_CLE\)/);
    expect(result.stdout).toContain("held back 2 game(s):");
  });

  it("refuses a bad date before anything runs (exit 2)", async () => {
    const warehouse = path.join(tempDir("outcome"), "warehouse.duckdb");
    const result = await runCli(["run", "--date", "2025-02-30", "--warehouse", warehouse]);
    expect(result.code).toBe(2);
  });
});

describe("publishing never loses data", () => {
  const [good, turned] = slate(DATE, 2) as [Game, Game];

  async function publishedOf(warehouse: string, game: Game) {
    return queryWarehouse(warehouse, `SELECT * EXCLUDE (processed_at) FROM nba_analytics.player_game_summary WHERE game_id = '${gameId(game)}' ORDER BY player_lookup`);
  }

  it("keeps every published row of a game whose row turned bad, and quarantines the bad row once however often it reruns", async () => {
    const warehouse = path.join(tempDir("turned-bad"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(gameRows(good), gameRows(turned)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH])).code).toBe(0);
    const before = await publishedOf(warehouse, turned);
    expect(before).toHaveLength(10);

    // A re-scrape of the game arrives with an impossible line.
    const rescrape = impossibleLineGame(turned);
    for (const rows of Object.values(rescrape)) for (const row of rows) row.processed_at = "2025-01-16T12:00:00Z";
    await writeRaw(warehouse, rescrape);
    for (let attempt = 0; attempt < 3; attempt++) {
      const rerun = await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH]);
      expect(rerun.code).toBe(1);
    }
    expect(await publishedOf(warehouse, turned)).toEqual(before);
    const quarantined = await queryWarehouse(warehouse, "SELECT rule, COUNT(*) AS copies FROM nba_analytics_quarantine.player_game_boxscore GROUP BY rule");
    expect(quarantined).toEqual([{ rule: "threes_within_field_goals", copies: 1 }]);
    const listed = await runCli(["quarantine", "list", "--rule", "threes_within_field_goals", "--json", "--warehouse", warehouse]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ model: "player_game_boxscore", rule: "threes_within_field_goals", row_count: 1 })]);
  });

  it("leaves one quarantine copy when a run is killed between its pre-write rules and its publish", async () => {
    const warehouse = path.join(tempDir("killed"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(gameRows(good), impossibleLineGame(turned)));
    const killed = await new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, "bin", "runner.js"), "run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      let sent = false;
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && stderr.includes("PRE_WRITE threes_within_field_goals")) {
          sent = true;
          child.kill("SIGKILL");
        }
      });
      child.on("exit", () => resolve(sent));
    });
    expect(killed).toBe(true);
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH])).code).toBe(1);
    const quarantined = await queryWarehouse(warehouse, "SELECT COUNT(*) AS copies FROM nba_analytics_quarantine.player_game_boxscore");
    expect(quarantined).toEqual([{ copies: 1 }]);
  });

  it("rolls the publish back when a blocking post-write check fails: the table is exactly as before", async () => {
    const warehouse = path.join(tempDir("rollback"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(gameRows(good), gameRows(turned)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH])).code).toBe(0);
    const snapshot = () => queryWarehouse(warehouse, "SELECT * FROM nba_analytics.team_offense_game_summary ORDER BY team_abbr");
    const before = await snapshot();

    // A corrected re-scrape changes a score; a check that fails on every written row guards the publish.
    const corrected = gameRows(turned, { loadedAt: "2025-01-16T12:00:00Z" });
    const line = corrected.nbac_gamebook_player_stats?.[0] as Record<string, number | string>;
    line.points = Number(line.points) + 1;
    line.free_throws_made = Number(line.free_throws_made) + 1;
    line.free_throws_attempted = Number(line.free_throws_attempted) + 1;
    const schedule = corrected.nbac_schedule?.[0] as Record<string, number>;
    const side = line.team_abbr === turned.home ? "home_team_score" : "away_team_score";
    schedule[side] = Number(schedule[side]) + 1;
    for (const row of corrected.nbac_team_boxscore ?? []) if (row.team_abbr === line.team_abbr) Object.assign(row, { points: Number(row.points) + 1, ft_made: Number(row.ft_made) + 1, ft_attempted: Number(row.ft_attempted) + 1 });
    await writeRaw(warehouse, corrected);
    const project = projectWithFailingCheck();
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, "--var", FRESH, "--project", project]);
    expect(result.code).toBe(1);
    expect(await snapshot()).toEqual(before);
    const recorded = await ledger(warehouse);
    expect(recorded.team_offense_game_summary?.status).toBe("failed");
    expect(recorded.team_offense_game_summary?.message).toContain("the publish was rolled back");
  });
});

describe("usage alerts (spec 2.3), per team and game", () => {
  const [steady, gap] = slate(DATE, 2) as [Game, Game];

  it("does not use a team box score one field-goal attempt short of its players: the team is rebuilt from them, with a warning", async () => {
    const warehouse = path.join(tempDir("fga-gap"), "warehouse.duckdb");
    const short = gameRows(gap);
    const teamRow = short.nbac_team_boxscore?.find((row) => row.team_abbr === gap.home) as Record<string, number>;
    const playersFga = (short.nbac_gamebook_player_stats ?? []).filter((row) => row.team_abbr === gap.home).reduce((sum, row) => sum + Number(row.field_goals_attempted), 0);
    expect(Number(teamRow.fg_attempted)).toBe(playersFga);
    teamRow.fg_attempted = playersFga - 1;
    await writeRaw(warehouse, merge(gameRows(steady), short));
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, "--var", FRESH]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const run = JSON.parse(result.stdout) as RunJson;
    const notUsed = run.warnings.filter((warning) => warning.kind === "check_warning" && warning.message.startsWith("team_boxscore_not_used"));
    expect(notUsed.map((warning) => warning.message)).toEqual([expect.stringContaining(`"team_boxscore_check":"${gap.home} FGA ${playersFga - 1}, players ${playersFga}"`)]);
    expect(result.stderr).toContain("POST_WRITE_VALIDATION WARNING for game_source_checks: team_boxscore_not_used");
    const [team] = await queryWarehouse(warehouse, `SELECT fg_attempts, primary_source_used FROM nba_analytics.team_offense_game_summary WHERE team_abbr = '${gap.home}'`);
    expect(team).toEqual({ fg_attempts: playersFga, primary_source_used: "reconstructed_from_nbac_gamebook" });
    const usage = await queryWarehouse(warehouse, `SELECT COUNT(*) AS played, COUNT(usage_rate) AS with_usage FROM nba_analytics.player_game_summary WHERE team_abbr = '${gap.home}' AND minutes_played > 0`);
    expect(usage).toEqual([{ played: 5, with_usage: 5 }]);
  });

  it("holds a game back when the team totals it reads are one field-goal attempt short of its players (usage coverage 0 %), keeping its published rows", async () => {
    const warehouse = path.join(tempDir("fga-gap"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(gameRows(steady), gameRows(gap)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", FRESH])).code).toBe(0);
    const gapRows = () => queryWarehouse(warehouse, `SELECT * FROM nba_analytics.player_game_summary WHERE game_id = '${gameId(gap)}' ORDER BY player_lookup`);
    const before = await gapRows();
    // The team box scores the runner reads agree with their players (game_source_checks uses no
    // other), so partial team totals are made where the player model reads them: team offense.
    await executeInWarehouse(warehouse, `UPDATE nba_analytics.team_offense_game_summary SET fg_attempts = fg_attempts - 1 WHERE game_date = DATE '${DATE}' AND team_abbr = '${gap.home}'`);
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, "--var", FRESH, "--actions", "player_game_summary", "--force"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("PRE_WRITE usage_coverage_critical: 5 rows quarantined");
    const run = JSON.parse(result.stdout) as RunJson;
    expect(run.results[0]?.held_back_games).toEqual([
      expect.objectContaining({ game_id: gameId(gap), reason: "rejected", detail: "player_game_summary: rows broke usage_coverage_critical" }),
    ]);
    const quarantined = await queryWarehouse(warehouse, "SELECT rule, COUNT(*) AS n FROM nba_analytics_quarantine.player_game_summary GROUP BY rule");
    expect(quarantined).toEqual([{ rule: "usage_coverage_critical", n: 5 }]);
    expect(await gapRows()).toEqual(before);
  });

  it("warns with the count and the raw value when a usage rate above 100 is nulled", async () => {
    const warehouse = path.join(tempDir("usage-nulled"), "warehouse.duckdb");
    const rows = gameRows(steady);
    // One home player played a minute (his usage is far above 100); the others share his minutes.
    const home = (rows.nbac_gamebook_player_stats ?? []).filter((row) => row.team_abbr === steady.home);
    home.forEach((row, index) => (row.minutes = index === 0 ? "1:00" : "59:45"));
    await writeRaw(warehouse, rows);
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, "--var", FRESH]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const warnings = (JSON.parse(result.stdout) as RunJson).warnings.filter((warning) => warning.kind === "check_warning").map((warning) => warning.message);
    expect(warnings.find((message) => message.startsWith("usage_missing_while_played"))).toContain(`"players_without_usage":1`);
    const nulled = warnings.find((message) => message.startsWith("usage_rate_nulled_above_max"));
    const [raw] = await queryWarehouse(warehouse, `SELECT usage_rate_raw FROM nba_analytics.player_game_summary WHERE player_lookup = '${String(home[0]?.player_lookup)}'`);
    expect(Number(raw?.usage_rate_raw)).toBeGreaterThan(100);
    expect(nulled).toContain(`"usage_rate_raw":${Number(raw?.usage_rate_raw)}`);
    expect(result.stderr).toContain("POST_WRITE_VALIDATION WARNING for player_game_summary: usage_rate_nulled_above_max");
  });
});
