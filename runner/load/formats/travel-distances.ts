/**
 * The reference table of travel distances (CSV `from_team,to_team,from_city,to_city,
 * distance_miles,time_zones_crossed,travel_direction,jet_lag_factor`, the original platform's
 * nba_static.travel_distances) → nba_static.travel_distances: one row per ordered pair of arenas.
 * It is one snapshot of reference data, so a load replaces the whole table (detect.ts). Team codes
 * must be NBA tricodes (variants mapped), each ordered pair once, never a team to itself.
 */
import { z } from "zod";
import { toTricode } from "../../nba/teams.ts";
import { CsvTable } from "../csv.ts";
import { ProblemList, show } from "../problems.ts";
import { metaColumns, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const TRAVEL_DISTANCES_TABLES = ["travel_distances"] as const;

const REQUIRED_COLUMNS = ["from_team", "to_team", "distance_miles"] as const;

const wholeNumber = z.string().regex(/^\d+$/, { error: (issue) => `expected a whole number of miles like "936", got ${show(issue.input)}` });
const optionalWholeNumber = z.string().regex(/^\d*$/, { error: (issue) => `expected a whole number, got ${show(issue.input)}` });
const optionalNumber = z.string().regex(/^(-?\d+(\.\d+)?)?$/, { error: (issue) => `expected a number like "1.5", got ${show(issue.input)}` });

const Row = z.object({
  from_team: z.string().min(1),
  to_team: z.string().min(1),
  from_city: z.string().optional(),
  to_city: z.string().optional(),
  distance_miles: wholeNumber,
  time_zones_crossed: optionalWholeNumber.optional(),
  travel_direction: z
    .string()
    .regex(/^(east|west|neutral)?$/, { error: (issue) => `expected east, west or neutral, got ${show(issue.input)}` })
    .optional(),
  jet_lag_factor: optionalNumber.optional(),
});

/** The travel-distance CSV: a header with from_team, to_team and distance_miles. */
export function looksLikeTravelDistances(payload: unknown): boolean {
  return payload instanceof CsvTable && REQUIRED_COLUMNS.every((column) => payload.header.includes(column));
}

const orNull = (value: string | undefined) => (value === undefined || value === "" ? null : value);
const numberOrNull = (value: string | undefined) => (value === undefined || value === "" ? null : Number(value));

export function parseTravelDistances(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  if (!(payload instanceof CsvTable)) {
    problems.add([], "expected a CSV file with a header line");
    problems.throwIfAny();
    return { travel_distances: [] };
  }
  const missing = REQUIRED_COLUMNS.filter((column) => !payload.header.includes(column));
  if (missing.length > 0) problems.add(["line 1"], `the header has no column ${missing.join(", ")}`);
  problems.throwIfAny();
  const seen = new Map<string, number>();
  const rows: RawRow[] = [];
  for (const record of payload.records) {
    const at = `line ${record.line}`;
    const fields = Object.fromEntries(payload.header.map((name, index) => [name, record.fields[index] ?? ""]));
    const row = problems.parse(Row, fields, [at]);
    if (!row) continue;
    const from = toTricode(row.from_team);
    const to = toTricode(row.to_team);
    if (!from) problems.add([at, "from_team"], `not an NBA team code: ${show(row.from_team)}`);
    if (!to) problems.add([at, "to_team"], `not an NBA team code: ${show(row.to_team)}`);
    if (!from || !to) continue;
    if (from === to) {
      problems.add([at], `a distance from ${from} to itself`);
      continue;
    }
    const earlier = seen.get(`${from}-${to}`);
    if (earlier !== undefined) {
      problems.add([at], `${from} to ${to} already appears on line ${earlier}`);
      continue;
    }
    seen.set(`${from}-${to}`, record.line);
    rows.push({
      from_team: from,
      to_team: to,
      from_city: orNull(row.from_city),
      to_city: orNull(row.to_city),
      distance_miles: Number(row.distance_miles),
      time_zones_crossed: numberOrNull(row.time_zones_crossed),
      travel_direction: orNull(row.travel_direction),
      jet_lag_factor: numberOrNull(row.jet_lag_factor),
      ...metaColumns(meta),
    });
  }
  problems.throwIfAny();
  return { travel_distances: rows };
}
