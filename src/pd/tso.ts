import { assert } from '../util/assert.ts';
import type { Clock } from '../util/clock.ts';
import { DomainError } from '../util/errors.ts';
import type { MetaStore } from './meta_store.ts';

/**
 * The timestamp oracle. A timestamp is `physical_ms << 18 | logical`. Timestamps never go
 * backwards, even across restarts: before handing out any physical time `p`, a high-water
 * mark `>= p` is synced to disk (TiKV PD's "save interval" window), and after a restart the
 * oracle starts strictly above the persisted mark.
 */
export const LOGICAL_BITS = 18n;
export const LOGICAL_MAX = 1 << 18;
/** How far ahead of the current physical time the persisted high-water mark is pushed. */
export const TSO_SAVE_INTERVAL_MS_DEFAULT = 3000;
/** Largest batch one request may ask for. */
export const TSO_COUNT_MAX = 1 << 16;
const HIGH_WATER_KEY = 'tso/high_water_ms';

export interface TsoResult {
  physical: bigint;
  /** The largest logical of the batch; the batch is `(logical - count + 1) ..= logical`. */
  logical: bigint;
}

export class Tso {
  private physicalMs = 0;
  private logical = 0;
  private highWaterMs = 0;
  private saving: Promise<void> | undefined;

  private constructor(
    private readonly store: MetaStore,
    private readonly clock: Clock,
    private readonly saveIntervalMs: number,
  ) {}

  /** Loads the persisted window and starts strictly above it. */
  static async open(store: MetaStore, clock: Clock, saveIntervalMs = TSO_SAVE_INTERVAL_MS_DEFAULT): Promise<Tso> {
    const tso = new Tso(store, clock, saveIntervalMs);
    const last = Number((await store.getBigInt(HIGH_WATER_KEY)) ?? 0n);
    tso.physicalMs = Math.max(clock.nowMs(), last + 1);
    await tso.persistHighWater(tso.physicalMs + saveIntervalMs);
    return tso;
  }

  private async persistHighWater(ms: number): Promise<void> {
    await this.store.putBigInt(HIGH_WATER_KEY, BigInt(ms));
    this.highWaterMs = Math.max(this.highWaterMs, ms);
  }

  /** Moves physical time forward to the wall clock (never backwards); persists the window. */
  private async advance(minPhysicalMs: number): Promise<void> {
    const next = Math.max(this.physicalMs, this.clock.nowMs(), minPhysicalMs);
    if (next > this.physicalMs) {
      if (next >= this.highWaterMs) await this.ensureHighWater(next + this.saveIntervalMs);
      if (next > this.physicalMs) {
        this.physicalMs = next;
        this.logical = 0;
      }
    }
  }

  private async ensureHighWater(ms: number): Promise<void> {
    while (this.highWaterMs < ms) {
      if (!this.saving) {
        this.saving = this.persistHighWater(ms).finally(() => {
          this.saving = undefined;
        });
      }
      await this.saving;
    }
  }

  /**
   * Allocates `count` consecutive timestamps. Resolves once they are safe to hand out (the
   * persisted window covers their physical time).
   */
  async allocate(count: number): Promise<TsoResult> {
    if (!Number.isInteger(count) || count <= 0 || count > TSO_COUNT_MAX) {
      throw new DomainError('InvalidArgument', `tso: count must be in 1..${TSO_COUNT_MAX}, got ${count}`);
    }
    // Refresh physical time when the wall clock moved on, so timestamps track real time.
    if (this.clock.nowMs() > this.physicalMs) await this.advance(0);
    for (;;) {
      if (this.logical + count < LOGICAL_MAX) {
        if (this.physicalMs >= this.highWaterMs) {
          await this.ensureHighWater(this.physicalMs + this.saveIntervalMs);
          continue;
        }
        this.logical += count;
        assert(this.logical < LOGICAL_MAX);
        return { physical: BigInt(this.physicalMs), logical: BigInt(this.logical) };
      }
      // Logical space of this millisecond is exhausted: move to the next one.
      await this.advance(this.physicalMs + 1);
    }
  }

  /** The last timestamp handed out (or the starting point), as a composed u64. */
  current(): bigint {
    return (BigInt(this.physicalMs) << LOGICAL_BITS) | BigInt(this.logical);
  }
}

export function composeTs(physicalMs: bigint, logical: bigint): bigint {
  return (physicalMs << LOGICAL_BITS) | logical;
}
