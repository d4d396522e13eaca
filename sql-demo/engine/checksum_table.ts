import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { Crc64 } from '../../src/util/mod.ts';
import { encodeIndexPrefix, prefixNext, tableRecordRange } from '../tidb_codec.ts';
import type { CopKeyRange, KvClient } from '../kv/mod.ts';
import type { TableInfo } from './catalog.ts';
import { FT } from './field_types.ts';
import { secondaryIndexes } from './table_codec.ts';
import type { RowsResult } from './session.ts';
import type { Value } from './value.ts';

/**
 * `ADMIN CHECKSUM TABLE t [, …]` as TiDB runs it: a CHECKSUM coprocessor request (tp 105,
 * CRC-64/XZ of key ‖ value XORed over every pair) over the record range and each index's
 * range at one fresh timestamp, partial results XORed / summed over regions. Without a
 * coprocessor (or with pushdown off) the SQL layer scans the same ranges and computes the
 * same sums itself, which is what tests compare the stores against.
 */

/** `coprocessor.Request.tp` of a checksum. */
const COP_TP_CHECKSUM = 105;
/** Region tasks in flight at once. */
const CHECKSUM_CONCURRENCY = 4;

export interface TableChecksum {
  checksum: bigint;
  totalKvs: bigint;
  totalBytes: bigint;
}

/** The key ranges a table's checksum covers: its rows, then each index with entries of its own. */
function checksumRanges(t: TableInfo): Array<{ range: CopKeyRange; scanOn: tipb.ChecksumScanOn }> {
  const rec = tableRecordRange(BigInt(t.id));
  const out: Array<{ range: CopKeyRange; scanOn: tipb.ChecksumScanOn }> = [{ range: { start: rec.start, end: rec.end }, scanOn: 0 }];
  for (const idx of secondaryIndexes(t)) {
    const p = encodeIndexPrefix(BigInt(t.id), BigInt(idx.id));
    out.push({ range: { start: p, end: prefixNext(p) }, scanOn: 1 });
  }
  return out;
}

export async function checksumTable(kv: KvClient, t: TableInfo, viaCoprocessor: boolean): Promise<TableChecksum> {
  const ts = await kv.getTs();
  const sum: TableChecksum = { checksum: 0n, totalKvs: 0n, totalBytes: 0n };
  for (const { range, scanOn } of checksumRanges(t)) {
    if (viaCoprocessor) {
      const data = encodeMessage('tipb.ChecksumRequest', { scanOn, algorithm: 0 });
      for await (const r of kv.coprocessor({ tp: COP_TP_CHECKSUM, data, ranges: [range], startTs: ts, concurrency: CHECKSUM_CONCURRENCY })) {
        const part = decodeMessage<tipb.ChecksumResponse>('tipb.ChecksumResponse', r.data);
        sum.checksum ^= part.checksum;
        sum.totalKvs += part.totalKvs;
        sum.totalBytes += part.totalBytes;
      }
    } else {
      const snap = await kv.snapshot(ts);
      for await (const { key, value } of snap.scan(range.start, range.end)) {
        sum.checksum ^= Crc64.create().update(key).update(value).digest();
        sum.totalKvs++;
        sum.totalBytes += BigInt(key.length + value.length);
      }
    }
  }
  return sum;
}

/** The result set TiDB answers ADMIN CHECKSUM TABLE with. */
export function checksumResult(rows: Array<{ db: string; table: string; sum: TableChecksum }>): RowsResult {
  const str = (name: string) => ({ name, ft: FT.varchar(64) });
  const int = (name: string) => ({ name, ft: FT.longlong(true) });
  return {
    kind: 'rows',
    columns: [str('Db_name'), str('Table_name'), int('Checksum_crc64_xor'), int('Total_kvs'), int('Total_bytes')],
    rows: rows.map((r): Value[] => [r.db, r.table, r.sum.checksum, r.sum.totalKvs, r.sum.totalBytes]),
  };
}
