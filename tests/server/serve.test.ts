/**
 * `runner serve` end to end: a real server process on a loopback port, real HTTP, a real DuckDB
 * warehouse file filled with consistent raw data (tests/scenario.ts).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers.ts";
import { gameRows, merge, queryWarehouse, slate, writeRaw } from "../scenario.ts";
import { actionsOf, pushMessage, startServer } from "./harness.ts";

const DATE = "2025-01-15";
/** The morning after: gates give no staleness pass. */
const FRESH = ["--var", "as_of_date=2025-01-16"];
const MODELS = ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"];

function warehouseFile(): string {
  return path.join(tempDir("serve"), "warehouse.duckdb");
}

async function modelCounts(warehouse: string): Promise<Record<string, unknown>> {
  const rows = await queryWarehouse(
    warehouse,
    `SELECT
       (SELECT COUNT(*) FROM nba_analytics.team_offense_game_summary) AS team_offense,
       (SELECT COUNT(*) FROM nba_analytics.team_defense_game_summary) AS team_defense,
       (SELECT COUNT(*) FROM nba_analytics.player_game_summary) AS players,
       (SELECT MAX(usage_rate) FROM nba_analytics.player_game_summary) AS max_usage`,
  );
  return rows[0] ?? {};
}

describe("a gamebook message for a date with complete data", () => {
  it("writes the three models; the same message again is a duplicate; a new message changes nothing", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 3).map((game) => gameRows(game))));
    const server = await startServer(["--warehouse", warehouse, ...FRESH]);
    try {
      expect((await server.get("/healthz")).status).toBe(200);
      expect((await server.get("/readyz")).body).toMatchObject({ status: "ready", engine: "duckdb" });

      const first = await server.post(pushMessage(DATE, "m-1"));
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: "completed", message_id: "m-1", game_date: DATE, source_table: "nbac_gamebook_player_stats" });
      const written = Object.fromEntries(actionsOf(first).map((action) => [action.action, action]));
      expect(written.boxscores_complete?.status).toBe("succeeded");
      expect(written.team_offense_complete?.status).toBe("succeeded");
      expect(written.team_offense_game_summary).toMatchObject({ status: "succeeded", rows_written: 6 });
      expect(written.team_defense_game_summary).toMatchObject({ status: "succeeded", rows_written: 6 });
      expect(written.player_game_summary).toMatchObject({ status: "succeeded", rows_written: 30 });

      const again = await server.post(pushMessage(DATE, "m-1"), {}, "/process");
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: "duplicate", first_run_id: first.body.run_id });

      const fresh = await server.post(pushMessage(DATE, "m-2"));
      expect(fresh.status).toBe(200);
      expect(fresh.body.status).toBe("completed");
      for (const model of MODELS) expect(actionsOf(fresh).find((action) => action.action === model)).toMatchObject({ status: "succeeded", rows_written: 0 });
    } finally {
      expect(await server.stop()).toBe(0);
    }

    expect(await modelCounts(warehouse)).toMatchObject({ team_offense: 6, team_defense: 6, players: 30 });
    expect(Number((await modelCounts(warehouse)).max_usage)).toBeLessThanOrEqual(100);
    const runs = await queryWarehouse(
      warehouse,
      "SELECT run_id, COUNTIF(rows_written > 0) AS writes FROM nba_orchestration.phase3_runner_runs WHERE trigger = 'pubsub' GROUP BY run_id ORDER BY writes DESC",
    );
    // m-1 ran once (its duplicate did not run), m-2 ran and wrote nothing.
    expect(runs.map((run) => run.writes)).toEqual([6, 0]);
    const deliveries = await queryWarehouse(
      warehouse,
      "SELECT message_id, status_code, outcome, run_id IS NOT NULL AS has_run, game_date, source_table FROM nba_orchestration.phase3_runner_deliveries ORDER BY received_at",
    );
    expect(deliveries).toEqual([
      { message_id: "m-1", status_code: 200, outcome: "completed", has_run: true, game_date: DATE, source_table: "nbac_gamebook_player_stats" },
      { message_id: "m-1", status_code: 200, outcome: "duplicate", has_run: false, game_date: DATE, source_table: "nbac_gamebook_player_stats" },
      { message_id: "m-2", status_code: 200, outcome: "completed", has_run: true, game_date: DATE, source_table: "nbac_gamebook_player_stats" },
    ]);
  });
});

