import { type CoprocessorRequest, handleCoprocessorRequest, protoTipbCodec } from '../../coprocessor/mod.ts';
import { realClock, type Clock } from '../util/clock.ts';
import type { coprocessor, DeepPartial, kvrpcpb } from '../proto/mod.ts';
import { isRegionError as isStorageRegionError, MvccScanSource, toKeyError, TxnError, type Storage } from '../storage/mod.ts';
import type { CoprocessorHandler } from './coprocessor_handler.ts';
import { toErrorpb } from './region_error.ts';
import { isRegionError, regionContextOf } from './request_guard.ts';

/** Store batch tasks one coprocessor request may carry (TiDB sends a handful). */
export const STORE_BATCH_TASKS_MAX = 256;

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

  /**
   * A request, plus TiDB's store batch: each `tasks` entry is the same request for another
   * region of this store, answered in `batch_responses` (by task_id) with its own region
   * error / lock / data, as TiKV does. Tasks run concurrently with the main request.
   */
  async handle(req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>> {
    const tasks = req.tasks ?? [];
    if (tasks.length === 0) return this.handleOne(req);
    if (tasks.length > STORE_BATCH_TASKS_MAX) return { otherError: `coprocessor: ${tasks.length} store batch tasks in one request; at most ${STORE_BATCH_TASKS_MAX}` };
    const [main, ...batch] = await Promise.all([
      this.handleOne({ ...req, tasks: [] }),
      ...tasks.map((t) =>
        this.handleOne({
          ...req,
          tasks: [],
          context: { ...(req.context ?? {}), regionId: t.regionId, regionEpoch: t.regionEpoch ?? null, peer: t.peer ?? null } as coprocessor.Request['context'],
          ranges: t.ranges,
        }).catch((e: unknown): DeepPartial<coprocessor.Response> => ({ otherError: e instanceof Error ? e.message : String(e) })),
      ),
    ]);
    const batchResponses = batch.map((r, i) => ({
      data: r.data ?? new Uint8Array(0),
      otherError: r.otherError ?? '',
      taskId: tasks[i]!.taskId,
      ...(r.regionError ? { regionError: r.regionError } : {}),
      ...(r.locked ? { locked: r.locked } : {}),
    }));
    return { ...main, batchResponses };
  }

  private async handleOne(req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>> {
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
