/**
 * Whether a date has games at all: rows in the schedule or box score rows in any raw source. A
 * date with neither (off day, All-Star break, off-season) is answered 200 `skipped` without a run,
 * as the original service's early exit does (spec 1.4). Tables are found through the project's
 * declarations, so the check reads the same raw tables the models do.
 */
import { param, type Engine, type TableRef } from "../engines/engine.ts";
import type { ProjectGraph } from "../plan/actions.ts";

export const SCHEDULE_TABLE = "nbac_schedule";
export const BOXSCORE_TABLES = ["nbac_gamebook_player_stats", "nbac_player_boxscores", "bdl_player_boxscores", "nbac_team_boxscore"];

export interface GamesOnDate {
  scheduled: number;
  boxscoreRows: number;
}

function declared(graph: ProjectGraph, table: string): TableRef | undefined {
  const declaration = [...graph.declarations.values()].find((candidate) => candidate.target.name === table);
  return declaration ? { dataset: declaration.target.schema, table: declaration.target.name } : undefined;
}

export async function gamesOnDate(engine: Engine, graph: ProjectGraph, gameDate: string): Promise<GamesOnDate> {
  const tables: { role: "schedule" | "boxscore"; ref: TableRef }[] = [];
  for (const [role, names] of [
    ["schedule", [SCHEDULE_TABLE]],
    ["boxscore", BOXSCORE_TABLES],
  ] as const) {
    for (const name of names) {
      const ref = declared(graph, name);
      // A raw table that was never loaded has no rows for the date.
      if (ref && (await engine.describeTable(ref))) tables.push({ role, ref });
    }
  }
  if (tables.length === 0) return { scheduled: 0, boxscoreRows: 0 };
  const counts = tables
    .map(({ role, ref }) => `SELECT '${role}' AS role, COUNT(*) AS row_count FROM ${engine.qualify(ref)} WHERE game_date = @game_date`)
    .join("\nUNION ALL\n");
  const rows = await engine.query<{ role: string; row_count: number }>(`SELECT role, SUM(row_count) AS row_count FROM (\n${counts}\n) AS counts GROUP BY role`, {
    params: { game_date: param.date(gameDate) },
    context: { gameDate },
  });
  const count = (role: string) => Number(rows.find((row) => row.role === role)?.row_count ?? 0);
  return { scheduled: count("schedule"), boxscoreRows: count("boxscore") };
}
