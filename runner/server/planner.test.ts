import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError, NotReadyError, RunnerError } from "../errors.ts";
import { Logger, type LogEntry } from "../log.ts";
import type { Plan } from "../plan/plan.ts";
import { bundledWorkerEntry, orOnThisThread, reviveError } from "./planner.ts";

describe("reviveError (errors of the compile worker)", () => {
  it("keeps a typed refusal typed, so that it is still answered 200 failed, not 500", () => {
    const revived = reviveError({ name: "CompilationError", message: "compilation failed: x", code: "compilation_failed", exitCode: 2, suggestion: "Fix it." });
    expect(revived).toBeInstanceOf(BadInputError);
    expect(revived).toMatchObject({ code: "compilation_failed", message: "compilation failed: x", suggestion: "Fix it." });
    expect(reviveError({ name: "NotReadyError", message: "later", code: "busy", exitCode: 75 })).toBeInstanceOf(NotReadyError);
  });

  it("leaves an unexpected error untyped (500, retried)", () => {
    const revived = reviveError({ name: "TypeError", message: "boom" });
    expect(revived).not.toBeInstanceOf(RunnerError);
    expect(revived).toMatchObject({ name: "TypeError", message: "boom" });
  });
});

describe("bundledWorkerEntry (which worker the planner starts)", () => {
  const dir = (files: string[]) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-entry-"));
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), "");
    }
    return root;
  };

  it("is the bundle's compile_worker.cjs from dist/", () => {
    const root = dir(["dist/compile_worker.cjs", "dist/runner.cjs"]);
    expect(bundledWorkerEntry(path.join(root, "dist"))).toBe(path.join(root, "dist", "compile_worker.cjs"));
  });

  it("is none from the sources (compile_worker.ts next to the planner), nor where no bundle was built", () => {
    const root = dir(["runner/server/compile_worker.ts", "runner/compile_worker.cjs", "elsewhere/a.cjs"]);
    expect(bundledWorkerEntry(path.join(root, "runner", "server"))).toBeUndefined();
    expect(bundledWorkerEntry(path.join(root, "elsewhere"))).toBeUndefined();
  });
});

describe("orOnThisThread (a range's plans from the compile worker)", () => {
  const plan = { levels: [], size: 0 } as unknown as Plan;

  it("compiles on this thread, with a warning, when the worker itself failed", async () => {
    const logged: LogEntry[] = [];
    const planned = await orOnThisThread(Promise.reject(new Error("the compile worker stopped: exit code 1")), () => plan, new Logger({}, (entry) => logged.push(entry)), "2025-01-15");
    expect(planned).toBe(plan);
    expect(logged.map((entry) => [entry.severity, entry.message])).toEqual([
      ["WARNING", "The compile worker could not plan 2025-01-15 (the compile worker stopped: exit code 1): compiled on the main thread instead"],
    ]);
  });

  it("throws the project's own refusal as it is, without compiling again", async () => {
    let compiled = false;
    const refusal = new BadInputError("compilation_failed", "compilation failed: definitions/x.sqlx");
    const planned = orOnThisThread(
      Promise.reject(refusal),
      () => {
        compiled = true;
        return plan;
      },
      new Logger({}, () => {}),
      "2025-01-15",
    );
    await expect(planned).rejects.toBe(refusal);
    expect(compiled).toBe(false);
  });
});
