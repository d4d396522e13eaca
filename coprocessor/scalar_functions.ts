import { Decimal, coreTimeFromFields, coreTimeFsp, coreTimeToFields, coreTimeType, formatCoreTime, formatDuration } from '../src/codec/tidb/mod.ts';
import { DomainError } from '../src/util/mod.ts';
import { type Collator, utf8Decode, utf8Encode } from './collation.ts';
import type { FieldType } from './dag_types.ts';
import type { EvalArg } from './eval_arg.ts';
import { DagFlag, type EvalContext, EvalError, MysqlErrorCode } from './eval_context.ts';
import { EvalType, MysqlType, isUnsigned } from './field_type.ts';
import { likeMatch } from './like.ts';
import { Vector } from './vector.ts';
import { utcToLocalCoreTime } from './time_convert.ts';
import { durationFromInt, parseStringAsDuration, roundDurationTo, timeToDuration } from './duration_parse.ts';
import { formatFloatPlain } from './float_format.ts';
import { type TimeTarget, durationToTime, newTime, parseStringAsTime, roundTime, showTime, targetFsp, timeFromInt, timeFromNumberText } from './time_parse.ts';

/** Build-time facts about one call site, fixed before any row is evaluated. */
export interface FnCall {
  readonly name: string;
  readonly fieldType: FieldType;
  readonly collator: Collator;
}

/**
 * A vectorized scalar function: evaluates `n` logical rows of its arguments into a dense
 * result vector. `argTypes(count)` names the eval type of each argument (validated when the
 * expression is built, so kernels trust the vector types).
 */
export interface ScalarFunctionDef {
  readonly name: string;
  readonly arity: readonly [number, number];
  argTypes(count: number): readonly EvalType[];
  readonly ret: EvalType;
  eval(args: readonly EvalArg[], n: number, call: FnCall, ctx: EvalContext): Vector;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** Reads an Int operand exactly: unsigned columns reinterpret the stored bits. */
function intAt(a: EvalArg, i: number): bigint {
  const v = (a.vec.values.data as BigInt64Array)[a.idx[i]!]!;
  return isUnsigned(a.fieldType) && v < 0n ? BigInt.asUintN(64, v) : v;
}

function isNullAt(a: EvalArg, i: number): boolean {
  return a.vec.nulls[a.idx[i]!] === 1;
}

function realAt(a: EvalArg, i: number): number {
  return (a.vec.values.data as Float64Array)[a.idx[i]!]!;
}

function bytesAt(a: EvalArg, i: number): Uint8Array {
  return (a.vec.values.data as Uint8Array[])[a.idx[i]!]!;
}

/** The value of any operand at logical row i (null for NULL). */
function decimalAt(a: EvalArg, i: number): Decimal {
  return (a.vec.values.data as Decimal[])[a.idx[i]!]!;
}

type Value = bigint | number | Uint8Array | Decimal;

function scalarAt(a: EvalArg, i: number): Value | null {
  const r = a.idx[i]!;
  if (a.vec.nulls[r] === 1) return null;
  if (a.vec.evalType === EvalType.Int) return intAt(a, i);
  return a.vec.values.data[r]!;
}

/** Three-way compare of two non-NULL values of one eval type at logical row i. */
function comparator(et: EvalType, collator: Collator): (a: EvalArg, b: EvalArg, i: number) => number {
  switch (et) {
    case EvalType.Int:
      return (a, b, i) => {
        const x = intAt(a, i);
        const y = intAt(b, i);
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case EvalType.Real:
      return (a, b, i) => {
        const x = realAt(a, i);
        const y = realAt(b, i);
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case EvalType.Bytes:
      return (a, b, i) => collator.compare(bytesAt(a, i), bytesAt(b, i));
    case EvalType.Decimal:
      return (a, b, i) => decimalAt(a, i).compare(decimalAt(b, i));
    case EvalType.DateTime:
      // CoreTime: drop the fspTt bits so DATE and DATETIME of one instant are equal.
      return (a, b, i) => {
        const x = (a.vec.values.data[a.idx[i]!] as bigint) >> 4n;
        const y = (b.vec.values.data[b.idx[i]!] as bigint) >> 4n;
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case EvalType.Duration:
      return (a, b, i) => {
        const x = a.vec.values.data[a.idx[i]!] as bigint;
        const y = b.vec.values.data[b.idx[i]!] as bigint;
        return x < y ? -1 : x > y ? 1 : 0;
      };
    default:
      throw new EvalError(MysqlErrorCode.UnknownError, `no comparison for ${et}`);
  }
}

type CmpOp = 'LT' | 'LE' | 'GT' | 'GE' | 'EQ' | 'NE' | 'NullEQ';

function compareFn(op: CmpOp, et: EvalType): ScalarFunctionDef {
  return {
    name: `${op}${sigTypeName(et)}`,
    arity: [2, 2],
    argTypes: () => [et, et],
    ret: EvalType.Int,
    eval(args, n, call) {
      const [a, b] = args as [EvalArg, EvalArg];
      const out = Vector.allocate(EvalType.Int, n);
      const data = out.values.data as BigInt64Array;
      const cmp = comparator(et, call.collator);
      for (let i = 0; i < n; i++) {
        const an = isNullAt(a, i);
        const bn = isNullAt(b, i);
        if (an || bn) {
          if (op === 'NullEQ') data[i] = an && bn ? 1n : 0n;
          else out.nulls[i] = 1;
          continue;
        }
        const c = cmp(a, b, i);
        let r: boolean;
        switch (op) {
          case 'LT': r = c < 0; break;
          case 'LE': r = c <= 0; break;
          case 'GT': r = c > 0; break;
          case 'GE': r = c >= 0; break;
          case 'EQ': case 'NullEQ': r = c === 0; break;
          case 'NE': r = c !== 0; break;
        }
        data[i] = r ? 1n : 0n;
      }
      return out;
    },
  };
}

function sigTypeName(et: EvalType): string {
  return et === EvalType.Bytes ? 'String' : et === EvalType.DateTime ? 'Time' : et;
}

/** Builds a function whose result is computed value-by-value, NULL in -> NULL out. */
function strictFn(
  name: string,
  argTypes: readonly EvalType[],
  ret: EvalType,
  compute: (vals: Value[], call: FnCall, ctx: EvalContext, args: readonly EvalArg[], i: number) => Value | null,
): ScalarFunctionDef {
  return {
    name,
    arity: [argTypes.length, argTypes.length],
    argTypes: () => argTypes,
    ret,
    eval(args, n, call, ctx) {
      const out = Vector.allocate(ret, n);
      const vals: Value[] = new Array(args.length);
      outer: for (let i = 0; i < n; i++) {
        for (let k = 0; k < args.length; k++) {
          const v = scalarAt(args[k]!, i);
          if (v === null) {
            out.nulls[i] = 1;
            continue outer;
          }
          vals[k] = v;
        }
        out.set(i, compute(vals, call, ctx, args, i));
      }
      return out;
    },
  };
}

function resultUnsigned(call: FnCall, args: readonly EvalArg[]): boolean {
  return isUnsigned(call.fieldType) || args.some((a) => isUnsigned(a.fieldType));
}

function checkIntRange(v: bigint, unsigned: boolean, ctx: EvalContext, what: string): bigint {
  if (unsigned ? v < 0n || v > U64_MAX : v < I64_MIN || v > I64_MAX) ctx.overflow(unsigned ? 'BIGINT UNSIGNED' : 'BIGINT', what);
  return v;
}

function intArith(name: string, op: '+' | '-' | '*' | 'div' | '%'): ScalarFunctionDef {
  return strictFn(name, [EvalType.Int, EvalType.Int], EvalType.Int, (vals, call, ctx, args) => {
    const x = vals[0] as bigint;
    const y = vals[1] as bigint;
    const text = `(${x} ${op === 'div' ? 'DIV' : op} ${y})`;
    switch (op) {
      case '+':
        return checkIntRange(x + y, resultUnsigned(call, args), ctx, text);
      case '-':
        return checkIntRange(x - y, resultUnsigned(call, args), ctx, text);
      case '*':
        return checkIntRange(x * y, resultUnsigned(call, args), ctx, text);
      case 'div':
        if (y === 0n) {
          ctx.divisionByZero();
          return null;
        }
        return checkIntRange(x / y, resultUnsigned(call, args), ctx, text);
      case '%':
        if (y === 0n) {
          ctx.divisionByZero();
          return null;
        }
        return x % y;
    }
  });
}

function realArith(name: string, op: '+' | '-' | '*' | '/' | '%'): ScalarFunctionDef {
  return strictFn(name, [EvalType.Real, EvalType.Real], EvalType.Real, (vals, _call, ctx) => {
    const x = vals[0] as number;
    const y = vals[1] as number;
    let r: number;
    switch (op) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/':
      case '%':
        if (y === 0) {
          ctx.divisionByZero();
          return null;
        }
        r = op === '/' ? x / y : x % y;
        break;
    }
    if (!Number.isFinite(r)) ctx.overflow('DOUBLE', `(${x} ${op} ${y})`);
    return r;
  });
}

function truthy(a: EvalArg, i: number): boolean {
  const v = a.vec.values.data[a.idx[i]!]!;
  if (v instanceof Decimal) return !v.isZero();
  return typeof v === 'number' ? v !== 0 : v !== 0n;
}

function logicalFn(name: string, kind: 'and' | 'or' | 'xor'): ScalarFunctionDef {
  return {
    name,
    arity: [2, 2],
    argTypes: () => [EvalType.Int, EvalType.Int],
    ret: EvalType.Int,
    eval(args, n) {
      const [a, b] = args as [EvalArg, EvalArg];
      const out = Vector.allocate(EvalType.Int, n);
      const data = out.values.data as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const an = isNullAt(a, i);
        const bn = isNullAt(b, i);
        const at = !an && truthy(a, i);
        const bt = !bn && truthy(b, i);
        if (kind === 'and') {
          if ((!an && !at) || (!bn && !bt)) data[i] = 0n;
          else if (an || bn) out.nulls[i] = 1;
          else data[i] = 1n;
        } else if (kind === 'or') {
          if (at || bt) data[i] = 1n;
          else if (an || bn) out.nulls[i] = 1;
          else data[i] = 0n;
        } else if (an || bn) out.nulls[i] = 1;
        else data[i] = at !== bt ? 1n : 0n;
      }
      return out;
    },
  };
}

function isNullFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [1, 1],
    argTypes: () => [et],
    ret: EvalType.Int,
    eval(args, n) {
      const out = Vector.allocate(EvalType.Int, n);
      const data = out.values.data as BigInt64Array;
      for (let i = 0; i < n; i++) data[i] = isNullAt(args[0]!, i) ? 1n : 0n;
      return out;
    },
  };
}

