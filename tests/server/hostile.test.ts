/**
 * Hostile traffic against the real server on loopback (issue 12, "the push endpoint"): bodies that
 * are never read unless the sender is authenticated, envelopes over Pub/Sub's limits, clients that
 * never finish their request, more connections than the cap, and /healthz while a run compiles.
 * Every loop is bounded in count and time; no assertion depends on how fast the machine is.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPILE_GATE_ENV } from "../../runner/server/planner.ts";
import { tempDir } from "../helpers.ts";
import { gameRows, merge, queryWarehouse, slate, writeRaw } from "../scenario.ts";
import { connectRaw, metricsOf, pushMessage, sleep, startServer, type RawConnection, type ServerHandle } from "./harness.ts";

const DATE = "2025-01-15";
const SECRET = "local-s3cret";
const AUTH = { Authorization: `Bearer ${SECRET}` };
const SHARED_SECRET = ["--auth", "shared-secret"];
const SECRET_ENV = { RUNNER_SERVE_TOKEN: SECRET };
const MiB = 1024 * 1024;

function warehouseFile(): string {
  return path.join(tempDir("serve-hostile"), "warehouse.duckdb");
}

function head(connection: RawConnection): string {
  return connection.received().split("\r\n\r\n")[0] ?? "";
}

/** Keeps writing `total` bytes of body; stops when the server closes the connection. Returns what was written. */
async function keepSending(connection: RawConnection, already: number, total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = already;
  while (sent < total && !connection.isClosed()) {
    sent += chunk.length;
    if (!connection.socket.write(chunk)) {
      // Bounded: a server that neither reads nor closes fails the test here.
      const drained = new Promise<void>((resolve) => connection.socket.once("drain", () => resolve()));
      const stalled = sleep(10_000).then(() => "stalled" as const);
      if ((await Promise.race([drained, connection.closed, stalled])) === "stalled") throw new Error(`the server neither read nor closed after ${sent} bytes`);
    }
  }
  return sent;
}

describe("bodies and authentication", () => {
  it("answers 401 to a stranger's 64 MiB body after its first 64 KiB, and closes without reading the rest", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, ...SHARED_SECRET], SECRET_ENV);
    try {
      const connection = await connectRaw(server.url);
      const total = 64 * MiB;
      connection.socket.write(`POST /process HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`);
      connection.socket.write(Buffer.alloc(64 * 1024, 0x20));
      // The answer comes while the client is still to send 64 MiB - 64 KiB.
      expect(await connection.waitFor(/\r\n\r\n/, 10_000)).toBe(true);
      expect(head(connection)).toMatch(/^HTTP\/1\.1 401 /);
      expect(head(connection).toLowerCase()).toContain("connection: close");
      const sent = await keepSending(connection, 64 * 1024, total);
      await Promise.race([connection.closed, sleep(10_000)]);
      expect(connection.isClosed()).toBe(true);
      expect(sent).toBeLessThan(total);

      // An authenticated sender declaring too big a body gets its 413 without sending it either.
      const big = await connectRaw(server.url);
      big.socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SECRET}\r\nContent-Length: ${total}\r\n\r\n`);
      expect(await big.waitFor(/\r\n\r\n/, 10_000)).toBe(true);
      expect(head(big)).toMatch(/^HTTP\/1\.1 413 /);
      expect(await keepSending(big, 0, total)).toBeLessThan(total);
      expect((await metricsOf(server)).refused.unauthorized).toBe(1);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const rows = await queryWarehouse(warehouse, "SELECT status_code, outcome, payload FROM nba_orchestration.phase3_runner_deliveries");
    expect(rows).toEqual([{ status_code: 413, outcome: "too_large", payload: null }]);
  });

  it("asks for the body of an `Expect: 100-continue` request only once it is authenticated", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, ...SHARED_SECRET], SECRET_ENV);
    const body = JSON.stringify(pushMessage(DATE, "m-continue"));
    const request = (authorization: string) =>
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorization}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`;
    try {
      const stranger = await connectRaw(server.url);
      stranger.socket.write(request(""));
      expect(await stranger.waitFor(/\r\n\r\n/, 10_000)).toBe(true);
      expect(head(stranger)).toMatch(/^HTTP\/1\.1 401 /);

      const known = await connectRaw(server.url);
      known.socket.write(request(`Authorization: Bearer ${SECRET}\r\n`));
      expect(await known.waitFor(/\r\n\r\n/, 10_000)).toBe(true);
      expect(head(known)).toMatch(/^HTTP\/1\.1 100 Continue/);
      known.socket.write(body);
      expect(await known.waitFor(/HTTP\/1\.1 200 [\s\S]*"status":"skipped"/, 10_000)).toBe(true);
      known.socket.destroy();
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await queryWarehouse(warehouse, "SELECT message_id, outcome FROM nba_orchestration.phase3_runner_deliveries")).toEqual([{ message_id: "m-continue", outcome: "skipped" }]);
  });

  it("leaves no deliveries row for refused requests, whatever their body says", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, ...SHARED_SECRET], SECRET_ENV);
    try {
      for (let index = 0; index < 10; index++) {
        expect((await server.post(pushMessage(DATE, `m-refused-${index}`), index % 2 ? { Authorization: "Bearer wrong" } : {})).status).toBe(401);
      }
      expect((await server.post("{not even json")).status).toBe(401);
      expect((await metricsOf(server)).refused.unauthorized).toBe(11);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_orchestration.phase3_runner_deliveries")).toEqual([{ n: 0 }]);
  });
});

