import { currentTimeZone } from './time_zone.ts';
import { ByteWriter, ColumnFlag, coreTimeFsp, coreTimeToPacked, coreTimeType, Decimal, MysqlType, writeFloatComparable } from '../tidb_codec.ts';
import type { Expr } from '../parser/mod.ts';
import { isBinaryString, isStringTp, isUnsigned, type FieldType } from './column_type.ts';
import type { Compiled } from './expr.ts';
import { castToTime, SqlDuration, SqlTime, toFloat, type Value } from './value.ts';

/** tipb.ExprType values we emit. */
const ExprTp = { Int64: 1, Uint64: 2, Float64: 4, String: 5, MysqlDecimal: 102, MysqlDuration: 103, MysqlTime: 107, ColumnRef: 201, ScalarFunc: 10000 } as const;

/** utf8mb4_bin (PAD SPACE) under the new collation framework (negative id, as TiDB sends it). */
const COLLATION_UTF8MB4_BIN = -46;
const COLLATION_BINARY = -63;

/** The coprocessor's evaluation classes (tipb EvalType) of the values we push. */
export type EvalClass = 'int' | 'real' | 'decimal' | 'string' | 'time' | 'duration';

/** Signature offset per class in the comparison / IN / IF / IS NULL families. */
const CMP_OFFSET: Record<EvalClass, number> = { int: 0, real: 1, decimal: 2, string: 3, time: 4, duration: 5 };
const CMP_BASE: Partial<Record<string, number>> = { '<': 100, '<=': 110, '>': 120, '>=': 130, '=': 140, '<>': 150, '!=': 150, '<=>': 160 };
const IS_NULL_SIG: Record<EvalClass, number> = { int: 3116, real: 3113, decimal: 3111, string: 3114, time: 3115, duration: 3112 };
const IS_TRUE_SIG: Partial<Record<EvalClass, [number, number]>> = { int: [3122, 3125], real: [3123, 3126], decimal: [3124, 3127] };
/** In{Int,Real,Decimal,String,Time,Duration} = 4001 + offset; IfNull 4101+, If 4107+, Coalesce 4201+, CaseWhen 4208+. */
const FAMILY_BASE = { in: 4001, ifNull: 4101, if: 4107, coalesce: 4201, caseWhen: 4208 } as const;
type ArithOp = '+' | '-' | '*' | '/' | 'div' | '%';
const ARITH: Record<ArithOp, Partial<Record<EvalClass, number>>> = {
  '+': { real: 200, decimal: 201, int: 203 },
  '-': { real: 204, decimal: 205, int: 207 },
  '*': { real: 208, decimal: 209, int: 210 },
  '/': { real: 211, decimal: 212 },
  div: { int: 213 },
  '%': { real: 215, decimal: 216, int: 217 },
};
const MULTIPLY_INT_UNSIGNED = 218;
const UNARY_MINUS: Partial<Record<EvalClass, number>> = { int: 3108, real: 3109, decimal: 3110 };
const CAST = { intAsReal: 2, intAsDecimal: 4, decimalAsReal: 21 } as const;
const SIG = { LogicalAnd: 3101, LogicalOr: 3102, LogicalXor: 3103, UnaryNotInt: 3104, LikeSig: 4310 } as const;
/**
 * Functions whose root evaluation equals the coprocessor's for arguments of one class:
 * YEAR/MONTH/DAY of DATE/DATETIME/TIMESTAMP values (fields as stored), LENGTH (bytes),
 * CHAR_LENGTH (characters), CONCAT of strings.
 */
const SIMPLE_FUNCS: Partial<Record<string, { sig: number; arg: EvalClass; variadic?: boolean }>> = {
  year: { sig: 6029, arg: 'time' },
  month: { sig: 6017, arg: 'time' },
  day: { sig: 6022, arg: 'time' },
  dayofmonth: { sig: 6022, arg: 'time' },
  length: { sig: 7029, arg: 'string' },
  octet_length: { sig: 7029, arg: 'string' },
  char_length: { sig: 7005, arg: 'string' },
  character_length: { sig: 7005, arg: 'string' },
  concat: { sig: 7006, arg: 'string', variadic: true },
};
/** MySQL keeps at most 30 fractional digits in a DECIMAL result. */
const DECIMAL_FRAC_MAX = 30;

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

