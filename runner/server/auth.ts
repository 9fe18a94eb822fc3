/**
 * Who may post deliveries. Three modes:
 * - none: no check (local use on loopback, or behind Cloud Run's own IAM check);
 * - shared-secret: `Authorization: Bearer <RUNNER_SERVE_TOKEN>` (local tools, scripts);
 * - oidc: the token Pub/Sub attaches to push requests, a Google-signed ID token. Its signature
 *   (Google's certificates), issuer, audience, expiry, service-account email and email_verified
 *   are checked.
 * A missing or invalid token is 401; a valid token of another (or unverified) account is 403.
 * Only the headers are needed: the server checks them before it reads a byte of the body. The
 * reason goes back to the client, so it never names the expected account (a 403 would tell a
 * stranger which identity to obtain); `detail` says it, for the server's log only.
 */
import { createHash, createPublicKey, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import { OAuth2Client, type Certificates, type TokenPayload } from "google-auth-library";
import { z } from "zod";
import { BadInputError } from "../errors.ts";

export const AUTH_MODES = ["none", "shared-secret", "oidc"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Issuers of Google ID tokens (Pub/Sub push tokens use the https form). */
export const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"];

export type AuthResult =
  | { ok: true; principal: string | undefined }
  /** 500: the check itself could not run (Google's certificates unreachable): retry later. */
  | { ok: false; status: 401 | 403 | 500; reason: string; detail?: string };

export interface Authenticator {
  readonly mode: AuthMode;
  /** Checks the Authorization header of a request. */
  check(authorization: string | undefined): Promise<AuthResult>;
}

export interface OidcConfig {
  audience: string;
  serviceAccount: string;
  /**
   * Certificates by key id (PEM). Tests pass their own; production leaves it undefined and the
   * verifier fetches (and caches) Google's.
   */
  certs?: Record<string, string>;
}

export type AuthConfig = { mode: "none" } | { mode: "shared-secret"; secret: string } | { mode: "oidc"; oidc: OidcConfig };

const CertsFileSchema = z.record(z.string(), z.string().min(1, "empty PEM"));

const CERTS_HINT = "It must be a JSON object {key id: PEM certificate or public key}, the shape of https://www.googleapis.com/oauth2/v1/certs.";

/**
 * The certificates of an OIDC certs file, read once at start-up: a file that cannot be read, is
 * not JSON, has the wrong shape or holds a PEM that is no key is bad input (exit 2) naming the
 * file and the reason, so the server never starts with a verifier that refuses every delivery.
 */
export function readCertsFile(file: string, source: string): Record<string, string> {
  const fail = (reason: string, cause?: unknown) => new BadInputError("invalid_certs_file", `${source}: ${file}: ${reason}`, { suggestion: CERTS_HINT, cause });
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : code === "EISDIR" ? "is a directory" : `cannot be read (${(error as Error).message})`;
    throw fail(reason, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`not JSON: ${(error as Error).message}`, error);
  }
  const parsed = CertsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((issue) => (issue.path.length > 0 ? `key "${issue.path.join(".")}": ${issue.message}` : "not a JSON object")).join("; "));
  }
  const kids = Object.keys(parsed.data);
  if (kids.length === 0) throw fail("holds no certificate");
  for (const kid of kids) {
    try {
      createPublicKey(parsed.data[kid] ?? "");
    } catch (error) {
      throw fail(`key "${kid}": not a PEM certificate or public key (${(error as Error).message})`, error);
    }
  }
  return parsed.data;
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1];
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Error text of the verifier without the token itself (some messages quote it whole). */
function sanitize(message: string, token: string): string {
  const text = message.split(token).join("<token>");
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

class NoAuth implements Authenticator {
  readonly mode = "none" as const;
  async check(): Promise<AuthResult> {
    return { ok: true, principal: undefined };
  }
}

class SharedSecretAuth implements Authenticator {
  readonly mode = "shared-secret" as const;
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = digest(secret);
  }

  async check(authorization: string | undefined): Promise<AuthResult> {
    const token = bearerToken(authorization);
    if (!token) return { ok: false, status: 401, reason: "missing bearer token (Authorization: Bearer <token>)" };
    // Compared as digests: equal length, constant time.
    if (!timingSafeEqual(digest(token), this.expected)) return { ok: false, status: 401, reason: "invalid bearer token" };
    return { ok: true, principal: "shared-secret" };
  }
}

class OidcAuth implements Authenticator {
  readonly mode = "oidc" as const;
  private readonly client = new OAuth2Client();

  constructor(private readonly config: OidcConfig) {}

  private async certs(): Promise<Certificates> {
    if (this.config.certs) return this.config.certs;
    return (await this.client.getFederatedSignonCertsAsync()).certs;
  }

  async check(authorization: string | undefined): Promise<AuthResult> {
    const token = bearerToken(authorization);
    if (!token) return { ok: false, status: 401, reason: "missing bearer token (the push subscription must send an OIDC token)" };
    let certs: Certificates;
    try {
      certs = await this.certs();
    } catch (error) {
      return { ok: false, status: 500, reason: `cannot fetch Google's signing certificates: ${error instanceof Error ? error.message : String(error)}` };
    }
    let payload: TokenPayload | undefined;
    try {
      const ticket = await this.client.verifySignedJwtWithCertsAsync(token, certs, this.config.audience, GOOGLE_ISSUERS);
      payload = ticket.getPayload();
    } catch (error) {
      return { ok: false, status: 401, reason: `invalid OIDC token: ${sanitize(error instanceof Error ? error.message : String(error), token)}` };
    }
    if (!payload) return { ok: false, status: 401, reason: "invalid OIDC token: no payload" };
    if (payload.email !== this.config.serviceAccount) {
      return {
        ok: false,
        status: 403,
        reason: `the account of the token (${payload.email ?? "no email"}) may not push to this endpoint`,
        detail: `expected the push service account ${this.config.serviceAccount}`,
      };
    }
    if (payload.email_verified !== true) return { ok: false, status: 403, reason: "the email of the token is not verified" };
    return { ok: true, principal: payload.email };
  }
}

export function createAuthenticator(config: AuthConfig): Authenticator {
  switch (config.mode) {
    case "none":
      return new NoAuth();
    case "shared-secret":
      return new SharedSecretAuth(config.secret);
    case "oidc":
      return new OidcAuth(config.oidc);
  }
}
