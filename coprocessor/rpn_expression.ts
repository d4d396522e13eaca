import { Decimal, coreTimeFromPacked, readFloatComparable, readIntComparable } from '../src/codec/tidb/mod.ts';
import { CorruptionError, DomainError } from '../src/util/mod.ts';
import type { Batch } from './batch_executor.ts';
import { collatorFor } from './collation.ts';
import type { Expr, FieldType } from './dag_types.ts';
import type { EvalArg } from './eval_arg.ts';
import type { EvalContext } from './eval_context.ts';
import { EvalType, FieldFlag, MysqlType, evalTypeOfTp } from './field_type.ts';
import { type FnCall, type ScalarFunctionDef, scalarFunction } from './scalar_functions.ts';
import { type Scalar, Vector } from './vector.ts';

/** tipb.ExprType values for leaves and scalar functions. */
export const ExprType = {
  Null: 0,
  Int64: 1,
  Uint64: 2,
  Float32: 3,
  Float64: 4,
  String: 5,
  Bytes: 6,
  MysqlBit: 101,
  MysqlDecimal: 102,
  MysqlDuration: 103,
  MysqlEnum: 104,
  MysqlHex: 105,
  MysqlSet: 106,
  MysqlTime: 107,
  MysqlJson: 108,
  ValueList: 151,
  ColumnRef: 201,
  ScalarFunc: 10000,
} as const;

/** Deepest expression tree accepted (TiKV's protobuf recursion limit is of this order). */
export const EXPR_DEPTH_MAX = 512;
/** Most nodes in one expression. */
export const EXPR_NODES_MAX = 100_000;

type RpnNode =
  | { kind: 'column'; offset: number; fieldType: FieldType }
  | { kind: 'constant'; vec: Vector; fieldType: FieldType }
  | { kind: 'call'; def: ScalarFunctionDef; argsLen: number; call: FnCall; fieldType: FieldType };

/** A bad DAG (malformed expression, unknown signature, type mismatch): becomes `other_error`. */
export function badExpr(message: string): DomainError {
  return new DomainError('InvalidArgument', `coprocessor: ${message}`);
}

/**
 * An expression compiled to reverse Polish notation over a child schema, evaluated a whole
 * batch at a time. Building validates everything (column offsets, signatures, argument eval
 * types) so evaluation can trust its inputs.
 */
export class RpnExpression {
  private constructor(
    private readonly nodes: readonly RpnNode[],
    readonly fieldType: FieldType,
    readonly evalType: EvalType,
    /** Child columns the expression reads (so scans/executors know what is needed). */
    readonly columnOffsets: readonly number[],
  ) {}

  /** Compiles a tipb expression tree against the child's output schema. */
  static build(expr: Expr, schema: readonly FieldType[]): RpnExpression {
    const nodes: RpnNode[] = [];
    const columns = new Set<number>();
    const root = compile(expr, schema, nodes, columns, 0);
    return new RpnExpression(nodes, root.fieldType, root.evalType, [...columns].sort((a, b) => a - b));
  }

  /** The column offset when this expression is a bare column reference. */
  get asColumn(): number | undefined {
    const only = this.nodes.length === 1 ? this.nodes[0]! : undefined;
    return only?.kind === 'column' ? only.offset : undefined;
  }

  /**
   * Evaluates over the batch's logical rows. The result's `idx` maps logical row i to a
   * physical row of `vec` (a column reference returns the batch column itself, uncopied).
   */
  eval(batch: Batch, ctx: EvalContext): EvalArg {
    const n = batch.logicalRows.length;
    const stack: EvalArg[] = [];
    let zeros: Int32Array | null = null;
    let dense: Int32Array | null = null;
    for (const node of this.nodes) {
      switch (node.kind) {
        case 'column':
          stack.push({ vec: batch.columns[node.offset]!, idx: batch.logicalRows, fieldType: node.fieldType });
          break;
        case 'constant':
          zeros ??= new Int32Array(n);
          stack.push({ vec: node.vec, idx: zeros, fieldType: node.fieldType });
          break;
        case 'call': {
          const args = stack.splice(stack.length - node.argsLen, node.argsLen);
          const vec = node.def.eval(args, n, node.call, ctx);
          if (dense === null) {
            dense = new Int32Array(n);
            for (let i = 0; i < n; i++) dense[i] = i;
          }
          stack.push({ vec, idx: dense, fieldType: node.fieldType });
          break;
        }
      }
    }
    return stack[0]!;
  }
}

