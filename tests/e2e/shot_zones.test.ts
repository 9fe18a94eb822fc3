/**
 * Shot zones on real play-by-play (issue 16): the NBA.com box score and play-by-play of
 * 0022400561 (NYK at PHI, 2025-01-15, one overtime), and the BigDataBall file of the 2025 Finals
 * game 7 with a box score the test builds from the file itself. Loaded with the real loaders, run
 * with the real models and checks. Expected figures come from the payloads, never from the code.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defenseChecks } from "../../runner/checks/defense.ts";
import { rangeOf } from "../../runner/dates.ts";
import type { Engine } from "../../runner/engines/engine.ts";
import { runProject, type RunSummary } from "../../runner/execution/run.ts";
import { parseCsv } from "../../runner/load/csv.ts";
import { loadFiles } from "../../runner/load/load.ts";
import { Logger, type LogEntry } from "../../runner/log.ts";
import { playerLookup } from "../../runner/nba/player_lookup.ts";
import { FIXTURES, ROOT, tempDir } from "../helpers.ts";
import { insertRaw, openTestWarehouse } from "../models/harness.ts";

const BOX_FILE = path.join(FIXTURES, "nbac_boxscore_20250115_NYKPHI.json");
const PBP_FILE = path.join(FIXTURES, "nbac_play_by_play_20250115_NYKPHI.json");
const BDB_FILE = path.join(FIXTURES, "bigdataball_pbp_20250622_INDOKC.csv");

/** The schedule rows of the two games, as the real schedule has them (final scores included). */
const NYKPHI_SCHEDULE = {
  game_id: "0022400561",
  game_code: "20250115/NYKPHI",
  season_year: 2024,
  game_date: "2025-01-15",
  game_status: 3,
  game_status_text: "Final",
  home_team_tricode: "PHI",
  away_team_tricode: "NYK",
  home_team_score: 119,
  away_team_score: 125,
  winning_team_tricode: "NYK",
  processed_at: "2025-01-16T06:00:00Z",
};
const INDOKC_SCHEDULE = {
  game_id: "0042400407",
  game_code: "20250622/INDOKC",
  season_year: 2024,
  game_date: "2025-06-22",
  game_status: 3,
  game_status_text: "Final",
  home_team_tricode: "OKC",
  away_team_tricode: "IND",
  home_team_score: 103,
  away_team_score: 91,
  winning_team_tricode: "OKC",
  processed_at: "2025-06-23T06:00:00Z",
};

interface Run {
  summary: RunSummary;
  logs: LogEntry[];
}

async function run(engine: Engine, date: string): Promise<Run> {
  const logs: LogEntry[] = [];
  const summary = await runProject(engine, {
    dates: rangeOf(date, date),
    selection: { actions: ["player_game_summary", "team_defense_game_summary", "defense_zone_analytics"], includeDeps: true },
    fullRefresh: false,
    ignoreGates: false,
    trigger: "test",
    concurrency: 2,
    checks: defenseChecks(ROOT),
    vars: { as_of_date: "2030-01-01" },
    log: new Logger({}, (entry) => logs.push(entry)),
  });
  return { summary, logs };
}

function status(result: Run, action: string): string | undefined {
  return result.summary.results.flatMap((date) => date.actions).find((candidate) => candidate.action === action)?.status;
}

const numbers = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === "bigint" ? Number(value) : value])));

interface PbpAction {
  actionType: string;
  subType?: string;
  isFieldGoal: number;
  shotResult?: string;
  personId: number;
  period: number;
  clock: string;
}

interface StatsEnvelope {
  resultSets: { name: string; headers: string[]; rowSet: (string | number | null)[][] }[];
}

/** The box score's player lines of those who played: lookup -> FGA, FGM, team, blocks. */
function boxScorePlayers(): Map<string, { team: string; fga: number; fgm: number; blk: number }> {
  const payload = JSON.parse(fs.readFileSync(BOX_FILE, "utf8")) as StatsEnvelope;
  const set = payload.resultSets.find((candidate) => candidate.name === "PlayerStats");
  if (!set) throw new Error("no PlayerStats");
  const at = (name: string) => set.headers.indexOf(name);
  const players = new Map<string, { team: string; fga: number; fgm: number; blk: number }>();
  for (const row of set.rowSet) {
    if (row[at("MIN")] === null) continue;
    players.set(playerLookup(String(row[at("PLAYER_NAME")])), {
      team: String(row[at("TEAM_ABBREVIATION")]),
      fga: Number(row[at("FGA")]),
      fgm: Number(row[at("FGM")]),
      blk: Number(row[at("BLK")]),
    });
  }
  return players;
}

