/**
 * Upcoming player game context (issue 17) end to end through the CLI. History: the real NBA.com
 * league game log of 2025-03-15, read in place from ../shared/fixtures/; games: the real 2024-25
 * schedule limited to 2025-03-15 (Final) and 2025-03-16 (as the morning of the 16th sees it:
 * scheduled), so the history gate has exactly the games the test loads to account for; players:
 * a roster of 2025-03-16 built here for OKC, MIL and BKN (who play both days) and ATL (BKN's
 * opponent, idle on the 15th). One warehouse, one --batch run of both dates, then the gate on a
 * game the test adds. Expected values are computed here from the payloads, never with the SQL.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { playerLookup } from "../../runner/nba/player_lookup.ts";
import { FIXTURES, runCli, tempDir } from "../helpers.ts";
import { queryWarehouse, writeRaw } from "../scenario.ts";

const SCHEDULE = path.join(FIXTURES, "nbac_schedule_2024-25.json");
const GAME_LOG = path.join(FIXTURES, "nbac_leaguegamelog_2025-03-15.json");
const HISTORY_DATE = "2025-03-15";
const DATE = "2025-03-16";
const UPGC = "nba_analytics.upcoming_player_game_context";

interface RunJson {
  outcome: string;
  warnings: { game_date: string; kind: string; action: string; message: string }[];
  results: { game_date: string; actions: { action: string; status: string; rows_written: number | null; message: string | null }[] }[];
}

async function run(warehouse: string, args: string[]): Promise<{ code: number; json: RunJson; stderr: string }> {
  const result = await runCli(["run", ...args, "--json", "--warehouse", warehouse]);
  return { code: result.code, json: JSON.parse(result.stdout || "{}") as RunJson, stderr: result.stderr };
}

// ---------------------------------------------------------------------------------------------
// The payloads, read by hand.

interface ScheduleGame {
  gameId: string;
  gameStatus: number;
  gameStatusText: string;
  gameDateEst: string;
  homeTeam: { teamTricode: string; score: number };
  awayTeam: { teamTricode: string; score: number };
}

interface LogLine {
  team: string;
  lookup: string;
  minutes: number;
  points: number;
  fga: number;
  fta: number;
  tov: number;
  oreb: number;
  /** Every counting stat of the line is 0 (with MIN 0: listed, did not take the floor). */
  allZero: boolean;
}

