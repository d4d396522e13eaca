import { decodeKeyWithTs, encodeKey, encodeKeyWithTs, truncateTs, decodeBytes } from '../codec/mod.ts';
import type { KvEntry, KvSnapshot } from '../engine/mod.ts';
import { bytesCompare } from '../util/mod.ts';
import type { KvPair } from './kvrpc_types.ts';
import { Lock, LockType } from './lock.ts';
import { MvccReader } from './mvcc_reader.ts';
import { checkLockForRead, type ReadOptions } from './read_check.ts';
import { Write, WriteType } from './write.ts';
import { toKeyError } from './key_error.ts';
import { BufferedIterator } from './buffered_iterator.ts';
import { txnError } from './txn_error.ts';

/** Versions stepped over one by one before a scan seeks past them (TiKV's `SEEK_BOUND`). */
export const SEEK_BOUND = 8;

/** A scan over encoded-key bounds [lowerEnc, upperEnc) (empty upper = unbounded). */
export interface ScanSpec {
  lowerEnc: Uint8Array;
  upperEnc: Uint8Array;
  reverse: boolean;
  limit: number;
  keyOnly: boolean;
  read: ReadOptions;
}

/**
 * The value of a lock listed in committed_locks: a Put lock's value, undefined for a Delete
 * lock, or `'fallThrough'` for Lock/Pessimistic locks (read the write CF instead).
 */
export async function valueFromLock(
  reader: MvccReader,
  key: Uint8Array,
  lock: Lock,
): Promise<Uint8Array | undefined | 'fallThrough'> {
  if (lock.lockType === LockType.Delete) return undefined;
  if (lock.lockType !== LockType.Put) return 'fallThrough';
  if (lock.shortValue !== undefined) return lock.shortValue;
  const w = new Write({ writeType: WriteType.Put, startTs: lock.startTs });
  return reader.loadData(key, w);
}

/**
 * MVCC scan at `read.ts` (TiKV forward/backward scanner): merges the lock CF with the write
 * CF, returns at most `limit` pairs; a blocking lock becomes a pair carrying
 * `KeyError.locked` (and counts toward the limit), as TiKV does.
 */
export async function mvccScan(snapshot: KvSnapshot, spec: ScanSpec): Promise<KvPair[]> {
  const reader = new MvccReader(snapshot);
  const bounds = {
    lowerBound: spec.lowerEnc,
    ...(spec.upperEnc.length > 0 ? { upperBound: spec.upperEnc } : {}),
    reverse: spec.reverse,
  };
  const wIt = new BufferedIterator(snapshot.iterator('write', bounds));
  const lIt = new BufferedIterator(snapshot.iterator('lock', bounds));
  const out: KvPair[] = [];
  const dir = spec.reverse ? -1 : 1;
  try {
    let w: KvEntry | undefined = await wIt.next();
    let l: KvEntry | undefined = await lIt.next();
    while (out.length < spec.limit) {
      const wUser = w === undefined ? undefined : truncateTs(w.key);
      const lUser = l?.key;
      if (wUser === undefined && lUser === undefined) break;
      let cur: Uint8Array;
      if (wUser === undefined) cur = lUser!;
      else if (lUser === undefined) cur = wUser;
      else cur = bytesCompare(wUser, lUser) * dir <= 0 ? wUser : lUser;

      const rawKey = decodeBytes(cur, 0).value;
      let decided = false;
      if (lUser !== undefined && bytesCompare(lUser, cur) === 0) {
        const lock = Lock.decode(l!.value);
        const verdict = checkLockForRead(lock, rawKey, spec.read);
        if (verdict === 'blocked') {
          out.push({
            key: rawKey,
            value: new Uint8Array(0),
            error: toKeyError(txnError({ kind: 'KeyIsLocked', lockInfo: lock.toLockInfo(rawKey) })),
          });
          decided = true;
        } else if (verdict === 'readThrough') {
          const v = await valueFromLock(reader, rawKey, lock);
          if (v !== 'fallThrough') {
            decided = true;
            if (v !== undefined) out.push({ key: rawKey, value: spec.keyOnly ? new Uint8Array(0) : v });
          }
        }
        l = await lIt.next();
      }
      // Consume this user key's write versions.
      let best: Write | undefined;
      let bestResolved = false;
      let skipped = 0;
      while (w !== undefined && bytesCompare(truncateTs(w.key), cur) === 0) {
        if (!spec.reverse && (decided || bestResolved)) {
          // Skip the remaining versions of this key: step a few times, seek when there are many
          // (an engine seek drops the iterator's read-ahead, so it costs far more than a step).
          if (++skipped > SEEK_BOUND) {
            wIt.seek(afterAllVersions(cur));
            w = await wIt.next();
            break;
          }
          w = await wIt.next();
          continue;
        }
        const ts = decodeKeyWithTs(w.key).ts;
        if (ts > spec.read.ts) {
          if (!spec.reverse && ++skipped > SEEK_BOUND) {
            wIt.seek(encodeKeyWithTs(rawKey, spec.read.ts));
            skipped = 0;
          }
          w = await wIt.next();
          continue;
        }
        const write = Write.decode(w.value);
        if (write.writeType === WriteType.Put || write.writeType === WriteType.Delete) {
          if (spec.reverse) {
            // Ascending commit_ts in reverse order: a later data version replaces this one.
            best = write;
          } else if (!bestResolved) {
            best = write;
            bestResolved = true;
          }
        }
        w = await wIt.next();
      }
      if (!decided && best !== undefined && best.writeType === WriteType.Put && best.validAsLatestAt(spec.read.ts)) {
        out.push({ key: rawKey, value: spec.keyOnly ? new Uint8Array(0) : await reader.loadData(rawKey, best) });
      }
    }
  } finally {
    await wIt.close();
    await lIt.close();
  }
  return out;
}

/** An encoded key above every MVCC version of encoded user key `encUser` and below the next user key. */
export function afterAllVersions(encUser: Uint8Array): Uint8Array {
  // Every version is encUser + 8 timestamp bytes, all below encUser + 0xFF*8 + 0x00; encoded
  // user keys are prefix-free, so the next user key is above it too.
  const out = new Uint8Array(encUser.length + 9);
  out.set(encUser, 0);
  out.fill(0xff, encUser.length, encUser.length + 8);
  return out;
}

/** Encoded lower/upper bounds of a raw [start, end) range (empty end = unbounded). */
export function encodeRange(start: Uint8Array, end: Uint8Array): { lowerEnc: Uint8Array; upperEnc: Uint8Array } {
  return { lowerEnc: encodeKey(start), upperEnc: end.length === 0 ? new Uint8Array(0) : encodeKey(end) };
}