function isTrueFn(name: string, et: EvalType, wantTrue: boolean, keepNull: boolean): ScalarFunctionDef {
  return {
    name,
    arity: [1, 1],
    argTypes: () => [et],
    ret: EvalType.Int,
    eval(args, n) {
      const out = Vector.allocate(EvalType.Int, n);
      const data = out.values.data as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (isNullAt(args[0]!, i)) {
          if (keepNull) out.nulls[i] = 1;
          continue;
        }
        data[i] = truthy(args[0]!, i) === wantTrue ? 1n : 0n;
      }
      return out;
    },
  };
}

function inFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [2, 65535],
    argTypes: (count) => new Array<EvalType>(count).fill(et),
    ret: EvalType.Int,
    eval(args, n, call) {
      const out = Vector.allocate(EvalType.Int, n);
      const data = out.values.data as BigInt64Array;
      const cmp = comparator(et, call.collator);
      const probe = args[0]!;
      for (let i = 0; i < n; i++) {
        if (isNullAt(probe, i)) {
          out.nulls[i] = 1;
          continue;
        }
        let sawNull = false;
        let found = false;
        for (let k = 1; k < args.length && !found; k++) {
          if (isNullAt(args[k]!, i)) sawNull = true;
          else if (cmp(probe, args[k]!, i) === 0) found = true;
        }
        if (found) data[i] = 1n;
        else if (sawNull) out.nulls[i] = 1;
        else data[i] = 0n;
      }
      return out;
    },
  };
}

function copyAt(out: Vector, i: number, a: EvalArg): void {
  out.set(i, a.vec.isNull(a.idx[i]!) ? null : (a.vec.values.data[a.idx[i]!] as Value));
}

function ifFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [3, 3],
    argTypes: () => [EvalType.Int, et, et],
    ret: et,
    eval(args, n) {
      const out = Vector.allocate(et, n);
      for (let i = 0; i < n; i++) copyAt(out, i, !isNullAt(args[0]!, i) && truthy(args[0]!, i) ? args[1]! : args[2]!);
      return out;
    },
  };
}

function ifNullFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [2, 2],
    argTypes: () => [et, et],
    ret: et,
    eval(args, n) {
      const out = Vector.allocate(et, n);
      for (let i = 0; i < n; i++) copyAt(out, i, isNullAt(args[0]!, i) ? args[1]! : args[0]!);
      return out;
    },
  };
}

function coalesceFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [1, 65535],
    argTypes: (count) => new Array<EvalType>(count).fill(et),
    ret: et,
    eval(args, n) {
      const out = Vector.allocate(et, n);
      for (let i = 0; i < n; i++) {
        out.nulls[i] = 1;
        for (const a of args) {
          if (!isNullAt(a, i)) {
            copyAt(out, i, a);
            break;
          }
        }
      }
      return out;
    },
  };
}

function caseWhenFn(name: string, et: EvalType): ScalarFunctionDef {
  return {
    name,
    arity: [1, 65535],
    argTypes: (count) => Array.from({ length: count }, (_, k) => (k % 2 === 0 && k !== count - 1 ? EvalType.Int : et)),
    ret: et,
    eval(args, n) {
      const out = Vector.allocate(et, n);
      const pairs = Math.floor(args.length / 2);
      const hasElse = args.length % 2 === 1;
      for (let i = 0; i < n; i++) {
        let done = false;
        for (let k = 0; k < pairs; k++) {
          const cond = args[2 * k]!;
          if (!isNullAt(cond, i) && truthy(cond, i)) {
            copyAt(out, i, args[2 * k + 1]!);
            done = true;
            break;
          }
        }
        if (!done) {
          if (hasElse) copyAt(out, i, args[args.length - 1]!);
          else out.nulls[i] = 1;
        }
      }
      return out;
    },
  };
}

const likeFn: ScalarFunctionDef = {
  name: 'LikeSig',
  arity: [3, 3],
  argTypes: () => [EvalType.Bytes, EvalType.Bytes, EvalType.Int],
  ret: EvalType.Int,
  eval(args, n, call) {
    const out = Vector.allocate(EvalType.Int, n);
    const data = out.values.data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (isNullAt(args[0]!, i) || isNullAt(args[1]!, i) || isNullAt(args[2]!, i)) {
        out.nulls[i] = 1;
        continue;
      }
      data[i] = likeMatch(bytesAt(args[0]!, i), bytesAt(args[1]!, i), Number(intAt(args[2]!, i)), call.collator) ? 1n : 0n;
    }
    return out;
  },
};

function bitFn(name: string, op: '&' | '|' | '^' | '<<' | '>>'): ScalarFunctionDef {
  return strictFn(name, [EvalType.Int, EvalType.Int], EvalType.Int, (vals) => {
    const x = BigInt.asUintN(64, vals[0] as bigint);
    const y = BigInt.asUintN(64, vals[1] as bigint);
    switch (op) {
      case '&': return x & y;
      case '|': return x | y;
      case '^': return x ^ y;
      case '<<': return y >= 64n ? 0n : BigInt.asUintN(64, x << y);
      case '>>': return y >= 64n ? 0n : x >> y;
    }
  });
}

/** MySQL string-to-number prefix parse: leading spaces, sign, digits[, fraction, exponent]. */
function numericPrefix(s: string, allowFloat: boolean): { text: string; clean: boolean } {
  const trimmed = s.replace(/^[ \t\n\r]+/, '');
  const re = allowFloat ? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/ : /^[+-]?\d+/;
  const m = re.exec(trimmed);
  const text = m ? m[0] : '';
  return { text, clean: text.length > 0 && trimmed.slice(text.length).trim() === '' };
}