/** A pushed scalar: its tipb form, the SQL layer's own type of it, and its class. */
export interface PushScalar {
  readonly expr: WireExpr;
  readonly ft: FieldType;
  readonly cls: EvalClass;
}

const LONGLONG: WireFieldType = { tp: MysqlType.Longlong, flag: ColumnFlag.Binary, flen: 21, decimal: 0, collate: COLLATION_BINARY };

/** The int64 value bytes tipb uses for Int64 constants and column offsets (comparable encoding). */
export function i64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v) ^ (1n << 63n));
  return b;
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v));
  return b;
}

/** Class of a SQL-layer field type, or undefined when no pushed evaluation matches ours. */
export function evalClassOf(ft: FieldType): EvalClass | undefined {
  switch (ft.tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.Longlong:
    case MysqlType.Year:
      return 'int';
    case MysqlType.Double:
      return 'real';
    case MysqlType.NewDecimal:
      return 'decimal';
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
      return 'time';
    case MysqlType.Duration:
      return 'duration';
    default:
      // Binary strings compare as bytes here but the root holds them as Uint8Array; not pushed.
      return isStringTp(ft.tp) && !isBinaryString(ft) ? 'string' : undefined;
  }
}

/** The tipb field type of a SQL-layer field type (strings under utf8mb4_bin). */
export function wireFieldType(ft: FieldType): WireFieldType {
  return { tp: ft.tp, flag: ft.flag, flen: ft.flen, decimal: Math.max(0, ft.decimal), collate: isStringTp(ft.tp) && !isBinaryString(ft) ? COLLATION_UTF8MB4_BIN : COLLATION_BINARY };
}

/** A reference to column `index` of the executor below. */
export function columnRef(index: number, ft: FieldType): WireExpr {
  return { tp: ExprTp.ColumnRef, val: i64(BigInt(index)), fieldType: wireFieldType(ft) };
}

/** A copy of `w` whose column references go through `map` (scan pruning renumbers columns). */
export function remapColumns(w: WireExpr, map: (index: number) => number): WireExpr {
  if (w.tp === ExprTp.ColumnRef) {
    const idx = Number(BigInt.asIntN(64, new DataView(w.val!.buffer, w.val!.byteOffset, 8).getBigUint64(0) ^ (1n << 63n)));
    return { ...w, val: i64(BigInt(map(idx))) };
  }
  return w.children === undefined ? w : { ...w, children: w.children.map((c) => remapColumns(c, map)) };
}

/** Column indexes `w` reads. */
export function columnsOf(w: WireExpr, out: Set<number>): Set<number> {
  if (w.tp === ExprTp.ColumnRef) out.add(Number(BigInt.asIntN(64, new DataView(w.val!.buffer, w.val!.byteOffset, 8).getBigUint64(0) ^ (1n << 63n))));
  w.children?.forEach((c) => columnsOf(c, out));
  return out;
}

function func(sig: number, children: WireExpr[], fieldType: WireFieldType = LONGLONG): WireExpr {
  return { tp: ExprTp.ScalarFunc, sig, children, fieldType };
}

