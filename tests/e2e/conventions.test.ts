/** Dataform's spellings and the usual CLI conventions: --version, --vars=a=b,c=d, --tags a b. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers.ts";

const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe.concurrent("CLI conventions", () => {
  it("--version prints the package version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it("--vars=a=b,c=d sets several vars, beside --var", async () => {
    const result = await runCli(["compile", "--date", "2025-01-15", "--json", "--vars=boxscore_coverage_min_pct=90,as_of_date=2025-01-16", "--var", "boxscore_coverage_min_pct=95"]);
    expect(result.code, result.stderr).toBe(0);
    const vars = (JSON.parse(result.stdout) as { projectConfig: { vars: Record<string, string> } }).projectConfig.vars;
    // --var is the more specific flag: it wins over the same name in --vars.
    expect(vars).toMatchObject({ as_of_date: "2025-01-16", boxscore_coverage_min_pct: "95" });
  });

  it("--vars values are validated like --var (includes/vars.js)", async () => {
    const result = await runCli(["compile", "--date", "2025-01-15", "--vars=boxscore_coverage_min_pct=abc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("boxscore_coverage_min_pct=abc: must be a number from 0 to 100");
  });

  it("--tags a b selects like --tags a,b", async () => {
    const spaced = await runCli(["plan", "--date", "2025-01-15", "--json", "--tags", "team", "player"]);
    const commas = await runCli(["plan", "--date", "2025-01-15", "--json", "--tags", "team,player"]);
    const team = await runCli(["plan", "--date", "2025-01-15", "--json", "--tags", "team"]);
    expect(spaced.code, spaced.stderr).toBe(0);
    expect(spaced.stdout).toBe(commas.stdout);
    expect(spaced.stdout.length).toBeGreaterThan(team.stdout.length);
  });

  it("a bad option value is `--flag: reason`, exit 2", async () => {
    const result = await runCli(["quarantine", "show", "--limit", "x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--limit: must be a whole number");
  });
});
