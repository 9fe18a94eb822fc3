/**
 * Test support (used by unit tests, never by the runner): an action as the plan holds it, written
 * out once, with what a test sets and the rest empty.
 */
import { noTableSettings, type Action } from "./actions.ts";

export function testAction(action: Pick<Action, "id" | "name" | "kind" | "role" | "target" | "fileName" | "query"> & Partial<Action>): Action {
  return {
    tags: [],
    description: undefined,
    columns: [],
    dependencies: [],
    sources: [],
    ...noTableSettings(),
    upstreamModels: [],
    ...action,
  };
}
