import { decodeMessage, encodeMessage, tipb } from '../src/proto/mod.ts';
import { bytesEqual, Crc64 } from '../src/util/mod.ts';
import type { KeyRange } from './dag_types.ts';
import type { ScanSource } from './scan_source.ts';

/**
 * The CHECKSUM coprocessor request (tp 105), as TiDB's `ADMIN CHECKSUM TABLE` and BR send it:
 * the XOR over every MVCC-visible pair in the ranges of CRC-64/XZ(prefix ‖ key suffix ‖
 * value), with the pair count and byte total. A rewrite rule checksums keys as if their
 * `new_prefix` were `old_prefix` (restored tables compare with their source).
 */

/** Pairs pulled from the scan per step (bounds memory; the checksum itself is O(1)). */
const CHECKSUM_PAIRS_PER_STEP = 1024;

export class ChecksumRejected extends Error {}

export async function runChecksum(data: Uint8Array, ranges: readonly KeyRange[], source: ScanSource): Promise<Uint8Array> {
  let req: tipb.ChecksumRequest;
  try {
    req = decodeMessage<tipb.ChecksumRequest>('tipb.ChecksumRequest', data);
  } catch (e) {
    throw new ChecksumRejected(`coprocessor: malformed ChecksumRequest: ${(e as Error).message}`);
  }
  if (req.algorithm !== tipb.ChecksumAlgorithm.Crc64_Xor) throw new ChecksumRejected(`coprocessor: unknown checksum algorithm ${req.algorithm}`);
  const oldPrefix = req.rule?.oldPrefix ?? new Uint8Array(0);
  const newPrefix = req.rule?.newPrefix ?? new Uint8Array(0);
  const prefixState = Crc64.create().update(oldPrefix);
  let checksum = 0n;
  let totalKvs = 0n;
  let totalBytes = 0;
  const cursor = source.openCursor(ranges, false);
  for (;;) {
    const chunk = await cursor.next(CHECKSUM_PAIRS_PER_STEP);
    for (let i = 0; i < chunk.keys.length; i++) {
      const k = chunk.keys[i]!;
      const v = chunk.values[i]!;
      if (k.length < newPrefix.length || !bytesEqual(k.subarray(0, newPrefix.length), newPrefix)) {
        throw new ChecksumRejected(`coprocessor: checksum: key ${Buffer.from(k).toString('hex')} lacks the rewrite rule's new prefix ${Buffer.from(newPrefix).toString('hex')}`);
      }
      checksum ^= prefixState.clone().update(k.subarray(newPrefix.length)).update(v).digest();
      totalKvs++;
      totalBytes += k.length + v.length + oldPrefix.length - newPrefix.length;
    }
    if (chunk.drained) break;
  }
  return encodeMessage('tipb.ChecksumResponse', { checksum, totalKvs, totalBytes: BigInt(totalBytes) });
}
