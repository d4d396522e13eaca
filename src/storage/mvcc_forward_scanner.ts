import type { KvIterator, KvSnapshot } from '../engine/mod.ts';
import { CorruptionError } from '../util/mod.ts';
import { KeyEntry, MvccRangeScanner } from './mvcc_range_scanner.ts';
import { afterAllVersions, SEEK_BOUND } from './mvcc_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import { compareFrom, decodeUserKeyAt, sameBytesFromEnd, TS_BYTES, U64_MASK } from './scan_key.ts';
import type { ScanWriteCursor } from './scan_write_cursor.ts';
import { peekStartTs, peekWrite, WriteType } from './write.ts';

/** First default-CF read for long values; doubles per read up to the max. */
export const DEFAULT_BATCH_ENTRIES_MIN = 16;
export const DEFAULT_BATCH_ENTRIES_MAX = 256;

/**
 * The forward MVCC scan of one encoded-key range [lowerEnc, upperEnc) at `read.ts` for the
 * coprocessor, as a long-lived cursor (see `MvccRangeScanner`): one write-CF iterator for the
 * whole range read in growing batches with one batch of read-ahead, a lock cursor that only
 * surfaces locks that matter to this read, write records parsed in place (`peekWrite`), short
 * values handed out as views of the record. Same visibility as `mvccScan` forward: per user
 * key, a lock that blocks throws `TxnError` KeyIsLocked when the scan reaches it; a
 * read-through lock's Put/Delete decides the key; else the newest Put/Delete with
 * commit_ts <= ts (Lock and Rollback records skipped, a gc-fenced Put hides the key); long
 * values come from a default-CF cursor walking with the scan. Older versions are stepped over
 * in memory, and seeked past when more than `SEEK_BOUND` of them run past a batch.
 */
export class MvccForwardScanner extends MvccRangeScanner {
  /** Long values: a default-CF cursor walking forward with the scan (opened on first use). */
  #defaults: DefaultCfCursor | undefined;
  /** Versions of the current user key stepped over so far. */
  #curSkipped = 0;

  constructor(snapshot: KvSnapshot, read: ReadOptions, lowerEnc: Uint8Array, upperEnc: Uint8Array) {
    super(snapshot, read, lowerEnc, upperEnc, false);
  }

  protected async scanWrites(keys: Uint8Array[], values: Uint8Array[], full: number, w: ScanWriteCursor): Promise<boolean> {
    for (;;) {
      if (w.pos >= w.batch.length && !(await this.#refill(w))) return true;
      const entry = w.batch[w.pos]!;
      const key = entry[0];
      const o = w.keyOffset;
      const encLen = this.encodedUserKeyLength(key, o);
      const cur = this.curKey;
      if (cur !== undefined && this.curEncLen === encLen && sameBytesFromEnd(key, o, cur, this.curOffset, encLen)) {
        if (this.curDone) {
          w.pos++;
          this.#curSkipped++;
          continue;
        }
      } else {
        const next = this.enterKey(key, o, encLen, keys.length >= full);
        if (next === KeyEntry.Full) return false;
        if (next === KeyEntry.LockBefore) {
          await this.locks!.apply(keys, values);
          continue;
        }
        this.#curSkipped = 0;
        if (next === KeyEntry.LockHere) {
          if (await this.locks!.apply(keys, values)) this.curDone = true;
          continue;
        }
      }
      // An undecided version of the current user key.
      w.pos++;
      if (!this.invTs.visible(key, o + encLen)) {
        this.#curSkipped++;
        continue;
      }
      const peek = this.peek;
      const value = entry[1];
      peekWrite(value, peek);
      if (peek.writeType === WriteType.Put) {
        this.curDone = true;
        if (peek.validAsLatestAt(this.read.ts)) {
          keys.push(decodeUserKeyAt(key, o, encLen));
          values.push(
            peek.shortValueOffset >= 0
              ? new Uint8Array(value.buffer, value.byteOffset + peek.shortValueOffset, peek.shortValueLength)
              : await this.#loadDefault(key.subarray(o, o + encLen), peekStartTs(value, peek)),
          );
        }
      } else if (peek.writeType === WriteType.Delete) {
        this.curDone = true;
      }
    }
  }

  protected override async closeMore(): Promise<void> {
    const defaults = this.#defaults;
    this.#defaults = undefined;
    await defaults?.close();
  }

  /**
   * Makes the next write entry available: a seek past the current user key's remaining
   * versions when many were stepped over already (a seek drops the read-ahead, so stepping
   * through a batch in memory is preferred), then the next batch. False at the end of the range.
   */
  async #refill(w: ScanWriteCursor): Promise<boolean> {
    const cur = this.curKey;
    if (cur !== undefined && this.#curSkipped > SEEK_BOUND && !w.ended) {
      const enc = cur.subarray(this.curOffset, this.curOffset + this.curEncLen);
      let target: Uint8Array;
      if (this.curDone) {
        target = afterAllVersions(enc);
      } else {
        target = new Uint8Array(this.curEncLen + TS_BYTES);
        target.set(enc, 0);
        target.set(this.invTs.bytes, this.curEncLen);
      }
      await w.seek(target);
      this.#curSkipped = 0;
    }
    return w.refill();
  }

  /** The default-CF value of encoded user key `encUser` written at `startTs`. */
  async #loadDefault(encUser: Uint8Array, startTs: bigint): Promise<Uint8Array> {
    const dkey = new Uint8Array(encUser.length + TS_BYTES);
    dkey.set(encUser, 0);
    new DataView(dkey.buffer).setBigUint64(encUser.length, ~startTs & U64_MASK);
    this.#defaults ??= new DefaultCfCursor(this.snapshot, this.lowerEnc, this.upperEnc);
    const value = await this.#defaults.get(dkey);
    if (value === undefined) throw new CorruptionError(`default CF value missing for start_ts ${startTs}`);
    return value;
  }
}

