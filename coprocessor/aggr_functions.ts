import { Decimal } from '../src/codec/tidb/mod.ts';
import { DomainError } from '../src/util/mod.ts';
import { EvalError, MysqlErrorCode } from './eval_context.ts';
import { type Collator, collatorFor } from './collation.ts';
import type { Expr, FieldType } from './dag_types.ts';
import { EvalType, MysqlType, UNSIGNED_BIGINT, evalTypeOfTp } from './field_type.ts';
import { compareScalars } from './row_compare.ts';
import { RpnExpression, badExpr } from './rpn_expression.ts';
import type { Scalar } from './vector.ts';

/** tipb.ExprType values of the aggregate functions. */
export const AggExprType = {
  Count: 3001,
  Sum: 3002,
  Avg: 3003,
  Min: 3004,
  Max: 3005,
  First: 3006,
  BitAnd: 3008,
  BitOr: 3009,
  BitXor: 3010,
} as const;

/** Mutable per-group state of one aggregate function. */
export interface AggState {
  update(value: Scalar): void;
  /** Pushes this state's partial-result columns (TiDB's layout for the function). */
  results(out: Scalar[]): void;
}

/**
 * One aggregate function of an Aggregation executor: its argument expression, the partial
 * result columns it contributes to the output schema, and a state factory.
 */
export interface AggFunction {
  readonly name: string;
  readonly arg: RpnExpression;
  readonly resultTypes: readonly FieldType[];
  newState(): AggState;
}

const U64 = (1n << 64n) - 1n;

/** Builds an aggregate from its tipb expression; unsupported kinds/types are clear errors. */
export function buildAggFunction(expr: Expr, schema: readonly FieldType[]): AggFunction {
  const tp = expr.tp ?? 0;
  const children = expr.children ?? [];
  if (expr.hasDistinct === true) throw new DomainError('NotImplemented', 'coprocessor: DISTINCT aggregates are not supported');
  if (children.length !== 1) throw badExpr(`aggregate ${tp} expects 1 argument, got ${children.length}`);
  const arg = RpnExpression.build(children[0]!, schema);
  const et = arg.evalType;
  const ft = expr.fieldType ?? arg.fieldType;
  switch (tp) {
    case AggExprType.Count:
      return {
        name: 'Count',
        arg,
        resultTypes: [UNSIGNED_BIGINT],
        newState: () => {
          let count = 0n;
          return { update: (v) => void (v !== null && count++), results: (out) => void out.push(count) };
        },
      };
    case AggExprType.Sum:
    case AggExprType.Avg: {
      const avg = tp === AggExprType.Avg;
      const name = avg ? 'Avg' : 'Sum';
      if (et === EvalType.Real) {
        const sumType: FieldType = { ...ft, tp: MysqlType.Double };
        return {
          name,
          arg,
          resultTypes: avg ? [UNSIGNED_BIGINT, sumType] : [sumType],
          newState: () => {
            let count = 0n;
            let sum = 0;
            return {
              update: (v) => {
                if (v === null) return;
                count++;
                sum += v as number;
              },
              results: (out) => {
                if (avg) out.push(count);
                out.push(count === 0n ? null : sum);
              },
            };
          },
        };
      }
      if (et !== EvalType.Int && et !== EvalType.Decimal) {
        throw new DomainError('NotImplemented', `coprocessor: ${name.toUpperCase()} over ${et} is not supported yet`);
      }
      // Ints are summed as exact decimals (TiKV casts the argument to DECIMAL).
      const sumType: FieldType = { ...ft, tp: MysqlType.NewDecimal };
      return {
        name,
        arg,
        resultTypes: avg ? [UNSIGNED_BIGINT, sumType] : [sumType],
        newState: () => {
          let count = 0n;
          let intSum = 0n;
          let decSum: Decimal | null = null;
          return {
            update: (v) => {
              if (v === null) return;
              count++;
              if (typeof v === 'bigint') intSum += v;
              else decSum = decSum === null ? (v as Decimal) : decSum.add(v as Decimal);
            },
            results: (out) => {
              if (avg) out.push(count);
              if (count === 0n) {
                out.push(null);
                return;
              }
              const total = decSum === null ? Decimal.fromBigInt(intSum) : (decSum as Decimal).add(Decimal.fromBigInt(intSum));
              if (Math.ceil(total.intDigits() / 9) + Math.ceil(total.frac / 9) > 9) {
                throw new EvalError(MysqlErrorCode.DataOutOfRange, `DECIMAL value is out of range in '${name.toLowerCase()}'`);
              }
              out.push(total);
            },
          };
        },
      };
    }
    case AggExprType.Min:
    case AggExprType.Max: {
      if (et === EvalType.Json || et === EvalType.Enum) throw new DomainError('NotImplemented', `coprocessor: MIN/MAX over ${et} is not supported yet`);
      const collator: Collator = collatorFor(ft.collate ?? arg.fieldType.collate);
      const sign = tp === AggExprType.Min ? 1 : -1;
      return {
        name: sign > 0 ? 'Min' : 'Max',
        arg,
        resultTypes: [ft],
        newState: () => {
          let best: Scalar = null;
          return {
            update: (v) => {
              if (v !== null && (best === null || sign * compareScalars(v, best, et, collator) < 0)) best = v;
            },
            results: (out) => void out.push(best),
          };
        },
      };
    }
    case AggExprType.First:
      return {
        name: 'First',
        arg,
        resultTypes: [ft],
        newState: () => {
          let seen = false;
          let first: Scalar = null;
          return {
            update: (v) => {
              if (!seen) {
                seen = true;
                first = v;
              }
            },
            results: (out) => void out.push(first),
          };
        },
      };
    case AggExprType.BitAnd:
    case AggExprType.BitOr:
    case AggExprType.BitXor: {
      if (et !== EvalType.Int) throw new DomainError('NotImplemented', `coprocessor: bit aggregates over ${et} are not supported yet`);
      const kind = tp;
      return {
        name: kind === AggExprType.BitAnd ? 'BitAnd' : kind === AggExprType.BitOr ? 'BitOr' : 'BitXor',
        arg,
        resultTypes: [UNSIGNED_BIGINT],
        newState: () => {
          let acc = kind === AggExprType.BitAnd ? U64 : 0n;
          return {
            update: (v) => {
              if (v === null) return;
              const x = BigInt.asUintN(64, v as bigint);
              acc = kind === AggExprType.BitAnd ? acc & x : kind === AggExprType.BitOr ? acc | x : acc ^ x;
            },
            results: (out) => void out.push(acc),
          };
        },
      };
    }
    default:
      throw new DomainError('NotImplemented', `coprocessor: unsupported aggregate function expr type ${tp}`);
  }
}

/** Eval type of every partial-result column, for allocating output vectors. */
export function resultEvalTypes(fns: readonly AggFunction[]): EvalType[] {
  return fns.flatMap((f) => f.resultTypes.map((t) => evalTypeOfTp(t.tp ?? 0)!));
}
