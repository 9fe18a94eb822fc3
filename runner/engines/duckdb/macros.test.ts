/**
 * The two exact ROUND macros agree: bq_round_digits (the translator's for a literal 1..11 digits,
 * Dekker's product error) against bq_round, which reads the exact side of a tie from the double's
 * decimal expansion (printf). Doubles are taken at and one ulp either side of every tie
 * (n + 0.5) / 10^d and of every n / 10^d for the first few thousand n, both signs, where the two
 * ways of rounding disagree if either is wrong; a few hand-checked values pin the answers
 * themselves (ZetaSQL's reference checks the translated ROUND in translate/evaluator.test.ts).
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUCKDB_MACROS } from "./macros.ts";

let connection: DuckDBConnection;

beforeAll(async () => {
  connection = await (await DuckDBInstance.create(":memory:")).connect();
  for (const macro of DUCKDB_MACROS) await connection.run(macro);
});

afterAll(() => connection.closeSync());

async function rows(sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJson();
}

describe("bq_round_digits", () => {
  it("rounds the exact binary value, as BigQuery does", async () => {
    // 2.675 is 2.67499999999999982236431605997495353221893310546875; 0.125 and 23.25 are exact ties
    // (half away from zero); 1.005 is 1.00499999999999989341858963598497211933135986328125.
    expect(
      await rows(`SELECT bq_round_digits(2.675::DOUBLE, 2, 100), bq_round_digits(-2.675::DOUBLE, 2, 100),
        bq_round_digits(0.125::DOUBLE, 2, 100), bq_round_digits(-0.125::DOUBLE, 2, 100), bq_round_digits(23.25::DOUBLE, 1, 10),
        bq_round_digits(1.005::DOUBLE, 2, 100), bq_round_digits(CAST(NULL AS DOUBLE), 1, 10), bq_round_digits(2.675::DECIMAL(10, 3), 2, 100)`),
    ).toEqual([[2.67, -2.67, 0.13, -0.13, 23.3, 1, null, "2.68"]]);
  });

  it("agrees with bq_round next to every tie, for 1 to 11 digits", async () => {
    const [counts] = await rows(`
      WITH candidates AS (
        SELECT d, sign * CASE step WHEN 0 THEN t WHEN 1 THEN nextafter(t, 1e308) ELSE nextafter(t, 0) END AS x
        FROM (SELECT d, ((n + half) / pow(10, d))::DOUBLE AS t FROM range(1, 12) AS ds(d), range(0, 3000) AS ns(n), (VALUES (0.5), (0.0)) AS hs(half)),
          (VALUES (0), (1), (-1)) AS steps(step), (VALUES (1.0::DOUBLE), (-1.0::DOUBLE)) AS signs(sign)
      ),
      rounded AS (
        SELECT CASE d ${Array.from({ length: 11 }, (_, index) => `WHEN ${index + 1} THEN bq_round_digits(x, ${index + 1}, ${10 ** (index + 1)})`).join(" ")} END AS fast,
          CASE d ${Array.from({ length: 11 }, (_, index) => `WHEN ${index + 1} THEN bq_round(x, ${index + 1})`).join(" ")} END AS exact,
          round(x, d::INTEGER) AS duckdb
        FROM candidates
      )
      SELECT count(*), count(*) FILTER (WHERE exact <> duckdb), count(*) FILTER (WHERE fast IS DISTINCT FROM exact) FROM rounded`);
    const [compared, corrected, differences] = (counts as string[]).map(Number);
    expect(compared).toBe(11 * 3000 * 2 * 3 * 2);
    // The cases exist where DuckDB's own round would be wrong, and there the two agree too.
    expect(corrected).toBeGreaterThan(10_000);
    expect(differences).toBe(0);
  });
});