/**
 * Default-CF values of one forward scan, in key order: the scan asks for ascending keys, so
 * one iterator walks with it, reading batches and stepping over entries it does not need
 * (older values not yet collected, keys whose value is inline) instead of one point read per
 * long value; when a batch is used up it seeks to the wanted key (TiKV's near seek).
 */
class DefaultCfCursor {
  readonly #snapshot: KvSnapshot;
  readonly #lowerEnc: Uint8Array;
  readonly #upperEnc: Uint8Array;
  #it: KvIterator | undefined;
  #batch: ReadonlyArray<readonly [Uint8Array, Uint8Array]> = [];
  #keyOffset = 0;
  #pos = 0;
  #batchEntries = DEFAULT_BATCH_ENTRIES_MIN;

  constructor(snapshot: KvSnapshot, lowerEnc: Uint8Array, upperEnc: Uint8Array) {
    this.#snapshot = snapshot;
    this.#lowerEnc = lowerEnc;
    this.#upperEnc = upperEnc;
  }

  /** The value at `dkey`, or undefined when there is none; keys must be asked in ascending order. */
  async get(dkey: Uint8Array): Promise<Uint8Array | undefined> {
    for (let read = 0; ; read++) {
      while (this.#pos < this.#batch.length) {
        const entry = this.#batch[this.#pos]!;
        const c = compareFrom(entry[0], this.#keyOffset, dkey);
        if (c < 0) {
          this.#pos++;
          continue;
        }
        if (c > 0) return undefined;
        this.#pos++;
        return entry[1];
      }
      // A fresh read starts at dkey, so a second pass cannot run out before deciding.
      if (read > 0) return undefined;
      this.#it ??= this.#snapshot.iterator('default', {
        lowerBound: this.#lowerEnc,
        ...(this.#upperEnc.length > 0 ? { upperBound: this.#upperEnc } : {}),
      });
      this.#it.seek(dkey);
      const batch = await this.#it.nextEntries(this.#batchEntries);
      this.#batchEntries = Math.min(this.#batchEntries * 2, DEFAULT_BATCH_ENTRIES_MAX);
      this.#batch = batch.entries;
      this.#keyOffset = batch.keyOffset;
      this.#pos = 0;
    }
  }

  async close(): Promise<void> {
    await this.#it?.close();
  }
}
