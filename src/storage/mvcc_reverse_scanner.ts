import type { KvSnapshot } from '../engine/mod.ts';
import { CorruptionError } from '../util/mod.ts';
import { KeyEntry, MvccRangeScanner } from './mvcc_range_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import { decodeUserKeyAt, sameBytesFromEnd, TS_BYTES, U64_MASK } from './scan_key.ts';
import type { ScanWriteCursor } from './scan_write_cursor.ts';
import { peekStartTs, peekWrite, WriteType } from './write.ts';

/**
 * The reverse MVCC scan of one encoded-key range [lowerEnc, upperEnc) at `read.ts` for the
 * coprocessor (a `desc` cursor), as a long-lived cursor (see `MvccRangeScanner`): one reverse
 * write-CF iterator read in growing batches with one batch of read-ahead, and a reverse lock
 * cursor. A user key's versions arrive oldest first, so the newest Put/Delete with
 * commit_ts <= ts is only known when the next user key (or the end) is reached; the row is
 * emitted then. Same visibility as `mvccScan` in reverse: a blocking lock throws `TxnError`
 * KeyIsLocked when the scan reaches its key, a read-through lock's Put/Delete decides the
 * key, Lock and Rollback records are skipped, a gc-fenced Put hides the key, long values are
 * default-CF point reads.
 */
export class MvccReverseScanner extends MvccRangeScanner {
  /** The newest Put/Delete record seen so far for the current key (commit_ts <= ts). */
  #bestRecord: Uint8Array | undefined;

  constructor(snapshot: KvSnapshot, read: ReadOptions, lowerEnc: Uint8Array, upperEnc: Uint8Array) {
    super(snapshot, read, lowerEnc, upperEnc, true);
  }

  protected async scanWrites(keys: Uint8Array[], values: Uint8Array[], full: number, w: ScanWriteCursor): Promise<boolean> {
    for (;;) {
      if (w.pos >= w.batch.length && !(await w.refill())) {
        if (this.curKey !== undefined) this.#finishKey(keys, values);
        return true;
      }
      const entry = w.batch[w.pos]!;
      const key = entry[0];
      const o = w.keyOffset;
      const encLen = this.encodedUserKeyLength(key, o);
      const cur = this.curKey;
      if (cur !== undefined && this.curEncLen === encLen && sameBytesFromEnd(key, o, cur, this.curOffset, encLen)) {
        w.pos++;
        if (this.curDone) continue;
        // Versions come oldest first: once one is newer than ts, so are the rest.
        if (!this.invTs.visible(key, o + encLen)) {
          this.curDone = true;
          continue;
        }
        const value = entry[1];
        peekWrite(value, this.peek);
        if (this.peek.writeType === WriteType.Put || this.peek.writeType === WriteType.Delete) this.#bestRecord = value;
        continue;
      }
      // A new user key: the previous one is complete.
      if (cur !== undefined) this.#finishKey(keys, values);
      const next = this.enterKey(key, o, encLen, keys.length >= full);
      if (next === KeyEntry.Full) return false;
      if (next === KeyEntry.LockBefore) {
        await this.locks!.apply(keys, values);
        continue;
      }
      this.#bestRecord = undefined;
      if (next === KeyEntry.LockHere && (await this.locks!.apply(keys, values))) this.curDone = true;
    }
  }

  /** Emits the current key's row when its newest visible data record is a Put (not gc-fenced). */
  #finishKey(keys: Uint8Array[], values: Uint8Array[]): void {
    const key = this.curKey!;
    const record = this.#bestRecord;
    this.curKey = undefined;
    this.#bestRecord = undefined;
    if (record === undefined) return;
    const peek = this.peek;
    peekWrite(record, peek);
    if (peek.writeType !== WriteType.Put || !peek.validAsLatestAt(this.read.ts)) return;
    const o = this.curOffset;
    const encLen = this.curEncLen;
    keys.push(decodeUserKeyAt(key, o, encLen));
    if (peek.shortValueOffset >= 0) {
      values.push(new Uint8Array(record.buffer, record.byteOffset + peek.shortValueOffset, peek.shortValueLength));
      return;
    }
    const startTs = peekStartTs(record, peek);
    const dkey = new Uint8Array(encLen + TS_BYTES);
    dkey.set(key.subarray(o, o + encLen), 0);
    new DataView(dkey.buffer).setBigUint64(encLen, ~startTs & U64_MASK);
    const value = this.snapshot.getSync('default', dkey);
    if (value === undefined) throw new CorruptionError(`default CF value missing for start_ts ${startTs}`);
    values.push(value);
  }
}