describe("a gamebook message while box scores are missing", () => {
  it("answers 500 with Retry-After and writes nothing; once the data is loaded, the redelivery succeeds", async () => {
    const warehouse = warehouseFile();
    const [complete, late1, late2] = slate(DATE, 3) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    // All three games are Final in the schedule; only one has its box scores.
    await writeRaw(
      warehouse,
      merge(gameRows(complete), gameRows(late1, { gamebook: false, teamBoxscore: false }), gameRows(late2, { gamebook: false, teamBoxscore: false })),
    );
    let server = await startServer(["--warehouse", warehouse, ...FRESH]);
    try {
      const blocked = await server.post(pushMessage(DATE, "m-late", {}, { deliveryAttempt: 1 }));
      expect(blocked.status).toBe(500);
      expect(blocked.headers.get("retry-after")).toBe("300");
      expect(blocked.body.status).toBe("not_ready");
      expect(blocked.body.reason).toContain("boxscores_complete");
      expect(actionsOf(blocked).find((action) => action.action === "player_game_summary")?.status).toBe("skipped");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Only the record of the source checks is written: no model of the date.
    const tables = await queryWarehouse(warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'nba_analytics'");
    expect(tables).toEqual([{ table_name: "game_source_checks" }]);

    await writeRaw(warehouse, merge(gameRows(late1, { schedule: false }), gameRows(late2, { schedule: false })));
    server = await startServer(["--warehouse", warehouse, ...FRESH]);
    try {
      const redelivered = await server.post(pushMessage(DATE, "m-late", {}, { deliveryAttempt: 2 }));
      expect(redelivered.status).toBe(200);
      expect(redelivered.body.status).toBe("completed");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await modelCounts(warehouse)).toMatchObject({ team_offense: 6, team_defense: 6, players: 30 });
    const deliveries = await queryWarehouse(
      warehouse,
      "SELECT delivery_attempt, status_code, outcome FROM nba_orchestration.phase3_runner_deliveries WHERE message_id = 'm-late' ORDER BY received_at",
    );
    expect(deliveries).toEqual([
      { delivery_attempt: 1, status_code: 500, outcome: "not_ready" },
      { delivery_attempt: 2, status_code: 200, outcome: "completed" },
    ]);
  });
});

describe("messages that run nothing", () => {
  it("skips an upstream failure and a date without games; ignores gates in backfill mode", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 3);
    await writeRaw(
      warehouse,
      merge(gameRows(games[0] as (typeof games)[number]), gameRows(games[1] as (typeof games)[number]), gameRows(games[2] as (typeof games)[number], { gamebook: false, teamBoxscore: false })),
    );
    const server = await startServer(["--warehouse", warehouse, ...FRESH]);
    try {
      const failed = await server.post(pushMessage(DATE, "m-failed", { status: "failed" }));
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ status: "skipped" });
      expect(failed.body.reason).toContain("Phase 2 reported a failure");

      const offDay = await server.post(pushMessage("2025-01-20", "m-off"));
      expect(offDay.status).toBe(200);
      expect(offDay.body.status).toBe("skipped");
      expect(offDay.body.reason).toContain("no games on 2025-01-20");

      // A schedule message runs the upcoming team context only (with the schedule model and its
      // gate), which the missing box score does not concern.
      const schedule = await server.post(pushMessage(DATE, "m-schedule", { output_table: "nba_raw.nbac_schedule" }));
      expect(schedule.status).toBe(200);
      expect(schedule.body.status).toBe("completed");
      expect(actionsOf(schedule).find((action) => action.action === "upcoming_team_game_context")).toMatchObject({ status: "succeeded" });
      expect(actionsOf(schedule).map((action) => action.action)).not.toContain("player_game_summary");

      // One Final game has no box score yet and the date is fresh: the player model is not ready...
      const gated = await server.post(pushMessage(DATE, "m-gated"));
      expect(gated.status).toBe(500);
      expect(gated.body.status).toBe("not_ready");
      // ...unless the message asks for a backfill, which skips the gates (and says so: a warning).
      const backfill = await server.post(pushMessage(DATE, "m-backfill", { backfill_mode: true }));
      expect(backfill.status).toBe(200);
      expect(backfill.body.status).toBe("completed_with_warnings");
      expect(actionsOf(backfill).find((action) => action.action === "team_offense_complete")).toMatchObject({ status: "ignored", message: "gate not evaluated (--ignore-gates)" });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stderr()).toMatch(/"severity":"WARNING","message":"BACKFILL MODE: gates are NOT evaluated for 2025-01-15/);
    expect(await modelCounts(warehouse)).toMatchObject({ team_offense: 4, players: 20 });
  });
});

describe("logs and shutdown", () => {
  it("logs JSON lines with the trace, messageId and run_id; finishes the run in progress on SIGTERM and exits 0", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 3).map((game) => gameRows(game))));
    const server = await startServer(["--warehouse", warehouse, ...FRESH, "--shutdown-timeout", "60"]);
    const inFlight = server.post(pushMessage(DATE, "m-sigterm"), { "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1" });
    // Once the run has started, ask the server to stop.
    while (!server.stderr().includes('"message":"Running team_offense_game_summary')) await new Promise((resolve) => setTimeout(resolve, 20));
    const exit = server.stop();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe("completed");
    expect(await exit).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    const lines = server
      .stderr()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const answered = lines.find((line) => String(line.message).startsWith("Delivery answered 200 completed"));
    expect(answered).toMatchObject({
      severity: "NOTICE",
      messageId: "m-sigterm",
      game_date: DATE,
      "logging.googleapis.com/trace": "projects/nba-props-platform/traces/105445aa7843bc8bf206b12000100000",
      "logging.googleapis.com/spanId": "1",
    });
    expect(answered?.run_id).toMatch(/^run_/);
    const runLines = lines.filter((line) => line.run_id === answered?.run_id);
    expect(runLines.some((line) => line.message === "player_game_summary dependencies satisfied (gates passed: team_offense_complete)")).toBe(true);
    expect(runLines.every((line) => line.messageId === "m-sigterm")).toBe(true);
    // The signal came while the run was going on; the run finished, then the server stopped.
    const position = (start: string) => lines.findIndex((line) => String(line.message).startsWith(start));
    expect(position("SIGTERM received")).toBeGreaterThan(-1);
    expect(position("SIGTERM received")).toBeLessThan(position("Delivery answered 200 completed"));
    expect(position("Delivery answered 200 completed")).toBeLessThan(position("Server stopped"));
    expect(await modelCounts(warehouse)).toMatchObject({ players: 30 });
  });
});

