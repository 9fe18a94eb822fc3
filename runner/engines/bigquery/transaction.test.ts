import { describe, expect, it } from "vitest";
import { refusedInTransaction } from "./transaction.ts";

describe("refusedInTransaction: what BigQuery accepts inside a multi-statement transaction", () => {
  it.each([
    "SELECT COUNT(*) AS row_count FROM `p.d.t`",
    "WITH written AS (SELECT 1 AS x) SELECT * FROM written",
    "(SELECT 1)",
    "-- a comment first\n/* and another */\nSELECT 1",
    "INSERT INTO `p.d.t` (a) SELECT a FROM UNNEST(@rows)",
    "UPDATE `p.d.t` SET a = 1 WHERE TRUE",
    "DELETE FROM `p.nba_orchestration.held_back_games` WHERE model = @model",
    "MERGE `p.d.t` AS target USING `p.s.stage` AS source ON FALSE WHEN NOT MATCHED THEN INSERT ROW",
    "merge `p.d.t` t using `p.s.u` s on false when not matched then insert row",
    "TRUNCATE TABLE `p.d.t`",
    "CREATE TEMP TABLE scratch AS SELECT 1 AS x",
    "CREATE OR REPLACE TEMPORARY FUNCTION f(x INT64) AS (x + 1)",
    "DROP TABLE IF EXISTS scratch",
    "DROP TABLE `scratch`",
  ])("allows %s", (sql) => {
    expect(refusedInTransaction(sql)).toBeUndefined();
  });

  it.each([
    ["CREATE TABLE IF NOT EXISTS `p.nba_analytics.t`\nPARTITION BY game_date AS\nSELECT * FROM `p.s.stage` LIMIT 0", "CREATE TABLE IF NOT EXISTS"],
    ["CREATE OR REPLACE TABLE `p.nba_analytics.t` AS SELECT 1 AS x", "CREATE OR REPLACE TABLE"],
    ["CREATE TABLE `p.d.t` (a STRING)", "CREATE TABLE"],
    ["ALTER TABLE `p.d.t`\n  ADD COLUMN IF NOT EXISTS `x` INT64", "ALTER TABLE"],
    ["DROP TABLE IF EXISTS `p.runner_staging.stage`", "DROP TABLE IF EXISTS"],
    ["CREATE OR REPLACE VIEW `p.d.v` AS SELECT 1 AS x", "CREATE OR REPLACE VIEW"],
    ["CREATE SCHEMA IF NOT EXISTS d", "CREATE SCHEMA IF NOT EXISTS"],
    ["BEGIN TRANSACTION", "BEGIN TRANSACTION"],
    ["COMMIT TRANSACTION", "COMMIT TRANSACTION"],
    ["CALL BQ.ABORT_SESSION()", "CALL"],
  ])("refuses %s (as %s)", (sql, kind) => {
    expect(refusedInTransaction(sql)).toBe(kind);
  });
});
