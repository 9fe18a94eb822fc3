/**
 * End-to-end harness for `runner serve`: spawns the real server on a loopback port against a warehouse
 * file, sends real HTTP requests, and stops it with SIGTERM (DuckDB allows one process per file, so
 * the test reads the warehouse only once the server is gone).
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { encodeEnvelope } from "../../runner/server/envelope.ts";
import { ROOT } from "../helpers.ts";

const ENTRY = path.join(ROOT, "bin", "runner.js");
const LISTENING = /listening on http:\/\/([^\s]+):(\d+)/;

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { status?: string; reason?: string };
}

export interface ServerHandle {
  url: string;
  stderr: () => string;
  post: (body: unknown, headers?: Record<string, string>, route?: string) => Promise<Reply>;
  get: (route: string) => Promise<Reply>;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
  child: ChildProcess;
}

export async function startServer(args: string[], env: Record<string, string> = {}): Promise<ServerHandle> {
  const child = spawn(process.execPath, [ENTRY, "serve", "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s\n${stderr}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = LISTENING.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(`http://${match[1]}:${match[2]}`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stderr}`));
    });
  });

  const reply = async (response: Response): Promise<Reply> => {
    const text = await response.text();
    let body: Reply["body"];
    try {
      body = JSON.parse(text) as Reply["body"];
    } catch {
      body = { status: undefined, reason: text };
    }
    return { status: response.status, headers: response.headers, body };
  };

  return {
    url,
    child,
    stderr: () => stderr,
    post: async (body, headers = {}, route = "/") => {
      const payload = typeof body === "string" || body instanceof Buffer ? body : JSON.stringify(body);
      if (Buffer.byteLength(payload) > LARGE_BODY) return postWhileSending(url, route, Buffer.from(payload), headers);
      return reply(await fetch(`${url}${route}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: payload }));
    },
    get: async (route) => reply(await fetch(`${url}${route}`)),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** A body larger than this is posted as a client still sending it when the answer comes (postWhileSending). */
const LARGE_BODY = 64 * 1024;

/**
 * A POST of a large body as a client that is still sending it when the answer comes: the head and
 * the first 64 KiB, then the rest only if no answer came within 200 ms, then the whole answer. The
 * server answers a body it refuses (401 on the headers, 413 on Content-Length) before reading it,
 * and closes the connection with data unread: a client that sent on, as fetch does, would see that
 * close as a reset, sometimes before the answer. That race is the client's, not the behaviour under
 * test; a body the server reads is sent whole.
 */
async function postWhileSending(url: string, route: string, payload: Buffer, headers: Record<string, string>): Promise<Reply> {
  const connection = await connectRaw(url);
  const head = { Host: "127.0.0.1", "Content-Type": "application/json", "Content-Length": String(payload.length), ...headers };
  const answer = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n/;
  connection.socket.write(`POST ${route} HTTP/1.1\r\n${Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
  connection.socket.write(payload.subarray(0, LARGE_BODY));
  if (!(await connection.waitFor(answer, 200))) connection.socket.write(payload.subarray(LARGE_BODY));
  try {
    if (!(await connection.waitFor(answer, 60_000))) throw new Error(`no answer to a POST of ${payload.length} bytes: ${JSON.stringify(connection.received())}`);
    const [whole = "", status = "0", headLines = ""] = answer.exec(connection.received()) ?? [];
    const answerHeaders = new Headers(headLines.split("\r\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()] as [string, string]));
    const length = Number(answerHeaders.get("content-length") ?? 0);
    await connection.waitFor(new RegExp(`^[\\s\\S]{${whole.length + length}}`), 60_000);
    // received() is the bytes as latin1; the body is UTF-8.
    const text = Buffer.from(connection.received().slice(whole.length, whole.length + length), "latin1").toString("utf8");
    let body: Reply["body"];
    try {
      body = JSON.parse(text) as Reply["body"];
    } catch {
      body = { status: undefined, reason: text };
    }
    return { status: Number(status), headers: answerHeaders, body };
  } finally {
    connection.socket.destroy();
  }
}

export const GAMEBOOK = "nba_raw.nbac_gamebook_player_stats";

/** A raw TCP connection to the server, for requests fetch cannot make (slow, partial, oversized). */
export interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received: () => string;
  isClosed: () => boolean;
  /** Resolves once the server (or the test) closed the connection. */
  closed: Promise<void>;
  /** Waits until what was received matches `pattern`, the connection closes, or `timeoutMs` passes. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<boolean>;
}

export function connectRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = "";
    let isClosed = false;
    const listeners = new Set<() => void>();
    const closed = new Promise<void>((done) =>
      socket.once("close", () => {
        isClosed = true;
        done();
        for (const listener of listeners) listener();
      }),
    );
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      for (const listener of listeners) listener();
    });
    // A write after the server closed fails with EPIPE/ECONNRESET: that is what the tests look for.
    socket.on("error", () => undefined);
    const waitFor = (pattern: RegExp, timeoutMs: number) =>
      new Promise<boolean>((done) => {
        const check = () => {
          if (pattern.test(received) || isClosed) {
            clearTimeout(timer);
            listeners.delete(check);
            done(pattern.test(received));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          done(pattern.test(received));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    socket.once("connect", () => resolve({ socket, received: () => received, isClosed: () => isClosed, closed, waitFor }));
    socket.once("error", reject);
  });
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GET /metrics, parsed. */
export async function metricsOf(server: ServerHandle): Promise<Metrics> {
  const reply = await server.get("/metrics");
  if (reply.status !== 200) throw new Error(`GET /metrics answered ${reply.status}`);
  return reply.body as unknown as Metrics;
}

export interface Metrics {
  refused: { unauthorized: number; forbidden: number; auth_unavailable: number };
  answered: Record<string, number>;
  connections: { open: number; max: number; dropped: number; timed_out: number; client_error: number };
  compiles: { started: number; completed: number; failed: number; in_progress: number };
  duplicate_cache: { entries: number; bytes: number; max_bytes: number };
}

/** A Phase 2 completion message as Pub/Sub pushes it. */
export function pushMessage(
  gameDate: string,
  messageId: string,
  data: Record<string, unknown> = {},
  options: { deliveryAttempt?: number; attributes?: Record<string, string> } = {},
): ReturnType<typeof encodeEnvelope> {
  return encodeEnvelope(
    { output_table: GAMEBOOK, game_date: gameDate, status: "success", ...data },
    { messageId, subscription: "projects/nba-props-platform/subscriptions/phase3-test", ...options },
  );
}

export interface ActionResult {
  action: string;
  role: string;
  status: string;
  rows_written: number | null;
  rows_staged: number | null;
  message: string | null;
}

export function actionsOf(reply: Reply): ActionResult[] {
  return (reply.body.actions ?? []) as ActionResult[];
}

/** Sends `work` items with at most `limit` in flight. */
export { mapWithConcurrency as pool } from "../../runner/pool.ts";
