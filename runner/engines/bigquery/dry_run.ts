/**
 * `runner run --target bigquery --dry-run`, and the budget check before a real run: every
 * statement a run of the plan sends, each estimated by a BigQuery dry-run job, with the bytes it
 * would process and what BigQuery would bill for it, per action and in total; a budget
 * (--max-bytes) on the billed total refuses the run before anything executes.
 *
 * Every statement, not a list kept beside the run's: the plan is executed as a run executes it
 * (executor.ts, write.ts, the pre- and post-write checks, the ledger) against a DryRunEngine,
 * which sends each statement as a dry-run job instead of running it, answers every query with no
 * rows and writes nothing. So the estimate holds the gates, the assertions, the stage, the
 * checks on it, the publish MERGE, the record of held-back games, the post-write checks and the
 * ledger's inserts, as the run would send them. With no rows, it is the run in which no rule
 * rejects a row and no game is held back: the statements only rejected rows cause (quarantine,
 * removing games from the stage) are not in it, and are small.
 *
 * The run's scratch tables (stages, and the table a --full-refresh rebuilds) exist only during
 * the run, and BigQuery does not dry-run a statement that reads a missing table. So:
 * - a scratch table's CREATE TABLE ... AS is estimated as its query (what CTAS bills);
 * - the publish MERGE reads the model's query inlined in place of the stage, as the official
 *   Dataform CLI's incremental MERGE reads it (`USING (query)`): what the MERGE and its query cost;
 * - any other statement reads an empty table of the stage's columns in its place (their types
 *   from the dry run of the stage's query): the bytes it reads of other tables (the target's
 *   partitions) are BigQuery's estimate, the stage is one more table referenced, and its own few
 *   bytes are known only during the run;
 * - DML on a scratch table is not dry-run (nothing to dry-run it on): billed at the minimum.
 * A statement reading a table that does not exist yet (a model's first run) is listed as not
 * estimated, with BigQuery's reason; one BigQuery refuses (syntax, a missing partition filter) is
 * an error: the run would fail.
 *
 * Billed (on-demand pricing): the bytes processed rounded up to the MiB, and at least 10 MiB per
 * table the statement references (BIGQUERY_MIN_BILLED_PER_TABLE); DDL is free.
 */
import { PROJECT_DIR } from "../../compile/compile.ts";
import { defenseChecks } from "../../checks/defense.ts";
import { rangeOf, type RunDates } from "../../dates.ts";
import { BadInputError, DataFailureError } from "../../errors.ts";
import { executePlan } from "../../execution/executor.ts";
import { stageStatement } from "../../execution/statements.ts";
import { targetOf, type WriteChecks } from "../../execution/write.ts";
import { ledgerTable } from "../../ledger/ledger.ts";
import { Logger } from "../../log.ts";
import type { Action } from "../../plan/actions.ts";
import type { Plan } from "../../plan/plan.ts";
import type { ColumnSpec, Engine, ExecuteResult, Row, StatementContext, StatementOptions, TableRef, TableSpec } from "../engine.ts";
import { formatBytes } from "./config.ts";
import { BigQueryEngine } from "./engine.ts";
import { columnsOf, ddlType, type SchemaField } from "./rows.ts";

/** The run id the dry run names its scratch tables with. */
const DRY_RUN_ID = "dry_run";
const MiB = 1024 * 1024;
/** On-demand pricing bills at least 10 MB (MiB: BigQuery's MB are binary) per table a statement references. */
export const BIGQUERY_MIN_BILLED_PER_TABLE = 10 * MiB;

/** What BigQuery bills for a statement processing `bytes` over `tables` referenced tables. */
export function billedBytes(bytes: number, tables: number): number {
  return Math.max(Math.ceil(bytes / MiB) * MiB, tables * BIGQUERY_MIN_BILLED_PER_TABLE);
}

export interface StatementEstimate {
  purpose: string;
  sql: string;
  /** Bytes processed, or undefined when the statement could not be estimated. */
  bytes: number | undefined;
  /** What BigQuery would bill: bytes rounded up to the MiB, at least 10 MiB per table referenced. */
  billedBytes: number | undefined;
  /** The tables it references (`project.dataset.table`), a scratch table included. */
  tables: string[];
  /** Why it was not estimated, or how (a statement on the stage). */
  note: string | undefined;
  /** A real problem BigQuery found (syntax, permission, a missing partition filter): the run would fail. */
  error: string | undefined;
}

