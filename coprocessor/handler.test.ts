// Proves handleCoprocessorRequest end to end on real protobuf bytes: a DAGRequest encoded with the project's runtime is decoded, run, and answered with a SelectResponse in Chunk, Default or Arrow IPC encoding; bad requests get a clear other_error.
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../src/codec/tidb/mod.ts';
import { decodeMessage, encodeMessage, type tipb } from '../src/proto/mod.ts';
import { crc64 } from '../src/util/mod.ts';
import { AggExprType } from './aggr_functions.ts';
import type { DAGRequest } from './dag_types.ts';
import { EncodeType, ExecType } from './dag_types.ts';
import { handleCoprocessorRequest } from './handler.ts';
import { MemoryScanSource } from './memory_scan_source.ts';
import { E, FT, columnInfo, coreTime, decodeChunk, encodeRowV2, recordKey, tableRange } from './testing.ts';

const TABLE = 7n;
const enc = new TextEncoder();
const COLS = [columnInfo(1, FT.bigint, { pkHandle: true }), columnInfo(2, FT.varchar), columnInfo(3, FT.decimal), columnInfo(4, FT.datetime), columnInfo(5, FT.timestamp)];

function source(n: number): MemoryScanSource {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (let i = 1; i <= n; i++) {
    pairs.push([
      recordKey(TABLE, BigInt(i)),
      encodeRowV2([
        { id: 2, ft: FT.varchar, value: i % 4 === 0 ? null : enc.encode(`name${i}`) },
        { id: 3, ft: FT.decimal, value: new Decimal(BigInt(i * 1005), 4) },
        { id: 4, ft: FT.datetime, value: coreTime({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: i % 60, microsecond: 250000 }) },
        { id: 5, ft: FT.timestamp, value: coreTime({ year: 2024, month: 1, day: 1, hour: 23, minute: 0, second: 0, microsecond: 0 }, FT.timestamp) },
      ]),
    ]);
  }
  return new MemoryScanSource(pairs);
}

function request(dag: DAGRequest, pagingSize = 0n) {
  const data = encodeMessage('tipb.DAGRequest', dag);
  return { tp: 103n, data, ranges: [tableRange(TABLE)], startTs: 100n, pagingSize };
}

const scan = { tp: ExecType.TableScan, tblScan: { tableId: TABLE, columns: COLS } };

