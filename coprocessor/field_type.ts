import type { FieldType } from './dag_types.ts';

/** MySQL type codes (FieldType.tp / ColumnInfo.tp) the coprocessor distinguishes. */
export const MysqlType = {
  Decimal: 0,
  Tiny: 1,
  Short: 2,
  Long: 3,
  Float: 4,
  Double: 5,
  Null: 6,
  Timestamp: 7,
  LongLong: 8,
  Int24: 9,
  Date: 10,
  Duration: 11,
  Datetime: 12,
  Year: 13,
  NewDate: 14,
  Varchar: 15,
  Bit: 16,
  Json: 245,
  NewDecimal: 246,
  Enum: 247,
  Set: 248,
  TinyBlob: 249,
  MediumBlob: 250,
  LongBlob: 251,
  Blob: 252,
  VarString: 253,
  String: 254,
  Geometry: 255,
} as const;

/** MySQL column flag bits used here. */
export const FieldFlag = {
  NotNull: 1,
  Unsigned: 32,
  Binary: 128,
} as const;

/**
 * How a value is represented while evaluating (TiKV's EvalType). `Int` also carries YEAR and
 * unsigned (bit pattern in a BigInt64Array, signedness from the FieldType's UNSIGNED flag);
 * `DateTime` is TiDB's CoreTime u64 (compare with the low 4 fspTt bits dropped);
 * `Duration` is nanoseconds; `Decimal` the codec's exact `Decimal`.
 */
export enum EvalType {
  Int = 'Int',
  Real = 'Real',
  Decimal = 'Decimal',
  Bytes = 'Bytes',
  DateTime = 'DateTime',
  Duration = 'Duration',
  Json = 'Json',
  Enum = 'Enum',
}

/** Maps a MySQL type code to its eval type, or `undefined` for types with none (SET, GEOMETRY...). */
export function evalTypeOfTp(tp: number): EvalType | undefined {
  switch (tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.LongLong:
    case MysqlType.Year:
    case MysqlType.Bit:
      return EvalType.Int;
    case MysqlType.Float:
    case MysqlType.Double:
      return EvalType.Real;
    case MysqlType.NewDecimal:
    case MysqlType.Decimal:
      return EvalType.Decimal;
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
    case MysqlType.NewDate:
      return EvalType.DateTime;
    case MysqlType.Duration:
      return EvalType.Duration;
    case MysqlType.Json:
      return EvalType.Json;
    case MysqlType.Enum:
      return EvalType.Enum;
    case MysqlType.Varchar:
    case MysqlType.VarString:
    case MysqlType.String:
    case MysqlType.TinyBlob:
    case MysqlType.MediumBlob:
    case MysqlType.LongBlob:
    case MysqlType.Blob:
    case MysqlType.Null:
      return EvalType.Bytes;
    default:
      return undefined;
  }
}

/** True when the UNSIGNED flag is set. */
export function isUnsigned(ft: FieldType | null | undefined): boolean {
  return ((ft?.flag ?? 0) & FieldFlag.Unsigned) !== 0;
}

/** A BIGINT UNSIGNED field type (COUNT's and the bit aggregates' partial result type). */
export const UNSIGNED_BIGINT: FieldType = { tp: MysqlType.LongLong, flag: FieldFlag.Unsigned | FieldFlag.NotNull, flen: 20 };