export interface ActionEstimate {
  action: string;
  level: number;
  /** The action's role, or "runner" for the runner's own statements (the ledger's inserts). */
  role: string;
  bytes: number;
  billedBytes: number;
  statements: StatementEstimate[];
}

export interface DryRunEstimate {
  project: string;
  location: string;
  dates: { gameDate: string; actions: ActionEstimate[] }[];
  totalBytes: number;
  totalBilledBytes: number;
  estimated: number;
  notEstimated: number;
  errors: number;
  /** The budget, compared with the billed total. */
  budgetBytes: number | undefined;
  overBudget: boolean;
}

export interface DryRunDay {
  gameDate: string;
  plan: Plan;
  /** The run's window when it is not the single date (a --full-refresh window). */
  window?: RunDates;
}

export interface DryRunOptions {
  /** The project whose checks run (assertions/): PROJECT_DIR by default. */
  projectDir?: string | undefined;
  fullRefresh?: boolean | undefined;
  ignoreGates?: boolean | undefined;
}

/** The runner's own statements, grouped under this name (the ledger's inserts, one per level). */
const RUNNER_ACTION = "runner ledger";

interface Recorded {
  action: string;
  estimate: StatementEstimate;
}

interface Scratch {
  /** The query that fills it, with the scratch tables it reads inlined. */
  query: string;
  /** Its columns, from the dry run of the query; undefined when the query could not be dry-run. */
  fields: SchemaField[] | undefined;
}

const CREATE_TABLE = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`[^`]+`)/i;
const DML_TARGET = /^\s*(?:INSERT\s+(?:INTO\s+)?|DELETE\s+(?:FROM\s+)?|UPDATE\s+|MERGE\s+(?:INTO\s+)?)(`[^`]+`)/i;
const DDL_ONLY = /^\s*(?:DROP|ALTER)\b/i;

/** A relation with a table's columns and no rows, for a statement to read in the table's place. */
function emptyRelation(fields: SchemaField[]): string {
  const columns = fields.map((field) => `\`${field.name}\` ${ddlType(field, false)}`).join(", ");
  return `(SELECT * FROM UNNEST(ARRAY<STRUCT<${columns}>>[]))`;
}