const castStringAsInt: ScalarFunctionDef = strictFn('CastStringAsInt', [EvalType.Bytes], EvalType.Int, (vals, call, ctx) => {
  const s = utf8Decode(vals[0] as Uint8Array);
  const { text, clean } = numericPrefix(s, true);
  if (!clean) ctx.truncated(`Truncated incorrect INTEGER value: '${s}'`);
  const intPart = /^[+-]?\d+/.exec(text)?.[0] ?? (text.startsWith('-') ? '-0' : '0');
  // MySQL rounds the fractional part when casting a decimal-looking string.
  let v = BigInt(intPart === '' || intPart === '+' || intPart === '-' ? '0' : intPart);
  const frac = /\.(\d)/.exec(text);
  if (frac !== null && !/[eE]/.test(text) && Number(frac[1]) >= 5) v += text.startsWith('-') ? -1n : 1n;
  const unsigned = isUnsigned(call.fieldType);
  if (unsigned) {
    if (v < 0n) {
      if (v < I64_MIN) {
        ctx.truncated(`Truncated incorrect INTEGER value: '${s}'`);
        return I64_MIN;
      }
      return v;
    }
    if (v > U64_MAX) {
      ctx.truncated(`Truncated incorrect INTEGER value: '${s}'`);
      return U64_MAX;
    }
    return v;
  }
  if (v > I64_MAX || v < I64_MIN) {
    ctx.truncated(`Truncated incorrect INTEGER value: '${s}'`);
    return v > 0n ? I64_MAX : I64_MIN;
  }
  return v;
});

const castStringAsReal: ScalarFunctionDef = strictFn('CastStringAsReal', [EvalType.Bytes], EvalType.Real, (vals, call, ctx) => {
  const s = utf8Decode(vals[0] as Uint8Array);
  const { text, clean } = numericPrefix(s, true);
  if (!clean) ctx.truncated(`Truncated incorrect DOUBLE value: '${s}'`);
  const v = text === '' ? 0 : Number(text);
  if (!Number.isFinite(v)) {
    ctx.truncated(`Truncated incorrect DOUBLE value: '${s}'`);
    return v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  }
  return call.fieldType.tp === MysqlType.Float ? Math.fround(v) : v;
});

const castRealAsInt: ScalarFunctionDef = strictFn('CastRealAsInt', [EvalType.Real], EvalType.Int, (vals, call, ctx) => {
  const x = vals[0] as number;
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  if (isUnsigned(call.fieldType)) {
    if (r < 0) {
      ctx.truncated(`Truncated incorrect INTEGER value: '${x}'`);
      return 0n;
    }
    if (r >= 2 ** 64) {
      ctx.truncated(`Truncated incorrect INTEGER value: '${x}'`);
      return U64_MAX;
    }
    return BigInt(r);
  }
  if (r >= 2 ** 63 || r < -(2 ** 63)) {
    ctx.truncated(`Truncated incorrect INTEGER value: '${x}'`);
    return r > 0 ? I64_MAX : I64_MIN;
  }
  return BigInt(r);
});

/** CoreTime -> YYYYMMDDhhmmss (fraction rounded half up), or YYYYMMDD for DATE. */
function timeToNumber(ct: bigint, isDate: boolean): bigint {
  let t = coreTimeToFields(ct);
  if (!isDate && t.microsecond >= 500000) t = addOneSecond(t);
  const date = BigInt(t.year * 10000 + t.month * 100 + t.day);
  if (isDate) return date;
  return date * 1000000n + BigInt(t.hour * 10000 + t.minute * 100 + t.second);
}

/**
 * Fits a string to the target type's length (TiDB `ProduceStrWithSpecifiedTp`): longer
 * values are cut to `flen` characters (bytes for binary) with a data-too-long truncation,
 * binary CHAR(n) values are zero-padded to n bytes.
 */
function castStringToLength(s: Uint8Array, ft: FieldType, ctx: EvalContext): Uint8Array {
  const flen = ft.flen ?? -1;
  if (flen < 0) return s;
  const binary = ft.charset === 'binary' || (ft.collate ?? 0) === 63 || (ft.collate ?? 0) === -63;
  if (binary) {
    if (s.length > flen) {
      ctx.truncated(`Data Too Long, field len ${flen}, data len ${s.length}`);
      return s.subarray(0, flen);
    }
    if (ft.tp === MysqlType.String && s.length < flen) {
      const padded = new Uint8Array(flen);
      padded.set(s);
      return padded;
    }
    return s;
  }
  const chars = [...utf8Decode(s)];
  if (chars.length > flen) {
    ctx.truncated(`Data Too Long, field len ${flen}, data len ${chars.length}`);
    return utf8Encode(chars.slice(0, flen).join(''));
  }
  return s;
}

/** Fields + 1 second with the fraction dropped (zero dates only lose the fraction). */
function addOneSecond(t: ReturnType<typeof coreTimeToFields>): ReturnType<typeof coreTimeToFields> {
  if (t.month === 0 || t.day === 0) return { ...t, microsecond: 0 };
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second + 1, 0);
  if (d.getUTCFullYear() > 9999) return { ...t, microsecond: 0 };
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), microsecond: 0 };
}

/** Base-10^9 words a MyDecimal holds (TiDB's 81-digit buffer). */
const DECIMAL_WORDS_MAX = 9;

/** A decimal result that does not fit TiDB's 9-word MyDecimal is an overflow error (MySQL 1690). */
function checkDecimal(d: Decimal, ctx: EvalContext, what: string): Decimal {
  if (Math.ceil(d.intDigits() / 9) + Math.ceil(d.frac / 9) > DECIMAL_WORDS_MAX) ctx.overflow('DECIMAL', what);
  return d;
}

function decimalArith(name: string, op: '+' | '-' | '*' | '/' | '%'): ScalarFunctionDef {
  return strictFn(name, [EvalType.Decimal, EvalType.Decimal], EvalType.Decimal, (vals, _call, ctx) => {
    const x = vals[0] as Decimal;
    const y = vals[1] as Decimal;
    const what = `(${x.toString()} ${op} ${y.toString()})`;
    switch (op) {
      case '+': return checkDecimal(x.add(y), ctx, what);
      case '-': return checkDecimal(x.sub(y), ctx, what);
      case '*': return checkDecimal(x.mul(y), ctx, what);
      case '/':
      case '%': {
        const r = op === '/' ? x.div(y) : x.mod(y);
        if (r === null) {
          ctx.divisionByZero();
          return null;
        }
        return checkDecimal(r, ctx, what);
      }
    }
  });
}

/**
 * Fits a decimal to the target DECIMAL(flen, decimal): rounds half up to `decimal` digits,
 * and on overflow answers the largest value of the type with a warning (SELECT) or fails.
 */
function fitDecimal(d: Decimal, ft: FieldType, ctx: EvalContext): Decimal {
  const flen = ft.flen ?? -1;
  const frac = ft.decimal ?? -1;
  let r = frac >= 0 && frac <= 30 && frac !== d.frac ? d.round(frac) : d;
  if (flen > 0 && frac >= 0 && flen >= frac && !r.fitsPrecision(flen, frac)) {
    if ((ctx.flags & DagFlag.OverflowAsWarning) === 0n) ctx.overflow('DECIMAL', d.toString());
    ctx.warn(MysqlErrorCode.DataOutOfRange, `DECIMAL value is out of range in '${d.toString()}'`);
    const max = new Decimal(10n ** BigInt(flen) - 1n, frac);
    r = d.sign() < 0 ? max.neg() : max;
  }
  return r;
}

const REGISTRY = new Map<number, ScalarFunctionDef>();

function reg(sig: number, def: ScalarFunctionDef): void {
  REGISTRY.set(sig, def);
}

