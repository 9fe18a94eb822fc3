/**
 * The run-scoped checks live in assertions/ as handlebars SQL templates that analysts edit:
 * `{{#rule}}` blocks (pre-write, one file per model) hold the condition a valid staged row meets,
 * `{{#set_rule}}` blocks a query returning the staged rows that break a rule about several rows;
 * `{{#check}}` blocks (post-write) hold a query whose rows are the problem found, rendered for the
 * model just written (target, stage, key columns; the run dates and staged games as parameters).
 * Constants come from includes/constants.js, the same numbers the models use.
 */
import fs from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { z } from "zod";
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

function compiledTemplate(text: string): Handlebars.TemplateDelegate {
  let template = compiledTemplates.get(text);
  if (!template) {
    template = templateEnvironment.compile(text, { noEscape: true, strict: true });
    compiledTemplates.set(text, template);
  }
  return template;
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
