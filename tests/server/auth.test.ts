/**
 * Authentication of deliveries: shared secret and Pub/Sub OIDC tokens (signed by a local test key).
 * Refused requests are log lines and counters (GET /metrics), never rows of the deliveries table,
 * and a 403 never names the account the server expects.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localSigner, pushClaims } from "../../runner/server/test_support.ts";
import { tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";
import { metricsOf, pushMessage, startServer } from "./harness.ts";

const DATE = "2025-01-15";
const AUDIENCE = "https://phase3-analytics.example.run.app/process";
const ACCOUNT = "pubsub-push@nba-props-platform.iam.gserviceaccount.com";

function warehouseFile(): string {
  return path.join(tempDir("serve-auth"), "warehouse.duckdb");
}

describe("shared-secret auth", () => {
  it("answers 401 without the secret, and serves with it; refusals are counted and logged, not recorded", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, "--auth", "shared-secret"], { RUNNER_SERVE_TOKEN: "local-s3cret" });
    try {
      const missing = await server.post(pushMessage(DATE, "m-none"));
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ status: "unauthorized" });
      expect((await server.post(pushMessage(DATE, "m-wrong"), { Authorization: "Bearer guessed" })).status).toBe(401);
      // 20 strangers with the largest body the server reads (1 MiB), the messageId taking most of it:
      // the hostile traffic that once stored 20 MB of ids in the deliveries table.
      for (let index = 0; index < 20; index++) {
        const reply = await server.post(pushMessage(DATE, `m-stranger-${index}-${"9".repeat(1000 * 1000)}`), { Authorization: `Bearer guess-${index}` });
        expect(reply.status).toBe(401);
      }
      const allowed = await server.post(pushMessage(DATE, "m-ok"), { Authorization: "Bearer local-s3cret" });
      expect(allowed.status).toBe(200);
      expect(allowed.body.status).toBe("skipped");
      // Probes need no token.
      expect((await server.get("/healthz")).status).toBe(200);
      const metrics = await metricsOf(server);
      expect(metrics.refused).toEqual({ unauthorized: 22, forbidden: 0, auth_unavailable: 0 });
      expect(metrics.answered).toEqual({ skipped: 1 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Only the authenticated delivery is a row.
    const recorded = await queryWarehouse(warehouse, "SELECT message_id, status_code, outcome FROM nba_orchestration.phase3_runner_deliveries ORDER BY received_at");
    expect(recorded).toEqual([{ message_id: "m-ok", status_code: 200, outcome: "skipped" }]);
    const refusals = server.stderr().split("\n").filter((line) => line.includes('"message":"Refused 401 unauthorized'));
    expect(refusals).toHaveLength(22);
    // The log line is about the request, not its body: no messageId (the body was never read).
    expect(refusals.every((line) => !line.includes("m-stranger") && line.length < 1000)).toBe(true);
  });

  it("refuses to start without the secret", async () => {
    await expect(startServer(["--warehouse", warehouseFile(), "--auth", "shared-secret"], { RUNNER_SERVE_TOKEN: "" })).rejects.toThrow(
      /exited with 2 before listening[\s\S]*RUNNER_SERVE_TOKEN/,
    );
  });
});

describe("OIDC auth", () => {
  it("checks signature, audience, issuer and service account: 401 or 403, and 200 for the push account", async () => {
    const signer = localSigner();
    const certs = path.join(tempDir("serve-oidc"), "certs.json");
    fs.writeFileSync(certs, JSON.stringify(signer.certs));
    const server = await startServer(
      ["--warehouse", warehouseFile(), "--auth", "oidc", "--oidc-audience", AUDIENCE, "--oidc-service-account", ACCOUNT],
      { RUNNER_OIDC_CERTS_FILE: certs },
    );
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    try {
      expect((await server.post(pushMessage(DATE, "m-1"))).status).toBe(401);
      expect((await server.post(pushMessage(DATE, "m-2"), bearer("not.a.token"))).status).toBe(401);
      expect((await server.post(pushMessage(DATE, "m-3"), bearer(localSigner(signer.kid).sign(pushClaims(AUDIENCE, ACCOUNT))))).status).toBe(401);
      expect((await server.post(pushMessage(DATE, "m-4"), bearer(signer.sign(pushClaims("https://other.example/", ACCOUNT))))).status).toBe(401);
      expect((await server.post(pushMessage(DATE, "m-5"), bearer(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { iss: "https://issuer.example" }))))).status).toBe(401);
      const stranger = await server.post(pushMessage(DATE, "m-6"), bearer(signer.sign(pushClaims(AUDIENCE, "intruder@example.com"))));
      expect(stranger.status).toBe(403);
      expect(stranger.body).toMatchObject({ status: "forbidden" });
      expect(stranger.body.reason).toContain("intruder@example.com");
      const unverified = await server.post(pushMessage(DATE, "m-6b"), bearer(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { email_verified: false }))));
      expect(unverified.status).toBe(403);
      // A 403 says nothing about the identity the server expects (nor does any refusal).
      for (const refusal of [stranger, unverified]) {
        expect(JSON.stringify(refusal.body)).not.toContain(ACCOUNT);
        expect(JSON.stringify(refusal.body)).not.toContain("pubsub-push@");
        expect(JSON.stringify([...refusal.headers])).not.toContain(ACCOUNT);
      }
      const allowed = await server.post(pushMessage(DATE, "m-7"), bearer(signer.sign(pushClaims(AUDIENCE, ACCOUNT))));
      expect(allowed.status).toBe(200);
      expect((await metricsOf(server)).refused).toEqual({ unauthorized: 5, forbidden: 2, auth_unavailable: 0 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // The operator's log says which account was expected; the client never hears it.
    const forbidden = server.stderr().split("\n").find((line) => line.includes('"message":"Refused 403 forbidden'));
    expect(forbidden).toContain(`"detail":"expected the push service account ${ACCOUNT}"`);
  });
});