/** `project.dataset.table` from a backquoted name. */
const unquote = (qualified: string) => qualified.replace(/`/g, "");

/**
 * An engine that runs nothing: each statement becomes a dry-run job on BigQuery, recorded with
 * its estimate; queries return no rows; metadata is read (does a target exist, with which
 * columns) but never written.
 */
class DryRunEngine implements Engine {
  readonly name = "bigquery" as const;
  readonly recorded: Recorded[] = [];
  private readonly scratch = new Map<string, Scratch>();
  private readonly roles: Map<string, Action["role"]>;
  /** Each model's stage (qualified) -> the model. */
  private readonly stageOf: Map<string, Action>;

  constructor(
    private readonly real: BigQueryEngine,
    plan: Plan,
  ) {
    const actions = plan.levels.flat();
    this.roles = new Map(actions.map((action) => [action.name, action.role]));
    this.stageOf = new Map(actions.map((action) => [real.qualify(real.stagingTable(action.name, DRY_RUN_ID)), action]));
  }

  get runnerTables() {
    return this.real.runnerTables;
  }

  qualify(ref: TableRef): string {
    return this.real.qualify(ref);
  }

  stagingTable(action: string, runId: string): TableRef {
    return this.real.stagingTable(action, runId);
  }

  stagingTableOptions(): string {
    return this.real.stagingTableOptions?.() ?? "";
  }

  private isScratch(qualified: string): boolean {
    const dataset = this.real.stagingTable("scratch", DRY_RUN_ID).dataset;
    return unquote(qualified).split(".").at(-2) === dataset;
  }

  private record(context: StatementContext | undefined, estimate: Omit<StatementEstimate, "purpose"> & { purpose?: string }): void {
    const action = context?.action && this.roles.has(context.action) ? context.action : RUNNER_ACTION;
    this.recorded.push({ action, estimate: { ...estimate, purpose: estimate.purpose ?? this.purposeOf(action, estimate.sql, estimate.tables) } });
  }

  /** What a statement is for, in a few words: by the action's role, else by its kind and the tables it reads. */
  private purposeOf(action: string, sql: string, tables: string[]): string {
    const role = this.roles.get(action);
    if (role === "gate") return "readiness check (rows = not ready)";
    if (role === "assertion") return "assertion (rows = failure)";
    if (role === "operation") return "operation";
    const short = (qualified: string) => unquote(qualified).split(".").slice(-2).join(".");
    const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "";
    if (keyword === "MERGE") return "publish (MERGE, the model's query as its source)";
    const target = (keyword === "CREATE" ? CREATE_TABLE : DML_TARGET).exec(sql)?.[1];
    if (["CREATE", "DROP", "ALTER", "INSERT", "DELETE", "UPDATE"].includes(keyword)) {
      const named = target ?? /`[^`]+`/.exec(sql)?.[0];
      return `${keyword.toLowerCase()}${named ? ` ${short(named)}` : ""}`;
    }
    const stage = [...this.scratch.keys()].some((name) => sql.includes(name));
    const others = tables.filter((table) => !this.isScratch(table)).map(short);
    return `query (${[...(stage ? ["the stage"] : []), ...others].join(", ") || "no table"})`;
  }

  /**
   * The statement as it can be dry-run: scratch tables replaced by their query (the MERGE) or by
   * an empty relation of their columns; undefined, with the reason, when a scratch table it
   * reads has no known columns.
   */
  private dryRunnable(sql: string, inline: boolean): { sql: string; scratchRead: string[] } | { missing: string } {
    let text = sql;
    const read: string[] = [];
    for (const [name, table] of this.scratch) {
      if (!text.includes(name)) continue;
      read.push(unquote(name));
      if (inline) text = text.split(name).join(`(\n${table.query}\n)`);
      else if (table.fields) text = text.split(name).join(emptyRelation(table.fields));
      else return { missing: unquote(name) };
    }
    return { sql: text, scratchRead: read };
  }

  /** Dry-runs `sql`; `extraTables` are referenced without BigQuery listing them (a scratch table, an INSERT's target). */
  private async estimate(sql: string, options: StatementOptions | undefined, extraTables: string[]): Promise<{ estimate: Omit<StatementEstimate, "purpose" | "sql">; schema: SchemaField[] | undefined }> {
    try {
      const stats = await this.real.dryRun(sql, options);
      const tables = [...new Set([...stats.referencedTables, ...extraTables])];
      return {
        estimate: { bytes: stats.bytesProcessed, billedBytes: billedBytes(stats.bytesProcessed, tables.length), tables, note: undefined, error: undefined },
        schema: stats.schema,
      };
    } catch (error) {
      if (!(error instanceof DataFailureError)) throw error;
      const action = options?.context?.action;
      const unknown = { bytes: undefined, billedBytes: undefined, tables: extraTables };
      // A table the run creates before this statement (a model's first run) is missing now.
      if (error.code === "bigquery_not_found") {
        return { estimate: { ...unknown, note: action ? error.message.replace(`${action}: `, "") : error.message, error: undefined }, schema: undefined };
      }
      return { estimate: { ...unknown, note: undefined, error: error.message }, schema: undefined };
    }
  }

  /**
   * A scratch table's CREATE TABLE ... AS (the stage, a --full-refresh's rebuilt table): estimated
   * as its query, whose dry run also gives the table's columns for the statements that read it.
   */
  private async createScratch(created: string, sql: string, options: StatementOptions | undefined): Promise<void> {
    const context = options?.context;
    const action = this.stageOf.get(created);
    const prefix = action ? stageStatement(this.real, this.real.stagingTable(action.name, DRY_RUN_ID), "") : undefined;
    const at = sql.indexOf(" AS\n");
    const query = prefix && sql.startsWith(prefix) ? sql.slice(prefix.length) : at >= 0 ? sql.slice(at + " AS\n".length) : sql;
    const purpose = action ? "stage (the model's query)" : `create ${unquote(created).split(".").slice(-2).join(".")}`;
    const inlined = this.dryRunnable(query, true);
    const entry: Scratch = { query: "sql" in inlined ? inlined.sql : query, fields: undefined };
    this.scratch.set(created, entry);
    const readable = this.dryRunnable(query, false);
    if ("missing" in readable) {
      this.record(context, { sql, purpose, bytes: undefined, billedBytes: undefined, tables: [], note: `reads ${readable.missing}, whose columns are unknown`, error: undefined });
      return;
    }
    const { estimate, schema } = await this.estimate(readable.sql, options, readable.scratchRead);
    entry.fields = schema && schema.length > 0 ? schema : undefined;
    this.record(context, { sql, purpose, ...estimate });
  }

  private async statement(sql: string, options: StatementOptions | undefined): Promise<void> {
    const context = options?.context;
    if (DDL_ONLY.test(sql)) {
      this.record(context, { sql, bytes: 0, billedBytes: 0, tables: [], note: "DDL: not billed", error: undefined });
      return;
    }
    const created = CREATE_TABLE.exec(sql)?.[1];
    if (created && this.isScratch(created)) {
      await this.createScratch(created, sql, options);
      return;
    }
    const target = DML_TARGET.exec(sql)?.[1];
    const select = sql.search(/\nSELECT\b/);
    if (target && this.isScratch(target) && /^\s*INSERT\b/i.test(sql) && select >= 0) {
      // Rows copied into a scratch table (a --full-refresh keeping the other dates): what the SELECT reads.
      const runnable = this.dryRunnable(sql.slice(select + 1), false);
      if ("sql" in runnable) {
        const { estimate } = await this.estimate(runnable.sql, options, [unquote(target), ...runnable.scratchRead]);
        this.record(context, { sql, ...estimate });
        return;
      }
    }
    if (target && this.isScratch(target) && !/^\s*MERGE\b/i.test(sql)) {
      // DML on a scratch table: BigQuery cannot dry-run it before the table exists.
      this.record(context, {
        sql,
        bytes: undefined,
        billedBytes: BIGQUERY_MIN_BILLED_PER_TABLE,
        tables: [unquote(target)],
        note: "on the run's scratch table: its bytes are known only during the run; billed at BigQuery's minimum",
        error: undefined,
      });
      return;
    }
    const merge = /^\s*MERGE\b/i.test(sql);
    const runnable = this.dryRunnable(sql, merge);
    if ("missing" in runnable) {
      this.record(context, { sql, bytes: undefined, billedBytes: undefined, tables: [], note: `reads ${runnable.missing}, whose columns are unknown`, error: undefined });
      return;
    }
    const { estimate } = await this.estimate(runnable.sql, options, merge ? [] : runnable.scratchRead);
    this.record(context, { sql, ...estimate });
  }

  async execute(sql: string, options?: StatementOptions): Promise<ExecuteResult> {
    await this.statement(sql, options);
    return { rowsAffected: 0 };
  }

  async query<T extends Row = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    await this.statement(sql, options);
    return [];
  }

  async ensureDataset(): Promise<void> {}

  async ensureTable(_ref: TableRef, _spec: TableSpec): Promise<void> {}

  async describeTable(ref: TableRef): Promise<ColumnSpec[] | undefined> {
    const qualified = this.real.qualify(ref);
    const scratch = this.scratch.get(qualified);
    if (!scratch) return this.real.describeTable(ref);
    if (scratch.fields) return columnsOf(scratch.fields);
    // A stage whose query could not be dry-run: the columns the model has (its table's, else its documented ones).
    const action = this.stageOf.get(qualified);
    if (!action) return undefined;
    const existing = await this.real.describeTable(targetOf(action));
    return existing ?? action.columns.map((column) => ({ name: column.name, type: "STRING" }));
  }

  async addColumns(ref: TableRef, _like: TableRef, columns: string[], context?: StatementContext): Promise<void> {
    this.record(context, { sql: `ALTER TABLE ${this.real.qualify(ref)} ADD COLUMN ${columns.join(", ")}`, purpose: "add columns", bytes: 0, billedBytes: 0, tables: [], note: "DDL: not billed", error: undefined });
  }

  listTables(dataset: string): Promise<string[]> {
    return this.real.listTables(dataset);
  }

  /** The engine's INSERT ... SELECT FROM UNNEST(@rows), with an empty typed array for the rows. */
  async insertRows(ref: TableRef, columns: ColumnSpec[], rows: Record<string, unknown>[], context?: StatementContext): Promise<void> {
    if (rows.length === 0) return;
    const names = columns.map((column) => column.name);
    const select = columns.map((column) => (column.type === "JSON" ? `PARSE_JSON(${column.name}) AS ${column.name}` : column.name)).join(", ");
    const struct = columns.map((column) => `${column.name} ${column.type === "JSON" ? "STRING" : column.type}`).join(", ");
    const sql = `INSERT INTO ${this.real.qualify(ref)} (${names.join(", ")})\nSELECT ${select}\nFROM UNNEST(ARRAY<STRUCT<${struct}>>[])`;
    const { estimate } = await this.estimate(sql, { context: { ...context, action: context?.action ?? "insert" } }, [unquote(this.real.qualify(ref))]);
    // The ledger's rows are the runner's (one insert per level); others (held-back games) the action's.
    const ledger = this.real.qualify(ledgerTable(this)) === this.real.qualify(ref);
    const purpose = ledger ? `ledger: ${rows.length} row(s)` : `insert ${rows.length} row(s) into ${ref.dataset}.${ref.table}`;
    const action = !ledger && context?.action && this.roles.has(context.action) ? context.action : RUNNER_ACTION;
    this.recorded.push({ action, estimate: { purpose, sql, ...estimate } });
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {}
}

