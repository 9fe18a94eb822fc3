/**
 * The run-scoped checks live in assertions/ as handlebars SQL templates that analysts edit:
 * `{{#rule}}` blocks (pre-write, one file per model) hold the condition a valid staged row meets,
 * `{{#set_rule}}` blocks a query returning the staged rows that break a rule about several rows;
 * `{{#check}}` blocks (post-write) hold a query whose rows are the problem found, rendered for the
 * model just written (target, stage, key columns; the run dates and staged games as parameters).
 * Constants come from includes/constants.js, the same numbers the models use.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Handlebars from "handlebars";
import { z } from "zod";
import { buildCacheFile, replaceBuildCacheFile } from "../build_cache.ts";
import { BadInputError } from "../errors.ts";
import { projectConstants } from "../project_constants.ts";

export const ASSERTIONS_FOLDER = "assertions";

const SeveritySchema = z.enum(["error", "warning"]);
export type Severity = z.infer<typeof SeveritySchema>;

const RuleSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]+$/, "rule names are snake_case"),
  severity: SeveritySchema,
  reason: z.string().min(1),
  body: z.string().min(1, "the rule has no condition"),
});

const CheckSchema = RuleSchema.extend({ models: z.string().min(1) });

/**
 * A pre-write rule. `row`: a SQL condition every valid staged row meets (`{{#rule}}`). `set`: a
 * query over the stage returning the staged rows that break a rule about several rows together
 * (`{{#set_rule}}`, e.g. a team whose players mostly lack a usage rate).
 */
export interface PreWriteRule {
  name: string;
  kind: "row" | "set";
  severity: Severity;
  reason: string;
  /** row: SQL condition a valid row meets; set: SQL returning the rows that break the rule. */
  condition: string;
}

export interface PostWriteCheck {
  name: string;
  severity: Severity;
  reason: string;
  file: string;
  /** SQL returning the rows that break the check. */
  sql: string;
}

/** What a post-write template can refer to. */
export interface PostWriteContext {
  model: string;
  target: string;
  stage: string;
  key_columns: string;
  window_column: string;
  scope_column: string;
}


/**
 * Templates compiled once per process, by their text: a range run renders the same files for
 * every model and date. The helpers that collect the blocks are given to each render.
 */
const templateEnvironment = Handlebars.create();
const compiledTemplates = new Map<string, Handlebars.TemplateDelegate>();
/** Handlebars' compile options: copied for each compile, since handlebars adds to the object it is given. */
const COMPILE_OPTIONS: Readonly<{ noEscape: boolean; strict: boolean }> = Object.freeze({ noEscape: true, strict: true });

/**
 * The templates' precompiled form, which `npm run build` keeps (writeTemplateCache): handlebars'
 * parse and code generation of the project's 65 template texts (files and the reasons in them)
 * took 30-50 ms of every cold process, making functions of their precompiled form takes 2 ms.
 * The file is named by handlebars' version and the compile options, its entries by a hash of
 * each text: a template edited since is compiled as before, and without the file (or with one
 * that cannot be read) every template is.
 */
export function templateCacheFile(): string {
  const handlebarsDir = path.dirname(createRequire(import.meta.url).resolve("handlebars/package.json"));
  const key = createHash("sha256").update(`${Handlebars.VERSION} ${JSON.stringify(COMPILE_OPTIONS)}`).digest("hex").slice(0, 20);
  return buildCacheFile(path.join(handlebarsDir, ".."), `check-templates-${key}.json`);
}

