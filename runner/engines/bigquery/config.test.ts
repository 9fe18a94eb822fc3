import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BadInputError } from "../../errors.ts";
import { formatBytes, loadBigQueryConfig, parseByteSize } from "./config.ts";

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bigquery-config-"));
  fs.writeFileSync(path.join(dir, "dataform.json"), JSON.stringify({ defaultDatabase: "nba-props-platform", defaultLocation: "US" }));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(bigquery: unknown): void {
  fs.writeFileSync(path.join(dir, "runner.config.json"), JSON.stringify({ bigquery }));
}

function problems(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return (error as Error).message;
  }
  throw new Error("expected the settings to be refused");
}

describe("loadBigQueryConfig", () => {
  it("takes project and location from dataform.json and fills the defaults", () => {
    const settings = loadBigQueryConfig({ projectDir: dir, env: {} });
    expect(settings).toMatchObject({
      project: "nba-props-platform",
      dataProject: "nba-props-platform",
      location: "US",
      stagingDataset: "runner_staging",
      stagingExpirationHours: 24,
      jobTimeoutMs: 300_000,
      labels: {},
      retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 32_000 },
      endpoint: undefined,
      useCredentials: true,
    });
    expect(settings.maximumBytesBilled).toBeUndefined();
  });

  it("layers runner.config.json, then the environment, then flags", () => {
    writeConfig({ location: "EU", maximumBytesBilled: "50GB", labels: { team: "analytics" }, retry: { maxAttempts: 3 }, stagingDataset: "scratch" });
    const settings = loadBigQueryConfig({
      projectDir: dir,
      env: { BIGQUERY_LOCATION: "us-central1", BIGQUERY_PROJECT: "billing-project", RUNNER_BIGQUERY_RETRY_INITIAL_DELAY_MS: "10" },
      flags: { maxBytesEstimate: "2TiB" },
    });
    expect(settings).toMatchObject({
      project: "billing-project",
      // The datasets stay where the compiled SQL says they are.
      dataProject: "nba-props-platform",
      location: "us-central1",
      stagingDataset: "scratch",
      maximumBytesBilled: 50_000_000_000,
      maxBytesEstimate: 2 * 2 ** 40,
      labels: { team: "analytics" },
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 32_000 },
    });
  });

  it("uses no credentials for an endpoint that is not Google's, ADC for Google's", () => {
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_API_ENDPOINT: "http://127.0.0.1:9050" } })).toMatchObject({
      endpoint: "http://127.0.0.1:9050",
      useCredentials: false,
    });
    expect(loadBigQueryConfig({ projectDir: dir, env: { BIGQUERY_EMULATOR_HOST: "http://localhost:9050" } })).toMatchObject({
      endpoint: "http://localhost:9050",
      useCredentials: false,
    });
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_API_ENDPOINT: "https://bigquery.googleapis.com" } }).useCredentials).toBe(true);
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_API_ENDPOINT: "http://127.0.0.1:9050", RUNNER_BIGQUERY_AUTH: "adc" } }).useCredentials).toBe(true);
  });

  it("lists every problem as path: message, with where the value came from", () => {
    writeConfig({ labels: { Team: "x" }, retry: { maxAttempts: 0 }, stagingDatset: "typo" });
    const message = problems(() =>
      loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_JOB_TIMEOUT_MS: "soon", RUNNER_BIGQUERY_API_ENDPOINT: "ftp://x" }, flags: { maxBytesEstimate: "a lot" } }),
    );
    expect(message).toContain("invalid BigQuery settings:");
    expect(message).toContain("\n  jobTimeoutMs: expected a whole number (from environment)");
    expect(message).toContain("maxBytesEstimate: expected a number of bytes, e.g. 10737418240 or 10GB (from command line)");
    expect(message).toContain("apiEndpoint: expected an http(s) URL (from environment)");
    expect(message).toMatch(/labels\.Team: .*label keys.* \(from runner\.config\.json\)/);
    expect(message).toMatch(/retry\.maxAttempts: .* \(from runner\.config\.json\)/);
    expect(message).toContain("stagingDatset: not a setting (from runner.config.json)");
  });

  it("asks for a project when nothing names one", () => {
    fs.writeFileSync(path.join(dir, "dataform.json"), JSON.stringify({ defaultLocation: "US" }));
    expect(problems(() => loadBigQueryConfig({ projectDir: dir, env: {} }))).toContain("project: required: set BIGQUERY_PROJECT");
  });

  it("reads the file RUNNER_CONFIG names, and refuses one that does not exist", () => {
    const file = path.join(dir, "elsewhere.json");
    fs.writeFileSync(file, JSON.stringify({ bigquery: { location: "asia-northeast1" } }));
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_CONFIG: file } }).location).toBe("asia-northeast1");
    expect(problems(() => loadBigQueryConfig({ projectDir: dir, env: { RUNNER_CONFIG: path.join(dir, "nope.json") } }))).toContain("does not exist");
  });
});

