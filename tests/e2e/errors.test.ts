/**
 * Exit codes of the CLI's error cases (0 success, 1 data failure, 2 bad input, 75 retry later,
 * 130 interrupted), each with the words a person acts on. One seeded warehouse, read by several.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { copyProject, editFile, noCredentialsEnv, ROOT, runCli, tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";

const DATE = ["--date", "2025-01-15"];
let seeded: string;

beforeAll(async () => {
  seeded = path.join(tempDir("errors"), "seeded.duckdb");
  const seed = await runCli(["seed", ...DATE, "--warehouse", seeded]);
  expect(seed.code, seed.stderr).toBe(0);
});

describe.concurrent("warehouse paths", () => {
  it("refuses a warehouse in a directory that does not exist, creating nothing", async () => {
    const dir = path.join(tempDir("errors"), "no", "such");
    for (const command of [["seed", ...DATE], ["run", ...DATE], ["verify", ...DATE], ["quarantine", "list"]]) {
      const result = await runCli([...command, "--warehouse", path.join(dir, "w.duckdb")]);
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/does not exist/);
    }
    expect(fs.existsSync(path.dirname(dir))).toBe(false);
  });

  it("refuses an empty RUNNER_WAREHOUSE instead of running in memory", async () => {
    const result = await runCli(["run", ...DATE], { env: { RUNNER_WAREHOUSE: "" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("RUNNER_WAREHOUSE is empty");
  });

  it("never creates a warehouse from verify, quarantine or run, and says to load or seed", async () => {
    const file = path.join(tempDir("errors"), "absent.duckdb");
    for (const command of [["verify", ...DATE], ["quarantine", "list"], ["quarantine", "show"], ["run", ...DATE]]) {
      const result = await runCli([...command, "--warehouse", file]);
      expect(result.code, `${command.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/does not exist[\s\S]*runner seed[\s\S]*runner load/);
      expect(fs.existsSync(file)).toBe(false);
    }
  });

  it("gives exit 2 and `runner load` / `runner seed` for a run on a warehouse without nba_raw", async () => {
    const file = path.join(tempDir("errors"), "empty.duckdb");
    (await openDuckDBEngine({ path: file })).close();
    const result = await runCli(["run", ...DATE, "--warehouse", file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/has no nba_raw tables[\s\S]*runner seed[\s\S]*runner load/);
  });

  it("gives exit 2 before any model runs for a warehouse file named like a dataset the run writes", async () => {
    const file = path.join(tempDir("errors"), "nba_analytics.duckdb");
    fs.copyFileSync(seeded, file);
    const result = await runCli(["run", ...DATE, "--warehouse", file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/named like the dataset nba_analytics[\s\S]*Rename the warehouse file/);
    const ran = await queryWarehouse(file, "SELECT count(*) AS n FROM nba_orchestration.phase3_runner_runs");
    expect(ran).toEqual([{ n: 0 }]);
  });

  it("refuses a --warehouse that is a directory", async () => {
    const result = await runCli(["verify", ...DATE, "--warehouse", tempDir("errors")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is a directory");
  });
});

describe.concurrent("read commands open the warehouse read-only", () => {
  it("verify and quarantine work on a chmod 444 file while another reader holds it read-only", async () => {
    const file = path.join(tempDir("errors"), "readonly.duckdb");
    fs.copyFileSync(seeded, file);
    fs.chmodSync(file, 0o444);
    // A READ_ONLY holder: DuckDB lets other READ_ONLY openers in and refuses every writer. Root
    // ignores chmod, so this is what shows the commands really open READ_ONLY.
    const holder = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    try {
      const verify = await runCli(["verify", ...DATE, "--warehouse", file, "--format", "json"]);
      expect(verify.code, verify.stderr).not.toBe(2);
      expect(verify.stderr).not.toMatch(/busy|cannot open/);
      expect(JSON.parse(verify.stdout)).toHaveProperty("state");
      for (const sub of ["list", "show"]) {
        const quarantine = await runCli(["quarantine", sub, "--warehouse", file]);
        expect(quarantine.code, quarantine.stderr).toBe(0);
      }
      // The same holder makes a writer wait: run reports the warehouse busy (retry later).
      const run = await runCli(["run", ...DATE, "--warehouse", file]);
      expect(run.code).toBe(75);
      expect(run.stderr).toContain("warehouse busy");
    } finally {
      holder.closeSync();
    }
  });

  it("an engine opened for reading refuses writes", async () => {
    const engine = await openDuckDBEngine({ path: seeded, access: "read" });
    try {
      await expect(engine.execute("CREATE TABLE nba_raw.x (a INT64)")).rejects.toThrow(/read-only/i);
    } finally {
      await engine.close();
    }
  });
});

describe.concurrent("--output", () => {
  it("is bad input when its directory does not exist or it is a directory", async () => {
    const missing = await runCli(["verify", ...DATE, "--warehouse", seeded, "--output", path.join(tempDir("errors"), "no", "r.md")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--output .*does not exist/);
    const directory = await runCli(["verify", ...DATE, "--warehouse", seeded, "--output", tempDir("errors")]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/--output .* is a directory/);
  });
});

describe.concurrent("BigQuery without credentials", () => {
  it("exits 2 with the ADC hint at once, with no warning and no network call", async () => {
    const started = Date.now();
    const home = tempDir("nohome");
    const result = await runCli(["run", ...DATE, "--target", "bigquery"], { env: noCredentialsEnv(home) });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("missing-key.json");
    expect(result.stderr).toContain("gcloud auth application-default login");
    expect(result.stderr).not.toMatch(/Warning|ECONNREFUSED|metadata/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe.concurrent("project files", () => {
  it("names includes/constants.js and the missing constant, exit 2", async () => {
    const project = copyProject();
    editFile(path.join(project, "includes", "constants.js"), "USAGE_RATE_MAX:", "USAGE_RATE_MAXIMUM:");
    const result = await runCli(["verify", ...DATE, "--project", project, "--warehouse", seeded]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(path.join(project, "includes", "constants.js"));
    expect(result.stderr).toContain("USAGE_RATE_MAX: missing");
    expect(result.stderr).not.toContain('"code"');
  });
});

describe.concurrent("Ctrl-C", () => {
  it('prints "interrupted", records the run as interrupted in the ledger and exits 130', async () => {
    const file = path.join(tempDir("errors"), "interrupt.duckdb");
    fs.copyFileSync(seeded, file);
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "runner.js"), "run", ...DATE, "--warehouse", file], { cwd: ROOT });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // The first model start is logged as it begins: interrupt in the middle of the run.
      if (!sent && /dependencies satisfied/.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    expect(sent, stderr.slice(-2000)).toBe(true);
    expect(code, stderr.slice(-2000)).toBe(130);
    expect(stderr).toMatch(/^interrupted$/m);
    const rows = await queryWarehouse(file, "SELECT run_id, action, status FROM nba_orchestration.phase3_runner_runs WHERE status = 'interrupted'");
    expect(rows.length).toBeGreaterThan(0);
    expect(String(rows[0]?.run_id)).toMatch(/^run_/);
  });
});
