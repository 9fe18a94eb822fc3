/**
 * Problems found in a payload, each at a position a person can find in the file
 * (`data[3].home_team.players[5].min`), with a reason that says what was expected and what was
 * there. Parsers collect every problem of a file instead of stopping at the first.
 */
import { z } from "zod";
import { isCalendarDate } from "../dates.ts";

export interface Problem {
  /** Where in the payload, e.g. `data[3].home_team.players[5].min`; "" for the whole payload. */
  path: string;
  reason: string;
}

/** Thrown by a parser when the payload does not fit its format; the loader adds the file name. */
export class PayloadProblems extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((problem) => (problem.path ? `${problem.path}: ${problem.reason}` : problem.reason)).join("\n"));
    this.name = "PayloadProblems";
  }
}

export type PathSegment = string | number;

/** `["data", 3, "min"]` -> `data[3].min`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of segments) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** A short rendering of an offending value for a message. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/** Zod's defaults, reworded as "expected X, got Y" with the value that was there. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${show(issue.input)}`;
  }
  if (issue.code === "too_small" && issue.origin === "number") return `expected at least ${String(issue.minimum)}, got ${show(issue.input)}`;
  if (issue.code === "invalid_value") return `expected ${issue.values.map((value) => show(value)).join(" or ")}, got ${show(issue.input)}`;
  return undefined;
};

/** Collects problems under a common prefix, then throws them all at once. */
export class ProblemList {
  readonly problems: Problem[] = [];

  add(segments: readonly PathSegment[], reason: string): void {
    this.problems.push({ path: formatPath(segments), reason });
  }

  /** Validates `value` with `schema`; problems are recorded under `prefix`, and undefined returned. */
  parse<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PathSegment[] = []): T | undefined {
    const result = schema.safeParse(value, { error: errorMap });
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      this.problems.push({ path: formatPath([...prefix, ...issue.path]), reason: issue.message });
    }
    return undefined;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new PayloadProblems(this.problems);
  }
}

// Field schemas shared by the formats, with messages that name what a valid value looks like.

/** A count: a non-negative whole number, or null where the source leaves it empty. */
export const count = z.number().int().min(0).nullable();

/** A signed whole number (plus/minus), or null. */
export const signedInt = z.number().int().nullable();

/** "YYYY-MM-DD", or a timestamp starting with one ("2024-01-15T00:00:00Z"): the date part. */
export const dateLike = z
  .string()
  .refine((value) => isCalendarDate(value.slice(0, 10)) && (value.length === 10 || value[10] === "T"), {
    error: (issue) => `expected a date like "2025-01-15", got ${show(issue.input)}`,
  })
  .transform((value) => value.slice(0, 10));

/** NBA.com numeric game id, e.g. "0022400561". */
export const nbaGameId = z.string().regex(/^\d{10}$/, {
  error: (issue) => `expected a 10-digit NBA.com game id like "0022400561", got ${show(issue.input)}`,
});