/** A constant of class `cls` holding `v` converted exactly, or undefined. */
function constant(v: Value, cls: EvalClass, like?: FieldType): PushScalar | undefined {
  if (v === null) return undefined;
  switch (cls) {
    case 'int': {
      if (typeof v !== 'bigint') return undefined;
      if (v >= -(1n << 63n) && v < 1n << 63n) return { expr: { tp: ExprTp.Int64, val: i64(v), fieldType: LONGLONG }, ft: { tp: MysqlType.Longlong, flag: ColumnFlag.Binary, flen: 21, decimal: 0, sqlName: 'bigint' }, cls };
      if (v >= 0n && v < 1n << 64n) {
        const ft = { tp: MysqlType.Longlong, flag: ColumnFlag.Binary | ColumnFlag.Unsigned, flen: 21, decimal: 0, sqlName: 'bigint unsigned' };
        return { expr: { tp: ExprTp.Uint64, val: u64(v), fieldType: wireFieldType(ft) }, ft, cls };
      }
      return undefined;
    }
    case 'real': {
      // The root compares and computes a number against a double as doubles (toFloat): same here.
      if (typeof v !== 'number' && typeof v !== 'bigint' && !(v instanceof Decimal)) return undefined;
      const f = toFloat(v);
      const w = new ByteWriter();
      writeFloatComparable(w, f);
      const ft = { tp: MysqlType.Double, flag: ColumnFlag.Binary, flen: 22, decimal: -1, sqlName: 'double' };
      return { expr: { tp: ExprTp.Float64, val: w.finish(), fieldType: wireFieldType(ft) }, ft, cls };
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
      const ft = { tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: prec, decimal: d.frac, sqlName: 'decimal' };
      return { expr: { tp: ExprTp.MysqlDecimal, val, fieldType: wireFieldType(ft) }, ft, cls };
    }
    case 'string': {
      if (typeof v !== 'string') return undefined;
      const ft = { tp: MysqlType.VarString, flag: 0, flen: Math.max(1, [...v].length), decimal: 0, sqlName: 'varchar' };
      return { expr: { tp: ExprTp.String, val: new TextEncoder().encode(v), fieldType: wireFieldType(ft) }, ft, cls };
    }
    case 'time': {
      // A string compared with a time column becomes a time of the column's type (the root
      // converts it the same way, with fsp 6, on every row): TiDB's constant folding.
      let t: SqlTime;
      if (v instanceof SqlTime) t = v;
      else if (typeof v === 'string' && like !== undefined) {
        try {
          t = castToTime(v, like.tp, 6);
        } catch {
          return undefined;
        }
      } else return undefined;
      const ft = { tp: coreTimeType(t.core), flag: ColumnFlag.Binary, flen: 26, decimal: coreTimeFsp(t.core), sqlName: 'datetime' };
      // TIMESTAMP constants travel in UTC, as the stores hold TIMESTAMP (TiDB's pbgen does the same).
      const wire = ft.tp === MysqlType.Timestamp ? currentTimeZone().toUtc(t.core) : t.core;
      return { expr: { tp: ExprTp.MysqlTime, val: u64(coreTimeToPacked(wire)), fieldType: wireFieldType(ft) }, ft, cls };
    }
    case 'duration': {
      if (!(v instanceof SqlDuration)) return undefined;
      const ft = { tp: MysqlType.Duration, flag: ColumnFlag.Binary, flen: 17, decimal: v.fsp, sqlName: 'time' };
      return { expr: { tp: ExprTp.MysqlDuration, val: i64(v.ns), fieldType: wireFieldType(ft) }, ft, cls };
    }
  }
}

/** Expression kinds we translate at all (anything reading subqueries, variables or aggregates is refused up front). */
function shapeOk(e: Expr): boolean {
  switch (e.kind) {
    case 'lit':
    case 'col':
    case 'param':
      return true;
    case 'unary':
    case 'is':
    // CAST only folds (`DATE '1994-01-01'` is a cast of a literal); a CAST of a column stays at the root.
    case 'cast':
      return shapeOk(e.arg);
    case 'binary':
      return shapeOk(e.left) && shapeOk(e.right);
    case 'in':
      return shapeOk(e.arg) && e.list.every(shapeOk);
    case 'between':
      return shapeOk(e.arg) && shapeOk(e.lo) && shapeOk(e.hi);
    case 'like':
      return shapeOk(e.arg) && shapeOk(e.pattern) && (e.escape === undefined || shapeOk(e.escape));
    case 'func':
      return (['if', 'ifnull', 'coalesce'].includes(e.name.toLowerCase()) || SIMPLE_FUNCS[e.name.toLowerCase()] !== undefined) && e.args.every(shapeOk);
    case 'case':
      return (e.operand === undefined || shapeOk(e.operand)) && e.whens.every((w) => shapeOk(w.when) && shapeOk(w.then)) && (e.else === undefined || shapeOk(e.else));
    default:
      return false;
  }
}

