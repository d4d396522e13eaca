import { ColumnFlag, MysqlType } from '../tidb_codec.ts';
import type { FieldType } from './column_type.ts';

/** Result types of expressions (what the protocol reports in column definitions). */
export const FT = {
  longlong: (unsigned = false): FieldType => ({ tp: MysqlType.Longlong, flag: (unsigned ? ColumnFlag.Unsigned : 0) | ColumnFlag.Binary, flen: 21, decimal: 0, sqlName: 'bigint' }),
  double: (): FieldType => ({ tp: MysqlType.Double, flag: ColumnFlag.Binary, flen: 22, decimal: 31, sqlName: 'double' }),
  decimal: (flen: number, decimal: number): FieldType => ({ tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: Math.min(65, flen), decimal: Math.min(30, decimal), sqlName: `decimal(${flen},${decimal})` }),
  varchar: (flen = 255): FieldType => ({ tp: MysqlType.VarString, flag: 0, flen, decimal: 31, sqlName: `varchar(${flen})` }),
  varbinary: (flen = 255): FieldType => ({ tp: MysqlType.VarString, flag: ColumnFlag.Binary, flen, decimal: 31, sqlName: `varbinary(${flen})` }),
  datetime: (fsp = 0): FieldType => ({ tp: MysqlType.Datetime, flag: ColumnFlag.Binary, flen: 19, decimal: fsp, sqlName: 'datetime' }),
  date: (): FieldType => ({ tp: MysqlType.Date, flag: ColumnFlag.Binary, flen: 10, decimal: 0, sqlName: 'date' }),
  time: (fsp = 0): FieldType => ({ tp: MysqlType.Duration, flag: ColumnFlag.Binary, flen: 10, decimal: fsp, sqlName: 'time' }),
  null: (): FieldType => ({ tp: MysqlType.Null, flag: ColumnFlag.Binary, flen: 0, decimal: 0, sqlName: 'null' }),
};
