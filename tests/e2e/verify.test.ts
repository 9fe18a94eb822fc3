/**
 * `runner verify` through the CLI: PASS, WARN and FAIL per check and for the date, --strict, the
 * numbers of --format json, and a range of dates (one line per date and a total). Warehouses are
 * built with the CLI's `run` on scenario data, then edited in place where a precise state is needed.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { HELD_BACK_COLUMNS, HELD_BACK_TABLE } from "../../runner/execution/held_back.ts";
import { copyProject, editFile, runCli, tempDir } from "../helpers.ts";
import { startFakeBigQuery } from "../bigquery/fake_server.ts";
import { fakeEnv, PROJECT } from "../bigquery/support.ts";
import { completeGameExtras, completeGameRows, executeInWarehouse, gameId, gameRows, impossibleLineGame, merge, processedAt, queryWarehouse, slate, writeRaw } from "../scenario.ts";

const DATE = "2025-01-15";

interface CheckJson {
  id: string;
  title: string;
  state: "pass" | "warn" | "fail";
  passed: boolean;
  summary: string;
  details: string[];
  numbers: Record<string, unknown>;
}

interface ReportJson {
  game_date: string;
  state: "pass" | "warn" | "fail";
  passed: boolean;
  warehouse: string;
  checks: CheckJson[];
}

interface RangeJson {
  start_date: string;
  end_date: string;
  state: string;
  passed: boolean;
  warehouse: string;
  totals: { dates: number; pass: number; warn: number; fail: number };
  dates: ReportJson[];
}

function warehouseFile(): string {
  return path.join(tempDir("verify"), "warehouse.duckdb");
}

/** The morning after the last date: fresh, so a gate gives no staleness pass. */
function asOf(date: string): string[] {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return ["--var", `as_of_date=${next}`];
}

async function verifyJson(warehouse: string, ...args: string[]): Promise<{ code: number; report: ReportJson }> {
  const result = await runCli(["verify", "--date", DATE, "--format", "json", "--warehouse", warehouse, ...args]);
  return { code: result.code, report: JSON.parse(result.stdout) as ReportJson };
}

function check(report: ReportJson, id: string): CheckJson {
  const found = report.checks.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`${id} not in the report`);
  return found;
}

function states(report: ReportJson): Record<string, string> {
  return Object.fromEntries(report.checks.map((candidate) => [candidate.id, candidate.state]));
}

/** usage_rate back to what the model wrote (usage_rate_raw is the same figure, kept for every row). */
const RESET_USAGE = "UPDATE nba_analytics.player_game_summary SET usage_rate = usage_rate_raw WHERE TRUE";

