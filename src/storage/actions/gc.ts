import { decodeKeyWithTs, truncateTs, decodeBytes } from '../../codec/mod.ts';
import type { KvSnapshot } from '../../engine/mod.ts';
import type { Modify } from '../region_kv.ts';
import { Write, WriteType } from '../write.ts';
import { encodeKeyWithTs } from '../../codec/mod.ts';

/** One GC pass over part of a region: the deletions to apply and where to continue. */
export interface GcBatch {
  modifies: Modify[];
  keysScanned: number;
  versionsDeleted: number;
  /** Encoded-key lower bound for the next batch, or undefined when the range is done. */
  nextLowerEnc: Uint8Array | undefined;
}

/**
 * Collects MVCC garbage below `safePoint` for up to `batchKeys` user keys starting at
 * `lowerEnc` (TiKV `gc`): versions newer than the safe point stay; at or below it, Lock and
 * Rollback records are dropped until the newest data version; a Put there is kept and
 * everything older dropped (with its default-CF value); a Delete there is dropped together
 * with everything older, since nothing is visible at the safe point anyway.
 */
export async function collectGc(
  snapshot: KvSnapshot,
  lowerEnc: Uint8Array,
  upperEnc: Uint8Array,
  safePoint: bigint,
  batchKeys: number,
  batchModifiesMax: number,
): Promise<GcBatch> {
  const it = snapshot.iterator('write', {
    lowerBound: lowerEnc,
    ...(upperEnc.length > 0 ? { upperBound: upperEnc } : {}),
  });
  const modifies: Modify[] = [];
  let keysScanned = 0;
  let versionsDeleted = 0;
  let current: Uint8Array | undefined;
  let removeOlder = false;
  let rawKey: Uint8Array = new Uint8Array(0);
  try {
    for (;;) {
      const e = await it.next();
      if (e === undefined) return { modifies, keysScanned, versionsDeleted, nextLowerEnc: undefined };
      const user = truncateTs(e.key);
      if (current === undefined || !sameBytes(user, current)) {
        if (current !== undefined && (keysScanned >= batchKeys || modifies.length >= batchModifiesMax)) {
          return { modifies, keysScanned, versionsDeleted, nextLowerEnc: user.slice() };
        }
        current = user.slice();
        rawKey = decodeBytes(current, 0).value;
        removeOlder = false;
        keysScanned++;
      }
      const commitTs = decodeKeyWithTs(e.key).ts;
      const write = Write.decode(e.value);
      const drop = (): void => {
        modifies.push({ type: 'delete', cf: 'write', key: e.key });
        if (write.writeType === WriteType.Put && write.shortValue === undefined) {
          modifies.push({ type: 'delete', cf: 'default', key: encodeKeyWithTs(rawKey, write.startTs) });
        }
        versionsDeleted++;
      };
      if (removeOlder) {
        drop();
        continue;
      }
      if (commitTs > safePoint) continue;
      switch (write.writeType) {
        case WriteType.Put:
          removeOlder = true;
          break;
        case WriteType.Delete:
          removeOlder = true;
          drop();
          break;
        case WriteType.Lock:
        case WriteType.Rollback:
          drop();
          break;
      }
    }
  } finally {
    await it.close();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
