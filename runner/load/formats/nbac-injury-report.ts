/**
 * The parsed NBA.com injury report PDF (`metadata` with the report's date and hour, `records[]`
 * one per listed player) → nba_raw.nbac_injury_report. The player is printed "Last, First"
 * ("Payton II, Gary", "Duke Jr., David"): reordered to "First Last" and normalised with the
 * canonical rule (decision 6), so "Gary Payton II" is garypaytonii and "David Duke Jr." is
 * daviddukejr, as in every box-score source. The game is the printed matchup AWAY@HOME on the
 * record's date (system id); the status is lowercased; the reason gets a category. The report's
 * `season` field is not used (it can be wrong: "2024-25" on a 2024-01-04 report).
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import { isCalendarDate } from "../../dates.ts";

export const NBAC_INJURY_REPORT_TABLES = ["nbac_injury_report"] as const;

const STATUSES = ["out", "questionable", "doubtful", "probable", "available"] as const;

/** Reason categories by the first pattern the printed reason matches; else "other". */
const REASON_CATEGORIES: [RegExp, string][] = [
  [/^injury\/illness/i, "injury"],
  [/g league/i, "g_league"],
  [/suspension/i, "suspension"],
  [/not with team/i, "not_with_team"],
  [/personal/i, "personal"],
  [/\brest\b/i, "rest"],
];

const compactDate = z.string().refine((value) => /^\d{8}$/.test(value) && isCalendarDate(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`), {
  error: (issue) => `expected a date like "20240104", got ${show(issue.input)}`,
});

const usDate = z.string().refine((value) => /^\d{2}\/\d{2}\/\d{4}$/.test(value) && isCalendarDate(`${value.slice(6)}-${value.slice(0, 2)}-${value.slice(3, 5)}`), {
  error: (issue) => `expected a date like "01/04/2024", got ${show(issue.input)}`,
});

const ReportRecord = z.object({
  date: usDate,
  gametime: z.string().nullish(),
  matchup: z.string().regex(/^[A-Z]{2,4}@[A-Z]{2,4}$/, { error: (issue) => `expected a matchup like "MIL@SAS", got ${show(issue.input)}` }),
  team: z.string().min(1),
  player: z.string().min(1),
  status: z.string().refine((value) => (STATUSES as readonly string[]).includes(value.toLowerCase()), {
    error: (issue) => `expected ${STATUSES.join(", ")} (any case), got ${show(issue.input)}`,
  }),
  reason: z.string().nullish(),
  confidence: z.number().min(0).max(1).nullish(),
});

const Payload = z.object({
  metadata: z.object({
    gamedate: compactDate,
    hour24: z.union([z.string().regex(/^\d{1,2}$/), z.number().int()]).refine((value) => Number(value) >= 0 && Number(value) <= 23, {
      error: (issue) => `expected an hour 0-23, got ${show(issue.input)}`,
    }),
    run_id: z.string().nullish(),
  }),
  parsing_stats: z.object({ overall_confidence: z.number().min(0).max(1).nullish() }).nullish(),
  records: z.array(ReportRecord),
});

/** The parsed injury report: `metadata.gamedate` and `records[]` with `player` and `status`. */
export function looksLikeNbacInjuryReport(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("records" in payload) || !Array.isArray(payload.records)) return false;
  const metadata: unknown = "metadata" in payload ? payload.metadata : undefined;
  return typeof metadata === "object" && metadata !== null && "gamedate" in metadata;
}

/** "Payton II, Gary" -> "Gary Payton II"; a name without a comma is kept as it is. */
export function firstLast(printed: string): string {
  const comma = printed.indexOf(",");
  if (comma < 0) return printed.trim();
  return `${printed.slice(comma + 1).trim()} ${printed.slice(0, comma).trim()}`;
}

export function reasonCategory(reason: string | null | undefined): string | null {
  if (!reason) return null;
  return REASON_CATEGORIES.find(([pattern]) => pattern.test(reason))?.[1] ?? "other";
}

export function parseNbacInjuryReport(payload: unknown, meta: FileMeta): RowsByTable {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) return { nbac_injury_report: [] };
  const { gamedate, hour24, run_id: runId } = parsed.metadata;
  const reportDate = `${gamedate.slice(0, 4)}-${gamedate.slice(4, 6)}-${gamedate.slice(6)}`;
  const rows: RawRow[] = [];
  parsed.records.forEach((record, index) => {
    const at = (...segments: PathSegment[]) => ["records", index, ...segments];
    const [awayCode, homeCode] = record.matchup.split("@") as [string, string];
    const away = toTricode(awayCode);
    const home = toTricode(homeCode);
    const team = toTricode(record.team);
    if (!away || !home) problems.add(at("matchup"), `not two NBA team codes: ${show(record.matchup)}`);
    if (!team) problems.add(at("team"), `not an NBA team code: ${show(record.team)}`);
    else if (away && home && team !== away && team !== home) problems.add(at("team"), `${team} does not play in ${record.matchup}`);
    if (!away || !home || !team) return;
    const gameDate = `${record.date.slice(6)}-${record.date.slice(0, 2)}-${record.date.slice(3, 5)}`;
    const fullName = firstLast(record.player);
    rows.push({
      report_date: reportDate,
      report_hour: Number(hour24),
      game_date: gameDate,
      game_time: record.gametime ?? null,
      game_id: systemGameId(gameDate, away, home),
      matchup: record.matchup,
      away_team: away,
      home_team: home,
      team,
      player_name_original: record.player,
      player_full_name: fullName,
      player_lookup: playerLookup(fullName),
      injury_status: record.status.toLowerCase(),
      reason: record.reason ?? null,
      reason_category: reasonCategory(record.reason),
      confidence_score: record.confidence ?? null,
      overall_report_confidence: parsed.parsing_stats?.overall_confidence ?? null,
      run_id: runId ?? null,
      ...metaColumns(meta),
    });
  });
  problems.throwIfAny();
  return { nbac_injury_report: rows };
}