interface Compiled {
  fieldType: FieldType;
  evalType: EvalType;
}

function compile(expr: Expr, schema: readonly FieldType[], out: RpnNode[], columns: Set<number>, depth: number): Compiled {
  if (depth > EXPR_DEPTH_MAX) throw badExpr(`expression nested deeper than ${EXPR_DEPTH_MAX}`);
  if (out.length > EXPR_NODES_MAX) throw badExpr(`expression has more than ${EXPR_NODES_MAX} nodes`);
  const tp = expr.tp ?? 0;
  const val = expr.val ?? new Uint8Array(0);
  switch (tp) {
    case ExprType.ColumnRef: {
      if (val.length !== 8) throw badExpr('column reference value must be 8 bytes');
      const offset = readIntComparable(val, 0);
      if (offset < 0n || offset >= BigInt(schema.length)) {
        throw badExpr(`column offset ${offset} out of range (child has ${schema.length} columns)`);
      }
      const o = Number(offset);
      const fieldType = schema[o]!;
      const et = evalTypeOfTp(fieldType.tp ?? 0);
      if (et === undefined) throw badExpr(`column ${o} has unsupported MySQL type ${fieldType.tp}`);
      columns.add(o);
      out.push({ kind: 'column', offset: o, fieldType });
      return { fieldType, evalType: et };
    }
    case ExprType.ScalarFunc: {
      const sig = expr.sig ?? 0;
      const def = scalarFunction(sig);
      if (def === undefined) throw new DomainError('NotImplemented', `coprocessor: unsupported scalar function signature ${sig}${sigHint(sig)}`);
      const children = expr.children ?? [];
      if (children.length < def.arity[0] || children.length > def.arity[1]) {
        throw badExpr(`${def.name} expects ${def.arity[0]}..${def.arity[1]} arguments, got ${children.length}`);
      }
      const want = def.argTypes(children.length);
      children.forEach((child, k) => {
        const got = compile(child, schema, out, columns, depth + 1);
        if (got.evalType !== want[k]) throw badExpr(`type mismatch: ${def.name} argument ${k} is ${got.evalType}, expected ${want[k]}`);
      });
      const fieldType = expr.fieldType ?? { tp: defaultTp(def.ret) };
      const collator = collatorFor(fieldType.collate);
      out.push({ kind: 'call', def, argsLen: children.length, call: { name: def.name, fieldType, collator }, fieldType });
      return { fieldType, evalType: def.ret };
    }
    default: {
      let c: { vec: Vector; fieldType: FieldType };
      try {
        c = constant(tp, val, expr.fieldType ?? undefined);
      } catch (e) {
        // Constants are request bytes: undecodable ones are a bad request, not corruption.
        if (e instanceof CorruptionError) throw badExpr(`malformed constant of expr type ${tp}: ${e.message}`);
        throw e;
      }
      out.push({ kind: 'constant', vec: c.vec, fieldType: c.fieldType });
      return { fieldType: c.fieldType, evalType: c.vec.evalType };
    }
  }
}

function defaultTp(et: EvalType): number {
  switch (et) {
    case EvalType.Int: return MysqlType.LongLong;
    case EvalType.Real: return MysqlType.Double;
    case EvalType.DateTime: return MysqlType.Datetime;
    case EvalType.Duration: return MysqlType.Duration;
    case EvalType.Decimal: return MysqlType.NewDecimal;
    default: return MysqlType.VarString;
  }
}

