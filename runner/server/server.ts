/**
 * The HTTP side of `runner serve`: routes, authentication before the body, the body limit, the
 * head/request timeouts and the connection cap (limits.ts), trace context, graceful shutdown. What
 * a delivery means is decided in service.ts.
 *
 * Built on node's own `http` module rather than a framework: fastify 5's dependency tree needs
 * Node 22 on this machine while the runner targets Node 20, and the server needs only a few routes,
 * a body limit and a drain on shutdown, which `http` gives without a dependency.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { BadInputError, describeError } from "../errors.ts";
import type { Engine } from "../engines/engine.ts";
import type { Logger } from "../log.ts";
import {
  BODY_LIMIT_BYTES,
  CONNECTION_LOG_INTERVAL_MS,
  HEADERS_TIMEOUT_S,
  MAX_CONNECTIONS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_S,
  TIMEOUT_CHECK_MAX_MS,
} from "./limits.ts";
import type { ConnectionEvent } from "./metrics.ts";
import type { DeliveryService } from "./service.ts";

/** How long /readyz waits for the warehouse. */
const READY_TIMEOUT_MS = 5_000;
/** After a drain that timed out: how long the 500 answers of abandoned deliveries get to go out. */
const FLUSH_MS = 2_000;

export const DELIVERY_PATHS = new Set(["/", "/process"]);

/** What a client may hold of the server (limits.ts has the defaults and why). */
export interface ServerLimits {
  bodyLimit: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyLimit: BODY_LIMIT_BYTES,
  headersTimeoutMs: HEADERS_TIMEOUT_S * 1000,
  requestTimeoutMs: REQUEST_TIMEOUT_S * 1000,
  maxConnections: MAX_CONNECTIONS,
};

export interface ServerOptions {
  service: DeliveryService;
  engine: Engine;
  host: string;
  port: number;
  limits?: Partial<ServerLimits>;
  log: Logger;
  /** GCP project for `logging.googleapis.com/trace` (projects/P/traces/T). */
  traceProject: string | undefined;
}

export interface RunningServer {
  host: string;
  port: number;
  /**
   * Stops accepting, lets deliveries in progress finish within `drainMs`, answers the others 500
   * (Pub/Sub redelivers them) and closes every connection. `drained` says whether all finished.
   */
  close(drainMs: number): Promise<{ drained: boolean }>;
}

interface Body {
  body: Buffer;
  tooLarge: boolean;
}

/**
 * Reads an (authenticated) request body up to `limit` bytes. A Content-Length over the limit is
 * answered without reading anything; a chunked body stops being read as soon as it passes the
 * limit. Either way the answer closes the connection, so the rest is never read.
 */
function readBody(request: http.IncomingMessage, response: http.ServerResponse, limit: number, expectsContinue: boolean): Promise<Body | undefined> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ body: Buffer.alloc(0), tooLarge: true });
  // `Expect: 100-continue` (curl sends it for bodies over 1 KB): the client sends the body once told to.
  if (expectsContinue) response.writeContinue();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Body | undefined) => {
      if (settled) return;
      settled = true;
      request.off("data", onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        request.pause();
        settle({ body: Buffer.concat(chunks), tooLarge: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    request.on("data", onData);
    request.on("end", () => settle({ body: Buffer.concat(chunks), tooLarge: false }));
    request.on("error", () => settle(undefined));
    request.on("close", () => settle(undefined));
  });
}

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` -> the fields Cloud Logging links to the trace. */
export function traceFields(header: string | undefined, project: string | undefined): { trace: string | undefined; fields: Record<string, string> } {
  const match = /^([0-9a-fA-F]{1,32})(?:\/(\d+))?/.exec(header ?? "");
  if (!match?.[1]) return { trace: undefined, fields: {} };
  const trace = project ? `projects/${project}/traces/${match[1]}` : match[1];
  return {
    trace,
    fields: { "logging.googleapis.com/trace": trace, ...(match[2] ? { "logging.googleapis.com/spanId": match[2] } : {}) },
  };
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A failure to listen that the operator fixes (the port taken, a privileged port, an address not
 * of this machine) as bad input (exit 2) naming the port or host; anything else unchanged. A
 * scheduler restarting the server would meet the same port taken, so it is no "retry later".
 */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (code === "EADDRINUSE") {
    return new BadInputError("port_in_use", `port ${port} is already in use (${where}): another process is listening on it`, {
      suggestion: `Stop that process (\`ss -ltnp 'sport = :${port}'\` names it), or choose another port with --port (or PORT); --port 0 takes any free port.`,
      cause: error,
    });
  }
  if (code === "EACCES") {
    return new BadInputError("port_not_permitted", `port ${port} cannot be opened (${where}): permission denied`, {
      suggestion: "Ports below 1024 need privileges: use one from 1024 up, e.g. --port 8080.",
      cause: error,
    });
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    const reason = code === "ENOTFOUND" ? "does not resolve to an address" : "is not an address of this machine";
    return new BadInputError("host_not_available", `--host ${host} ${reason} (${code})`, {
      suggestion: "Use 127.0.0.1 to listen locally, or 0.0.0.0 in a container.",
      cause: error,
    });
  }
  return error;
}

/**
 * Whether host:port can be listened on, tried before `serve` opens its warehouse: a port taken is
 * reported at once instead of after the warehouse's tables were prepared. Listening itself still
 * reports the same way, should the port be taken in between.
 */
