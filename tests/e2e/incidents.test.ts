/**
 * Regression tests that replay the incidents the four defense layers exist for, on a real DuckDB
 * warehouse file, through the CLI as operators run it.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { defenseChecks } from "../../runner/checks/defense.ts";
import { rangeOf } from "../../runner/dates.ts";
import { runProject } from "../../runner/execution/run.ts";
import { Logger } from "../../runner/log.ts";
import { ROOT, runCli, tempDir } from "../helpers.ts";
import { gameId, gameRows, impossibleLineGame, merge, processedAt, queryWarehouse, slate, writeRaw } from "../scenario.ts";

const DATE = "2025-01-15";
/** The morning after: the run happens while the date is fresh, so gates give no staleness pass. */
const FRESH = ["--var", "as_of_date=2025-01-16"];

function warehouseFile(): string {
  return path.join(tempDir("incident"), "warehouse.duckdb");
}

interface RunJson {
  outcome: string;
  results: { actions: { action: string; status: string; rows_written: number | null; rows_quarantined: number | null; message: string | null }[] }[];
}

function action(run: RunJson, name: string) {
  const found = run.results.flatMap((result) => result.actions).find((candidate) => candidate.action === name);
  if (!found) throw new Error(`${name} not in the run`);
  return found;
}

describe("race: the player model never runs on partial team data", () => {
  it("blocks player_game_summary run alone when team offense has none of the date's games", async () => {
    const warehouse = warehouseFile();
    await writeRaw(warehouse, merge(...slate(DATE, 3).map((game) => gameRows(game))));
    const result = await runCli(["run", "--date", DATE, "--actions", "player_game_summary", "--json", "--warehouse", warehouse, ...FRESH]);
    expect(result.code).toBe(75);
    const run = JSON.parse(result.stdout) as RunJson;
    expect(run.outcome).toBe("not_ready");
    expect(action(run, "team_offense_complete").status).toBe("blocked");
    expect(action(run, "player_game_summary").status).toBe("skipped");
    const tables = await queryWarehouse(warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'nba_analytics'");
    expect(tables).toEqual([]);
  });

  it("blocks it when team offense has only some games, names them, and writes no player row", async () => {
    const warehouse = warehouseFile();
    const [first, second, late] = slate(DATE, 3) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    await writeRaw(warehouse, merge(gameRows(first), gameRows(second)));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...FRESH])).code).toBe(0);
    const before = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_analytics.player_game_summary");

    // The third game's box scores arrive; only the player model is triggered.
    await writeRaw(warehouse, gameRows(late));
    const result = await runCli(["run", "--date", DATE, "--actions", "player_game_summary", "--json", "--warehouse", warehouse, ...FRESH]);
    expect(result.code).toBe(75);
    const run = JSON.parse(result.stdout) as RunJson;
    expect(action(run, "team_offense_complete").message).toContain(gameId(late));
    expect(action(run, "player_game_summary").status).toBe("skipped");
    expect(result.stderr).toContain("Gate team_offense_complete NOT satisfied");

    const after = await queryWarehouse(
      warehouse,
      "SELECT COUNT(*) AS n, MAX(usage_rate) AS max_usage, COUNTIF(game_id = '" + gameId(late) + "') AS late_rows FROM nba_analytics.player_game_summary",
    );
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(after[0]?.late_rows).toBe(0);
    expect(Number(after[0]?.max_usage)).toBeLessThanOrEqual(100);
    const ledger = await queryWarehouse(warehouse, "SELECT status, message FROM nba_orchestration.phase3_runner_runs WHERE action = 'team_offense_complete' ORDER BY finished_at");
    expect(ledger.at(-1)?.status).toBe("blocked");
  });
});

