import type { CfName, KvSnapshot } from '../engine/mod.ts';
import { truncateTs } from '../codec/mod.ts';
import { bytesCompare, bytesEqual } from '../util/mod.ts';
import type { RaftstoreConfig } from './config.ts';
import type { Region } from './region.ts';

/** Entries fetched per iterator call while scanning a region. */
const SCAN_BATCH_ENTRIES = 256;

/** What one check of one region found. */
export interface SplitCheckResult {
  /** Split keys in ascending order, each strictly inside the region; empty: no split needed. */
  splitKeys: Uint8Array[];
  /** Entries counted (write CF for transactional data, default CF for RawKV). */
  approximateKeys: number;
  approximateSizeBytes: number;
  /** Which column family the region's data was found in. */
  mode: 'txn' | 'raw' | 'empty';
}

export type SplitThresholds = Pick<
  RaftstoreConfig,
  'regionMaxKeys' | 'regionSplitKeys' | 'regionMaxSizeBytes' | 'regionSplitSizeBytes' | 'splitKeysPerCheckMax'
>;

/**
 * Decides where to split a region by scanning its data once.
 *
 * Transactional regions are measured on the write CF (one entry per committed version) and
 * split keys are the entry key with its timestamp cut off, i.e. an encoded user key: every
 * version of one user key lands on the same side. A split point is only taken where a new
 * user key starts. RawKV regions (write CF empty) are measured on the default CF and split at
 * raw keys verbatim. A region splits when it holds more than `regionMaxKeys` entries or
 * `regionMaxSizeBytes`; the parts are about `regionSplitKeys` / `regionSplitSizeBytes`.
 * Pure over the snapshot: no writes, no PD calls.
 */
export class SplitChecker {
  constructor(private readonly thresholds: SplitThresholds) {}

  async check(snapshot: KvSnapshot, region: Region): Promise<SplitCheckResult> {
    const txn = await this.scan(snapshot, region, 'write', true);
    if (txn.approximateKeys > 0) return { ...txn, mode: 'txn' };
    const raw = await this.scan(snapshot, region, 'default', false);
    return { ...raw, mode: raw.approximateKeys > 0 ? 'raw' : 'empty' };
  }

  private async scan(
    snapshot: KvSnapshot,
    region: Region,
    cf: CfName,
    mvcc: boolean,
  ): Promise<Omit<SplitCheckResult, 'mode'>> {
    const t = this.thresholds;
    const iter = snapshot.iterator(cf, {
      lowerBound: region.startKey,
      ...(region.endKey.length > 0 ? { upperBound: region.endKey } : {}),
    });
    const candidates: Uint8Array[] = [];
    let keys = 0;
    let bytes = 0;
    let keysSinceSplit = 0;
    let bytesSinceSplit = 0;
    let previousUserKey: Uint8Array | undefined;
    try {
      for (;;) {
        const entries = await iter.nextBatch(SCAN_BATCH_ENTRIES);
        if (entries.length === 0) break;
        for (const e of entries) {
          const boundary = mvcc ? truncateTs(e.key) : e.key;
          const newUserKey = previousUserKey === undefined || !bytesEqual(boundary, previousUserKey);
          if (
            newUserKey &&
            previousUserKey !== undefined &&
            candidates.length < t.splitKeysPerCheckMax &&
            (keysSinceSplit >= t.regionSplitKeys || bytesSinceSplit >= t.regionSplitSizeBytes) &&
            bytesCompare(boundary, region.startKey) > 0
          ) {
            candidates.push(boundary.slice());
            keysSinceSplit = 0;
            bytesSinceSplit = 0;
          }
          if (newUserKey) previousUserKey = boundary.slice();
          keys++;
          bytes += e.key.length + e.value.length;
          keysSinceSplit++;
          bytesSinceSplit += e.key.length + e.value.length;
        }
      }
    } finally {
      await iter.close();
    }
    const needSplit = keys > t.regionMaxKeys || bytes > t.regionMaxSizeBytes;
    return { splitKeys: needSplit ? candidates : [], approximateKeys: keys, approximateSizeBytes: bytes };
  }
}
