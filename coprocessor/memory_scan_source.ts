import { bytesCompare } from '../src/util/mod.ts';
import type { KeyRange } from './dag_types.ts';
import type { ScanChunk, ScanCursor, ScanSource } from './scan_source.ts';

/**
 * A ScanSource over an in-memory sorted set of committed pairs: the reference implementation
 * for tests and for callers that already hold the visible rows. Empty `end` means unbounded.
 */
export class MemoryScanSource implements ScanSource {
  private readonly keys: Uint8Array[];
  private readonly values: Uint8Array[];
  /** Number of `next` calls served; lets tests prove the coprocessor stops pulling early. */
  pullCount = 0;

  constructor(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>) {
    const sorted = [...pairs].sort((a, b) => bytesCompare(a[0], b[0]));
    this.keys = sorted.map((p) => p[0]);
    this.values = sorted.map((p) => p[1]);
  }

  openCursor(ranges: readonly KeyRange[], desc: boolean): ScanCursor {
    const order = ranges.map((_, i) => i);
    if (desc) order.reverse();
    let step = 0;
    let pos = -1;
    return {
      next: async (pairsMax: number): Promise<ScanChunk> => {
        this.pullCount++;
        while (step < order.length) {
          const rangeIndex = order[step]!;
          const range = ranges[rangeIndex]!;
          const lo = this.lowerIndex(range.start);
          const hi = this.upperIndex(range);
          if (pos < 0) pos = desc ? hi - 1 : lo;
          const inRange = (i: number) => i >= lo && i < hi;
          const keys: Uint8Array[] = [];
          const values: Uint8Array[] = [];
          while (keys.length < pairsMax && inRange(pos)) {
            keys.push(this.keys[pos]!);
            values.push(this.values[pos]!);
            pos += desc ? -1 : 1;
          }
          const rangeDone = !inRange(pos);
          if (rangeDone) {
            step++;
            pos = -1;
          }
          if (keys.length > 0 || step >= order.length) {
            return { keys, values, rangeIndex, drained: step >= order.length };
          }
        }
        return { keys: [], values: [], rangeIndex: Math.max(0, ranges.length - 1), drained: true };
      },
    };
  }

  private lowerIndex(key: Uint8Array): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bytesCompare(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperIndex(range: KeyRange): number {
    return range.end.length === 0 ? this.keys.length : this.lowerIndex(range.end);
  }
}
