/**
 * The record of every authenticated push delivery the server answered, accepted or rejected: one
 * row per response in the runner's deliveries table (`nba_orchestration.phase3_runner_deliveries`
 * unless configured: `bigquery.deliveriesTable`, runner_tables.ts), with the messageId, the status code,
 * the outcome, the run it started and the reason. It is also how a redelivered message that
 * already succeeded is recognised (`duplicate`), across restarts and instances. Requests refused
 * by authentication (401/403) are not deliveries: they are log lines and counters (metrics.ts),
 * never rows, so that strangers cannot fill the warehouse.
 */
import { param, type ColumnSpec, type Engine, type StatementContext, type TableRef } from "../engines/engine.ts";
import { DEFAULT_DELIVERIES_TABLE, parseTableName, runnerTablesOf } from "../engines/runner_tables.ts";
import { addDays } from "../dates.ts";
import { MESSAGE_ID_MAX_CHARS, RECORDED_TEXT_MAX_CHARS, SUBSCRIPTION_MAX_CHARS, TABLE_NAME_MAX_CHARS } from "./limits.ts";

/** The default deliveries table; the one an engine writes is `deliveriesTable(engine)`. */
export const DELIVERIES_TABLE: TableRef = parseTableName(DEFAULT_DELIVERIES_TABLE);

/** The deliveries table of this engine (configured name, schema suffix). */
export function deliveriesTable(engine: Pick<Engine, "runnerTables">): TableRef {
  return runnerTablesOf(engine).deliveries;
}

/** What a delivery's jobs are labelled with: the action "pubsub_delivery", the run and date when known. */
const DELIVERY_ACTION = "pubsub_delivery";

export const DELIVERY_COLUMNS: ColumnSpec[] = [
  { name: "received_date", type: "DATE", description: "UTC date the delivery arrived (partition column)." },
  { name: "received_at", type: "TIMESTAMP", description: "When the request arrived." },
  { name: "responded_at", type: "TIMESTAMP", description: "When the answer was sent (for a late_* row: when the run finished)." },
  { name: "message_id", type: "STRING", description: "Pub/Sub messageId (NULL when the body did not carry one)." },
  { name: "subscription", type: "STRING", description: "The push subscription named in the envelope." },
  { name: "delivery_attempt", type: "INT64", description: "Pub/Sub's deliveryAttempt (set when the subscription has a dead-letter policy)." },
  { name: "publish_time", type: "TIMESTAMP", description: "When the message was published." },
  { name: "source_table", type: "STRING", description: "The raw table the message reports complete (dataset prefix stripped)." },
  { name: "game_date", type: "DATE", description: "The run date the message names." },
  { name: "backfill_mode", type: "BOOL", description: "The message asked for a backfill run (gates ignored)." },
  { name: "status_code", type: "INT64", description: "HTTP status of the answer (NULL for a late_* row)." },
  {
    name: "outcome",
    type: "STRING",
    description:
      "completed, completed_with_warnings, failed, not_ready, busy, timeout, error, skipped, no_processors, duplicate, bad_request, too_large, shutting_down; late_<outcome> when a timed-out run finished after its answer. (401/403 are not recorded: see GET /metrics.)",
  },
  { name: "run_id", type: "STRING", description: "The run the delivery started (NULL when none)." },
  { name: "reason", type: "STRING", description: "Why, in words: the 400 reasons, the gate that was not ready, the error." },
  { name: "duration_ms", type: "INT64", description: "Time from arrival to answer." },
  { name: "trace", type: "STRING", description: "Cloud Trace id from X-Cloud-Trace-Context, when present." },
  { name: "payload", type: "STRING", description: "The decoded message data, or the first bytes of a body that could not be decoded." },
];

export type DeliveryOutcome =
  | "completed"
  | "completed_with_warnings"
  | "failed"
  | "not_ready"
  | "busy"
  | "timeout"
  | "error"
  | "skipped"
  | "no_processors"
  | "duplicate"
  | "bad_request"
  | "too_large"
  | "shutting_down";

/** Outcomes after which the message is done: a redelivery of it is a duplicate and runs nothing. */
export const DONE_OUTCOMES = [
  "completed",
  "completed_with_warnings",
  "failed",
  "skipped",
  "no_processors",
  "late_completed",
  "late_completed_with_warnings",
  "late_failed",
];

/** How far back a redelivery is looked for: Pub/Sub keeps unacknowledged messages at most 31 days. */
export const DUPLICATE_WINDOW_DAYS = 31;

/** The longest payload kept in a row. */
export const PAYLOAD_EXCERPT_CHARS = RECORDED_TEXT_MAX_CHARS;

export interface DeliveryRecord {
  received_at: string;
  responded_at: string;
  message_id: string | null;
  subscription: string | null;
  delivery_attempt: number | null;
  publish_time: string | null;
  source_table: string | null;
  game_date: string | null;
  backfill_mode: boolean | null;
  status_code: number | null;
  outcome: DeliveryOutcome | `late_${string}`;
  run_id: string | null;
  reason: string | null;
  duration_ms: number;
  trace: string | null;
  payload: string | null;
}

/** Creates the deliveries table, or adds the columns an older one lacks. */
export async function ensureDeliveries(engine: Engine): Promise<void> {
  const table = deliveriesTable(engine);
  await engine.ensureDataset(table.dataset);
  await engine.ensureTable(table, { columns: DELIVERY_COLUMNS, partitionBy: "received_date", clusterBy: ["message_id"] });
}

/** A timestamp the engines accept, or null (publishTime comes from outside). */
export function timestampOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString();
}

/** `text` cut to `max` characters (the envelope limits already hold; this keeps every row bounded). */
function clip(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? text.slice(0, max) : text;
}

export async function recordDelivery(engine: Engine, record: DeliveryRecord): Promise<void> {
  const row = {
    ...record,
    message_id: clip(record.message_id, MESSAGE_ID_MAX_CHARS),
    subscription: clip(record.subscription, SUBSCRIPTION_MAX_CHARS),
    source_table: clip(record.source_table, TABLE_NAME_MAX_CHARS),
    reason: clip(record.reason, RECORDED_TEXT_MAX_CHARS),
    payload: clip(record.payload, PAYLOAD_EXCERPT_CHARS),
    received_date: record.received_at.slice(0, 10),
  };
  const context: StatementContext = { action: DELIVERY_ACTION, runId: record.run_id ?? undefined, gameDate: record.game_date ?? undefined };
  await engine.insertRows(deliveriesTable(engine), DELIVERY_COLUMNS, [row], context);
}

/** The earlier delivery after which `messageId` is done, if there is one. */
export async function findDone(engine: Engine, messageId: string, today: string): Promise<{ outcome: string; run_id: string | null } | undefined> {
  const rows = await engine.query<{ outcome: string; run_id: string | null }>(
    `SELECT outcome, run_id
FROM ${engine.qualify(deliveriesTable(engine))}
WHERE received_date >= @since
  AND message_id = @message_id
  AND outcome IN UNNEST(@done)
ORDER BY received_at
LIMIT 1`,
    {
      params: {
        since: param.date(addDays(today, -DUPLICATE_WINDOW_DAYS)),
        message_id: param.string(messageId),
        done: param.strings(DONE_OUTCOMES),
      },
      context: { action: DELIVERY_ACTION },
    },
  );
  return rows[0];
}
