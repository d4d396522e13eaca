import type { KvSnapshot } from '../engine/mod.ts';
import { bytesCompare, CorruptionError } from '../util/mod.ts';
import type { ReadOptions } from './read_check.ts';
import { GROUP_BYTES, InvertedTs, TS_BYTES } from './scan_key.ts';
import { ScanLockCursor } from './scan_lock_cursor.ts';
import { ScanWriteCursor } from './scan_write_cursor.ts';
import { WritePeek } from './write.ts';

/** What a scan does on meeting a new user key (see `MvccRangeScanner.enterKey`). */
export enum KeyEntry {
  /** The pull is full: stop before this key. */
  Full,
  /** Scan this key's write records. */
  Start,
  /** A lock on a key before this one (in scan order, with no write record) must be applied first. */
  LockBefore,
  /** This key was started and its own lock must be applied (it may decide the key). */
  LockHere,
}

/**
 * What the coprocessor's forward and reverse MVCC range scans share: the range at one
 * `read.ts`, a `ScanWriteCursor` and a `ScanLockCursor` in the scan's direction (opened on the
 * first pull), the user key being scanned (as a view into the engine key, never copied), and
 * the pull protocol: `fill` appends up to `limit` rows and says when the range is exhausted
 * (the scanner is then closed); `close` must be called otherwise.
 */
export abstract class MvccRangeScanner {
  protected readonly snapshot: KvSnapshot;
  protected readonly read: ReadOptions;
  protected readonly lowerEnc: Uint8Array;
  protected readonly upperEnc: Uint8Array;
  protected readonly invTs: InvertedTs;
  protected readonly peek = new WritePeek();
  protected writes: ScanWriteCursor | undefined;
  protected locks: ScanLockCursor | undefined;

  /** Write key whose user key is being scanned; its encoded user key is at [curOffset, +curEncLen). */
  protected curKey: Uint8Array | undefined;
  protected curOffset = 0;
  protected curEncLen = 0;
  /** The rest of the current key's versions do not matter (its row is decided, or they are invisible). */
  protected curDone = false;
  #started = false;
  #done = false;

  constructor(
    snapshot: KvSnapshot,
    read: ReadOptions,
    lowerEnc: Uint8Array,
    upperEnc: Uint8Array,
    private readonly reverse: boolean,
  ) {
    this.snapshot = snapshot;
    this.read = read;
    this.lowerEnc = lowerEnc;
    this.upperEnc = upperEnc;
    this.invTs = new InvertedTs(read.ts);
  }

  /**
   * Appends up to `limit` (>= 1) visible rows, in scan order, to `keys` (raw user keys) and
   * `values`. Returns true when the range is exhausted (the scanner is then closed).
   * A blocking lock throws `TxnError` KeyIsLocked; the scanner must then be closed.
   */
  async fill(keys: Uint8Array[], values: Uint8Array[], limit: number): Promise<boolean> {
    if (this.#done) return true;
    if (!this.#started) {
      this.#started = true;
      this.writes = new ScanWriteCursor(this.snapshot, this.lowerEnc, this.upperEnc, this.reverse);
      this.locks = new ScanLockCursor(this.snapshot, this.read, this.lowerEnc, this.upperEnc, this.reverse);
      await this.locks.advance();
    }
    const full = keys.length + Math.max(1, limit);
    if (!(await this.scanWrites(keys, values, full, this.writes!))) return false;
    // Write CF exhausted: locks on keys past the last write record remain.
    while (this.locks?.current !== undefined) {
      if (keys.length >= full) return false;
      await this.locks.apply(keys, values);
    }
    await this.close();
    return true;
  }

  /** Releases the iterators (idempotent); a read-ahead still in flight is awaited and dropped. */
  async close(): Promise<void> {
    this.#done = true;
    const writes = this.writes;
    const locks = this.locks;
    this.writes = undefined;
    this.locks = undefined;
    await Promise.all([writes?.close(), locks?.close(), this.closeMore()]);
  }

  /**
   * Scans write records until the pull holds `full` rows (false) or the range's write records
   * are used up (true, with the last user key finished).
   */
  protected abstract scanWrites(keys: Uint8Array[], values: Uint8Array[], full: number, w: ScanWriteCursor): Promise<boolean>;

  /** Releases what a subclass opened. */
  protected closeMore(): Promise<void> {
    return Promise.resolve();
  }

  /** The length of the encoded user key in write key `key` (caller bytes from `o`). */
  protected encodedUserKeyLength(key: Uint8Array, o: number): number {
    const encLen = key.length - o - TS_BYTES;
    if (encLen < GROUP_BYTES) throw new CorruptionError(`write CF key of ${key.length - o} bytes is too short`);
    return encLen;
  }

  /**
   * Decides how to go on at a new user key: locks on keys before it (in scan order) come
   * first; a full pull stops before it; else it becomes the current key (`LockHere` when a
   * lock sits on it). Synchronous, so the common case costs no promise.
   */
  protected enterKey(key: Uint8Array, o: number, encLen: number, pullFull: boolean): KeyEntry {
    const lock = this.locks?.current;
    let c = 1;
    if (lock !== undefined) {
      c = bytesCompare(lock.encKey, key.subarray(o, o + encLen));
      if (this.reverse) c = -c;
      if (c < 0) return pullFull ? KeyEntry.Full : KeyEntry.LockBefore;
    }
    if (pullFull) return KeyEntry.Full;
    this.curKey = key;
    this.curOffset = o;
    this.curEncLen = encLen;
    this.curDone = false;
    return c === 0 ? KeyEntry.LockHere : KeyEntry.Start;
  }
}