describe("verify a date: PASS, WARN and FAIL", () => {
  const warehouse = warehouseFile();
  const games = slate(DATE, 2);

  beforeAll(async () => {
    await writeRaw(warehouse, merge(...games.map((game) => completeGameRows(game))));
    const run = await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
  });

  it("passes a clean date, naming the warehouse it read", async () => {
    await executeInWarehouse(warehouse, RESET_USAGE);
    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("**ALL CHECKS PASSED** (8 of 8 checks passed;");
    expect(markdown.stdout).toContain(`read from ${path.resolve(warehouse)}`);
    const strict = await verifyJson(warehouse, "--strict");
    expect(strict.code).toBe(0);
    expect(strict.report).toMatchObject({ game_date: DATE, state: "pass", passed: true, warehouse: path.resolve(warehouse) });
    expect(Object.values(states(strict.report)).every((state) => state === "pass")).toBe(true);
    expect(check(strict.report, "usage_coverage").numbers).toMatchObject({ teams_checked: 4, teams_below: 0 });
  });

  it("warns on a usage_rate above 50 (not above 100), naming the player; --strict makes it exit 1", async () => {
    await executeInWarehouse(warehouse, RESET_USAGE, "UPDATE nba_analytics.player_game_summary SET usage_rate = 62.5 WHERE player_lookup = 'atlplayer1'");
    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("**PASSED WITH WARNINGS** (7 of 8 checks passed, 1 with warnings (race_detection);");
    expect(markdown.stdout).toContain("| 2 | Race detection: usage_rate never above 100 | **WARN** | 1 usage_rate value(s) above 50 (none above 100): atlplayer1 (ATL) 62.5 |");
    expect(markdown.stdout).toContain("## 2. Race detection: usage_rate never above 100: WARN");

    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    expect(report).toMatchObject({ state: "warn", passed: true });
    const race = check(report, "race_detection");
    expect(race).toMatchObject({ state: "warn", passed: true });
    expect(race.numbers).toMatchObject({ player_rows: 20, max_usage_rate: 62.5, above_warning: 1, above_max: 0, warn_above: 50, max: 100 });
    expect(race.numbers.players_above_warning).toEqual([
      { player_lookup: "atlplayer1", team_abbr: "ATL", game_id: gameId(games[0] as (typeof games)[number]), usage_rate: 62.5, minutes_played: 48 },
    ]);
    expect(states(report)).toMatchObject({ ordered_execution: "pass", dependency_gates: "pass", validation_coverage: "pass", held_back_games: "pass", usage_coverage: "pass" });

    expect((await verifyJson(warehouse, "--strict")).code).toBe(1);
    const html = await runCli(["verify", "--date", DATE, "--format", "html", "--warehouse", warehouse]);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<span class="verdict warn">PASSED WITH WARNINGS</span>');
    expect(html.stdout).toContain('<section id="race_detection" class="warn">');
    expect(html.stdout).toContain(".verdict.warn {");
  });

  it("fails on a usage_rate above 100, with or without --strict", async () => {
    await executeInWarehouse(warehouse, RESET_USAGE, "UPDATE nba_analytics.player_game_summary SET usage_rate = 1228.0 WHERE player_lookup = 'bosplayer2'");
    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain("**VERIFICATION FAILED** (7 of 8 checks passed, 1 failed (race_detection);");
    expect(markdown.stdout).toContain("| 2 | Race detection: usage_rate never above 100 | **FAIL** | 1 usage_rate value(s) above 100: the player model ran against partial or missing team totals |");
    expect(markdown.stdout).toContain("  bosplayer2 (BOS, 20250115_ATL_BOS): usage_rate 1228 in 48 min - above 100");
    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(1);
    expect(report).toMatchObject({ state: "fail", passed: false });
    expect(check(report, "race_detection")).toMatchObject({ state: "fail", passed: false });
    expect(check(report, "race_detection").numbers).toMatchObject({ max_usage_rate: 1228, above_warning: 1, above_max: 1 });
  });

  it("warns when fewer than 80 percent of a team's players who played have a usage_rate, naming the team and game", async () => {
    await executeInWarehouse(warehouse, RESET_USAGE, "UPDATE nba_analytics.player_game_summary SET usage_rate = NULL WHERE player_lookup IN ('chaplayer1', 'chaplayer2')");
    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    expect(report.state).toBe("warn");
    const coverage = check(report, "usage_coverage");
    const game = gameId(games[1] as (typeof games)[number]);
    expect(coverage).toMatchObject({ state: "warn", passed: true, summary: `1 team(s) below 80 percent: CHA in ${game} (60 percent)` });
    expect(coverage.numbers).toEqual({
      teams_checked: 4,
      teams_below: 1,
      warn_below_pct: 80,
      below: [{ game_id: game, team_abbr: "CHA", played: 5, with_usage: 3, coverage_pct: 60 }],
    });
    expect(coverage.details).toContain(`  CHA in ${game}: 3 of 5 players who played have a usage_rate (60 percent); without: 2 no reason recorded`);
    expect(states(report)).toMatchObject({ race_detection: "pass", usage_coverage: "warn" });
  });

  it("warns on a game held back for a late source, and fails on one held back for a rejected row", async () => {
    await executeInWarehouse(warehouse, RESET_USAGE);
    const engine = await openDuckDBEngine({ path: warehouse });
    const row = { game_date: DATE, game_id: "20250115_DAL_DEN", run_id: "run_test", held_at: "2025-01-16T06:00:00Z" };
    try {
      await engine.insertRows(HELD_BACK_TABLE, HELD_BACK_COLUMNS, [
        { ...row, model: "game_source_checks", reason: "source_incomplete", detail: "no player box score in any source yet" },
        { ...row, model: "player_game_summary", reason: "upstream_held_back", detail: "held back upstream by game_source_checks" },
      ]);
    } finally {
      await engine.close();
    }
    const warned = await verifyJson(warehouse);
    expect(warned.code).toBe(0);
    expect(check(warned.report, "held_back_games")).toMatchObject({ state: "warn", passed: true, summary: "1 game(s) held back: 20250115_DAL_DEN" });
    expect(check(warned.report, "held_back_games").numbers).toEqual({
      games: 1,
      rejected: 0,
      held_back: [
        { game_id: "20250115_DAL_DEN", model: "game_source_checks", reason: "source_incomplete", detail: "no player box score in any source yet" },
        { game_id: "20250115_DAL_DEN", model: "player_game_summary", reason: "upstream_held_back", detail: "held back upstream by game_source_checks" },
      ],
    });

    await executeInWarehouse(warehouse, "UPDATE nba_orchestration.held_back_games SET reason = 'rejected', detail = 'rows broke points_add_up' WHERE model = 'game_source_checks'");
    const failed = await verifyJson(warehouse);
    expect(failed.code).toBe(1);
    expect(failed.report.state).toBe("fail");
    expect(check(failed.report, "held_back_games")).toMatchObject({
      state: "fail",
      passed: false,
      summary: "1 game(s) held back: 20250115_DAL_DEN; 1 for rejected rows (a data failure): 20250115_DAL_DEN",
    });
    await executeInWarehouse(warehouse, "DELETE FROM nba_orchestration.held_back_games WHERE TRUE");
  });
});

