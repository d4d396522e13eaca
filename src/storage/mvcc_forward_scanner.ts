import { decodeBytes, encodeKeyWithTs } from '../codec/mod.ts';
import type { KvEntry, KvEntryBatch, KvIterator, KvSnapshot } from '../engine/mod.ts';
import { bytesCompare, CorruptionError } from '../util/mod.ts';
import { Lock, LockType } from './lock.ts';
import { afterAllVersions, SEEK_BOUND } from './mvcc_scanner.ts';
import { checkLockForRead, type ReadOptions } from './read_check.ts';
import { txnError } from './txn_error.ts';
import { peekStartTs, peekWrite, WritePeek, WriteType } from './write.ts';

/** First write-CF read of a range: small, because many scans stop after a few rows. */
export const WRITE_BATCH_ENTRIES_MIN = 64;
/** Write-CF reads double per refill up to this many entries (one read-ahead batch in flight at most). */
export const WRITE_BATCH_ENTRIES_MAX = 1024;
/** Lock-CF entries read per refill of the lock cursor. */
export const LOCK_BATCH_ENTRIES = 256;
/** First default-CF read for long values; doubles per read up to the max. */
export const DEFAULT_BATCH_ENTRIES_MIN = 16;
export const DEFAULT_BATCH_ENTRIES_MAX = 256;

/** Bytes of the inverted timestamp after the encoded user key in write/default CF keys. */
const TS_BYTES = 8;
/** Bytes of one memcomparable group (8 data bytes + marker). */
const GROUP_BYTES = 9;
const U64_MASK = (1n << 64n) - 1n;

