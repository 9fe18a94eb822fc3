/** What `serve` checks before it listens: the port and host (server.ts), the OIDC certificates file (auth.ts). */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../errors.ts";
import { readCertsFile } from "./auth.ts";
import { checkCanListen } from "./server.ts";
import { localSigner } from "./test_support.ts";

async function listening(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe("checkCanListen", () => {
  it("refuses a port in use as bad input naming the port, and leaves a free port free", async () => {
    const { server, port } = await listening();
    const refusal = await checkCanListen("127.0.0.1", port).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BadInputError);
    expect(refusal).toMatchObject({ code: "port_in_use", exitCode: 2, message: `port ${port} is already in use (127.0.0.1:${port}): another process is listening on it` });
    expect((refusal as BadInputError).suggestion).toContain("--port 0");
    await new Promise((resolve) => server.close(resolve));

    await checkCanListen("127.0.0.1", port);
    // The probe let go of it: the real server can listen there.
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => again.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => again.close(resolve));
  });

  it("refuses a --host that is not an address of this machine", async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a machine.
    await expect(checkCanListen("192.0.2.1", 0)).rejects.toMatchObject({ code: "host_not_available", exitCode: 2, message: expect.stringContaining("--host 192.0.2.1 is not an address of this machine") });
  });
});

describe("readCertsFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certs-"));
  const file = (name: string, text: string) => {
    const written = path.join(dir, name);
    fs.writeFileSync(written, text);
    return written;
  };
  const reason = (certs: string) => {
    try {
      readCertsFile(certs, "RUNNER_OIDC_CERTS_FILE");
    } catch (error) {
      expect(error).toBeInstanceOf(BadInputError);
      return (error as BadInputError).message;
    }
    return "read";
  };

  it("reads {kid: PEM}, the shape of Google's certificates endpoint", () => {
    const { certs } = localSigner("kid-1");
    expect(readCertsFile(file("good.json", JSON.stringify(certs)), "RUNNER_OIDC_CERTS_FILE")).toEqual(certs);
  });

  it("names the file and the reason for each way it can be wrong", () => {
    expect(reason(dir)).toBe(`RUNNER_OIDC_CERTS_FILE: ${dir}: is a directory`);
    expect(reason(path.join(dir, "absent.json"))).toBe(`RUNNER_OIDC_CERTS_FILE: ${path.join(dir, "absent.json")}: does not exist`);
    expect(reason(file("broken.json", "{"))).toMatch(/broken\.json: not JSON: /);
    expect(reason(file("list.json", "[]"))).toMatch(/list\.json: not a JSON object$/);
    expect(reason(file("empty.json", "{}"))).toMatch(/empty\.json: holds no certificate$/);
    expect(reason(file("number.json", '{"kid-1": 3}'))).toMatch(/number\.json: key "kid-1": /);
    expect(reason(file("text.json", '{"kid-1": "hello"}'))).toMatch(/text\.json: key "kid-1": not a PEM certificate or public key/);
  });
});
