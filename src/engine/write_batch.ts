import { bytesCompare, invalidArgument } from '../util/mod.ts';
import type { CfName, WriteBatch } from './kv_engine.ts';

/** One recorded mutation, in the order it was added to the batch. */
export type BatchOp =
  | { type: 'put'; cf: CfName; key: Uint8Array; value: Uint8Array }
  | { type: 'delete'; cf: CfName; key: Uint8Array }
  | { type: 'deleteRange'; cf: CfName; start: Uint8Array; end: Uint8Array };

/**
 * Fixed per-operation overhead counted in `approximateBytes`, close to what a LevelDB write
 * batch record spends on tag and length prefixes.
 */
const OP_OVERHEAD_BYTES = 8;

/**
 * The write batch both engines accept: an ordered list of mutations, applied by
 * `KvEngine.write` as one atomic unit in the order recorded (a later op on the same key
 * wins; a `deleteRange` removes keys written by earlier ops of the same batch too).
 * Keys and values are referenced, not copied: callers must not mutate them until the
 * write resolves.
 */
export class RecordingWriteBatch implements WriteBatch {
  readonly ops: BatchOp[] = [];
  #approximateBytes = 0;
  #deleteRangeCount = 0;

  /** `owner` is the engine that created the batch; engines refuse batches of others. */
  constructor(readonly owner: object) {}

  put(cf: CfName, key: Uint8Array, value: Uint8Array): void {
    this.ops.push({ type: 'put', cf, key, value });
    this.#approximateBytes += key.length + value.length + OP_OVERHEAD_BYTES;
  }

  delete(cf: CfName, key: Uint8Array): void {
    this.ops.push({ type: 'delete', cf, key });
    this.#approximateBytes += key.length + OP_OVERHEAD_BYTES;
  }

  /**
   * Deletes [start, end) of `cf`. An empty `end` means "to the end of the column family"
   * (TiKV's convention for a region's end key). Throws InvalidArgument when end < start.
   */
  deleteRange(cf: CfName, start: Uint8Array, end: Uint8Array): void {
    if (end.length > 0 && bytesCompare(start, end) > 0) {
      throw invalidArgument('deleteRange: start key is greater than end key');
    }
    this.ops.push({ type: 'deleteRange', cf, start, end });
    this.#approximateBytes += start.length + end.length + OP_OVERHEAD_BYTES;
    this.#deleteRangeCount++;
  }

  get count(): number {
    return this.ops.length;
  }

  get approximateBytes(): number {
    return this.#approximateBytes;
  }

  /** True when the batch holds at least one `deleteRange` (engines resolve those specially). */
  get hasDeleteRange(): boolean {
    return this.#deleteRangeCount > 0;
  }
}

/** True when `key` lies in [start, end), an empty `end` meaning unbounded. */
export function inDeleteRange(key: Uint8Array, start: Uint8Array, end: Uint8Array): boolean {
  return bytesCompare(key, start) >= 0 && (end.length === 0 || bytesCompare(key, end) < 0);
}
