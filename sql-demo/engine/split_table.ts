import { encodeRecordKey, tableRecordRange } from '../tidb_codec.ts';
import { bytesToHex } from '../../src/util/mod.ts';
import { ER, sqlError } from '../errors.ts';
import type { KvClient } from '../kv/mod.ts';
import type { Expr } from '../parser/mod.ts';
import type { TableInfo } from './catalog.ts';
import { convertForColumn } from './column_type.ts';
import type { Compiled } from './expr.ts';
import { handleColumnOffset } from './table_codec.ts';
import { toBigInt, type Value } from './value.ts';

/** Most regions one SPLIT TABLE may ask for (TiDB's `maxSplitRegionNum`). */
export const SPLIT_REGIONS_MAX = 1000;

/** What SPLIT TABLE answers (TiDB's columns). */
export interface SplitTableResult {
  /** Split keys that were not region boundaries before: the number of new regions. */
  readonly totalSplitRegion: number;
  /** Always 1: there is no scatter step; the split itself has finished when we answer. */
  readonly scatterFinishRatio: number;
}

/** The split request as parsed (values are constant expressions). */
export type SplitSpec =
  | { readonly kind: 'between'; readonly lo: Expr; readonly hi: Expr; readonly regions: Expr }
  | { readonly kind: 'by'; readonly values: readonly Expr[] };

function handleValue(t: TableInfo, v: Value): bigint {
  if (v === null) throw sqlError(ER.WRONG_ARGUMENTS, 'Incorrect arguments to SPLIT TABLE: NULL handle value');
  const off = handleColumnOffset(t);
  const c = off >= 0 ? t.columns[off]! : undefined;
  const conv = c === undefined ? v : convertForColumn(v, c.ft, c.name, 1);
  // Unsigned handles are stored as their int64 bit pattern (TiDB does the same).
  return BigInt.asIntN(64, toBigInt(conv!));
}

/**
 * SPLIT TABLE on an int-handle table (INT primary key or `_tidb_rowid`): BETWEEN splits
 * `[lo, hi)` into `regions` equal parts (regions - 1 keys at lo + i * step); BY splits at
 * each value. Keys are record keys `t{id}_r{handle}`. Clustered tables with a non-int
 * primary key are refused (their handles are datum keys, not supported here yet).
 */
export async function splitTable(kv: KvClient, t: TableInfo, spec: SplitSpec, compile: (e: Expr) => Compiled): Promise<SplitTableResult> {
  if (t.isCommonHandle) throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support 'SPLIT TABLE on a clustered non-int primary key'");
  const tableId = BigInt(t.id);
  const handles: bigint[] = [];
  if (spec.kind === 'between') {
    const lo = handleValue(t, compile(spec.lo).eval([]));
    const hi = handleValue(t, compile(spec.hi).eval([]));
    const nv = compile(spec.regions).eval([]);
    const n = nv === null ? 0n : toBigInt(nv);
    if (n < 1n || n > BigInt(SPLIT_REGIONS_MAX)) throw sqlError([8212, 'HY000'], `Split table region num exceeded the limit ${SPLIT_REGIONS_MAX}`);
    if (lo >= hi) throw sqlError([8212, 'HY000'], `Split table \`${t.name}\` region lower value ${lo} should less than the upper value ${hi}`);
    const step = (hi - lo) / n;
    if (step < 1n) throw sqlError([8212, 'HY000'], `Split table \`${t.name}\` region step value should more than 0, step ${step} is invalid`);
    for (let i = 1n; i < n; i++) handles.push(lo + step * i);
  } else {
    for (const e of spec.values) handles.push(handleValue(t, compile(e).eval([])));
  }
  const keys = [...new Map(handles.map((h) => {
    const k = encodeRecordKey(tableId, h);
    return [bytesToHex(k), k] as const;
  })).values()];
  if (keys.length === 0) return { totalSplitRegion: 0, scatterFinishRatio: 1 };
  const range = tableRecordRange(tableId);
  const before = await kv.regions(range.start, range.end);
  const boundaries = new Set(before.map((r) => bytesToHex(r.startKey)));
  await kv.splitRegions(keys);
  return { totalSplitRegion: keys.filter((k) => !boundaries.has(bytesToHex(k))).length, scatterFinishRatio: 1 };
}