const CMP_TYPES = [EvalType.Int, EvalType.Real, EvalType.Decimal, EvalType.Bytes, EvalType.DateTime, EvalType.Duration] as const;
const CMP_BASES: [number, CmpOp][] = [
  [100, 'LT'], [110, 'LE'], [120, 'GT'], [130, 'GE'], [140, 'EQ'], [150, 'NE'], [160, 'NullEQ'],
];
for (const [base, op] of CMP_BASES) {
  CMP_TYPES.forEach((et, k) => reg(base + k, compareFn(op, et)));
}
/** Per-type sig numbers for the families ordered Int, Real, Decimal, String, Time, Duration. */
const FAMILY_TYPES = [EvalType.Int, EvalType.Real, EvalType.Decimal, EvalType.Bytes, EvalType.DateTime, EvalType.Duration] as const;
FAMILY_TYPES.forEach((et, k) => {
  reg(4001 + k, inFn(`In${sigTypeName(et)}`, et));
  reg(4101 + k, ifNullFn(`IfNull${sigTypeName(et)}`, et));
  reg(4107 + k, ifFn(`If${sigTypeName(et)}`, et));
  reg(4201 + k, coalesceFn(`Coalesce${sigTypeName(et)}`, et));
  reg(4208 + k, caseWhenFn(`CaseWhen${sigTypeName(et)}`, et));
});
reg(3116, isNullFn('IntIsNull', EvalType.Int));
reg(3113, isNullFn('RealIsNull', EvalType.Real));
reg(3114, isNullFn('StringIsNull', EvalType.Bytes));
reg(3115, isNullFn('TimeIsNull', EvalType.DateTime));
reg(3112, isNullFn('DurationIsNull', EvalType.Duration));
reg(3122, isTrueFn('IntIsTrue', EvalType.Int, true, false));
reg(3123, isTrueFn('RealIsTrue', EvalType.Real, true, false));
reg(3125, isTrueFn('IntIsFalse', EvalType.Int, false, false));
reg(3126, isTrueFn('RealIsFalse', EvalType.Real, false, false));
reg(3142, isTrueFn('IntIsTrueWithNull', EvalType.Int, true, true));
reg(3143, isTrueFn('RealIsTrueWithNull', EvalType.Real, true, true));
reg(3145, isTrueFn('IntIsFalseWithNull', EvalType.Int, false, true));
reg(3146, isTrueFn('RealIsFalseWithNull', EvalType.Real, false, true));
reg(3104, strictFn('UnaryNotInt', [EvalType.Int], EvalType.Int, (v) => ((v[0] as bigint) === 0n ? 1n : 0n)));
reg(3106, strictFn('UnaryNotReal', [EvalType.Real], EvalType.Int, (v) => ((v[0] as number) === 0 ? 1n : 0n)));
reg(3108, strictFn('UnaryMinusInt', [EvalType.Int], EvalType.Int, (v, _c, ctx) => {
  const x = v[0] as bigint;
  return checkIntRange(-x, false, ctx, `-(${x})`);
}));
reg(3109, strictFn('UnaryMinusReal', [EvalType.Real], EvalType.Real, (v) => -(v[0] as number)));
reg(3101, logicalFn('LogicalAnd', 'and'));
reg(3102, logicalFn('LogicalOr', 'or'));
reg(3103, logicalFn('LogicalXor', 'xor'));
reg(203, intArith('PlusInt', '+'));
reg(207, intArith('MinusInt', '-'));
reg(210, intArith('MultiplyInt', '*'));
reg(218, intArith('MultiplyIntUnsigned', '*'));
reg(213, intArith('IntDivideInt', 'div'));
reg(217, intArith('ModInt', '%'));
reg(200, realArith('PlusReal', '+'));
reg(204, realArith('MinusReal', '-'));
reg(208, realArith('MultiplyReal', '*'));
reg(211, realArith('DivideReal', '/'));
reg(215, realArith('ModReal', '%'));
reg(2101, strictFn('AbsInt', [EvalType.Int], EvalType.Int, (v, _c, ctx) => {
  const x = v[0] as bigint;
  return checkIntRange(x < 0n ? -x : x, false, ctx, `abs(${x})`);
}));
reg(2102, strictFn('AbsUInt', [EvalType.Int], EvalType.Int, (v) => v[0] as bigint));
reg(2103, strictFn('AbsReal', [EvalType.Real], EvalType.Real, (v) => Math.abs(v[0] as number)));
reg(3118, bitFn('BitAndSig', '&'));
reg(3119, bitFn('BitOrSig', '|'));
reg(3120, bitFn('BitXorSig', '^'));
reg(3129, bitFn('LeftShift', '<<'));
reg(3130, bitFn('RightShift', '>>'));
reg(3121, strictFn('BitNegSig', [EvalType.Int], EvalType.Int, (v) => BigInt.asUintN(64, ~(v[0] as bigint))));
reg(4310, likeFn);
reg(7029, strictFn('Length', [EvalType.Bytes], EvalType.Int, (v) => BigInt((v[0] as Uint8Array).length)));
reg(7005, strictFn('CharLengthUTF8', [EvalType.Bytes], EvalType.Int, (v) => BigInt([...utf8Decode(v[0] as Uint8Array)].length)));
reg(7034, strictFn('Lower', [EvalType.Bytes], EvalType.Bytes, (v) => v[0] as Uint8Array));
reg(7064, strictFn('Upper', [EvalType.Bytes], EvalType.Bytes, (v) => v[0] as Uint8Array));
reg(7066, strictFn('LowerUTF8', [EvalType.Bytes], EvalType.Bytes, (v) => utf8Encode(utf8Decode(v[0] as Uint8Array).toLowerCase())));
reg(7063, strictFn('UpperUTF8', [EvalType.Bytes], EvalType.Bytes, (v) => utf8Encode(utf8Decode(v[0] as Uint8Array).toUpperCase())));
reg(7006, {
  name: 'Concat',
  arity: [1, 65535],
  argTypes: (count) => new Array<EvalType>(count).fill(EvalType.Bytes),
  ret: EvalType.Bytes,
  eval(args, n) {
    const out = Vector.allocate(EvalType.Bytes, n);
    outer: for (let i = 0; i < n; i++) {
      let len = 0;
      for (const a of args) {
        if (isNullAt(a, i)) {
          out.nulls[i] = 1;
          continue outer;
        }
        len += bytesAt(a, i).length;
      }
      const buf = new Uint8Array(len);
      let p = 0;
      for (const a of args) {
        buf.set(bytesAt(a, i), p);
        p += bytesAt(a, i).length;
      }
      out.set(i, buf);
    }
    return out;
  },
});
reg(1, strictFn('CastIntAsInt', [EvalType.Int], EvalType.Int, (v) => v[0] as bigint));
reg(2, strictFn('CastIntAsReal', [EvalType.Int], EvalType.Real, (v, call) => {
  const x = Number(v[0] as bigint);
  return call.fieldType.tp === MysqlType.Float ? Math.fround(x) : x;
}));
reg(3, strictFn('CastIntAsString', [EvalType.Int], EvalType.Bytes, (v) => utf8Encode((v[0] as bigint).toString())));
reg(10, castRealAsInt);
reg(11, strictFn('CastRealAsReal', [EvalType.Real], EvalType.Real, (v, call) => (call.fieldType.tp === MysqlType.Float ? Math.fround(v[0] as number) : (v[0] as number))));
reg(30, castStringAsInt);
reg(31, castStringAsReal);
reg(32, strictFn('CastStringAsString', [EvalType.Bytes], EvalType.Bytes, (v, call, ctx) => castStringToLength(v[0] as Uint8Array, call.fieldType, ctx)));
reg(40, strictFn('CastTimeAsInt', [EvalType.DateTime], EvalType.Int, (v, _call, ctx, args) => timeToNumber(timeInRequestZone(v[0] as bigint, ctx), args[0]!.fieldType.tp === MysqlType.Date)));
reg(201, decimalArith('PlusDecimal', '+'));
reg(205, decimalArith('MinusDecimal', '-'));
reg(209, decimalArith('MultiplyDecimal', '*'));
reg(212, decimalArith('DivideDecimal', '/'));
reg(216, decimalArith('ModDecimal', '%'));
reg(214, strictFn('IntDivideDecimal', [EvalType.Decimal, EvalType.Decimal], EvalType.Int, (v, call, ctx) => {
  const x = v[0] as Decimal;
  const y = v[1] as Decimal;
  if (y.isZero()) {
    ctx.divisionByZero();
    return null;
  }
  // Truncated quotient of the exact values.
  const f = Math.max(x.frac, y.frac);
  const q = x.rescale(f).unscaled / y.rescale(f).unscaled;
  return checkIntRange(q, isUnsigned(call.fieldType), ctx, `(${x.toString()} DIV ${y.toString()})`);
}));
reg(2104, strictFn('AbsDecimal', [EvalType.Decimal], EvalType.Decimal, (v) => (v[0] as Decimal).abs()));
reg(3110, strictFn('UnaryMinusDecimal', [EvalType.Decimal], EvalType.Decimal, (v) => (v[0] as Decimal).neg()));
reg(3105, strictFn('UnaryNotDecimal', [EvalType.Decimal], EvalType.Int, (v) => ((v[0] as Decimal).isZero() ? 1n : 0n)));
reg(3111, isNullFn('DecimalIsNull', EvalType.Decimal));
reg(3124, isTrueFn('DecimalIsTrue', EvalType.Decimal, true, false));
reg(3127, isTrueFn('DecimalIsFalse', EvalType.Decimal, false, false));
reg(3144, isTrueFn('DecimalIsTrueWithNull', EvalType.Decimal, true, true));
reg(3147, isTrueFn('DecimalIsFalseWithNull', EvalType.Decimal, false, true));
reg(4, strictFn('CastIntAsDecimal', [EvalType.Int], EvalType.Decimal, (v, call, ctx) => fitDecimal(Decimal.fromBigInt(v[0] as bigint), call.fieldType, ctx)));
reg(13, strictFn('CastRealAsDecimal', [EvalType.Real], EvalType.Decimal, (v, call, ctx) => fitDecimal(Decimal.fromFloat(v[0] as number), call.fieldType, ctx)));
reg(23, strictFn('CastDecimalAsDecimal', [EvalType.Decimal], EvalType.Decimal, (v, call, ctx) => fitDecimal(v[0] as Decimal, call.fieldType, ctx)));
reg(21, strictFn('CastDecimalAsReal', [EvalType.Decimal], EvalType.Real, (v, call) => {
  const x = (v[0] as Decimal).toFloat();
  return call.fieldType.tp === MysqlType.Float ? Math.fround(x) : x;
}));
reg(22, strictFn('CastDecimalAsString', [EvalType.Decimal], EvalType.Bytes, (v, call, ctx) => castStringToLength(utf8Encode((v[0] as Decimal).toString()), call.fieldType, ctx)));
reg(20, strictFn('CastDecimalAsInt', [EvalType.Decimal], EvalType.Int, (v, call, ctx) => {
  const d = v[0] as Decimal;
  const r = d.toBigIntRounded();
  const unsigned = isUnsigned(call.fieldType);
  const lo = unsigned ? 0n : I64_MIN;
  const hi = unsigned ? U64_MAX : I64_MAX;
  if (r < lo || r > hi) {
    ctx.truncated(`Truncated incorrect DECIMAL value: '${d.toString()}'`);
    return r < lo ? (unsigned && r < 0n ? 0n : lo) : hi;
  }
  return r;
}));
reg(33, strictFn('CastStringAsDecimal', [EvalType.Bytes], EvalType.Decimal, (v, call, ctx) => {
  const s = utf8Decode(v[0] as Uint8Array);
  const { text, clean } = numericPrefix(s, true);
  if (!clean) ctx.truncated(`Truncated incorrect DECIMAL value: '${s}'`);
  let d: Decimal;
  try {
    d = text === '' || text === '+' || text === '-' ? Decimal.ZERO : Decimal.parse(text);
  } catch {
    ctx.truncated(`Truncated incorrect DECIMAL value: '${s}'`);
    d = Decimal.ZERO;
  }
  return fitDecimal(d, call.fieldType, ctx);
}));
// ---- math ----
const ceilDec = (d: Decimal): Decimal => {
  const t = d.truncate(0);
  return d.compare(t) > 0 ? t.add(Decimal.ONE) : t;
};
const floorDec = (d: Decimal): Decimal => {
  const t = d.truncate(0);
  return d.compare(t) < 0 ? t.sub(Decimal.ONE) : t;
};
/** Half away from zero, as TiDB's `math.Round`. */
const roundReal = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));
reg(2109, strictFn('CeilReal', [EvalType.Real], EvalType.Real, (v) => Math.ceil(v[0] as number)));
reg(2114, strictFn('FloorReal', [EvalType.Real], EvalType.Real, (v) => Math.floor(v[0] as number)));
reg(2121, strictFn('RoundReal', [EvalType.Real], EvalType.Real, (v) => roundReal(v[0] as number)));
reg(2106, strictFn('CeilIntToInt', [EvalType.Int], EvalType.Int, (v) => v[0] as bigint));
reg(2111, strictFn('FloorIntToInt', [EvalType.Int], EvalType.Int, (v) => v[0] as bigint));
reg(2122, strictFn('RoundInt', [EvalType.Int], EvalType.Int, (v) => v[0] as bigint));
reg(2105, strictFn('CeilIntToDec', [EvalType.Int], EvalType.Decimal, (v) => Decimal.fromBigInt(v[0] as bigint)));
reg(2110, strictFn('FloorIntToDec', [EvalType.Int], EvalType.Decimal, (v) => Decimal.fromBigInt(v[0] as bigint)));
reg(2108, strictFn('CeilDecToDec', [EvalType.Decimal], EvalType.Decimal, (v) => ceilDec(v[0] as Decimal)));
reg(2113, strictFn('FloorDecToDec', [EvalType.Decimal], EvalType.Decimal, (v) => floorDec(v[0] as Decimal)));
reg(2123, strictFn('RoundDec', [EvalType.Decimal], EvalType.Decimal, (v) => (v[0] as Decimal).round(0)));
reg(2107, strictFn('CeilDecToInt', [EvalType.Decimal], EvalType.Int, (v, call, ctx) => checkIntRange(ceilDec(v[0] as Decimal).unscaled, isUnsigned(call.fieldType), ctx, `ceil(${(v[0] as Decimal).toString()})`)));
reg(2112, strictFn('FloorDecToInt', [EvalType.Decimal], EvalType.Int, (v, call, ctx) => checkIntRange(floorDec(v[0] as Decimal).unscaled, isUnsigned(call.fieldType), ctx, `floor(${(v[0] as Decimal).toString()})`)));
reg(2140, strictFn('Sign', [EvalType.Real], EvalType.Int, (v) => BigInt(Math.sign(v[0] as number) | 0)));
reg(2141, strictFn('Sqrt', [EvalType.Real], EvalType.Real, (v) => ((v[0] as number) < 0 ? null : Math.sqrt(v[0] as number))));