/** Dry-runs every statement a run of the plans (one per date) would send, on BigQuery. */
export async function estimateDryRun(engine: Engine, days: DryRunDay[], options: DryRunOptions = {}): Promise<DryRunEstimate> {
  if (!(engine instanceof BigQueryEngine)) {
    throw new BadInputError("dry_run_estimate_needs_bigquery", "byte estimates need --target bigquery");
  }
  const checks: WriteChecks = defenseChecks(options.projectDir ?? PROJECT_DIR);
  const quiet = new Logger({}, () => {});
  const dates: DryRunEstimate["dates"] = [];
  for (const day of days) {
    const dryRun = new DryRunEngine(engine, day.plan);
    const outcomes = await executePlan(
      {
        engine: dryRun,
        runId: DRY_RUN_ID,
        trigger: "dry_run",
        dates: day.window ?? rangeOf(day.gameDate, day.gameDate),
        fullRefresh: Boolean(options.fullRefresh),
        ignoreGates: Boolean(options.ignoreGates),
        concurrency: 4,
        checks,
        log: quiet,
      },
      day.plan,
    );
    // An action the dry run could not follow (not a statement BigQuery refused): the estimate is incomplete.
    for (const outcome of outcomes.filter((candidate) => (candidate.status === "failed" || candidate.status === "blocked") && candidate.message)) {
      if (dryRun.recorded.some((entry) => entry.action === outcome.action && entry.estimate.error)) continue;
      dryRun.recorded.push({
        action: outcome.action,
        estimate: { purpose: "dry run", sql: "", bytes: undefined, billedBytes: undefined, tables: [], note: undefined, error: `the dry run could not follow it: ${outcome.message}` },
      });
    }
    const actions: { action: string; level: number; role: string }[] = day.plan.levels.flatMap((level, index) =>
      level.map((action) => ({ action: action.name, level: index, role: action.role })),
    );
    if (dryRun.recorded.some((entry) => entry.action === RUNNER_ACTION)) actions.push({ action: RUNNER_ACTION, level: day.plan.levels.length - 1, role: "runner" });
    dates.push({
      gameDate: day.gameDate,
      actions: actions.map((action) => {
        const statements = dryRun.recorded.filter((entry) => entry.action === action.action).map((entry) => entry.estimate);
        const sum = (value: (statement: StatementEstimate) => number | undefined) => statements.reduce((total, statement) => total + (value(statement) ?? 0), 0);
        return { ...action, bytes: sum((statement) => statement.bytes), billedBytes: sum((statement) => statement.billedBytes), statements };
      }),
    });
  }
  const statements = dates.flatMap((date) => date.actions.flatMap((action) => action.statements));
  const totalBytes = statements.reduce((sum, statement) => sum + (statement.bytes ?? 0), 0);
  const totalBilledBytes = statements.reduce((sum, statement) => sum + (statement.billedBytes ?? 0), 0);
  const budgetBytes = engine.settings.maxBytesEstimate;
  return {
    project: engine.settings.project,
    location: engine.settings.location,
    dates,
    totalBytes,
    totalBilledBytes,
    estimated: statements.filter((statement) => statement.bytes !== undefined).length,
    notEstimated: statements.filter((statement) => statement.bytes === undefined && statement.error === undefined).length,
    errors: statements.filter((statement) => statement.error !== undefined).length,
    budgetBytes,
    overBudget: budgetBytes !== undefined && totalBilledBytes > budgetBytes,
  };
}

