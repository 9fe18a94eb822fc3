/**
 * Many deliveries at once: 50 for one date (Pub/Sub fans out every Phase 2 completion of a busy
 * evening) and one for each of 5 other dates, sent with bounded concurrency from the test; first on
 * a fresh warehouse (the first run creates the tables), then, with the tables in place, 5 more
 * dates at once plus Pub/Sub's redelivery of every message of the first wave.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addDays } from "../../runner/dates.ts";
import { tempDir } from "../helpers.ts";
import { gameRows, merge, queryWarehouse, slate, writeRaw } from "../scenario.ts";
import { pool, pushMessage, startServer, type Reply, type ServerHandle } from "./harness.ts";

const FIRST_WAVE = Array.from({ length: 6 }, (_, index) => addDays("2025-01-10", index));
const SECOND_WAVE = Array.from({ length: 5 }, (_, index) => addDays("2025-01-05", index));
const BUSY_DATE = FIRST_WAVE[0] as string;
const MODELS = ["player_game_boxscore", "player_game_summary", "team_defense_game_summary", "team_game_boxscore", "team_offense_game_summary"];

interface Message {
  date: string;
  id: string;
}
type Sent = Reply & Message;

async function send(server: ServerHandle, messages: Message[]): Promise<Sent[]> {
  return pool(messages, 16, async (message) => ({ ...(await server.post(pushMessage(message.date, message.id))), ...message }));
}

/** Every answer is a success, a duplicate or the busy-date 500 (with Retry-After); nothing else. */
function expectOnlyBusyDate500s(replies: Sent[], allowed: string[]): void {
  const unexpected = replies.filter((reply) => !(reply.status === 200 && allowed.includes(String(reply.body.status))) && !(reply.status === 500 && reply.body.status === "busy"));
  expect(unexpected.map((reply) => ({ id: reply.id, status: reply.status, body: reply.body }))).toEqual([]);
  for (const reply of replies.filter((candidate) => candidate.status === 500)) {
    expect(reply.headers.get("retry-after")).toBe("60");
    expect(reply.body.reason).toContain(`a run for ${reply.date} is in progress`);
  }
}