describe("NBA.com play-by-play of 0022400561 with its box score", () => {
  it("gives every player who played zones that add up to his FGA and FGM, and team zones that sum the players'", async () => {
    const box = boxScorePlayers();
    expect(box.size).toBe(17);
    const engine = await openTestWarehouse();
    await insertRaw(engine, "nbac_schedule", [NYKPHI_SCHEDULE]);
    await loadFiles(engine, [BOX_FILE, PBP_FILE], { processedAt: "2025-01-16T06:00:00Z" });
    const result = await run(engine, "2025-01-15");
    expect(status(result, "player_game_summary")).toBe("succeeded");
    expect(result.summary.exitCode).toBe(0);

    const players = numbers(
      await engine.query(
        `SELECT player_lookup, team_abbr, fg_attempts, fg_makes, paint_attempts, mid_range_attempts, three_attempts_pbp,
                paint_makes, mid_range_makes, three_makes_pbp, paint_blocks, mid_range_blocks, three_pt_blocks,
                has_complete_shot_zones, shot_zones_source
         FROM nba_analytics.player_game_summary WHERE minutes_played > 0 ORDER BY player_lookup`,
      ),
    );
    expect(players).toHaveLength(17);
    for (const player of players) {
      const line = box.get(String(player.player_lookup));
      expect(line, String(player.player_lookup)).toBeDefined();
      expect(player).toMatchObject({ has_complete_shot_zones: true, shot_zones_source: "nbac_pbp" });
      expect(Number(player.paint_attempts) + Number(player.mid_range_attempts) + Number(player.three_attempts_pbp)).toBe(line?.fga);
      expect(Number(player.paint_makes) + Number(player.mid_range_makes) + Number(player.three_makes_pbp)).toBe(line?.fgm);
      // Blocks by zone add up to the box score's blocks of the blocker.
      expect(Number(player.paint_blocks) + Number(player.mid_range_blocks) + Number(player.three_pt_blocks)).toBe(line?.blk);
    }

    const teams = numbers(
      await engine.query(
        `SELECT team_abbr, team_paint_attempts, team_paint_makes, team_mid_range_attempts, team_mid_range_makes, shot_zones_available
         FROM nba_analytics.team_offense_game_summary ORDER BY team_abbr`,
      ),
    );
    for (const team of teams) {
      const own = players.filter((player) => player.team_abbr === team.team_abbr);
      const sum = (column: string) => own.reduce((total, player) => total + Number(player[column]), 0);
      expect(team).toEqual({
        team_abbr: team.team_abbr,
        team_paint_attempts: sum("paint_attempts"),
        team_paint_makes: sum("paint_makes"),
        team_mid_range_attempts: sum("mid_range_attempts"),
        team_mid_range_makes: sum("mid_range_makes"),
        shot_zones_available: true,
      });
    }
    expect(await engine.query("SELECT COUNT(*) AS n FROM nba_analytics.defense_zone_analytics WHERE shot_zones_available")).toEqual([{ n: 2 }]);

    // And-ones from the payload's list (its game order): a made field goal, then a "1 of 1" free
    // throw of the same person at the same period and clock. P. George's was edited after his free
    // throw and carries the higher actionNumber; it counts as well.
    const actions = (JSON.parse(fs.readFileSync(PBP_FILE, "utf8")) as { playByPlay: { game: { actions: PbpAction[] } } }).playByPlay.game.actions;
    const andOnesByPerson = new Map<number, number>();
    actions.forEach((action, index) => {
      if (action.actionType !== "freethrow" || action.subType !== "1 of 1") return;
      const shot = actions.slice(0, index).some(
        (earlier) => earlier.isFieldGoal === 1 && earlier.shotResult === "Made" && earlier.personId === action.personId && earlier.period === action.period && earlier.clock === action.clock,
      );
      if (shot) andOnesByPerson.set(action.personId, (andOnesByPerson.get(action.personId) ?? 0) + 1);
    });
    expect([...andOnesByPerson.values()].reduce((sum, count) => sum + count, 0)).toBe(4);
    const published = numbers(await engine.query(
        `SELECT box.nba_player_id, summary.and1_count FROM nba_analytics.player_game_summary AS summary
         JOIN nba_analytics.player_game_boxscore AS box USING (game_date, game_id, player_lookup)
         WHERE summary.and1_count > 0 ORDER BY box.nba_player_id`,
      ),);
    expect(published).toEqual([...andOnesByPerson.entries()].sort(([a], [b]) => a - b).map(([id, count]) => ({ nba_player_id: id, and1_count: count })));
    await engine.close();
  });

  it("leaves the zones NULL and warns when a re-scrape of the play-by-play lost a shot", async () => {
    const payload = JSON.parse(fs.readFileSync(PBP_FILE, "utf8")) as { playByPlay: { game: { actions: { isFieldGoal: number }[] } } };
    const actions = payload.playByPlay.game.actions;
    actions.splice(
      actions.findIndex((action) => action.isFieldGoal === 1),
      1,
    );
    const partial = path.join(tempDir("partial-pbp"), "nbac_play_by_play_20250115_NYKPHI_partial.json");
    fs.writeFileSync(partial, JSON.stringify(payload));

    const engine = await openTestWarehouse();
    await insertRaw(engine, "nbac_schedule", [NYKPHI_SCHEDULE]);
    await loadFiles(engine, [BOX_FILE, partial], { processedAt: "2025-01-16T06:00:00Z" });
    const result = await run(engine, "2025-01-15");
    expect(status(result, "player_game_summary")).toBe("succeeded");
    const zones = await engine.query("SELECT COUNT(*) AS n FROM nba_analytics.player_game_summary WHERE paint_attempts IS NOT NULL OR has_complete_shot_zones");
    expect(zones).toEqual([{ n: 0 }]);
    const teams = await engine.query("SELECT team_abbr, team_paint_attempts, shot_zones_available, shot_zones_source FROM nba_analytics.team_offense_game_summary ORDER BY team_abbr");
    expect(teams).toEqual([
      { team_abbr: "NYK", team_paint_attempts: null, shot_zones_available: false, shot_zones_source: "nbac_pbp" },
      { team_abbr: "PHI", team_paint_attempts: null, shot_zones_available: false, shot_zones_source: "nbac_pbp" },
    ]);
    expect(result.logs.some((entry) => entry.severity === "WARNING" && entry.message.includes("shot_zones_incomplete"))).toBe(true);
    await engine.close();
  });
});

