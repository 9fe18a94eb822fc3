/**
 * Schema evolution on BigQuery, through the real CLI against the local fake of the REST API: a
 * model whose stage has a column its existing table lacks gets it added by one DDL job
 * (ALTER TABLE ... ADD COLUMN IF NOT EXISTS, the stage's exact type) before the MERGE; a column gone
 * from the model stops it with schema_changed and nothing is altered or merged.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers.ts";
import { startFakeBigQuery, type FakeBigQuery, type Field } from "./fake_server.ts";
import { DATE, PROJECT, fakeEnv, modelColumns, schemaByModel } from "./support.ts";

const MODEL = "player_game_boxscore";
const TARGET_ID = `${PROJECT}.nba_analytics.${MODEL}`;
const models = modelColumns();
const byModel = schemaByModel(models);

let fake: FakeBigQuery | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The fake with the model's table already there, and its stage shaped by `stageFields`. */
async function start(stageFields: (fields: Field[]) => Field[]): Promise<FakeBigQuery> {
  const started = await startFakeBigQuery({
    tableSchema: (tableId) => {
      const fields = byModel(tableId);
      return fields && tableId.includes(`.runner_staging.${MODEL}__`) ? stageFields(fields) : fields;
    },
  });
  started.tables.set(TARGET_ID, { fields: byModel(TARGET_ID) ?? [], resource: {} });
  // Gates and assertions find nothing.
  started.script({ match: "SELECT COUNT(*) AS row_count FROM (", rows: [{ row_count: 0 }], times: Infinity });
  fake = started;
  return started;
}

function run(url: string) {
  return runCli(["run", "--date", DATE, "--target", "bigquery", "--actions", MODEL], { env: fakeEnv(url) });
}

describe("runner run --target bigquery on a table the model outgrew", () => {
  it("adds the new columns with one ALTER TABLE job before the MERGE", async () => {
    const added: Field[] = [
      { name: "points_plus_assists", type: "INTEGER", mode: "NULLABLE" },
      { name: "source_games", type: "STRING", mode: "REPEATED" },
    ];
    const bq = await start((fields) => [...fields, ...added]);
    const result = await run(bq.url);
    expect(result.code, result.stderr).toBe(0);

    const jobs = bq.jobs().filter((job) => job.labels.action === MODEL);
    const alters = jobs.filter((job) => job.sql.startsWith("ALTER TABLE"));
    expect(alters.map((job) => job.sql)).toEqual([
      `ALTER TABLE \`${TARGET_ID}\`\n  ADD COLUMN IF NOT EXISTS \`points_plus_assists\` INT64,\n  ADD COLUMN IF NOT EXISTS \`source_games\` ARRAY<STRING>`,
    ]);
    expect(alters[0]?.labels).toMatchObject({ action: MODEL, game_date: DATE });
    const alterAt = jobs.findIndex((job) => job.sql.startsWith("ALTER TABLE"));
    const mergeAt = jobs.findIndex((job) => job.sql.startsWith("MERGE"));
    expect(alterAt).toBeGreaterThan(-1);
    expect(mergeAt).toBeGreaterThan(alterAt);
    // The target was not recreated, and now has the columns (the fake applies the DDL).
    expect(jobs.some((job) => new RegExp(`^CREATE (OR REPLACE )?TABLE (IF NOT EXISTS )?\`${TARGET_ID}\``).test(job.sql))).toBe(false);
    expect(bq.tables.get(TARGET_ID)?.fields.slice(-2)).toEqual(added);
    expect(jobs.find((job) => job.sql.startsWith("MERGE"))?.sql).toContain("INSERT (");
    expect(jobs.find((job) => job.sql.startsWith("MERGE"))?.sql).toContain("source.points_plus_assists");
  });

  it("stops with schema_changed when a column is gone from the model, sending no ALTER and no MERGE", async () => {
    const columns = models.get(MODEL) ?? [];
    const dropped = columns.find((name) => !["game_date", "game_id", "player_lookup", "processed_at"].includes(name)) ?? "";
    const bq = await start((fields) => fields.filter((field) => field.name !== dropped));
    const result = await run(bq.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${MODEL}: the model's columns no longer match nba_analytics.${MODEL} (gone: ${dropped} STRING)`);
    const jobs = bq.jobs().filter((job) => job.labels.action === MODEL);
    expect(jobs.some((job) => job.sql.startsWith("ALTER TABLE"))).toBe(false);
    expect(jobs.some((job) => job.sql.startsWith("MERGE"))).toBe(false);
  });
});
