/** `runner quarantine list|show`: what pre-write rules held back, and why. */
import { Command, Option } from "commander";
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
  type CliIO,
  type DateOptions,
  type ProjectOptions,
  type WarehouseOptions,
} from "../options.ts";

interface QuarantineOptions extends DateOptions, ProjectOptions, WarehouseOptions {
  model?: string;
  rule?: string;
  run?: string;
  limit: string;
  json?: boolean;
}

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

function filters(options: QuarantineOptions, dates: RunDates | undefined): { where: string; params: QueryParams } {
  const clauses: string[] = [];
  const params: QueryParams = {};
  if (dates) {
    clauses.push("game_date BETWEEN @start_date AND @end_date");
    params.start_date = param.date(dates.start);
    params.end_date = param.date(dates.end);
  }
  if (options.rule) {
    clauses.push("rule = @rule");
    params.rule = param.string(options.rule);
  }
  if (options.run) {
    clauses.push("run_id = @run_id");
    params.run_id = param.string(options.run);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

function optionalDates(options: DateOptions): RunDates | undefined {
  return options.date || options.startDate || options.endDate ? parseRunDates(options) : undefined;
}

async function withEngine<T>(openEngine: (options: WarehouseOptions) => Promise<Engine>, options: WarehouseOptions, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(options);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

function addFilterOptions(command: Command): Command {
  addDateOptions(command);
  command.option("--model <name>", "one model only").option("--rule <name>", "one rule only").option("--run <run_id>", "one run only").option("--json", "print JSON");
  addWarehouseOption(command);
  addProjectOption(command);
  return command;
}

export function quarantineCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("quarantine")
    .summary("see the rows pre-write rules held back, and why")
    .description("Rows breaking an error rule in assertions/pre_write/ are kept whole in <dataset>_quarantine.<model>, never published.");

  const list = addFilterOptions(new Command("list").summary("count quarantined rows by model, date, rule and run"));
  list.action(async (options: QuarantineOptions) => {
    const tables = quarantineTables(options);
    const { where, params } = filters(options, optionalDates(options));
    const rows = await withEngine(openEngine, options, async (engine) => {
      const found: Record<string, unknown>[] = [];
      for (const [model, table] of tables) {
        if (options.model && model !== options.model) continue;
        if (!(await engine.describeTable(table))) continue;
        const counts = await engine.query(
          `SELECT game_date, rule, reason, run_id, COUNT(*) AS row_count FROM ${engine.qualify(table)} ${where}
           GROUP BY game_date, rule, reason, run_id ORDER BY game_date, rule, run_id`,
          { params },
        );
        found.push(...counts.map((row) => ({ model, ...row })));
      }
      return found;
    });
    if (options.json) io.stdout(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) io.stdout("Nothing in quarantine for these filters.");
    else {
      io.stdout(rows.map((row) => `${row.game_date}  ${String(row.model).padEnd(28)} ${String(row.rule).padEnd(28)} ${String(row.row_count).padStart(5)} rows  ${row.run_id}  (${row.reason})`).join("\n"));
    }
    setExit(ExitCode.success);
  });

  const show = addFilterOptions(new Command("show").summary("show quarantined rows in full"));
  show.addOption(new Option("--limit <n>", "at most this many rows").default("20"));
  show.action(async (options: QuarantineOptions) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new BadInputError("invalid_limit", `--limit must be a positive integer, got "${options.limit}"`);
    const tables = quarantineTables(options);
    const { where, params } = filters(options, optionalDates(options));
    const rows = await withEngine(openEngine, options, async (engine) => {
      const found: Record<string, unknown>[] = [];
      for (const [model, table] of tables) {
        if (options.model && model !== options.model) continue;
        if (!(await engine.describeTable(table))) continue;
        const held = await engine.query(
          `SELECT game_date, game_id, rule, reason, run_id, quarantined_at, row_json FROM ${engine.qualify(table)} ${where}
           ORDER BY quarantined_at DESC, game_id LIMIT ${limit}`,
          { params },
        );
        found.push(...held.map((row) => ({ model, ...row, row: JSON.parse(String(row.row_json)) as unknown, row_json: undefined })));
      }
      return found.slice(0, limit);
    });
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