interface BdbEvent {
  period: number;
  elapsed: number;
  team: string;
  eventType: string;
  type: string;
  player: string;
  result: string;
  points: number;
  block: string;
  assist: string;
  remaining: string;
  lineup: { away: string[]; home: string[] };
}

const seconds = (clock: string) => clock.split(":").reduce((total, part) => total * 60 + Number(part), 0);

function bdbEvents(): BdbEvent[] {
  const table = parseCsv(fs.readFileSync(BDB_FILE, "utf8"));
  const at = (name: string) => table.header.indexOf(name);
  return table.records.map(({ fields }) => ({
    period: Number(fields[at("period")]),
    elapsed: seconds(fields[at("elapsed")] ?? "0:00:00"),
    team: fields[at("team")] ?? "",
    eventType: fields[at("event_type")] ?? "",
    type: fields[at("type")] ?? "",
    player: fields[at("player")] ?? "",
    result: fields[at("result")] ?? "",
    points: Number(fields[at("points")] || 0),
    block: fields[at("block")] ?? "",
    assist: fields[at("assist")] ?? "",
    remaining: fields[at("remaining_time")] ?? "",
    lineup: { away: ["a1", "a2", "a3", "a4", "a5"].map((column) => fields[at(column)] ?? ""), home: ["h1", "h2", "h3", "h4", "h5"].map((column) => fields[at(column)] ?? "") },
  }));
}

/**
 * nbac_player_boxscores rows built from the BigDataBall events: shots, free throws and points per
 * player, and minutes from the on-court lineups (each stretch between two events credited to the
 * ten players on the floor), so that each team's minutes add up to 240.
 */
function boxScoreFromBdb(events: BdbEvent[]): Record<string, unknown>[] {
  const lines = new Map<string, { team: string; seconds: number; fga: number; fgm: number; fg3a: number; fg3m: number; fta: number; ftm: number; pts: number }>();
  const line = (name: string, team: string) => {
    let entry = lines.get(name);
    if (!entry) {
      entry = { team, seconds: 0, fga: 0, fgm: 0, fg3a: 0, fg3m: 0, fta: 0, ftm: 0, pts: 0 };
      lines.set(name, entry);
    }
    return entry;
  };
  events.forEach((event, index) => {
    const next = events[index + 1];
    const stretch = next && next.period === event.period ? next.elapsed - event.elapsed : 0;
    for (const name of event.lineup.away) line(name, "IND").seconds += stretch;
    for (const name of event.lineup.home) line(name, "OKC").seconds += stretch;
    if (event.eventType === "shot") {
      const shooter = line(event.player, event.team);
      const three = event.type.startsWith("3pt");
      shooter.fga += 1;
      if (three) shooter.fg3a += 1;
      if (event.result === "made") {
        shooter.fgm += 1;
        if (three) shooter.fg3m += 1;
      }
    }
    if (event.eventType === "free throw") {
      const shooter = line(event.player, event.team);
      shooter.fta += 1;
      if (event.result === "made") shooter.ftm += 1;
    }
    if (event.result === "made") line(event.player, event.team).pts += event.points;
  });
  return [...lines].map(([name, stats]) => ({
    game_id: "20250622_IND_OKC",
    nba_game_id: "0042400407",
    game_date: "2025-06-22",
    season_year: 2024,
    game_status: "Final",
    home_team_abbr: "OKC",
    away_team_abbr: "IND",
    player_full_name: name,
    player_lookup: playerLookup(name),
    team_abbr: stats.team,
    minutes: `${Math.floor(stats.seconds / 60)}:${String(stats.seconds % 60).padStart(2, "0")}`,
    points: stats.pts,
    field_goals_made: stats.fgm,
    field_goals_attempted: stats.fga,
    three_pointers_made: stats.fg3m,
    three_pointers_attempted: stats.fg3a,
    free_throws_made: stats.ftm,
    free_throws_attempted: stats.fta,
    offensive_rebounds: 0,
    defensive_rebounds: 0,
    total_rebounds: 0,
    assists: 0,
    steals: 0,
    blocks: 0,
    turnovers: 0,
    personal_fouls: 0,
    source_file_path: "test://bdb-box",
    processed_at: "2025-06-23T06:00:00Z",
  }));
}

