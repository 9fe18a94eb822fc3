/**
 * `runner serve` refuses to start on a configuration error (exit 2, with what to do) before it
 * listens: a scheduler or Cloud Run would otherwise keep a server that dead-letters good messages,
 * or restart one forever. Each case: the exit code, the words a person acts on, and no "listening".
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localSigner } from "../../runner/server/test_support.ts";
import { noCredentialsEnv, runCli, tempDir } from "../helpers.ts";

const OIDC = ["--auth", "oidc", "--oidc-audience", "https://phase3.example/process", "--oidc-service-account", "push@example.iam.gserviceaccount.com"];

/** serve with a time limit: a server that did start would otherwise never return. */
function serve(args: string[], env: Record<string, string> = {}) {
  return runCli(["serve", "--host", "127.0.0.1", ...args], { env, timeoutMs: 60_000 });
}

function expectRefused(result: { code: number; stdout: string; stderr: string }, ...words: (string | RegExp)[]) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).not.toContain("listening");
  for (const word of words) {
    if (typeof word === "string") expect(result.stderr).toContain(word);
    else expect(result.stderr).toMatch(word);
  }
}

describe.concurrent("serve --target bigquery without credentials", () => {
  it("exits 2 with the ADC hint before listening, with no warning and no network call", async () => {
    const home = tempDir("serve-nohome");
    const result = await serve(["--port", "0", "--target", "bigquery"], noCredentialsEnv(home));
    expectRefused(result, "missing-key.json", "gcloud auth application-default login");
    // The client library's metadata-server probe would print a Node warning and a connection error.
    expect(result.stderr).not.toMatch(/Warning|ECONNREFUSED|metadata/i);
  });
});

describe.concurrent("serve --auth oidc with a bad certificates file", () => {
  const dir = tempDir("serve-certs");
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it("names a file that does not exist", async () => {
    const file = path.join(dir, "absent.json");
    expectRefused(await serve(["--port", "0", ...OIDC], { RUNNER_OIDC_CERTS_FILE: file }), `RUNNER_OIDC_CERTS_FILE: ${file}: does not exist`);
  });

  it("names a file that is not JSON, with the parser's reason", async () => {
    const file = write("broken.json", '{"kid-1": "-----BEGIN');
    expectRefused(await serve(["--port", "0", ...OIDC], { RUNNER_OIDC_CERTS_FILE: file }), `${file}: not JSON`, "{key id: PEM certificate or public key}");
  });

  it("names the key whose PEM is no key, and a file of the wrong shape", async () => {
    const good = localSigner().certs;
    const file = write("bad-pem.json", JSON.stringify({ ...good, "kid-2": "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n" }));
    expectRefused(await serve(["--port", "0", ...OIDC], { RUNNER_OIDC_CERTS_FILE: file }), `${file}: key "kid-2": not a PEM certificate or public key`);
    const list = write("list.json", JSON.stringify(Object.values(good)));
    expectRefused(await serve(["--port", "0", ...OIDC], { RUNNER_OIDC_CERTS_FILE: list }), `${list}: not a JSON object`);
  });
});

describe.concurrent("serve on a port it cannot have", () => {
  it("exits 2 naming a port already in use, before opening the warehouse", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const warehouse = path.join(tempDir("serve-port"), "nba.duckdb");
    try {
      const result = await serve(["--port", String(port), "--warehouse", warehouse]);
      expectRefused(result, `port ${port} is already in use`, "--port");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(fs.existsSync(warehouse)).toBe(false);
  });

  it("checks every option at once: a port out of range, a run timeout past the ack deadline, oidc without its settings", async () => {
    const result = await serve(["--port", "70000", "--run-timeout", "600", "--auth", "oidc"]);
    expectRefused(result, '--port: must be a whole number from 0 to 65535 (a port; 0 picks a free one), got "70000"', "--run-timeout: must be below Pub/Sub's maximum ack deadline", "--oidc-audience: needed with --auth oidc", "--oidc-service-account: needed");
  });
});
