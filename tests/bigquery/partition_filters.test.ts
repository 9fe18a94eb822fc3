/**
 * BigQuery's require_partition_filter rule (spec 3.1: the production nba_raw tables require a
 * filter on their date column; the models declare it on their own tables). First the rule as the
 * fake applies it (partition_filters.ts), on statements analyzed by ZetaSQL: which shapes of
 * filter let BigQuery eliminate partitions and which do not (`t` and `u` are partitioned by
 * game_date, `s` is not). Then whole runs of the CLI against the fake holding every statement
 * to it.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyProject, editFile, runCli } from "../helpers.ts";
import { partitionFilterError, partitionViolations } from "./partition_filters.ts";
import { DATE, PROJECT, addAnalyzerTables, addRawTables, fakeEnv, startPartitionedFake } from "./support.ts";
import { QUARANTINE_COLUMNS } from "../../runner/checks/quarantine.ts";
import { LEDGER_TABLE } from "../../runner/ledger/ledger.ts";
import { partitionResource, startFakeBigQuery } from "./fake_server.ts";
import { ZetaSqlAnalyzer, type ZetaType } from "./zetasql.ts";

const T = "p.d.t";
const U = "p.d.u";
const S = "p.d.s";
const COLUMNS = [
  { name: "game_date", type: { typeKind: "TYPE_DATE" } },
  { name: "game_id", type: { typeKind: "TYPE_STRING" } },
  { name: "points", type: { typeKind: "TYPE_INT64" } },
];
const PARAMS: Record<string, ZetaType> = {
  start_date: { typeKind: "TYPE_DATE" },
  end_date: { typeKind: "TYPE_DATE" },
  games: { typeKind: "TYPE_ARRAY", arrayType: { elementType: { typeKind: "TYPE_STRING" } } },
};
const PARTITIONED = new Map([
  [T, "game_date"],
  [U, "game_date"],
]);

let analyzer: ZetaSqlAnalyzer;

beforeAll(async () => {
  analyzer = await ZetaSqlAnalyzer.start();
  for (const table of [T, U, S]) analyzer.addTable(table, COLUMNS);
}, 60_000);

afterAll(async () => {
  await analyzer?.close();
});

/** The tables a statement scans without a usable filter on their partition column. */
async function unfiltered(sql: string): Promise<string[]> {
  const verdict = await analyzer.analyze(sql, PARAMS);
  expect(verdict.error).toBeUndefined();
  return partitionViolations(verdict.resolved, (table) => PARTITIONED.get(table)).map((violation) => violation.table);
}

const WINDOW = "game_date BETWEEN @start_date AND @end_date";

