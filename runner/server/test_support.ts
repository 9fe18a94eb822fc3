/**
 * Test support (used by unit and end-to-end tests, never by the runner): a local stand-in for
 * Google's ID-token signer, with an RSA key generated per test run, so OIDC checks can be tested
 * offline with real RS256 signatures.
 */
import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface TokenClaims {
  iss?: string;
  aud?: string;
  email?: string;
  email_verified?: boolean;
  iat?: number;
  exp?: number;
  sub?: string;
}

export interface LocalSigner {
  kid: string;
  /** What the verifier trusts: `{kid: public key PEM}` (the shape of Google's PEM certs endpoint). */
  certs: Record<string, string>;
  sign(claims: TokenClaims): string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

function signWith(privateKey: KeyObject, kid: string, claims: TokenClaims): string {
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

export function localSigner(kid = "local-test-key"): LocalSigner {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    kid,
    certs: { [kid]: publicKey.export({ type: "spki", format: "pem" }).toString() },
    sign: (claims) => signWith(privateKey, kid, claims),
  };
}

/** Claims of a valid Pub/Sub push token for `audience` and `email`, valid for an hour. */
export function pushClaims(audience: string, email: string, overrides: TokenClaims = {}): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "https://accounts.google.com",
    aud: audience,
    email,
    email_verified: true,
    iat: now,
    exp: now + 3600,
    sub: "1234567890",
    ...overrides,
  };
}
