/**
 * The ESPN roster API response (`team` with `abbreviation` and `athletes[]`) →
 * nba_raw.espn_team_rosters: one row per player of the team's roster snapshot. ESPN's team code is
 * mapped to the NBA.com tricode (spec 0); the injury status is the first listed injury's status in
 * lowercase (out, day-to-day...), NULL when none is listed.
 *
 * The response says neither when it was fetched nor for which date: the snapshot's roster_date
 * comes from the scraper's file name `espn_roster_api_<TEAM>_<YYYY-MM-DD>.json` or the option
 * --roster-date, and its scrape_hour (Eastern, 0-23) from --scrape-hour. Either one unknown, or the
 * file name and the option disagreeing, refuses the file: a roster dated by guess would become the
 * "latest roster" of the upcoming player context. The season is the date's (it starts in October).
 */
import path from "node:path";
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { isCalendarDate } from "../../dates.ts";
import { dateLike, PayloadProblems, ProblemList, show } from "../problems.ts";
import { metaColumns, seasonYear, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";

export const ESPN_ROSTER_TABLES = ["espn_team_rosters"] as const;

/** `espn_roster_api_BOS_2025-06-19.json`, as the scraper names its files. */
const FILE_NAME = /^espn_roster_api_([A-Za-z]{2,4})_(\d{4}-\d{2}-\d{2})\.json$/;

const Athlete = z.object({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()], {
    error: (issue) => `expected an ESPN athlete id like "3917376", got ${show(issue.input)}`,
  }),
  fullName: z.string().trim().min(1, { error: "expected the player's name, got an empty string" }),
  jersey: z.union([z.string(), z.number()]).nullish(),
  position: z.object({ abbreviation: z.string().nullish() }).nullish(),
  age: z.number().int().min(0).nullish(),
  dateOfBirth: dateLike.nullish(),
  injuries: z.array(z.object({ status: z.string().nullish() })).nullish(),
});

const Payload = z.object({
  team: z.object({
    abbreviation: z.string().regex(/^[A-Za-z]{2,4}$/, { error: (issue) => `expected a team code like "BOS", got ${show(issue.input)}` }),
    athletes: z.array(Athlete),
  }),
});

/** The ESPN roster API: `team` with `athletes[]`. */
export function looksLikeEspnRoster(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("team" in payload)) return false;
  const team: unknown = payload.team;
  return typeof team === "object" && team !== null && "athletes" in team && Array.isArray(team.athletes);
}

/** When the snapshot was taken, as the person gave it (the loader's options). */
export interface RosterSnapshotOptions {
  /** --roster-date: the snapshot's date (YYYY-MM-DD, Eastern). */
  rosterDate?: string | undefined;
  /** --scrape-hour: the snapshot's hour (0-23, Eastern). */
  scrapeHour?: number | undefined;
}

interface Snapshot {
  rosterDate: string;
  scrapeHour: number;
}

function refuse(reason: string): never {
  throw new PayloadProblems([{ path: "", reason }]);
}

/** The snapshot's date and hour from the file name and the options, or a refusal saying what is missing. */
function snapshotOf(meta: FileMeta, team: string, options: RosterSnapshotOptions): Snapshot {
  const name = path.basename(meta.sourceFilePath);
  const match = FILE_NAME.exec(name);
  const named = match && isCalendarDate(match[2] as string) ? { team: (match[1] as string).toUpperCase(), date: match[2] as string } : undefined;
  if (named && toTricode(named.team) !== team) {
    refuse(`the file name says team ${named.team} but the roster is ${team}'s`);
  }
  if (named && options.rosterDate !== undefined && options.rosterDate !== named.date) {
    refuse(`the file name says ${named.date} but --roster-date is ${options.rosterDate}`);
  }
  const rosterDate = options.rosterDate ?? named?.date;
  const missing = [
    rosterDate === undefined ? "its date (a file name espn_roster_api_<TEAM>_<YYYY-MM-DD>.json, or --roster-date)" : "",
    options.scrapeHour === undefined ? "its hour (--scrape-hour, 0-23 Eastern)" : "",
  ].filter(Boolean);
  if (rosterDate === undefined || options.scrapeHour === undefined) {
    refuse(`the roster response does not say when it was fetched, and neither does the load: give ${missing.join(" and ")}`);
  }
  return { rosterDate, scrapeHour: options.scrapeHour };
}

export function parseEspnRoster(payload: unknown, meta: FileMeta, options: RosterSnapshotOptions = {}): RowsByTable {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return { espn_team_rosters: [] };
  const espnTeam = parsed.team.abbreviation.toUpperCase();
  const team = toTricode(espnTeam);
  if (!team) throw new PayloadProblems([{ path: "team.abbreviation", reason: `not an NBA team code: ${show(parsed.team.abbreviation)}` }]);
  const { rosterDate, scrapeHour } = snapshotOf(meta, team, options);
  const seen = new Map<string, number>();
  const rows: RawRow[] = [];
  parsed.team.athletes.forEach((athlete, index) => {
    const id = String(athlete.id);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      problems.add(["team", "athletes", index, "id"], `athlete ${id} is already listed at team.athletes[${earlier}]`);
      return;
    }
    seen.set(id, index);
    const lookup = playerLookup(athlete.fullName);
    if (!lookup) {
      problems.add(["team", "athletes", index, "fullName"], `no usable player name, got ${show(athlete.fullName)}`);
      return;
    }
    const status = athlete.injuries?.[0]?.status?.trim();
    const jersey = athlete.jersey === null || athlete.jersey === undefined ? "" : String(athlete.jersey).trim();
    rows.push({
      roster_date: rosterDate,
      scrape_hour: scrapeHour,
      season_year: seasonYear(rosterDate),
      team_abbr: team,
      espn_team_abbr: espnTeam,
      espn_player_id: id,
      player_full_name: athlete.fullName,
      player_lookup: lookup,
      jersey_number: jersey === "" ? null : jersey,
      position: athlete.position?.abbreviation?.trim() || null,
      age: athlete.age ?? null,
      birth_date: athlete.dateOfBirth ?? null,
      injury_status: status ? status.toLowerCase() : null,
      ...metaColumns(meta),
    });
  });
  problems.throwIfAny();
  return { espn_team_rosters: rows };
}
