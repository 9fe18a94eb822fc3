/**
 * The NBA.com stats API envelope shared by its resources (leaguegamelog, boxscore...):
 * `{resource, parameters, resultSets: [{name, headers[], rowSet[][]}]}`. Rows are read by header
 * name, so a problem is reported as `resultSets[0].rowSet[12].MIN`, not by column number.
 */
import { z } from "zod";
import { count, ProblemList, show, signedInt } from "../problems.ts";
import type { RawRow } from "../rows.ts";

/**
 * The counting columns of a player line in the stats API (boxscore PlayerStats, leaguegamelog),
 * but turnovers, which the two resources name differently (TO, TOV).
 */
export const PLAYER_COUNTS = {
  FGM: count,
  FGA: count,
  FG3M: count,
  FG3A: count,
  FTM: count,
  FTA: count,
  OREB: count,
  DREB: count,
  REB: count,
  AST: count,
  STL: count,
  BLK: count,
  PF: count,
  PTS: count,
  PLUS_MINUS: signedInt,
};

type PlayerCounts = { [K in keyof typeof PLAYER_COUNTS]: z.infer<(typeof PLAYER_COUNTS)[K]> };

/** A stats API player line as box-score columns of nbac_player_boxscores (gamebook naming). */
export function playerStatColumns(line: PlayerCounts, turnovers: number | null): RawRow {
  return {
    points: line.PTS,
    field_goals_made: line.FGM,
    field_goals_attempted: line.FGA,
    three_pointers_made: line.FG3M,
    three_pointers_attempted: line.FG3A,
    free_throws_made: line.FTM,
    free_throws_attempted: line.FTA,
    offensive_rebounds: line.OREB,
    defensive_rebounds: line.DREB,
    total_rebounds: line.REB,
    assists: line.AST,
    steals: line.STL,
    blocks: line.BLK,
    turnovers,
    personal_fouls: line.PF,
    plus_minus: line.PLUS_MINUS,
  };
}

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
