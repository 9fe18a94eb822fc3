/**
 * The NBA.com stats API envelope shared by its resources (leaguegamelog, boxscore...):
 * `{resource, parameters, resultSets: [{name, headers[], rowSet[][]}]}`. Rows are read by header
 * name, so a problem is reported as `resultSets[0].rowSet[12].MIN`, not by column number.
 */
import { z } from "zod";
import { ProblemList, show } from "../problems.ts";

const ResultSet = z.object({
  name: z.string(),
  headers: z.array(z.string()),
  rowSet: z.array(z.array(z.unknown())),
});

export const StatsEnvelope = z.object({
  resource: z.string().optional(),
  resultSets: z.array(ResultSet),
});
export type StatsEnvelope = z.infer<typeof StatsEnvelope>;

/** Whether `payload` is a stats API envelope; `resource` and the result set names say which. */
export function statsEnvelopeOf(payload: unknown): { resource: string | undefined; names: string[] } | undefined {
  if (typeof payload !== "object" || payload === null || !("resultSets" in payload) || !Array.isArray(payload.resultSets)) return undefined;
  const resource = "resource" in payload && typeof payload.resource === "string" ? payload.resource : undefined;
  const names = payload.resultSets.map((set: unknown) =>
    typeof set === "object" && set !== null && "name" in set && typeof set.name === "string" ? set.name : "",
  );
  return { resource, names };
}

export interface SetRow<T> {
  /** Position of the row in its rowSet. */
  index: number;
  value: T;
}

/**
 * The rows of one result set (found by name, or by position when `name` is a number), each
 * turned into an object keyed by header and validated with `rowSchema`. Problems (missing set or
 * headers, short rows, invalid values) go to `problems`; only valid rows are returned.
 */
export function readResultSet<T>(
  problems: ProblemList,
  envelope: StatsEnvelope,
  name: string | number,
  requiredHeaders: readonly string[],
  rowSchema: z.ZodType<T>,
): SetRow<T>[] {
  const setIndex = typeof name === "number" ? name : envelope.resultSets.findIndex((set) => set.name === name);
  const set = envelope.resultSets[setIndex];
  if (!set) {
    const present = envelope.resultSets.map((candidate) => candidate.name).join(", ") || "none";
    problems.add(["resultSets"], `no result set ${typeof name === "number" ? `at position ${name}` : show(name)} (present: ${present})`);
    return [];
  }
  const missing = requiredHeaders.filter((header) => !set.headers.includes(header));
  if (missing.length > 0) {
    problems.add(["resultSets", setIndex, "headers"], `missing ${missing.join(", ")}`);
    return [];
  }
  const rows: SetRow<T>[] = [];
  set.rowSet.forEach((values, index) => {
    const at = ["resultSets", setIndex, "rowSet", index];
    if (values.length !== set.headers.length) {
      problems.add(at, `expected ${set.headers.length} values (one per header), got ${values.length}`);
      return;
    }
    const record = Object.fromEntries(set.headers.map((header, column) => [header, values[column]]));
    const value = problems.parse(rowSchema, record, at);
    if (value !== undefined) rows.push({ index, value });
  });
  return rows;
}

/** "MM:SS" as the boxscore prints it; older seasons print "MM.000000:SS", normalised here. */
export const clockMinutes = z
  .string()
  .regex(/^\d{1,3}(\.0+)?:[0-5]\d$/, { error: (issue) => `expected minutes like "34:12", got ${show(issue.input)}` })
  .transform((value) => value.replace(/\.0+:/, ":"));
