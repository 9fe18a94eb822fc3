import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError, NotReadyError, RunnerError } from "../errors.ts";
import { bundledWorkerEntry, reviveError } from "./planner.ts";

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

  it("is the bundle's compile_worker.mjs from dist/ or dist/chunks/", () => {
    const root = dir(["dist/compile_worker.mjs", "dist/chunks/chunk-A.mjs"]);
    expect(bundledWorkerEntry(path.join(root, "dist", "chunks"))).toBe(path.join(root, "dist", "compile_worker.mjs"));
    expect(bundledWorkerEntry(path.join(root, "dist"))).toBe(path.join(root, "dist", "compile_worker.mjs"));
  });

  it("is none from the sources (compile_worker.ts next to the planner), nor where no bundle was built", () => {
    const root = dir(["runner/server/compile_worker.ts", "runner/compile_worker.mjs", "elsewhere/a.mjs"]);
    expect(bundledWorkerEntry(path.join(root, "runner", "server"))).toBeUndefined();
    expect(bundledWorkerEntry(path.join(root, "elsewhere"))).toBeUndefined();
  });
});
