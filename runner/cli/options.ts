/**
 * Options shared by several commands, declared once, and their validation. Each command's options
 * are one zod schema (built from the fragments here), parsed by `parseOptions` at the start of its
 * action: the schema is the source of the option types, and a bad value is `--flag: reason`, exit 2.
 */
import { Command, Option } from "commander";
import { z } from "zod";
import { BadInputError } from "../errors.ts";
import { parseRunDates, type RunDates } from "../dates.ts";
import { compileProject, PROJECT_DIR, projectDefaultVars, type ProjectOverrides } from "../compile/compile.ts";
import { buildProjectGraph, type ProjectGraph } from "../plan/actions.ts";
import type { Selection } from "../plan/plan.ts";
import type { CompiledGraph } from "../compile/graph.ts";
import { ENGINE_KINDS, TARGET_ENV, WAREHOUSE_ENV } from "../engines/open.ts";
import type { WarehouseAccess } from "../engines/duckdb/engine.ts";
import { defaultRunDate, projectConstants, todayIn } from "../project_constants.ts";
import { varsFromFlags, varsHelp } from "../project_vars.ts";

/** Writers for results (stdout) and human messages (stderr), swappable in tests. */
export interface CliIO {
  /** One line of results (the newline is added). */
  stdout: (text: string) => void;
  /** One line of messages (the newline is added). */
  stderr: (text: string) => void;
  /** Set when stderr is a terminal: progress redraws one line in place on it instead of printing lines. */
  terminal?: CliTerminal | undefined;
}

/** The terminal stderr is, as progress draws on it. */
export interface CliTerminal {
  /** Text as it is, no newline added: carriage returns redraw the line. */
  write: (text: string) => void;
  /** Its width in characters; undefined when it does not say (a script, some CI consoles). */
  columns: () => number | undefined;
}

export const DateOptionsSchema = z.object({
  date: z.string().optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
});
export type DateOptions = z.infer<typeof DateOptionsSchema>;

/**
 * Dataform's dev isolation flags, spelt as its CLI spells them: --schema-suffix puts every
 * dataset of the project's own actions (models, gates, assertions) and of the runner's own tables
 * at `<dataset>_<suffix>`; --default-database is the BigQuery project the tables live in. Raw
 * sources (declarations) never take the suffix.
 */
export const IsolationOptionsSchema = z.object({
  schemaSuffix: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,100}$/, "must be letters, digits and underscores (it ends BigQuery dataset names), e.g. dev_ana")
    .optional(),
  defaultDatabase: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens), e.g. my-dev-project")
    .optional(),
});
export type IsolationOptions = z.infer<typeof IsolationOptionsSchema>;

export const ProjectOptionsSchema = z.object({
  ...IsolationOptionsSchema.shape,
  project: z.string().min(1, "must name a directory").optional(),
  /** --var name=value, repeated. */
  var: z.array(z.string()).optional(),
  /** --vars a=b,c=d (Dataform's spelling), repeated. */
  vars: z.array(z.string()).optional(),
});
export type ProjectOptions = z.infer<typeof ProjectOptionsSchema>;

export const WarehouseOptionsSchema = z.object({
  warehouse: z.string().optional(),
  /** local (DuckDB) or bigquery. */
  target: z.enum(ENGINE_KINDS).optional(),
  /** --max-bytes: the BigQuery dry-run budget. */
  maxBytes: z.string().optional(),
});
export type WarehouseOptions = z.infer<typeof WarehouseOptionsSchema> & Partial<IsolationOptions> & {
  /** Set by the command, not a flag: create (load, seed), write (run) or read (verify, quarantine). */
  access?: WarehouseAccess;
};

export const SelectionOptionsSchema = z.object({
  actions: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  includeDeps: z.boolean().optional(),
  includeDependents: z.boolean().optional(),
});
export type SelectionOptions = z.infer<typeof SelectionOptionsSchema>;

/**
 * A flag given as text that must be a whole number from `min` (default 1) to `max`: the one check
 * of every count, size, hour and seed flag. A bad value reads
 * `--flag: must be a whole number from 0 to 23 (the Eastern hour), got "24"`.
 */
export function wholeNumberFlag({ min = 1, max = Number.MAX_SAFE_INTEGER, meaning }: { min?: number; max?: number; meaning?: string } = {}) {
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  return z
    .string()
    .refine((text) => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max, {
      error: (issue) => `must be a whole number ${range}${meaning ? ` (${meaning})` : ""}, got ${JSON.stringify(issue.input)}`,
    })
    .transform(Number);
}

/** --start-date -> "startDate"'s flag again, for messages. */
export function flagName(path: readonly PropertyKey[]): string {
  const [first, ...rest] = path;
  const flag = `--${String(first).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
  return rest.length > 0 ? `${flag}[${rest.join(".")}]` : flag;
}

/** Commander's options through the command's schema, or a BadInputError with one line per bad flag. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, command: string): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${flagName(issue.path)}: ${issue.message}`);
  throw new BadInputError("invalid_options", lines.join("\n"), { suggestion: `See runner ${command} --help.` });
}

/** Commander's parser of a list flag: "a,b" and repeated flags both work (--actions a,b --actions c). */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((item) => item.trim()).filter(Boolean)];
}

/** The "Examples:" section of a command's --help: one command line (or `# comment`) an entry. */
export function addExamples(command: Command, examples: string[]): Command {
  return command.addHelpText("after", ["", "Examples:", ...examples.map((example) => `  ${example}`)].join("\n"));
}