function bytesText(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes.toLocaleString("en-US")} bytes)`;
}

export function estimateText(estimate: DryRunEstimate): string {
  const lines: string[] = [];
  for (const date of estimate.dates) {
    lines.push(
      `BigQuery dry run for ${date.gameDate} (project ${estimate.project}, location ${estimate.location}): ` +
        `per action, the statements it sends, the bytes they process and what BigQuery bills (at least ${formatBytes(BIGQUERY_MIN_BILLED_PER_TABLE)} per table a statement references)`,
    );
    const width = Math.max(...date.actions.map((action) => action.action.length));
    for (const action of date.actions) {
      const counted = action.statements.some((statement) => statement.bytes !== undefined);
      const processed = counted ? formatBytes(action.bytes) : "-";
      lines.push(
        `  level ${action.level}  ${action.action.padEnd(width)}  ${String(action.statements.length).padStart(2)} statements  processed ${processed.padStart(9)}  billed ${formatBytes(action.billedBytes).padStart(9)}`,
      );
      // One line per reason: "publish, check (reads the stage): not estimated, Not found: Table ...".
      const reasons = new Map<string, string[]>();
      for (const statement of action.statements.filter((candidate) => candidate.bytes === undefined)) {
        const reason = statement.error ? `ERROR ${statement.error}` : `not estimated, ${statement.note}`;
        const purpose = statement.purpose.split(" (")[0] ?? statement.purpose;
        const purposes = reasons.get(reason) ?? [];
        if (!purposes.includes(purpose)) purposes.push(purpose);
        reasons.set(reason, purposes);
      }
      for (const [reason, purposes] of reasons) lines.push(`      ${purposes.join(", ")}: ${reason}`);
    }
  }
  lines.push(
    `Total: ${bytesText(estimate.totalBytes)} processed, ${bytesText(estimate.totalBilledBytes)} billed, for ${estimate.estimated} statement(s) estimated` +
      (estimate.notEstimated ? `; ${estimate.notEstimated} not estimated (they read tables that exist only during or after the run)` : ""),
  );
  if (estimate.budgetBytes !== undefined) {
    lines.push(
      estimate.overBudget
        ? `Budget: ${bytesText(estimate.budgetBytes)}: the billed estimate EXCEEDS it; nothing was run.`
        : `Budget: ${bytesText(estimate.budgetBytes)}: the billed estimate is within it.`,
    );
  }
  return lines.join("\n");
}

export function estimateJson(estimate: DryRunEstimate) {
  return {
    dry_run: true,
    target: "bigquery",
    project: estimate.project,
    location: estimate.location,
    total_bytes: estimate.totalBytes,
    total_billed_bytes: estimate.totalBilledBytes,
    min_billed_bytes_per_table: BIGQUERY_MIN_BILLED_PER_TABLE,
    budget_bytes: estimate.budgetBytes ?? null,
    over_budget: estimate.overBudget,
    dates: estimate.dates.map((date) => ({
      game_date: date.gameDate,
      actions: date.actions.map((action) => ({
        action: action.action,
        level: action.level,
        role: action.role,
        bytes: action.bytes,
        billed_bytes: action.billedBytes,
        statements: action.statements.map((statement) => ({
          purpose: statement.purpose,
          bytes: statement.bytes ?? null,
          billed_bytes: statement.billedBytes ?? null,
          tables: statement.tables,
          note: statement.note ?? null,
          error: statement.error ?? null,
          sql: statement.sql,
        })),
      })),
    })),
  };
}

/** The outcome of a dry run: over budget is refused (bad input), a statement BigQuery rejects fails. */
export function checkEstimate(estimate: DryRunEstimate): void {
  if (estimate.errors > 0) {
    const first = estimate.dates.flatMap((date) => date.actions.flatMap((action) => action.statements)).find((statement) => statement.error);
    throw new DataFailureError("dry_run_failed", `${estimate.errors} statement(s) failed the BigQuery dry run: ${first?.error ?? ""}`);
  }
  if (estimate.overBudget && estimate.budgetBytes !== undefined) {
    throw new BadInputError(
      "over_budget",
      `the run would be billed ${formatBytes(estimate.totalBilledBytes)} (processing ${formatBytes(estimate.totalBytes)}), over the budget of ${formatBytes(estimate.budgetBytes)}: refused before anything ran`,
      { suggestion: "Narrow the run (--actions, fewer dates) or raise --max-bytes / maxBytesEstimate." },
    );
  }
}

/**
 * Before a real run on BigQuery: when a budget is configured, estimate every statement first and
 * refuse the run, before anything executes, if the billed total is over it.
 */
export async function enforceBudget(engine: Engine, days: DryRunDay[], options: DryRunOptions = {}): Promise<void> {
  if (!(engine instanceof BigQueryEngine) || engine.settings.maxBytesEstimate === undefined) return;
  checkEstimate(await estimateDryRun(engine, days, options));
}
