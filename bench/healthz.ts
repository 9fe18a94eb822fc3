/**
 * `/healthz` latency while `runner serve` compiles and runs a delivery (issue 12: compiling once
 * froze the event loop, /healthz took up to 968 ms during a push). Starts the real server on a
 * loopback port, posts one delivery, and asks /healthz every 10 ms until the delivery is answered.
 * Target: the slowest /healthz answer within 100 ms. A figure for the bench, not a timed test.
 */
import { spawn } from "node:child_process";
import path from "node:path";

export interface HealthzDuringPush {
  samples: number;
  maxMs: number;
  p99Ms: number;
  deliveryStatus: string;
}

const LISTENING = /listening on (http:\/\/[^\s]+)/;

function envelope(date: string, messageId: string): string {
  // backfill_mode: the run goes through every level whatever the gates say (what is timed is the run, not its data).
  const data = { output_table: "nba_raw.nbac_gamebook_player_stats", game_date: date, status: "success", backfill_mode: true };
  return JSON.stringify({ message: { data: Buffer.from(JSON.stringify(data)).toString("base64"), messageId }, subscription: "projects/bench/subscriptions/bench" });
}

export async function healthzDuringPush(root: string, warehouse: string, date: string): Promise<HealthzDuringPush> {
  const child = spawn(process.execPath, [path.join(root, "bin", "runner.js"), "serve", "--port", "0", "--host", "127.0.0.1", "--warehouse", warehouse], {
    cwd: root,
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
    // One warm-up probe, so that the first sample does not include opening the connection.
    await fetch(`${url}/healthz`).then((response) => response.text());
    let answered: string | undefined;
    const delivery = fetch(`${url}/process`, { method: "POST", headers: { "Content-Type": "application/json" }, body: envelope(date, `bench-${Date.now()}`) })
      .then(async (response) => `${response.status} ${((await response.json()) as { status?: string }).status}`)
      .then((status) => (answered = status));
    const latencies: number[] = [];
    while (answered === undefined && latencies.length < 100_000) {
      const started = performance.now();
      await fetch(`${url}/healthz`).then((response) => response.text());
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await delivery;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      samples: sorted.length,
      maxMs: sorted.at(-1) ?? 0,
      p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
      deliveryStatus: answered ?? "unanswered",
    };
  } finally {
    child.kill("SIGTERM");
  }
}