/**
 * Translates SQL-layer expressions over one table scan's columns into tipb, keeping the
 * root's semantics exactly: every node's result type is the one `compile` (the root's
 * compiler) infers; constant subtrees are folded at plan time into a constant of the class
 * the other operand needs (a string against a time column becomes a time of that column's
 * type, an int against a DECIMAL column a DECIMAL, ...); int operands of DECIMAL/DOUBLE
 * arithmetic and comparisons get explicit Cast sigs. Whatever has no exact equivalent
 * (FLOAT arithmetic, unsigned arithmetic, mixed string/number comparisons, binary strings,
 * functions, division) returns undefined and stays at the root.
 */
export class PushTranslator {
  constructor(
    private readonly compile: (e: Expr) => Compiled,
    /** Columns [0, width) are the scan's; anything else (outer or joined columns) is refused. */
    private readonly width: number,
    /** Warnings list of the session: a constant fold that warns is not folded. */
    private readonly warnings?: unknown[],
  ) {}

  private compiled(e: Expr): Compiled | undefined {
    try {
      return this.compile(e);
    } catch {
      return undefined;
    }
  }

  /** The constant value of `e` when it is row-independent and evaluates cleanly. */
  private folded(e: Expr, c: Compiled): { v: Value } | undefined {
    if (!c.constant || e.kind === 'col') return undefined;
    const mark = this.warnings?.length ?? 0;
    try {
      const v = c.eval([]);
      if ((this.warnings?.length ?? 0) !== mark) {
        this.warnings!.length = mark;
        return undefined;
      }
      return { v };
    } catch {
      return undefined;
    }
  }

  /** A WHERE-style condition (int result, truthiness as the root's Selection uses it). */
  condition(e: Expr): WireExpr | undefined {
    if (!shapeOk(e)) return undefined;
    const s = this.scalar(e);
    return s !== undefined && s.cls === 'int' ? s.expr : undefined;
  }

  /** Any pushable scalar (aggregate arguments, group keys, TopN keys). */
  value(e: Expr): PushScalar | undefined {
    if (!shapeOk(e)) return undefined;
    // A bare FLOAT column may be returned, counted, compared for MIN/MAX or sorted (float32
    // order is the order of the values the root shows); it is never computed with.
    if (e.kind === 'col') {
      const c = this.compiled(e);
      if (c !== undefined && c.ft.tp === MysqlType.Float && c.columnIndex !== undefined && c.columnIndex < this.width) return { expr: columnRef(c.columnIndex, c.ft), ft: c.ft, cls: 'real' };
    }
    return this.scalar(e);
  }

