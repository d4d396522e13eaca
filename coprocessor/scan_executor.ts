import { decodeI64Comparable } from '../src/codec/mod.ts';
import { CorruptionError, DomainError, concatBytes } from '../src/util/mod.ts';
import { type Batch, type BatchExecutor, type BatchResult, newStats, identityRows } from './batch_executor.ts';
import type { ColumnInfo, FieldType, KeyRange } from './dag_types.ts';
import { decodeDatumAs } from './datum.ts';
import { EvalType, FieldFlag, evalTypeOfTp } from './field_type.ts';
import { RowReader, decodeV2Value } from './row_reader.ts';
import type { ScanCursor, ScanSource } from './scan_source.ts';
import { Vector } from './vector.ts';

/** Column id TiDB uses for the hidden int row handle (`_tidb_rowid`). */
export const EXTRA_HANDLE_COLUMN_ID = -1n;
/** Column id filled with the physical table id taken from the key. */
export const EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID = -3n;

/** How the scan turns one (key, value) pair into column values. */
export type ScanKind =
  | { kind: 'table'; columns: readonly ColumnInfo[] }
  | { kind: 'index'; columns: readonly ColumnInfo[]; unique: boolean };

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
  private readonly reader = new RowReader();
  private readonly defaults: (bigint | number | Uint8Array | null)[];
  private drained = false;
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
      if (et === undefined || et === EvalType.Decimal || et === EvalType.Json || et === EvalType.Enum) {
        throw new DomainError('NotImplemented', `coprocessor: column ${c.columnId} of MySQL type ${c.tp} is not supported yet`);
      }
      return et;
    });
    this.defaults = scan.columns.map((c, i) => {
      const dv = c.defaultVal;
      if (dv === undefined || dv === null || dv.length === 0) return null;
      return decodeDatumAs(dv, 0, this.evalTypes[i]!).value;
    });
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    const n = Math.min(Math.max(1, scanRowsHint), SCAN_PAIRS_PER_PULL_MAX);
    const columns = this.evalTypes.map((et) => Vector.allocate(et, n));
    let count = 0;
    while (!this.drained && count < n) {
      const chunk = await this.cursor.next(n - count);
      for (let i = 0; i < chunk.keys.length; i++) {
        this.decodeInto(columns, count, chunk.keys[i]!, chunk.values[i]!);
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
    if (this.scan.kind === 'table') this.decodeTableRow(columns, row, key, value, this.scan.columns);
    else this.decodeIndexRow(columns, row, key, value, this.scan.columns);
  }

  private decodeTableRow(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array, infos: readonly ColumnInfo[]): void {
    if (key.length !== 19 || key[0] !== 0x74 || key[9] !== 0x5f || key[10] !== 0x72) {
      throw new CorruptionError('table scan: not an int-handle record key');
    }
    this.reader.reset(value);
    for (let c = 0; c < infos.length; c++) {
      const info = infos[c]!;
      const id = info.columnId ?? 0n;
      if (info.pkHandle === true || id === EXTRA_HANDLE_COLUMN_ID) {
        columns[c]!.set(row, decodeI64Comparable(key, 11));
        continue;
      }
      if (id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) {
        columns[c]!.set(row, decodeI64Comparable(key, 1));
        continue;
      }
      const slot = this.reader.find(id);
      if (slot.kind === 'value') {
        const v = this.reader.isV1
          ? decodeDatumAs(slot.bytes, 0, this.evalTypes[c]!).value
          : decodeV2Value(slot.bytes, info.tp ?? 0, ((info.flag ?? 0) & FieldFlag.Unsigned) !== 0, this.evalTypes[c]!);
        columns[c]!.set(row, v);
      } else if (slot.kind === 'null') {
        columns[c]!.set(row, null);
      } else {
        const d = this.defaults[c]!;
        if (d === null && ((info.flag ?? 0) & FieldFlag.NotNull) !== 0 && (info.defaultVal?.length ?? 0) === 0) {
          throw new CorruptionError(`table scan: column ${id} is NOT NULL but missing from the row and has no default`);
        }
        columns[c]!.set(row, d);
      }
    }
  }

  private decodeIndexRow(columns: Vector[], row: number, key: Uint8Array, value: Uint8Array, infos: readonly ColumnInfo[]): void {
    if (key.length < 19 || key[0] !== 0x74 || key[9] !== 0x5f || key[10] !== 0x69) {
      throw new CorruptionError('index scan: not an index key');
    }
    let p = 19;
    let c = 0;
    for (; c < infos.length; c++) {
      const info = infos[c]!;
      const id = info.columnId ?? 0n;
      const isHandle = info.pkHandle === true || id === EXTRA_HANDLE_COLUMN_ID;
      if (isHandle || p >= key.length) break;
      const d = decodeDatumAs(key, p, this.evalTypes[c]!);
      columns[c]!.set(row, d.value);
      p = d.next;
    }
    if (c >= infos.length) return;
    // Remaining column is the int handle: in the key (non-unique, or unique with NULL) or the value.
    let handle: bigint;
    if (p < key.length) {
      handle = decodeDatumAs(key, p, EvalType.Int).value as bigint;
    } else if (value.length >= 8 && value.length <= 9) {
      handle = new DataView(value.buffer, value.byteOffset, value.byteLength).getBigInt64(0);
    } else if (value.length >= 10) {
      const tailLen = value[0]!;
      if (tailLen < 8 || tailLen > value.length - 1) throw new CorruptionError('index scan: handle missing from index value');
      const at = value.length - tailLen;
      handle = new DataView(value.buffer, value.byteOffset, value.byteLength).getBigInt64(at);
    } else {
      throw new CorruptionError('index scan: cannot find the handle in the index key or value');
    }
    columns[c]!.set(row, handle);
    for (c++; c < infos.length; c++) {
      const id = infos[c]!.columnId ?? 0n;
      if (id === EXTRA_PHYSICAL_TABLE_ID_COLUMN_ID) columns[c]!.set(row, decodeI64Comparable(key, 1));
      else throw new DomainError('NotImplemented', `index scan: column ${id} after the handle is not supported`);
    }
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
