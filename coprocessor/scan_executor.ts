import {
  type Datum,
  RowV2Decoder,
  RECORD_KEY_INT_HANDLE_BYTES,
  RowV2Lookup,
  coreTimeFromPacked,
  decodeDatum,
  decodeIndexHandle,
  decodeIndexKey,
  decodeIndexValue,
  decodeRecordKey,
  decodeRowV1,
  decodeV2Decimal,
  decodeV2Float,
  decodeV2Int,
  decodeV2Uint,
  isRowV2,
} from '../src/codec/tidb/mod.ts';
import { CorruptionError, DomainError, concatBytes } from '../src/util/mod.ts';
import { type Batch, type BatchExecutor, type BatchResult, newStats, identityRows } from './batch_executor.ts';
import type { ColumnInfo, FieldType, KeyRange } from './dag_types.ts';
import { datumToScalar } from './datum_scalar.ts';
import { EvalType, FieldFlag, MysqlType, evalTypeOfTp } from './field_type.ts';
import type { ScanCursor, ScanSource } from './scan_source.ts';
import { type Scalar, Vector } from './vector.ts';

/** Column id TiDB uses for the hidden int row handle (`_tidb_rowid`). */
export const EXTRA_HANDLE_COLUMN_ID = -1n;
/** Column id filled with the physical table id taken from the key. */
export const EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID = -3n;

/** How the scan turns one (key, value) pair into column values. */
export type ScanKind =
  /** `primaryColumnIds` non-empty = clustered (common handle) table. */
  | { kind: 'table'; columns: readonly ColumnInfo[]; primaryColumnIds: readonly bigint[] }
  /** `commonHandleColumns` > 0 = the trailing columns are a clustered table's primary key. */
  | { kind: 'index'; columns: readonly ColumnInfo[]; unique: boolean; commonHandleColumns: number };

/** Marks a column absent from the row value (use the key or the default). */
const MISSING = Symbol('missing');

/** Pairs pulled from the ScanSource per step, at most (one batch never needs more). */
export const SCAN_PAIRS_PER_PULL_MAX = 1024;

/**
 * TableScan / IndexScan: pulls (key, value) pairs from the ScanSource and decodes the
 * requested columns into vectors. Tracks the scanned range (for paging) and rows scanned
 * per request range (`output_counts`).
 */
export class ScanExecutor implements BatchExecutor {
  readonly schema: readonly FieldType[];
  readonly stats = newStats();
  private readonly cursor: ScanCursor;
  private readonly evalTypes: EvalType[];
  private readonly reader = new RowV2Decoder();
  private readonly defaults: Scalar[];
  private drained = false;
  /** Per column: decoded later by `materialize` (see `deferColumns`). */
  private deferred: boolean[] | null = null;
  /** Row values of the current batch, kept for `materialize`. */
  private batchValues: Uint8Array[] = [];
  private lastKey: Uint8Array | null = null;
  /** Rows scanned per request range, in request order. */
  readonly scannedPerRange: bigint[];

  constructor(
    source: ScanSource,
    private readonly ranges: readonly KeyRange[],
    private readonly desc: boolean,
    private readonly scan: ScanKind,
  ) {
    this.cursor = source.openCursor(ranges, desc);
    this.scannedPerRange = ranges.map(() => 0n);
    this.schema = scan.columns.map(columnFieldType);
    this.evalTypes = scan.columns.map((c) => {
      const et = evalTypeOfTp(c.tp ?? 0);
      // BIT travels as var-length bytes in chunks; not wired through yet.
      if (et === undefined || et === EvalType.Json || et === EvalType.Enum || c.tp === MysqlType.Bit) {
        throw new DomainError('NotImplemented', `coprocessor: column ${c.columnId} of MySQL type ${c.tp} is not supported yet`);
      }
      return et;
    });
    this.defaults = scan.columns.map((c, i) => {
      const dv = c.defaultVal;
      if (dv === undefined || dv === null || dv.length === 0) return null;
      // Default values come from the request: malformed ones are the client's error, not corruption.
      try {
        return datumToScalar(decodeDatum(dv, 0).value, this.evalTypes[i]!, c.tp ?? 0, c.decimal ?? 0);
      } catch (e) {
        if (e instanceof CorruptionError) throw new DomainError('InvalidArgument', `coprocessor: malformed default value of column ${c.columnId}: ${e.message}`);
        throw e;
      }
    });
  }

