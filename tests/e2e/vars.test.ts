/**
 * Compilation vars at the command line: checked against includes/vars.js before anything runs. An
 * unknown name or a bad value is bad input (exit 2) naming the --var flag, never a value silently
 * ignored, a .sqlx line, or "not ready, retry later" (exit 75) that a scheduler would retry forever.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, editFile, runCli, tempDir } from "../helpers.ts";

interface CompiledJson {
  assertions: { target: { name: string }; query: string }[];
}

function gateQuery(stdout: string, gate: string): string {
  const query = (JSON.parse(stdout) as CompiledJson).assertions.find((assertion) => assertion.target.name === gate)?.query;
  if (!query) throw new Error(`no gate ${gate} in the compiled graph`);
  return query;
}

describe("--var: bad input is exit 2 and names the flag", () => {
  it("refuses an unknown name and suggests the closest declared one", async () => {
    const warehouse = path.join(tempDir("vars"), "nba.duckdb");
    const result = await runCli(["run", "--date", "2025-01-15", "--warehouse", warehouse, "--var", "boxscore_coverage_pct=100"]);
    expect(result.code).toBe(2);
    const [first, suggestion] = result.stderr.split("\n");
    expect(first).toBe("error: --var boxscore_coverage_pct: unknown var; did you mean boxscore_coverage_min_pct?");
    expect(suggestion).toMatch(/Known vars: as_of_date, boxscore_coverage_min_pct, boxscore_staleness_days, report_gate_bypasses/);
    expect(result.stdout).toBe("");
    // Refused before anything was opened or written.
    expect(fs.existsSync(warehouse)).toBe(false);
  });

  it("refuses a value out of range with the flag, the value and the range", async () => {
    const result = await runCli(["run", "--date", "2025-01-15", "--warehouse", path.join(tempDir("vars"), "nba.duckdb"), "--var", "boxscore_coverage_min_pct=150"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("error: --var boxscore_coverage_min_pct=150: must be a number from 0 to 100");
    const days = await runCli(["plan", "--date", "2025-01-15", "--var", "boxscore_staleness_days=2.5"]);
    expect(days.code).toBe(2);
    expect(days.stderr.split("\n")[0]).toBe("error: --var boxscore_staleness_days=2.5: must be a whole number from 0 to 365");
  });

  it("refuses an impossible as_of_date as bad input (2), not as not ready (75)", async () => {
    const run = await runCli(["run", "--date", "2025-01-15", "--warehouse", path.join(tempDir("vars"), "nba.duckdb"), "--var", "as_of_date=2025-02-30"]);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe("error: --var as_of_date=2025-02-30: must be a calendar date YYYY-MM-DD");
    const compile = await runCli(["compile", "--date", "2025-01-15", "--var", "as_of_date=2025-02-30"]);
    expect(compile.code).toBe(2);
    expect(compile.stderr).not.toContain(".sqlx");
  });

  it("keeps the run dates to --date (the existing message)", async () => {
    const result = await runCli(["compile", "--date", "2025-01-15", "--var", "start_date=2025-01-01"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: --var start_date is set by the run dates\n  Use --date or --start-date/--end-date.\n");
  });

  it("checks the default vars of dataform.json against the same list", async () => {
    const project = copyProject();
    // The project sets no vars (GCP Dataform's window moves with the calendar); one a person adds is checked.
    editFile(path.join(project, "dataform.json"), '"defaultLocation": "US"', '"defaultLocation": "US",\n  "vars": { "boxscore_coverage_pct": "100" }');
    const result = await runCli(["compile", "--project", project]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("error: dataform.json vars.boxscore_coverage_pct: unknown var; did you mean boxscore_coverage_min_pct?");
  });

  it("refuses a bad var when serve starts, before it listens", async () => {
    const result = await runCli(["serve", "--port", "0", "--warehouse", path.join(tempDir("vars"), "nba.duckdb"), "--var", "boxscore_staleness_day=3"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("error: --var boxscore_staleness_day: unknown var; did you mean boxscore_staleness_days?");
    expect(result.stdout).not.toContain("listening");
  });
});

describe("--var: a good value reaches the SQL", () => {
  it("compiles the gates with the values given, and the defaults otherwise", async () => {
    const given = await runCli([
      "compile", "--date", "2025-01-15", "--json",
      "--var", "boxscore_coverage_min_pct=95.5", "--var", "boxscore_staleness_days=7", "--var", "as_of_date=2025-01-20",
    ]);
    expect(given.code).toBe(0);
    // The gates' own SQL is not what is tested here: only that each value lands where its rule is.
    const boxscores = gateQuery(given.stdout, "boxscores_complete");
    expect(boxscores).toMatch(/coverage_pct (<|>=) 95\.5\b/);
    expect(boxscores).toMatch(/(DAY\)|age_days) (<|>=) 7\b/);
    expect(boxscores).toContain("DATE_DIFF(DATE '2025-01-20', game_date, DAY)");
    expect(boxscores).not.toContain("CURRENT_DATE");
    expect(gateQuery(given.stdout, "team_offense_complete")).toMatch(/DATE_DIFF\(DATE '2025-01-20', final_games\.game_date, DAY\) (<|>=) 7\b/);

    const defaults = await runCli(["compile", "--date", "2025-01-15", "--json"]);
    expect(defaults.code).toBe(0);
    const byDefault = gateQuery(defaults.stdout, "boxscores_complete");
    expect(byDefault).toMatch(/coverage_pct (<|>=) 80\b/);
    expect(byDefault).toMatch(/(DAY\)|age_days) (<|>=) 2\b/);
  });
});

describe("--help lists the declared vars", () => {
  it.each(["run", "compile", "plan"])("runner %s --help", async (command) => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Vars (--var name=value, repeatable; declared in includes/vars.js):");
    expect(result.stdout).toMatch(/boxscore_coverage_min_pct +a number from 0 to 100; default: 80/);
    expect(result.stdout).toMatch(/boxscore_staleness_days +a whole number from 0 to 365; default: 2/);
    expect(result.stdout).toMatch(/as_of_date +a calendar date YYYY-MM-DD; default: today in/);
    expect(result.stdout).toMatch(/report_gate_bypasses +true or false; default: false/);
  });
});