  private scalar(e: Expr): PushScalar | undefined {
    const c = this.compiled(e);
    if (c === undefined) return undefined;
    if (e.kind === 'col') {
      if (c.columnIndex === undefined || c.columnIndex >= this.width) return undefined;
      const cls = evalClassOf(c.ft);
      return cls === undefined ? undefined : { expr: columnRef(c.columnIndex, c.ft), ft: c.ft, cls };
    }
    const f = this.folded(e, c);
    if (f !== undefined) {
      const cls = evalClassOf(c.ft);
      return cls === undefined ? undefined : constant(f.v, cls, c.ft);
    }
    if (c.constant) return undefined;
    const bool = (expr: WireExpr | undefined): PushScalar | undefined => (expr === undefined ? undefined : { expr, ft: c.ft, cls: 'int' });
    switch (e.kind) {
      case 'binary': {
        if (e.op === 'and' || e.op === 'or' || e.op === 'xor') {
          const l = this.boolArg(e.left);
          const r = this.boolArg(e.right);
          if (l === undefined || r === undefined || (e.op !== 'xor' && mayError(r))) return undefined;
          return bool(func(e.op === 'and' ? SIG.LogicalAnd : e.op === 'or' ? SIG.LogicalOr : SIG.LogicalXor, [l, r]));
        }
        if (CMP_BASE[e.op] !== undefined) return bool(this.comparison(e.op, e.left, e.right));
        if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/' || e.op === 'div' || e.op === '%') return this.arith(e.op, e.left, e.right, c.ft);
        return undefined;
      }
      case 'unary': {
        if (e.op === 'not') {
          const a = this.boolArg(e.arg);
          return bool(a === undefined ? undefined : func(SIG.UnaryNotInt, [a]));
        }
        if (e.op !== '-') return undefined;
        const a = this.scalar(e.arg);
        if (a === undefined || !this.computable(a)) return undefined;
        const sig = UNARY_MINUS[a.cls];
        // The root negates an unsigned value into a signed result; not pushed.
        if (sig === undefined || evalClassOf(c.ft) !== a.cls || (a.cls === 'int' && isUnsigned(a.ft))) return undefined;
        return { expr: func(sig, [a.expr], wireFieldType(c.ft)), ft: c.ft, cls: a.cls };
      }
      case 'between': {
        const lo = this.comparison('>=', e.arg, e.lo);
        const hi = this.comparison('<=', e.arg, e.hi);
        // The root evaluates the upper bound only when the lower one holds.
        if (lo === undefined || hi === undefined || mayError(hi.children![1])) return undefined;
        const both = func(SIG.LogicalAnd, [lo, hi]);
        return bool(e.not ? func(SIG.UnaryNotInt, [both]) : both);
      }
      case 'is': {
        const a = this.scalar(e.arg);
        if (a === undefined) return undefined;
        let test: WireExpr;
        if (e.what === 'null') test = func(IS_NULL_SIG[a.cls], [a.expr]);
        else {
          const sigs = IS_TRUE_SIG[a.cls];
          if (sigs === undefined || !this.computable(a)) return undefined;
          test = func(e.what === 'true' ? sigs[0] : sigs[1], [a.expr]);
        }
        return bool(e.not ? func(SIG.UnaryNotInt, [test]) : test);
      }
      case 'in': {
        const a = this.scalar(e.arg);
        if (a === undefined || (a.cls === 'real' && !this.computable(a))) return undefined;
        const items: WireExpr[] = [a.expr];
        for (const x of e.list) {
          const xc = this.compiled(x);
          const f2 = xc === undefined ? undefined : this.folded(x, xc);
          // Only constants of the argument's own kind (the root compares each with compareValues).
          if (f2 === undefined || f2.v === null) return undefined;
          if (a.cls === 'time' && !(f2.v instanceof SqlTime) && typeof f2.v !== 'string') return undefined;
          if (a.cls === 'int' && typeof f2.v !== 'bigint') return undefined;
          // The root's IN compares a time with a string as a DATETIME(6) (compareValues), not as the column's type.
          const k = constant(f2.v, a.cls, a.cls === 'time' ? { tp: MysqlType.Datetime, flag: 0, flen: 26, decimal: 6, sqlName: 'datetime' } : a.ft);
          if (k === undefined) return undefined;
          items.push(k.expr);
        }
        const fieldType = a.cls === 'string' ? { ...LONGLONG, collate: COLLATION_UTF8MB4_BIN } : LONGLONG;
        const inList = func(FAMILY_BASE.in + CMP_OFFSET[a.cls], items, fieldType);
        return bool(e.not ? func(SIG.UnaryNotInt, [inList]) : inList);
      }
      case 'like': {
        const a = this.scalar(e.arg);
        if (a === undefined || a.cls !== 'string') return undefined;
        const pc = this.compiled(e.pattern);
        const pv = pc === undefined ? undefined : this.folded(e.pattern, pc);
        if (pv === undefined || typeof pv.v !== 'string') return undefined;
        let esc = '\\';
        if (e.escape !== undefined) {
          const ec = this.compiled(e.escape);
          const ev = ec === undefined ? undefined : this.folded(e.escape, ec);
          if (ev === undefined || typeof ev.v !== 'string' || [...ev.v].length !== 1) return undefined;
          esc = ev.v;
        }
        const pat = constant(pv.v, 'string')!;
        const like = func(SIG.LikeSig, [a.expr, pat.expr, constant(BigInt(esc.codePointAt(0)!), 'int')!.expr], { ...LONGLONG, collate: COLLATION_UTF8MB4_BIN });
        return bool(e.not ? func(SIG.UnaryNotInt, [like]) : like);
      }
      case 'func': {
        const name = e.name.toLowerCase();
        const cls = evalClassOf(c.ft);
        if (cls === undefined) return undefined;
        const simple = SIMPLE_FUNCS[name];
        if (simple !== undefined) {
          if (e.args.length === 0 || (e.args.length > 1 && simple.variadic !== true)) return undefined;
          const args: WireExpr[] = [];
          for (const x of e.args) {
            const a = this.scalar(x);
            if (a === undefined || a.cls !== simple.arg) return undefined;
            args.push(a.expr);
          }
          return { expr: func(simple.sig, args, wireFieldType(c.ft)), ft: c.ft, cls };
        }
        if (name === 'if') {
          if (e.args.length !== 3) return undefined;
          const cond = this.boolArg(e.args[0]!);
          const branches = this.sameTyped([e.args[1]!, e.args[2]!], c.ft, cls);
          if (cond === undefined || branches === undefined || branches.some(mayError)) return undefined;
          return { expr: func(FAMILY_BASE.if + CMP_OFFSET[cls], [cond, ...branches], wireFieldType(c.ft)), ft: c.ft, cls };
        }
        const args = this.sameTyped(e.args, c.ft, cls);
        if (args === undefined || args.length === 0 || args.slice(1).some(mayError)) return undefined;
        if (name === 'ifnull' && args.length === 2) return { expr: func(FAMILY_BASE.ifNull + CMP_OFFSET[cls], args, wireFieldType(c.ft)), ft: c.ft, cls };
        if (name === 'coalesce') return { expr: func(FAMILY_BASE.coalesce + CMP_OFFSET[cls], args, wireFieldType(c.ft)), ft: c.ft, cls };
        return undefined;
      }
      case 'case': {
        const cls = evalClassOf(c.ft);
        if (cls === undefined) return undefined;
        const results = this.sameTyped([...e.whens.map((w) => w.then), ...(e.else !== undefined ? [e.else] : [])], c.ft, cls);
        if (results === undefined) return undefined;
        const children: WireExpr[] = [];
        for (let k = 0; k < e.whens.length; k++) {
          const w = e.whens[k]!;
          const cond = e.operand === undefined ? this.boolArg(w.when) : this.comparison('=', e.operand, w.when);
          if (cond === undefined) return undefined;
          children.push(cond, results[k]!);
        }
        if (e.else !== undefined) children.push(results[e.whens.length]!);
        if (children.slice(1).some(mayError)) return undefined;
        return { expr: func(FAMILY_BASE.caseWhen + CMP_OFFSET[cls], children, wireFieldType(c.ft)), ft: c.ft, cls };
      }
      default:
        return undefined;
    }
  }