// ---- date and time parts ----
type Fields = ReturnType<typeof coreTimeToFields>;
const isZeroDate = (t: Fields): boolean => t.month === 0 || t.day === 0;
function utcDate(t: Fields): Date {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  return d;
}
/** MySQL `calc_daynr`: days since year 0 (TO_DAYS). */
function dayNumber(year: number, month: number, day: number): number {
  if (year === 0 && month === 0) return 0;
  let y = year;
  let delsum = 365 * y + 31 * (month - 1) + day;
  // C integer division (truncation toward zero), as MySQL computes it.
  if (month <= 2) y--;
  else delsum -= Math.trunc((month * 4 + 23) / 10);
  const temp = Math.trunc(((Math.trunc(y / 100) + 1) * 3) / 4);
  return delsum + Math.trunc(y / 4) - temp;
}
function timePart(name: string, part: (t: Fields) => number, zeroIsNull: boolean): ScalarFunctionDef {
  return strictFn(name, [EvalType.DateTime], EvalType.Int, (v, _call, ctx) => {
    const t = coreTimeToFields(v[0] as bigint);
    if (zeroIsNull && isZeroDate(t)) {
      ctx.truncated(`Incorrect datetime value: '${formatCoreTime(v[0] as bigint)}'`);
      return null;
    }
    return BigInt(part(t));
  });
}
reg(6029, timePart('Year', (t) => t.year, false));
reg(6017, timePart('Month', (t) => t.month, false));
reg(6022, timePart('DayOfMonth', (t) => t.day, false));
reg(6023, timePart('DayOfWeek', (t) => utcDate(t).getUTCDay() + 1, true));
reg(6027, timePart('WeekDay', (t) => (utcDate(t).getUTCDay() + 6) % 7, true));
reg(6024, timePart('DayOfYear', (t) => dayNumber(t.year, t.month, t.day) - dayNumber(t.year, 1, 1) + 1, true));
reg(6077, timePart('ToDays', (t) => dayNumber(t.year, t.month, t.day), true));
reg(6012, strictFn('Date', [EvalType.DateTime], EvalType.DateTime, (v) => {
  const t = coreTimeToFields(v[0] as bigint);
  return coreTimeFromFields({ ...t, hour: 0, minute: 0, second: 0, microsecond: 0 }, MysqlType.Date, 0);
}));
/**
 * UNIX_TIMESTAMP's argument range (MySQL 8.0.28+, TiDB): 1970-01-01 00:00:01.000000 UTC to
 * 3001-01-18 23:59:59.999999 UTC, in microseconds; outside → 0.
 */
