/**
 * `npm run lint:sql` (scripts/sql-style.ts), part of `npm test`: on a copy of the project with one
 * model broken, it exits 1 and names the model's file, line and rule; on a project that does not
 * compile it exits 2.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject, editFile, ROOT, type CliResult } from "../helpers.ts";

const MODEL = "definitions/analytics/team_offense_game_summary.sqlx";
const copies: string[] = [];

function styleCheck(projectDir: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "sql-style.ts"), "--project", projectDir], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function copy(): string {
  const dir = copyProject();
  copies.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("sql style check", () => {
  it("fails on a model that writes a named constant as a bare number, naming the model, line and rule", async () => {
    const dir = copy();
    const file = path.join(dir, MODEL);
    editFile(file, "ROUND(points / possessions_estimate * ${constants.PER_HUNDRED}, 2)", "ROUND(points / possessions_estimate * 100, 2)");
    const line = fs.readFileSync(file, "utf8").split("\n").findIndex((text) => text.includes("possessions_estimate * 100")) + 1;
    const result = await styleCheck(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^${MODEL}:${line}: named-constant: bare 100 is the value of .*PER_HUNDRED`))]);
    expect(result.stderr).toContain("1 finding");
  });

  it("fails on a final SELECT * and names the rule", async () => {
    const dir = copy();
    editFile(path.join(dir, MODEL), "SELECT\n  game_id,\n  nba_game_id,\n  game_date,\n  team_abbr,\n  opponent_team_abbr,", "SELECT\n  *,");
    const result = await styleCheck(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${MODEL}:\\d+: final-columns: the final SELECT has \`SELECT \\*\``, "m"));
  });

  it("exits 2 when the project does not compile", async () => {
    const dir = copy();
    editFile(path.join(dir, MODEL), "FROM with_opponent", "FROM ${ref(\"no_such_model\")}");
    const result = await styleCheck(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no_such_model");
  });
});
