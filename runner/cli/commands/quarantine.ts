/** `runner quarantine list|show`: what pre-write rules held back, and why. */
import { Command, Option } from "commander";
import { z } from "zod";
import { quarantineTable } from "../../checks/quarantine.ts";
import { parseRunDates, type RunDates } from "../../dates.ts";
import { param, type Engine, type QueryParams, type TableRef } from "../../engines/engine.ts";
import { BadInputError, ExitCode } from "../../errors.ts";
import {
  addDateOptions,
  addProjectOption,
  addWarehouseOption,
  compileFor,
  datesOrProjectDefaults,
  DateOptionsSchema,
  parseOptions,
  ProjectOptionsSchema,
  WarehouseOptionsSchema,
  wholeNumberFlag,
  type CliIO,
  type DateOptions,
  type WarehouseOptions,
} from "../options.ts";

const QuarantineListSchema = z.object({
  ...DateOptionsSchema.shape,
  ...ProjectOptionsSchema.shape,
  ...WarehouseOptionsSchema.shape,
  model: z.string().optional(),
  rule: z.string().optional(),
  run: z.string().optional(),
  json: z.boolean().optional(),
});
const QuarantineShowSchema = QuarantineListSchema.extend({ limit: wholeNumberFlag() });
type QuarantineOptions = z.infer<typeof QuarantineListSchema>;

/** The quarantine tables of the project's incremental models, by model name. */
function quarantineTables(options: QuarantineOptions): Map<string, TableRef> {
  const { graph } = compileFor(datesOrProjectDefaults({ project: options.project }), options);
  const tables = new Map<string, TableRef>();
  for (const action of graph.actions.values()) {
    if (action.kind === "incremental") tables.set(action.name, quarantineTable({ dataset: action.target.schema, table: action.target.name }));
  }
  if (options.model && !tables.has(options.model)) {
    throw new BadInputError("unknown_model", `no incremental model "${options.model}"`, { suggestion: `Models: ${[...tables.keys()].join(", ")}.` });
  }
  return tables;
}

/**
 * Without --date, every date: since the first NBA game, and rows without a date. Still a filter on
 * the partition column, as BigQuery demands of a table with require_partition_filter (spec 3.1);
 * a quarantine table holds only rejected rows, so reading all of it stays cheap.
 */
const FIRST_GAME_DATE = "1946-11-01";

function filters(options: QuarantineOptions, dates: RunDates | undefined): { where: string; params: QueryParams } {
  const clauses: string[] = [];
  const params: QueryParams = {};
  if (dates) {
    clauses.push("game_date BETWEEN @start_date AND @end_date");
    params.start_date = param.date(dates.start);
    params.end_date = param.date(dates.end);
  } else {
    clauses.push("(game_date >= @first_game_date OR game_date IS NULL)");
    params.first_game_date = param.date(FIRST_GAME_DATE);
  }
  if (options.rule) {
    // A quarantined row lists every rule it broke ("a, b"): match one of them.
    clauses.push("CONCAT(', ', rule, ', ') LIKE CONCAT('%, ', @rule, ', %')");
    params.rule = param.string(options.rule);
  }
  if (options.run) {
    clauses.push("run_id = @run_id");
    params.run_id = param.string(options.run);
  }
  return { where: `WHERE ${clauses.join(" AND ")}`, params };
}

function optionalDates(options: DateOptions): RunDates | undefined {
  return options.date || options.startDate || options.endDate ? parseRunDates(options) : undefined;
}

/** Runs `sql(table, where)` on the quarantine table of every model the filters keep, rows tagged with the model. */
async function queryQuarantine(
  openEngine: (options: WarehouseOptions) => Promise<Engine>,
  options: QuarantineOptions,
  sql: (table: string, where: string) => string,
): Promise<Record<string, unknown>[]> {
  const tables = quarantineTables(options);
  const { where, params } = filters(options, optionalDates(options));
  const engine = await openEngine({ ...options, access: "read" });
  try {
    const found: Record<string, unknown>[] = [];
    for (const [model, table] of tables) {
      if (options.model && model !== options.model) continue;
      if (!(await engine.describeTable(table))) continue;
      const rows = await engine.query(sql(engine.qualify(table), where), { params });
      found.push(...rows.map((row) => ({ model, ...row })));
    }
    return found;
  } finally {
    await engine.close();
  }
}

function addFilterOptions(command: Command): Command {
  addDateOptions(command);
  command.option("--model <name>", "one model only").option("--rule <name>", "rows that broke this rule (among others)").option("--run <run_id>", "one run only").option("--json", "print JSON");
  addWarehouseOption(command);
  addProjectOption(command);
  return command;
}

export function quarantineCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("quarantine")
    .summary("see the rows pre-write rules held back, and why")
    .description("Rows breaking an error rule in assertions/pre_write/ are kept whole in <dataset>_quarantine.<model>, never published.");

  const list = addFilterOptions(new Command("list").summary("count quarantined rows by model, date, rule and run"));
  list.action(async (raw: unknown) => {
    const options = parseOptions(QuarantineListSchema, raw, "quarantine list");
    const rows = await queryQuarantine(openEngine, options, (table, where) =>
      `SELECT game_date, rule, reason, run_id, COUNT(*) AS row_count FROM ${table} ${where}
       GROUP BY game_date, rule, reason, run_id ORDER BY game_date, rule, run_id`,
    );
    if (options.json) io.stdout(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) io.stdout("Nothing in quarantine for these filters.");
    else {
      io.stdout(rows.map((row) => `${row.game_date}  ${String(row.model).padEnd(28)} ${String(row.rule).padEnd(28)} ${String(row.row_count).padStart(5)} rows  ${row.run_id}  (${row.reason})`).join("\n"));
    }
    setExit(ExitCode.success);
  });

  const show = addFilterOptions(new Command("show").summary("show quarantined rows in full"));
  show.addOption(new Option("--limit <n>", "at most this many rows").default("20"));
  show.action(async (raw: unknown) => {
    const options = parseOptions(QuarantineShowSchema, raw, "quarantine show");
    const { limit } = options;
    const held = await queryQuarantine(openEngine, options, (table, where) =>
      `SELECT game_date, game_id, rule, reason, run_id, quarantined_at, row_json FROM ${table} ${where}
       ORDER BY quarantined_at DESC, game_id LIMIT ${limit}`,
    );
    const rows: Record<string, unknown>[] = held.slice(0, limit).map((row) => ({ ...row, row: JSON.parse(String(row.row_json)) as unknown, row_json: undefined }));
    if (options.json) io.stdout(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) io.stdout("Nothing in quarantine for these filters.");
    else {
      for (const row of rows) {
        io.stdout(`${row.model} ${row.game_date} ${row.game_id}: ${row.rule} - ${row.reason} (run ${row.run_id})\n${JSON.stringify(row.row, null, 2)}\n`);
      }
    }
    setExit(ExitCode.success);
  });

  command.addCommand(list.exitOverride());
  command.addCommand(show.exitOverride());
  return command;
}

