import { assert } from '../util/mod.ts';

/** What the loop needs to know about a queued proposal. */
export interface LoopItem {
  /** Approximate payload size, to cap the bytes of one engine write. */
  readonly payloadBytes: number;
  /**
   * A barrier ends the batch it is in: proposals after it are checked against the state it
   * produces (used by splits, which change region ranges and epochs).
   */
  readonly barrier: boolean;
  /** Called when the batch holding this item could not be committed. */
  fail(err: unknown): void;
}

export interface StoreLoopLimits {
  /** Items waiting to be committed; `offer` refuses beyond it. */
  queueMax: number;
  /** Items per batch. */
  batchItemsMax: number;
  /** A batch stops growing once its payload passes this. */
  batchBytesMax: number;
}

/** Outcome of `StoreLoop.offer`. */
export type OfferResult = 'queued' | 'full' | 'closed';

/**
 * The store's single writer (group commit). Requests only enqueue; one drain loop takes every
 * proposal that is waiting (up to the batch limits), hands them to `commit` which builds ONE
 * engine write batch and syncs it once, then takes the next group. While one fsync is in
 * flight, new proposals accumulate, so N concurrent writers cost about one fsync per loop
 * iteration rather than N.
 *
 * `commit` resolves each item's own promise after a successful engine write; if it throws,
 * the loop fails every item of that batch, refuses all later work (`failed`), and reports the
 * error once through `onFatal`: a failed local write is not something to retry around.
 */
export class StoreLoop<T extends LoopItem> {
  private queue: T[] = [];
  private head = 0;
  private draining = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** The error that stopped the loop, if any. */
  failed: unknown = undefined;

  constructor(
    private readonly limits: StoreLoopLimits,
    private readonly commit: (batch: T[]) => Promise<void>,
    private readonly onFatal: (err: unknown) => void,
  ) {
    assert(limits.queueMax > 0 && limits.batchItemsMax > 0 && limits.batchBytesMax > 0, 'store loop limits');
  }

  /** Proposals waiting (not yet in a batch being written). */
  get queuedCount(): number {
    return this.queue.length - this.head;
  }

  /** Enqueues `item`; the drain starts on the next microtask so same-tick writers share a batch. */
  offer(item: T): OfferResult {
    if (this.closed || this.failed !== undefined) return 'closed';
    if (this.queuedCount >= this.limits.queueMax) return 'full';
    this.queue.push(item);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
    return 'queued';
  }

  /** Stops accepting work and resolves once everything already queued has been committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  /** Resolves when the queue is empty and no batch is being written. */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private takeBatch(): T[] {
    const batch: T[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && batch.length < this.limits.batchItemsMax) {
      const item = this.queue[this.head]!;
      if (batch.length > 0 && item.barrier) break;
      if (batch.length > 0 && bytes + item.payloadBytes > this.limits.batchBytesMax) break;
      this.head++;
      batch.push(item);
      bytes += item.payloadBytes;
      if (item.barrier) break;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async drain(): Promise<void> {
    while (this.queuedCount > 0 && this.failed === undefined) {
      const batch = this.takeBatch();
      try {
        await this.commit(batch);
      } catch (err) {
        this.failed = err;
        for (const item of batch) item.fail(err);
        const rest = this.queue.slice(this.head);
        this.queue = [];
        this.head = 0;
        for (const item of rest) item.fail(err);
        this.onFatal(err);
      }
    }
    this.draining = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
