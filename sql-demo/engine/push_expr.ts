import { ByteWriter, ColumnFlag, Decimal, MysqlType, writeFloatComparable } from '../tidb_codec.ts';
import type { Expr } from '../parser/mod.ts';
import { isBinaryString } from './column_type.ts';
import type { Compiled } from './expr.ts';
import type { Value } from './value.ts';

/** tipb.ExprType values we emit. */
const ExprTp = { Int64: 1, Float64: 4, String: 5, MysqlDecimal: 102, ColumnRef: 201, ScalarFunc: 10000 } as const;

/** utf8mb4_bin (PAD SPACE) under the new collation framework (negative id, as TiDB sends it). */
const COLLATION_UTF8MB4_BIN = -46;

/** Comparison classes with their ScalarFuncSig offset (LT = 100 + k, LE = 110 + k, ...). */
type CmpClass = 'int' | 'real' | 'decimal' | 'string';
const CLASS_OFFSET: Record<CmpClass, number> = { int: 0, real: 1, decimal: 2, string: 3 };
const CMP_BASE: Partial<Record<string, number>> = { '<': 100, '<=': 110, '>': 120, '>=': 130, '=': 140, '<>': 150, '<=>': 160 };
const IS_NULL_SIG: Record<CmpClass, number> = { int: 3116, real: 3113, decimal: 3111, string: 3114 };
const SIG = { LogicalAnd: 3101, LogicalOr: 3102, UnaryNotInt: 3104 } as const;

/** tipb.FieldType as the wire runtime takes it. */
export interface WireFieldType {
  tp: number;
  flag: number;
  flen: number;
  decimal: number;
  collate: number;
}

/** A tipb.Expr as the wire runtime takes it (camelCase fields of `tipb.Expr`). */
export interface WireExpr {
  tp: number;
  val?: Uint8Array;
  sig?: number;
  children?: WireExpr[];
  fieldType: WireFieldType;
}

const LONGLONG: WireFieldType = { tp: MysqlType.Longlong, flag: ColumnFlag.Binary, flen: 21, decimal: 0, collate: 63 };

function i64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v) ^ (1n << 63n));
  return b;
}

/** The comparison class of a column or constant, or undefined when we do not push it. */
function classOf(c: Compiled): CmpClass | undefined {
  const ft = c.ft;
  switch (ft.tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.Longlong:
      return (ft.flag & ColumnFlag.Unsigned) !== 0 ? undefined : 'int';
    case MysqlType.Double:
      return 'real';
    case MysqlType.NewDecimal:
      return 'decimal';
    case MysqlType.VarString:
    case MysqlType.Varchar:
    case MysqlType.String:
      return isBinaryString(ft) ? undefined : 'string';
    default:
      return undefined;
  }
}

function wireFt(ft: Compiled['ft'], cls: CmpClass): WireFieldType {
  return { tp: ft.tp, flag: ft.flag, flen: ft.flen, decimal: Math.max(0, ft.decimal), collate: cls === 'string' ? COLLATION_UTF8MB4_BIN : 63 };
}

/** A constant of class `cls` (converted exactly), or undefined. */
function constant(v: Value, cls: CmpClass): WireExpr | undefined {
  if (v === null) return undefined;
  switch (cls) {
    case 'int':
      return typeof v === 'bigint' && v >= -(1n << 63n) && v < 1n << 63n ? { tp: ExprTp.Int64, val: i64(v), fieldType: LONGLONG } : undefined;
    case 'real': {
      if (typeof v !== 'number' && typeof v !== 'bigint') return undefined;
      const f = Number(v);
      if (typeof v === 'bigint' && BigInt(f) !== v) return undefined;
      const w = new ByteWriter();
      writeFloatComparable(w, f);
      return { tp: ExprTp.Float64, val: w.finish(), fieldType: { tp: MysqlType.Double, flag: ColumnFlag.Binary, flen: 22, decimal: 31, collate: 63 } };
    }
    case 'decimal': {
      let d: Decimal;
      if (v instanceof Decimal) d = v;
      else if (typeof v === 'bigint') d = Decimal.fromBigInt(v);
      else return undefined;
      const prec = Math.max(d.precision, d.frac, 1);
      if (prec > 65) return undefined;
      const val = new Uint8Array(2 + Decimal.binSize(prec, d.frac));
      val[0] = prec;
      val[1] = d.frac;
      val.set(d.toBin(prec, d.frac), 2);
      return { tp: ExprTp.MysqlDecimal, val, fieldType: { tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: prec, decimal: d.frac, collate: 63 } };
    }
    case 'string':
      return typeof v === 'string' ? { tp: ExprTp.String, val: new TextEncoder().encode(v), fieldType: { tp: MysqlType.VarString, flag: 0, flen: v.length, decimal: 0, collate: COLLATION_UTF8MB4_BIN } } : undefined;
  }
}