describe("cry-wolf count: post-write checks compare like with like", () => {
  it("passes when a re-run writes only the 2 late games of a date that already holds 4", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 6);
    await writeRaw(warehouse, merge(...games.slice(0, 4).map((game) => gameRows(game))));
    expect((await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...FRESH])).code).toBe(0);
    await writeRaw(warehouse, merge(...games.slice(4).map((game) => gameRows(game))));
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, ...FRESH]);
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as RunJson;
    // Only the late games' 2 x 5 players were new; the check still passes.
    expect(action(run, "player_game_summary")).toMatchObject({ status: "succeeded", rows_written: 20 });
    expect(result.stderr).toMatch(/POST_WRITE_VALIDATION PASSED for player_game_summary \(60 rows, 6 games/);
  });

  it("fails when the MERGE loses a row", async () => {
    const engine = await openDuckDBEngine({ path: ":memory:" });
    try {
      const { insertRawRows } = await import("../scenario.ts");
      await insertRawRows(engine, merge(...slate(DATE, 4).map((game) => gameRows(game))));
      const checks = defenseChecks(ROOT);
      // A broken publish: one written row disappears before the post-write checks look.
      const brokenMerge = {
        preWrite: checks.preWrite,
        postWrite: async (write: Parameters<typeof checks.postWrite>[0]) => {
          if (write.action.name === "player_game_summary") {
            await write.engine.execute(`DELETE FROM ${write.engine.qualify(write.target)} WHERE player_lookup = 'atlplayer1'`);
          }
          return checks.postWrite(write);
        },
      };
      const summary = await runProject(engine, {
        dates: rangeOf(DATE, DATE),
        selection: {},
        fullRefresh: false,
        ignoreGates: false,
        trigger: "test",
        concurrency: 2,
        checks: brokenMerge,
        vars: { as_of_date: "2025-01-16" },
        log: new Logger({}, () => {}),
      });
      expect(summary.exitCode).toBe(1);
      const player = summary.results[0]?.actions.find((candidate) => candidate.action === "player_game_summary");
      expect(player?.status).toBe("failed");
      expect(player?.message).toContain("scoped_row_count failed");
      expect(player?.message).toContain('"target_rows":39,"staged_rows":40');
    } finally {
      await engine.close();
    }
  });
});

describe("partial arrival", () => {
  it("blocks while 1 of 7 Final games has no box score and coverage must be complete, then succeeds with the same command", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 7);
    const missing = games[6] as (typeof games)[number];
    await writeRaw(warehouse, merge(...games.slice(0, 6).map((game) => gameRows(game)), gameRows(missing, { gamebook: false, teamBoxscore: false })));
    const command = ["run", "--date", DATE, "--json", "--warehouse", warehouse, ...FRESH, "--var", "boxscore_coverage_min_pct=100"];
    const blocked = await runCli(command);
    expect(blocked.code).toBe(75);
    const run = JSON.parse(blocked.stdout) as RunJson;
    expect(action(run, "boxscores_complete").status).toBe("blocked");
    expect(action(run, "boxscores_complete").message).toContain(gameId(missing));
    expect(action(run, "player_game_summary").status).toBe("skipped");
    expect(await queryWarehouse(warehouse, "SELECT table_name FROM information_schema.tables WHERE table_name = 'player_game_summary'")).toEqual([]);

    await writeRaw(warehouse, gameRows(missing, { schedule: false }));
    const done = await runCli(command);
    expect(done.code).toBe(0);
    const counts = await queryWarehouse(warehouse, "SELECT COUNT(DISTINCT game_id) AS games FROM nba_analytics.player_game_summary");
    expect(counts[0]?.games).toBe(7);
  });

  it("publishes 6 of 7 games above the coverage threshold, holding the missing one back by name", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 7);
    const missing = games[6] as (typeof games)[number];
    await writeRaw(warehouse, merge(...games.slice(0, 6).map((game) => gameRows(game)), gameRows(missing, { gamebook: false, teamBoxscore: false })));
    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, ...FRESH]);
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as { results: { held_back_games: { game_id: string; reason: string; detail: string }[] }[] };
    expect(run.results[0]?.held_back_games).toEqual([
      { game_date: DATE, game_id: gameId(missing), reason: "source_incomplete", detail: "game_source_checks: no player box score in any source yet" },
    ]);
    expect(result.stderr).toContain(`HELD BACK ${gameId(missing)}`);
    const counts = await queryWarehouse(warehouse, "SELECT COUNT(DISTINCT game_id) AS games FROM nba_analytics.player_game_summary");
    expect(counts[0]?.games).toBe(6);
  });

  it("lets a date with a game missing for good through once it is stale", async () => {
    const warehouse = warehouseFile();
    const games = slate(DATE, 7);
    await writeRaw(warehouse, merge(...games.slice(0, 6).map((game) => gameRows(game)), gameRows(games[6] as (typeof games)[number], { gamebook: false, teamBoxscore: false })));
    const result = await runCli(["run", "--date", DATE, "--warehouse", warehouse, "--var", "as_of_date=2025-01-20"]);
    expect(result.code).toBe(0);
  });
});

