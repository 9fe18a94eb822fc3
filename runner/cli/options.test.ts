import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BadInputError } from "../errors.ts";
import { parseOptions, splitVars, wholeNumberFlag } from "./options.ts";

describe("splitVars (--vars=a=b,c=d)", () => {
  it("splits on commas that start a new name=", () => {
    expect(splitVars("a=1,b_2=x")).toEqual(["a=1", "b_2=x"]);
  });
  it("keeps a comma inside a value", () => {
    expect(splitVars("teams=LAL,BOS,as_of_date=2025-01-16")).toEqual(["teams=LAL,BOS", "as_of_date=2025-01-16"]);
  });
});

describe("parseOptions", () => {
  const schema = z.object({ startDate: z.string().optional(), concurrency: wholeNumberFlag() });

  it("returns the typed options", () => {
    expect(parseOptions(schema, { concurrency: "4" }, "run")).toEqual({ concurrency: 4 });
  });

  it("names each bad flag as it is typed, exit 2", () => {
    let caught: unknown;
    try {
      parseOptions(schema, { startDate: 5, concurrency: "0" }, "run");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BadInputError);
    const error = caught as BadInputError;
    expect(error.exitCode).toBe(2);
    expect(error.message.split("\n")).toEqual([expect.stringMatching(/^--start-date: /), '--concurrency: must be a whole number of at least 1, got "0"']);
    expect(error.suggestion).toBe("See runner run --help.");
  });
});
