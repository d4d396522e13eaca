import type { KvEntryBatch, KvIterator, KvSnapshot } from '../engine/mod.ts';
import { bytesCompare, CorruptionError } from '../util/mod.ts';
import { afterAllVersions, SEEK_BOUND } from './mvcc_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import { ScanLockCursor } from './scan_lock_cursor.ts';
import { compareFrom, decodeUserKeyAt, GROUP_BYTES, InvertedTs, sameBytesFromEnd, TS_BYTES, U64_MASK } from './scan_key.ts';
import { peekStartTs, peekWrite, WritePeek, WriteType } from './write.ts';

/** First write-CF read of a range: small, because many scans stop after a few rows. */
export const WRITE_BATCH_ENTRIES_MIN = 64;
/** Write-CF reads double per refill up to this many entries (one read-ahead batch in flight at most). */
export const WRITE_BATCH_ENTRIES_MAX = 1024;
/** First default-CF read for long values; doubles per read up to the max. */
export const DEFAULT_BATCH_ENTRIES_MIN = 16;
export const DEFAULT_BATCH_ENTRIES_MAX = 256;


/**
 * The forward MVCC scan of one encoded-key range [lowerEnc, upperEnc) at `read.ts` for the
 * coprocessor, as a long-lived cursor: one write-CF iterator for the whole range (read in
 * growing batches, the next batch fetched while this one is processed), one lock-CF iterator
 * that only surfaces locks that matter to this read (blocking, or committed_locks read
 * through), write records parsed in place (`peekWrite`), short values handed out as views of
 * the record. Same visibility as `mvccScan` forward: per user key, a lock that blocks throws
 * `TxnError` KeyIsLocked when the scan reaches it; a read-through lock's Put/Delete decides the
 * key; else the newest Put/Delete with commit_ts <= ts (Lock and Rollback records skipped, a
 * gc-fenced Put hides the key); long values come from the default CF at start_ts.
 * Older versions are stepped over in memory, and seeked past when more than `SEEK_BOUND` of
 * them run past a batch. Read-ahead is bounded by one batch; `close` must be called unless
 * `fill` reported the range exhausted.
 */
export class MvccForwardScanner {
  readonly #snapshot: KvSnapshot;
  readonly #read: ReadOptions;
  readonly #lowerEnc: Uint8Array;
  readonly #upperEnc: Uint8Array;
  readonly #invTs: InvertedTs;
  readonly #peek = new WritePeek();

  #writes: KvIterator | undefined;
  /** Write-CF entries in the engine's own form; keys start at `#keyOffset`. */
  #batch: ReadonlyArray<readonly [Uint8Array, Uint8Array]> = [];
  #keyOffset = 0;
  #pos = 0;
  #batchEntries = WRITE_BATCH_ENTRIES_MIN;
  #batchesRead = 0;
  #writesEnded = false;
  #pending: Promise<KvEntryBatch> | undefined;

  /** Long values: a default-CF cursor walking forward with the scan (opened on first use). */
  #defaults: DefaultCfCursor | undefined;

  #locks: ScanLockCursor | undefined;

  /** Write key whose user key is being scanned (its bytes are compared, never handed out). */
  #curKey: Uint8Array | undefined;
  /** Where the encoded user key starts in `#curKey`, and its length. */
  #curOffset = 0;
  #curEncLen = 0;
  /** The current user key's row is decided (emitted or hidden); its other versions are skipped. */
  #curDecided = false;
  /** Versions of the current user key stepped over so far. */
  #curSkipped = 0;
  #started = false;
  #done = false;

  constructor(snapshot: KvSnapshot, read: ReadOptions, lowerEnc: Uint8Array, upperEnc: Uint8Array) {
    this.#snapshot = snapshot;
    this.#read = read;
    this.#lowerEnc = lowerEnc;
    this.#upperEnc = upperEnc;
    this.#invTs = new InvertedTs(read.ts);
  }

