import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { rangeOf } from "../dates.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import { Logger } from "../log.ts";
import type { Plan } from "../plan/plan.ts";
import { NO_CHECKS } from "./write.ts";
import { defaultConcurrency, planForWindow, runProject, type RunOptions } from "./run.ts";

const SELECTION = { actions: ["nbac_schedule_latest"] };

function warehouse(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "run-ahead-")), "warehouse.duckdb");
}

function options(overrides: Partial<RunOptions>): RunOptions {
  return {
    dates: rangeOf("2025-01-14", "2025-01-16"),
    selection: SELECTION,
    fullRefresh: false,
    ignoreGates: true,
    trigger: "test",
    checks: NO_CHECKS,
    log: new Logger({}, () => {}),
    ...overrides,
  };
}

describe("runProject with a planner of its own (the CLI's compile worker over a range)", () => {
  it("asks for each next date's plan when the previous date starts, and compiles the first itself", async () => {
    const engine = await openDuckDBEngine({ path: warehouse() });
    const events: string[] = [];
    try {
      const summary = await runProject(
        engine,
        options({
          planWindow: async (window) => {
            events.push(`asked ${window.start}`);
            return planForWindow({ selection: SELECTION }, window);
          },
          onDate: (event) => events.push(`${event.phase} ${event.gameDate}`),
        }),
      );
      expect(summary.results.map((result) => result.gameDate)).toEqual(["2025-01-14", "2025-01-15", "2025-01-16"]);
      expect(events).toEqual([
        "start 2025-01-14",
        "asked 2025-01-15",
        "end 2025-01-14",
        "start 2025-01-15",
        "asked 2025-01-16",
        "end 2025-01-15",
        "start 2025-01-16",
        "end 2025-01-16",
      ]);
    } finally {
      await engine.close();
    }
  });

  it("throws a date's failed compile when the run reaches that date, after running the dates before it", async () => {
    const engine = await openDuckDBEngine({ path: warehouse() });
    const ended: string[] = [];
    try {
      const run = runProject(
        engine,
        options({
          planWindow: async (window): Promise<Plan> => {
            if (window.start === "2025-01-15") throw new Error("compilation failed: definitions/x.sqlx");
            return planForWindow({ selection: SELECTION }, window);
          },
          onDate: (event) => {
            if (event.phase === "end") ended.push(event.gameDate);
          },
        }),
      );
      await expect(run).rejects.toThrow("compilation failed: definitions/x.sqlx");
      expect(ended).toEqual(["2025-01-14"]);
    } finally {
      await engine.close();
    }
  });
});

describe("defaultConcurrency", () => {
  it("runs one action per core on the local warehouse, 1 to 4, and 4 on BigQuery", () => {
    const local = { name: "duckdb" } as const;
    expect([1, 2, 3, 8].map((cores) => defaultConcurrency(local, cores))).toEqual([1, 2, 3, 4]);
    expect(defaultConcurrency({ name: "bigquery" }, 2)).toBe(4);
  });
});
