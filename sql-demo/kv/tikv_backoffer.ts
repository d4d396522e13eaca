import type { Clock, Random } from '../../src/util/mod.ts';
import { BackoffExhaustedError } from './tikv_errors.ts';

/** One kind of retry wait: exponential from `baseMs` to `capMs` with equal jitter (client-go BackoffConfig). */
export interface BackoffKind {
  readonly name: string;
  readonly baseMs: number;
  readonly capMs: number;
}

/** The kinds client-go uses for the errors this client retries. */
export const BACKOFF = {
  /** PD has no region for a key yet / region cache reload. */
  regionMiss: { name: 'regionMiss', baseMs: 2, capMs: 500 },
  /** NotLeader without a leader, region being scheduled. */
  regionScheduling: { name: 'regionScheduling', baseMs: 2, capMs: 500 },
  /** The store's RPC failed (unreachable, deadline). */
  tikvRpc: { name: 'tikvRPC', baseMs: 100, capMs: 2000 },
  /** ServerIsBusy. */
  serverBusy: { name: 'tikvServerBusy', baseMs: 2000, capMs: 10_000 },
  /** StaleCommand, MaxTimestampNotSynced, RegionNotInitialized, ReadIndexNotReady. */
  staleCmd: { name: 'staleCommand', baseMs: 2, capMs: 1000 },
  /** A read waiting for a live lock. */
  txnLockFast: { name: 'txnLockFast', baseMs: 2, capMs: 3000 },
  /** A write waiting for a live lock. */
  txnLock: { name: 'txnLock', baseMs: 100, capMs: 3000 },
  /** CheckTxnStatus answered TxnNotFound: the primary's prewrite may still be on its way. */
  txnNotFound: { name: 'txnNotFound', baseMs: 2, capMs: 500 },
} as const satisfies Record<string, BackoffKind>;

/**
 * A per-operation retry budget (client-go `retry.Backoffer`): each `backoff(kind)` sleeps the
 * next exponential, jittered wait of that kind and charges it to the budget; once the budget
 * is spent it throws `BackoffExhaustedError` naming the operation and the last error seen.
 * Not shared between concurrent branches that must not starve each other: use `fork()`.
 */
export class TikvBackoffer {
  private spentMs = 0;
  private readonly attempts = new Map<string, number>();

  constructor(
    readonly operation: string,
    readonly budgetMs: number,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /**
   * Sleeps for `kind` (at least `hintMs` when the server asked for it, at most `maxSleepMs`
   * when the awaited thing ends sooner, e.g. a lock's TTL); throws when the budget is gone.
   */
  async backoff(kind: BackoffKind, lastError: string, hintMs = 0, maxSleepMs = Number.POSITIVE_INFINITY): Promise<void> {
    const n = this.attempts.get(kind.name) ?? 0;
    this.attempts.set(kind.name, n + 1);
    const expMs = Math.min(kind.capMs, kind.baseMs * 2 ** Math.min(n, 30));
    // Equal jitter: half fixed, half random, so concurrent retriers spread out.
    let sleepMs = Math.max(1, Math.min(maxSleepMs, Math.max(hintMs, Math.round(expMs / 2 + this.random.float() * (expMs / 2)))));
    if (this.spentMs + sleepMs > this.budgetMs) {
      const leftMs = this.budgetMs - this.spentMs;
      if (leftMs <= 0) throw new BackoffExhaustedError(this.operation, this.budgetMs, lastError);
      sleepMs = leftMs;
    }
    this.spentMs += sleepMs;
    await this.clock.sleep(sleepMs);
  }

  /** A child with the remaining budget, for a parallel branch (its spending does not count here). */
  fork(): TikvBackoffer {
    return new TikvBackoffer(this.operation, Math.max(0, this.budgetMs - this.spentMs), this.clock, this.random);
  }

  get spent(): number {
    return this.spentMs;
  }
}
