import type { FieldType } from './dag_types.ts';
import { EvalType, MysqlType, evalTypeOfTp, isUnsigned } from './field_type.ts';
import type { Vector } from './vector.ts';

/** One output column of a batch: its physical vector, field type, and the rows to emit. */
export interface OutputColumn {
  readonly vec: Vector;
  readonly fieldType: FieldType;
}

/** How a column is encoded in every response format, decided once per request. */
export interface OutputColumnKind {
  evalType: EvalType;
  unsigned: boolean;
  isFloat32: boolean;
  isTimestamp: boolean;
  tp: number;
  fsp: number;
}

export function outputColumnKind(ft: FieldType): OutputColumnKind {
  const tp = ft.tp ?? 0;
  return {
    evalType: evalTypeOfTp(tp)!,
    unsigned: isUnsigned(ft),
    isFloat32: tp === MysqlType.Float,
    isTimestamp: tp === MysqlType.Timestamp,
    tp,
    fsp: ft.decimal ?? 0,
  };
}
