import type { KeyRange } from './dag_types.ts';

/**
 * One step of a scan: consecutive MVCC-visible (key, value) pairs, all inside
 * `ranges[rangeIndex]`, in scan order (ascending, or descending for a reverse scan).
 * Keys are raw user keys (as in `coprocessor.KeyRange`), values the committed row / index values.
 */
export interface ScanChunk {
  readonly keys: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
  /** Index into the ranges passed to `openCursor` that every pair of this chunk belongs to. */
  readonly rangeIndex: number;
  /** True when every range has been fully scanned (this chunk may still hold pairs). */
  readonly drained: boolean;
}

/** A position inside one scan; see `ScanSource.openCursor`. */
export interface ScanCursor {
  /**
   * Returns at most `pairsMax` pairs (at least one unless `drained`). A chunk never spans two
   * ranges. Storage failures (a lock that blocks `start_ts`, a region error) are thrown as the
   * store's own error values and propagate out of `handleCoprocessorRequest` untouched, so the
   * store maps them to `Response.locked` / `Response.region_error`.
   */
  next(pairsMax: number): Promise<ScanChunk>;
}

/**
 * What the coprocessor sees of storage: the rows visible at one start_ts (snapshot isolation,
 * lock checks done by the implementation). `ranges` are sorted ascending and non-overlapping;
 * with `desc` the cursor walks the last range first, each range from its end down.
 * The coprocessor stops pulling when it has enough rows (paging / limit), so an implementation
 * must not read ahead unboundedly.
 */
export interface ScanSource {
  openCursor(ranges: readonly KeyRange[], desc: boolean): ScanCursor;
}