describe("concurrent deliveries", () => {
  it("writes each date's models exactly once, without duplicate rows; the only 5xx are busy-date 500s", async () => {
    const warehouse = path.join(tempDir("serve-concurrency"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(...[...FIRST_WAVE, ...SECOND_WAVE].flatMap((date) => slate(date, 2).map((game) => gameRows(game)))));
    const server = await startServer(["--warehouse", warehouse, "--var", "as_of_date=2025-01-16", "--concurrency", "3"]);

    const firstWave: Message[] = Array.from({ length: 50 }, (_, index) => ({ date: BUSY_DATE, id: `busy-${index}` }));
    // The other dates arrive among the busy date's messages.
    FIRST_WAVE.slice(1).forEach((date, index) => firstWave.splice(3 + index * 9, 0, { date, id: `other-${date}` }));
    let first: Sent[];
    let second: Sent[];
    try {
      first = await send(server, firstWave);
      // Pub/Sub redelivers every message of the first wave (acknowledged ones too: at-least-once).
      second = await send(server, [...SECOND_WAVE.map((date) => ({ date, id: `second-${date}` })), ...firstWave]);
      expect((await server.get("/healthz")).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }

    expectOnlyBusyDate500s(first, ["completed"]);
    expect(first.filter((reply) => reply.status === 500).every((reply) => reply.date === BUSY_DATE)).toBe(true);
    expect(first.filter((reply) => reply.status === 500).length).toBeGreaterThan(0);
    // Other dates are never turned away: they wait for a run slot.
    for (const date of FIRST_WAVE) expect(first.filter((reply) => reply.date === date && reply.status === 200).length).toBeGreaterThanOrEqual(1);

    expectOnlyBusyDate500s(second, ["completed", "duplicate"]);
    for (const date of SECOND_WAVE) expect(second.find((reply) => reply.date === date)?.body.status).toBe("completed");
    const acknowledged = new Set(first.filter((reply) => reply.status === 200).map((reply) => reply.id));
    for (const reply of second.filter((candidate) => acknowledged.has(candidate.id))) expect(reply.body.status).toBe("duplicate");

    // Each (date, model) has exactly one write that changed rows; every other run of it changed none.
    const writes = await queryWarehouse(
      warehouse,
      `SELECT game_date, action, COUNTIF(rows_written > 0) AS writes, COUNTIF(status <> 'succeeded') AS not_succeeded
       FROM nba_orchestration.phase3_runner_runs
       WHERE action IN ('${MODELS.join("', '")}')
       GROUP BY game_date, action ORDER BY game_date, action`,
    );
    const allDates = [...SECOND_WAVE, ...FIRST_WAVE];
    expect(writes).toEqual(allDates.flatMap((date) => MODELS.map((action) => ({ game_date: date, action, writes: 1, not_succeeded: 0 }))));

    const counts = await queryWarehouse(
      warehouse,
      `SELECT
         (SELECT COUNT(*) FROM nba_analytics.team_offense_game_summary) AS team_rows,
         (SELECT COUNT(DISTINCT CONCAT(CAST(game_date AS STRING), team_abbr)) FROM nba_analytics.team_offense_game_summary) AS team_keys,
         (SELECT COUNT(*) FROM nba_analytics.team_defense_game_summary) AS defense_rows,
         (SELECT COUNT(*) FROM nba_analytics.player_game_summary) AS player_rows,
         (SELECT COUNT(DISTINCT CONCAT(CAST(game_date AS STRING), player_lookup)) FROM nba_analytics.player_game_summary) AS player_keys`,
    );
    // 11 dates x 2 games: 44 team rows, 220 player rows, one per key.
    expect(counts[0]).toEqual({ team_rows: 44, team_keys: 44, defense_rows: 44, player_rows: 220, player_keys: 220 });

    // With the tables in place, runs of different dates overlapped (the second wave ran concurrently).
    const runs = await queryWarehouse(
      warehouse,
      `SELECT run_id, game_date, MIN(started_at) AS started, MAX(finished_at) AS finished
       FROM nba_orchestration.phase3_runner_runs
       WHERE game_date IN ('${SECOND_WAVE.join("', '")}')
       GROUP BY run_id, game_date`,
    );
    const overlapping = runs.some((a) => runs.some((b) => a.run_id !== b.run_id && String(a.started) < String(b.finished) && String(b.started) < String(a.finished)));
    expect(overlapping).toBe(true);

    const recorded = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_orchestration.phase3_runner_deliveries");
    expect(recorded[0]?.n).toBe(first.length + second.length);
  });

  it("runs six dates posted at the same moment on a fresh warehouse: the run that creates the tables runs alone", async () => {
    // Two runs creating the same table at once would fail ("already exists", "write-write conflict").
    const warehouse = path.join(tempDir("serve-fresh"), "warehouse.duckdb");
    await writeRaw(warehouse, merge(...FIRST_WAVE.flatMap((date) => slate(date, 2).map((game) => gameRows(game)))));
    const server = await startServer(["--warehouse", warehouse, "--var", "as_of_date=2025-01-16", "--concurrency", "6"]);
    let replies: Reply[];
    try {
      replies = await Promise.all(FIRST_WAVE.map((date) => server.post(pushMessage(date, `fresh-${date}`))));
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(replies.map((reply) => [reply.status, reply.body.status, reply.body.reason ?? null])).toEqual(FIRST_WAVE.map(() => [200, "completed", null]));
    expect(server.stderr()).toContain("alone: it creates tables");
    const counts = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n, COUNT(DISTINCT game_date) AS dates FROM nba_analytics.player_game_summary");
    expect(counts[0]).toEqual({ n: 120, dates: 6 });
  });
});
