/**
 * The post-write checks of a model are counted by one query (a row per check): a check that
 * found rows is asked for examples, a missing count fails closed, and a check that cannot run is
 * named by its own error. The project's real templates, an engine that answers as scripted.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Engine, Row } from "../engines/engine.ts";
import type { StagedWrite } from "../execution/write.ts";
import { Logger } from "../log.ts";
import type { Action } from "../plan/actions.ts";
import { runPostWriteChecks } from "./post_write.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** An engine whose query() answers by the first pattern the SQL matches; it records every query. */
function scriptedEngine(answers: [RegExp, Row[] | Error][]): { engine: Engine; sent: string[] } {
  const sent: string[] = [];
  const engine = {
    name: "duckdb",
    qualify: (ref: { dataset: string; table: string }) => `\`${ref.dataset}.${ref.table}\``,
    query: async (sql: string) => {
      sent.push(sql);
      const answer = answers.find(([pattern]) => pattern.test(sql))?.[1] ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as Engine;
  return { engine, sent };
}

function writeOf(engine: Engine): StagedWrite {
  return {
    engine,
    action: { name: "team_game_boxscore", uniqueKey: ["game_id", "team_abbr"] } as unknown as Action,
    runId: "run_1",
    dates: { start: "2025-01-15", end: "2025-01-15", dates: ["2025-01-15"] } as StagedWrite["dates"],
    target: { dataset: "nba_analytics", table: "team_game_boxscore" },
    stage: { dataset: "runner_staging", table: "team_game_boxscore__run_1" },
    windowColumn: "game_date",
    stagedGames: ["20250115_BOS_LAL"],
    rowsStaged: 2,
    log: new Logger({}, () => {}),
  };
}

describe("post-write checks", () => {
  it("counts every check in one query and asks only a failing one for examples", async () => {
    const { engine, sent } = scriptedEngine([
      [
        /^SELECT 0 AS query_index/,
        [
          { query_index: 0, row_count: 0 },
          { query_index: 1, row_count: 1 },
        ],
      ],
      [/LIMIT 3$/, [{ target_rows: 1, staged_rows: 2 }]],
    ]);
    const results = await runPostWriteChecks(ROOT, writeOf(engine));
    expect(results.map((result) => [result.check, result.passed, result.rows])).toEqual([
      ["duplicate_keys", true, 0],
      ["scoped_row_count", false, 1],
    ]);
    expect(results[1]?.message).toContain('[{"target_rows":1,"staged_rows":2}]');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain("WITH written AS");
  });

  it("fails closed when the count of a check is missing from the row", async () => {
    const { engine } = scriptedEngine([[/^SELECT 0 AS query_index/, [{ query_index: 0, row_count: 0 }]]]);
    await expect(runPostWriteChecks(ROOT, writeOf(engine))).rejects.toThrow("the post-write check scoped_row_count returned no count");
  });

  it("throws the error of the check that cannot run, sent on its own", async () => {
    const { engine, sent } = scriptedEngine([
      [/^SELECT 0 AS query_index/, new Error("combined query failed")],
      [/^WITH written AS/, new Error("scoped_row_count: no such column")],
    ]);
    await expect(runPostWriteChecks(ROOT, writeOf(engine))).rejects.toThrow("scoped_row_count: no such column");
    expect(sent.length).toBe(3);
  });

  it("takes no row at all (a dry run's answer) as no rows found by any check", async () => {
    const { engine, sent } = scriptedEngine([[/^SELECT 0 AS query_index/, []]]);
    const results = await runPostWriteChecks(ROOT, writeOf(engine));
    expect(results.map((result) => [result.check, result.passed, result.rows])).toEqual([
      ["duplicate_keys", true, 0],
      ["scoped_row_count", true, 0],
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("UNION ALL");
  });

  it("counts a null count as missing, not as zero", async () => {
    const { engine } = scriptedEngine([
      [
        /^SELECT 0 AS query_index/,
        [
          { query_index: 0, row_count: 0 },
          { query_index: 1, row_count: null },
        ],
      ],
    ]);
    await expect(runPostWriteChecks(ROOT, writeOf(engine))).rejects.toThrow("the post-write check scoped_row_count returned no count");
  });
});
