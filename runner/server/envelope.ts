/**
 * Where the Pub/Sub push envelope is parsed: the JSON body `{message: {data, attributes,
 * messageId, publishTime}, subscription, deliveryAttempt}` and, inside `message.data`, the base64
 * JSON payload Phase 2 publishes (spec 1.3). zod checks both; every problem becomes one
 * `path: message` line that goes back in the 400 body and into the deliveries table.
 */
import { z } from "zod";
import { CalendarDateSchema } from "../dates.ts";
import {
  ATTRIBUTE_KEY_MAX_BYTES,
  ATTRIBUTE_VALUE_MAX_BYTES,
  MAX_ATTRIBUTES,
  MESSAGE_ID_MAX_CHARS,
  SUBSCRIPTION_MAX_CHARS,
  TABLE_NAME_MAX_CHARS,
} from "./limits.ts";

/**
 * `message.attributes` within Pub/Sub's limits (limits.ts). Checked by hand rather than with
 * z.record: zod would name an offending key in the issue path, and a key can be as long as the
 * body. The reasons give positions and sizes, never the keys or values themselves.
 */
const AttributesSchema = z.unknown().superRefine((value, context) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    context.addIssue({ code: "custom", message: "must be an object of string values" });
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES) {
    context.addIssue({ code: "custom", message: `${entries.length} attributes; Pub/Sub allows at most ${MAX_ATTRIBUTES}` });
    return;
  }
  for (const [index, [key, attribute]] of entries.entries()) {
    const keyBytes = Buffer.byteLength(key);
    if (keyBytes > ATTRIBUTE_KEY_MAX_BYTES) {
      context.addIssue({ code: "custom", message: `key #${index + 1} is ${keyBytes} bytes; Pub/Sub allows at most ${ATTRIBUTE_KEY_MAX_BYTES}` });
    } else if (typeof attribute !== "string") {
      context.addIssue({ code: "custom", message: `the value of "${key}" must be a string` });
    } else if (Buffer.byteLength(attribute) > ATTRIBUTE_VALUE_MAX_BYTES) {
      context.addIssue({ code: "custom", message: `the value of "${key}" is ${Buffer.byteLength(attribute)} bytes; Pub/Sub allows at most ${ATTRIBUTE_VALUE_MAX_BYTES}` });
    }
  }
});

export const EnvelopeSchema = z.object({
  message: z.object({
    data: z.string().min(1, "must be a non-empty base64 string"),
    attributes: AttributesSchema.transform((value) => value as Record<string, string>).optional(),
    messageId: z
      .string()
      .min(1, "must be a non-empty string")
      .max(MESSAGE_ID_MAX_CHARS, `longer than ${MESSAGE_ID_MAX_CHARS} characters (Pub/Sub assigns a decimal string of 16-20 digits)`),
    publishTime: z.string().max(64, "longer than 64 characters (an RFC 3339 timestamp)").optional(),
  }),
  subscription: z.string().min(1, "must be a non-empty string").max(SUBSCRIPTION_MAX_CHARS, `longer than ${SUBSCRIPTION_MAX_CHARS} characters`),
  deliveryAttempt: z.number().int().positive().optional(),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;

/**
 * The completion message of a Phase 2 processor. `output_table` is the current key, `source_table`
 * the legacy one; other fields Phase 2 sends (record_count, processor_name...) are kept, unused.
 */
export const PayloadSchema = z
  .object({
    output_table: z.string().min(1, "must be a non-empty table name").max(TABLE_NAME_MAX_CHARS, `longer than ${TABLE_NAME_MAX_CHARS} characters`).optional(),
    source_table: z.string().min(1, "must be a non-empty table name").max(TABLE_NAME_MAX_CHARS, `longer than ${TABLE_NAME_MAX_CHARS} characters`).optional(),
    game_date: CalendarDateSchema,
    status: z.string().optional(),
    success: z.boolean().optional(),
    backfill_mode: z.boolean().optional(),
  })
  .loose()
  .refine((payload) => payload.output_table !== undefined || payload.source_table !== undefined, {
    message: "needs output_table (or the legacy source_table)",
    path: ["output_table"],
    // Reported together with the other problems of the payload, not only once they are fixed.
    when: (check) => typeof check.value === "object" && check.value !== null,
  });

export type Payload = z.infer<typeof PayloadSchema>;

/** A delivery whose envelope and payload are valid. */
export interface Delivery {
  messageId: string;
  subscription: string;
  deliveryAttempt: number | undefined;
  publishTime: string | undefined;
  attributes: Record<string, string>;
  /** The decoded `message.data`, as sent. */
  dataText: string;
  payload: Payload;
  /** The table named by the payload, dataset prefix stripped (`nba_raw.x` -> `x`). */
  sourceTable: string;
  gameDate: string;
  backfillMode: boolean;
  /** Phase 2 reported that it failed (`status: failed` or `success: false`). */
  upstreamFailed: boolean;
}

export type ParseResult =
  | { ok: true; delivery: Delivery }
  | {
      ok: false;
      /** `path: message` lines. */
      reasons: string[];
      /** What could be read before the problem (recorded with the rejection). */
      messageId: string | undefined;
      subscription: string | undefined;
      dataText: string | undefined;
    };

const UPSTREAM_FAILURE_STATUSES = new Set(["failed", "failure", "error"]);

function issueLines(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    return `${path || "(body)"}: ${issue.message}`;
  });
}