function textKey(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Precompiled templates by textKey, read once per process; set to a map (or none) by tests. */
let precompiled: Map<string, string> | undefined;
/** While writeTemplateCache renders the project's templates: every text they compile. */
let recording: Set<string> | undefined;

function precompiledSpecs(): Map<string, string> {
  if (!precompiled) {
    try {
      precompiled = new Map(Object.entries(JSON.parse(fs.readFileSync(templateCacheFile(), "utf8")) as Record<string, string>));
    } catch {
      precompiled = new Map();
    }
  }
  return precompiled;
}

/** The template of a precompiled spec (handlebars' own output), or undefined when it does not evaluate. */
function fromSpec(spec: string): Handlebars.TemplateDelegate | undefined {
  try {
    // The spec is JavaScript handlebars.precompile wrote at build time: an object of functions.
    return templateEnvironment.template(new Function(`return ${spec}`)() as Parameters<typeof templateEnvironment.template>[0]);
  } catch {
    return undefined;
  }
}

function compiledTemplate(text: string): Handlebars.TemplateDelegate {
  recording?.add(text);
  let template = compiledTemplates.get(text);
  if (!template) {
    const spec = recording ? undefined : precompiledSpecs().get(textKey(text));
    template = (spec !== undefined ? fromSpec(spec) : undefined) ?? templateEnvironment.compile(text, { ...COMPILE_OPTIONS });
    compiledTemplates.set(text, template);
  }
  return template;
}

/**
 * Writes the project's templates precompiled (precompiledTemplates) to templateCacheFile,
 * replacing older files; the file written. Run by `npm run build`, through `runner compile`
 * (WRITE_CODE_CACHE_ENV).
 */
export function writeTemplateCache(projectDir: string): string {
  const file = templateCacheFile();
  replaceBuildCacheFile(file, "check-templates-", JSON.stringify(Object.fromEntries(precompiledTemplates(projectDir))));
  return file;
}

/**
 * Every template text of the project precompiled, by textKey: the texts that rendering the
 * pre-write rules of each model that has some, and the post-write checks, compiles (the files and
 * the reasons in their blocks).
 */
export function precompiledTemplates(projectDir: string): Map<string, string> {
  const texts = new Set<string>();
  recording = texts;
  try {
    const preWrite = path.join(projectDir, ASSERTIONS_FOLDER, "pre_write");
    const models = fs.existsSync(preWrite) ? fs.readdirSync(preWrite).filter((name) => name.endsWith(".sql.hbs")) : [];
    for (const name of models) preWriteRules(projectDir, name.slice(0, -".sql.hbs".length));
    postWriteChecks(projectDir, { model: "*", target: "target", stage: "stage", key_columns: "key", window_column: "game_date", scope_column: "game_id" });
  } finally {
    recording = undefined;
  }
  return new Map([...texts].map((text) => [textKey(text), String(Handlebars.precompile(text, { ...COMPILE_OPTIONS }))]));
}

/** Tests: the precompiled templates to use from now on (undefined: the file's), and no template compiled yet. */
export function resetTemplates(specs?: Map<string, string>): void {
  precompiled = specs;
  compiledTemplates.clear();
}

function collect(file: string, helpers: ("rule" | "set_rule" | "check")[], context: Record<string, unknown>) {
  const found: Record<string, unknown>[] = [];
  const collectors: Record<string, Handlebars.HelperDelegate> = {};
  const render = (text: string) => compiledTemplate(text)(context, { helpers: collectors });
  for (const helper of helpers) {
    collectors[helper] = function (this: unknown, name: unknown, options: Handlebars.HelperOptions) {
      const hash = options.hash as Record<string, unknown>;
      found.push({
        ...hash,
        kind: helper,
        name,
        reason: typeof hash.reason === "string" ? render(hash.reason) : hash.reason,
        body: options.fn(this).trim(),
      });
      return "";
    };
  }
  try {
    render(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new BadInputError("invalid_assertion_template", `${file}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  return found;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "block"}: ${issue.message}`).join("; ");
    throw new BadInputError("invalid_assertion_template", `${file}: ${problems}`);
  }
  return parsed.data;
}

/**
 * The pre-write rules of a model: assertions/pre_write/<model>.sql.hbs (none when absent). Set
 * rules refer to the staged rows as {{stage}}.
 */
export function preWriteRules(projectDir: string, model: string, stage = "stage"): PreWriteRule[] {
  const file = path.join(projectDir, ASSERTIONS_FOLDER, "pre_write", `${model}.sql.hbs`);
  if (!fs.existsSync(file)) return [];
  const found = collect(file, ["rule", "set_rule"], { constants: projectConstants(projectDir), stage });
  const rules = found.map((rule) => ({ ...validate(RuleSchema, rule, file), kind: rule.kind === "set_rule" ? ("set" as const) : ("row" as const) }));
  const names = rules.map((rule) => rule.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new BadInputError("invalid_assertion_template", `${file}: rule ${duplicate} is defined twice`);
  return rules.map(({ name, kind, severity, reason, body }) => ({ name, kind, severity, reason, condition: body }));
}

/**
 * The post-write checks that apply to a model, rendered for this write. Their names are unique
 * among a model's checks (the ledger and the one query that counts them all name them).
 */
export function postWriteChecks(projectDir: string, context: PostWriteContext): PostWriteCheck[] {
  const folder = path.join(projectDir, ASSERTIONS_FOLDER, "post_write");
  if (!fs.existsSync(folder)) return [];
  const constants = projectConstants(projectDir);
  const checks = fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".sql.hbs"))
    .sort()
    .flatMap((name) => {
      const file = path.join(folder, name);
      return collect(file, ["check"], { ...context, constants })
        .map((check) => validate(CheckSchema, check, file))
        .filter((check) => check.models === "*" || check.models.split(",").map((model) => model.trim()).includes(context.model))
        .map(({ name: checkName, severity, reason, body }) => ({ name: checkName, severity, reason, file: path.relative(projectDir, file), sql: body }));
    });
  const seen = new Map<string, string>();
  for (const check of checks) {
    const other = seen.get(check.name);
    if (other) throw new BadInputError("invalid_assertion_template", `${check.file}: check ${check.name} of ${context.model} is also defined in ${other}`);
    seen.set(check.name, check.file);
  }
  return checks;
}