function constant(tp: number, val: Uint8Array, ft: FieldType | undefined): { vec: Vector; fieldType: FieldType } {
  const make = (et: EvalType, value: Scalar, fieldType: FieldType) => {
    const vec = Vector.allocate(et, 1);
    vec.set(0, value);
    return { vec, fieldType };
  };
  const need8 = () => {
    if (val.length !== 8) throw badExpr(`constant of expr type ${tp} must be 8 bytes, got ${val.length}`);
  };
  const view = new DataView(val.buffer, val.byteOffset, val.byteLength);
  switch (tp) {
    case ExprType.Null: {
      const et = evalTypeOfTp(ft?.tp ?? MysqlType.Null) ?? EvalType.Bytes;
      if (et === EvalType.Json || et === EvalType.Enum) throw new DomainError('NotImplemented', `coprocessor: NULL constant of ${et} type is not supported yet`);
      return make(et, null, ft ?? { tp: MysqlType.Null });
    }
    case ExprType.Int64:
      need8();
      return make(EvalType.Int, BigInt.asIntN(64, view.getBigUint64(0) ^ (1n << 63n)), ft ?? { tp: MysqlType.LongLong });
    case ExprType.Uint64:
      need8();
      return make(EvalType.Int, view.getBigUint64(0), { ...(ft ?? { tp: MysqlType.LongLong }), flag: (ft?.flag ?? 0) | FieldFlag.Unsigned });
    case ExprType.Float32:
    case ExprType.Float64:
      need8();
      return make(EvalType.Real, readFloatComparable(val, 0), ft ?? { tp: MysqlType.Double });
    case ExprType.String:
    case ExprType.Bytes:
      return make(EvalType.Bytes, val, ft ?? { tp: MysqlType.VarString });
    case ExprType.MysqlDuration:
      need8();
      return make(EvalType.Duration, BigInt.asIntN(64, view.getBigUint64(0) ^ (1n << 63n)), ft ?? { tp: MysqlType.Duration });
    case ExprType.MysqlTime: {
      need8();
      // Packed uint; TIMESTAMP constants arrive in UTC, the same zone stored TIMESTAMP values use.
      const fieldType = ft ?? { tp: MysqlType.Datetime };
      return make(EvalType.DateTime, coreTimeFromPacked(view.getBigUint64(0), fieldType.tp ?? MysqlType.Datetime, fieldType.decimal ?? 0), fieldType);
    }
    case ExprType.MysqlDecimal: {
      if (val.length < 2) throw badExpr('decimal constant shorter than its precision/frac header');
      const prec = val[0]!;
      const frac = val[1]!;
      if (prec < 1 || prec > 65 || frac > prec || val.length !== 2 + Decimal.binSize(prec, frac)) throw badExpr(`malformed decimal constant (precision ${prec}, frac ${frac}, ${val.length} bytes)`);
      const fieldType = ft ?? { tp: MysqlType.NewDecimal, flen: prec, decimal: frac };
      return make(EvalType.Decimal, Decimal.fromBin(val, 2, prec, frac), fieldType);
    }
    case ExprType.MysqlJson:
    case ExprType.MysqlEnum:
    case ExprType.MysqlSet:
    case ExprType.MysqlBit:
    case ExprType.MysqlHex:
      throw new DomainError('NotImplemented', `coprocessor: constants of expr type ${tp} are not supported yet`);
    default:
      throw badExpr(`unknown or misplaced expr type ${tp}`);
  }
}

/** A human name for common signatures we do not implement yet, to make the error actionable. */
function sigHint(sig: number): string {
  const families: [number, number, string][] = [
    [1, 66, 'a CAST'],
    [100, 166, 'a comparison (Decimal/Json variants are not supported yet)'],
    [200, 237, 'arithmetic (Decimal variants are not supported yet)'],
    [2101, 2150, 'a math function (CEIL/FLOOR/ROUND/ABS/SIGN/SQRT are implemented)'],
    [4001, 4214, 'IN/IF/IFNULL/COALESCE/CASE (Decimal/Json variants are not supported yet)'],
    [5001, 5100, 'a JSON function'],
    [6001, 6200, 'a date/time function (only YEAR/MONTH/DAY*/WEEKDAY/TO_DAYS/DATE/HOUR/MINUTE/SECOND/MICROSECOND/UNIX_TIMESTAMP/DATE_FORMAT are implemented)'],
    [7001, 7100, 'a string function (see coprocessor/README.md for the implemented ones)'],
  ];
  for (const [lo, hi, name] of families) if (sig >= lo && sig <= hi) return ` (${name})`;
  return '';
}
