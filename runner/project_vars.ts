/**
 * The runner's view of includes/vars.js, the one list of the project's compilation vars: the
 * declarations are read and checked once, and the zod schema every var value is validated with at
 * the edge (--var, dataform.json, the vars handed to a compile) is built from them, as is the vars
 * section of --help. Dataform's own compile checks the same rules with includes/vars.js's readers.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { isCalendarDate, RUN_DATE_FLAGS } from "./dates.ts";
import { BadInputError } from "./errors.ts";

const NameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a lowercase snake_case name");
const DescriptionSchema = z.string().min(1, "must say what the var does");

const DateVarSchema = z.object({
  name: NameSchema,
  kind: z.literal("date"),
  default: z.string().refine(isCalendarDate, "must be a calendar date YYYY-MM-DD").nullable(),
  /** What applies when the var is not set and has no fixed default. */
  defaultText: z.string().optional(),
  /** Set from the runner's own flags (the run dates), never with --var. */
  setBy: z.string().optional(),
  description: DescriptionSchema,
});

const NumberVarSchema = z
  .object({
    name: NameSchema,
    kind: z.literal("number"),
    range: z.object({ min: z.number(), max: z.number(), integer: z.boolean() }),
    default: z.number(),
    description: DescriptionSchema,
  })
  .refine((declared) => declared.range.min <= declared.range.max, { message: "range.min must not be above range.max", path: ["range"] })
  .refine((declared) => declared.default >= declared.range.min && declared.default <= declared.range.max, {
    message: "the default must be inside the range",
    path: ["default"],
  })
  .refine((declared) => !declared.range.integer || Number.isInteger(declared.default), { message: "the default must be a whole number", path: ["default"] });

const BooleanVarSchema = z.object({
  name: NameSchema,
  kind: z.literal("boolean"),
  default: z.boolean(),
  description: DescriptionSchema,
});

const VarDeclarationSchema = z.union([DateVarSchema, NumberVarSchema, BooleanVarSchema]);

export type VarDeclaration = z.infer<typeof VarDeclarationSchema>;

const VarsModuleSchema = z.object({
  VARS: z
    .array(VarDeclarationSchema)
    .min(1)
    .refine((declared) => new Set(declared.map((entry) => entry.name)).size === declared.length, "declares a name twice"),
  allowed: z.custom<(declared: VarDeclaration) => string>((value) => typeof value === "function", "must be a function"),
  closestName: z.custom<(name: string, candidates?: string[]) => string | undefined>((value) => typeof value === "function", "must be a function"),
});

/** The declared vars of a project, and what the runner builds from them. */
export interface ProjectVars {
  declared: VarDeclaration[];
  /** "a number from 0 to 100": what a value of the var may be (the same words as Dataform's compile). */
  allowed: (declared: VarDeclaration) => string;
  /** The declared name closest to an unknown one, if it looks like a typo. */
  closestName: (name: string, candidates?: string[]) => string | undefined;
  /** Validates a record of var texts; typed values out (number, boolean, date string). */
  schema: z.ZodType<Record<string, string | number | boolean | undefined>, Record<string, string | undefined>>;
}

function valueSchema(declared: VarDeclaration, allowed: string): z.ZodType<string | number | boolean, string> {
  const message = `must be ${allowed}`;
  if (declared.kind === "date") return z.string().refine(isCalendarDate, { message });
  if (declared.kind === "boolean") return z.enum(["true", "false"], { message }).transform((text) => text === "true");
  const { min, max, integer } = declared.range;
  return z
    .string()
    .regex(integer ? /^\d+$/ : /^\d+(\.\d+)?$/, { message })
    .transform(Number)
    .pipe(z.number().min(min, { message }).max(max, { message }));
}

/** The zod schema of a record of var texts, from the declarations: every name optional, no other name. */
function varsSchema(declared: VarDeclaration[], allowed: (declared: VarDeclaration) => string): ProjectVars["schema"] {
  return z.strictObject(Object.fromEntries(declared.map((entry) => [entry.name, valueSchema(entry, allowed(entry)).optional()])));
}

function readProjectVars(file: string): ProjectVars {
  if (!fs.existsSync(file)) {
    throw new BadInputError("invalid_project", `${file} does not exist: the project declares no vars`, {
      suggestion: "Every project the runner compiles declares its compilation vars in includes/vars.js.",
    });
  }
  const require = createRequire(import.meta.url);
  const parsed = VarsModuleSchema.safeParse(require(file));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(module)"}: ${issue.message}`);
    throw new BadInputError("invalid_project", `${file} does not have the expected shape:\n  ${lines.join("\n  ")}`);
  }
  const { VARS: declared, allowed, closestName } = parsed.data;
  return { declared, allowed, closestName, schema: varsSchema(declared, allowed) };
}

const cache = new Map<string, ProjectVars>();

/** The vars declared by includes/vars.js of a project (read once per project). */
export function projectVars(projectDir: string): ProjectVars {
  const file = path.join(path.resolve(projectDir), "includes", "vars.js");
  let vars = cache.get(file);
  if (!vars) {
    vars = readProjectVars(file);
    cache.set(file, vars);
  }
  return vars;
}