describe("duplicates upstream", () => {
  it("keeps one output row per key when the same box score is loaded twice", async () => {
    const warehouse = warehouseFile();
    const [game] = slate(DATE, 1) as [ReturnType<typeof slate>[0]];
    const early = gameRows(game, { loadedAt: processedAt(DATE, 1) });
    const late = gameRows(game, { loadedAt: processedAt(DATE, 9) });
    // The later loads corrected one player's points (and so his team's score in every source).
    const corrected = late.nbac_gamebook_player_stats?.[0] as Record<string, unknown>;
    corrected.points = Number(corrected.points) + 2;
    corrected.free_throws_made = Number(corrected.free_throws_made) + 2;
    corrected.free_throws_attempted = Number(corrected.free_throws_attempted) + 2;
    const team = late.nbac_team_boxscore?.find((row) => row.team_abbr === corrected.team_abbr) as Record<string, unknown>;
    for (const column of ["points", "ft_made", "ft_attempted"]) team[column] = Number(team[column]) + 2;
    const schedule = late.nbac_schedule?.[0] as Record<string, unknown>;
    const side = corrected.team_abbr === game.home ? "home_team_score" : "away_team_score";
    schedule[side] = Number(schedule[side]) + 2;
    await writeRaw(warehouse, merge(early, late));
    const result = await runCli(["run", "--date", DATE, "--warehouse", warehouse, ...FRESH]);
    expect(result.code).toBe(0);
    const rows = await queryWarehouse(
      warehouse,
      "SELECT COUNT(*) AS n, COUNT(DISTINCT player_lookup) AS players, MAX(IF(player_lookup = '" +
        String(corrected.player_lookup) +
        "', points, NULL)) AS corrected FROM nba_analytics.player_game_summary",
    );
    expect(rows[0]).toEqual({ n: 10, players: 10, corrected: Number(corrected.points) });
    const teams = await queryWarehouse(warehouse, "SELECT COUNT(*) AS n FROM nba_analytics.team_offense_game_summary");
    expect(teams[0]?.n).toBe(2);
  });
});

describe("bad rows go to quarantine with their reasons; the rest of the date is published", () => {
  it("quarantines an impossible player line and holds its game back; a placeholder team box score is held back with its reason", async () => {
    const warehouse = warehouseFile();
    const [good, badPlayer, badTeam] = slate(DATE, 3) as [ReturnType<typeof slate>[0], ReturnType<typeof slate>[0], ReturnType<typeof slate>[0]];
    const withImpossible = impossibleLineGame(badPlayer);
    const impossible = withImpossible.nbac_gamebook_player_stats?.[2] as Record<string, number | string>;
    // A placeholder box score with no player rows behind it (not in the schedule either).
    const placeholder = gameRows(badTeam, { schedule: false, gamebook: false });
    const zero = placeholder.nbac_team_boxscore?.[0] as Record<string, unknown>;
    Object.assign(zero, { fg_attempted: 0, fg_made: 0, points: 0 });
    await writeRaw(warehouse, merge(gameRows(good), withImpossible, placeholder));

    const result = await runCli(["run", "--date", DATE, "--json", "--warehouse", warehouse, ...FRESH]);
    // Rejected (DESIGN 6): exit 1, the other games published.
    expect(result.code).toBe(1);
    const run = JSON.parse(result.stdout) as RunJson & { results: { held_back_games: { game_id: string; reason: string; detail: string }[] }[] };
    expect(action(run, "player_game_boxscore").status).toBe("failed");
    expect(action(run, "player_game_boxscore").rows_quarantined).toBe(1);
    expect(action(run, "player_game_summary").status).toBe("succeeded");
    expect(run.results[0]?.held_back_games).toEqual([
      { game_date: DATE, game_id: gameId(badPlayer), reason: "rejected", detail: "player_game_boxscore: rows broke threes_within_field_goals" },
      { game_date: DATE, game_id: gameId(badTeam), reason: "source_incomplete", detail: "game_source_checks: no player box score in any source yet" },
    ]);

    const list = await runCli(["quarantine", "list", "--date", DATE, "--json", "--warehouse", warehouse]);
    expect(list.code).toBe(0);
    const held = JSON.parse(list.stdout) as { model: string; rule: string; reason: string; row_count: number }[];
    expect(held).toEqual([expect.objectContaining({ model: "player_game_boxscore", rule: "threes_within_field_goals", row_count: 1 })]);
    const show = await runCli(["quarantine", "show", "--model", "player_game_boxscore", "--date", DATE, "--json", "--warehouse", warehouse]);
    const [shown] = JSON.parse(show.stdout) as { row: { player_lookup: string; three_pt_makes: number } }[];
    expect(shown?.row).toMatchObject({ player_lookup: impossible.player_lookup, three_pt_makes: 9 });

    const published = await queryWarehouse(warehouse, "SELECT COUNT(*) AS players, COUNT(DISTINCT game_id) AS games FROM nba_analytics.player_game_summary");
    expect(published[0]).toEqual({ players: 10, games: 1 });
    const teams = await queryWarehouse(warehouse, "SELECT team_abbr FROM nba_analytics.team_offense_game_summary ORDER BY team_abbr");
    expect(teams.map((row) => row.team_abbr)).toEqual([good.away, good.home].sort());
  });
});
