import { encodeKey } from '../codec/mod.ts';
import type { KvSnapshot } from '../engine/mod.ts';
import { bytesCompare } from '../util/mod.ts';
import { maxLower, minUpper } from './key_range.ts';
import { afterAllVersions, mvccScan } from './mvcc_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import type { RegionRange } from './region_kv.ts';
import { txnError } from './txn_error.ts';

/** `coprocessor.KeyRange`: raw user keys, [start, end), empty end = unbounded. */
export interface ScanKeyRange {
  start: Uint8Array;
  end: Uint8Array;
}

/** One step of a scan (structurally the coprocessor's `ScanChunk`). */
export interface ScanChunk {
  readonly keys: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
  readonly rangeIndex: number;
  readonly drained: boolean;
}

/** A position inside one scan (structurally the coprocessor's `ScanCursor`). */
export interface ScanCursor {
  next(pairsMax: number): Promise<ScanChunk>;
}

/**
 * The coprocessor's `ScanSource` over one region snapshot at one start_ts (structurally
 * identical to `coprocessor/scan_source.ts`, which storage must not import): MVCC-visible
 * rows, ranges clipped to the region, a blocking lock thrown as `TxnError` KeyIsLocked (map it
 * with `toKeyError(e).locked` into `Response.locked`). Reads at most `pairsMax` rows per pull,
 * never ahead. Take the snapshot with `Storage.readSnapshot` so max_ts and memory locks are
 * handled; release it when the request is done.
 */
export class MvccScanSource {
  constructor(
    private readonly snapshot: KvSnapshot,
    private readonly read: ReadOptions,
    private readonly region: RegionRange,
  ) {}

  openCursor(ranges: readonly ScanKeyRange[], desc: boolean): ScanCursor {
    const order = ranges.map((_, i) => i);
    if (desc) order.reverse();
    let step = 0;
    // Encoded bounds of the unread part of the current range; undefined = not started.
    let bounds: { lowerEnc: Uint8Array; upperEnc: Uint8Array } | undefined;
    const empty = (rangeIndex: number): ScanChunk => ({ keys: [], values: [], rangeIndex, drained: true });
    return {
      next: async (pairsMax: number): Promise<ScanChunk> => {
        while (step < order.length) {
          const rangeIndex = order[step]!;
          const r = ranges[rangeIndex]!;
          bounds ??= {
            lowerEnc: maxLower(encodeKey(r.start), this.region.startKey),
            upperEnc: minUpper(r.end.length === 0 ? new Uint8Array(0) : encodeKey(r.end), this.region.endKey),
          };
          const exhausted = bounds.upperEnc.length > 0 && bytesCompare(bounds.lowerEnc, bounds.upperEnc) >= 0;
          const pairs = exhausted
            ? []
            : await mvccScan(this.snapshot, {
                ...bounds,
                reverse: desc,
                limit: Math.max(1, pairsMax),
                keyOnly: false,
                read: this.read,
              });
          for (const p of pairs) {
            if (p.error?.locked !== undefined) throw txnError({ kind: 'KeyIsLocked', lockInfo: p.error.locked });
          }
          if (pairs.length < Math.max(1, pairsMax)) {
            step++;
            bounds = undefined;
          } else {
            const last = encodeKey(pairs[pairs.length - 1]!.key);
            if (desc) bounds.upperEnc = last;
            else bounds.lowerEnc = afterAllVersions(last);
          }
          if (pairs.length > 0) {
            return {
              keys: pairs.map((p) => p.key),
              values: pairs.map((p) => p.value),
              rangeIndex,
              drained: step >= order.length,
            };
          }
        }
        return empty(order[order.length - 1] ?? 0);
      },
    };
  }
}