describe("the partition filter rule on the resolved statement", () => {
  it("accepts a WHERE on the partition column alone, and says BigQuery's words for a scan without one", async () => {
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE ${WINDOW} AND points > 10`)).toEqual([]);
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE game_date = DATE '2025-01-15' OR game_date IS NULL`)).toEqual([]);
    expect(await unfiltered(`SELECT game_id FROM \`${T}\``)).toEqual([T]);
    expect(await unfiltered(`SELECT game_id FROM \`${S}\``)).toEqual([]);
    expect(partitionFilterError({ table: T, column: "game_date" })).toBe(
      "Cannot query over table 'p.d.t' without a filter over column(s) 'game_date' that can be used for partition elimination",
    );
  });

  it("refuses filters that cannot eliminate partitions: another column, two columns, a subquery, an OR with an unfiltered branch", async () => {
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE game_id IN UNNEST(@games)`)).toEqual([T]);
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE game_date = @start_date OR game_id = 'x'`)).toEqual([T]);
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE DATE_DIFF(game_date, DATE(points, 1, 1), DAY) > 3`)).toEqual([T]);
    expect(await unfiltered(`SELECT game_id FROM \`${T}\` WHERE game_date IN (SELECT game_date FROM \`${S}\`)`)).toEqual([T]);
    // A join on the partition column is not a filter on it.
    expect(await unfiltered(`SELECT t.game_id FROM \`${S}\` AS s JOIN \`${T}\` AS t ON t.game_date = s.game_date WHERE s.${WINDOW}`)).toEqual([T]);
  });

  it("follows the column through CTEs (every reference filtered), UNION ALL, subqueries and GROUP BY", async () => {
    expect(await unfiltered(`WITH rows_of AS (SELECT * FROM \`${T}\` WHERE ${WINDOW}) SELECT * FROM rows_of`)).toEqual([]);
    expect(await unfiltered(`WITH rows_of AS (SELECT * FROM \`${T}\`) SELECT * FROM rows_of WHERE ${WINDOW}`)).toEqual([]);
    expect(
      await unfiltered(`WITH rows_of AS (SELECT * FROM \`${T}\`) SELECT game_id FROM rows_of WHERE ${WINDOW} UNION ALL SELECT game_id FROM rows_of`),
    ).toEqual([T]);
    expect(
      await unfiltered(`SELECT * FROM (SELECT game_date, game_id FROM \`${T}\` UNION ALL SELECT game_date, game_id FROM \`${U}\`) WHERE ${WINDOW}`),
    ).toEqual([]);
    expect(await unfiltered(`SELECT game_date, COUNT(*) AS n FROM \`${T}\` GROUP BY game_date HAVING ${WINDOW}`)).toEqual([]);
    expect(await unfiltered(`SELECT COUNT(*) AS n FROM (SELECT game_id FROM \`${T}\` WHERE ${WINDOW}) AS inner_rows`)).toEqual([]);
  });

  it("takes a join condition on the side it restricts, and checks the tables of subqueries on their own", async () => {
    expect(await unfiltered(`SELECT s.game_id FROM \`${S}\` AS s LEFT JOIN \`${T}\` AS t ON t.game_id = s.game_id AND t.${WINDOW}`)).toEqual([]);
    expect(await unfiltered(`SELECT s.game_id FROM \`${T}\` AS t LEFT JOIN \`${S}\` AS s ON t.game_id = s.game_id AND t.${WINDOW}`)).toEqual([T]);
    expect(
      await unfiltered(`SELECT game_id FROM \`${T}\` AS t WHERE t.${WINDOW} AND EXISTS (SELECT 1 FROM \`${U}\` AS u WHERE u.game_date = t.game_date)`),
    ).toEqual([U]);
  });

  it("holds DML to the rule: DELETE and UPDATE by their WHERE, a MERGE target by its ON or its WHEN clauses, never an INSERT's target", async () => {
    expect(await unfiltered(`DELETE FROM \`${T}\` WHERE ${WINDOW} AND game_id IN UNNEST(@games)`)).toEqual([]);
    expect(await unfiltered(`DELETE FROM \`${T}\` WHERE game_id IN UNNEST(@games)`)).toEqual([T]);
    expect(await unfiltered(`UPDATE \`${T}\` SET points = 0 WHERE TRUE`)).toEqual([T]);
    expect(await unfiltered(`INSERT INTO \`${T}\` (game_date, game_id, points) SELECT game_date, game_id, points FROM \`${S}\``)).toEqual([]);
    const insert = "WHEN NOT MATCHED THEN INSERT (game_date, game_id, points) VALUES (source.game_date, source.game_id, source.points)";
    expect(await unfiltered(`MERGE \`${T}\` AS target USING \`${S}\` AS source ON target.${WINDOW} AND target.game_id = source.game_id ${insert}`)).toEqual([]);
    expect(await unfiltered(`MERGE \`${T}\` AS target USING \`${S}\` AS source ON target.game_id = source.game_id ${insert}`)).toEqual([T]);
    expect(
      await unfiltered(`MERGE \`${T}\` AS target USING \`${S}\` AS source ON FALSE WHEN NOT MATCHED BY SOURCE AND target.${WINDOW} THEN DELETE ${insert}`),
    ).toEqual([]);
    expect(await unfiltered(`MERGE \`${T}\` AS target USING \`${S}\` AS source ON FALSE WHEN NOT MATCHED BY SOURCE THEN DELETE ${insert}`)).toEqual([T]);
    // The source is a scan like any other.
    expect(await unfiltered(`MERGE \`${S}\` AS target USING \`${U}\` AS source ON target.game_id = source.game_id ${insert}`)).toEqual([U]);
  });
});

