/**
 * MySQL column type codes and column flags as TiDB sends them in `tipb.FieldType.tp` /
 * `ColumnInfo.tp` and `.flag` (coprocessor.md §7.1, §7.2).
 */
export const MysqlType = {
  Unspecified: 0,
  Tiny: 1,
  Short: 2,
  Long: 3,
  Float: 4,
  Double: 5,
  Null: 6,
  Timestamp: 7,
  Longlong: 8,
  Int24: 9,
  Date: 10,
  Duration: 11,
  Datetime: 12,
  Year: 13,
  NewDate: 14,
  Varchar: 15,
  Bit: 16,
  TiDBVectorFloat32: 0xe1,
  JSON: 0xf5,
  NewDecimal: 0xf6,
  Enum: 0xf7,
  Set: 0xf8,
  TinyBlob: 0xf9,
  MediumBlob: 0xfa,
  LongBlob: 0xfb,
  Blob: 0xfc,
  VarString: 0xfd,
  String: 0xfe,
  Geometry: 0xff,
} as const;

export type MysqlTypeCode = (typeof MysqlType)[keyof typeof MysqlType];

/** Column flags (`mysql.*Flag`). */
export const ColumnFlag = {
  NotNull: 1,
  PriKey: 2,
  UniqueKey: 4,
  MultipleKey: 8,
  Blob: 16,
  Unsigned: 32,
  Zerofill: 64,
  Binary: 128,
  Enum: 256,
  AutoIncrement: 512,
  Timestamp: 1024,
  Set: 2048,
  NoDefaultValue: 4096,
  OnUpdateNow: 8192,
  PartKey: 16384,
  Num: 32768,
} as const;

/** True for the integer-like types stored as int64/uint64 (YEAR included, BIT excluded). */
export function isIntegerType(tp: number): boolean {
  return tp === MysqlType.Tiny || tp === MysqlType.Short || tp === MysqlType.Int24 || tp === MysqlType.Long || tp === MysqlType.Longlong || tp === MysqlType.Year;
}

/** True for DATE/DATETIME/TIMESTAMP (and the legacy NEWDATE). */
export function isTimeType(tp: number): boolean {
  return tp === MysqlType.Date || tp === MysqlType.Datetime || tp === MysqlType.Timestamp || tp === MysqlType.NewDate;
}

/** True for the byte-string types (CHAR/VARCHAR/BINARY/BLOB/TEXT). */
export function isStringType(tp: number): boolean {
  return (
    tp === MysqlType.Varchar ||
    tp === MysqlType.VarString ||
    tp === MysqlType.String ||
    tp === MysqlType.TinyBlob ||
    tp === MysqlType.MediumBlob ||
    tp === MysqlType.LongBlob ||
    tp === MysqlType.Blob
  );
}
