import { describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { firstLast, looksLikeNbacInjuryReport, parseNbacInjuryReport, reasonCategory } from "./nbac-injury-report.ts";

const FILE = "nbac_injury_report_2024-01-04_12PM.json";

function parse(payload: unknown): RawRow[] {
  return parseNbacInjuryReport(payload, metaFor(FILE)).nbac_injury_report ?? [];
}

function counts(rows: RawRow[]): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const team = (result[String(row.team)] ??= {});
    team[String(row.injury_status)] = (team[String(row.injury_status)] ?? 0) + 1;
  }
  return result;
}

describe("nbac-injury-report", () => {
  it("writes the 14 players of the real 2024-01-04 12 PM report with the README's statuses", () => {
    const rows = parse(readFixture(FILE));
    expect(rows).toHaveLength(14);
    expect(() => checkRowsAgainstSpec("nbac_injury_report", rows)).not.toThrow();
    // SAS: 5 out, 2 questionable, 1 doubtful; DEN: 3 out, 1 probable; GSW: 2 out; MIL not submitted.
    expect(counts(rows)).toEqual({ SAS: { out: 5, questionable: 2, doubtful: 1 }, DEN: { out: 3, probable: 1 }, GSW: { out: 2 } });
    expect(new Set(rows.map((row) => row.game_id))).toEqual(new Set(["20240104_MIL_SAS", "20240104_DEN_GSW"]));
    expect(rows.every((row) => row.report_date === "2024-01-04" && row.report_hour === 12 && row.game_date === "2024-01-04")).toBe(true);
  });

  it("turns Last, First into First Last and the canonical player_lookup, suffixes kept", () => {
    const rows = parse(readFixture(FILE));
    const byName = (printed: string) => rows.find((row) => row.player_name_original === printed);
    expect(byName("Payton II, Gary")).toMatchObject({ player_full_name: "Gary Payton II", player_lookup: "garypaytonii" });
    expect(byName("Duke Jr., David")).toMatchObject({ player_full_name: "David Duke Jr.", player_lookup: "daviddukejr" });
    expect(byName("Green, Draymond")).toEqual({
      report_date: "2024-01-04",
      report_hour: 12,
      game_date: "2024-01-04",
      game_time: "10:00 (ET)",
      game_id: "20240104_DEN_GSW",
      matchup: "DEN@GSW",
      away_team: "DEN",
      home_team: "GSW",
      team: "GSW",
      player_name_original: "Green, Draymond",
      player_full_name: "Draymond Green",
      player_lookup: "draymondgreen",
      injury_status: "out",
      reason: "League Suspension",
      reason_category: "suspension",
      confidence_score: 0.9,
      overall_report_confidence: 0.97,
      run_id: "f4391904",
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("categorises the printed reasons", () => {
    expect(reasonCategory("Injury/Illness - Left Acl; Tear")).toBe("injury");
    expect(reasonCategory("G League - Two-Way")).toBe("g_league");
    expect(reasonCategory("G League - On Assignment")).toBe("g_league");
    expect(reasonCategory("League Suspension")).toBe("suspension");
    expect(reasonCategory("Personal Reasons")).toBe("personal");
    expect(reasonCategory("Rest")).toBe("rest");
    expect(reasonCategory("Not With Team")).toBe("not_with_team");
    expect(reasonCategory("Trade Pending")).toBe("other");
    expect(firstLast("Nance Jr., Larry")).toBe("Larry Nance Jr.");
    expect(firstLast("Nene")).toBe("Nene");
  });

  it("reports a bad status, a team not in the matchup and a bad date at their position", () => {
    const payload = readFixture(FILE) as { metadata: { gamedate: string }; records: Record<string, unknown>[] };
    (payload.records[2] as Record<string, unknown>).status = "Maybe";
    (payload.records[13] as Record<string, unknown>).date = "2024-01-04";
    expect(problemsOf(() => parse(payload))).toEqual([
      'records[2].status: expected out, questionable, doubtful, probable, available (any case), got "Maybe"',
      'records[13].date: expected a date like "01/04/2024", got "2024-01-04"',
    ]);
    const wrongTeam = readFixture(FILE) as typeof payload;
    (wrongTeam.records[0] as Record<string, unknown>).team = "BOS";
    expect(problemsOf(() => parse(wrongTeam))).toEqual(["records[0].team: BOS does not play in MIL@SAS"]);
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeNbacInjuryReport(readFixture(FILE))).toBe(true);
    expect(looksLikeNbacInjuryReport({ records: [] })).toBe(false);
  });
});
