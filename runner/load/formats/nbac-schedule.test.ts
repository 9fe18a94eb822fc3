import { beforeAll, describe, expect, it } from "vitest";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf, readFixture } from "../test_support.ts";
import { looksLikeNbacSchedule, parseNbacSchedule } from "./nbac-schedule.ts";

const FILE = "nbac_schedule_2024-25.json";

function parse(payload: unknown): RawRow[] {
  return parseNbacSchedule(payload, metaFor(FILE)).nbac_schedule ?? [];
}

describe("nbac-schedule", () => {
  let season: unknown;
  let all: RawRow[];
  const game = (id: string) => all.find((row) => row.game_id === id);

  beforeAll(() => {
    season = readFixture(FILE);
    all = parse(season);
  });

  it("writes every game of the season, keyed by the NBA.com id", () => {
    expect(all).toHaveLength(1400);
    const prefixes = new Map<string, number>();
    for (const row of all) prefixes.set(String(row.game_id).slice(0, 3), (prefixes.get(String(row.game_id).slice(0, 3)) ?? 0) + 1);
    expect(Object.fromEntries(prefixes)).toEqual({ "001": 73, "002": 1230, "003": 6, "004": 84, "005": 6, "006": 1 });
    expect(() => checkRowsAgainstSpec("nbac_schedule", all)).not.toThrow();
  });

  it("maps a final overtime game (NYK at PHI, 0022400561)", () => {
    expect(game("0022400561")).toEqual({
      game_id: "0022400561",
      game_code: "20250115/NYKPHI",
      season_year: 2024,
      game_date: "2025-01-15",
      game_date_est: "2025-01-15T19:00:00.000Z",
      game_status: 3,
      // NBA.com prints "Final/OT"; the production processor writes "Final" for every final game.
      game_status_text: "Final",
      home_team_tricode: "PHI",
      away_team_tricode: "NYK",
      home_team_score: 119,
      away_team_score: 125,
      winning_team_tricode: "NYK",
      is_primetime: true,
      is_regular_season: true,
      is_playoffs: false,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("keeps the scraper's flags for playoff and play-in games, and the season year of June games", () => {
    expect(game("0042400407")).toMatchObject({
      game_date: "2025-06-22",
      season_year: 2024,
      home_team_tricode: "OKC",
      winning_team_tricode: "OKC",
      is_playoffs: true,
      is_regular_season: true,
    });
    expect(game("0052400101")).toMatchObject({ away_team_tricode: "ATL", home_team_tricode: "ORL", is_playoffs: true });
  });

  it("keeps NBA.com's codes for teams outside the league (preseason guests, All-Star teams)", () => {
    expect(game("0012400002")).toMatchObject({ away_team_tricode: "NZB", home_team_tricode: "UTA", season_year: 2024, winning_team_tricode: "UTA" });
    expect(game("0032400004")).toMatchObject({ away_team_tricode: "TMT", home_team_tricode: "TMC", winning_team_tricode: "TMC" });
  });

  it("has no winner before a game is final", () => {
    const scheduled = {
      games: [
        {
          gameId: "0022500001",
          gameCode: "20251021/HOUOKC",
          gameStatus: 1,
          gameStatusText: "7:30 pm ET",
          gameDateEst: "2025-10-21T00:00:00Z",
          gameDateTimeEst: "2025-10-21T19:30:00Z",
          homeTeam: { teamTricode: "OKC", score: 0 },
          awayTeam: { teamTricode: "HOU", score: 0 },
          isPrimetime: true,
        },
      ],
    };
    expect(parse(scheduled)[0]).toMatchObject({
      season_year: 2025,
      game_status: 1,
      game_status_text: "Scheduled",
      home_team_score: 0,
      winning_team_tricode: null,
      is_regular_season: null,
    });
  });

  it("keeps NBA.com's text of a postponed game, the one sign that it will not be played that day", () => {
    // CHA at LAL (0022400524) was postponed on 2025-01-09 and played on 2025-02-19; the season
    // file has it on its new date. Its row as NBA.com printed it on the old date: scheduled, "PPD".
    const played = (season as { games: Record<string, unknown>[] }).games.find((candidate) => candidate.gameId === "0022400524");
    expect(played).toMatchObject({ gameCode: "20250219/CHALAL", gameStatus: 3 });
    const old = { ...played, gameCode: "20250109/CHALAL", gameStatus: 1, gameStatusText: "PPD", gameDateEst: "2025-01-09T00:00:00Z", gameDateTimeEst: "2025-01-09T22:30:00Z" };
    expect(parse({ games: [old] })[0]).toMatchObject({ game_id: "0022400524", game_date: "2025-01-09", game_status: 1, game_status_text: "PPD", winning_team_tricode: null });
    expect(parse({ games: [{ ...old, gameStatusText: " postponed " }] })[0]).toMatchObject({ game_status_text: "postponed" });
    // Any other text is the numeric status's, as before ("7:30 pm ET" is Scheduled above).
    expect(parse({ games: [{ ...old, gameStatusText: "TBD" }] })[0]).toMatchObject({ game_status_text: "Scheduled" });
  });

  it("reports bad values and repeated games at their position", () => {
    const payload = readFixture(FILE) as { games: Record<string, unknown>[] };
    (payload.games[2] as Record<string, unknown>).gameStatus = 7;
    (payload.games[5] as Record<string, unknown>).gameId = "22400005";
    expect(problemsOf(() => parse(payload))).toEqual([
      "games[2].gameStatus: expected 1 (scheduled), 2 (live) or 3 (final), got 7",
      'games[5].gameId: expected a 10-digit NBA.com game id like "0022400561", got "22400005"',
    ]);
    const repeated = { games: [(season as { games: unknown[] }).games[0], (season as { games: unknown[] }).games[0]] };
    expect(problemsOf(() => parse(repeated))).toEqual(['games[1].gameId: "0012400001" already appears at games[0]']);
  });

  it("recognises the payload by its shape", () => {
    expect(looksLikeNbacSchedule(season)).toBe(true);
    expect(looksLikeNbacSchedule({ games: [{ id: 1 }] })).toBe(false);
  });
});