  /**
   * Late materialization: only columns in `needed` (and the handle / table id) are decoded
   * while scanning; the others are decoded by `materialize` for the rows that survive the
   * Selection right above. Applies to int-handle table scans; a no-op otherwise.
   */
  deferColumns(needed: ReadonlySet<number>): boolean {
    if (this.scan.kind !== 'table' || this.scan.primaryColumnIds.length > 0) return false;
    const infos = this.scan.columns;
    const deferred = infos.map((info, c) => !needed.has(c) && info.pkHandle !== true && info.columnId !== EXTRA_HANDLE_COLUMN_ID && info.columnId !== EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID);
    if (!deferred.some((d) => d)) return false;
    this.deferred = deferred;
    return true;
  }

  /** Decodes the deferred columns of the current batch for physical `rows`. */
  materialize(batch: Batch, rows: Int32Array): void {
    const deferred = this.deferred;
    if (deferred === null || this.scan.kind !== 'table') return;
    const infos = this.scan.columns;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const value = this.batchValues[r]!;
      const v2 = isRowV2(value);
      const v1 = v2 ? null : decodeRowV1(value);
      if (v2) this.reader.reset(value);
      for (let c = 0; c < infos.length; c++) {
        if (!deferred[c]) continue;
        const fromValue = this.valueColumn(c, infos[c]!, v1);
        batch.columns[c]!.set(r, fromValue !== MISSING ? fromValue : this.missingColumn(c, infos[c]!));
      }
    }
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    const n = Math.min(Math.max(1, scanRowsHint), SCAN_PAIRS_PER_PULL_MAX);
    const columns = this.evalTypes.map((et) => Vector.allocate(et, n));
    let count = 0;
    if (this.deferred !== null) this.batchValues = [];
    while (!this.drained && count < n) {
      let chunk;
      try {
        chunk = await this.cursor.next(n - count);
      } catch (e) {
        // The store's own errors (a lock in range, a region problem) are not the DAG's fault:
        // carry them out untouched so the store can answer `locked` / `region_error`.
        throw new ScanSourceError(e);
      }
      for (let i = 0; i < chunk.keys.length; i++) {
        this.decodeInto(columns, count, chunk.keys[i]!, chunk.values[i]!);
        if (this.deferred !== null) this.batchValues.push(chunk.values[i]!);
        count++;
      }
      if (chunk.keys.length > 0) {
        this.lastKey = chunk.keys[chunk.keys.length - 1]!;
        this.scannedPerRange[chunk.rangeIndex]! += BigInt(chunk.keys.length);
      }
      if (chunk.drained) this.drained = true;
    }
    const batch: Batch = { columns: count === n ? columns : columns.map((c) => trim(c, count)), logicalRows: identityRows(count) };
    return { batch, drained: this.drained };
  }

  /**
   * The key range this scan has covered so far (TiKV `take_scanned_range`): ascending
   * `[first range start, last key + 0x00)`, descending `[last key, last range end)`.
   * `undefined` when nothing was scanned.
   */
  scannedRange(): KeyRange | undefined {
    if (this.ranges.length === 0) return undefined;
    if (this.desc) {
      const end = this.ranges[this.ranges.length - 1]!.end;
      const start = this.lastKey ?? end;
      return { start, end };
    }
    const start = this.ranges[0]!.start;
    const end = this.lastKey === null ? start : concatBytes(this.lastKey, new Uint8Array([0]));
    return { start, end };
  }

  get isDrained(): boolean {
    return this.drained;
  }

  private decodeInto(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array): void {
    if (this.scan.kind === 'table') {
      if (this.scan.primaryColumnIds.length > 0) this.decodeCommonHandleRow(columns, row, key, value, this.scan.columns, this.scan.primaryColumnIds);
      else this.decodeTableRow(columns, row, key, value, this.scan.columns);
    } else if (this.scan.commonHandleColumns > 0) {
      this.decodeIndexRowCommonHandle(columns, row, key, value, this.scan.columns, this.scan.commonHandleColumns);
    } else {
      this.decodeIndexRow(columns, row, key, value, this.scan.columns);
    }
  }

  private decodeTableRow(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array, infos: readonly ColumnInfo[]): void {
    // Hot path: int-handle record keys are 19 bytes; read them without allocating.
    if (key.length !== RECORD_KEY_INT_HANDLE_BYTES || key[0] !== 0x74 || key[10] !== 0x72) {
      const decoded = decodeRecordKey(key);
      throw new CorruptionError(`table scan: ${decoded.handle.kind} handle record key in an int-handle table`);
    }
    const handle = readComparableI64(key, 11);
    const tableId = readComparableI64(key, 1);
    const deferred = this.deferred;
    const v2 = isRowV2(value);
    const v1 = v2 ? null : decodeRowV1(value);
    if (v2) this.reader.reset(value);
    for (let c = 0; c < infos.length; c++) {
      const info = infos[c]!;
      const id = info.columnId ?? 0n;
      const col = columns[c]!;
      if (info.pkHandle === true || id === EXTRA_HANDLE_COLUMN_ID) {
        col.set(row, handle);
        continue;
      }
      if (id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) {
        col.set(row, tableId);
        continue;
      }
      if (deferred !== null && deferred[c]) continue;
      const fromValue = this.valueColumn(c, info, v1);
      if (fromValue !== MISSING) {
        col.set(row, fromValue);
        continue;
      }
      col.set(row, this.missingColumn(c, info));
    }
  }

  /**
   * Clustered table row: columns come from the row value when present; primary-key columns
   * the value omits are decoded from the common handle in the key (TiDB stores there the
   * values it can restore exactly).
   */
  private decodeCommonHandleRow(
    columns: Vector[],
    row: number,
    key: Uint8Array,
    value: Uint8Array,
    infos: readonly ColumnInfo[],
    primaryColumnIds: readonly bigint[],
  ): void {
    const decoded = decodeRecordKey(key);
    if (decoded.handle.kind !== 'common') throw new CorruptionError('table scan: int handle record key in a clustered table');
    const handleDatums = decodeHandleDatums(decoded.handle.encoded, primaryColumnIds.length);
    const v2 = isRowV2(value);
    const v1 = v2 ? null : decodeRowV1(value);
    if (v2) this.reader.reset(value);
    for (let c = 0; c < infos.length; c++) {
      const info = infos[c]!;
      const id = info.columnId ?? 0n;
      const et = this.evalTypes[c]!;
      if (id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) {
        columns[c]!.set(row, decoded.tableId);
        continue;
      }
      const fromValue = this.valueColumn(c, info, v1);
      if (fromValue !== MISSING) {
        columns[c]!.set(row, fromValue);
        continue;
      }
      const k = primaryColumnIds.indexOf(id);
      if (k >= 0) {
        columns[c]!.set(row, keyColumnValue(handleDatums[k]!, et, info));
        continue;
      }
      columns[c]!.set(row, this.missingColumn(c, info));
    }
  }

  /** Column `c` from the current row value (v1 map or the v2 reader), or MISSING. */
  private valueColumn(c: number, info: ColumnInfo, v1: Map<number, Datum> | null): Scalar | typeof MISSING {
    const id = info.columnId ?? 0n;
    const et = this.evalTypes[c]!;
    if (v1 !== null) {
      const d = v1.get(Number(id));
      return d === undefined ? MISSING : datumToScalar(d, et, info.tp ?? 0, info.decimal ?? 0);
    }
    const found = id >= 0n && id <= 0xffff_ffffn ? this.reader.locate(Number(id)) : RowV2Lookup.Missing;
    if (found === RowV2Lookup.Null) return null;
    return found === RowV2Lookup.Value ? this.readV2(et, info) : MISSING;
  }

  private missingColumn(c: number, info: ColumnInfo): Scalar {
    const d = this.defaults[c]!;
    if (d === null && ((info.flag ?? 0) & FieldFlag.NotNull) !== 0 && (info.defaultVal?.length ?? 0) === 0) {
      throw new CorruptionError(`table scan: column ${info.columnId} is NOT NULL but missing from the row and has no default`);
    }
    return d;
  }

  /** Index entry of a clustered table: index columns, then the primary key columns of the handle. */
  private decodeIndexRowCommonHandle(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array, infos: readonly ColumnInfo[], handleColumns: number): void {
    const { tableId, encodedValues } = decodeIndexKey(key);
    const indexColumns = infos.length - handleColumns - (infos[infos.length - 1]?.columnId === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID ? 1 : 0);
    if (indexColumns < 0) throw new DomainError('InvalidArgument', 'coprocessor: index scan has fewer columns than its primary key');
    const restored = restoredDataOf(value);
    let p = 0;
    for (let c = 0; c < indexColumns; c++) {
      const info = infos[c]!;
      const d = decodeDatum(encodedValues, p);
      columns[c]!.set(row, keyColumnValue(d.value, this.evalTypes[c]!, info, restored));
      p = d.next;
    }
    const handle = decodeIndexHandle(key, value, indexColumns, true);
    if (handle.kind !== 'common') throw new CorruptionError('index scan: expected a common handle');
    const handleDatums = decodeHandleDatums(handle.encoded, handleColumns);
    for (let k = 0; k < handleColumns; k++) {
      const c = indexColumns + k;
      columns[c]!.set(row, keyColumnValue(handleDatums[k]!, this.evalTypes[c]!, infos[c]!, restored));
    }
    for (let c = indexColumns + handleColumns; c < infos.length; c++) columns[c]!.set(row, tableId);
  }

  private readV2(et: EvalType, info: ColumnInfo): Scalar {
    const r = this.reader;
    const buf = r.row;
    switch (et) {
      case EvalType.Int:
        return ((info.flag ?? 0) & FieldFlag.Unsigned) !== 0 ? decodeV2Uint(buf, r.valueStart, r.valueEnd) : readSmallIntLE(buf, r.valueStart, r.valueEnd);
      case EvalType.Duration:
        return decodeV2Int(buf, r.valueStart, r.valueEnd);
      case EvalType.DateTime:
        return coreTimeFromPacked(decodeV2Uint(buf, r.valueStart, r.valueEnd), info.tp ?? 0, info.decimal ?? 0);
      case EvalType.Real: {
        const f = decodeV2Float(buf, r.valueStart, r.valueEnd);
        return info.tp === MysqlType.Float ? Math.fround(f) : f;
      }
      case EvalType.Decimal:
        return decodeV2Decimal(buf, r.valueStart, r.valueEnd);
      case EvalType.Bytes:
        return buf.subarray(r.valueStart, r.valueEnd);
      default:
        throw new CorruptionError(`table scan: no row v2 reader for ${et}`);
    }
  }

  private decodeIndexRow(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array, infos: readonly ColumnInfo[]): void {
    const { tableId, encodedValues } = decodeIndexKey(key);
    const restored = restoredDataOf(value);
    let p = 0;
    let c = 0;
    for (; c < infos.length; c++) {
      const info = infos[c]!;
      const id = info.columnId ?? 0n;
      if (info.pkHandle === true || id === EXTRA_HANDLE_COLUMN_ID || id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) break;
      if (p >= encodedValues.length) throw new CorruptionError('index scan: key has fewer columns than the index');
      const d = decodeDatum(encodedValues, p);
      columns[c]!.set(row, keyColumnValue(d.value, this.evalTypes[c]!, info, restored));
      p = d.next;
    }
    const indexColumns = c;
    for (; c < infos.length; c++) {
      const id = infos[c]!.columnId ?? 0n;
      if (id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) {
        columns[c]!.set(row, tableId);
        continue;
      }
      const handle = decodeIndexHandle(key, value, indexColumns, false);
      if (handle.kind !== 'int') throw new CorruptionError('index scan: expected an int handle');
      columns[c]!.set(row, handle.value);
    }
  }
}

