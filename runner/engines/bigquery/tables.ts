/**
 * The BigQuery engine's datasets and tables: created through the REST API (a time-partitioned,
 * clustered table from its spec) or DDL (a partition expression only DDL can say), brought up to
 * their spec in place (missing columns added), described and listed. REST calls run outside any
 * session; DDL runs as a statement of the engine (engine.ts), so a transaction refuses it.
 */
import { DataFailureError } from "../../errors.ts";
import type { ColumnSpec, StatementContext, TableRef, TableSpec } from "../engine.ts";
import type { BigQuerySettings } from "./config.ts";
import { statementJob, type BigQueryJobs, type JobSpec, type RunResult } from "./jobs.ts";
import type { BigQueryNames } from "./names.ts";
import { jobLabels, labelValue } from "./params.ts";
import { columnType, columnsOf, ddlType, type SchemaField } from "./rows.ts";

interface TableResource {
  schema?: { fields?: SchemaField[] };
}

/** A bare column name, as opposed to an expression such as DATE_TRUNC(col, MONTH). */
const BARE_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The DDL that adds `fields` (as a table resource describes them) to the table named `qualified`:
 * one statement, so all of them or none are added; IF NOT EXISTS keeps it idempotent.
 */
export function addColumnsStatement(qualified: string, fields: SchemaField[]): string {
  const clauses = fields.map((field) => `  ADD COLUMN IF NOT EXISTS \`${field.name}\` ${ddlType(field, false)}`);
  return `ALTER TABLE ${qualified}\n${clauses.join(",\n")}`;
}

/** The stage's DDL options: an explicit expiration `hours` after the statement runs. */
export function stagingTableOptions(hours: number): string {
  return `OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL ${hours} HOUR))`;
}

/**
 * What an existing table lacks of `spec`, and what in it the runner cannot write: a column of
 * another type, or a REQUIRED column the spec does not have (every insert would fail). The first
 * is added in place; the second means the table is someone else's.
 */
export function compareToSpec(fields: SchemaField[], spec: TableSpec): { missing: ColumnSpec[]; conflicts: string[] } {
  const missing = spec.columns.filter((column) => !fields.some((field) => field.name.toLowerCase() === column.name.toLowerCase()));
  const conflicts: string[] = [];
  for (const field of fields) {
    const column = spec.columns.find((candidate) => candidate.name.toLowerCase() === field.name.toLowerCase());
    const repeated = field.mode?.toUpperCase() === "REPEATED";
    if (column && (repeated || columnType(field) !== column.type)) conflicts.push(`${field.name} is ${ddlType(field, false)}, not ${column.type}`);
    if (!column && field.mode?.toUpperCase() === "REQUIRED") conflicts.push(`${field.name} is REQUIRED and not written by the runner`);
  }
  return { missing, conflicts };
}

export class BigQueryTables {
  private readonly knownDatasets = new Set<string>();

  constructor(
    private readonly jobs: BigQueryJobs,
    private readonly settings: BigQuerySettings,
    private readonly names: BigQueryNames,
    /** Runs DDL as a statement of the engine (inside a transaction, it is refused). */
    private readonly statement: (spec: JobSpec) => Promise<RunResult>,
  ) {}

  async ensureDataset(dataset: string): Promise<void> {
    this.jobs.assertOpen();
    if (this.knownDatasets.has(dataset)) return;
    const budget = this.jobs.budget(undefined);
    const projectId = this.settings.dataProject;
    const existing = await this.jobs.request({ method: "GET", uri: `/datasets/${dataset}`, projectId }, { budget, tolerated: "notFound" });
    if (existing === undefined) {
      const staging = dataset === this.settings.stagingDataset;
      // Created meanwhile by a concurrent action or run (409): what we wanted.
      await this.jobs.request(
        {
          method: "POST",
          uri: "/datasets",
          projectId,
          json: {
            datasetReference: { projectId, datasetId: dataset },
            location: this.settings.location,
            ...(staging
              ? {
                  // A run that dies mid-write leaves its stage behind; the dataset's expiry removes it.
                  defaultTableExpirationMs: String(this.settings.stagingExpirationHours * 3_600_000),
                  description: "Scratch tables of the runner's staged writes; they expire on their own.",
                }
              : {}),
          },
        },
        { budget, tolerated: "alreadyExists" },
      );
    }
    this.knownDatasets.add(dataset);
  }

  private async tableResource(ref: TableRef): Promise<TableResource | undefined> {
    this.jobs.assertOpen();
    return this.jobs.request<TableResource>(
      { method: "GET", uri: `/datasets/${ref.dataset}/tables/${ref.table}`, projectId: this.settings.dataProject },
      { tolerated: "notFound" },
    );
  }

