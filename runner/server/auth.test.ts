import { describe, expect, it } from "vitest";
import { createAuthenticator } from "./auth.ts";
import { localSigner, pushClaims } from "./test_support.ts";

const AUDIENCE = "https://phase3.example.run.app/process";
const ACCOUNT = "pubsub-push@nba-props-platform.iam.gserviceaccount.com";

describe("shared-secret auth", () => {
  const auth = createAuthenticator({ mode: "shared-secret", secret: "s3cret" });
  it("accepts the secret as a bearer token", async () => {
    expect(await auth.check("Bearer s3cret")).toEqual({ ok: true, principal: "shared-secret" });
  });
  it("answers 401 to a missing, malformed or wrong token", async () => {
    for (const header of [undefined, "", "Basic s3cret", "Bearer", "Bearer wrong", "Bearer s3cret2"]) {
      expect(await auth.check(header)).toMatchObject({ ok: false, status: 401 });
    }
  });
});

describe("OIDC auth", () => {
  const signer = localSigner();
  const auth = createAuthenticator({ mode: "oidc", oidc: { audience: AUDIENCE, serviceAccount: ACCOUNT, certs: signer.certs } });
  const check = (token: string) => auth.check(`Bearer ${token}`);

  it("accepts a token of the push service account for this audience", async () => {
    expect(await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT)))).toEqual({ ok: true, principal: ACCOUNT });
    expect(await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { iss: "accounts.google.com" })))).toMatchObject({ ok: true });
  });

  it("answers 401 without a token, or to one that is forged, expired, for another audience or issuer", async () => {
    const other = localSigner(signer.kid);
    const now = Math.floor(Date.now() / 1000);
    const cases = {
      missing: await auth.check(undefined),
      garbage: await check("not-a-jwt"),
      forged: await check(other.sign(pushClaims(AUDIENCE, ACCOUNT))),
      unknownKey: await check(localSigner("other-kid").sign(pushClaims(AUDIENCE, ACCOUNT))),
      expired: await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { iat: now - 7200, exp: now - 3600 }))),
      audience: await check(signer.sign(pushClaims("https://elsewhere.example/", ACCOUNT))),
      issuer: await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { iss: "https://evil.example" }))),
    };
    for (const [name, result] of Object.entries(cases)) expect({ name, ...result }).toMatchObject({ name, ok: false, status: 401 });
  });

  it("never echoes the token in the reason", async () => {
    const token = "aaaa.bbbb";
    const result = await check(token);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain(token);
  });

  it("answers 403 to a valid token of another account, or with an unverified email", async () => {
    expect(await check(signer.sign(pushClaims(AUDIENCE, "someone@example.com")))).toMatchObject({ ok: false, status: 403 });
    expect(await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { email_verified: false })))).toMatchObject({ ok: false, status: 403 });
  });

  it("never names the expected account in a 403 reason (only in the detail, for the log)", async () => {
    const stranger = await check(signer.sign(pushClaims(AUDIENCE, "someone@example.com")));
    expect(stranger.ok).toBe(false);
    if (stranger.ok) return;
    expect(stranger.reason).toContain("someone@example.com");
    expect(stranger.reason).not.toContain(ACCOUNT);
    expect(stranger.detail).toContain(ACCOUNT);
    const unverified = await check(signer.sign(pushClaims(AUDIENCE, ACCOUNT, { email_verified: false })));
    if (!unverified.ok) expect(unverified.reason).not.toContain(ACCOUNT);
  });
});