const UNIX_TIMESTAMP_MICROS_MIN = 1_000_000n;
const UNIX_TIMESTAMP_MICROS_MAX = 32_536_771_199_999_999n;
/** TO_DAYS('1970-01-01'). */
const EPOCH_DAY_NUMBER = 719_528;
/**
 * Microseconds since the epoch of a time argument, or null when UNIX_TIMESTAMP answers 0
 * (zero dates, out of range). TIMESTAMP values are held in UTC already; DATETIME and DATE
 * are wall-clock times in the request's time zone.
 */
function unixMicros(ct: bigint, argTp: number | undefined, ctx: EvalContext): bigint | null {
  const t = coreTimeToFields(ct);
  if (isZeroDate(t)) return null;
  const wallSeconds = (dayNumber(t.year, t.month, t.day) - EPOCH_DAY_NUMBER) * 86_400 + t.hour * 3600 + t.minute * 60 + t.second;
  const seconds = argTp === MysqlType.Timestamp ? wallSeconds : ctx.localToUtcSeconds(wallSeconds);
  const us = BigInt(seconds) * 1_000_000n + BigInt(t.microsecond);
  return us < UNIX_TIMESTAMP_MICROS_MIN || us > UNIX_TIMESTAMP_MICROS_MAX ? null : us;
}
const clampFsp = (fsp: number | undefined): number => (fsp === undefined || fsp < 0 ? 0 : Math.min(fsp, 6));
reg(6066, strictFn('UnixTimestampInt', [EvalType.DateTime], EvalType.Int, (v, _call, ctx, args) => {
  const us = unixMicros(v[0] as bigint, args[0]!.fieldType.tp, ctx);
  // MySQL truncates the fraction (never rounds up into the next second).
  return us === null ? 0n : us / 1_000_000n;
}));
reg(6067, strictFn('UnixTimestampDec', [EvalType.DateTime], EvalType.Decimal, (v, call, ctx, args) => {
  const fsp = clampFsp(call.fieldType.decimal);
  const us = unixMicros(v[0] as bigint, args[0]!.fieldType.tp, ctx);
  return us === null ? new Decimal(0n, fsp) : new Decimal(us, 6).truncate(fsp);
}));

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (x: number, width: number): string => String(x).padStart(width, '0');
/** DATE_FORMAT specifiers served here; any other one refuses the request (never a wrong answer). */
const DATE_FORMAT_SPECIFIERS: Readonly<Record<string, (t: Fields) => string>> = {
  Y: (t) => pad(t.year, 4),
  y: (t) => pad(t.year % 100, 2),
  m: (t) => pad(t.month, 2),
  c: (t) => String(t.month),
  d: (t) => pad(t.day, 2),
  e: (t) => String(t.day),
  H: (t) => pad(t.hour, 2),
  k: (t) => String(t.hour),
  h: (t) => pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2),
  i: (t) => pad(t.minute, 2),
  s: (t) => pad(t.second, 2),
  S: (t) => pad(t.second, 2),
  f: (t) => pad(t.microsecond, 6),
  p: (t) => (t.hour < 12 ? 'AM' : 'PM'),
  W: (t) => DAY_NAMES[utcDate(t).getUTCDay()]!,
  a: (t) => DAY_NAMES[utcDate(t).getUTCDay()]!.slice(0, 3),
  M: (t) => MONTH_NAMES[t.month - 1]!,
  b: (t) => MONTH_NAMES[t.month - 1]!.slice(0, 3),
  j: (t) => pad(dayNumber(t.year, t.month, t.day) - dayNumber(t.year, 1, 1) + 1, 3),
  '%': () => '%',
};
reg(6001, strictFn('DateFormatSig', [EvalType.DateTime, EvalType.Bytes], EvalType.Bytes, (v, _call, ctx) => {
  const format = utf8Decode(v[1] as Uint8Array);
  // TiDB answers the mask "0" with "0" before looking at the time.
  if (format === '0') return utf8Encode('0');
  const t = coreTimeToFields(v[0] as bigint);
  if (isZeroDate(t)) {
    ctx.truncated(`Incorrect datetime value: '${formatCoreTime(v[0] as bigint)}'`);
    return null;
  }
  let out = '';
  for (let k = 0; k < format.length; k++) {
    const ch = format[k]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const spec = format[++k];
    const render = spec === undefined ? undefined : DATE_FORMAT_SPECIFIERS[spec];
    if (render === undefined) {
      throw new DomainError('NotImplemented', spec === undefined ? "coprocessor: DATE_FORMAT with a trailing '%' is not supported" : `coprocessor: DATE_FORMAT specifier '%${spec}' is not supported`);
    }
    out += render(t);
  }
  return utf8Encode(out);
}));
function durationPart(name: string, part: (absNs: bigint) => bigint): ScalarFunctionDef {
  return strictFn(name, [EvalType.Duration], EvalType.Int, (v) => {
    const ns = v[0] as bigint;
    return part(ns < 0n ? -ns : ns);
  });
}
reg(6013, durationPart('Hour', (ns) => ns / 3_600_000_000_000n));
reg(6014, durationPart('Minute', (ns) => (ns / 60_000_000_000n) % 60n));
reg(6015, durationPart('Second', (ns) => (ns / 1_000_000_000n) % 60n));
reg(6016, durationPart('MicroSecond', (ns) => (ns / 1000n) % 1_000_000n));

// ---- strings ----
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
/** Clamps a SQL position/length to a safe JS number. */
const clampNum = (v: bigint): number => (v > 1_000_000_000n ? 1_000_000_000 : v < -1_000_000_000n ? -1_000_000_000 : Number(v));
/** MySQL SUBSTRING over units (bytes or characters). */
function substringUnits<T>(units: T[], pos: number, len: number | undefined): T[] {
  const n = units.length;
  let start: number;
  if (pos > 0) start = pos - 1;
  else if (pos < 0) start = n + pos;
  else return [];
  if (start < 0 || start >= n) return [];
  const end = len === undefined ? n : len <= 0 ? start : Math.min(n, start + len);
  return units.slice(start, end);
}
const bytesUnits = (b: Uint8Array): string[] => [...latin1(b)];
const charUnits = (b: Uint8Array): string[] => [...utf8Decode(b)];
const joinBytes = (u: string[]): Uint8Array => fromLatin1(u.join(''));
const joinChars = (u: string[]): Uint8Array => utf8Encode(u.join(''));
reg(7055, strictFn('Substring2Args', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinBytes(substringUnits(bytesUnits(v[0] as Uint8Array), clampNum(v[1] as bigint), undefined))));
reg(7056, strictFn('Substring3Args', [EvalType.Bytes, EvalType.Int, EvalType.Int], EvalType.Bytes, (v) => joinBytes(substringUnits(bytesUnits(v[0] as Uint8Array), clampNum(v[1] as bigint), clampNum(v[2] as bigint)))));
reg(7053, strictFn('Substring2ArgsUTF8', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinChars(substringUnits(charUnits(v[0] as Uint8Array), clampNum(v[1] as bigint), undefined))));
reg(7054, strictFn('Substring3ArgsUTF8', [EvalType.Bytes, EvalType.Int, EvalType.Int], EvalType.Bytes, (v) => joinChars(substringUnits(charUnits(v[0] as Uint8Array), clampNum(v[1] as bigint), clampNum(v[2] as bigint)))));
const leftUnits = <T>(u: T[], n: number): T[] => (n <= 0 ? [] : u.slice(0, n));
const rightUnits = <T>(u: T[], n: number): T[] => (n <= 0 ? [] : u.slice(Math.max(0, u.length - n)));
reg(7028, strictFn('Left', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinBytes(leftUnits(bytesUnits(v[0] as Uint8Array), clampNum(v[1] as bigint)))));
reg(7027, strictFn('LeftUTF8', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinChars(leftUnits(charUnits(v[0] as Uint8Array), clampNum(v[1] as bigint)))));
reg(7048, strictFn('Right', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinBytes(rightUnits(bytesUnits(v[0] as Uint8Array), clampNum(v[1] as bigint)))));
reg(7047, strictFn('RightUTF8', [EvalType.Bytes, EvalType.Int], EvalType.Bytes, (v) => joinChars(rightUnits(charUnits(v[0] as Uint8Array), clampNum(v[1] as bigint)))));
function trimSpaces(b: Uint8Array, left: boolean, right: boolean): Uint8Array {
  let s = 0;
  let e = b.length;
  if (left) while (s < e && b[s] === 0x20) s++;
  if (right) while (e > s && b[e - 1] === 0x20) e--;
  return b.subarray(s, e);
}
reg(7026, strictFn('LTrim', [EvalType.Bytes], EvalType.Bytes, (v) => trimSpaces(v[0] as Uint8Array, true, false)));
reg(7042, strictFn('RTrim', [EvalType.Bytes], EvalType.Bytes, (v) => trimSpaces(v[0] as Uint8Array, false, true)));
reg(7059, strictFn('Trim1Arg', [EvalType.Bytes], EvalType.Bytes, (v) => trimSpaces(v[0] as Uint8Array, true, true)));
reg(7044, strictFn('Replace', [EvalType.Bytes, EvalType.Bytes, EvalType.Bytes], EvalType.Bytes, (v) => {
  const from = v[1] as Uint8Array;
  if (from.length === 0) return v[0] as Uint8Array;
  return fromLatin1(latin1(v[0] as Uint8Array).split(latin1(from)).join(latin1(v[2] as Uint8Array)));
}));
reg(7046, strictFn('Reverse', [EvalType.Bytes], EvalType.Bytes, (v) => (v[0] as Uint8Array).slice().reverse()));
reg(7045, strictFn('ReverseUTF8', [EvalType.Bytes], EvalType.Bytes, (v) => joinChars(charUnits(v[0] as Uint8Array).reverse())));
reg(7052, strictFn('Strcmp', [EvalType.Bytes, EvalType.Bytes], EvalType.Int, (v, call) => BigInt(Math.sign(call.collator.compare(v[0] as Uint8Array, v[1] as Uint8Array)))));
reg(7003, strictFn('ASCII', [EvalType.Bytes], EvalType.Int, (v) => BigInt((v[0] as Uint8Array)[0] ?? 0)));
reg(7001, strictFn('BitLength', [EvalType.Bytes], EvalType.Int, (v) => BigInt((v[0] as Uint8Array).length * 8)));

