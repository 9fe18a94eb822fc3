/**
 * Ctrl-C during `runner run`: the actions in flight are recorded in the ledger as "interrupted"
 * (so `verify` and a person see that the run stopped, and where), then the command ends with
 * exit 130. Uncommitted writes are discarded by DuckDB/BigQuery; finished actions stay recorded.
 */
import type { Engine } from "../engines/engine.ts";
import { InterruptedError } from "../errors.ts";
import { recordInLedger } from "../ledger/ledger.ts";
import type { Action } from "../plan/actions.ts";

export interface InFlight {
  gameDate: string | undefined;
  running: Map<string, { action: Action; startedAt: Date }>;
}

/** Resolves when SIGINT arrives (once); `dispose` removes the handler. */
export function watchInterrupt(): { interrupted: Promise<"interrupted">; dispose: () => void } {
  let onSignal: () => void = () => undefined;
  const interrupted = new Promise<"interrupted">((resolve) => {
    onSignal = () => resolve("interrupted");
  });
  process.once("SIGINT", onSignal);
  return { interrupted, dispose: () => process.off("SIGINT", onSignal) };
}

/**
 * One ledger row per action in flight (a single "run" row when between actions), then the error
 * the entry point turns into "interrupted" and exit 130. `levelOf` gives an action's plan level.
 */
export async function recordInterruption(
  engine: Engine,
  runId: string,
  inFlight: InFlight,
  levelOf: (action: Action) => number,
  now = new Date(),
): Promise<InterruptedError> {
  const gameDate = inFlight.gameDate?.slice(0, 10);
  const running = [...inFlight.running.values()];
  if (gameDate) {
    const base = { run_id: runId, trigger: "cli", game_date: gameDate, finished_at: now.toISOString(), rows_staged: null, rows_written: null, rows_quarantined: null, games: null, details: null };
    const message = "interrupted (SIGINT) before the action finished; nothing of it was committed";
    const rows =
      running.length > 0
        ? running.map(({ action, startedAt }) => ({
            ...base,
            action: action.name,
            action_role: action.role,
            target: `${action.target.schema}.${action.target.name}`,
            level: levelOf(action),
            status: "interrupted" as const,
            started_at: startedAt.toISOString(),
            duration_ms: now.getTime() - startedAt.getTime(),
            message,
          }))
        : [{ ...base, action: "run", action_role: "operation", target: "", level: -1, status: "interrupted" as const, started_at: null, duration_ms: 0, message: "interrupted (SIGINT) between actions" }];
    for (const row of rows) await recordInLedger(engine, row);
  }
  const where = running.length > 0 ? ` during ${running.map(({ action }) => action.name).join(", ")}` : "";
  return new InterruptedError(`interrupted: run ${runId} stopped${gameDate ? ` on ${inFlight.gameDate}` : ""}${where}`, {
    suggestion: "Finished actions are kept and recorded; run the same command again to complete it (writes are MERGEs, safe to repeat).",
  });
}