  /** A logical operand: int-valued (truthiness of ints is the same on both sides). */
  private boolArg(e: Expr): WireExpr | undefined {
    const s = this.scalar(e);
    return s !== undefined && s.cls === 'int' ? s.expr : undefined;
  }

  /** FLOAT values are shown rounded at the root (float32Display) but computed raw in the store. */
  private computable(s: PushScalar): boolean {
    return s.ft.tp !== MysqlType.Float;
  }

  /**
   * Branches of IF/IFNULL/COALESCE/CASE: the root returns a branch's value as it is, so every
   * branch must already have the result's class (and DECIMAL scale); NULL literals allowed.
   */
  private sameTyped(es: readonly Expr[], ft: FieldType, cls: EvalClass): WireExpr[] | undefined {
    const out: WireExpr[] = [];
    for (const x of es) {
      if (x.kind === 'lit' && x.value === null) {
        out.push({ tp: 0, fieldType: wireFieldType(ft) });
        continue;
      }
      const s = this.scalar(x);
      if (s === undefined || s.cls !== cls || !this.computable(s)) return undefined;
      if (cls === 'decimal' && s.ft.decimal !== ft.decimal) return undefined;
      if (cls === 'int' && (isUnsigned(s.ft) !== isUnsigned(ft) || s.ft.tp === MysqlType.Year)) return undefined;
      if ((cls === 'time' || cls === 'duration') && (s.ft.tp !== ft.tp || s.ft.decimal !== ft.decimal)) return undefined;
      out.push(s.expr);
    }
    return out;
  }

