/**
 * Every limit the push endpoint puts on what a client may send, in one place, with why. The
 * envelope limits follow Pub/Sub's own (https://cloud.google.com/pubsub/quotas#resource_limits):
 * a message Pub/Sub really pushed is never refused by them, and anything beyond them did not come
 * from Pub/Sub. The connection limits bound what a client that never finishes its request can hold.
 * `runner serve` flags override the timeouts and the connection cap (README: Push endpoint limits).
 */

/**
 * Largest request body read (and only once the request is authenticated). Pub/Sub allows messages
 * up to 10 MB, about 13.4 MB once base64-encoded in a push envelope; but a Phase 2 completion
 * message is under 1 KB, and a body this big is not one: it is answered 413 (and dead-lettered)
 * without being read. 1 MiB keeps what a connection can hold small: at most
 * MAX_CONNECTIONS x BODY_LIMIT_BYTES = 64 MiB of bodies in memory at once.
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Longest `message.messageId` accepted (400 beyond). Pub/Sub assigns a decimal string of 16 to 20
 * digits (an int64 fits in 19); local tools and tests use short names ("local-1"). The id is stored
 * in every row of the deliveries table and kept in the duplicate cache, so it must be bounded.
 */
export const MESSAGE_ID_MAX_CHARS = 64;

/**
 * Longest `subscription` accepted (400 beyond): `projects/<project id, at most 30>/subscriptions/
 * <subscription id, at most 255>` is at most 309 characters. Stored in the deliveries table.
 */
export const SUBSCRIPTION_MAX_CHARS = 320;

/** Pub/Sub: at most 100 attributes per message (400 beyond). */
export const MAX_ATTRIBUTES = 100;
/** Pub/Sub: an attribute key is at most 256 bytes (UTF-8). */
export const ATTRIBUTE_KEY_MAX_BYTES = 256;
/** Pub/Sub: an attribute value is at most 1024 bytes (UTF-8). */
export const ATTRIBUTE_VALUE_MAX_BYTES = 1024;

/**
 * Longest table name a payload may give (`output_table`, `source_table`): BigQuery dataset and
 * table names are at most 1024 characters each. The name is stored and quoted in the 400 reason.
 */
export const TABLE_NAME_MAX_CHARS = 2048;

/**
 * The whole request head (request line and headers) must arrive within this long, or the
 * connection is answered 408 and closed (a slowloris client sends one header byte at a time; a
 * silent one sends nothing). Pub/Sub and the Cloud Run front end send a head at once.
 */
export const HEADERS_TIMEOUT_S = 10;

/**
 * The whole request (head and body, at most BODY_LIMIT_BYTES) must arrive within this long, or 408
 * and closed. It bounds receiving only: the answer may take up to --run-timeout.
 */
export const REQUEST_TIMEOUT_S = 30;

/**
 * Open connections at most; one more is closed at once, without an answer (Pub/Sub retries it).
 * Above Cloud Run's --concurrency (16 in the README's deploy command) plus the probes, with room for
 * Pub/Sub's bursts on a direct deployment; with BODY_LIMIT_BYTES it bounds the memory of bodies.
 */
export const MAX_CONNECTIONS = 64;

/**
 * Largest request head (node's own default, stated here): a Pub/Sub push carries an OIDC token of
 * about 1 KB and the front end adds a few forwarding and trace headers. Beyond it: 431.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * How often node looks for connections past the head or request timeout (its default, 30 s, would
 * let a timed-out connection live up to 30 s more). Checking costs one pass over open connections.
 */
export const TIMEOUT_CHECK_MAX_MS = 1_000;

/**
 * Memory the duplicate fast path may use (message ids answered with a final outcome, oldest
 * forgotten first). An entry is about 240 bytes for a Pub/Sub id, so this keeps some 8,000 recent
 * messages; a forgotten one is still found in the deliveries table.
 */
export const DUPLICATE_CACHE_MAX_BYTES = 2 * 1024 * 1024;

/** Longest `reason` and `payload` stored in a deliveries row (a 400's reasons, a decoded message). */
export const RECORDED_TEXT_MAX_CHARS = 4096;

/** How often a dropped connection (over MAX_CONNECTIONS) or a timed-out one is logged at most: counters say how many. */
export const CONNECTION_LOG_INTERVAL_MS = 10_000;