describe("verify after a check warned: published, but it needs a look", () => {
  it("warns in validation_coverage, naming the model, the check and its rows; --strict exits 1", async () => {
    const warehouse = warehouseFile();
    const [first, second] = slate(DATE, 2) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    // The second game's play-by-play never arrived: its zones stay NULL (shot_zones_missing).
    const secondExtras = completeGameExtras(second);
    delete secondExtras.nbac_play_by_play;
    await writeRaw(warehouse, merge(completeGameRows(first), gameRows(second), secondExtras));
    const run = await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);

    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    expect(report).toMatchObject({ state: "warn", passed: true });
    expect(Object.entries(states(report)).filter(([, state]) => state !== "pass")).toEqual([["validation_coverage", "warn"]]);
    const validation = check(report, "validation_coverage");
    expect(validation.summary).toBe(
      "every model ran its pre- and post-write checks and its assertions; 1 check warning(s): team_offense_game_summary shot_zones_missing (2 rows)",
    );
    expect(validation.numbers.check_warnings).toEqual([
      { model: "team_offense_game_summary", check: "shot_zones_missing", phase: "post-write", rows: 2, run_id: expect.stringMatching(/^run_/) },
    ]);
    expect((await verifyJson(warehouse, "--strict")).code).toBe(1);
  });
});