/** A lock in the range that matters to this read (blocks it, or is read through). */
interface PendingLock {
  encKey: Uint8Array;
  rawKey: Uint8Array;
  lock: Lock;
  blocked: boolean;
}

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
  /** `~read.ts` as two big-endian u32 halves: a version is visible iff its suffix >= this. */
  readonly #invTsHi: number;
  readonly #invTsLo: number;
  readonly #invTsBytes: Uint8Array;
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

  #locks: KvIterator | undefined;
  #lockBatch: KvEntry[] = [];
  #lockPos = 0;
  #locksEnded: boolean;
  #nextLock: PendingLock | undefined;

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
    this.#invTsBytes = new Uint8Array(TS_BYTES);
    const view = new DataView(this.#invTsBytes.buffer);
    view.setBigUint64(0, ~read.ts & U64_MASK);
    this.#invTsHi = view.getUint32(0);
    this.#invTsLo = view.getUint32(4);
    this.#locksEnded = read.ignoreLocks === true;
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
        if (this.#nextLock !== undefined) {
          const c = bytesCompare(this.#nextLock.encKey, key.subarray(o, o + encLen));
          if (c < 0) {
            if (keys.length >= full) return false;
            await this.#applyLock(keys, values);
            continue;
          }
          if (keys.length >= full) return false;
          this.#startKey(key, o, encLen);
          if (c === 0 && (await this.#applyLock(keys, values))) this.#curDecided = true;
          continue;
        }
        if (keys.length >= full) return false;
        this.#startKey(key, o, encLen);
      }
      // An undecided version of the current user key.
      this.#pos++;
      if (!this.#visible(key, o + encLen)) {
        this.#curSkipped++;
        continue;
      }
      const peek = this.#peek;
      const value = entry[1];
      peekWrite(value, peek);
      if (peek.writeType === WriteType.Put) {
        this.#curDecided = true;
        if (peek.validAsLatestAt(this.#read.ts)) {
          keys.push(decodeUserKey(key, o, encLen));
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
    while (this.#nextLock !== undefined) {
      if (keys.length >= full) return false;
      await this.#applyLock(keys, values);
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
    this.#nextLock = undefined;
    await Promise.all([writes?.close(), locks?.close(), defaults?.close()]);
  }

  async #start(): Promise<void> {
    this.#started = true;
    const bounds = { lowerBound: this.#lowerEnc, ...(this.#upperEnc.length > 0 ? { upperBound: this.#upperEnc } : {}) };
    this.#writes = this.#snapshot.iterator('write', bounds);
    if (!this.#locksEnded) {
      this.#locks = this.#snapshot.iterator('lock', bounds);
      await this.#advanceLock();
    }
  }

  #startKey(key: Uint8Array, offset: number, encLen: number): void {
    this.#curKey = key;
    this.#curOffset = offset;
    this.#curEncLen = encLen;
    this.#curDecided = false;
    this.#curSkipped = 0;
  }

  /** Whether the version whose inverted commit_ts starts at `key[t]` has commit_ts <= read ts (suffix >= ~ts). */
  #visible(key: Uint8Array, t: number): boolean {
    const hi = ((key[t]! << 24) | (key[t + 1]! << 16) | (key[t + 2]! << 8) | key[t + 3]!) >>> 0;
    if (hi !== this.#invTsHi) return hi > this.#invTsHi;
    const lo = ((key[t + 4]! << 24) | (key[t + 5]! << 16) | (key[t + 6]! << 8) | key[t + 7]!) >>> 0;
    return lo >= this.#invTsLo;
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
        target.set(this.#invTsBytes, this.#curEncLen);
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

  /** Moves `#nextLock` to the next lock in range that blocks or is read through. */
  async #advanceLock(): Promise<void> {
    this.#nextLock = undefined;
    for (;;) {
      if (this.#lockPos >= this.#lockBatch.length) {
        if (this.#locksEnded) return;
        this.#lockBatch = await this.#locks!.nextBatch(LOCK_BATCH_ENTRIES);
        this.#lockPos = 0;
        if (this.#lockBatch.length < LOCK_BATCH_ENTRIES) this.#locksEnded = true;
        if (this.#lockBatch.length === 0) return;
      }
      const e = this.#lockBatch[this.#lockPos++]!;
      const lock = Lock.decode(e.value);
      const rawKey = decodeBytes(e.key, 0).value;
      const verdict = checkLockForRead(lock, rawKey, this.#read);
      if (verdict === 'ignore') continue;
      this.#nextLock = { encKey: e.key, rawKey, lock, blocked: verdict === 'blocked' };
      return;
    }
  }

  /**
   * Applies `#nextLock` to its key: throws KeyIsLocked when it blocks; a read-through Put
   * lock appends its value. Returns whether the lock decided the key (Put or Delete).
   */
  async #applyLock(keys: Uint8Array[], values: Uint8Array[]): Promise<boolean> {
    const { rawKey, lock, blocked } = this.#nextLock!;
    if (blocked) throw txnError({ kind: 'KeyIsLocked', lockInfo: lock.toLockInfo(rawKey) });
    let decided = false;
    if (lock.lockType === LockType.Put) {
      keys.push(rawKey);
      values.push(lock.shortValue ?? this.#getDefault(encodeKeyWithTs(rawKey, lock.startTs), lock.startTs));
      decided = true;
    } else if (lock.lockType === LockType.Delete) {
      decided = true;
    }
    await this.#advanceLock();
    return decided;
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

  #getDefault(dkey: Uint8Array, startTs: bigint): Uint8Array {
    const value = this.#snapshot.getSync('default', dkey);
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

/** Orders a[ao..] against b, as unsigned bytes. */
function compareFrom(a: Uint8Array, ao: number, b: Uint8Array): number {
  const an = a.length - ao;
  const n = Math.min(an, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[ao + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return an - b.length;
}

/** Whether a[ao..ao+n) equals b[bo..bo+n), comparing from the end (keys of one table differ last). */
function sameBytesFromEnd(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/**
 * The raw user key of the encoded user key `key[offset..offset+encLen)`: memcomparable groups
 * of 8 bytes plus a marker (0xFF for a full group, 0xFF - padding for the last one). Malformed
 * persisted bytes throw `CorruptionError`.
 */
function decodeUserKey(key: Uint8Array, offset: number, encLen: number): Uint8Array {
  const groups = encLen / GROUP_BYTES;
  if (!Number.isInteger(groups)) throw new CorruptionError(`write CF key: encoded user key of ${encLen} bytes`);
  const lastMarker = key[offset + encLen - 1]!;
  const pad = 0xff - lastMarker;
  if (pad < 1 || pad > 8) throw new CorruptionError(`write CF key: bad last marker ${lastMarker}`);
  const n = groups * 8 - pad;
  const out = new Uint8Array(n);
  let w = 0;
  for (let g = 0; g < groups; g++) {
    const base = offset + g * GROUP_BYTES;
    if (g < groups - 1) {
      if (key[base + 8] !== 0xff) throw new CorruptionError(`write CF key: bad marker ${key[base + 8]}`);
      for (let i = 0; i < 8; i++) out[w++] = key[base + i]!;
    } else {
      for (let i = 0; i < 8 - pad; i++) out[w++] = key[base + i]!;
      for (let i = 8 - pad; i < 8; i++) {
        if (key[base + i] !== 0) throw new CorruptionError('write CF key: non-zero padding');
      }
    }
  }
  return out;
}
