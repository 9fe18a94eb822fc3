/**
 * End-to-end harness for `runner serve`: spawns the real server on a loopback port against a warehouse
 * file, sends real HTTP requests, and stops it with SIGTERM (DuckDB allows one process per file, so
 * the test reads the warehouse only once the server is gone).
 */
import { spawn, type ChildProcess } from "node:child_process";
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
    post: async (body, headers = {}, route = "/") =>
      reply(
        await fetch(`${url}${route}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: typeof body === "string" || body instanceof Buffer ? body : JSON.stringify(body),
        }),
      ),
    get: async (route) => reply(await fetch(`${url}${route}`)),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export const GAMEBOOK = "nba_raw.nbac_gamebook_player_stats";

/** A Phase 2 completion message as Pub/Sub pushes it. */
export function pushMessage(
  gameDate: string,
  messageId: string,
  data: Record<string, unknown> = {},
  options: { deliveryAttempt?: number } = {},
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
