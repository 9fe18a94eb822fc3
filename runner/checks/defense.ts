/**
 * The checks around every staged write (DESIGN section 4): pre-write rules with quarantine, then
 * post-write checks on the keys just written. Thresholds come from includes/constants.js.
 */
import type { WriteChecks } from "../execution/write.ts";
import { projectConstants } from "../project_constants.ts";
import { runPostWriteChecks } from "./post_write.ts";
import { applyPreWriteRules } from "./pre_write.ts";

export function defenseChecks(projectDir: string): WriteChecks {
  const constants = projectConstants(projectDir);
  const alertAt = { rows: constants.QUARANTINE_ALERT_ROWS, share: constants.QUARANTINE_ALERT_SHARE };
  return {
    preWrite: (write) => applyPreWriteRules(projectDir, write, alertAt),
    postWrite: (write) => runPostWriteChecks(projectDir, write),
  };
}