describe('handleCoprocessorRequest', () => {
  it('answers a Chunk-encoded SelectResponse TiDB can decode (decimal MyDecimal, CoreTime, TIMESTAMP in the request zone)', async () => {
    const dag: DAGRequest = { executors: [scan], outputOffsets: [0, 1, 2, 3, 4], encodeType: EncodeType.Chunk, timeZoneName: 'Asia/Shanghai', flags: 482n };
    const resp = await handleCoprocessorRequest(request(dag), source(10));
    expect(resp.otherError).toBe('');
    const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
    expect(sel.encodeType).toBe(EncodeType.Chunk);
    expect(sel.outputCounts).toEqual([10n]);
    const rows = sel.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.bigint, FT.varchar, FT.decimal, FT.datetime, FT.timestamp]));
    expect(rows.length).toBe(10);
    expect(rows[0]![0]).toBe(1n);
    expect(new TextDecoder().decode(rows[0]![1] as Uint8Array)).toBe('name1');
    expect(rows[3]![1]).toBeNull();
    expect((rows[1]![2] as Decimal).toString()).toBe('0.2010');
    expect(rows[0]![3]).toBe(coreTime({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 1, microsecond: 250000 }));
    // 2024-01-01 23:00 UTC is 2024-01-02 07:00 in Asia/Shanghai (UTC+8).
    expect(rows[0]![4]).toBe(coreTime({ year: 2024, month: 1, day: 2, hour: 7, minute: 0, second: 0, microsecond: 0 }, FT.timestamp));
  });

  it('answers Arrow IPC record batches when asked (encode type 1001)', async () => {
    const dag: DAGRequest = {
      executors: [scan, { tp: ExecType.Aggregation, aggregation: { aggFunc: [E.agg(AggExprType.Count, FT.ubigint, E.int(1)), E.agg(AggExprType.Sum, { tp: 246, flen: 40, decimal: 4 }, E.col(2, FT.decimal))] } }],
      outputOffsets: [0, 1],
      encodeType: EncodeType.ArrowIpc,
    };
    const resp = await handleCoprocessorRequest(request(dag), source(10));
    const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
    expect(sel.encodeType).toBe(EncodeType.ArrowIpc);
    expect(sel.chunks.length).toBe(1);
    const table = tableFromIPC(sel.chunks[0]!.rowsData);
    expect(table.numRows).toBe(1);
    expect(table.getChild('c0')!.get(0)).toBe(10n);
    expect(String(table.schema.fields[1]!.type)).toMatch(/Decimal/);
    // sum of i*1005/10^4 for i=1..10 = 55*1005 = 55275 -> 5.5275 at scale 4
    const words = table.getChild('c1')!.data[0]!.values as Uint32Array;
    expect(words[0]).toBe(55275);
  });

  it('answers Default encoding and pages with a scanned range', async () => {
    const dag: DAGRequest = { executors: [scan], outputOffsets: [0], encodeType: EncodeType.Default };
    const resp = await handleCoprocessorRequest(request(dag, 40n), source(100));
    const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
    expect(sel.encodeType).toBe(EncodeType.Default);
    expect(resp.range?.end).toEqual(new Uint8Array([...recordKey(TABLE, 96n), 0]));
  });

  it('malformed DAG bytes, analyze/checksum and unknown tp are clear other_errors', async () => {
    const bad = await handleCoprocessorRequest({ tp: 103n, data: new Uint8Array([0x12, 0xff, 0x01]), ranges: [], startTs: 1n }, source(1));
    expect(bad.otherError).toMatch(/malformed/);
    expect((await handleCoprocessorRequest({ tp: 104n, data: new Uint8Array(), ranges: [], startTs: 1n }, source(1))).otherError).toMatch(/unsupported tp 104 \(ANALYZE/);
    expect((await handleCoprocessorRequest({ tp: 105n, data: Uint8Array.of(0xff), ranges: [], startTs: 1n }, source(1))).otherError).toMatch(/malformed ChecksumRequest/);
    const badAlgorithm = encodeMessage('tipb.ChecksumRequest', { algorithm: 7 });
    expect((await handleCoprocessorRequest({ tp: 105n, data: badAlgorithm, ranges: [tableRange(TABLE)], startTs: 1n }, source(1))).otherError).toMatch(/unknown checksum algorithm 7/);
    expect((await handleCoprocessorRequest({ tp: 7n, data: new Uint8Array(), ranges: [], startTs: 1n }, source(1))).otherError).toBe('unsupported tp 7');
    const unknownExec = await handleCoprocessorRequest(request({ executors: [scan, { tp: 13 }], outputOffsets: [0] }), source(1));
    expect(unknownExec.otherError).toMatch(/unsupported executor type 13 \(TypeSort\)/);
  });

  it('propagates ScanSource errors (locks) to the store untouched', async () => {
    const locked = new Error('key is locked');
    const src = { openCursor: () => ({ next: async () => Promise.reject(locked) }) };
    await expect(handleCoprocessorRequest(request({ executors: [scan], outputOffsets: [0] }), src)).rejects.toBe(locked);
  });

  it('answers CHECKSUM (tp 105) as the XOR of CRC-64/XZ over key‖value, with a rewrite rule applied to the prefix', async () => {
    const src = source(50);
    const pairs: Array<[Uint8Array, Uint8Array]> = [];
    const cursor = src.openCursor([tableRange(TABLE)], false);
    for (;;) {
      const c = await cursor.next(1000);
      c.keys.forEach((k, i) => pairs.push([k, c.values[i]!]));
      if (c.drained) break;
    }
    let want = 0n;
    let bytes = 0;
    for (const [k, v] of pairs) {
      want ^= crc64(new Uint8Array([...k, ...v]));
      bytes += k.length + v.length;
    }
    const data = encodeMessage('tipb.ChecksumRequest', { scanOn: 0, algorithm: 0 });
    const res = await handleCoprocessorRequest({ tp: 105n, data, ranges: [tableRange(TABLE)], startTs: 100n }, src);
    expect(res.otherError).toBe('');
    const got = decodeMessage<tipb.ChecksumResponse>('tipb.ChecksumResponse', res.data);
    expect(got).toEqual({ checksum: want, totalKvs: 50n, totalBytes: BigInt(bytes) });

    // Rewriting the 9-byte table prefix `t{7}` to `t{9}`: each pair is checksummed as if its key began with t{9}.
    const oldPrefix = recordKey(9n, 0n).subarray(0, 9);
    const newPrefix = recordKey(TABLE, 0n).subarray(0, 9);
    let rewritten = 0n;
    for (const [k, v] of pairs) rewritten ^= crc64(new Uint8Array([...oldPrefix, ...k.subarray(9), ...v]));
    const withRule = encodeMessage('tipb.ChecksumRequest', { algorithm: 0, rule: { oldPrefix, newPrefix } });
    const res2 = await handleCoprocessorRequest({ tp: 105n, data: withRule, ranges: [tableRange(TABLE)], startTs: 100n }, src);
    expect(decodeMessage<tipb.ChecksumResponse>('tipb.ChecksumResponse', res2.data).checksum).toBe(rewritten);
    const wrongRule = encodeMessage('tipb.ChecksumRequest', { algorithm: 0, rule: { oldPrefix, newPrefix: oldPrefix } });
    expect((await handleCoprocessorRequest({ tp: 105n, data: wrongRule, ranges: [tableRange(TABLE)], startTs: 100n }, src)).otherError).toMatch(/lacks the rewrite rule's new prefix/);
  });
});