describe("maximumBytesBilled", () => {
  it("refuses a ceiling below 10 MiB at config time: BigQuery bills at least 10 MB per table a query reads", () => {
    for (const [value, from] of [
      ["10MB", "environment"],
      ["1048576", "environment"],
    ] as const) {
      const message = problems(() => loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: value } }));
      expect(message).toContain(`maximumBytesBilled: must be at least 10 MiB (10485760 bytes): BigQuery bills at least 10 MB per table a query reads, so a lower ceiling fails every job (from ${from})`);
    }
    writeConfig({ maximumBytesBilled: 5_000_000 });
    expect(problems(() => loadBigQueryConfig({ projectDir: dir, env: {} }))).toContain("maximumBytesBilled: must be at least 10 MiB (10485760 bytes)");
  });

  it("accepts 10 MiB exactly and anything above", () => {
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: "10MiB" } }).maximumBytesBilled).toBe(10 * 2 ** 20);
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: "10485761" } }).maximumBytesBilled).toBe(10_485_761);
  });
});

describe("the runner's own tables", () => {
  it("are phase3_runner_runs and phase3_runner_deliveries in nba_orchestration by default", () => {
    expect(loadBigQueryConfig({ projectDir: dir, env: {} }).runnerTables).toEqual({
      ledger: { dataset: "nba_orchestration", table: "phase3_runner_runs" },
      deliveries: { dataset: "nba_orchestration", table: "phase3_runner_deliveries" },
      schemaSuffix: undefined,
    });
  });

  it("are configurable in runner.config.json and the environment", () => {
    writeConfig({ ledgerTable: "ops.runner_ledger", deliveriesTable: "ops.runner_pushes" });
    expect(loadBigQueryConfig({ projectDir: dir, env: {} }).runnerTables).toMatchObject({
      ledger: { dataset: "ops", table: "runner_ledger" },
      deliveries: { dataset: "ops", table: "runner_pushes" },
    });
    expect(loadBigQueryConfig({ projectDir: dir, env: { RUNNER_BIGQUERY_LEDGER_TABLE: "ops2.ledger" } }).runnerTables.ledger).toEqual({ dataset: "ops2", table: "ledger" });
  });

  it("refuse the original platform's processor_run_history and names that are not dataset.table", () => {
    writeConfig({ ledgerTable: "nba_orchestration.processor_run_history", deliveriesTable: "pubsub_deliveries" });
    const message = problems(() => loadBigQueryConfig({ projectDir: dir, env: {} }));
    expect(message).toContain(
      "ledgerTable: nba_orchestration.processor_run_history is the original platform's run history (another schema; its monitors read it): name a table of the runner's own (from runner.config.json)",
    );
    expect(message).toContain("deliveriesTable: expected dataset.table (letters, digits and underscores) (from runner.config.json)");
  });
});

describe("dev isolation overrides", () => {
  it("--default-database moves the tables' project (and the jobs', unless configured); --schema-suffix the staging dataset and the runner's tables", () => {
    const settings = loadBigQueryConfig({ projectDir: dir, env: {}, overrides: { schemaSuffix: "dev_ana", defaultDatabase: "ana-sandbox" } });
    expect(settings).toMatchObject({
      project: "ana-sandbox",
      dataProject: "ana-sandbox",
      stagingDataset: "runner_staging_dev_ana",
      schemaSuffix: "dev_ana",
      runnerTables: {
        ledger: { dataset: "nba_orchestration_dev_ana", table: "phase3_runner_runs" },
        deliveries: { dataset: "nba_orchestration_dev_ana", table: "phase3_runner_deliveries" },
        schemaSuffix: "dev_ana",
      },
    });
    // A configured billing project stays the jobs' project.
    expect(loadBigQueryConfig({ projectDir: dir, env: { BIGQUERY_PROJECT: "billing-project" }, overrides: { defaultDatabase: "ana-sandbox" } })).toMatchObject({
      project: "billing-project",
      dataProject: "ana-sandbox",
    });
  });
});

describe("byte sizes", () => {
  it("reads plain numbers and SI or binary units", () => {
    expect(parseByteSize("10737418240")).toBe(10_737_418_240);
    expect(parseByteSize("10GB")).toBe(10_000_000_000);
    expect(parseByteSize("1.5 TiB")).toBe(1.5 * 2 ** 40);
    expect(parseByteSize("20mib")).toBe(20 * 2 ** 20);
    expect(parseByteSize("ten")).toBeUndefined();
  });

  it("prints them in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(25 * 2 ** 20)).toBe("25.0 MiB");
    expect(formatBytes(1_000_000_000)).toBe("953.7 MiB");
  });
});