describe("verify the gates: bypassed and ignored warn", () => {
  it("warns on a gate that let a missing game through (stale date), naming the gate and the game; --strict exits 1", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 7);
    const missing = games[6] as (typeof games)[number];
    await writeRaw(warehouse, merge(...games.slice(0, 6).map((game) => completeGameRows(game)), gameRows(missing, { gamebook: false, teamBoxscore: false })));
    const run = await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", "as_of_date=2025-01-20"]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);

    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("**PASSED WITH WARNINGS** (6 of 8 checks passed, 2 with warnings (dependency_gates, held_back_games);");
    expect(markdown.stdout).toMatch(
      new RegExp(`\\| 3 \\| Dependency gates: every model's readiness gates passed \\| \\*\\*WARN\\*\\* \\| 1 gate\\(s\\) passed with a warning: boxscores_complete bypassed: ${gameId(missing)} let through missing \\(bypassed by staleness`),
    );

    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    expect(report.state).toBe("warn");
    const gates = check(report, "dependency_gates");
    expect(gates).toMatchObject({ state: "warn", passed: true });
    // Four gates: the two of the box-score models, schedule_available (the schedule covers the date)
    // and player_history_complete (no Final game before the date to account for).
    expect(gates.numbers).toMatchObject({ gates_checked: 4, succeeded: 3, bypassed: 1, ignored: 0, not_satisfied: 0 });
    expect(gates.numbers.gates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ gate: "boxscores_complete", status: "bypassed", games: [gameId(missing)] }),
        expect.objectContaining({ gate: "team_offense_complete", status: "succeeded", games: [] }),
        expect.objectContaining({ gate: "schedule_available", status: "succeeded", games: [] }),
        expect.objectContaining({ gate: "player_history_complete", status: "succeeded", games: [] }),
      ]),
    );
    expect(gates.numbers.gates).toHaveLength(4);
    expect(check(report, "held_back_games")).toMatchObject({ state: "warn", summary: `1 game(s) held back: ${gameId(missing)}` });
    expect(check(report, "held_back_games").numbers.held_back).toContainEqual(
      expect.objectContaining({ game_id: gameId(missing), model: "game_source_checks", reason: "source_incomplete" }),
    );
    expect(states(report)).toMatchObject({ race_detection: "pass", validation_coverage: "pass", usage_coverage: "pass" });

    const strict = await runCli(["verify", "--date", DATE, "--strict", "--warehouse", warehouse]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("PASSED WITH WARNINGS");
  });

  it("warns on gates not evaluated (--ignore-gates)", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 2).map((game) => completeGameRows(game))));
    const run = await runCli(["run", "--date", DATE, "--ignore-gates", "--warehouse", warehouse, ...asOf(DATE)]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    expect(report.state).toBe("warn");
    const gates = check(report, "dependency_gates");
    expect(gates.state).toBe("warn");
    expect(gates.summary).toBe(
      "4 gate(s) passed with a warning: boxscores_complete ignored (not evaluated, --ignore-gates); team_offense_complete ignored (not evaluated, --ignore-gates); schedule_available ignored (not evaluated, --ignore-gates); player_history_complete ignored (not evaluated, --ignore-gates)",
    );
    expect(gates.numbers).toMatchObject({ succeeded: 0, bypassed: 0, ignored: 4, not_satisfied: 0 });
    expect(Object.entries(states(report)).filter(([, state]) => state !== "pass")).toEqual([["dependency_gates", "warn"]]);
    expect((await verifyJson(warehouse, "--strict")).code).toBe(1);
  });

  it("fails on a gate that blocked, and when nothing ran for the date", async () => {
    const warehouse = warehouseFile();
    const [first, second, late] = slate(DATE, 3) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    await writeRaw(warehouse, merge(completeGameRows(first), completeGameRows(second)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    // The third game's box scores arrive; only the player model is triggered: its gate blocks.
    await writeRaw(warehouse, completeGameRows(late));
    expect((await runCli(["run", "--date", DATE, "--actions", "player_game_summary", "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(75);
    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(1);
    const gates = check(report, "dependency_gates");
    expect(gates.state).toBe("fail");
    expect(gates.summary).toBe("1 gate(s) not satisfied: team_offense_complete blocked");
    // boxscores_complete, schedule_available and player_history_complete keep their answers of the
    // first run, which the --actions run did not repeat.
    expect(gates.numbers).toMatchObject({ succeeded: 3, not_satisfied: 1 });

    const empty = await runCli(["verify", "--date", "2025-01-16", "--format", "json", "--warehouse", warehouse]);
    expect(empty.code).toBe(1);
    expect(check(JSON.parse(empty.stdout) as ReportJson, "dependency_gates")).toMatchObject({ state: "fail", summary: "no run recorded for this date" });
  });
});

describe("verify after a rejected row: the model failed but published the rest", () => {
  it("keeps the checks it ran in validation coverage and fails held_back_games for the rejected game", async () => {
    const warehouse = warehouseFile();
    const [good, bad] = slate(DATE, 2) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    // The source is complete, the line itself is impossible (tests/scenario.ts).
    const withImpossible = impossibleLineGame(bad);
    await writeRaw(warehouse, merge(completeGameRows(good), withImpossible, completeGameExtras(bad)));
    const run = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, ...asOf(DATE)]);
    expect(run.code).toBe(1);
    const ran = JSON.parse(run.stdout) as { results: { actions: { action: string; status: string }[] }[] };
    expect(ran.results[0]?.actions.find((action) => action.action === "player_game_boxscore")?.status).toBe("failed");

    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(1);
    expect(check(report, "validation_coverage")).toMatchObject({ state: "pass", summary: "every model ran its pre- and post-write checks and its assertions" });
    expect(check(report, "validation_coverage").details.find((detail) => detail.startsWith("player_game_boxscore"))).toMatch(/, failed\): pre-write \d+ rules \(threes_within_field_goals: 1\), 1 rows quarantined/);
    const held = check(report, "held_back_games");
    expect(held.state).toBe("fail");
    expect(held.numbers).toMatchObject({ games: 1, rejected: 1 });
    expect(held.numbers.held_back).toContainEqual(expect.objectContaining({ game_id: gameId(bad), model: "player_game_boxscore", reason: "rejected" }));
    expect(check(report, "quarantine").summary).toBe("1 row(s) in quarantine for this date (see runner quarantine list)");
  });
});

describe("verify after a failed assertion: the model published, its assertion failed after", () => {
  it("fails validation_coverage naming the assertion and its run, until a later run of the date passes it", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 2).map((game) => completeGameRows(game))));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    expect((await verifyJson(warehouse)).report.state).toBe("pass");

    // A project whose player_game_summary row condition every published row breaks: the 2 games'
    // 20 players all played 48:00 (tests/scenario.ts). The model's own checks pass, so it publishes;
    // the assertion after it (a later level) fails.
    const project = copyProject();
    editFile(path.join(project, "definitions", "assertions", "model_checks.js"), '"minutes_played IS NULL OR minutes_played >= 0"', '"minutes_played IS NULL OR minutes_played < 48"');
    const failing = await runCli(["run", "--date", DATE, "--json", "--project", project, "--warehouse", warehouse, ...asOf(DATE)]);
    expect(failing.code).toBe(1);
    const failedRun = (JSON.parse(failing.stdout) as { run_id: string }).run_id;
    const expected = {
      state: "fail",
      passed: false,
      summary: `1 assertion(s) failed: player_game_summary_row_conditions in ${failedRun} (20 row(s) break player_game_summary_row_conditions)`,
    };

    const { code, report } = await verifyJson(warehouse, "--strict");
    expect(code).toBe(1);
    expect(report.state).toBe("fail");
    const coverage = check(report, "validation_coverage");
    expect(coverage).toMatchObject(expected);
    expect(coverage.numbers).toMatchObject({
      models_without_checks: 0,
      post_write_failed: 0,
      assertions_failed: 1,
      failed_assertions: [{ assertion: "player_game_summary_row_conditions", run_id: failedRun, message: "20 row(s) break player_game_summary_row_conditions" }],
    });
    expect(coverage.details.find((detail) => detail.startsWith("player_game_summary ("))).toContain(
      `; assertions 2, 1 passed - FAILED player_game_summary_row_conditions in ${failedRun} (20 row(s) break player_game_summary_row_conditions)`,
    );
    expect(Object.entries(states(report)).filter(([, state]) => state !== "pass")).toEqual([["validation_coverage", "fail"]]);
    const markdown = await runCli(["verify", "--date", DATE, "--warehouse", warehouse]);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain("**VERIFICATION FAILED** (7 of 8 checks passed, 1 failed (validation_coverage);");

    // A later run that does not evaluate the assertion (another model only) leaves the failure standing.
    expect((await runCli(["run", "--date", DATE, "--actions", "team_offense_game_summary", "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    expect(check((await verifyJson(warehouse)).report, "validation_coverage")).toMatchObject(expected);

    // A later run that passes it clears it.
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    const cleared = await verifyJson(warehouse, "--strict");
    expect(cleared.code).toBe(0);
    expect(check(cleared.report, "validation_coverage")).toMatchObject({ state: "pass", summary: "every model ran its pre- and post-write checks and its assertions" });
    expect(check(cleared.report, "validation_coverage").numbers).toMatchObject({ assertions_checked: 22, assertions_failed: 0 });
  });
});

describe("verify after the team models ran again without the player model", () => {
  it("warns in ordered_execution that the player rows may use superseded team totals, until the date runs again", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 2).map((game) => completeGameRows(game))));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    expect(check((await verifyJson(warehouse)).report, "ordered_execution").state).toBe("pass");
    // The team models again on the same inputs rewrite nothing: nothing to warn about.
    expect((await runCli(["run", "--date", DATE, "--actions", "team_offense_game_summary", "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    expect(check((await verifyJson(warehouse)).report, "ordered_execution").state).toBe("pass");

    // A corrected team box score (two more team turnovers), run for team offense and what it reads.
    await executeInWarehouse(warehouse, "UPDATE nba_raw.nbac_team_boxscore SET turnovers = turnovers + 2 WHERE TRUE");
    const teams = await runCli(["run", "--date", DATE, "--json", "--actions", "team_offense_game_summary", "--include-deps", "--warehouse", warehouse, ...asOf(DATE)]);
    expect(teams.code).toBe(0);
    const teamRun = (JSON.parse(teams.stdout) as { run_id: string }).run_id;
    const { code, report } = await verifyJson(warehouse);
    expect(code).toBe(0);
    const ordered = check(report, "ordered_execution");
    expect(ordered).toMatchObject({ state: "warn", passed: true });
    expect(ordered.summary).toMatch(new RegExp(`^the player rows may use superseded team totals: player_game_summary \\(run \\S+, started \\S+\\) was computed before team_offense_game_summary wrote \\d+ rows in run ${teamRun} `));
    expect(ordered.numbers).toMatchObject({ violations: 0, team_writes_after_player: 1 });
    expect((await verifyJson(warehouse, "--strict")).code).toBe(1);

    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    expect(check((await verifyJson(warehouse, "--strict")).report, "ordered_execution")).toMatchObject({ state: "pass", numbers: { team_writes_after_player: 0 } });
  });
});

describe("verify after a re-load with a negative count: never published, never PASS", () => {
  it("rejects the line (counts_not_negative), keeps the game's published rows and fails verify", async () => {
    const warehouse = warehouseFile();
    const [first, second] = slate(DATE, 2) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    await writeRaw(warehouse, merge(completeGameRows(first), completeGameRows(second)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...asOf(DATE)])).code).toBe(0);
    // CHA's first player (tests/scenario.ts): 18 FGA, 4 FTA, 2 TOV in 48:00; CHA 100 FGA, 20 FTA, 11 TOV
    // in 240 minutes. usage = 100 * (18 + 1.76 + 2) * 48 / (48 * (100 + 8.8 + 11)) = 2176 / 119.8 = 18.16 -> 18.2.
    const published = `SELECT usage_rate, usage_rate_valid, turnovers FROM nba_analytics.player_game_summary WHERE player_lookup = 'chaplayer1'`;
    expect(await queryWarehouse(warehouse, published)).toEqual([{ usage_rate: 18.2, usage_rate_valid: true, turnovers: 2 }]);

    // A later load of the gamebook of BKN at CHA, the same but for 30 turnovers below zero.
    const reload = gameRows(second, { schedule: false, teamBoxscore: false, loadedAt: processedAt(DATE, 9) });
    const line = reload.nbac_gamebook_player_stats?.find((row) => row.player_lookup === "chaplayer1") as Record<string, unknown>;
    line.turnovers = -30;
    await writeRaw(warehouse, reload);
    const run = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, ...asOf(DATE)]);
    expect(run.code).toBe(1);
    const ran = JSON.parse(run.stdout) as { results: { actions: { action: string; status: string; message: string | null }[] }[] };
    const boxscore = ran.results[0]?.actions.find((action) => action.action === "player_game_boxscore");
    expect(boxscore?.status).toBe("failed");
    expect(boxscore?.message).toContain(gameId(second));
    expect(boxscore?.message).toContain("counts_not_negative");
    // The game keeps what was published for it; usage -8.5 ((18 + 1.76 - 30) * 100 / 119.8) is never written.
    expect(await queryWarehouse(warehouse, published)).toEqual([{ usage_rate: 18.2, usage_rate_valid: true, turnovers: 2 }]);
    expect(await queryWarehouse(warehouse, "SELECT rule FROM nba_analytics_quarantine.player_game_boxscore")).toEqual([{ rule: "counts_not_negative" }]);

    const { code, report } = await verifyJson(warehouse, "--strict");
    expect(code).toBe(1);
    expect(report.state).toBe("fail");
    const held = check(report, "held_back_games");
    expect(held.state).toBe("fail");
    expect(held.numbers).toMatchObject({ games: 1, rejected: 1 });
    expect(held.numbers.held_back).toContainEqual(expect.objectContaining({ game_id: gameId(second), model: "player_game_boxscore", reason: "rejected" }));
    expect(held.numbers.held_back).toContainEqual(expect.objectContaining({ game_id: gameId(second), model: "player_game_summary", reason: "upstream_held_back" }));
  });
});