  /** `s` converted to class `to` with an explicit cast (ints to DECIMAL/DOUBLE, DECIMAL to DOUBLE). */
  private castTo(s: PushScalar, to: EvalClass): WireExpr | undefined {
    if (s.cls === to) return s.expr;
    if (!this.computable(s)) return undefined;
    if (s.cls === 'int' && to === 'decimal') {
      const ft: WireFieldType = { tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: 20, decimal: 0, collate: COLLATION_BINARY };
      return func(CAST.intAsDecimal, [s.expr], ft);
    }
    const dbl: WireFieldType = { tp: MysqlType.Double, flag: ColumnFlag.Binary, flen: 22, decimal: 31, collate: COLLATION_BINARY };
    if (s.cls === 'int' && to === 'real') return func(CAST.intAsReal, [s.expr], dbl);
    if (s.cls === 'decimal' && to === 'real') return func(CAST.decimalAsReal, [s.expr], dbl);
    return undefined;
  }

  /** Both operands in class `cls`: constants converted exactly at plan time, others cast. */
  private operands(l: Expr, r: Expr, pick: (a: EvalClass, b: EvalClass) => EvalClass | undefined): { cls: EvalClass; x: WireExpr; y: WireExpr } | undefined {
    const lc = this.compiled(l);
    const rc = this.compiled(r);
    if (lc === undefined || rc === undefined) return undefined;
    const lf = this.folded(l, lc);
    const rf = this.folded(r, rc);
    if (lf !== undefined && rf !== undefined) return undefined;
    const side = (e: Expr, c: Compiled, f: { v: Value } | undefined, other: Compiled): PushScalar | { v: Value; cls: EvalClass | undefined } | undefined => {
      if (f !== undefined) {
        // A string constant against a time column is a time (the root converts it so).
        const cls = typeof f.v === 'string' && evalClassOf(other.ft) === 'time' ? 'time' : evalClassOf(c.ft);
        return { v: f.v, cls };
      }
      return this.scalar(e);
    };
    const a = side(l, lc, lf, rc);
    const b = side(r, rc, rf, lc);
    if (a === undefined || b === undefined || a.cls === undefined || b.cls === undefined) return undefined;
    const cls = pick(a.cls, b.cls);
    if (cls === undefined) return undefined;
    const conv = (s: PushScalar | { v: Value; cls: EvalClass | undefined }, other: PushScalar | { v: Value; cls: EvalClass | undefined }): WireExpr | undefined => {
      if ('v' in s) return constant(s.v, cls, 'ft' in other ? other.ft : undefined)?.expr;
      return this.castTo(s, cls);
    };
    const x = conv(a, b);
    const y = conv(b, a);
    return x === undefined || y === undefined ? undefined : { cls, x, y };
  }

  private comparison(op: string, l: Expr, r: Expr): WireExpr | undefined {
    const base = CMP_BASE[op];
    if (base === undefined || !shapeOk(l) || !shapeOk(r)) return undefined;
    // The root's compareValues: numbers numerically (as doubles once a double is involved,
    // exactly otherwise), strings with strings, times with times (strings converted).
    const o = this.operands(l, r, (a, b) => {
      if (a === b) return a;
      const num = (k: EvalClass) => k === 'int' || k === 'decimal' || k === 'real';
      if (!num(a) || !num(b)) return undefined;
      return a === 'real' || b === 'real' ? 'real' : 'decimal';
    });
    if (o === undefined) return undefined;
    if (o.cls === 'real' && [l, r].some((x) => this.compiled(x)?.ft.tp === MysqlType.Float)) return undefined;
    // The coprocessor takes a comparison's collation from the function's own field type (as TiDB sets it).
    const fieldType = o.cls === 'string' ? { ...LONGLONG, collate: COLLATION_UTF8MB4_BIN } : LONGLONG;
    return func(base + CMP_OFFSET[o.cls], [o.x, o.y], fieldType);
  }

