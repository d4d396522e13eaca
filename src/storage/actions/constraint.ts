import type { MvccReader } from '../mvcc_reader.ts';
import { txnError } from '../txn_error.ts';
import { WriteType, type Write } from '../write.ts';

/**
 * For a mutation that requires the key to be absent (Insert / CheckNotExists), fails with
 * `AlreadyExist` when `write` (the newest record, at `commitTs`) shows the key exists: a Put,
 * or a Lock/Rollback record on top of an older visible Put.
 */
export async function checkDataConstraint(
  reader: MvccReader,
  shouldNotExist: boolean,
  write: Write,
  commitTs: bigint,
  key: Uint8Array,
): Promise<void> {
  if (!shouldNotExist || write.writeType === WriteType.Delete) return;
  if (write.writeType === WriteType.Put || (await reader.getWrite(key, commitTs - 1n)) !== undefined) {
    throw txnError({ kind: 'AlreadyExist', key });
  }
}
