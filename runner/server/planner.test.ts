import { describe, expect, it } from "vitest";
import { BadInputError, NotReadyError, RunnerError } from "../errors.ts";
import { reviveError } from "./planner.ts";

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