/** One comparison operand: a scan column (kept with its class) or a constant (class decided by the other side). */
type Operand = { kind: 'col'; expr: WireExpr; cls: CmpClass } | { kind: 'const'; value: Value };

function operand(e: Expr, compile: (e: Expr) => Compiled): Operand | undefined {
  // Only leaves are compiled (compiling a subquery would register it with the planner again).
  if (e.kind !== 'col' && e.kind !== 'lit' && e.kind !== 'param' && !(e.kind === 'unary' && e.op === '-' && e.arg.kind === 'lit')) return undefined;
  const c = compile(e);
  if (c.columnIndex !== undefined && e.kind === 'col') {
    const cls = classOf(c);
    if (cls === undefined) return undefined;
    return { kind: 'col', expr: { tp: ExprTp.ColumnRef, val: i64(BigInt(c.columnIndex)), fieldType: wireFt(c.ft, cls) }, cls };
  }
  if (e.kind === 'col') return undefined;
  return c.constant ? { kind: 'const', value: c.eval([]) } : undefined;
}

function comparison(op: string, l: Expr, r: Expr, compile: (e: Expr) => Compiled): WireExpr | undefined {
  const base = CMP_BASE[op];
  if (base === undefined) return undefined;
  const a = operand(l, compile);
  const b = operand(r, compile);
  if (a === undefined || b === undefined) return undefined;
  let cls: CmpClass;
  if (a.kind === 'col' && b.kind === 'col') {
    if (a.cls !== b.cls) return undefined;
    cls = a.cls;
  } else if (a.kind === 'col') cls = a.cls;
  else if (b.kind === 'col') cls = b.cls;
  else return undefined;
  const side = (o: Operand): WireExpr | undefined => (o.kind === 'col' ? o.expr : constant(o.value, cls));
  const x = side(a);
  const y = side(b);
  if (x === undefined || y === undefined) return undefined;
  // The coprocessor takes a comparison's collation from the function's own field type (as TiDB sets it).
  const fieldType = cls === 'string' ? { ...LONGLONG, collate: COLLATION_UTF8MB4_BIN } : LONGLONG;
  return { tp: ExprTp.ScalarFunc, sig: base + CLASS_OFFSET[cls], children: [x, y], fieldType };
}

/**
 * The tipb expression of a WHERE condition over a table scan's columns, or undefined when
 * any part is outside what we push: comparisons (`< <= > >= = <> <=>`, BETWEEN) between a
 * column and a constant or two columns of the same class (signed int, DOUBLE, DECIMAL,
 * non-binary string), IS [NOT] NULL of such a column, AND / OR / NOT of those. Constants
 * are converted to the column's class only when exact (an int constant for a DECIMAL or
 * DOUBLE column); anything needing an implicit cast stays at the root, so both sides
 * always agree with the root evaluator.
 */
export function toPushExpr(e: Expr, compile: (e: Expr) => Compiled): WireExpr | undefined {
  switch (e.kind) {
    case 'binary': {
      if (e.op === 'and' || e.op === 'or') {
        const l = toPushExpr(e.left, compile);
        const r = toPushExpr(e.right, compile);
        if (l === undefined || r === undefined) return undefined;
        return { tp: ExprTp.ScalarFunc, sig: e.op === 'and' ? SIG.LogicalAnd : SIG.LogicalOr, children: [l, r], fieldType: LONGLONG };
      }
      return comparison(e.op, e.left, e.right, compile);
    }
    case 'unary': {
      if (e.op !== 'not') return undefined;
      const a = toPushExpr(e.arg, compile);
      return a === undefined ? undefined : { tp: ExprTp.ScalarFunc, sig: SIG.UnaryNotInt, children: [a], fieldType: LONGLONG };
    }
    case 'between': {
      const lo = comparison('>=', e.arg, e.lo, compile);
      const hi = comparison('<=', e.arg, e.hi, compile);
      if (lo === undefined || hi === undefined) return undefined;
      const both: WireExpr = { tp: ExprTp.ScalarFunc, sig: SIG.LogicalAnd, children: [lo, hi], fieldType: LONGLONG };
      return e.not ? { tp: ExprTp.ScalarFunc, sig: SIG.UnaryNotInt, children: [both], fieldType: LONGLONG } : both;
    }
    case 'is': {
      if (e.what !== 'null') return undefined;
      const a = operand(e.arg, compile);
      if (a === undefined || a.kind !== 'col') return undefined;
      const isNull: WireExpr = { tp: ExprTp.ScalarFunc, sig: IS_NULL_SIG[a.cls], children: [a.expr], fieldType: LONGLONG };
      return e.not ? { tp: ExprTp.ScalarFunc, sig: SIG.UnaryNotInt, children: [isNull], fieldType: LONGLONG } : isNull;
    }
    default:
      return undefined;
  }
}
