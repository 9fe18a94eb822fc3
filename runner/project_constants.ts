/**
 * The runner's view of includes/constants.js and includes/run_window.js: the numbers the models,
 * gates and checks share, and the run date a command without dates defaults to, read from the one
 * file that decides each.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { BadInputError } from "./errors.ts";

const ConstantsSchema = z
  .object({
    USAGE_RATE_WARN_ABOVE: z.number(),
    USAGE_RATE_MAX: z.number(),
    USAGE_COVERAGE_WARN_PCT: z.number(),
    QUARANTINE_ALERT_ROWS: z.number(),
    QUARANTINE_ALERT_SHARE: z.number(),
    SCHEDULE_TIMEZONE: z.string(),
    SCHEDULE_POSTPONED_STATUS_TEXTS: z.array(z.string().min(1)).min(1),
    INJURY_REPORT_LOOKBACK_DAYS: z.number().int().nonnegative(),
  })
  .loose();

export type ProjectConstants = z.infer<typeof ConstantsSchema>;

const RunWindowSchema = z
  .object({
    /** The default run date of a model kind (game, upcoming) as of `now`. */
    defaultDate: z.custom<(kind: string, now?: Date) => string>((value) => typeof value === "function", "must be a function"),
  })
  .loose();

/** An includes/ file through its schema, or a BadInputError (exit 2) naming the file and each `NAME: problem`. */
function readIncludes<S extends z.ZodType>(projectDir: string, name: string, schema: S): z.output<S> {
  const file = path.join(projectDir, "includes", name);
  const require = createRequire(import.meta.url);
  let exported: unknown;
  try {
    exported = require(file);
  } catch (error) {
    throw new BadInputError("invalid_project_file", `${file}: ${(error as Error).message.split("\n")[0]}`, {
      suggestion: `Fix the file so that Node can load it (node -e "require('./includes/${name}')").`,
      cause: error,
    });
  }
  const parsed = schema.safeParse(exported);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(module)"}: ${issue.input === undefined ? "missing" : issue.message}`);
    throw new BadInputError("invalid_project_file", `${file} does not export what the runner needs:\n  ${lines.join("\n  ")}`, {
      suggestion: "Define each named export in module.exports (see the file's others for the form).",
    });
  }
  return parsed.data;
}

/** The constants, or a BadInputError (exit 2) naming the file and each `NAME: problem`. */
export function projectConstants(projectDir: string): ProjectConstants {
  return readIncludes(projectDir, "constants.js", ConstantsSchema);
}

/** The game models' default run date as of `now`, as includes/run_window.js computes it (yesterday in the schedule's timezone). */
export function defaultRunDate(projectDir: string, now = new Date()): string {
  return readIncludes(projectDir, "run_window.js", RunWindowSchema).defaultDate("game", now);
}

/** Today's date in the schedule's timezone (NBA dates are Eastern). */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}