/** Strict base64 (Pub/Sub encodes `data` with the standard alphabet and padding). */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

/** A string within `max` characters, or undefined: what a rejection may record of a field. */
function bounded(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}

/**
 * Reads what identifies a delivery from a body that may be invalid, for the record of a rejection;
 * an id or subscription over its limit is not kept (the 400 reason says it was too long).
 */
function bestEffortIds(body: unknown): { messageId: string | undefined; subscription: string | undefined } {
  if (typeof body !== "object" || body === null) return { messageId: undefined, subscription: undefined };
  const record = body as Record<string, unknown>;
  const message = typeof record.message === "object" && record.message !== null ? (record.message as Record<string, unknown>) : {};
  return {
    messageId: bounded(message.messageId ?? message.message_id, MESSAGE_ID_MAX_CHARS),
    subscription: bounded(record.subscription, SUBSCRIPTION_MAX_CHARS),
  };
}

export function stripDataset(table: string): string {
  return table.split(".").at(-1) ?? table;
}

/** Parses a request body (raw bytes) into a delivery, or the reasons it is malformed. */
export function parseDelivery(body: Buffer): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reasons: [`(body): not JSON (${detail})`], messageId: undefined, subscription: undefined, dataText: undefined };
  }
  const ids = bestEffortIds(json);
  const reject = (reasons: string[], dataText?: string): ParseResult => ({ ok: false, reasons, ...ids, dataText });

  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) return reject(issueLines(envelope.error, ""));
  const { message, subscription, deliveryAttempt } = envelope.data;

  const bytes = decodeBase64(message.data);
  if (!bytes) return reject(["message.data: not valid base64"]);
  const dataText = bytes.toString("utf8");
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch {
    return reject(["message.data: the decoded data is not JSON"], dataText);
  }
  const payload = PayloadSchema.safeParse(data);
  if (!payload.success) return reject(issueLines(payload.error, "message.data"), dataText);

  const table = (payload.data.output_table ?? payload.data.source_table) as string;
  const status = payload.data.status?.toLowerCase();
  return {
    ok: true,
    delivery: {
      messageId: message.messageId,
      subscription,
      deliveryAttempt,
      publishTime: message.publishTime,
      attributes: message.attributes ?? {},
      dataText,
      payload: payload.data,
      sourceTable: stripDataset(table),
      gameDate: payload.data.game_date,
      backfillMode: payload.data.backfill_mode === true,
      upstreamFailed: payload.data.success === false || (status !== undefined && UPSTREAM_FAILURE_STATUSES.has(status)),
    },
  };
}

/** Builds a push envelope (tests, local tools): the inverse of parseDelivery. */
export function encodeEnvelope(
  data: unknown,
  options: { messageId: string; subscription?: string; deliveryAttempt?: number; attributes?: Record<string, string> },
): Envelope {
  return {
    message: {
      data: Buffer.from(JSON.stringify(data)).toString("base64"),
      ...(options.attributes ? { attributes: options.attributes } : {}),
      messageId: options.messageId,
      publishTime: new Date().toISOString(),
    },
    subscription: options.subscription ?? "projects/local/subscriptions/phase3-local",
    ...(options.deliveryAttempt === undefined ? {} : { deliveryAttempt: options.deliveryAttempt }),
  };
}
