/**
 * The compile worker: a node:worker_threads thread that compiles the project and plans a run, so
 * that the server's event loop keeps answering (`/healthz`, other deliveries) while @dataform/core
 * evaluates the project synchronously (150-300 ms a compile, more on a loaded machine). A run is
 * compiled per delivery because its date is a compilation var. Started by planner.ts; one request
 * at a time, in arrival order.
 */
import fs from "node:fs";
import { parentPort } from "node:worker_threads";
import { planForWindow } from "../execution/run.ts";
import { RunnerError } from "../errors.ts";
import { COMPILE_GATE_ENV, COMPILE_GATE_MAX_WAIT_MS, type PlanReply, type PlanRequest, type SerializedError } from "./planner.ts";

function serialize(error: unknown): SerializedError {
  if (error instanceof RunnerError) {
    return { name: error.name, message: error.message, code: error.code, exitCode: error.exitCode, suggestion: error.suggestion };
  }
  return { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) };
}

/**
 * Test hook: with the variable set to a file path, every compile first blocks this thread (as a
 * long compile would) until that file exists, at most COMPILE_GATE_MAX_WAIT_MS. Lets a test ask
 * the server something while a run's compile is provably still in progress.
 */
function waitForGate(): void {
  const file = process.env[COMPILE_GATE_ENV];
  if (!file) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + COMPILE_GATE_MAX_WAIT_MS;
  while (!fs.existsSync(file) && Date.now() < until) Atomics.wait(cell, 0, 0, 20);
}

parentPort?.on("message", (request: PlanRequest) => {
  let reply: PlanReply;
  try {
    waitForGate();
    const plan = planForWindow({ projectDir: request.projectDir, selection: request.selection, vars: request.vars, overrides: request.overrides }, request.window);
    reply = { id: request.id, ok: true, plan };
  } catch (error) {
    reply = { id: request.id, ok: false, error: serialize(error) };
  }
  try {
    parentPort?.postMessage(reply);
  } catch (error) {
    // A plan that cannot be copied to the server thread: answered as an error, never left waiting.
    parentPort?.postMessage({ id: request.id, ok: false, error: serialize(error) } satisfies PlanReply);
  }
});