describe("envelope limits", () => {
  it("answers 400 to a messageId or attributes over Pub/Sub's limits, and accepts them at the limits", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, ...SHARED_SECRET], SECRET_ENV);
    const atLimit = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`${String(index).padStart(3, "0")}${"k".repeat(253)}`, "v".repeat(1024)]));
    const cases: { name: string; body: unknown; status: number; reason?: RegExp }[] = [
      { name: "20-digit id, 100 attributes at the size limits", body: pushMessage(DATE, "12345678901234567890", {}, { attributes: atLimit }), status: 200 },
      { name: "1 MB messageId", body: pushMessage(DATE, "9".repeat(1000 * 1000)), status: 400, reason: /^message\.messageId: longer than 64 characters/ },
      { name: "65-character messageId", body: pushMessage(DATE, "1".repeat(65)), status: 400, reason: /^message\.messageId: longer than 64/ },
      {
        name: "101 attributes",
        body: pushMessage(DATE, "m-attrs-count", {}, { attributes: Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`a${index}`, "v"])) }),
        status: 400,
        reason: /^message\.attributes: 101 attributes; Pub\/Sub allows at most 100$/,
      },
      { name: "257-byte key", body: pushMessage(DATE, "m-attrs-key", {}, { attributes: { ["k".repeat(257)]: "v" } }), status: 400, reason: /^message\.attributes: key #1 is 257 bytes/ },
      { name: "1025-byte value", body: pushMessage(DATE, "m-attrs-value", {}, { attributes: { origin: "v".repeat(1025) } }), status: 400, reason: /the value of "origin" is 1025 bytes/ },
      // Bytes, not characters: 129 two-byte characters are 258 bytes.
      { name: "multi-byte key", body: pushMessage(DATE, "m-attrs-utf8", {}, { attributes: { ["é".repeat(129)]: "v" } }), status: 400, reason: /key #1 is 258 bytes/ },
    ];
    try {
      for (const testCase of cases) {
        const reply = await server.post(testCase.body, AUTH);
        expect({ name: testCase.name, status: reply.status }).toEqual({ name: testCase.name, status: testCase.status });
        if (testCase.reason) expect(reply.body.reason).toMatch(testCase.reason);
        // A reason never quotes an oversized id or key back.
        expect(JSON.stringify(reply.body).length).toBeLessThan(2000);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const rows = await queryWarehouse(warehouse, "SELECT message_id, status_code, LENGTH(reason) AS reason_chars FROM nba_orchestration.phase3_runner_deliveries ORDER BY received_at");
    expect(rows.map((row) => [row.message_id, row.status_code])).toEqual([
      ["12345678901234567890", 200],
      [null, 400],
      [null, 400],
      ["m-attrs-count", 400],
      ["m-attrs-key", 400],
      ["m-attrs-value", 400],
      ["m-attrs-utf8", 400],
    ]);
    expect(rows.every((row) => Number(row.reason_chars ?? 0) < 1000)).toBe(true);
  });
});

