/**
 * `runner test` as a person runs it: the model tests of the repository pass; a wrong expected row
 * fails (exit 1) with a difference that says which row and column and what was expected; a
 * malformed test file is exit 2 naming the file, the line and column, the place and the reason;
 * an unknown model is exit 2 with the closest name.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findTestFiles } from "../../runner/testing/run.ts";
import { ROOT, runCli, tempDir } from "../helpers.ts";

/** Writes a test file named for its model in a fresh folder and returns its path. */
function testFile(model: string, text: string): string {
  const file = path.join(tempDir("model-test"), `${model}.test.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

const OVERTIME_GAME = `
shared:
  game: &game {game_id: 20250115_LAL_PHI, game_date: 2025-01-15}
`;

// PHI: possessions 80 + 0.44*20 + 13 - 10 = 91.8, pace 91.8 * 48 / 53 = 83.1 (the row says 83.2);
// BOS is expected but not given; LAL is given but not expected.
const WRONG = `model: team_offense_game_summary
date: 2025-01-15
${OVERTIME_GAME}
cases:
  - description: a deliberately wrong expectation
    inputs:
      team_game_boxscore:
        - {<<: *game, team_abbr: PHI, opponent_team_abbr: LAL, home_game: true, points: 98, fg_attempts: 80,
           ft_attempts: 20, turnovers: 13, offensive_rebounds: 10, overtime_periods: 1, team_minutes: 265}
        - {<<: *game, team_abbr: LAL, opponent_team_abbr: PHI, home_game: false, points: 96, fg_attempts: 80,
           ft_attempts: 22, turnovers: 12, offensive_rebounds: 11, overtime_periods: 1, team_minutes: 265}
    expect:
      - {team_abbr: PHI, possessions: 91, pace: 83.2}
      - {team_abbr: BOS, points_scored: 84}
  - description: the same PHI row, right
    inputs:
      team_game_boxscore:
        - {<<: *game, team_abbr: PHI, opponent_team_abbr: LAL, home_game: true, points: 98, fg_attempts: 80,
           ft_attempts: 20, turnovers: 13, offensive_rebounds: 10, overtime_periods: 1, team_minutes: 265}
    tolerance: {pace: 0.05}
    expect:
      - {team_abbr: PHI, possessions: 91, pace: 83.14}
`;

describe("runner test", () => {
  it("runs every model's test file, one line per case, and passes", async () => {
    const result = await runCli(["test"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const models = findTestFiles(ROOT).map((file) => path.basename(file, ".test.yaml"));
    expect(models).toEqual(
      expect.arrayContaining(["game_source_checks", "player_game_boxscore", "team_game_boxscore", "team_offense_game_summary", "team_defense_game_summary", "player_game_summary"]),
    );
    for (const model of models) expect(result.stdout).toMatch(new RegExp(`^PASS  ${model} › `, "m"));
    expect(result.stdout).not.toMatch(/^(FAIL|ERROR|BAD)/m);
    expect(result.stdout).toMatch(new RegExp(`^${models.length} test files, (\\d+) cases: \\1 passed, 0 failed$`, "m"));
  });

  it("fails a wrong expected row with a readable difference: the row, the column, expected and got; missing and extra rows", async () => {
    const file = testFile("team_offense_game_summary", WRONG);
    const result = await runCli(["test", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}team_offense_game_summary › a deliberately wrong expectation \(\d+ ms\)$/m);
    expect(result.stdout).toContain(`${file}:8: cases[0]`);
    expect(result.stdout).toContain("expected 2 rows, the model returned 2");
    expect(result.stdout).toMatch(/expect\[0\] \(line 16\) differs: the row with team_abbr="PHI"\n\s+pace: expected 83\.2, got 83\.1\n/);
    expect(result.stdout).toContain('expect[1] (line 17) missing: no row with team_abbr="BOS", points_scored=84');
    expect(result.stdout).toContain('extra row: game_date="2025-01-15", team_abbr="LAL", points_scored=96, possessions=90, pace=82.1');
    // The tolerance of the second case lets 83.14 stand for 83.1.
    expect(result.stdout).toMatch(/^PASS {2}team_offense_game_summary › the same PHI row, right/m);
    expect(result.stdout).toContain("1 test file, 2 cases: 1 passed, 1 failed");
  });

  it("reports a failure as JSON with the differences", async () => {
    const result = await runCli(["test", testFile("team_offense_game_summary", WRONG), "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      outcome: string;
      failed: number;
      files: { cases: { status: string; differences?: { kind: string }[] }[] }[];
    };
    expect(report.outcome).toBe("failed");
    expect(report.failed).toBe(1);
    const differences = report.files[0]?.cases[0]?.differences ?? [];
    expect(differences.map((difference) => difference.kind)).toEqual(["differs", "missing", "extra"]);
    expect(differences[0]).toMatchObject({ kind: "differs", columns: [{ column: "pace", expected: 83.2, actual: 83.1 }] });
  });

  it("exits 2 on a file that is not YAML, naming the file, line and column", async () => {
    const file = testFile("team_offense_game_summary", "model: team_offense_game_summary\ncases:\n  - description: [unclosed\n");
    const result = await runCli(["test", file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`BAD   ${file}: malformed test file, its cases did not run`);
    expect(result.stdout).toContain(`${file}:4:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`);
    expect(result.stdout).toContain("1 malformed file");
  });

  it("exits 2 on a malformed test file, with every problem at its place: file:line:column: path: reason", async () => {
    const file = testFile(
      "team_offense_game_summary",
      `model: team_offense_game_summary
date: 2025-01-15
cases:
  - description: wrong types and names
    inputs:
      team_game_boxscore:
        - {game_id: 20250115_LAL_PHI, game_date: 2025-01-15, team_abbr: LAL, points: "96", pointz: 3}
        - {game_id: 20250115_LAL_PHI, game_date: 2025-02-30, team_abbr: 76}
      nbac_schedule: []
    vars: {as_of_dat: 2025-01-16}
    expect:
      - {team_abbr: LAL, possessions: 90.5}
    tolerance: {team_abbr: 1}
  - descripton: a misspelt field
    expect: []
`,
    );
    const result = await runCli(["test", file]);
    expect(result.code).toBe(2);
    const problems = result.stdout.split("\n").map((line) => line.trim());
    // The shape is checked first: a misspelt field stops the file there.
    expect(problems).toContain(`${file}:14:5: cases[1].descripton: unknown field; did you mean description?`);
    expect(problems).toContain(`${file}:14:5: cases[1].description: missing: say what the case pins`);

    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("  - descripton: a misspelt field\n    expect: []\n", ""));
    const second = await runCli(["test", file]);
    expect(second.code).toBe(2);
    const lines = second.stdout.split("\n").map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}:7:86: cases[0].inputs.team_game_boxscore[0].points: expected a whole number (INT64), got "96"`,
        `${file}:7:92: cases[0].inputs.team_game_boxscore[0].pointz: nba_analytics.team_game_boxscore has no column pointz; did you mean points?`,
        `${file}:8:50: cases[0].inputs.team_game_boxscore[1].game_date: expected a calendar date YYYY-MM-DD (DATE), got "2025-02-30"`,
        `${file}:8:73: cases[0].inputs.team_game_boxscore[1].team_abbr: expected text (STRING), got 76: quote it, "76"`,
        `${file}:9:7: cases[0].inputs.nbac_schedule: team_offense_game_summary does not read nbac_schedule; it reads nba_analytics.team_game_boxscore, nba_analytics.shot_attempts`,
        `${file}:10:12: cases[0].vars.as_of_dat: unknown var; did you mean as_of_date? (declared in includes/vars.js: as_of_date, boxscore_coverage_min_pct, boxscore_staleness_days, report_gate_bypasses)`,
        `${file}:12:39: cases[0].expect[0].possessions: expected a whole number (INT64), got 90.5`,
        `${file}:13:17: cases[0].tolerance.team_abbr: team_abbr is STRING: a tolerance (1) applies to numbers only`,
      ]),
    );
  });

  it("exits 2 on an unknown model, suggesting the closest one", async () => {
    const result = await runCli(["test", "player_game_sumary"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown model player_game_sumary; did you mean player_game_summary?");
    expect(result.stderr).toContain("Models with tests: defense_zone_analytics, game_source_checks, nbac_schedule_latest, player_game_boxscore, player_game_summary");
  });

  it("exits 2 on a model that has no test file yet, saying where to write it", async () => {
    const result = await runCli(["test", "boxscores_complete"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: boxscores_complete has no test file yet");
    expect(result.stderr).toContain("Create definitions/gates/boxscores_complete.test.yaml");
  });

  it("tests a gate too: its blocking rows, with held_back_games and vars as inputs", async () => {
    const file = testFile(
      "team_offense_complete",
      `model: team_offense_complete
date: 2025-01-15
shared:
  final: &final {game_id: "0022400570", game_date: 2025-01-15, game_status: 3, home_team_tricode: GSW,
                 away_team_tricode: SAC, home_team_score: 120, away_team_score: 110}
cases:
  - description: a Final game without box scores blocks a fresh date
    inputs:
      nbac_schedule: [*final]
    expect:
      - {game_id: 20250115_SAC_GSW, team_rows_found: 0, team_rows_expected: 2,
         missing: Final in the schedule but no box score yet, bypassed_by: null}
  - description: the same game held back and reported upstream does not block
    inputs:
      nbac_schedule: [*final]
      nba_orchestration.held_back_games:
        - {game_date: 2025-01-15, game_id: 20250115_SAC_GSW, model: game_source_checks, reason: source_incomplete}
    expect: []
  - description: five days later the date is stale and let through (not reported without report_gate_bypasses)
    vars: {as_of_date: 2025-01-20}
    inputs:
      nbac_schedule: [*final]
    expect: []
`,
    );
    const result = await runCli(["test", file]);
    expect(result.stdout).not.toMatch(/^(FAIL|ERROR|BAD)/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 test file, 3 cases: 3 passed, 0 failed");
  });
});
