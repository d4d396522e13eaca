import {
  type CoprocessorRequest,
  handleCoprocessorRequest,
  type KeyRange,
  type ScanChunk,
  type ScanCursor,
  type ScanSource,
} from '../../coprocessor/mod.ts';
import { encodeKey } from '../codec/mod.ts';
import type { KvSnapshot } from '../engine/mod.ts';
import type { coprocessor, DeepPartial, kvrpcpb } from '../proto/mod.ts';
import { encodeRange, isRegionError as isStorageRegionError, mvccScan, type ReadOptions, type RegionRange, type Storage } from '../storage/mod.ts';
import { bytesCompare, concatBytes } from '../util/mod.ts';
import type { CoprocessorHandler } from './coprocessor_handler.ts';
import { toErrorpb } from './region_error.ts';
import { isRegionError, regionContextOf } from './request_guard.ts';

/** A lock met by a coprocessor scan; thrown through the coprocessor, answered as `locked`. */
class LockedSignal extends Error {
  constructor(readonly lock: kvrpcpb.LockInfo) {
    super('key is locked');
  }
}

/** Every version key of encoded user key `enc` sorts below this, every later user key above. */
const AFTER_ALL_VERSIONS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);

/**
 * The coprocessor over Storage: checks the region and memory locks via
 * `Storage.readSnapshot`, exposes the MVCC view at `start_ts` as a `ScanSource` (ranges clipped
 * to the region), runs `handleCoprocessorRequest`, and maps a lock met while scanning to
 * `Response.locked` and a region problem to `Response.region_error`.
 */
export class StorageCoprocessor implements CoprocessorHandler {
  constructor(private readonly storage: Storage) {}

  async handle(req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>> {
    const ctx = regionContextOf(req.context);
    if (isRegionError(ctx)) return { regionError: toErrorpb(ctx) };
    const ranges = req.ranges.map((r) => ({ start: r.start, end: r.end }));
    const snap = await this.storage.readSnapshot(ctx, req.context as never, req.startTs, ranges);
    if (isStorageRegionError(snap)) return { regionError: toErrorpb(snap.regionError) };
    if ('error' in snap) {
      const e = snap.error;
      if (e.locked) return { locked: e.locked as kvrpcpb.LockInfo };
      return { otherError: e.abort ?? 'coprocessor: read failed' };
    }
    const source = new MvccScanSource(snap.snapshot, snap.range, snap.read);
    try {
      const copReq: CoprocessorRequest = { tp: req.tp, data: req.data, ranges, startTs: req.startTs, pagingSize: req.pagingSize };
      return await handleCoprocessorRequest(copReq, source);
    } catch (e) {
      if (e instanceof LockedSignal) return { locked: e.lock };
      throw e;
    } finally {
      snap.snapshot.release();
    }
  }
}

/**
 * MVCC-visible rows of one snapshot at `read.ts`, range by range, `pairsMax` at a time.
 * Each `next` resumes after the last key it returned (so nothing is read ahead).
 */
class MvccScanSource implements ScanSource {
  constructor(
    private readonly snapshot: KvSnapshot,
    private readonly region: RegionRange,
    private readonly read: ReadOptions,
  ) {}

  openCursor(ranges: readonly KeyRange[], desc: boolean): ScanCursor {
    // Encoded, clipped to the region, empty ones dropped; walked last-first when desc.
    const encoded = ranges
      .map((r, index) => {
        const { lowerEnc, upperEnc } = encodeRange(r.start, r.end);
        const lower = bytesCompare(lowerEnc, this.region.startKey) >= 0 ? lowerEnc : this.region.startKey;
        let upper = upperEnc;
        if (this.region.endKey.length > 0 && (upper.length === 0 || bytesCompare(upper, this.region.endKey) > 0)) {
          upper = this.region.endKey;
        }
        return { index, lower, upper };
      })
      .filter((r) => r.upper.length === 0 || bytesCompare(r.lower, r.upper) < 0);
    const order = desc ? [...encoded].reverse() : encoded;
    let at = 0;
    const snapshot = this.snapshot;
    const read = this.read;
    return {
      async next(pairsMax: number): Promise<ScanChunk> {
        while (at < order.length) {
          const r = order[at]!;
          const pairs = await mvccScan(snapshot, {
            lowerEnc: r.lower,
            upperEnc: r.upper,
            reverse: desc,
            limit: Math.max(1, pairsMax),
            keyOnly: false,
            read,
          });
          for (const p of pairs) if (p.error?.locked) throw new LockedSignal(p.error.locked as kvrpcpb.LockInfo);
          if (pairs.length < pairsMax) at++;
          else {
            const last = encodeKey(pairs[pairs.length - 1]!.key);
            if (desc) r.upper = last;
            else r.lower = concatBytes(last, AFTER_ALL_VERSIONS);
          }
          if (pairs.length > 0) {
            return {
              keys: pairs.map((p) => p.key),
              values: pairs.map((p) => p.value),
              rangeIndex: r.index,
              drained: at >= order.length,
            };
          }
        }
        return { keys: [], values: [], rangeIndex: order.length > 0 ? order[order.length - 1]!.index : 0, drained: true };
      },
    };
  }
}