  private arith(op: ArithOp, l: Expr, r: Expr, ft: FieldType): PushScalar | undefined {
    const cls = evalClassOf(ft);
    if (cls !== 'int' && cls !== 'decimal' && cls !== 'real') return undefined;
    if (op === '/' || op === 'div' || op === '%') {
      // Only a non-zero constant divisor: division by zero warns at the root, and the
      // coprocessor's warnings do not reach the session.
      const rc = this.compiled(r);
      const rv = rc === undefined ? undefined : this.folded(r, rc);
      if (rv === undefined || rv.v === null || typeof rv.v === 'string' || isTimeValue(rv.v) || rv.v instanceof Uint8Array || toFloat(rv.v) === 0) return undefined;
      // DIV of non-ints goes through DECIMAL division at the root: only int DIV int is pushed.
      if (op === 'div' && [l, r].some((x) => evalClassOf(this.compiled(x)?.ft ?? ft) !== 'int')) return undefined;
    }
    if (cls === 'decimal' && ft.decimal > DECIMAL_FRAC_MAX) return undefined;
    if (cls === 'int') {
      // Signedness rules differ on mixed operands (MySQL: unsigned if either is; the root: if
      // both are): pushed only when both operands agree. Unsigned DIV/% are the root's.
      const unsigned = [l, r].map((x) => this.compiled(x) !== undefined && isUnsigned(this.compiled(x)!.ft));
      if (unsigned[0] !== unsigned[1] || unsigned[0] !== isUnsigned(ft)) return undefined;
      if (unsigned[0] && (op === 'div' || op === '%')) return undefined;
    }
    for (const x of [l, r]) {
      const xc = this.compiled(x);
      if (xc === undefined || xc.ft.tp === MysqlType.Float || xc.ft.tp === MysqlType.Year) return undefined;
      const k = evalClassOf(xc.ft);
      if (k !== 'int' && k !== 'decimal' && k !== 'real') return undefined;
    }
    const o = this.operands(l, r, () => cls);
    if (o === undefined) return undefined;
    const sig = op === '*' && cls === 'int' && isUnsigned(ft) ? MULTIPLY_INT_UNSIGNED : ARITH[op][cls]!;
    return { expr: func(sig, [o.x, o.y], wireFieldType(ft)), ft, cls };
  }
}

/** Signatures that can raise an evaluation error (BIGINT/DECIMAL/DOUBLE overflow): + − × / DIV, unary − of ints. */
const ERRING_SIGS = new Set([200, 201, 203, 204, 205, 207, 208, 209, 210, 211, 212, 213, 214, 218, 3108]);

/**
 * True when evaluating `w` may raise an error. The root short-circuits (the right side of
 * AND/OR, IF/CASE branches, IFNULL/COALESCE fallbacks run only when needed) while the
 * coprocessor evaluates every operand of a batch, so such operands are not pushed there.
 */
function mayError(w: WireExpr | undefined): boolean {
  if (w === undefined) return false;
  return (w.sig !== undefined && ERRING_SIGS.has(w.sig)) || (w.children?.some(mayError) ?? false);
}

/** The tipb form of a WHERE condition over a scan's `width` columns, or undefined (see `PushTranslator`). */
export function toPushExpr(e: Expr, compile: (e: Expr) => Compiled, width = Number.MAX_SAFE_INTEGER): WireExpr | undefined {
  return new PushTranslator(compile, width).condition(e);
}

/** True when `t` is a TIME/DATE class value in the SQL layer's representation. */
export function isTimeValue(v: Value): v is SqlTime | SqlDuration {
  return v instanceof SqlTime || v instanceof SqlDuration;
}
