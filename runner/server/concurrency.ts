/**
 * How runs share the server: one run per date at a time (single flight: a second delivery for a
 * busy date is answered at once, never queued), and a bounded number of runs at once, with
 * deliveries beyond the bound waiting in arrival order for a slot.
 *
 * Slots are weighted so that a run which creates tables takes all of them. DuckDB detects catalog
 * write-write conflicts between transactions: two runs creating the same target table (or schema)
 * at the same moment make one of them fail with "write-write conflict" or "already exists". A run
 * whose target tables all exist only appends, merges and deletes rows of its own date, which
 * DuckDB runs concurrently without conflict; so such runs share the slots, and the first run of a
 * fresh warehouse runs alone.
 */

export type Release = () => void;

/** One holder per key: the date lock of single flight. */
export class KeyedLocks<Holder> {
  private readonly held = new Map<string, Holder>();

  /** Takes the lock of `key`, or returns undefined when someone holds it. */
  tryAcquire(key: string, holder: Holder): Release | undefined {
    if (this.held.has(key)) return undefined;
    this.held.set(key, holder);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held.delete(key);
    };
  }

  holder(key: string): Holder | undefined {
    return this.held.get(key);
  }

  get size(): number {
    return this.held.size;
  }
}

interface Waiter {
  weight: number;
  grant: (release: Release) => void;
}

/**
 * A weighted semaphore, first come first served: a waiter is never overtaken by a later one, so a
 * run wanting every slot is not starved by a stream of small ones.
 */
export class Slots {
  private used = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once `weight` slots are free (weight is capped at the
   * capacity), or with undefined after `timeoutMs` without them.
   */
  acquire(weight: number, timeoutMs: number): Promise<Release | undefined> {
    const needed = Math.min(Math.max(1, weight), this.capacity);
    if (this.queue.length === 0 && this.used + needed <= this.capacity) {
      this.used += needed;
      return Promise.resolve(this.releaser(needed));
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        weight: needed,
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        resolve(undefined);
        // The head may have been the one blocking the others.
        this.pump();
      }, timeoutMs);
      this.queue.push(waiter);
    });
  }

  private releaser(weight: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= weight;
      this.pump();
    };
  }

  private pump(): void {
    for (let head = this.queue[0]; head && this.used + head.weight <= this.capacity; head = this.queue[0]) {
      this.queue.shift();
      this.used += head.weight;
      head.grant(this.releaser(head.weight));
    }
  }
}
