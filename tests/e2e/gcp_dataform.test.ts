/**
 * The repository as GCP Dataform runs it: compiled by the official @dataform/cli with no vars at
 * all (a scheduled workflow), the run window defaults by model kind (spec 1.4): yesterday in New
 * York for the game models and their gates, today for the upcoming-context models and theirs;
 * every incremental model restricts Dataform's own MERGE to that window (updatePartitionFilter,
 * spec 7).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addDays } from "../../runner/dates.ts";
import { todayIn } from "../../runner/project_constants.ts";
import { ROOT } from "../helpers.ts";

interface OfficialAction {
  target: { name: string };
  query?: string;
  bigquery?: { partitionBy?: string; updatePartitionFilter?: string };
  type?: string;
}

interface OfficialGraph {
  tables?: OfficialAction[];
  assertions?: OfficialAction[];
  graphErrors?: { compilationErrors?: { message?: string }[] };
}

function officialCompile(vars: Record<string, string>): Promise<OfficialGraph> {
  const cli = path.join(ROOT, "node_modules", ".bin", "dataform");
  const varsArgument = Object.entries(vars).map(([key, value]) => `${key}=${value}`).join(",");
  const args = ["compile", "--json", ...(varsArgument ? [`--vars=${varsArgument}`] : []), ROOT];
  return new Promise((resolve, reject) => {
    execFile(cli, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`dataform compile failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as OfficialGraph);
    });
  });
}

/** The upcoming-context models and their gates; every other model and gate is a game one. */
const UPCOMING = new Set(["nbac_schedule_latest", "upcoming_team_game_context", "upcoming_player_game_context", "schedule_available", "player_history_complete"]);
const GATES = ["boxscores_complete", "team_offense_complete", "schedule_available", "player_history_complete"];

const window = (date: string) => `BETWEEN DATE '${date}' AND DATE '${date}'`;

/** Compiles with no vars; the expected dates are taken around it, so a compile across midnight in New York is retried. */
async function compileWithoutVars(): Promise<{ graph: OfficialGraph; today: string; yesterday: string }> {
  for (;;) {
    const before = todayIn("America/New_York");
    const graph = await officialCompile({});
    if (todayIn("America/New_York") === before) return { graph, today: before, yesterday: addDays(before, -1) };
  }
}

describe("GCP Dataform: the official CLI compiles the repository as it is", () => {
  it("with no vars: game models on yesterday in New York, upcoming-context models on today, updatePartitionFilter on each", async () => {
    const { graph, today, yesterday } = await compileWithoutVars();
    expect(graph.graphErrors?.compilationErrors ?? []).toEqual([]);
    const tables = graph.tables ?? [];
    expect(tables.length).toBe(11);
    for (const table of tables) {
      const date = UPCOMING.has(table.target.name) ? today : yesterday;
      expect(table.type, table.target.name).toBe("incremental");
      // The model's own window and Dataform's MERGE filter are the same dates.
      expect(table.query, table.target.name).toContain(window(date));
      expect(table.bigquery?.updatePartitionFilter, table.target.name).toBe(`game_date ${window(date)}`);
      expect(table.bigquery?.partitionBy, table.target.name).toBe("game_date");
    }
    // Never the other kind's date.
    for (const name of ["team_offense_game_summary", "player_game_summary"]) {
      expect(tables.find((table) => table.target.name === name)?.query).not.toContain(`DATE '${today}'`);
    }
    expect(tables.find((table) => table.target.name === "upcoming_team_game_context")?.query).not.toContain(window(yesterday));

    const assertions = graph.assertions ?? [];
    for (const gate of GATES) {
      const query = assertions.find((assertion) => assertion.target.name === gate)?.query ?? "";
      const date = UPCOMING.has(gate) ? today : yesterday;
      // player_history_complete reads the history before D, up to DATE_SUB(D, 1 day), and D's own row.
      expect(query, gate).toContain(`DATE '${date}'`);
      if (gate === "player_history_complete") expect(query).toContain(`DATE_SUB(DATE '${today}', INTERVAL 1 DAY)`);
    }
  });

  it("with start_date and end_date: both kinds run those dates", async () => {
    const graph = await officialCompile({ start_date: "2025-01-14", end_date: "2025-01-15" });
    expect(graph.graphErrors?.compilationErrors ?? []).toEqual([]);
    for (const table of graph.tables ?? []) {
      expect(table.query, table.target.name).toContain("BETWEEN DATE '2025-01-14' AND DATE '2025-01-15'");
      expect(table.bigquery?.updatePartitionFilter, table.target.name).toBe("game_date BETWEEN DATE '2025-01-14' AND DATE '2025-01-15'");
    }
  });

  it("fails the compile, naming the var, when only one of start_date and end_date is given", async () => {
    await expect(officialCompile({ start_date: "2025-01-15" })).rejects.toThrow("var end_date is not set: give both start_date and end_date, or neither");
  });
});
