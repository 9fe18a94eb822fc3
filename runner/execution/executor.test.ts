/**
 * The assertions of a level on DuckDB: counted by one query, a row per assertion; a failing one
 * is asked for its rows, and when the shared query cannot run each counts itself, so that the
 * broken one is named by its own error.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rangeOf } from "../dates.ts";
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import type { Engine } from "../engines/engine.ts";
import { ensureLedger } from "../ledger/ledger.ts";
import { Logger } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { testAction } from "../plan/test_support.ts";
import { executePlan } from "./executor.ts";
import { NO_CHECKS } from "./write.ts";

function assertion(name: string, query: string): Action {
  return testAction({
    id: `nba_assertions.${name}`,
    name,
    kind: "assertion",
    role: "assertion",
    target: { schema: "nba_assertions", name },
    fileName: `definitions/assertions/${name}.sqlx`,
    query,
  });
}

/** The engine, with every query it is sent recorded. */
function recording(engine: Engine): { engine: Engine; sent: string[] } {
  const sent: string[] = [];
  const proxy = new Proxy(engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === "query") {
        return (sql: string, options: unknown) => {
          sent.push(sql);
          return (value as Engine["query"]).call(target, sql, options as Parameters<Engine["query"]>[1]);
        };
      }
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { engine: proxy, sent };
}

async function runAssertions(actions: Action[]) {
  const base = await openDuckDBEngine({ path: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "assertions-")), "warehouse.duckdb") });
  try {
    await base.ensureDataset("test_data");
    await base.execute("CREATE TABLE test_data.numbers AS SELECT x FROM UNNEST([1, 2, 3]) AS x");
    await ensureLedger(base);
    const { engine, sent } = recording(base);
    const outcomes = await executePlan(
      {
        engine,
        runId: "run_test",
        trigger: "test",
        dates: rangeOf("2025-01-15", "2025-01-15"),
        fullRefresh: false,
        ignoreGates: false,
        concurrency: 1,
        checks: NO_CHECKS,
        log: new Logger({}, () => {}),
      },
      { levels: [actions], size: actions.length },
    );
    return { outcomes, sent: sent.filter((sql) => !/phase3_runner_runs/.test(sql)) };
  } finally {
    await base.close();
  }
}

describe("the assertions of a level (DuckDB)", () => {
  it("are counted by one query; only the failing ones are asked for their rows", async () => {
    const { outcomes, sent } = await runAssertions([
      assertion("none_above_five", "SELECT x FROM test_data.numbers WHERE x > 5"),
      assertion("two_from_two", "SELECT x FROM test_data.numbers WHERE x >= 2"),
      assertion("one_is_one", "SELECT x FROM test_data.numbers WHERE x = 1"),
    ]);
    expect(outcomes.map((outcome) => [outcome.action, outcome.status, outcome.message])).toEqual([
      ["none_above_five", "succeeded", null],
      ["two_from_two", "failed", "2 row(s) break two_from_two"],
      ["one_is_one", "failed", "1 row(s) break one_is_one"],
    ]);
    expect(sent.filter((sql) => /COUNT\(\*\)/i.test(sql))).toHaveLength(1);
    expect(sent[0]).toContain("UNION ALL");
    expect(sent.filter((sql) => /LIMIT \d+$/.test(sql.trim()))).toHaveLength(2);
  });

  it("count themselves when the shared query fails: the broken one fails with its own error, the others pass", async () => {
    const { outcomes, sent } = await runAssertions([
      assertion("none_above_five", "SELECT x FROM test_data.numbers WHERE x > 5"),
      assertion("reads_a_missing_table", "SELECT * FROM test_data.no_such_table"),
    ]);
    expect(outcomes.map((outcome) => [outcome.action, outcome.status])).toEqual([
      ["none_above_five", "succeeded"],
      ["reads_a_missing_table", "failed"],
    ]);
    expect(outcomes[1]?.message).toContain("no_such_table");
    expect(sent.filter((sql) => /^SELECT COUNT\(\*\) AS row_count FROM \(/.test(sql))).toHaveLength(2);
  });
});