/** Commander's parser of a repeatable flag: every value, in order. */
function repeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addDateOptions(command: Command): Command {
  return command
    .option("--date <YYYY-MM-DD>", "the game date to process")
    .option("--start-date <YYYY-MM-DD>", "first date of a range (with --end-date)")
    .option("--end-date <YYYY-MM-DD>", "last date of a range, inclusive");
}

export function addProjectOption(command: Command): Command {
  command
    .option(
      "--var <name=value>",
      "a compilation var (repeatable; see Vars below), e.g. boxscore_coverage_min_pct=100, as_of_date=2025-01-16",
      repeated,
    )
    .option("--vars <a=b,c=d>", "compilation vars, Dataform's spelling: --vars=boxscore_coverage_min_pct=100,as_of_date=2025-01-16", repeated)
    .addOption(new Option("--project <dir>", "the Dataform project to compile").default(PROJECT_DIR, "this repository"));
  addIsolationOptions(command);
  return command.addHelpText("after", () => varsHelp(PROJECT_DIR));
}

/** --schema-suffix and --default-database (both by default; load and seed take only the second: raw tables get no suffix). */
export function addIsolationOptions(command: Command, which: { schemaSuffix?: boolean } = {}): Command {
  if (which.schemaSuffix !== false) {
    command.option("--schema-suffix <suffix>", "dev isolation, as Dataform's: every dataset the project's actions and the runner's own tables use gets _<suffix> (raw sources do not)");
  }
  return command.option("--default-database <project>", "the BigQuery project the tables live in, instead of dataform.json's defaultDatabase (as Dataform's flag)");
}

/** The compile overrides of the isolation flags, for compileProject. */
export function overridesFrom(options: IsolationOptions): ProjectOverrides {
  return { schemaSuffix: options.schemaSuffix, defaultDatabase: options.defaultDatabase };
}

/**
 * The compilation vars of a command: --var values, validated against includes/vars.js, over the
 * runner's defaults. as_of_date (what staleness is measured from) defaults to today in the
 * schedule's timezone. Run dates are set by the date flags (RUN_DATE_FLAGS), never by --var.
 */
export function varsFrom(options: ProjectOptions): Record<string, string> {
  const projectDir = options.project ?? PROJECT_DIR;
  const given = varsFromFlags([...(options.vars ?? []).flatMap(splitVars), ...(options.var ?? [])], projectDir);
  return { as_of_date: todayIn(projectConstants(projectDir).SCHEDULE_TIMEZONE), ...given };
}

/** "a=1,b=x,y" -> ["a=1", "b=x,y"]: a comma starts a new var only before `name=`. */
export function splitVars(text: string): string[] {
  return text.split(/,(?=\s*[A-Za-z_][A-Za-z0-9_]*=)/).map((entry) => entry.trim()).filter(Boolean);
}

export function addWarehouseOption(command: Command): Command {
  return command
    .addOption(
      new Option("--target <target>", "where to run: local (embedded DuckDB) or bigquery (settings: runner.config.json, BIGQUERY_* env)")
        .choices(ENGINE_KINDS)
        .env(TARGET_ENV)
        .default("local"),
    )
    .addOption(
      new Option("--warehouse <file>", `the local DuckDB warehouse file (env ${WAREHOUSE_ENV})`).default(undefined, ".warehouse/nba.duckdb"),
    );
}

/** --max-bytes: refuse a BigQuery run whose dry-run estimate of the bytes billed is above this (e.g. 50GB). */
export function addBudgetOption(command: Command): Command {
  return command.option(
    "--max-bytes <size>",
    "with --target bigquery: refuse the run, before anything runs, when the dry run's estimate of the bytes billed (at least 10 MiB per table each statement references) exceeds this (bytes, or e.g. 50GB; config maxBytesEstimate)",
  );
}

export function addSelectionOptions(command: Command): Command {
  return command
    // Variadic like Dataform's (--tags a b); commas and repeats work too.
    .option("--actions <names...>", "only these actions (name or schema.name; space- or comma-separated, or repeated)", collectList)
    .option("--tags <tags...>", "only actions with one of these tags (space- or comma-separated, or repeated)", collectList)
    .option("--include-deps", "also run everything the selected actions depend on")
    .option("--include-dependents", "also run everything that depends on the selected actions");
}

export function selectionFrom(options: SelectionOptions): Selection {
  return {
    actions: options.actions,
    tags: options.tags,
    includeDeps: options.includeDeps,
    includeDependents: options.includeDependents,
  };
}

/**
 * Dates from the options; without any, compile and plan use the default vars of dataform.json, or
 * (this project sets none, so that GCP Dataform's window moves with the calendar) the game models'
 * default run date of includes/run_window.js.
 */
export function datesOrProjectDefaults(options: DateOptions & ProjectOptions): RunDates {
  const projectDir = options.project ?? PROJECT_DIR;
  const vars = projectDefaultVars(projectDir);
  if (vars.start_date && vars.end_date) return parseRunDates(options, { start: vars.start_date, end: vars.end_date });
  const date = defaultRunDate(projectDir);
  return parseRunDates(options, { start: date, end: date });
}

export interface CompiledProject {
  dates: RunDates;
  compiled: CompiledGraph;
  graph: ProjectGraph;
}

/** Validates the dates, compiles for them and builds the action graph. */
export function compileFor(dates: RunDates, options: ProjectOptions): CompiledProject {
  const compiled = compileProject({ projectDir: options.project ?? PROJECT_DIR, dates, vars: varsFrom(options), overrides: overridesFrom(options) });
  return { dates, compiled, graph: buildProjectGraph(compiled) };
}