function gameLog(): LogLine[] {
  const payload = JSON.parse(fs.readFileSync(GAME_LOG, "utf8")) as { resultSets: { headers: string[]; rowSet: unknown[][] }[] };
  const [set] = payload.resultSets;
  if (!set) throw new Error("the game log has no result set");
  const at = (row: unknown[], header: string) => row[set.headers.indexOf(header)];
  return set.rowSet.map((row) => ({
    team: String(at(row, "TEAM_ABBREVIATION")),
    lookup: playerLookup(String(at(row, "PLAYER_NAME"))),
    minutes: Number(at(row, "MIN")),
    points: Number(at(row, "PTS")),
    fga: Number(at(row, "FGA")),
    fta: Number(at(row, "FTA")),
    tov: Number(at(row, "TOV")),
    oreb: Number(at(row, "OREB")),
    allZero: ["PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "AST", "STL", "BLK", "TOV", "PF"].every((header) => Number(at(row, header)) === 0),
  }));
}

/** A team's possessions on 03-15, FGA + 0.44 * FTA + TOV - OREB to one decimal: its pace in a 240-minute game. */
function possessions(lines: LogLine[], team: string): number {
  const own = lines.filter((line) => line.team === team);
  const sum = (key: "fga" | "fta" | "tov" | "oreb") => own.reduce((total, line) => total + line[key], 0);
  return Math.round((sum("fga") + 0.44 * sum("fta") + sum("tov") - sum("oreb")) * 10) / 10;
}

const teamTotal = (lines: LogLine[], team: string, key: "points" | "fta") => lines.filter((line) => line.team === team).reduce((total, line) => total + line[key], 0);

describe("the real game log of 2025-03-15 as history for 2025-03-16", () => {
  const log = gameLog();
  const schedule = JSON.parse(fs.readFileSync(SCHEDULE, "utf8")) as { games: ScheduleGame[] } & Record<string, unknown>;
  const onDate = (date: string) => schedule.games.filter((game) => game.gameDateEst.startsWith(date));
  const teamsOn = (date: string) => new Set(onDate(date).flatMap((game) => [game.homeTeam.teamTricode, game.awayTeam.teamTricode]));
  const opponentOn = (date: string, team: string) => {
    const game = onDate(date).find((candidate) => candidate.homeTeam.teamTricode === team || candidate.awayTeam.teamTricode === team);
    return game?.homeTeam.teamTricode === team ? game.awayTeam.teamTricode : game?.homeTeam.teamTricode;
  };
  const BACK_TO_BACK = ["BKN", "MIL", "OKC"];
  const ATL = ["traeyoung", "jalenjohnson"];
  let warehouse: string;
  let batch: { code: number; json: RunJson; stderr: string };
  let rows: Record<string, unknown>[];

  beforeAll(async () => {
    const dir = tempDir("upgc-real");
    warehouse = path.join(dir, "warehouse.duckdb");
    // The schedule of the two dates only; the 16th's games not played yet.
    const games = [...onDate(HISTORY_DATE), ...onDate(DATE).map((game) => ({ ...game, gameStatus: 1, gameStatusText: "Scheduled", homeTeam: { ...game.homeTeam, score: 0 }, awayTeam: { ...game.awayTeam, score: 0 } }))];
    const scheduleFile = path.join(dir, "nbac_schedule_2025-03-15_16.json");
    fs.writeFileSync(scheduleFile, JSON.stringify({ ...schedule, games }));
    const loaded = await runCli(["load", scheduleFile, GAME_LOG, "--warehouse", warehouse]);
    expect(loaded.code, loaded.stderr).toBe(0);
    // The 8 AM roster of 03-16: the game log's OKC, MIL and BKN players, and two ATL players.
    const rostered = [...log.filter((line) => BACK_TO_BACK.includes(line.team)).map((line) => ({ team: line.team, lookup: line.lookup })), ...ATL.map((lookup) => ({ team: "ATL", lookup }))];
    await writeRaw(warehouse, {
      espn_team_rosters: rostered.map((player) => ({
        roster_date: DATE,
        scrape_hour: 8,
        season_year: 2024,
        team_abbr: player.team,
        player_lookup: player.lookup,
        processed_at: `${DATE}T13:00:00Z`,
      })),
    });
    // Both dates as one window (--batch): the player summary of the 15th is written before the
    // context of the 16th reads it.
    batch = await run(warehouse, ["--batch", "--start-date", HISTORY_DATE, "--end-date", DATE]);
    rows = await queryWarehouse(warehouse, `SELECT * FROM ${UPGC} WHERE game_date = '${DATE}' ORDER BY player_lookup`);
  }, 300_000);

  it("the schedule has OKC, MIL and BKN playing on both days, ATL only on the 16th, against BKN", () => {
    for (const team of BACK_TO_BACK) {
      expect(teamsOn(HISTORY_DATE).has(team), team).toBe(true);
      expect(teamsOn(DATE).has(team), team).toBe(true);
    }
    expect(teamsOn(HISTORY_DATE).has("ATL")).toBe(false);
    expect(opponentOn(DATE, "BKN")).toBe("ATL");
    expect(opponentOn(DATE, "OKC")).toBe("MIL");
  });

  it("runs both dates with the history gate satisfied", () => {
    expect(batch.code, batch.stderr.slice(-3000)).toBe(0);
    const actions = batch.json.results.flatMap((result) => result.actions);
    expect(actions.find((action) => action.action === "player_history_complete")).toMatchObject({ status: "succeeded" });
    expect(actions.find((action) => action.action === "upcoming_player_game_context")).toMatchObject({ status: "succeeded" });
  });

  it("writes one daily-mode row per rostered player on the 16th, and the 15th's box-score players in backfill mode", async () => {
    const rostered = log.filter((line) => BACK_TO_BACK.includes(line.team)).length + ATL.length;
    expect(rows).toHaveLength(rostered);
    expect(rows.every((row) => row.processing_mode === "daily")).toBe(true);
    const before = await queryWarehouse(warehouse, `SELECT processing_mode, COUNT(*) AS players FROM ${UPGC} WHERE game_date = '${HISTORY_DATE}' GROUP BY processing_mode`);
    expect(before).toEqual([{ processing_mode: "backfill", players: new Set(log.map((line) => line.lookup)).size }]);
  });

  it("gives the OKC, MIL and BKN players days_rest 1 and a back-to-back, with the 15th's minutes and points", () => {
    for (const line of log.filter((candidate) => BACK_TO_BACK.includes(candidate.team))) {
      const row = rows.find((candidate) => candidate.player_lookup === line.lookup);
      expect(row, line.lookup).toMatchObject({
        team_abbr: line.team,
        opponent_team_abbr: opponentOn(DATE, line.team),
        days_rest: 1,
        back_to_back: true,
        games_in_last_7_days: 1,
        games_in_last_14_days: 1,
        minutes_in_last_7_days: line.minutes,
        back_to_backs_last_14_days: 0,
        days_rest_before_last_game: null,
      });
      // A line with 0 minutes and every stat 0 is a player who did not take the floor: no played
      // game. MIN 0 with a foul (Andre Jackson Jr., MIL) is under half a minute played: 0 points.
      expect(row?.points_avg_last_5, line.lookup).toBe(line.minutes > 0 || !line.allZero ? line.points : null);
    }
  });

  it("computes OKC's and MIL's opponent form from the 15th, and leaves ATL's and BKN's opponents NULL", () => {
    // Possessions (regulation: pace) and, for defence, what the opponent of the 15th scored.
    const opponentOf15 = (team: string) => opponentOn(HISTORY_DATE, team) as string;
    for (const [team, opponent] of [["OKC", "MIL"], ["MIL", "OKC"]] as const) {
      const row = rows.find((candidate) => candidate.team_abbr === team);
      const against = opponentOf15(opponent);
      const defensiveRating = (100 * teamTotal(log, against, "points")) / possessions(log, against);
      const ftRate = (teamTotal(log, against, "fta") / possessions(log, against)) * 100;
      expect(row?.opponent_pace_last_10, team).toBe(possessions(log, opponent));
      expect(row?.pace_differential, team).toBeCloseTo(possessions(log, team) - possessions(log, opponent), 5);
      expect(Math.abs(Number(row?.opponent_def_rating_last_10) - defensiveRating), team).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(Number(row?.opponent_ft_rate_allowed) - ftRate), team).toBeLessThanOrEqual(0.0005 + 1e-9);
    }
    // BKN's opponent ATL did not play on the 15th: NULL, not 0. ATL's opponent BKN did.
    const nullForm = { opponent_pace_last_10: null, pace_differential: null, opponent_ft_rate_allowed: null, opponent_def_rating_last_10: null };
    for (const row of rows.filter((candidate) => candidate.team_abbr === "BKN")) expect(row, String(row.player_lookup)).toMatchObject(nullForm);
    for (const lookup of ATL) {
      const row = rows.find((candidate) => candidate.player_lookup === lookup);
      // No game of his own on the 15th: no rest, no windows, thin sample.
      expect(row, lookup).toMatchObject({ team_abbr: "ATL", opponent_team_abbr: "BKN", home_game: false, days_rest: null, back_to_back: null, games_in_last_7_days: 0, quality_tier: "bronze" });
      expect(row?.opponent_pace_last_10, lookup).toBe(possessions(log, "BKN"));
      expect(row?.pace_differential, lookup).toBeNull();
    }
  });

  it("blocks the 16th while a Final game of its history is missing, names it, and lets it through with a warning once stale", async () => {
    // A Final game of the 15th that no box score covers (a made-up id between two idle teams).
    await writeRaw(warehouse, {
      nbac_schedule: [
        {
          game_id: "0022409999",
          game_date: HISTORY_DATE,
          season_year: 2024,
          game_status: 3,
          game_status_text: "Final",
          home_team_tricode: "ORL",
          away_team_tricode: "CHA",
          home_team_score: 101,
          away_team_score: 99,
          winning_team_tricode: "ORL",
          processed_at: `${DATE}T06:00:00Z`,
        },
      ],
    });
    const only = ["--date", DATE, "--actions", "upcoming_player_game_context"];
    const fresh = await run(warehouse, [...only, "--var", `as_of_date=${DATE}`]);
    expect(fresh.code, fresh.stderr.slice(-2000)).toBe(75);
    expect(fresh.json.outcome).toBe("not_ready");
    const freshActions = fresh.json.results[0]?.actions ?? [];
    expect(freshActions.find((action) => action.action === "player_history_complete")).toMatchObject({ status: "blocked" });
    expect(freshActions.find((action) => action.action === "player_history_complete")?.message).toContain("20250315_CHA_ORL");
    expect(freshActions.find((action) => action.action === "upcoming_player_game_context")).toMatchObject({ status: "skipped" });

    // Two days later the game is stale: the gate lets the date through and says which game.
    const stale = await run(warehouse, [...only, "--var", "as_of_date=2025-03-18"]);
    expect(stale.code, stale.stderr.slice(-2000)).toBe(0);
    expect(stale.json.outcome).toBe("warnings");
    const staleActions = stale.json.results[0]?.actions ?? [];
    expect(staleActions.find((action) => action.action === "player_history_complete")).toMatchObject({ status: "bypassed" });
    expect(stale.json.warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: "player_history_complete", message: expect.stringContaining("20250315_CHA_ORL") })]),
    );
    // The context it writes is the one of the batch: nothing changed.
    expect(staleActions.find((action) => action.action === "upcoming_player_game_context")).toMatchObject({ status: "succeeded", rows_written: 0 });
  }, 120_000);
});