/**
 * MySQL LOCATE over comparable units (bytes, code points or collation weights): the 1-based
 * position of `sub` in `s` at or after the 1-based `pos`, 0 when absent or when `pos` is
 * outside 1..len(s)-len(sub)+1 (so an empty `sub` is found at `pos` up to len(s)+1).
 */
function locateUnits(sub: ArrayLike<number>, s: ArrayLike<number>, pos: number): number {
  const start = pos - 1;
  if (start < 0 || start > s.length - sub.length) return 0;
  outer: for (let i = start; i + sub.length <= s.length; i++) {
    for (let k = 0; k < sub.length; k++) if (s[i + k] !== sub[k]) continue outer;
    return i + 1;
  }
  return 0;
}
/**
 * Characters of a utf-8 string as comparable code points; under a case-insensitive collation
 * the lowercased string's, as TiDB and TiKV evaluate LOCATE (case folds, accents do not), so a
 * pushed-down LOCATE answers what TiDB answers itself.
 */
function locateChars(b: Uint8Array, collator: Collator): number[] {
  const text = utf8Decode(b);
  return Array.from(collator.likeFoldCase ? text.toLowerCase() : text, (ch) => ch.codePointAt(0)!);
}
reg(7032, strictFn('Locate2Args', [EvalType.Bytes, EvalType.Bytes], EvalType.Int, (v) => BigInt(locateUnits(v[0] as Uint8Array, v[1] as Uint8Array, 1))));
reg(7033, strictFn('Locate3Args', [EvalType.Bytes, EvalType.Bytes, EvalType.Int], EvalType.Int, (v) => BigInt(locateUnits(v[0] as Uint8Array, v[1] as Uint8Array, clampNum(v[2] as bigint)))));
reg(7030, strictFn('Locate2ArgsUTF8', [EvalType.Bytes, EvalType.Bytes], EvalType.Int, (v, call) => BigInt(locateUnits(locateChars(v[0] as Uint8Array, call.collator), locateChars(v[1] as Uint8Array, call.collator), 1))));
reg(7031, strictFn('Locate3ArgsUTF8', [EvalType.Bytes, EvalType.Bytes, EvalType.Int], EvalType.Int, (v, call) =>
  BigInt(locateUnits(locateChars(v[0] as Uint8Array, call.collator), locateChars(v[1] as Uint8Array, call.collator), clampNum(v[2] as bigint))),
));
reg(7007, {
  name: 'ConcatWS',
  arity: [2, 65535],
  argTypes: (count) => new Array<EvalType>(count).fill(EvalType.Bytes),
  ret: EvalType.Bytes,
  // NULL separator → NULL; NULL values are skipped (no separator for them); no values → ''.
  eval(args, n) {
    const out = Vector.allocate(EvalType.Bytes, n);
    const sepArg = args[0]!;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      if (isNullAt(sepArg, i)) {
        out.nulls[i] = 1;
        continue;
      }
      const sep = bytesAt(sepArg, i);
      parts.length = 0;
      for (let k = 1; k < args.length; k++) if (!isNullAt(args[k]!, i)) parts.push(bytesAt(args[k]!, i));
      let len = parts.length > 0 ? sep.length * (parts.length - 1) : 0;
      for (const part of parts) len += part.length;
      const buf = new Uint8Array(len);
      let p = 0;
      parts.forEach((part, k) => {
        if (k > 0) {
          buf.set(sep, p);
          p += sep.length;
        }
        buf.set(part, p);
        p += part.length;
      });
      out.set(i, buf);
    }
    return out;
  },
});

// ---- time and duration as numbers (TiDB `ToNumber`) ----
/** CoreTime as an exact decimal: YYYYMMDD for DATE, YYYYMMDDhhmmss[.fsp digits] otherwise. */
function timeToDecimal(ct: bigint): Decimal {
  const t = coreTimeToFields(ct);
  const date = BigInt(t.year * 10000 + t.month * 100 + t.day);
  if (coreTimeType(ct) === MysqlType.Date) return Decimal.fromBigInt(date);
  const whole = date * 1000000n + BigInt(t.hour * 10000 + t.minute * 100 + t.second);
  const fsp = coreTimeFsp(ct);
  if (fsp <= 0) return Decimal.fromBigInt(whole);
  const frac = BigInt(Math.floor(t.microsecond / 10 ** (6 - fsp)));
  return new Decimal(whole * 10n ** BigInt(fsp) + frac, fsp);
}
/** Duration (ns) as an exact decimal ±hhmmss[.fsp digits], fraction truncated to `fsp`. */
function durationToDecimal(ns: bigint, fsp: number): Decimal {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const totalSeconds = a / 1_000_000_000n;
  const hhmmss = (totalSeconds / 3600n) * 10000n + ((totalSeconds / 60n) % 60n) * 100n + (totalSeconds % 60n);
  const f = fsp >= 0 && fsp <= 6 ? fsp : 0;
  const fracDigits = (a % 1_000_000_000n) / 10n ** BigInt(9 - f);
  const unscaled = hhmmss * 10n ** BigInt(f) + (f > 0 ? fracDigits : 0n);
  return new Decimal(neg ? -unscaled : unscaled, f);
}
reg(41, strictFn('CastTimeAsReal', [EvalType.DateTime], EvalType.Real, (v, _call, ctx) => timeToDecimal(timeInRequestZone(v[0] as bigint, ctx)).toFloat()));
reg(43, strictFn('CastTimeAsDecimal', [EvalType.DateTime], EvalType.Decimal, (v, call, ctx) => fitDecimal(timeToDecimal(timeInRequestZone(v[0] as bigint, ctx)), call.fieldType, ctx)));
reg(51, strictFn('CastDurationAsReal', [EvalType.Duration], EvalType.Real, (v, _call, _ctx, args) => durationToDecimal(v[0] as bigint, args[0]!.fieldType.decimal ?? 0).toFloat()));
reg(53, strictFn('CastDurationAsDecimal', [EvalType.Duration], EvalType.Decimal, (v, call, ctx, args) => fitDecimal(durationToDecimal(v[0] as bigint, args[0]!.fieldType.decimal ?? 0), call.fieldType, ctx)));
reg(50, strictFn('CastDurationAsInt', [EvalType.Duration], EvalType.Int, (v) => {
  // Round to whole seconds half away from zero, then hhmmss.
  const ns = v[0] as bigint;
  const a = ns < 0n ? -ns : ns;
  const rounded = ((a + 500_000_000n) / 1_000_000_000n) * 1_000_000_000n;
  return durationToDecimal(ns < 0n ? -rounded : rounded, 0).unscaled;
}));