  /**
   * Appends up to `limit` (>= 1) visible rows, in key order, to `keys` (raw user keys) and
   * `values`. Returns true when the range is exhausted (the scanner is then closed).
   * A blocking lock throws `TxnError` KeyIsLocked; the scanner must then be closed.
   */
  async fill(keys: Uint8Array[], values: Uint8Array[], limit: number): Promise<boolean> {
    if (this.#done) return true;
    if (!this.#started) await this.#start();
    const full = keys.length + Math.max(1, limit);
    for (;;) {
      if (this.#pos >= this.#batch.length && !(await this.#refill())) break;
      const entry = this.#batch[this.#pos]!;
      const key = entry[0];
      const o = this.#keyOffset;
      const encLen = key.length - o - TS_BYTES;
      if (encLen < GROUP_BYTES) throw new CorruptionError(`write CF key of ${key.length - o} bytes is too short`);
      const cur = this.#curKey;
      if (cur !== undefined && this.#curEncLen === encLen && sameBytesFromEnd(key, o, cur, this.#curOffset, encLen)) {
        if (this.#curDecided) {
          this.#pos++;
          this.#curSkipped++;
          continue;
        }
      } else {
        // A new user key. Locks on keys before it (no write record) come first.
        const lock = this.#locks?.current;
        if (lock !== undefined) {
          const c = bytesCompare(lock.encKey, key.subarray(o, o + encLen));
          if (c < 0) {
            if (keys.length >= full) return false;
            await this.#locks!.apply(keys, values);
            continue;
          }
          if (keys.length >= full) return false;
          this.#startKey(key, o, encLen);
          if (c === 0 && (await this.#locks!.apply(keys, values))) this.#curDecided = true;
          continue;
        }
        if (keys.length >= full) return false;
        this.#startKey(key, o, encLen);
      }
      // An undecided version of the current user key.
      this.#pos++;
      if (!this.#invTs.visible(key, o + encLen)) {
        this.#curSkipped++;
        continue;
      }
      const peek = this.#peek;
      const value = entry[1];
      peekWrite(value, peek);
      if (peek.writeType === WriteType.Put) {
        this.#curDecided = true;
        if (peek.validAsLatestAt(this.#read.ts)) {
          keys.push(decodeUserKeyAt(key, o, encLen));
          values.push(
            peek.shortValueOffset >= 0
              ? new Uint8Array(value.buffer, value.byteOffset + peek.shortValueOffset, peek.shortValueLength)
              : await this.#loadDefault(key.subarray(o, o + encLen), peekStartTs(value, peek)),
          );
        }
      } else if (peek.writeType === WriteType.Delete) {
        this.#curDecided = true;
      }
    }
    // Write CF exhausted: locks on keys after the last write record remain.
    while (this.#locks?.current !== undefined) {
      if (keys.length >= full) return false;
      await this.#locks.apply(keys, values);
    }
    await this.close();
    return true;
  }

  /** Releases the iterators (idempotent); a read-ahead still in flight is awaited and dropped. */
  async close(): Promise<void> {
    this.#done = true;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) await pending.catch(() => undefined);
    const writes = this.#writes;
    const locks = this.#locks;
    const defaults = this.#defaults;
    this.#writes = undefined;
    this.#locks = undefined;
    this.#defaults = undefined;
    await Promise.all([writes?.close(), locks?.close(), defaults?.close()]);
  }

  async #start(): Promise<void> {
    this.#started = true;
    const bounds = { lowerBound: this.#lowerEnc, ...(this.#upperEnc.length > 0 ? { upperBound: this.#upperEnc } : {}) };
    this.#writes = this.#snapshot.iterator('write', bounds);
    this.#locks = new ScanLockCursor(this.#snapshot, this.#read, this.#lowerEnc, this.#upperEnc, false);
    await this.#locks.advance();
  }

  #startKey(key: Uint8Array, offset: number, encLen: number): void {
    this.#curKey = key;
    this.#curOffset = offset;
    this.#curEncLen = encLen;
    this.#curDecided = false;
    this.#curSkipped = 0;
  }

  /**
   * Makes the next write entry available: a seek past the current user key's remaining
   * versions when many were stepped over already, then the read-ahead batch or a new read.
   * False when the range has no more write records.
   */
  async #refill(): Promise<boolean> {
    const writes = this.#writes!;
    const cur = this.#curKey;
    if (cur !== undefined && this.#curSkipped > SEEK_BOUND && !this.#writesEnded) {
      const enc = cur.subarray(this.#curOffset, this.#curOffset + this.#curEncLen);
      let target: Uint8Array;
      if (this.#curDecided) {
        target = afterAllVersions(enc);
      } else {
        target = new Uint8Array(this.#curEncLen + TS_BYTES);
        target.set(enc, 0);
        target.set(this.#invTs.bytes, this.#curEncLen);
      }
      await this.#dropReadAhead();
      writes.seek(target);
      this.#writesEnded = false;
      this.#curSkipped = 0;
    }
    if (this.#writesEnded) return false;
    const batch = await (this.#pending ?? writes.nextEntries(this.#batchEntries));
    this.#pending = undefined;
    this.#batch = batch.entries;
    this.#keyOffset = batch.keyOffset;
    this.#pos = 0;
    this.#batchesRead++;
    if (batch.entries.length === 0) {
      this.#writesEnded = true;
      return false;
    }
    this.#batchEntries = Math.min(this.#batchEntries * 2, WRITE_BATCH_ENTRIES_MAX);
    // From the second batch on the scan is long: read the next batch while this one is processed.
    if (this.#batchesRead >= 2) {
      const next = writes.nextEntries(this.#batchEntries);
      next.catch(() => undefined);
      this.#pending = next;
    }
    return true;
  }

  async #dropReadAhead(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) await pending;
    this.#batch = [];
    this.#pos = 0;
  }

  /** The default-CF value of encoded user key `encUser` written at `startTs`. */
  async #loadDefault(encUser: Uint8Array, startTs: bigint): Promise<Uint8Array> {
    const dkey = new Uint8Array(encUser.length + TS_BYTES);
    dkey.set(encUser, 0);
    new DataView(dkey.buffer).setBigUint64(encUser.length, ~startTs & U64_MASK);
    this.#defaults ??= new DefaultCfCursor(this.#snapshot, this.#lowerEnc, this.#upperEnc);
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
