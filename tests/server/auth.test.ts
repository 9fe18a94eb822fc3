/** Authentication of deliveries: shared secret and Pub/Sub OIDC tokens (signed by a local test key). */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localSigner, pushClaims } from "../../runner/server/test_support.ts";
import { tempDir } from "../helpers.ts";
import { queryWarehouse } from "../scenario.ts";
import { pushMessage, startServer } from "./harness.ts";

const DATE = "2025-01-15";
const AUDIENCE = "https://phase3-analytics.example.run.app/process";
const ACCOUNT = "pubsub-push@nba-props-platform.iam.gserviceaccount.com";

function warehouseFile(): string {
  return path.join(tempDir("serve-auth"), "warehouse.duckdb");
}

describe("shared-secret auth", () => {
  it("answers 401 without the secret, and serves with it", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, "--auth", "shared-secret"], { RUNNER_SERVE_TOKEN: "local-s3cret" });
    try {
      const missing = await server.post(pushMessage(DATE, "m-none"));
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ status: "unauthorized" });
      expect((await server.post(pushMessage(DATE, "m-wrong"), { Authorization: "Bearer guessed" })).status).toBe(401);
      const allowed = await server.post(pushMessage(DATE, "m-ok"), { Authorization: "Bearer local-s3cret" });
      expect(allowed.status).toBe(200);
      expect(allowed.body.status).toBe("skipped");
      // Probes need no token.
      expect((await server.get("/healthz")).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const recorded = await queryWarehouse(warehouse, "SELECT message_id, status_code, outcome FROM nba_orchestration.pubsub_deliveries ORDER BY received_at");
    expect(recorded).toEqual([
      { message_id: "m-none", status_code: 401, outcome: "unauthorized" },
      { message_id: "m-wrong", status_code: 401, outcome: "unauthorized" },
      { message_id: "m-ok", status_code: 200, outcome: "skipped" },
    ]);
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
      const allowed = await server.post(pushMessage(DATE, "m-7"), bearer(signer.sign(pushClaims(AUDIENCE, ACCOUNT))));
      expect(allowed.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