/** The implementation of a ScalarFuncSig, or undefined when this server does not have it. */
export function scalarFunction(sig: number): ScalarFunctionDef | undefined {
  return REGISTRY.get(sig);
}

/** Every implemented signature number (for tests and docs). */
export function implementedSignatures(): number[] {
  return [...REGISTRY.keys()].sort((a, b) => a - b);
}

/** The signature number of an implemented function by its tipb name (e.g. `PlusInt`). */
export function signatureByName(name: string): number | undefined {
  for (const [sig, def] of REGISTRY) if (def.name === name) return sig;
  return undefined;
}

// ---- casts to strings from times and durations ----
/** TIMESTAMPs are held in UTC; TiDB renders them in the session (request) zone. */
function timeInRequestZone(ct: bigint, ctx: EvalContext): bigint {
  if (coreTimeType(ct) !== MysqlType.Timestamp) return ct;
  return utcToLocalCoreTime(ct, ctx.zone());
}
reg(42, strictFn('CastTimeAsString', [EvalType.DateTime], EvalType.Bytes, (v, call, ctx) =>
  castStringToLength(utf8Encode(formatCoreTime(timeInRequestZone(v[0] as bigint, ctx))), call.fieldType, ctx)));
reg(52, strictFn('CastDurationAsString', [EvalType.Duration], EvalType.Bytes, (v, call, ctx, args) => {
  const fsp = args[0]!.fieldType.decimal ?? 0;
  return castStringToLength(utf8Encode(formatDuration(v[0] as bigint, fsp >= 0 && fsp <= 6 ? fsp : 0)), call.fieldType, ctx);
}));

// ---- casts to and among times and durations, REAL to string ----
/** The DATE/DATETIME/TIMESTAMP type and fsp a cast produces, from its field type. */
function timeTarget(call: FnCall): TimeTarget {
  const tp = call.fieldType.tp;
  if (tp === MysqlType.Date || tp === MysqlType.NewDate) return { tp: MysqlType.Date, fsp: 0 };
  return { tp: tp === MysqlType.Timestamp ? MysqlType.Timestamp : MysqlType.Datetime, fsp: targetFsp(call.fieldType.decimal) };
}
/** Text of the zero value of a target type (what TiKV names when a zero date is refused). */
const zeroText = (target: TimeTarget): string => (target.tp === MysqlType.Date ? '0000-00-00' : '0000-00-00 00:00:00');
/** An invalid time: NULL plus warning 1292, or the error in strict INSERT/UPDATE (TiKV `handle_invalid_time_error`). */
function invalidTimeAsNull(ctx: EvalContext, shown: string): null {
  ctx.invalidTime(`Incorrect datetime value: '${shown}'`);
  return null;
}
/** YEAR range a YEAR value cast to a time must lie in (0 stands for 0000). */
const YEAR_MIN = 1901n;
const YEAR_MAX = 2155n;
reg(5, strictFn('CastIntAsTime', [EvalType.Int], EvalType.DateTime, (v, call, ctx, args) => {
  const target = timeTarget(call);
  // TiKV works on the i64 bits: a huge unsigned value is a negative number, never a time.
  const n = BigInt.asIntN(64, v[0] as bigint);
  if (args[0]!.fieldType.tp === MysqlType.Year) {
    if (n !== 0n && (n < YEAR_MIN || n > YEAR_MAX)) {
      ctx.truncated(`Truncated incorrect YEAR value: '${n}'`);
      return null;
    }
    const t = newTime(ctx, { year: Number(n), month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0 }, target);
    // TiKV lets this failure through as the statement's error.
    if (t === null) throw new EvalError(MysqlErrorCode.Truncated, `Incorrect datetime value: '${String(n).padStart(4, '0')}-00-00'`);
    return t;
  }
  return timeFromInt(ctx, n, target) ?? invalidTimeAsNull(ctx, String(n));
}));
reg(14, strictFn('CastRealAsTime', [EvalType.Real], EvalType.DateTime, (v, call, ctx) => {
  const target = timeTarget(call);
  const x = v[0] as number;
  if (x === 0) return newTime(ctx, { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0 }, target) ?? invalidTimeAsNull(ctx, zeroText(target));
  const text = formatFloatPlain(x, false);
  return timeFromNumberText(ctx, text, target) ?? invalidTimeAsNull(ctx, text);
}));
reg(24, strictFn('CastDecimalAsTime', [EvalType.Decimal], EvalType.DateTime, (v, call, ctx) => {
  const text = (v[0] as Decimal).toString();
  return timeFromNumberText(ctx, text, timeTarget(call)) ?? invalidTimeAsNull(ctx, text);
}));
reg(34, strictFn('CastStringAsTime', [EvalType.Bytes], EvalType.DateTime, (v, call, ctx) => {
  const text = utf8Decode(v[0] as Uint8Array);
  return parseStringAsTime(ctx, text, timeTarget(call)) ?? invalidTimeAsNull(ctx, text);
}));
reg(44, strictFn('CastTimeAsTime', [EvalType.DateTime], EvalType.DateTime, (v, call, ctx) =>
  roundTime(ctx, v[0] as bigint, timeTarget(call)) ?? invalidTimeAsNull(ctx, showTime(v[0] as bigint, ctx))));
reg(54, strictFn('CastDurationAsTime', [EvalType.Duration], EvalType.DateTime, (v, call, ctx, args) => {
  const target = timeTarget(call);
  const ns = v[0] as bigint;
  return durationToTime(ctx, ns, targetFsp(args[0]!.fieldType.decimal), target) ?? invalidTimeAsNull(ctx, formatDuration(ns, targetFsp(args[0]!.fieldType.decimal)));
}));

reg(6, strictFn('CastIntAsDuration', [EvalType.Int], EvalType.Duration, (v, call, ctx) => {
  const n = BigInt.asIntN(64, v[0] as bigint);
  const r = durationFromInt(ctx, n, targetFsp(call.fieldType.decimal));
  if (r === 'overflow') {
    ctx.overflowOrWarn(`Duration value is out of range in '${n}'`);
    return null;
  }
  if (r === 'invalid') {
    ctx.truncated(`Truncated incorrect time value: '${n}'`);
    return null;
  }
  return r;
}));
/** Text → TIME, NULL plus "Truncated incorrect TIME value" when it is not one. */
function durationOfText(ctx: EvalContext, text: string, call: FnCall, overflowAsNull: boolean): bigint | null {
  const ns = parseStringAsDuration(ctx, text, targetFsp(call.fieldType.decimal), overflowAsNull);
  if (ns === null) ctx.truncated(`Truncated incorrect TIME value: '${text}'`);
  return ns;
}
reg(35, strictFn('CastStringAsDuration', [EvalType.Bytes], EvalType.Duration, (v, call, ctx) => durationOfText(ctx, utf8Decode(v[0] as Uint8Array), call, false)));
// REAL and DECIMAL go through their text (TiKV); past 838:59:59 they are NULL, not clipped.
reg(15, strictFn('CastRealAsDuration', [EvalType.Real], EvalType.Duration, (v, call, ctx) => durationOfText(ctx, formatFloatPlain(v[0] as number, false), call, true)));
reg(25, strictFn('CastDecimalAsDuration', [EvalType.Decimal], EvalType.Duration, (v, call, ctx) => durationOfText(ctx, (v[0] as Decimal).toString(), call, true)));
reg(45, strictFn('CastTimeAsDuration', [EvalType.DateTime], EvalType.Duration, (v, call, ctx) => timeToDuration(v[0] as bigint, targetFsp(call.fieldType.decimal), ctx)));
reg(55, strictFn('CastDurationAsDuration', [EvalType.Duration], EvalType.Duration, (v, call) => roundDurationTo(v[0] as bigint, targetFsp(call.fieldType.decimal))));
reg(12, strictFn('CastRealAsString', [EvalType.Real], EvalType.Bytes, (v, call, ctx, args) =>
  castStringToLength(utf8Encode(formatFloatPlain(v[0] as number, args[0]!.fieldType.tp === MysqlType.Float)), call.fieldType, ctx)));