/** The first `count` datums of an encoded common handle. */
function decodeHandleDatums(encoded: Uint8Array, count: number): Datum[] {
  const out: Datum[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p >= encoded.length) throw new CorruptionError('common handle has fewer columns than the primary key');
    const d = decodeDatum(encoded, p);
    out.push(d.value);
    p = d.next;
  }
  return out;
}

/**
 * A column value taken from a key datum. Under the new collation framework a string key holds
 * the collation's sort key, which equals the original bytes only for binary-like collations;
 * other collations need TiDB's restored data, which is not read yet, so they are refused
 * rather than answered with sort-key bytes.
 */
function keyColumnValue(d: Datum, et: EvalType, info: ColumnInfo, restored: RestoredData = NO_RESTORED_DATA): Scalar {
  if (et === EvalType.Bytes && d.kind === 'bytes') {
    const collation = info.collation ?? 0;
    if (collation >= 0 || collation === -63 || collation === -309) return d.value;
    if (PAD_SPACE_BIN_COLLATIONS.has(-collation)) {
      // The key lost trailing spaces; restored data (if any) says how many there were.
      const spaces = restored.trailingSpaces(info.columnId ?? 0n);
      if (spaces === 0) return d.value;
      const out = new Uint8Array(d.value.length + spaces).fill(0x20);
      out.set(d.value);
      return out;
    }
    throw new DomainError('NotImplemented', `coprocessor: column ${info.columnId} with collation ${collation} needs restored data from the index/row value, which is not supported yet`);
  }
  return datumToScalar(d, et, info.tp ?? 0, info.decimal ?? 0);
}

