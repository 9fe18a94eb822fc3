/**
 * The duplicate fast path: messages this instance answered with a final outcome, so that a
 * redelivery is answered `duplicate` without a warehouse look-up. Bounded in bytes, not in count:
 * a count bound lets the memory grow with the size of the ids (1 MB ids once grew the process by
 * 80-160 MB). Oldest entries are forgotten first; a forgotten message is still found in the
 * deliveries table, so the bound costs a query, never a second run.
 */

export interface AnsweredEntry {
  outcome: string;
  runId: string | null;
}

/**
 * What one entry costs, over-estimated: V8 keeps a string in one byte per character (Latin-1) or
 * two, plus a header; the Map slot, the entry object and its fields take about a hundred bytes.
 */
const ENTRY_OVERHEAD_BYTES = 128;

export function entryBytes(messageId: string, entry: AnsweredEntry): number {
  return ENTRY_OVERHEAD_BYTES + 2 * (messageId.length + entry.outcome.length + (entry.runId?.length ?? 0));
}

export class AnsweredCache {
  private readonly entries = new Map<string, AnsweredEntry & { bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }

  get(messageId: string): AnsweredEntry | undefined {
    const entry = this.entries.get(messageId);
    return entry ? { outcome: entry.outcome, runId: entry.runId } : undefined;
  }

  has(messageId: string): boolean {
    return this.entries.has(messageId);
  }

  /** Keeps an entry, forgetting the oldest ones to make room; false when it alone exceeds the budget. */
  set(messageId: string, entry: AnsweredEntry): boolean {
    const bytes = entryBytes(messageId, entry);
    if (bytes > this.maxBytes) return false;
    this.delete(messageId);
    while (this.used + bytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(messageId, { ...entry, bytes });
    this.used += bytes;
    return true;
  }

  /** Estimated bytes held (never above maxBytes). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(messageId: string): void {
    const entry = this.entries.get(messageId);
    if (!entry) return;
    this.entries.delete(messageId);
    this.used -= entry.bytes;
  }
}
