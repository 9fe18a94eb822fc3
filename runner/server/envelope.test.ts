import { describe, expect, it } from "vitest";
import { encodeEnvelope, parseDelivery, stripDataset } from "./envelope.ts";

const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
const gamebook = { output_table: "nba_raw.nbac_gamebook_player_stats", game_date: "2025-01-15", status: "success", record_count: 230 };

function reasons(value: unknown): string[] {
  const result = parseDelivery(body(value));
  if (result.ok) throw new Error("expected a rejection");
  return result.reasons;
}

describe("parseDelivery", () => {
  it("decodes a Pub/Sub push envelope and its base64 JSON payload", () => {
    const result = parseDelivery(body({ ...encodeEnvelope(gamebook, { messageId: "m-1", deliveryAttempt: 3 }), subscription: "projects/p/subscriptions/s" }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.delivery).toMatchObject({
      messageId: "m-1",
      subscription: "projects/p/subscriptions/s",
      deliveryAttempt: 3,
      sourceTable: "nbac_gamebook_player_stats",
      gameDate: "2025-01-15",
      backfillMode: false,
      upstreamFailed: false,
    });
    // Fields Phase 2 sends that the runner does not use are kept.
    expect(result.delivery.payload.record_count).toBe(230);
  });

  it("accepts the legacy source_table key and backfill_mode", () => {
    const result = parseDelivery(body(encodeEnvelope({ source_table: "nbac_team_boxscore", game_date: "2024-03-02", backfill_mode: true }, { messageId: "m" })));
    expect(result.ok && result.delivery).toMatchObject({ sourceTable: "nbac_team_boxscore", backfillMode: true });
  });

  it.each([
    [{ status: "failed" }, true],
    [{ status: "FAILED" }, true],
    [{ success: false }, true],
    [{ status: "success" }, false],
    [{ status: "no_data" }, false],
    [{ success: true }, false],
  ])("reads the upstream status %j as failed=%s", (extra, failed) => {
    const result = parseDelivery(body(encodeEnvelope({ ...gamebook, status: undefined, ...extra }, { messageId: "m" })));
    expect(result.ok && result.delivery.upstreamFailed).toBe(failed);
  });

  it("rejects a body that is not JSON", () => {
    expect(reasons("{not json")).toEqual([expect.stringMatching(/^\(body\): not JSON/)]);
  });

  it("names what is missing from the envelope, keeping the messageId it could read", () => {
    expect(reasons({ subscription: "s" })).toEqual([expect.stringMatching(/^message: /)]);
    const result = parseDelivery(body({ message: { messageId: "m-9" }, subscription: "s" }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual([expect.stringMatching(/^message\.data: /)]);
    expect(result.messageId).toBe("m-9");
  });

  it("rejects data that is not base64, or not JSON once decoded", () => {
    expect(reasons({ message: { data: "%%%not-base64%%%", messageId: "m" }, subscription: "s" })).toEqual(["message.data: not valid base64"]);
    expect(reasons({ message: { data: Buffer.from("plain text").toString("base64"), messageId: "m" }, subscription: "s" })).toEqual([
      "message.data: the decoded data is not JSON",
    ]);
  });

  it("rejects a date that does not exist, with the path of the field", () => {
    expect(reasons(encodeEnvelope({ ...gamebook, game_date: "2025-13-01" }, { messageId: "m" }))).toEqual([
      "message.data.game_date: must be a calendar date YYYY-MM-DD",
    ]);
  });

  it("needs a table and a date", () => {
    expect(reasons(encodeEnvelope({ game_date: "2025-01-15" }, { messageId: "m" }))).toEqual([
      "message.data.output_table: needs output_table (or the legacy source_table)",
    ]);
    expect(reasons(encodeEnvelope({ output_table: "x" }, { messageId: "m" }))).toEqual([expect.stringMatching(/^message\.data\.game_date: /)]);
  });

  it("reports every problem of the payload at once", () => {
    expect(reasons(encodeEnvelope({ game_date: "2025-02-30" }, { messageId: "m" }))).toEqual([
      "message.data.game_date: must be a calendar date YYYY-MM-DD",
      "message.data.output_table: needs output_table (or the legacy source_table)",
    ]);
  });

  it("rejects a backfill_mode that is not a boolean", () => {
    expect(reasons(encodeEnvelope({ ...gamebook, backfill_mode: "yes" }, { messageId: "m" }))).toEqual([
      expect.stringMatching(/^message\.data\.backfill_mode: /),
    ]);
  });
});

describe("Pub/Sub's limits", () => {
  const withMessage = (message: Record<string, unknown>) => ({ ...encodeEnvelope(gamebook, { messageId: "m" }), message: { ...encodeEnvelope(gamebook, { messageId: "m" }).message, ...message } });

  it("accepts a Pub/Sub messageId and attributes at the limits", () => {
    const attributes = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`${String(index).padStart(3, "0")}${"k".repeat(253)}`, "v".repeat(1024)]));
    const result = parseDelivery(body(withMessage({ messageId: "12345678901234567890", attributes })));
    expect(result.ok && Object.keys(result.delivery.attributes)).toHaveLength(100);
  });

  it("rejects a messageId over 64 characters, and does not keep it for the record", () => {
    const result = parseDelivery(body(withMessage({ messageId: "9".repeat(100_000) })));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual([expect.stringMatching(/^message\.messageId: longer than 64 characters/)]);
    expect(result.messageId).toBeUndefined();
    expect(result.reasons.join("").length).toBeLessThan(200);
  });

  it("rejects too many attributes, keys and values too long in bytes, without quoting the long key", () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`a${index}`, "v"]));
    expect(reasons(withMessage({ attributes: many }))).toEqual(["message.attributes: 101 attributes; Pub/Sub allows at most 100"]);
    const longKey = reasons(withMessage({ attributes: { ok: "v", ["k".repeat(10_000)]: "v" } }));
    expect(longKey).toEqual(["message.attributes: key #2 is 10000 bytes; Pub/Sub allows at most 256"]);
    expect(reasons(withMessage({ attributes: { ["é".repeat(129)]: "v" } }))).toEqual(["message.attributes: key #1 is 258 bytes; Pub/Sub allows at most 256"]);
    expect(reasons(withMessage({ attributes: { origin: "é".repeat(513) } }))).toEqual(['message.attributes: the value of "origin" is 1026 bytes; Pub/Sub allows at most 1024']);
    expect(reasons(withMessage({ attributes: { origin: 3 } }))).toEqual(['message.attributes: the value of "origin" must be a string']);
    expect(reasons(withMessage({ attributes: ["a"] }))).toEqual(["message.attributes: must be an object of string values"]);
  });

  it("rejects a subscription or a table name beyond what Pub/Sub and BigQuery allow", () => {
    expect(reasons({ ...encodeEnvelope(gamebook, { messageId: "m" }), subscription: `projects/p/subscriptions/${"s".repeat(400)}` })).toEqual([
      "subscription: longer than 320 characters",
    ]);
    expect(reasons(encodeEnvelope({ ...gamebook, output_table: "t".repeat(3000) }, { messageId: "m" }))).toEqual(["message.data.output_table: longer than 2048 characters"]);
  });
});

describe("stripDataset", () => {
  it("keeps the table name only", () => {
    expect(stripDataset("nba_raw.nbac_schedule")).toBe("nbac_schedule");
    expect(stripDataset("project.nba_raw.nbac_schedule")).toBe("nbac_schedule");
    expect(stripDataset("nbac_schedule")).toBe("nbac_schedule");
  });
});