/** `_bin` collations with PAD SPACE whose index values restore only trailing spaces. */
const PAD_SPACE_BIN_COLLATIONS = new Set([46, 83, 47, 65]);

/** Restored column data of an index value (row v2), looked up lazily. */
interface RestoredData {
  trailingSpaces(columnId: bigint): number;
}

const NO_RESTORED_DATA: RestoredData = { trailingSpaces: () => 0 };

function restoredDataOf(value: Uint8Array): RestoredData {
  if (value.length <= 9) return NO_RESTORED_DATA;
  const restored = decodeIndexValue(value).restoredData;
  if (restored === null) return NO_RESTORED_DATA;
  const reader = new RowV2Decoder(restored);
  return {
    trailingSpaces: (columnId) => {
      const v = columnId >= 0n && columnId <= 0xffff_ffffn ? reader.readUint(Number(columnId)) : undefined;
      return v === null || v === undefined ? 0 : Number(v);
    },
  };
}

/** Comparable (sign-flipped big-endian) int64 at `at`, read byte-wise (no DataView per key). */
function readComparableI64(b: Uint8Array, at: number): bigint {
  const hi = ((b[at]! ^ 0x80) * 0x1000000 + (b[at + 1]! << 16 | b[at + 2]! << 8 | b[at + 3]!)) | 0;
  const lo = (b[at + 4]! * 0x1000000 + (b[at + 5]! << 16 | b[at + 6]! << 8 | b[at + 7]!));
  if (hi === 0 || hi === -1) {
    // |value| < 2^32 (or small negative): stay in doubles.
    const v = hi * 4294967296 + lo;
    if (Number.isSafeInteger(v)) return BigInt(v);
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Row v2 signed int: 1/2/4 bytes as doubles, 8 bytes through the codec. */
function readSmallIntLE(b: Uint8Array, start: number, end: number): bigint {
  switch (end - start) {
    case 1:
      return BigInt((b[start]! << 24) >> 24);
    case 2:
      return BigInt(((b[start]! | (b[start + 1]! << 8)) << 16) >> 16);
    case 4:
      return BigInt(b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24));
    default:
      return decodeV2Int(b, start, end);
  }
}

function trim(v: Vector, n: number): Vector {
  const rows = identityRows(n);
  return v.gather(rows, n);
}

/** The FieldType a scanned column presents to expressions. */
export function columnFieldType(c: ColumnInfo): FieldType {
  return { tp: c.tp ?? 0, flag: c.flag ?? 0, flen: c.columnLen ?? 0, decimal: c.decimal ?? 0, collate: c.collation ?? 0, elems: c.elems ?? [] };
}

/** Wraps an error thrown by the ScanSource so that DAG error mapping leaves it alone. */
export class ScanSourceError extends Error {
  override name = 'ScanSourceError';
  constructor(readonly sourceError: unknown) {
    super(sourceError instanceof Error ? sourceError.message : String(sourceError));
  }
}
