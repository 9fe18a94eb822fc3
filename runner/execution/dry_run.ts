/**
 * `--dry-run` on the local warehouse: the plan and the SQL a run would send, nothing executed and
 * nothing written. The statements come from the same builders a real run uses; the MERGE column
 * list is the model's documented columns (a test keeps them equal to what the model outputs). On
 * BigQuery the dry run instead executes the plan against dry-run jobs, every statement of it
 * estimated (runner/engines/bigquery/dry_run.ts).
 */
import type { RunDates } from "../dates.ts";
import type { Action } from "../plan/actions.ts";
import type { Plan } from "../plan/plan.ts";
import { createTargetStatement, mergeStatement, stageStatement, type SqlNames } from "./statements.ts";
import { targetOf } from "./write.ts";

export interface PlannedStatement {
  action: string;
  level: number;
  role: Action["role"];
  statements: { purpose: string; sql: string }[];
}

/** BigQuery-style names for a dry run that opens no warehouse. */
export const DRY_RUN_NAMES: SqlNames = {
  qualify: (ref) => `\`${ref.dataset}.${ref.table}\``,
  stagingTable: (action, runId) => ({ dataset: "runner_staging", table: `${action}__${runId}` }),
};

export function plannedStatements(plan: Plan, dates: RunDates, names: SqlNames = DRY_RUN_NAMES): PlannedStatement[] {
  return plan.levels.flatMap((actions, level) =>
    actions.map((action) => {
      const statements: { purpose: string; sql: string }[] = [];
      if (action.role === "gate" || action.role === "assertion") {
        statements.push({ purpose: action.role === "gate" ? "readiness check (rows = not ready)" : "assertion (rows = failure)", sql: action.query });
      } else if (action.kind === "incremental") {
        const target = targetOf(action);
        const stage = names.stagingTable(action.name, "dry_run");
        const windowColumn = action.partitionBy ?? "game_date";
        statements.push({ purpose: "stage", sql: stageStatement(names, stage, action.incrementalQuery ?? action.query) });
        statements.push({
          purpose: "create target if missing",
          // No stage exists to ask which columns the engine holds wider than INT64 (none on BigQuery).
          sql: createTargetStatement(names, target, stage, { partitionBy: action.partitionBy, clusterBy: action.clusterBy, requirePartitionFilter: action.requirePartitionFilter }, false, []),
        });
        statements.push({
          purpose: `publish (@start_date = @end_date = ${dates.start}, @staged_games = games in the stage)`,
          sql: mergeStatement(names, { target, stage, uniqueKey: action.uniqueKey, columns: action.columns.map((column) => column.name), windowColumn }),
        });
      } else {
        statements.push({ purpose: `create or replace ${action.kind}`, sql: `CREATE OR REPLACE ${action.kind.toUpperCase()} ${names.qualify(targetOf(action))} AS\n${action.query}` });
      }
      return { action: action.name, level, role: action.role, statements };
    }),
  );
}
