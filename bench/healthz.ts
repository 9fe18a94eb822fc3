/**
 * `runner serve` under deliveries, for the bench: starts the real server on a loopback port,
 * answers one delivery to warm it up, then posts one delivery per date, one after the other,
 * timing each answer, while asking /healthz every 10 ms (issue 12: compiling once froze the event
 * loop, /healthz took up to 968 ms during a push). Targets (issue 13): the median delivery answered
 * within 0.4 s warm; the slowest /healthz answer within 100 ms. Figures for the bench, not a timed test.
 */
import { spawn } from "node:child_process";

export interface DeliveryTiming {
  gameDate: string;
  ms: number;
  status: string;
}

export interface ServeUnderDeliveries {
  deliveries: DeliveryTiming[];
  healthz: { samples: number; maxMs: number; p99Ms: number };
}

const LISTENING = /listening on (http:\/\/[^\s]+)/;

/** A Pub/Sub push of "the gamebook of `date` is loaded": the run of that date's models and their gates. */
function envelope(date: string, messageId: string): string {
  const data = { output_table: "nba_raw.nbac_gamebook_player_stats", game_date: date, status: "success" };
  return JSON.stringify({ message: { data: Buffer.from(JSON.stringify(data)).toString("base64"), messageId }, subscription: "projects/bench/subscriptions/bench" });
}

async function deliver(url: string, date: string, index: number): Promise<DeliveryTiming> {
  const started = performance.now();
  const response = await fetch(`${url}/process`, { method: "POST", headers: { "Content-Type": "application/json" }, body: envelope(date, `bench-${Date.now()}-${index}`) });
  const body = (await response.json()) as { status?: string };
  return { gameDate: date, ms: performance.now() - started, status: `${response.status} ${body.status ?? "?"}` };
}

/** `runner` is the CLI entry point to start (bin/runner.js, or the bench's copy of the bundle); `env` is added to its environment. */
export async function serveUnderDeliveries(
  runner: string,
  root: string,
  warehouse: string,
  warmUpDate: string,
  dates: string[],
  env: Record<string, string> = {},
): Promise<ServeUnderDeliveries> {
  const child = spawn(process.execPath, [runner, "serve", "--port", "0", "--host", "127.0.0.1", "--warehouse", warehouse], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr.resume();
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error("runner serve did not start within 60 s")), 60_000);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = LISTENING.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once("exit", (code) => reject(new Error(`runner serve exited with ${code}`)));
    });
    await fetch(`${url}/healthz`).then((response) => response.text());
    await deliver(url, warmUpDate, -1);

    let done = false;
    const deliveries = (async () => {
      const timings: DeliveryTiming[] = [];
      for (const [index, date] of dates.entries()) timings.push(await deliver(url, date, index));
      done = true;
      return timings;
    })();
    const latencies: number[] = [];
    while (!done && latencies.length < 1_000_000) {
      const started = performance.now();
      await fetch(`${url}/healthz`).then((response) => response.text());
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const timings = await deliveries;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      deliveries: timings,
      healthz: {
        samples: sorted.length,
        maxMs: sorted.at(-1) ?? 0,
        p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
      },
    };
  } finally {
    // The server holds the warehouse file until it exits.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }
}
