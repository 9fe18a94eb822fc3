/**
 * The HTTP side of `runner serve`: routes, body limit, trace context, graceful shutdown. What a
 * delivery means is decided in service.ts.
 *
 * Built on node's own `http` module rather than a framework: fastify 5's dependency tree needs
 * Node 22 on this machine while the runner targets Node 20, and the server needs only four routes,
 * a body limit and a drain on shutdown, which `http` gives without a dependency.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describeError } from "../errors.ts";
import type { Engine } from "../engines/engine.ts";
import type { Logger } from "../log.ts";
import type { DeliveryService } from "./service.ts";

/** Push bodies are small JSON (a Phase 2 message is < 1 KB); anything near this is not one. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A body over the limit is read and discarded (so the client sees the 413) up to this many bytes. */
const DISCARD_LIMIT = 64 * 1024 * 1024;
/** How long /readyz waits for the warehouse. */
const READY_TIMEOUT_MS = 5_000;
/** After a drain that timed out: how long the 500 answers of abandoned deliveries get to go out. */
const FLUSH_MS = 2_000;

export const DELIVERY_PATHS = new Set(["/", "/process"]);

export interface ServerOptions {
  service: DeliveryService;
  engine: Engine;
  host: string;
  port: number;
  bodyLimit?: number;
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

function readBody(request: http.IncomingMessage, limit: number): Promise<Body | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let kept = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > DISCARD_LIMIT) {
        // Not a push delivery; stop reading rather than stream it to nowhere.
        request.destroy();
        return;
      }
      if (kept < limit) {
        const part = chunk.subarray(0, limit - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    request.on("end", () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }));
    request.on("error", () => resolve(undefined));
    request.on("close", () => resolve(undefined));
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

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { service, engine, log } = options;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const receivedAt = new Date();
    const path = new URL(request.url ?? "/", "http://server").pathname;
    const { trace, fields } = traceFields(request.headers["x-cloud-trace-context"]?.toString(), options.traceProject);
    const requestLog = log.child(fields);
    const closing: Record<string, string> = service.shuttingDown ? { Connection: "close" } : {};

    if (path === "/healthz" || path === "/readyz") {
      if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, { status: "method_not_allowed" }, { Allow: "GET, HEAD" });
      if (path === "/healthz") return send(response, 200, { status: "ok" }, closing);
      if (service.shuttingDown) return send(response, 503, { status: "shutting_down" }, closing);
      try {
        await withTimeout(engine.query("SELECT 1 AS ok"), READY_TIMEOUT_MS, "the warehouse");
        return send(response, 200, { status: "ready", engine: engine.name, ...service.busy });
      } catch (error) {
        requestLog.warn(`Not ready: ${describeError(error)}`);
        return send(response, 503, { status: "not_ready", reason: describeError(error) });
      }
    }
    if (!DELIVERY_PATHS.has(path)) return send(response, 404, { status: "not_found", reason: `no route ${path}; deliveries go to POST / or POST /process` });
    if (request.method !== "POST") return send(response, 405, { status: "method_not_allowed", reason: "deliveries are POSTed" }, { Allow: "POST" });

    const read = await readBody(request, bodyLimit);
    if (!read) return; // the client went away
    const result = await service.handle({
      body: read.body,
      tooLarge: read.tooLarge,
      bodyLimit,
      authorization: request.headers.authorization,
      trace,
      receivedAt,
      log: requestLog,
    });
    send(response, result.status, result.body, { ...result.headers, ...(service.shuttingDown ? { Connection: "close" } : {}) });
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error(`Unhandled error answering ${request.method} ${request.url}: ${describeError(error)}`);
      send(response, 500, { status: "error", reason: describeError(error) }, { "Retry-After": "60" });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
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
