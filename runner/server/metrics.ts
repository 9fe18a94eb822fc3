/**
 * Counters of the push endpoint, served as JSON by `GET /metrics` (README: Push endpoint limits).
 * What is refused before a delivery is authenticated (401, 403, a dropped or timed-out connection)
 * never reaches the deliveries table: it is a log line and a count here. Counts start at zero when
 * the process starts.
 */

export type RefusalKind = "unauthorized" | "forbidden" | "auth_unavailable";
export type ConnectionEvent = "dropped" | "timed_out" | "client_error";

export class Counters {
  readonly startedAt = Date.now();
  /** Requests refused by authentication, by kind (401, 403, 500 when Google's certificates are unreachable). */
  readonly refused: Record<RefusalKind, number> = { unauthorized: 0, forbidden: 0, auth_unavailable: 0 };
  /** Answers to authenticated deliveries, by outcome (each is also a row of the deliveries table). */
  readonly answered: Record<string, number> = {};
  /**
   * Connections: over the cap (closed at once), past the head or request timeout (408), and other
   * malformed HTTP (400 / 431 from the parser).
   */
  readonly connections: Record<ConnectionEvent, number> = { dropped: 0, timed_out: 0, client_error: 0 };
  /** Compilations of a run (in the compile worker). */
  readonly compiles = { started: 0, completed: 0, failed: 0 };

  refuse(kind: RefusalKind): void {
    this.refused[kind] += 1;
  }

  answer(outcome: string): void {
    this.answered[outcome] = (this.answered[outcome] ?? 0) + 1;
  }

  connection(event: ConnectionEvent): void {
    this.connections[event] += 1;
  }
}
