import { BigQuery } from "@google-cloud/bigquery";
import { describe, expect, it } from "vitest";
import { param } from "../engine.ts";
import { jobLabels, labelKey, labelValue, toClientParams } from "./params.ts";

/** What the client puts in the job request for our params: the REST queryParameters. */
function rest(params: Parameters<typeof toClientParams>[0]) {
  const client = toClientParams(params);
  if (!client) return undefined;
  return Object.entries(client.params).map(([name, value]) => ({ name, ...BigQuery.valueToQueryParameter_(value, client.types[name]) }));
}

describe("toClientParams", () => {
  it("sends dates as DATE values, never as a NULL-typed string", () => {
    expect(rest({ start_date: param.date("2025-01-15") })).toEqual([
      { name: "start_date", parameterType: { type: "DATE" }, parameterValue: { value: "2025-01-15" } },
    ]);
  });

  it("keeps the type of NULLs and of empty arrays", () => {
    expect(rest({ day: param.date(null), games: param.strings([]), count: param.int(null) })).toEqual([
      { name: "day", parameterType: { type: "DATE" }, parameterValue: { value: null } },
      { name: "games", parameterType: { type: "ARRAY", arrayType: { type: "STRING" } }, parameterValue: { arrayValues: [] } },
      { name: "count", parameterType: { type: "INT64" }, parameterValue: { value: null } },
    ]);
  });

  it("types arrays of strings and of dates element by element", () => {
    expect(rest({ games: param.strings(["20250115_BOS_LAL", "20250115_DEN_PHX"]), days: param.dates(["2025-01-15", "2025-01-16"]) })).toEqual([
      {
        name: "games",
        parameterType: { type: "ARRAY", arrayType: { type: "STRING" } },
        parameterValue: { arrayValues: [{ value: "20250115_BOS_LAL" }, { value: "20250115_DEN_PHX" }] },
      },
      {
        name: "days",
        parameterType: { type: "ARRAY", arrayType: { type: "DATE" } },
        parameterValue: { arrayValues: [{ value: "2025-01-15" }, { value: "2025-01-16" }] },
      },
    ]);
  });

  it("maps scalars with their types: INT64 as a decimal string, timestamps in UTC", () => {
    expect(
      rest({
        rows: param.int(42.9),
        share: param.float(0.25),
        ok: param.bool(false),
        name: param.string("Nikola Jokić"),
        at: param.timestamp("2025-01-15T23:59:58.123Z"),
      }),
    ).toEqual([
      { name: "rows", parameterType: { type: "INT64" }, parameterValue: { value: "42" } },
      { name: "share", parameterType: { type: "FLOAT64" }, parameterValue: { value: 0.25 } },
      { name: "ok", parameterType: { type: "BOOL" }, parameterValue: { value: false } },
      { name: "name", parameterType: { type: "STRING" }, parameterValue: { value: "Nikola Jokić" } },
      { name: "at", parameterType: { type: "TIMESTAMP" }, parameterValue: { value: "2025-01-15T23:59:58.123Z" } },
    ]);
  });

  it("gives no parameters for a statement without any", () => {
    expect(toClientParams(undefined)).toBeUndefined();
    expect(toClientParams({})).toBeUndefined();
  });
});

describe("job labels", () => {
  it("adds run_id, action and game_date, cleaned to BigQuery's label rules", () => {
    expect(
      jobLabels({ team: "analytics" }, { runId: "run_20250115T101500_A1B2C3", action: "nba_analytics.Player Game", gameDate: "2025-01-15" }),
    ).toEqual({ team: "analytics", run_id: "run_20250115t101500_a1b2c3", action: "nba_analytics_player_game", game_date: "2025-01-15" });
  });

  it("leaves out what the statement does not know", () => {
    expect(jobLabels({}, { action: "boxscores_complete" })).toEqual({ action: "boxscores_complete" });
    expect(jobLabels({}, undefined)).toEqual({});
  });

  it("cuts values to 63 characters and makes keys start with a letter", () => {
    expect(labelValue("x".repeat(80))).toHaveLength(63);
    expect(labelKey("2025_season")).toBe("l_2025_season");
    expect(labelValue("Ünïcode & spaces")).toBe("_n_code___spaces");
  });
});