describe("verify a range", () => {
  const warehouse = warehouseFile();
  const DATES = ["2025-01-13", "2025-01-14", "2025-01-15"] as const;
  const range = ["--start-date", DATES[0], "--end-date", DATES[2]];

  beforeAll(async () => {
    await writeRaw(warehouse, merge(...DATES.flatMap((date) => slate(date, 2).map((game) => completeGameRows(game)))));
    const run = await runCli(["run", ...range, "--warehouse", warehouse, ...asOf(DATES[2])]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    // The 14th warns (a usage_rate above 50), the 15th fails (one above 100).
    await executeInWarehouse(
      warehouse,
      `UPDATE nba_analytics.player_game_summary SET usage_rate = 55.0 WHERE game_date = '${DATES[1]}' AND player_lookup = 'atlplayer1'`,
      `UPDATE nba_analytics.player_game_summary SET usage_rate = 640.0 WHERE game_date = '${DATES[2]}' AND player_lookup = 'atlplayer1'`,
    );
  });

  it("prints one line per date and a total, and exits 1 on the failed date", async () => {
    const result = await runCli(["verify", ...range, "--warehouse", warehouse]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("# Verification report for 2025-01-13 to 2025-01-15");
    expect(lines.filter((line) => /^2025-01-1\d {2}/.test(line))).toEqual([
      "2025-01-13  PASS",
      "2025-01-14  WARN (1 check: race_detection)",
      "2025-01-15  FAIL (race_detection)",
    ]);
    expect(lines).toContain("Total  3 dates: 1 PASS, 1 WARN, 1 FAIL -> FAIL");
    expect(result.stdout).toContain("**VERIFICATION FAILED**");
  });

  it("gives every date's report, the state and the totals in JSON", async () => {
    const result = await runCli(["verify", ...range, "--format", "json", "--warehouse", warehouse]);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as RangeJson;
    expect(parsed).toMatchObject({ start_date: DATES[0], end_date: DATES[2], state: "fail", passed: false, warehouse: path.resolve(warehouse) });
    expect(parsed.totals).toEqual({ dates: 3, pass: 1, warn: 1, fail: 1 });
    expect(parsed.dates.map((report) => [report.game_date, report.state])).toEqual([
      [DATES[0], "pass"],
      [DATES[1], "warn"],
      [DATES[2], "fail"],
    ]);
    expect(parsed.dates.map((report) => check(report, "race_detection").numbers.max_usage_rate)).toEqual([21.5, 55, 640]);
  });

  it("exits 0 on a range that only warns, and 1 with --strict", async () => {
    const warnOnly = ["--start-date", DATES[0], "--end-date", DATES[1], "--warehouse", warehouse];
    const plain = await runCli(["verify", ...warnOnly]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("Total  2 dates: 1 PASS, 1 WARN, 0 FAIL -> WARN");
    expect(plain.stdout).toContain("**PASSED WITH WARNINGS**");
    expect((await runCli(["verify", ...warnOnly, "--strict"])).code).toBe(1);
    const html = await runCli(["verify", ...warnOnly, "--format", "html"]);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<details id="date-2025-01-14" open>');
    expect(html.stdout).toContain('<details id="date-2025-01-13">');
  });

  it("refuses --date with a range, and a range without its end", async () => {
    expect((await runCli(["verify", "--date", DATES[0], ...range, "--warehouse", warehouse])).code).toBe(2);
    expect((await runCli(["verify", "--start-date", DATES[0], "--warehouse", warehouse])).code).toBe(2);
  });
});

describe("verify a batch run: a date's warnings are its own", () => {
  it("warns on the date whose play-by-play and fouls warned, and passes the other date of the batch", async () => {
    const warehouse = warehouseFile();
    const [early, late] = ["2025-01-14", "2025-01-15"] as const;
    const [lateFirst, lateSecond] = slate(late, 2) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    // The 15th: its second game has no play-by-play, and one player of its first game 7 fouls
    // (his team box score too), a pre-write warning (personal_fouls_within_foul_out).
    const fouled = completeGameRows(lateFirst);
    const line = fouled.nbac_gamebook_player_stats?.[0] as Record<string, unknown>;
    const team = fouled.nbac_team_boxscore?.find((row) => row.team_abbr === line.team_abbr) as Record<string, unknown>;
    team.personal_fouls = Number(team.personal_fouls) + 7 - Number(line.personal_fouls);
    line.personal_fouls = 7;
    const secondExtras = completeGameExtras(lateSecond);
    delete secondExtras.nbac_play_by_play;
    await writeRaw(warehouse, merge(...slate(early, 2).map((game) => completeGameRows(game)), fouled, gameRows(lateSecond), secondExtras));
    const run = await runCli(["run", "--start-date", early, "--end-date", late, "--batch", "--warehouse", warehouse, ...asOf(late)]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);

    const result = await runCli(["verify", "--start-date", early, "--end-date", late, "--format", "json", "--warehouse", warehouse]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as RangeJson;
    expect(parsed.dates.map((report) => [report.game_date, report.state])).toEqual([
      [early, "pass"],
      [late, "warn"],
    ]);
    const [earlyReport, lateReport] = parsed.dates as [ReportJson, ReportJson];
    expect(check(earlyReport, "validation_coverage").numbers.check_warnings).toEqual([]);
    expect(check(lateReport, "validation_coverage").numbers.check_warnings).toEqual([
      { model: "player_game_boxscore", check: "personal_fouls_within_foul_out", phase: "pre-write", rows: 1, run_id: expect.stringMatching(/^run_/) },
      { model: "team_offense_game_summary", check: "shot_zones_missing", phase: "post-write", rows: 2, run_id: expect.stringMatching(/^run_/) },
    ]);
    expect(Object.entries(states(lateReport)).filter(([, state]) => state !== "pass")).toEqual([["validation_coverage", "warn"]]);
  });
});

describe("verify on BigQuery", () => {
  it("names the project it read; a project with nothing run yet fails", async () => {
    const fake = await startFakeBigQuery();
    try {
      const result = await runCli(["verify", "--date", DATE, "--target", "bigquery", "--format", "json"], { env: fakeEnv(fake.url) });
      expect(result.code, result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as ReportJson;
      expect(report).toMatchObject({ game_date: DATE, state: "fail", warehouse: `bigquery project ${PROJECT}` });
      expect(check(report, "dependency_gates").summary).toBe("no run recorded for this date");
    } finally {
      await fake.close();
    }
  });
});
