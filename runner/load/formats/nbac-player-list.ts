/**
 * NBA.com stats `playerindex` (result set PlayerIndex) → nba_raw.nbac_player_list: one row per
 * player of a season's index, mapping NBA.com person ids (the play-by-play `personId`) to full
 * names and player lookups. The season is the envelope's `parameters.Season` ("2025-26" → 2025);
 * a payload without it is refused, since an index of another season would silently attach players
 * to the wrong teams. A player without a team (TEAM_ABBREVIATION empty, a free agent) keeps a NULL
 * team_abbr. Reference data, but per file: reloading a file replaces its rows (the loader's default).
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { readResultSet, StatsEnvelope, statsEnvelopeOf } from "./stats-api.ts";

export const NBAC_PLAYER_LIST_TABLES = ["nbac_player_list"] as const;

/** Empty text as NBA.com prints a missing value ("" or null) becomes NULL. */
const optionalText = z
  .union([z.string(), z.number()])
  .nullable()
  .transform((value) => (value === null || String(value).trim() === "" ? null : String(value).trim()));

const Row = z.object({
  PERSON_ID: z.number().int().positive(),
  PLAYER_LAST_NAME: z.string(),
  PLAYER_FIRST_NAME: z.string().nullable(),
  TEAM_ABBREVIATION: z.string().nullable(),
  JERSEY_NUMBER: optionalText,
  POSITION: optionalText,
  // 1.0 / 0.0 in the payload.
  ROSTER_STATUS: z
    .number()
    .refine((value) => value === 0 || value === 1, { error: (issue) => `expected 1 (on a roster) or 0, got ${show(issue.input)}` })
    .nullable(),
});
const HEADERS = Object.keys(Row.shape);

const Parameters = z.object({
  Season: z
    .string({ error: (issue) => (issue.input === undefined ? "missing: the season of the index (e.g. \"2025-26\") cannot be known" : `expected a season like "2025-26", got ${show(issue.input)}`) })
    .refine((value) => /^\d{4}-\d{2}$/.test(value) && (Number(value.slice(0, 4)) + 1) % 100 === Number(value.slice(5)), {
      error: (issue) => `expected a season like "2025-26", got ${show(issue.input)}`,
    }),
});

const Payload = StatsEnvelope.extend({
  parameters: z.looseObject({}, { error: "missing: the envelope's parameters name the season of the index" }),
});

/** A stats API envelope whose resource (or first result set) is the player index. */
export function looksLikeNbacPlayerList(payload: unknown): boolean {
  const envelope = statsEnvelopeOf(payload);
  return envelope !== undefined && (envelope.resource === "playerindex" || envelope.names[0] === "PlayerIndex");
}

export function parseNbacPlayerList(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const envelope = problems.parse(Payload, payload);
  const parameters = envelope ? problems.parse(Parameters, envelope.parameters, ["parameters"]) : undefined;
  problems.throwIfAny();
  if (!envelope || !parameters) return {};
  const seasonYear = Number(parameters.Season.slice(0, 4));
  const setIndex = envelope.resultSets.findIndex((set) => set.name === "PlayerIndex");
  const seen = new Map<number, number>();
  const rows: RawRow[] = [];
  for (const { index, value: line } of readResultSet(problems, envelope, "PlayerIndex", HEADERS, Row)) {
    const at = (field: string): PathSegment[] => ["resultSets", setIndex, "rowSet", index, field];
    const earlier = seen.get(line.PERSON_ID);
    if (earlier !== undefined) {
      problems.add(at("PERSON_ID"), `person ${line.PERSON_ID} is already listed at rowSet[${earlier}]`);
      continue;
    }
    seen.set(line.PERSON_ID, index);
    const fullName = `${line.PLAYER_FIRST_NAME ?? ""} ${line.PLAYER_LAST_NAME}`.trim();
    const lookup = playerLookup(fullName);
    if (!lookup) {
      problems.add(at("PLAYER_LAST_NAME"), `no usable player name, got ${show(fullName)}`);
      continue;
    }
    const code = line.TEAM_ABBREVIATION?.trim() ?? "";
    const team = code === "" ? null : toTricode(code);
    if (team === undefined) {
      problems.add(at("TEAM_ABBREVIATION"), `not an NBA team code: ${show(line.TEAM_ABBREVIATION)}`);
      continue;
    }
    rows.push({
      season_year: seasonYear,
      nba_person_id: line.PERSON_ID,
      player_first_name: line.PLAYER_FIRST_NAME,
      player_last_name: line.PLAYER_LAST_NAME,
      player_full_name: fullName,
      player_lookup: lookup,
      team_abbr: team,
      jersey_number: line.JERSEY_NUMBER,
      position: line.POSITION,
      roster_status: line.ROSTER_STATUS,
      ...metaColumns(meta),
    });
  }
  problems.throwIfAny();
  return { nbac_player_list: rows };
}