describe("runs against the fake with partition filters enforced", () => {
  it("a full run succeeds with the rule on every partitioned table (raw tables, model tables, the runner's own), and so does verify", async () => {
    const fake = await startPartitionedFake(analyzer, "partitioned");
    try {
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--json"], { env: fakeEnv(fake.url) });
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { results: { actions: { action: string; role: string; status: string }[] }[] };
      const actions = summary.results[0]?.actions ?? [];
      expect(actions.filter((action) => action.status !== "succeeded")).toEqual([]);
      // The scoped checks ran: two per model, 11 models.
      expect(actions.filter((action) => action.role === "assertion")).toHaveLength(22);
      const jobs = fake.jobs();
      expect(jobs.length).toBeGreaterThan(150);
      // Each job was analyzed (one the analyzer or the rule refuses fails, and the run with it), and
      // these read partitioned tables, every one with a filter that eliminates partitions.
      const reads = fake.partitionReads();
      const tables = new Set(reads.map((read) => read.table));
      for (const table of [
        "nba_raw.nbac_schedule",
        "nba_raw.nbac_gamebook_player_stats",
        "nba_analytics.team_offense_game_summary",
        "nba_analytics.player_game_summary",
        "nba_orchestration.held_back_games",
      ]) {
        expect([...tables]).toContain(`${PROJECT}.${table}`);
      }
      expect(new Set(reads.map((read) => read.jobId)).size).toBeGreaterThan(50);
      expect(fake.tables.get(`${PROJECT}.nba_raw.nbac_schedule`)?.resource).toMatchObject({ timePartitioning: { field: "game_date" }, requirePartitionFilter: true });

      // verify reads the ledger, the model tables and the held-back record by date too. (The fake
      // keeps no rows, so it finds no run of the date: FAIL, exit 1, for that reason only.)
      const before = fake.jobs().length;
      const verify = await runCli(["verify", "--date", DATE, "--target", "bigquery", "--format", "json"], { env: fakeEnv(fake.url) });
      expect(verify.stderr).not.toContain("Cannot query over table");
      expect((JSON.parse(verify.stdout) as { checks: { id: string; summary: string }[] }).checks.find((check) => check.id === "dependency_gates")?.summary).toBe("no run recorded for this date");
      const verifyJobs = new Set(fake.jobs().slice(before).map((job) => job.jobId));
      const verified = new Set(fake.partitionReads().filter((read) => verifyJobs.has(read.jobId)).map((read) => read.table));
      for (const table of [`${LEDGER_TABLE.dataset}.${LEDGER_TABLE.table}`, "nba_analytics.player_game_summary", "nba_orchestration.held_back_games"]) {
        expect([...verified]).toContain(`${PROJECT}.${table}`);
      }
    } finally {
      await fake.close();
    }
  }, 240_000);

  it("a check without the run-window filter fails there with BigQuery's message, and the run exits 1", async () => {
    const project = copyProject();
    // The scoped uniqueKey check, as a whole-table scan (what Dataform's built-in one is).
    editFile(path.join(project, "includes", "model_checks.js"), "FROM ${relation}\nWHERE ${window.filter(windowColumn)}\nGROUP BY", "FROM ${relation}\nGROUP BY");
    const fake = await startPartitionedFake(analyzer, "required", project);
    try {
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--project", project, "--actions", "team_offense_game_summary"], {
        env: fakeEnv(fake.url),
      });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `team_offense_game_summary_unique_key: BigQuery invalidQuery: Cannot query over table '${PROJECT}.nba_analytics.team_offense_game_summary' without a filter over column(s) 'game_date' that can be used for partition elimination`,
      );
      // Its row conditions check, still filtered, passed.
      expect(result.stderr).not.toContain("team_offense_game_summary_row_conditions: BigQuery");
    } finally {
      await fake.close();
    }
  }, 240_000);

  it("quarantine list without --date filters the partition column too", async () => {
    addAnalyzerTables(analyzer);
    const fake = await startFakeBigQuery({ partitionFilters: { analyzer, enforce: "partitioned" } });
    const table = `${PROJECT}.nba_analytics_quarantine.team_offense_game_summary`;
    fake.tables.set(table, {
      fields: QUARANTINE_COLUMNS.map((column) => ({ name: column.name, type: column.type, mode: "NULLABLE" })),
      resource: partitionResource("game_date", true),
    });
    try {
      const result = await runCli(["quarantine", "list", "--target", "bigquery", "--json"], { env: fakeEnv(fake.url) });
      expect(result.code, result.stderr).toBe(0);
      expect(fake.partitionReads().map((read) => read.table)).toEqual([table]);
      expect(fake.jobs().map((job) => job.sql).join("\n")).toContain("WHERE (game_date >= @first_game_date OR game_date IS NULL)");
    } finally {
      await fake.close();
    }
  }, 120_000);

  it("a first run creates the model tables with require_partition_filter, and the rule then holds on them", async () => {
    addAnalyzerTables(analyzer);
    const fake = await startFakeBigQuery({ partitionFilters: { analyzer, enforce: "required" } });
    addRawTables(fake);
    try {
      const result = await runCli(["run", "--date", DATE, "--target", "bigquery", "--actions", "nbac_schedule_latest"], { env: fakeEnv(fake.url) });
      expect(result.code, result.stderr).toBe(0);
      const created = fake.jobs().find((job) => job.sql.startsWith(`CREATE TABLE IF NOT EXISTS \`${PROJECT}.nba_analytics.nbac_schedule_latest\``));
      expect(created?.sql).toContain("PARTITION BY game_date");
      expect(created?.sql).toContain("OPTIONS (require_partition_filter = TRUE)");
      expect(fake.tables.get(`${PROJECT}.nba_analytics.nbac_schedule_latest`)?.resource).toMatchObject({ requirePartitionFilter: true });
      // Its checks ran after it, on the table that now requires the filter.
      expect(fake.jobs().some((job) => job.sql.includes("nbac_schedule_latest`\nWHERE game_date BETWEEN DATE"))).toBe(true);
    } finally {
      await fake.close();
    }
  }, 240_000);
});
