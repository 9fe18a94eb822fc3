/** Malformed deliveries are answered 400/413 with a reason, recorded, and the server keeps serving. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";
import { pushMessage, startServer } from "./harness.ts";

describe("malformed deliveries", () => {
  it("answers each with 400 or 413 and a reason, records it, and keeps serving", async () => {
    const warehouse = path.join(tempDir("serve-malformed"), "warehouse.duckdb");
    const server = await startServer(["--warehouse", warehouse, "--var", "as_of_date=2025-01-16"]);
    const valid = pushMessage("2025-01-15", "m-bad-date");
    const cases: { name: string; body: unknown; status: number; reason: RegExp }[] = [
      { name: "not JSON", body: "{this is not json", status: 400, reason: /^\(body\): not JSON/ },
      { name: "no message", body: { subscription: "projects/p/subscriptions/s" }, status: 400, reason: /^message: / },
      { name: "bad base64", body: { ...valid, message: { ...valid.message, data: "@@not base64@@", messageId: "m-b64" } }, status: 400, reason: /^message\.data: not valid base64$/ },
      { name: "bad date", body: pushMessage("2025-13-01", "m-date"), status: 400, reason: /^message\.data\.game_date: must be a calendar date/ },
      { name: "unknown table", body: pushMessage("2025-01-15", "m-table", { output_table: "nba_raw.mystery_table" }), status: 400, reason: /unknown trigger table "mystery_table"/ },
      { name: "5 MB body", body: JSON.stringify({ padding: "x".repeat(5 * 1024 * 1024) }), status: 413, reason: /larger than 1048576 bytes/ },
    ];
    try {
      for (const testCase of cases) {
        const reply = await server.post(testCase.body);
        expect({ name: testCase.name, status: reply.status }).toEqual({ name: testCase.name, status: testCase.status });
        expect(reply.body.reason).toMatch(testCase.reason);
        expect((await server.get("/healthz")).status).toBe(200);
      }
      expect((await server.get("/process")).status).toBe(405);
      expect((await server.get("/elsewhere")).status).toBe(404);
      // Still serving deliveries: a valid message for a date without any data is skipped.
      const skipped = await server.post(pushMessage("2025-01-15", "m-valid"));
      expect(skipped.status).toBe(200);
      expect(skipped.body.status).toBe("skipped");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const recorded = await queryWarehouse(
      warehouse,
      "SELECT message_id, status_code, outcome, reason FROM nba_orchestration.phase3_runner_deliveries ORDER BY received_at",
    );
    expect(recorded.map((row) => [row.message_id, row.status_code, row.outcome])).toEqual([
      [null, 400, "bad_request"],
      [null, 400, "bad_request"],
      ["m-b64", 400, "bad_request"],
      ["m-date", 400, "bad_request"],
      ["m-table", 400, "bad_request"],
      [null, 413, "too_large"],
      ["m-valid", 200, "skipped"],
    ]);
    expect(recorded.every((row) => typeof row.reason === "string" && row.reason.length > 0)).toBe(true);
  });
});
