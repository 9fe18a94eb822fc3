/**
 * The runner's view of includes/constants.js: the numbers the models, gates and checks share,
 * read from the one file that names them.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";

const ConstantsSchema = z
  .object({
    USAGE_RATE_WARN_ABOVE: z.number(),
    USAGE_RATE_MAX: z.number(),
    USAGE_COVERAGE_WARN_PCT: z.number(),
    QUARANTINE_ALERT_ROWS: z.number(),
    QUARANTINE_ALERT_SHARE: z.number(),
    SCHEDULE_TIMEZONE: z.string(),
  })
  .loose();

export type ProjectConstants = z.infer<typeof ConstantsSchema>;

export function projectConstants(projectDir: string): ProjectConstants {
  const require = createRequire(import.meta.url);
  return ConstantsSchema.parse(require(path.join(projectDir, "includes", "constants.js")));
}

/** Today's date in the schedule's timezone (NBA dates are Eastern). */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}
