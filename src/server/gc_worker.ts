import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import type { PdClient } from '../pd_client/mod.ts';
import type { Store } from '../raftstore/mod.ts';
import type { Storage } from '../storage/mod.ts';

/**
 * The store's GC worker: polls PD's GC safe point and, when it moved, runs MVCC GC over
 * every region this store holds (TiKV's gc_worker). Client-go's `KVStore.GC` (or TiDB's GC
 * leader) resolves locks and advances the safe point; this is what then removes versions
 * that no reader at or above the safe point can see.
 */
export const GC_INTERVAL_MS_DEFAULT = 10_000;

export class GcWorker {
  private lastSafePoint = 0n;
  private running: Promise<void> | undefined;
  private cancel: (() => void) | undefined;
  /** Versions removed since start (for /status and tests). */
  versionsDeleted = 0;

  constructor(
    private readonly pd: PdClient,
    private readonly store: Store,
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = GC_INTERVAL_MS_DEFAULT,
  ) {}

  start(): void {
    this.cancel = this.clock.setInterval(() => {
      this.running ??= this.tick()
        .catch((err: unknown) => this.log.warn({ err }, 'gc round failed; will retry'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
  }

  /** One round: GC every region below PD's safe point if it advanced since the last round. */
  async tick(): Promise<void> {
    const safePoint = await this.pd.getGcSafePoint();
    if (safePoint <= this.lastSafePoint) return;
    let complete = true;
    for (const region of this.store.regions()) {
      const res = await this.storage.gc(this.store.contextFor(region), { safePoint });
      if ('regionError' in res) {
        complete = false; // the region split or moved meanwhile: the next round covers it
        continue;
      }
      if (res.error) {
        complete = false;
        this.log.warn({ regionId: region.id.toString(), error: res.error }, 'gc of region failed');
        continue;
      }
      this.versionsDeleted += res.versionsDeleted;
    }
    if (complete) {
      this.lastSafePoint = safePoint;
      this.log.info({ safePoint: safePoint.toString(), versionsDeleted: this.versionsDeleted }, 'gc round done');
    }
  }

  async stop(): Promise<void> {
    this.cancel?.();
    await this.running;
  }
}
