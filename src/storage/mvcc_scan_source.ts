import { encodeKey } from '../codec/mod.ts';
import type { KvSnapshot } from '../engine/mod.ts';
import { bytesCompare } from '../util/mod.ts';
import { maxLower, minUpper } from './key_range.ts';
import { MvccForwardScanner } from './mvcc_forward_scanner.ts';
import { MvccReverseScanner } from './mvcc_reverse_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import type { RegionRange } from './region_kv.ts';

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

/** A range's scan in either direction. */
type RangeScanner = MvccForwardScanner | MvccReverseScanner;

/**
 * The coprocessor's `ScanSource` over one region snapshot at one start_ts (structurally
 * identical to `coprocessor/scan_source.ts`, which storage must not import): MVCC-visible
 * rows, ranges clipped to the region, a blocking lock thrown as `TxnError` KeyIsLocked (map it
 * with `toKeyError(e).locked` into `Response.locked`). Take the snapshot with
 * `Storage.readSnapshot` so max_ts and memory locks are handled; `close` the source, then
 * release the snapshot, when the request is done.
 *
 * A cursor keeps one scanner per range open across pulls (`MvccForwardScanner`, or
 * `MvccReverseScanner` for `desc`; read-ahead at most one engine batch).
 */
export class MvccScanSource {
  /** Forward scanners not yet exhausted; `close` releases them. */
  readonly #open = new Set<RangeScanner>();

  constructor(
    private readonly snapshot: KvSnapshot,
    private readonly read: ReadOptions,
    private readonly region: RegionRange,
  ) {}

  openCursor(ranges: readonly ScanKeyRange[], desc: boolean): ScanCursor {
    const order = ranges.map((_, i) => i);
    if (desc) order.reverse();
    let step = 0;
    let scanner: RangeScanner | undefined;
    // A cursor that failed (a blocking lock, corruption) keeps failing: it never skips ahead.
    let failure: { error: unknown } | undefined;
    return {
      next: async (pairsMax: number): Promise<ScanChunk> => {
        if (failure !== undefined) throw failure.error;
        while (step < order.length) {
          const rangeIndex = order[step]!;
          if (scanner === undefined) {
            const bounds = this.#bounds(ranges[rangeIndex]!);
            if (bounds === undefined) {
              step++;
              continue;
            }
            scanner = desc
              ? new MvccReverseScanner(this.snapshot, this.read, bounds.lowerEnc, bounds.upperEnc)
              : new MvccForwardScanner(this.snapshot, this.read, bounds.lowerEnc, bounds.upperEnc);
            this.#open.add(scanner);
          }
          const keys: Uint8Array[] = [];
          const values: Uint8Array[] = [];
          let exhausted: boolean;
          try {
            exhausted = await scanner.fill(keys, values, Math.max(1, pairsMax));
          } catch (e) {
            failure = { error: e };
            this.#open.delete(scanner);
            await scanner.close();
            throw e;
          }
          if (exhausted) {
            this.#open.delete(scanner);
            scanner = undefined;
            step++;
          }
          if (keys.length > 0) return { keys, values, rangeIndex, drained: step >= order.length };
        }
        return { keys: [], values: [], rangeIndex: order[order.length - 1] ?? 0, drained: true };
      },
    };
  }

  /** Closes every scanner a cursor left open (a request that stopped early, or failed). */
  async close(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.all(open.map((s) => s.close()));
  }

  /** Encoded bounds of raw range `r` clipped to the region; undefined when nothing is left. */
  #bounds(r: ScanKeyRange): { lowerEnc: Uint8Array; upperEnc: Uint8Array } | undefined {
    const lowerEnc = maxLower(encodeKey(r.start), this.region.startKey);
    const upperEnc = minUpper(r.end.length === 0 ? new Uint8Array(0) : encodeKey(r.end), this.region.endKey);
    return upperEnc.length > 0 && bytesCompare(lowerEnc, upperEnc) >= 0 ? undefined : { lowerEnc, upperEnc };
  }
}
