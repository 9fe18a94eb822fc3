/**
 * Compiles and plans the runs of `runner serve` off the event loop, in one worker thread
 * (compile_worker.ts). @dataform/core compiles synchronously: on the server's own thread a compile
 * froze every other request (/healthz took up to 968 ms during a push). The worker lives as long
 * as the server and takes one compile at a time; a worker that dies fails the compiles it had
 * (500 error, Pub/Sub retries) and the next compile starts a new one.
 *
 * From the bundle the worker starts from its own entry, dist/compile_worker.cjs (a bundle of its
 * own, built with the CLI's); from the sources it runs compile_worker.ts through tsx.
 *
 * `runner run` over a range compiles in one too (rangePlanner below): each next date while the
 * current one runs.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BadInputError, DataFailureError, ExitCode, NotReadyError, RunnerError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Plan, Selection } from "../plan/plan.ts";
import type { ProjectOverrides } from "../compile/compile.ts";
import { planForWindow } from "../execution/run.ts";
import { Counters } from "./metrics.ts";

/** Test-only: a file path; each compile in the worker waits until it exists (see compile_worker.ts). */
export const COMPILE_GATE_ENV = "RUNNER_SERVE_TEST_COMPILE_GATE";
export const COMPILE_GATE_MAX_WAIT_MS = 30_000;

export interface PlanRequest {
  id: number;
  projectDir: string | undefined;
  selection: Selection;
  vars: Record<string, string>;
  /** --schema-suffix / --default-database of the server. */
  overrides?: ProjectOverrides | undefined;
  window: { start: string; end: string };
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  exitCode?: number;
  suggestion?: string | undefined;
}

export type PlanReply = { id: number; ok: true; plan: Plan } | { id: number; ok: false; error: SerializedError };

/** What the delivery service needs: a plan for a window, and how many compiles are in progress. */
export interface Planner {
  plan(request: Omit<PlanRequest, "id">): Promise<Plan>;
  readonly inProgress: number;
  close(): Promise<void>;
}

/** The typed error the worker threw, so that a refusal (bad vars, a compilation error) stays one (200 failed). */
export function reviveError(error: SerializedError): Error {
  if (error.code !== undefined && error.exitCode !== undefined) {
    const options = { suggestion: error.suggestion };
    switch (error.exitCode) {
      case ExitCode.badInput:
        return new BadInputError(error.code, error.message, options);
      case ExitCode.notReady:
        return new NotReadyError(error.code, error.message, options);
      case ExitCode.dataFailure:
        return new DataFailureError(error.code, error.message, options);
      default:
        return new RunnerError(error.code, error.exitCode as ExitCode, error.message, options);
    }
  }
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/**
 * The bundle's worker entry when this module runs from the bundle (dist/), else undefined: the
 * sources' worker is compile_worker.ts next to this file.
 */
export function bundledWorkerEntry(here = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  if (fs.existsSync(path.join(here, "compile_worker.ts"))) return undefined;
  const candidate = path.join(here, "compile_worker.cjs");
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** compile_worker.ts: next to this file (sources) or under runner/server/ above dist/. */
function sourceWorkerEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, "compile_worker.ts"), path.join(dir, "runner", "server", "compile_worker.ts")]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find runner/server/compile_worker.ts above ${here}`);
  }
}

/** The sources' worker's first module: registers tsx, then loads the TypeScript entry. */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsx)
  .then(({ register }) => { register(); return import(workerData.entry); })
  .catch((error) => setImmediate(() => { throw error; }));
`;

function startWorker(): Worker {
  const bundled = bundledWorkerEntry();
  if (bundled) return new Worker(pathToFileURL(bundled));
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { tsx: import.meta.resolve("tsx/esm/api"), entry: pathToFileURL(sourceWorkerEntry()).href },
  });
}

interface Pending {
  resolve: (plan: Plan) => void;
  reject: (error: Error) => void;
}

export class WorkerPlanner implements Planner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {}

  get inProgress(): number {
    return this.pending.size;
  }

  /** Starts the worker now, so that the first delivery does not wait for it to load. */
  start(): void {
    this.ensureWorker();
  }

  plan(request: Omit<PlanRequest, "id">): Promise<Plan> {
    if (this.closed) return Promise.reject(new Error("the compile worker is stopped"));
    const id = this.nextId++;
    this.counters.compiles.started += 1;
    const started = Date.now();
    const worker = this.ensureWorker();
    return new Promise<Plan>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (plan) => {
          this.counters.compiles.completed += 1;
          this.log.info(`Compiled and planned ${request.window.start} in ${Date.now() - started} ms (compile worker)`, { compile_ms: Date.now() - started });
          resolve(plan);
        },
        reject: (error) => {
          this.counters.compiles.failed += 1;
          reject(error);
        },
      });
      worker.postMessage({ ...request, id } satisfies PlanRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error("the compile worker was stopped (server shutting down)"));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    // The server's own lifetime decides when the process ends, not an idle worker.
    worker.unref();
    worker.on("message", (reply: PlanReply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      this.pending.delete(reply.id);
      if (reply.ok) entry.resolve(reply.plan);
      else entry.reject(reviveError(reply.error));
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.closed) return;
      this.log.error(`The compile worker stopped (${why}); its ${this.pending.size} compile(s) fail, the next starts a new worker`);
      this.failAll(new Error(`the compile worker stopped: ${why}`));
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error);
  }
}

/**
 * `runner run`'s compile worker over a range, from the bundle: the run asks it for each next
 * date's plan while the current date runs (RunOptions.planWindow). Undefined from the sources,
 * where a worker would first have to load tsx, and for one window, which it could not speed up
 * (a cold worker compiles slower than the main thread, which has the code loaded already).
 */
export function rangePlanner(request: Omit<PlanRequest, "id" | "window">, windows: number, log: Logger): RangePlanner | undefined {
  if (windows < 2 || !bundledWorkerEntry()) return undefined;
  const planner = new WorkerPlanner(new Counters(), log);
  planner.start();
  return {
    planWindow: (window) =>
      orOnThisThread(
        planner.plan({ ...request, window: { start: window.start, end: window.end } }),
        () => planForWindow(request, window),
        log,
        window.start,
      ),
    close: () => planner.close(),
  };
}

export interface RangePlanner {
  planWindow(window: { start: string; end: string }): Promise<Plan>;
  close(): Promise<void>;
}

/**
 * The worker's plan; when the worker itself failed (it died, its plan could not be copied), the
 * same plan compiled on this thread, with a warning. The project's own refusal (bad vars, a
 * compilation error) is thrown as it is: this thread would refuse it the same way.
 */
export async function orOnThisThread(asked: Promise<Plan>, onThisThread: () => Plan, log: Logger, date: string): Promise<Plan> {
  try {
    return await asked;
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    log.warn(`The compile worker could not plan ${date} (${error instanceof Error ? error.message : String(error)}): compiled on the main thread instead`);
    return onThisThread();
  }
}