  /**
   * Creates the table, or brings an existing one up to `spec`: the columns it lacks are added in
   * place (one ALTER TABLE ... ADD COLUMN IF NOT EXISTS, NULL in its rows), as the DuckDB engine
   * does, so a ledger or quarantine table of an older runner keeps working. A table whose columns
   * contradict the spec (another type, a REQUIRED column the runner does not write) is refused
   * before anything is changed: it is not the runner's table.
   */
  async ensureTable(ref: TableRef, spec: TableSpec): Promise<void> {
    await this.ensureDataset(ref.dataset);
    const existing = await this.tableResource(ref);
    if (existing) {
      await this.evolveTable(ref, existing.schema?.fields ?? [], spec);
      return;
    }
    const partition = spec.partitionBy;
    const partitionColumn = partition && BARE_COLUMN.test(partition) ? spec.columns.find((column) => column.name === partition) : undefined;
    if (partition && !(partitionColumn && (partitionColumn.type === "DATE" || partitionColumn.type === "TIMESTAMP"))) {
      // An expression (or a non-date column): only DDL can say it.
      const columns = spec.columns.map((column) => `  ${column.name} ${column.type}`).join(",\n");
      const cluster = spec.clusterBy?.length ? `\nCLUSTER BY ${spec.clusterBy.join(", ")}` : "";
      await this.ddl(`CREATE TABLE IF NOT EXISTS ${this.names.qualify(ref)} (\n${columns}\n)\nPARTITION BY ${partition}${cluster}`, undefined);
      return;
    }
    const projectId = this.settings.dataProject;
    await this.jobs.request(
      {
        method: "POST",
        uri: `/datasets/${ref.dataset}/tables`,
        projectId,
        json: {
          tableReference: { projectId, datasetId: ref.dataset, tableId: ref.table },
          schema: { fields: spec.columns.map((column) => ({ name: column.name, type: column.type, mode: "NULLABLE", description: column.description })) },
          ...(partitionColumn ? { timePartitioning: { type: "DAY", field: partitionColumn.name } } : {}),
          ...(spec.clusterBy?.length ? { clustering: { fields: spec.clusterBy } } : {}),
          ...(spec.description ? { description: spec.description } : {}),
        },
      },
      { tolerated: "alreadyExists" },
    );
  }

  private async evolveTable(ref: TableRef, fields: SchemaField[], spec: TableSpec): Promise<void> {
    const { missing, conflicts } = compareToSpec(fields, spec);
    const name = `${ref.dataset}.${ref.table}`;
    if (conflicts.length > 0) {
      throw new DataFailureError("table_schema_conflict", `${this.settings.dataProject}.${name} is not a table the runner can write: ${conflicts.join("; ")}`, {
        suggestion:
          "For the ledger or the deliveries, point the runner at a table of its own (bigquery.ledgerTable / bigquery.deliveriesTable in runner.config.json, RUNNER_BIGQUERY_LEDGER_TABLE / RUNNER_BIGQUERY_DELIVERIES_TABLE); otherwise fix or drop the table.",
      });
    }
    if (missing.length === 0) return;
    const added = missing.map((column): SchemaField => ({ name: column.name, type: column.type, mode: "NULLABLE" }));
    await this.statement({
      sql: addColumnsStatement(this.names.qualify(ref), added),
      context: { action: `evolve ${name}` },
      labels: { ...jobLabels(this.settings.labels, undefined), table: labelValue(name) },
      jobName: "evolve",
      readRows: false,
    });
  }

  /** DDL as the engine's execute sends a statement. */
  private async ddl(sql: string, context: StatementContext | undefined): Promise<void> {
    await this.statement(statementJob(this.settings.labels, sql, { context }, false));
  }

  async describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    const table = await this.tableResource(ref);
    return table ? columnsOf(table.schema?.fields ?? []) : undefined;
  }

  async addColumns(ref: TableRef, like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    if (columns.length === 0) return;
    const fields = (await this.tableResource(like))?.schema?.fields ?? [];
    const added = columns.map((name) => {
      const field = fields.find((candidate) => candidate.name === name);
      if (!field) throw new DataFailureError("unknown_columns", `${like.dataset}.${like.table} has no column ${name}`);
      return field;
    });
    await this.ddl(addColumnsStatement(this.names.qualify(ref), added), context);
  }

  async listTables(dataset: string): Promise<string[]> {
    this.jobs.assertOpen();
    const names: string[] = [];
    let pageToken: string | undefined;
    const budget = this.jobs.budget(undefined);
    do {
      const page = await this.jobs.request<{ tables?: { tableReference?: { tableId?: string } }[]; nextPageToken?: string }>(
        {
          method: "GET",
          uri: `/datasets/${dataset}/tables`,
          projectId: this.settings.dataProject,
          qs: { maxResults: 1000, ...(pageToken ? { pageToken } : {}) },
        },
        { budget, tolerated: "notFound" },
      );
      if (!page) return [];
      for (const table of page.tables ?? []) if (table.tableReference?.tableId) names.push(table.tableReference.tableId);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return names.sort();
  }
}
