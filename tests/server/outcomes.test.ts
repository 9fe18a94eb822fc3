/**
 * Every row of DESIGN section 6 through `runner serve`: the HTTP status Pub/Sub acts on, the body's
 * status, Retry-After where a retry can help (cases in tests/outcomes.ts, shared with the CLI test).
 */
import { describe, expect, it } from "vitest";
import { DATE, OUTCOME_CASES } from "../outcomes.ts";
import { queryWarehouse } from "../scenario.ts";
import { actionsOf, pushMessage, startServer } from "./harness.ts";

describe("DESIGN 6 through serve", () => {
  it.each(OUTCOME_CASES)("$row", async (outcome) => {
    const { warehouse, project } = await outcome.setup();
    const server = await startServer(["--warehouse", warehouse, ...outcome.vars.flatMap((entry) => ["--var", entry]), ...(project ? ["--project", project] : [])]);
    try {
      const reply = await server.post(pushMessage(DATE, `m-${outcome.row.length}`, outcome.serveData ?? {}));
      expect(reply.status, JSON.stringify(reply.body).slice(0, 2000)).toBe(outcome.serve.status);
      expect(reply.body.status).toBe(outcome.serve.status_text);
      if (reply.status === 500) expect(Number(reply.headers.get("retry-after"))).toBeGreaterThan(0);
      else expect(reply.headers.get("retry-after")).toBeNull();
      const actions = actionsOf(reply);
      for (const [action, status] of Object.entries(outcome.ledger)) {
        const answered = actions.find((candidate) => candidate.action === action);
        if (answered) expect(answered.status, action).toBe(status);
      }
      if (reply.body.status === "completed_with_warnings") {
        expect((reply.body.warnings as { kind: string }[]).map((warning) => warning.kind)).toEqual(expect.arrayContaining([expect.stringMatching(/^gate_(bypassed|ignored)$/)]));
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const delivery = await queryWarehouse(warehouse, "SELECT status_code, outcome FROM nba_orchestration.phase3_runner_deliveries");
    expect(delivery).toEqual([{ status_code: outcome.serve.status, outcome: outcome.serve.status_text }]);
  });

  it("answers 400 to a message that names an impossible date (bad input, dead-lettered)", async () => {
    const { warehouse } = await (OUTCOME_CASES[0] as (typeof OUTCOME_CASES)[number]).setup();
    const server = await startServer(["--warehouse", warehouse]);
    try {
      const reply = await server.post(pushMessage("2025-02-30", "m-bad"));
      expect(reply.status).toBe(400);
      expect(reply.body.status).toBe("bad_request");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