describe("slow clients", () => {
  it("closes (408) a connection whose head trickles in, one whose body trickles in, and one that sends nothing", async () => {
    const warehouse = warehouseFile();
    const server = await startServer(["--warehouse", warehouse, ...SHARED_SECRET, "--headers-timeout", "1", "--request-timeout", "2"], SECRET_ENV);
    /** Sends `piece` every 100 ms, at most 100 times (10 s), until the server closes the connection. */
    const trickle = async (connection: RawConnection, piece: string): Promise<number> => {
      let writes = 0;
      while (!connection.isClosed() && writes < 100) {
        connection.socket.write(piece);
        writes += 1;
        await Promise.race([sleep(100), connection.closed]);
      }
      return writes;
    };
    try {
      const slowHead = await connectRaw(server.url);
      slowHead.socket.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      const headWrites = await trickle(slowHead, "X-Slow: a\r\n");
      expect(slowHead.isClosed()).toBe(true);
      expect(headWrites).toBeLessThan(100);
      expect(head(slowHead)).toMatch(/^HTTP\/1\.1 408 /);

      // Authenticated, so its body is read: slowly, until the request timeout.
      const slowBody = await connectRaw(server.url);
      slowBody.socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      const bodyWrites = await trickle(slowBody, " ");
      expect(slowBody.isClosed()).toBe(true);
      expect(bodyWrites).toBeLessThan(100);
      expect(head(slowBody)).toMatch(/^HTTP\/1\.1 408 /);

      const silent = await connectRaw(server.url);
      await Promise.race([silent.closed, sleep(10_000)]);
      expect(silent.isClosed()).toBe(true);

      expect((await metricsOf(server)).connections.timed_out).toBe(3);
      // Still serving.
      expect((await server.get("/healthz")).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stderr()).toContain("Connection closed: the request did not arrive within 1 s (head) or 2 s (whole)");
    // None of them was a delivery.
    expect(await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_orchestration.phase3_runner_deliveries")).toEqual([{ n: 0 }]);
  });
});

describe("connection cap", () => {
  it("serves --max-connections connections at once and closes the ones beyond, unanswered", async () => {
    const server = await startServer(["--warehouse", warehouseFile(), "--max-connections", "3", "--headers-timeout", "30", "--request-timeout", "30"]);
    const connections: RawConnection[] = [];
    try {
      // Six connections, none sending a request yet: the first three are held open, the others dropped.
      for (let index = 0; index < 6; index++) connections.push(await connectRaw(server.url));
      for (const connection of connections) connection.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const answered = await Promise.all(connections.map((connection) => connection.waitFor(/\r\n\r\n/, 10_000)));
      expect(answered).toEqual([true, true, true, false, false, false]);
      for (const connection of connections.slice(0, 3)) expect(head(connection)).toMatch(/^HTTP\/1\.1 200 /);
      for (const connection of connections.slice(3)) expect(connection.isClosed()).toBe(true);

      for (const connection of connections) connection.socket.destroy();
      await Promise.all(connections.map((connection) => connection.closed));
      // Once they are gone, new connections are served again (the server may take a moment to see the closes).
      let metrics: Awaited<ReturnType<typeof metricsOf>> | undefined;
      for (let attempt = 0; attempt < 50 && !metrics; attempt++) {
        metrics = await metricsOf(server).catch(() => undefined);
        if (!metrics) await sleep(100);
      }
      expect(metrics?.connections.max).toBe(3);
      // The three above, and any attempt of this loop made before the server saw the closes.
      expect(metrics?.connections.dropped).toBeGreaterThanOrEqual(3);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stderr()).toContain("Connection closed unanswered: 3 connections are open (--max-connections)");
  });
});

describe("/healthz while a run compiles", () => {
  it("answers while the run's compile is still in progress (compiled in a worker thread)", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 2).map((game) => gameRows(game))));
    // Test hook: the compile worker blocks (as a long compile would) until this file exists.
    const gate = path.join(tempDir("serve-compile-gate"), "release");
    const server: ServerHandle = await startServer(["--warehouse", warehouse, "--var", "as_of_date=2025-01-16"], { [COMPILE_GATE_ENV]: gate });
    try {
      let answered = false;
      const delivery = server.post(pushMessage(DATE, "m-compiling")).finally(() => (answered = true));
      // Bounded: until the server reports the run's compile as started and unfinished.
      let compiling = false;
      for (let attempt = 0; attempt < 300 && !compiling; attempt++) {
        compiling = (await metricsOf(server)).compiles.in_progress === 1;
        if (!compiling) await sleep(100);
      }
      expect(compiling).toBe(true);

      const health = await server.get("/healthz");
      expect(health.status).toBe(200);
      // Still compiling after /healthz answered: it was answered during the compile, not after it.
      const during = await metricsOf(server);
      expect(during.compiles).toMatchObject({ in_progress: 1, completed: 0 });
      expect(answered).toBe(false);

      fs.writeFileSync(gate, "");
      const reply = await delivery;
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe("completed");
      expect((await metricsOf(server)).compiles).toMatchObject({ started: 1, completed: 1, failed: 0, in_progress: 0 });
    } finally {
      fs.writeFileSync(gate, "");
      expect(await server.stop()).toBe(0);
    }
  });
});