/** How a problem names the var it is about: `--var name` / `--var name=value`, `dataform.json vars.name`... */
export interface VarSource {
  name: (name: string) => string;
  value: (name: string, text: string) => string;
}

const FLAG_SOURCE: VarSource = { name: (name) => `--var ${name}`, value: (name, text) => `--var ${name}=${text}` };

/** One `where: problem` line per unknown name or bad value, unknown names first, else in the order given. */
function varProblems(vars: ProjectVars, values: Record<string, string>, source: VarSource): { unknown: string[]; lines: string[] } {
  const parsed = vars.schema.safeParse(values);
  if (parsed.success) return { unknown: [], lines: [] };
  const order = Object.keys(values);
  const problems = parsed.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const closest = vars.closestName(key, settable(vars).map((declared) => declared.name));
        return { name: key, unknown: true, line: `${source.name(key)}: unknown var${closest ? `; did you mean ${closest}?` : ""}` };
      });
    }
    const name = String(issue.path[0] ?? "");
    const text = values[name];
    return [{ name, unknown: false, line: `${text === undefined ? source.name(name) : source.value(name, text)}: ${issue.message}` }];
  });
  // A typo explains the rest more often than not: unknown names first.
  problems.sort((a, b) => Number(b.unknown) - Number(a.unknown) || order.indexOf(a.name) - order.indexOf(b.name));
  return { unknown: problems.filter((problem) => problem.unknown).map((problem) => problem.name), lines: problems.map((problem) => problem.line) };
}

/** The vars a person may set (the run dates are set by the date flags). */
function settable(vars: ProjectVars): VarDeclaration[] {
  return vars.declared.filter((declared) => !("setBy" in declared && declared.setBy));
}

function knownVarsSuggestion(vars: ProjectVars): string {
  const reserved = vars.declared.filter((declared) => "setBy" in declared && declared.setBy).map((declared) => declared.name);
  const dates = reserved.length > 0 ? `; ${reserved.join(" and ")} are set by ${RUN_DATE_FLAGS}` : "";
  return `Known vars: ${settable(vars).map((declared) => declared.name).join(", ")}${dates}. --help lists their ranges and defaults (declared in includes/vars.js).`;
}

/** Throws one BadInputError for every problem of `values`: unknown names first named with the closest declared one. */
export function assertValidVars(vars: ProjectVars, values: Record<string, string>, source: VarSource): void {
  const { unknown, lines } = varProblems(vars, values, source);
  if (lines.length === 0) return;
  const [first, ...rest] = lines;
  const message = `${first}${rest.map((line) => `\n  ${line}`).join("")}`;
  if (unknown.length > 0) throw new BadInputError("unknown_var", message, { suggestion: knownVarsSuggestion(vars) });
  throw new BadInputError("invalid_var_value", message, { suggestion: "--help lists every var with its range and default (declared in includes/vars.js)." });
}

/**
 * The vars of repeated `--var name=value` flags, validated against the declarations: not
 * name=value, a run date, an unknown name or a bad value is bad input (exit 2) naming the flag.
 */
export function varsFromFlags(entries: string[], projectDir: string): Record<string, string> {
  const vars = projectVars(projectDir);
  const values: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(entry);
    if (!match) throw new BadInputError("invalid_var", `--var "${entry}" is not name=value`, { suggestion: knownVarsSuggestion(vars) });
    const [, name = "", value = ""] = match;
    const declared = vars.declared.find((candidate) => candidate.name === name);
    if (declared && "setBy" in declared && declared.setBy) {
      throw new BadInputError("reserved_var", `--var ${name} is set by the run dates`, { suggestion: `Use ${RUN_DATE_FLAGS}.` });
    }
    values[name] = value;
  }
  assertValidVars(vars, values, FLAG_SOURCE);
  return values;
}

function defaultOf(declared: VarDeclaration): string {
  if (declared.default !== null) return String(declared.default);
  return ("defaultText" in declared && declared.defaultText) || "none";
}

/** Words of `text` in lines of at most `width` characters: the first after `first`, the others after `indent`. */
function wrap(text: string, width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const prefix = lines.length === 0 ? first : indent;
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push((lines.length === 0 ? first : indent) + line);
  return lines;
}

/** The vars section of --help: every settable var with what it may be, its default and what it does. */
export function varsHelp(projectDir: string, width = 80): string {
  const vars = projectVars(projectDir);
  const entries = settable(vars);
  const nameWidth = Math.max(...entries.map((declared) => declared.name.length));
  const indent = " ".repeat(nameWidth + 4);
  const lines = ["", "Vars (--var name=value, repeatable; declared in includes/vars.js):"];
  for (const declared of entries) {
    lines.push(...wrap(`${vars.allowed(declared)}; default: ${defaultOf(declared)}`, width, `  ${declared.name.padEnd(nameWidth)}  `, indent));
    lines.push(...wrap(declared.description, width, indent, indent));
  }
  const reserved = vars.declared.filter((declared) => !entries.includes(declared)).map((declared) => declared.name);
  if (reserved.length > 0) lines.push(...wrap(`${reserved.join(" and ")} are set by ${RUN_DATE_FLAGS}, not by --var.`, width, "  ", "  "));
  lines.push("  An unknown name, or a value outside its range, is bad input (exit 2).");
  return lines.join("\n");
}
