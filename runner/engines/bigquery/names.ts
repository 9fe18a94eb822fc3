/**
 * How the BigQuery engine names tables in SQL, as plain functions: the dry run, the SQL-validity
 * check and the engine itself share them.
 */
import type { TableRef } from "../engine.ts";

/** BigQuery table names: letters, digits and underscores here (1,024 characters at most). */
export function stagingTableName(action: string, runId: string): string {
  return `${action}__${runId}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 1024);
}

export interface BigQueryNames {
  qualify(ref: TableRef): string;
  stagingTable(action: string, runId: string): TableRef;
}

/** `project.dataset.table` in backticks; staging tables in the scratch dataset. */
export function bigQueryNames(dataProject: string, stagingDataset: string): BigQueryNames {
  return {
    qualify: (ref) => `\`${dataProject}.${ref.dataset}.${ref.table}\``,
    stagingTable: (action, runId) => ({ dataset: stagingDataset, table: stagingTableName(action, runId) }),
  };
}
