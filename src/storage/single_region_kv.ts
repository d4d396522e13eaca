import type { KvEngine, KvSnapshot } from '../engine/mod.ts';
import type { Modify, RegionContext, RegionKv, RegionRange, RegionRangeSource, RegionResult } from './region_kv.ts';

/**
 * A `RegionKv` with one region covering `range` (default: every key) directly over a
 * `KvEngine`, with no epoch or leader checks. For tests and single-process tools; the
 * raftstore provides the real implementation.
 */
export class SingleRegionKv implements RegionKv, RegionRangeSource {
  /** Modifications applied so far (tests inspect write counts). */
  writeCount = 0;

  constructor(
    readonly engine: KvEngine,
    private readonly rangeValue: RegionRange = { startKey: new Uint8Array(0), endKey: new Uint8Array(0) },
    private readonly sync = false,
  ) {}

  async snapshot(_ctx: RegionContext): Promise<RegionResult<KvSnapshot>> {
    return { ok: true, value: this.engine.snapshot() };
  }

  async write(_ctx: RegionContext, modifies: Modify[]): Promise<RegionResult<void>> {
    const batch = this.engine.newWriteBatch();
    for (const m of modifies) {
      if (m.type === 'put') batch.put(m.cf, m.key, m.value);
      else if (m.type === 'delete') batch.delete(m.cf, m.key);
      else batch.deleteRange(m.cf, m.start, m.end);
    }
    await this.engine.write(batch, { sync: this.sync });
    this.writeCount++;
    return { ok: true, value: undefined };
  }

  regionRange(_ctx: RegionContext): RegionRange {
    return this.rangeValue;
  }
}
