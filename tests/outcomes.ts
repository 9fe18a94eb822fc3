/**
 * The rows of DESIGN section 6 (the one table of outcomes) as cases: each builds a warehouse (and,
 * where the case needs one, a project copy) and says what the CLI and serve must answer. The CLI
 * test (tests/e2e/outcomes.test.ts) and the serve test (tests/server/outcomes.test.ts) drive the
 * same cases.
 */
import fs from "node:fs";
import path from "node:path";
import { copyProject, editFile, tempDir } from "./helpers.ts";
import { gameId, gameRows, impossibleLineGame, merge, slate, writeRaw, type Game, type RawRows } from "./scenario.ts";

export const DATE = "2025-01-15";
/** The morning after: the date is fresh, no staleness pass. */
export const FRESH = "as_of_date=2025-01-16";
/** Five days later: past boxscore_staleness_days. */
export const STALE = "as_of_date=2025-01-20";

/** A project copy with a blocking post-write check on team_offense_game_summary that finds every row written. */
export function projectWithFailingCheck(): string {
  const project = copyProject();
  fs.writeFileSync(
    path.join(project, "assertions", "post_write", "always_fails.sql.hbs"),
    `{{#check "always_fails" severity="error" models="team_offense_game_summary" reason="a test check that finds every row it looks at"}}
SELECT game_id FROM {{target}} WHERE {{window_column}} BETWEEN @start_date AND @end_date AND {{scope_column}} IN UNNEST(@staged_games)
{{/check}}
`,
  );
  return project;
}

export interface OutcomeCase {
  /** The DESIGN 6 row, in its words. */
  row: string;
  vars: string[];
  /** Extra CLI flags (serve has its own way of saying the same, see serveData). */
  cliFlags?: string[];
  /** Extra fields of the Pub/Sub payload. */
  serveData?: Record<string, unknown>;
  cli: { code: number; outcome: string };
  serve: { status: number; status_text: string };
  /** Ledger statuses the run must record, by action. */
  ledger: Record<string, string>;
  /** Words the ledger message of an action must contain. */
  ledgerMessages?: Record<string, string[]>;
  setup: () => Promise<{ warehouse: string; project?: string }>;
}

function warehouseFile(): string {
  return path.join(tempDir("outcome"), "warehouse.duckdb");
}

async function withRows(rows: RawRows): Promise<{ warehouse: string }> {
  const warehouse = warehouseFile();
  await writeRaw(warehouse, rows);
  return { warehouse };
}

const games = slate(DATE, 7);
const complete = (count: number) => games.slice(0, count).map((game) => gameRows(game));
const missingBoxScores = (game: Game) => gameRows(game, { gamebook: false, teamBoxscore: false });
const [first, second, third] = games as [Game, Game, Game];
const last = games[6] as Game;

export const OUTCOME_CASES: OutcomeCase[] = [
  {
    row: "published",
    vars: [FRESH],
    cli: { code: 0, outcome: "success" },
    serve: { status: 200, status_text: "completed" },
    ledger: { boxscores_complete: "succeeded", team_offense_game_summary: "succeeded", player_game_summary: "succeeded" },
    setup: () => withRows(merge(...complete(3))),
  },
  {
    row: "may still arrive: fresh, coverage under the threshold",
    vars: [FRESH],
    cli: { code: 75, outcome: "not_ready" },
    serve: { status: 500, status_text: "not_ready" },
    ledger: { boxscores_complete: "blocked", player_game_boxscore: "skipped", player_game_summary: "skipped" },
    ledgerMessages: { boxscores_complete: [gameId(second), gameId(third)] },
    setup: () => withRows(merge(gameRows(first), missingBoxScores(second), missingBoxScores(third))),
  },
  {
    row: "bypassed: after the staleness window",
    vars: [STALE],
    cli: { code: 0, outcome: "warnings" },
    serve: { status: 200, status_text: "completed_with_warnings" },
    ledger: { boxscores_complete: "bypassed", player_game_summary: "succeeded" },
    ledgerMessages: { boxscores_complete: [gameId(second), gameId(third), "staleness"] },
    setup: () => withRows(merge(gameRows(first), missingBoxScores(second), missingBoxScores(third))),
  },
  {
    row: "bypassed: above the coverage threshold",
    vars: [FRESH],
    cli: { code: 0, outcome: "warnings" },
    serve: { status: 200, status_text: "completed_with_warnings" },
    ledger: { boxscores_complete: "bypassed", player_game_summary: "succeeded" },
    ledgerMessages: { boxscores_complete: [gameId(last), "coverage: 85.7 percent"] },
    setup: () => withRows(merge(...complete(6), missingBoxScores(last))),
  },
  {
    row: "gates ignored (--ignore-gates / backfill_mode)",
    vars: [FRESH],
    cliFlags: ["--ignore-gates"],
    serveData: { backfill_mode: true },
    cli: { code: 0, outcome: "warnings" },
    serve: { status: 200, status_text: "completed_with_warnings" },
    ledger: { boxscores_complete: "ignored", team_offense_complete: "ignored", player_game_summary: "succeeded" },
    setup: () => withRows(merge(gameRows(first), missingBoxScores(second))),
  },
  {
    row: "rejected: a row broke an error rule",
    vars: [FRESH],
    cli: { code: 1, outcome: "failed" },
    serve: { status: 200, status_text: "failed" },
    ledger: { player_game_boxscore: "failed", team_offense_game_summary: "succeeded", player_game_summary: "succeeded" },
    ledgerMessages: { player_game_boxscore: [gameId(second), "threes_within_field_goals"] },
    setup: () => withRows(merge(gameRows(first), impossibleLineGame(second))),
  },
  {
    row: "a blocking post-write check failed",
    vars: [FRESH],
    cli: { code: 1, outcome: "failed" },
    serve: { status: 200, status_text: "failed" },
    ledger: { team_offense_game_summary: "failed", team_defense_game_summary: "succeeded", player_game_summary: "skipped" },
    ledgerMessages: { team_offense_game_summary: ["always_fails", "rolled back"] },
    setup: async () => {
      return { ...(await withRows(merge(...complete(2)))), project: projectWithFailingCheck() };
    },
  },
  {
    row: "a model errored",
    vars: [FRESH],
    cli: { code: 1, outcome: "failed" },
    serve: { status: 200, status_text: "failed" },
    ledger: { team_offense_game_summary: "failed", team_offense_complete: "skipped", player_game_summary: "skipped", team_defense_game_summary: "succeeded" },
    ledgerMessages: { team_offense_game_summary: ["no_such_column"] },
    setup: async () => {
      const project = copyProject();
      editFile(path.join(project, "definitions", "analytics", "team_offense_game_summary.sqlx"), "points AS points_scored", "no_such_column AS points_scored");
      return { ...(await withRows(merge(...complete(2)))), project };
    },
  },
];
