import { type CoprocessorRequest, handleCoprocessorRequest, protoTipbCodec } from '../../coprocessor/mod.ts';
import { realClock, type Clock } from '../util/clock.ts';
import type { coprocessor, DeepPartial, kvrpcpb } from '../proto/mod.ts';
import { isRegionError as isStorageRegionError, MvccScanSource, toKeyError, TxnError, type Storage } from '../storage/mod.ts';
import type { CoprocessorHandler } from './coprocessor_handler.ts';
import { toErrorpb } from './region_error.ts';
import { isRegionError, regionContextOf } from './request_guard.ts';

/**
 * The coprocessor over Storage: checks the region and memory locks via
 * `Storage.readSnapshot`, exposes the MVCC view at `start_ts` as a `ScanSource` (ranges clipped
 * to the region), runs `handleCoprocessorRequest`, and maps a lock met while scanning to
 * `Response.locked` and a region problem to `Response.region_error`.
 */
export class StorageCoprocessor implements CoprocessorHandler {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = realClock,
  ) {}

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
    // Coprocessor cache (TiDB's copr cache): the region's data version is its applied index;
    // if nothing was applied since the client's cached answer, say so and send no data.
    const dataVersion = (snap.snapshot as { dataVersion?: bigint }).dataVersion;
    const cacheable = dataVersion !== undefined && (req.pagingSize ?? 0n) === 0n;
    if (cacheable && req.isCacheEnabled && req.cacheIfMatchVersion === dataVersion) {
      snap.snapshot.release();
      return { isCacheHit: true, canBeCached: true, cacheLastVersion: dataVersion };
    }
    const source = new MvccScanSource(snap.snapshot, snap.read, snap.range);
    try {
      const copReq: CoprocessorRequest = { tp: req.tp, data: req.data, ranges, startTs: req.startTs, pagingSize: req.pagingSize };
      // The clock makes execution summaries carry time_processed_ns.
      const res = await handleCoprocessorRequest(copReq, source, protoTipbCodec, { clock: this.clock });
      if (cacheable && req.isCacheEnabled && !res.otherError) return { ...res, canBeCached: true, cacheLastVersion: dataVersion };
      return res;
    } catch (e) {
      // A lock met while scanning (storage throws KeyIsLocked) is answered as `locked`.
      if (e instanceof TxnError && e.detail.kind === 'KeyIsLocked') return { locked: toKeyError(e).locked as kvrpcpb.LockInfo };
      throw e;
    } finally {
      // Scanners a request left open (it stopped early or failed) hold engine iterators.
      await source.close();
      snap.snapshot.release();
    }
  }
}