export async function checkCanListen(host: string, port: number): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { service, engine, log } = options;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const { bodyLimit } = limits;
  const counters = service.counters;
  let openConnections = 0;

  /**
   * A request whose body was not (wholly) read is answered with `Connection: close`: node would
   * otherwise read the rest of it to reuse the connection, which is the reading the answer avoids.
   */
  const connectionHeaders = (request: http.IncomingMessage): Record<string, string> => {
    const hasBody = (request.headers["content-length"] ?? "0") !== "0" || request.headers["transfer-encoding"] !== undefined;
    return service.shuttingDown || (hasBody && !request.complete) ? { Connection: "close" } : {};
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse, expectsContinue: boolean) => {
    const receivedAt = new Date();
    const path = new URL(request.url ?? "/", "http://server").pathname;
    const { trace, fields } = traceFields(request.headers["x-cloud-trace-context"]?.toString(), options.traceProject);
    const requestLog = log.child(fields);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => send(response, status, body, { ...headers, ...connectionHeaders(request) });

    if (path === "/healthz" || path === "/readyz" || path === "/metrics") {
      if (request.method !== "GET" && request.method !== "HEAD") return reply(405, { status: "method_not_allowed" }, { Allow: "GET, HEAD" });
      if (path === "/healthz") return reply(200, { status: "ok" });
      if (path === "/metrics") {
        return reply(200, {
          status: "ok",
          uptime_s: Math.round((Date.now() - counters.startedAt) / 1000),
          connections: { open: openConnections, max: limits.maxConnections, ...counters.connections },
          ...service.metrics(),
          limits: {
            body_bytes: limits.bodyLimit,
            headers_timeout_ms: limits.headersTimeoutMs,
            request_timeout_ms: limits.requestTimeoutMs,
            max_connections: limits.maxConnections,
          },
        });
      }
      if (service.shuttingDown) return reply(503, { status: "shutting_down" });
      try {
        await withTimeout(engine.query("SELECT 1 AS ok"), READY_TIMEOUT_MS, "the warehouse");
        return reply(200, { status: "ready", engine: engine.name, ...service.busy });
      } catch (error) {
        requestLog.warn(`Not ready: ${describeError(error)}`);
        return reply(503, { status: "not_ready", reason: describeError(error) });
      }
    }
    if (!DELIVERY_PATHS.has(path)) return reply(404, { status: "not_found", reason: `no route ${path}; deliveries go to POST / or POST /process` });
    if (request.method !== "POST") return reply(405, { status: "method_not_allowed", reason: "deliveries are POSTed" }, { Allow: "POST" });

    // Authentication needs the headers only: a stranger's body is never read, nor recorded.
    const refused = await service.authenticate(request.headers.authorization, { log: requestLog, path, remoteAddress: request.socket.remoteAddress });
    if (refused) return reply(refused.status, refused.body, refused.headers);

    const read = await readBody(request, response, bodyLimit, expectsContinue);
    if (!read) return; // the client went away (or the request timed out: answered 408 by clientError)
    const result = await service.handle({ body: read.body, tooLarge: read.tooLarge, bodyLimit, trace, receivedAt, log: requestLog });
    reply(result.status, result.body, result.headers);
  };

  const answer = (expectsContinue: boolean) => (request: http.IncomingMessage, response: http.ServerResponse) => {
    handle(request, response, expectsContinue).catch((error: unknown) => {
      log.error(`Unhandled error answering ${request.method} ${request.url}: ${describeError(error)}`);
      send(response, 500, { status: "error", reason: describeError(error) }, { "Retry-After": "60", Connection: "close" });
    });
  };
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Timeouts are only as precise as this check (node's default is every 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(TIMEOUT_CHECK_MAX_MS, Math.floor(limits.headersTimeoutMs / 4))),
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    answer(false),
  );
  // Left to node, `Expect: 100-continue` is answered "continue" before the request is seen: the
  // body would come before authentication. Here it is asked for only once the request passed it.
  server.on("checkContinue", answer(true));
  server.maxConnections = limits.maxConnections;

  // Connection-level refusals are counted every time and logged at most every CONNECTION_LOG_INTERVAL_MS.
  const lastLogged: Partial<Record<ConnectionEvent, number>> = {};
  const note = (event: ConnectionEvent, message: string, context: Record<string, unknown> = {}) => {
    counters.connection(event);
    const now = Date.now();
    if (now - (lastLogged[event] ?? 0) < CONNECTION_LOG_INTERVAL_MS) return;
    lastLogged[event] = now;
    log.warn(`${message} (${counters.connections[event]} since start; logged at most every ${CONNECTION_LOG_INTERVAL_MS / 1000} s, counted in GET /metrics)`, {
      connection_event: event,
      ...context,
    });
  };
  server.on("connection", (socket) => {
    openConnections += 1;
    socket.once("close", () => (openConnections -= 1));
  });
  server.on("drop", (data) => {
    note("dropped", `Connection closed unanswered: ${limits.maxConnections} connections are open (--max-connections)`, data?.remoteAddress ? { remote_address: data.remoteAddress } : {});
  });
  // node's own handling (an HTTP error answer, then close), counted and logged.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const status = timedOut ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    if (timedOut) note("timed_out", `Connection closed: the request did not arrive within ${limits.headersTimeoutMs / 1000} s (head) or ${limits.requestTimeoutMs / 1000} s (whole)`);
    else note("client_error", `Connection closed: malformed HTTP (${error.code ?? error.message})`);
    const answered = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (!answered) socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(listenError(error, options.host, options.port));
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));

  return {
    host: address.address,
    port: address.port,
    async close(drainMs: number) {
      service.beginShutdown();
      server.close();
      server.closeIdleConnections();
      const drained = await service.drain(drainMs);
      if (!drained) {
        service.abandonPending();
        await service.drainAnswers(FLUSH_MS);
      }
      server.closeAllConnections();
      await withTimeout(closed, FLUSH_MS, "the HTTP server").catch(() => undefined);
      return { drained };
    },
  };
}