describe("timeouts and an abandoned shutdown", () => {
  it("answers 500 when a run outlives --run-timeout, lets it finish, and records its late result", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 3).map((game) => gameRows(game))));
    const server = await startServer(["--warehouse", warehouse, ...FRESH, "--run-timeout", "0.05"]);
    const replies = [];
    try {
      const slow = await server.post(pushMessage(DATE, "m-slow"));
      expect(slow.status).toBe(500);
      expect(slow.headers.get("retry-after")).toBe("60");
      expect(slow.body).toMatchObject({ status: "timeout" });
      expect(slow.body.run_id).toMatch(/^run_/);
      // Pub/Sub redelivers: busy while the run goes on, then a duplicate once it has completed.
      for (let attempt = 0; attempt < 300; attempt++) {
        const reply = await server.post(pushMessage(DATE, "m-slow"));
        replies.push(reply.body.status);
        if (reply.status === 200) {
          expect(reply.body).toMatchObject({ status: "duplicate", first_run_id: slow.body.run_id });
          break;
        }
        expect(reply.body.status).toBe("busy");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(replies.at(-1)).toBe("duplicate");
    expect(await modelCounts(warehouse)).toMatchObject({ team_offense: 6, team_defense: 6, players: 30 });
    const recorded = await queryWarehouse(
      warehouse,
      "SELECT status_code, outcome FROM nba_orchestration.phase3_runner_deliveries WHERE outcome <> 'busy' ORDER BY received_at, responded_at",
    );
    expect(recorded).toEqual([
      { status_code: 500, outcome: "timeout" },
      { status_code: null, outcome: "late_completed" },
      { status_code: 200, outcome: "duplicate" },
    ]);
  });

  it("on SIGTERM past --shutdown-timeout answers 500 and exits 0 without a half-written table; the redelivery completes", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 3).map((game) => gameRows(game))));
    const expected: Record<string, number> = {
      game_source_checks: 3,
      player_game_boxscore: 30,
      team_game_boxscore: 6,
      team_offense_game_summary: 6,
      team_defense_game_summary: 6,
      defense_zone_analytics: 6,
      player_game_summary: 30,
    };
    let server = await startServer(["--warehouse", warehouse, ...FRESH, "--shutdown-timeout", "0"]);
    const inFlight = server.post(pushMessage(DATE, "m-abandoned"));
    // Stop once the run has published its first model, while the others are still to come.
    while (!server.stderr().includes('"message":"player_game_boxscore merged')) await new Promise((resolve) => setTimeout(resolve, 5));
    const exit = server.stop();
    const abandoned = await inFlight;
    expect(abandoned.status).toBe(500);
    expect(abandoned.headers.get("retry-after")).toBe("60");
    expect(abandoned.body.status).toBe("shutting_down");
    expect(await exit).toBe(0);

    // Every model table is absent, empty (a missing target is created just before its publish
    // transaction) or whole for the date: a MERGE is all or nothing, never half a date.
    const tables = await queryWarehouse(warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'nba_analytics'");
    expect(tables.length).toBeGreaterThanOrEqual(1);
    let whole = 0;
    for (const { table_name: table } of tables) {
      const rows = Number((await queryWarehouse(warehouse, `SELECT COUNT(*) AS n FROM nba_analytics.${String(table)}`))[0]?.n);
      if (rows > 0) whole += 1;
      expect({ table, rows: rows === 0 ? 0 : rows }).toEqual({ table, rows: rows === 0 ? 0 : expected[String(table)] });
    }
    expect(whole).toBeGreaterThanOrEqual(1);

    server = await startServer(["--warehouse", warehouse, ...FRESH]);
    try {
      const redelivered = await server.post(pushMessage(DATE, "m-abandoned"));
      expect(redelivered.status).toBe(200);
      expect(redelivered.body.status).toBe("completed");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await modelCounts(warehouse)).toMatchObject({ team_offense: 6, team_defense: 6, players: 30 });
    const recorded = await queryWarehouse(warehouse, "SELECT status_code, outcome FROM nba_orchestration.phase3_runner_deliveries WHERE message_id = 'm-abandoned' ORDER BY received_at");
    expect(recorded).toEqual([
      { status_code: 500, outcome: "shutting_down" },
      { status_code: 200, outcome: "completed" },
    ]);
  });
});