describe("BigDataBall play-by-play of the 2025 Finals game 7", () => {
  it("fills zones, blocks by zone and and-ones for both teams, and two defense zone rows", async () => {
    const events = bdbEvents();
    const box = boxScoreFromBdb(events);
    const teamPoints = (team: string) => box.filter((row) => row.team_abbr === team).reduce((sum, row) => sum + Number(row.points), 0);
    expect([teamPoints("IND"), teamPoints("OKC")]).toEqual([91, 103]);
    // And-ones counted from the file: a made shot, then a one-shot free throw of the same player at the same clock.
    const andOnes = events.filter(
      (event, index) =>
        event.eventType === "free throw" &&
        event.type === "free throw 1/1" &&
        events.slice(0, index).some((shot) => shot.eventType === "shot" && shot.result === "made" && shot.player === event.player && shot.period === event.period && shot.remaining === event.remaining),
    ).length;
    const blocks = events.filter((event) => event.eventType === "shot" && event.block !== "").length;
    expect(blocks).toBe(12);

    const engine = await openTestWarehouse();
    await insertRaw(engine, "nbac_schedule", [INDOKC_SCHEDULE]);
    await insertRaw(engine, "nbac_player_boxscores", box);
    await loadFiles(engine, [BDB_FILE], { processedAt: "2025-06-23T07:00:00Z" });
    const result = await run(engine, "2025-06-22");
    expect(status(result, "player_game_summary")).toBe("succeeded");
    expect(status(result, "defense_zone_analytics")).toBe("succeeded");

    const players = numbers(
      await engine.query(
        `SELECT team_abbr, SUM(fg_attempts) AS fga, SUM(paint_attempts + mid_range_attempts + three_attempts_pbp) AS zone_fga,
                SUM(paint_blocks + mid_range_blocks + three_pt_blocks) AS blocks, SUM(and1_count) AS and_ones,
                SUM(assisted_fg_makes) AS assisted, LOGICAL_AND(has_complete_shot_zones) AS complete, MIN(shot_zones_source) AS source
         FROM nba_analytics.player_game_summary WHERE minutes_played > 0 GROUP BY team_abbr ORDER BY team_abbr`,
      ),
    );
    expect(players.map((row) => [row.team_abbr, row.fga, row.zone_fga, row.complete, row.source])).toEqual([
      ["IND", 70, 70, true, "bigdataball"],
      ["OKC", 87, 87, true, "bigdataball"],
    ]);
    expect(players.reduce((sum, row) => sum + Number(row.blocks), 0)).toBe(blocks);
    expect(players.reduce((sum, row) => sum + Number(row.and_ones), 0)).toBe(andOnes);
    expect(players.reduce((sum, row) => sum + Number(row.assisted), 0)).toBe(events.filter((event) => event.eventType === "shot" && event.assist !== "").length);

    const defense = numbers(await engine.query("SELECT defending_team_abbr AS team_abbr, blocks_paint + blocks_mid_range + blocks_three_pt AS blocks FROM nba_analytics.team_defense_game_summary ORDER BY team_abbr"));
    const blocksBy = (team: string) => events.filter((event) => event.eventType === "shot" && event.block !== "" && event.team !== team).length;
    expect(defense).toEqual([
      { team_abbr: "IND", blocks: blocksBy("IND") },
      { team_abbr: "OKC", blocks: blocksBy("OKC") },
    ]);
    const zones = numbers(await engine.query("SELECT team_abbr, paint_fga_allowed + mid_range_fga_allowed + three_pt_fga_allowed AS fga_allowed, quality_tier FROM nba_analytics.defense_zone_analytics ORDER BY team_abbr"));
    expect(zones).toEqual([
      { team_abbr: "IND", fga_allowed: 87, quality_tier: "gold" },
      { team_abbr: "OKC", fga_allowed: 70, quality_tier: "gold" },
    ]);
    await engine.close();
  });
});
