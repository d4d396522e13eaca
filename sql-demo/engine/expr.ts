import { castToJson, compileJsonFunction, JSON_FT } from './json_functions.ts';
import { coreTimeToFields, Decimal, MysqlType } from '../tidb_codec.ts';
import { currentTimeZone, SessionTimeZone } from './time_zone.ts';
import { ER, sqlError } from '../errors.ts';
import { INTERVAL_FN, type Expr, type Literal, type Query } from '../parser/mod.ts';
import { addInterval, dateDiffDays, intervalUnit, isDateUnit, type IntervalUnit } from './date_arith.ts';
import { convertForColumn, fieldTypeFromSpec, isIntTp, isStringTp, isTimeTp, isUnsigned, type FieldType } from './column_type.ts';
import { FT } from './field_types.ts';
import type { Row } from './table_codec.ts';
import { castToTime, compareValues, hashKey, INT64_MAX, INT64_MIN, isNumeric, SqlDuration, SqlTime, toBigInt, toDecimal, toFloat, truthy, UINT64_MAX, valueToBytes, valueToString, type Value } from './value.ts';

/** One output column of a plan node. */
export interface SchemaColumn {
  /** Table alias qualifying the column (undefined for computed columns). */
  readonly qualifier?: string;
  readonly name: string;
  readonly ft: FieldType;
  /** Original table / column name (protocol column definitions). */
  readonly orgTable?: string;
  readonly orgName?: string;
  readonly db?: string;
  /** Hidden columns (ORDER BY helpers) are not returned to the client. */
  readonly hidden?: boolean;
}

/** An evaluable expression bound to an input schema. */
export interface Compiled {
  readonly eval: (row: Row) => Value;
  readonly ft: FieldType;
  /** The source expression (EXPLAIN prints it). */
  readonly text: string;
  /** Input column index when the expression is a bare column reference. */
  readonly columnIndex?: number;
  /** True when the value does not depend on the row. */
  readonly constant: boolean;
}

/** The uncorrelated subquery registry: planned at compile time, run once before the statement. */
export interface SubqueryRef {
  readonly query: Query;
  plan: unknown;
  rows?: Value[][];
  /** Set when the subquery reads columns of an enclosing query: it is re-run per outer row. */
  correlated?: boolean;
  /** The outer row a correlated subquery is evaluated for (set by the executor). */
  readonly slot: { row: Row };
}

/** Resolves a column of an enclosing query (correlated subqueries). */
export type OuterResolver = (table: string | undefined, name: string) => Compiled | undefined;

/** What expressions may read from the session (functions like DATABASE(), params, variables). */
export interface EvalContext {
  readonly params: Value[];
  readonly warnings: Array<{ level: string; code: number; message: string }>;
  currentDb(): string | undefined;
  sysVar(name: string, scope: 'session' | 'global' | 'default'): Value;
  userVar(name: string): Value;
  connectionId(): number;
  /** USER(): the name the client logged in with, `user@client-host`. */
  user(): string;
  /** CURRENT_USER(): the account that matched, `user@host-pattern`. */
  currentUser(): string;
  lastInsertId(): bigint;
  nowMs(): number;
  /** Plans a subquery in the same session (planner hook). */
  planSubquery(q: Query, outer?: OuterResolver, slot?: { row: Row }): SubqueryRef;
}

/** Resolves a column name to an input index; `undefined` = not found here. */
export type Resolver = (table: string | undefined, name: string) => number | undefined;

export const VERSION_STRING = '8.0.11-TiKV-TS-0.1.0';

/** The text form of an expression (column names of unaliased select items, EXPLAIN). */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'lit':
      return litText(e.value);
    case 'col':
      return e.table ? `${e.table}.${e.name}` : e.name;
    case 'param':
      return '?';
    case 'unary':
      return e.op === 'not' ? `not(${exprText(e.arg)})` : `${e.op}${exprText(e.arg)}`;
    case 'binary': {
      // Parenthesize operands that bind looser than this operator (on the right also equal ones: a - (b - c)).
      const p = BINARY_PRECEDENCE[e.op] ?? 0;
      const side = (x: Expr, right: boolean): string => {
        const t = exprText(x);
        if (x.kind !== 'binary') return t;
        const q = BINARY_PRECEDENCE[x.op] ?? 0;
        return q < p || (right && q === p) ? `(${t})` : t;
      };
      return `${side(e.left, false)} ${e.op} ${side(e.right, true)}`;
    }
    case 'is':
      return `${exprText(e.arg)} is ${e.not ? 'not ' : ''}${e.what}`;
    case 'in':
      return `${exprText(e.arg)} ${e.not ? 'not ' : ''}in (${e.list.map(exprText).join(', ')})`;
    case 'inSubquery':
      return `${exprText(e.arg)} ${e.not ? 'not ' : ''}in (subquery)`;
    case 'between':
      return `${exprText(e.arg)} ${e.not ? 'not ' : ''}between ${exprText(e.lo)} and ${exprText(e.hi)}`;
    case 'like':
      return `${exprText(e.arg)} ${e.not ? 'not ' : ''}like ${exprText(e.pattern)}`;
    case 'func':
      return `${e.name}(${e.args.map(exprText).join(', ')})`;
    case 'agg':
      return `${e.name}(${e.distinct ? 'distinct ' : ''}${e.arg === null ? '*' : exprText(e.arg)})`;
    case 'case':
      return 'case';
    case 'cast':
      return `cast(${exprText(e.arg)} as ${e.type.name.toLowerCase()})`;
    case 'var':
      return `${e.system ? '@@' : '@'}${e.scope === 'default' || !e.system ? '' : e.scope + '.'}${e.name}`;
    case 'subquery':
      return '(subquery)';
    case 'exists':
      return `${e.not ? 'not ' : ''}exists(subquery)`;
    case 'default':
      return 'default';
  }
}

/** MySQL's operator binding strength (higher binds tighter), for printing. */
const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1, xor: 2, and: 3,
  '=': 5, '<=>': 5, '<>': 5, '<': 5, '<=': 5, '>': 5, '>=': 5,
  '|': 6, '&': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, div: 10, '%': 10, '^': 11,
};

function litText(v: Literal): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex');
  return valueToString(v);
}

function litValue(v: Literal): Value {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return v;
}

function litType(v: Value): FieldType {
  if (v === null) return FT.null();
  if (typeof v === 'bigint') return FT.longlong(v > INT64_MAX);
  if (typeof v === 'number') return FT.double();
  if (v instanceof Decimal) return FT.decimal(Math.max(v.precision, 1), v.frac);
  if (v instanceof Uint8Array) return FT.varbinary(v.length);
  if (typeof v === 'string') return FT.varchar(Math.max(1, [...v].length));
  if (v instanceof SqlTime) return FT.datetime();
  return FT.time();
}

/** Type class used to pick arithmetic semantics. */
function numClass(ft: FieldType): 'int' | 'decimal' | 'real' {
  if (isIntTp(ft.tp) || ft.tp === MysqlType.Null) return 'int';
  if (ft.tp === MysqlType.NewDecimal) return 'decimal';
  if (isTimeTp(ft.tp) || ft.tp === MysqlType.Duration) return ft.decimal > 0 ? 'decimal' : 'int';
  return 'real';
}

function outOfRange(what: string): Error {
  return sqlError([1690, '22003'], `BIGINT value is out of range in '${what}'`);
}

function checkInt(v: bigint, unsigned: boolean, text: string): bigint {
  if (unsigned ? v < 0n || v > UINT64_MAX : v < INT64_MIN || v > INT64_MAX) throw outOfRange(text);
  return v;
}

function numericOperand(v: Exclude<Value, null>, cls: 'int' | 'decimal' | 'real'): bigint | Decimal | number {
  if (cls === 'real') return toFloat(v);
  if (cls === 'decimal') return toDecimal(v instanceof SqlTime || v instanceof SqlDuration ? v.toNumber() : v);
  if (typeof v === 'bigint') return v;
  if (v instanceof SqlTime || v instanceof SqlDuration) return BigInt(Math.trunc(v.toNumber()));
  return toBigInt(v);
}

const DIV_FRAC_INCREMENT = 4;

/**
 * Compiles our AST against an input schema (via `resolve`). MySQL semantics: NULL
 * propagates through operators, AND/OR use three-valued logic, integer arithmetic is
 * checked for BIGINT overflow, `/` yields DECIMAL (or DOUBLE for real operands), division
 * by zero yields NULL with a warning.
 */
export class ExprCompiler {
  constructor(
    private readonly ctx: EvalContext,
    private readonly resolve: Resolver,
    private readonly schema: readonly SchemaColumn[],
    /** Hook for aggregate calls (only set where aggregates are allowed). */
    private readonly aggHook?: (e: Extract<Expr, { kind: 'agg' }>) => Compiled,
    /** Columns of enclosing queries (set when compiling inside a subquery). */
    private readonly outer?: OuterResolver,
  ) {}

  /** How a subquery planned from here sees this compiler's columns (read from `slot.row`). */
  private outerScope(slot: { row: Row }): OuterResolver {
    return (t, n) => {
      const idx = this.resolve(t, n);
      if (idx !== undefined) {
        const ft = this.schema[idx]!.ft;
        return { eval: () => slot.row[idx]!, ft, text: t ? `${t}.${n}` : n, constant: false };
      }
      return this.outer?.(t, n);
    };
  }

  private subquery(q: Query): SubqueryRef {
    const slot: { row: Row } = { row: [] };
    return this.ctx.planSubquery(q, this.outerScope(slot), slot);
  }

  compile(e: Expr): Compiled {
    const text = exprText(e);
    switch (e.kind) {
      case 'lit': {
        const v = litValue(e.value);
        return { eval: () => v, ft: litType(v), text, constant: true };
      }
      case 'param': {
        const ctx = this.ctx;
        const i = e.index;
        const v0 = ctx.params[i];
        return { eval: () => ctx.params[i] ?? null, ft: v0 === undefined ? FT.varchar() : litType(v0), text, constant: true };
      }
      case 'col': {
        const idx = this.resolve(e.table, e.name);
        if (idx === undefined) {
          const o = this.outer?.(e.table, e.name);
          if (o !== undefined) return o;
        }
        if (idx === undefined) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${text}' in 'field list'`);
        return { eval: (row) => row[idx]!, ft: this.schema[idx]!.ft, text, columnIndex: idx, constant: false };
      }
      case 'var': {
        const ctx = this.ctx;
        if (e.system) {
          const v = ctx.sysVar(e.name, e.scope);
          return { eval: () => v, ft: litType(v), text, constant: true };
        }
        return { eval: () => ctx.userVar(e.name), ft: FT.varchar(), text, constant: true };
      }
      case 'default':
        throw sqlError(ER.NOT_SUPPORTED_YET, "DEFAULT is only supported as an INSERT/UPDATE value");
      case 'agg':
        if (this.aggHook === undefined) throw sqlError(ER.INVALID_GROUP_FUNC_USE, 'Invalid use of group function');
        return this.aggHook(e);
      case 'unary':
        return this.unary(e.op, this.compile(e.arg), text);
      case 'binary':
        return this.binary(e.op, this.compile(e.left), this.compile(e.right), text);
      case 'is': {
        const a = this.compile(e.arg);
        const f = e.what === 'null' ? (v: Value) => v === null : e.what === 'true' ? (v: Value) => truthy(v) === true : (v: Value) => truthy(v) === false;
        const not = e.not;
        return this.mk((row) => (f(a.eval(row)) !== not ? 1n : 0n), FT.longlong(), text, [a]);
      }
      case 'between': {
        const a = this.compile(e.arg);
        const lo = this.compile(e.lo);
        const hi = this.compile(e.hi);
        const ge = this.binary('>=', a, lo, text);
        const le = this.binary('<=', a, hi, text);
        const both = this.binary('and', ge, le, text);
        return e.not ? this.unary('not', both, text) : both;
      }
      case 'in': {
        const a = this.compile(e.arg);
        const list = e.list.map((x) => this.compile(x));
        const not = e.not;
        return this.mk(
          (row) => {
            const v = a.eval(row);
            if (v === null) return null;
            let sawNull = false;
            for (const x of list) {
              const w = x.eval(row);
              if (w === null) sawNull = true;
              else if (compareValues(v, w) === 0) return not ? 0n : 1n;
            }
            return sawNull ? null : not ? 1n : 0n;
          },
          FT.longlong(),
          text,
          [a, ...list],
        );
      }
      case 'inSubquery': {
        const a = this.compile(e.arg);
        const ref = this.subquery(e.query);
        const not = e.not;
        let set: Set<string> | undefined;
        let hasNull = false;
        let list: Value[] = [];
        let seenRows: Value[][] | undefined;
        return {
          eval: (row) => {
            if (set === undefined || seenRows !== ref.rows) {
              seenRows = ref.rows;
              const rows = ref.rows!;
              if (rows.length > 0 && rows[0]!.length !== 1) throw sqlError(ER.OPERAND_COLUMNS, 'Operand should contain 1 column(s)');
              list = rows.map((r) => r[0]!);
              set = new Set(list.filter((x) => x !== null).map(hashKey));
              hasNull = list.some((x) => x === null);
            }
            const v = a.eval(row);
            if (v === null) return list.length === 0 ? (not ? 1n : 0n) : null;
            // hashKey equality matches compareValues for same-class values; mixed classes fall back to a scan.
            let found = set.has(hashKey(v));
            if (!found && typeof v !== 'string') found = list.some((w) => w !== null && compareValues(v, w) === 0);
            if (found) return not ? 0n : 1n;
            return hasNull ? null : not ? 1n : 0n;
          },
          ft: FT.longlong(),
          text,
          constant: false,
        };
      }
      case 'exists': {
        const ref = this.subquery(e.query);
        const not = e.not;
        return { eval: () => ((ref.rows!.length > 0) !== not ? 1n : 0n), ft: FT.longlong(), text, constant: false };
      }
      case 'subquery': {
        const ref = this.subquery(e.query);
        return {
          eval: () => {
            const rows = ref.rows!;
            if (rows.length > 1) throw sqlError(ER.SUBQUERY_NO_1_ROW, 'Subquery returns more than 1 row');
            if (rows.length === 1 && rows[0]!.length !== 1) throw sqlError(ER.OPERAND_COLUMNS, 'Operand should contain 1 column(s)');
            return rows.length === 0 ? null : rows[0]![0]!;
          },
          ft: FT.varchar(),
          text,
          constant: false,
        };
      }
      case 'like': {
        const a = this.compile(e.arg);
        const p = this.compile(e.pattern);
        const esc = e.escape ? this.compile(e.escape) : undefined;
        const not = e.not;
        let cachePat: string | undefined;
        let cacheRe: RegExp | undefined;
        return this.mk(
          (row) => {
            const v = a.eval(row);
            const pv = p.eval(row);
            if (v === null || pv === null) return null;
            const ps = valueToString(pv);
            const escChar = esc ? valueToString(esc.eval(row) ?? '\\') : '\\';
            if (ps !== cachePat) {
              cachePat = ps;
              cacheRe = likeToRegExp(ps, escChar);
            }
            return cacheRe!.test(valueToString(v)) !== not ? 1n : 0n;
          },
          FT.longlong(),
          text,
          [a, p],
        );
      }
      case 'case': {
        const operand = e.operand ? this.compile(e.operand) : undefined;
        const whens = e.whens.map((w) => ({ when: this.compile(w.when), then: this.compile(w.then) }));
        const elseC = e.else ? this.compile(e.else) : undefined;
        const results = [...whens.map((w) => w.then), ...(elseC ? [elseC] : [])];
        return this.mk(
          (row) => {
            const ov = operand?.eval(row);
            for (const w of whens) {
              const wv = w.when.eval(row);
              if (operand !== undefined) {
                if (ov !== null && ov !== undefined && wv !== null && compareValues(ov, wv) === 0) return w.then.eval(row);
              } else if (truthy(wv) === true) return w.then.eval(row);
            }
            return elseC ? elseC.eval(row) : null;
          },
          unifyTypes(results.map((r) => r.ft)),
          text,
          [...(operand ? [operand] : []), ...whens.flatMap((w) => [w.when, w.then]), ...(elseC ? [elseC] : [])],
        );
      }
      case 'cast':
        return this.cast(this.compile(e.arg), e.type, text);
      case 'func':
        return this.func(e.name, e.args, text);
    }
  }

  private mk(f: (row: Row) => Value, ft: FieldType, text: string, deps: readonly Compiled[]): Compiled {
    const constant = deps.every((d) => d.constant);
    return { eval: f, ft, text, constant };
  }

  unary(op: '-' | 'not' | '~' | '+', a: Compiled, text: string): Compiled {
    switch (op) {
      case '+':
        return a;
      case 'not':
        return this.mk((row) => {
          const t = truthy(a.eval(row));
          return t === null ? null : t ? 0n : 1n;
        }, FT.longlong(), text, [a]);
      case '~':
        return this.mk((row) => {
          const v = a.eval(row);
          return v === null ? null : ~toBigInt(v) & UINT64_MAX;
        }, FT.longlong(true), text, [a]);
      case '-': {
        const cls = numClass(a.ft);
        return this.mk((row) => {
          const v = a.eval(row);
          if (v === null) return null;
          const n = numericOperand(v, cls);
          if (typeof n === 'bigint') return checkInt(-n, false, text);
          if (n instanceof Decimal) return n.neg();
          return -n;
        }, cls === 'int' ? FT.longlong() : a.ft, text, [a]);
      }
    }
  }

  binary(op: string, l: Compiled, r: Compiled, text: string): Compiled {
    switch (op) {
      case 'and':
        return this.mk((row) => {
          const a = truthy(l.eval(row));
          if (a === false) return 0n;
          const b = truthy(r.eval(row));
          if (b === false) return 0n;
          return a === null || b === null ? null : 1n;
        }, FT.longlong(), text, [l, r]);
      case 'or':
        return this.mk((row) => {
          const a = truthy(l.eval(row));
          if (a === true) return 1n;
          const b = truthy(r.eval(row));
          if (b === true) return 1n;
          return a === null || b === null ? null : 0n;
        }, FT.longlong(), text, [l, r]);
      case 'xor':
        return this.mk((row) => {
          const a = truthy(l.eval(row));
          const b = truthy(r.eval(row));
          return a === null || b === null ? null : a !== b ? 1n : 0n;
        }, FT.longlong(), text, [l, r]);
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const test = op === '=' ? (c: number) => c === 0 : op === '<>' ? (c: number) => c !== 0 : op === '<' ? (c: number) => c < 0 : op === '<=' ? (c: number) => c <= 0 : op === '>' ? (c: number) => c > 0 : (c: number) => c >= 0;
        // A string compared with a time column compares as time (MySQL converts the constant).
        const lt = isTimeTp(l.ft.tp);
        const rt = isTimeTp(r.ft.tp);
        return this.mk((row) => {
          let a = l.eval(row);
          let b = r.eval(row);
          if (a === null || b === null) return null;
          if (lt && typeof b === 'string') b = castToTime(b, l.ft.tp, 6);
          if (rt && typeof a === 'string') a = castToTime(a, r.ft.tp, 6);
          return test(compareValues(a, b)) ? 1n : 0n;
        }, FT.longlong(), text, [l, r]);
      }
      case '<=>':
        return this.mk((row) => {
          const a = l.eval(row);
          const b = r.eval(row);
          if (a === null || b === null) return a === null && b === null ? 1n : 0n;
          return compareValues(a, b) === 0 ? 1n : 0n;
        }, FT.longlong(), text, [l, r]);
      case '&':
      case '|':
      case '^':
      case '<<':
      case '>>':
        return this.mk((row) => {
          const a = l.eval(row);
          const b = r.eval(row);
          if (a === null || b === null) return null;
          const x = BigInt.asUintN(64, toBigInt(a));
          const y = BigInt.asUintN(64, toBigInt(b));
          const res = op === '&' ? x & y : op === '|' ? x | y : op === '^' ? x ^ y : op === '<<' ? (y >= 64n ? 0n : (x << y) & UINT64_MAX) : y >= 64n ? 0n : x >> y;
          return res;
        }, FT.longlong(true), text, [l, r]);
      case '+':
      case '-':
      case '*':
        return this.arith(op, l, r, text);
      case '/':
        return this.divide(l, r, text);
      case 'div':
        return this.intDiv(l, r, text);
      case '%':
        return this.mod(l, r, text);
    }
    throw sqlError(ER.NOT_SUPPORTED_YET, `operator ${op}`);
  }

  private resultClass(l: Compiled, r: Compiled): 'int' | 'decimal' | 'real' {
    const a = numClass(l.ft);
    const b = numClass(r.ft);
    if (a === 'real' || b === 'real' || isStringTp(l.ft.tp) || isStringTp(r.ft.tp)) return 'real';
    if (a === 'decimal' || b === 'decimal') return 'decimal';
    return 'int';
  }

  private arith(op: '+' | '-' | '*', l: Compiled, r: Compiled, text: string): Compiled {
    const cls = this.resultClass(l, r);
    const unsigned = cls === 'int' && isUnsigned(l.ft) && isUnsigned(r.ft);
    const ft = cls === 'int' ? FT.longlong(unsigned) : cls === 'real' ? FT.double() : FT.decimal(65, op === '*' ? Math.max(0, l.ft.decimal) + Math.max(0, r.ft.decimal) : Math.max(l.ft.decimal, r.ft.decimal, 0));
    return this.mk((row) => {
      const a = l.eval(row);
      const b = r.eval(row);
      if (a === null || b === null) return null;
      const x = numericOperand(a, cls);
      const y = numericOperand(b, cls);
      if (typeof x === 'bigint') {
        const yb = y as bigint;
        return checkInt(op === '+' ? x + yb : op === '-' ? x - yb : x * yb, unsigned, text);
      }
      if (x instanceof Decimal) {
        const yd = y as Decimal;
        return op === '+' ? x.add(yd) : op === '-' ? x.sub(yd) : x.mul(yd);
      }
      const yf = y as number;
      const res = op === '+' ? x + yf : op === '-' ? x - yf : x * yf;
      if (!Number.isFinite(res)) throw sqlError([1690, '22003'], `DOUBLE value is out of range in '${text}'`);
      return res;
    }, ft, text, [l, r]);
  }

  private divByZero(): null {
    this.ctx.warnings.push({ level: 'Warning', code: ER.DIVISION_BY_ZERO[0], message: 'Division by 0' });
    return null;
  }

  private divide(l: Compiled, r: Compiled, text: string): Compiled {
    const cls = this.resultClass(l, r) === 'real' ? 'real' : 'decimal';
    const ft = cls === 'real' ? FT.double() : FT.decimal(65, Math.max(0, l.ft.decimal) + DIV_FRAC_INCREMENT);
    return this.mk((row) => {
      const a = l.eval(row);
      const b = r.eval(row);
      if (a === null || b === null) return null;
      if (cls === 'real') {
        const y = toFloat(b);
        if (y === 0) return this.divByZero();
        return toFloat(a) / y;
      }
      const y = numericOperand(b, 'decimal') as Decimal;
      if (y.isZero()) return this.divByZero();
      return (numericOperand(a, 'decimal') as Decimal).div(y, DIV_FRAC_INCREMENT);
    }, ft, text, [l, r]);
  }

  private intDiv(l: Compiled, r: Compiled, text: string): Compiled {
    const cls = this.resultClass(l, r);
    return this.mk((row) => {
      const a = l.eval(row);
      const b = r.eval(row);
      if (a === null || b === null) return null;
      if (cls === 'int') {
        const y = numericOperand(b, 'int') as bigint;
        if (y === 0n) return this.divByZero();
        return checkInt((numericOperand(a, 'int') as bigint) / y, false, text);
      }
      const y = toDecimal(b);
      if (y.isZero()) return this.divByZero();
      const q = toDecimal(a).div(y, DIV_FRAC_INCREMENT);
      return q === null ? null : checkInt(q.toBigIntTruncated(), false, text);
    }, FT.longlong(), text, [l, r]);
  }

  private mod(l: Compiled, r: Compiled, text: string): Compiled {
    const cls = this.resultClass(l, r);
    const ft = cls === 'int' ? FT.longlong(isUnsigned(l.ft)) : cls === 'real' ? FT.double() : FT.decimal(65, Math.max(l.ft.decimal, r.ft.decimal, 0));
    return this.mk((row) => {
      const a = l.eval(row);
      const b = r.eval(row);
      if (a === null || b === null) return null;
      const x = numericOperand(a, cls);
      const y = numericOperand(b, cls);
      if (typeof x === 'bigint') {
        if (y === 0n) return this.divByZero();
        return x % (y as bigint);
      }
      if (x instanceof Decimal) {
        if ((y as Decimal).isZero()) return this.divByZero();
        return x.mod(y as Decimal);
      }
      if (y === 0) return this.divByZero();
      return x % (y as number);
    }, ft, text, [l, r]);
  }

  private cast(a: Compiled, spec: { name: string; length?: number; scale?: number; unsigned: boolean }, text: string): Compiled {
    const name = spec.name === 'INT' || spec.name === 'INTEGER' || spec.name === 'BIGINT' ? (spec.unsigned ? 'UNSIGNED' : 'SIGNED') : spec.name;
    switch (name) {
      case 'SIGNED':
      case 'UNSIGNED': {
        const unsigned = name === 'UNSIGNED';
        return this.mk((row) => {
          const v = a.eval(row);
          if (v === null) return null;
          const n = typeof v === 'string' ? toBigInt(toDecimal(v).truncate(0)) : v instanceof Decimal ? v.round(0).toBigIntTruncated() : toBigInt(v);
          return unsigned ? BigInt.asUintN(64, n) : BigInt.asIntN(64, n);
        }, FT.longlong(unsigned), text, [a]);
      }
      case 'CHAR':
      case 'VARCHAR':
      case 'NCHAR':
        return this.mk((row) => {
          const v = a.eval(row);
          if (v === null) return null;
          const s = valueToString(v);
          return spec.length !== undefined ? [...s].slice(0, spec.length).join('') : s;
        }, FT.varchar(spec.length ?? 255), text, [a]);
      case 'BINARY':
        return this.mk((row) => {
          const v = a.eval(row);
          return v === null ? null : valueToBytes(v);
        }, FT.varbinary(spec.length ?? 255), text, [a]);
      case 'DECIMAL': {
        const ft = fieldTypeFromSpec({ ...spec, name: 'DECIMAL' });
        return this.mk((row) => {
          const v = a.eval(row);
          if (v === null) return null;
          const d = toDecimal(v).round(ft.decimal);
          if (!d.fitsPrecision(ft.flen, ft.decimal)) throw sqlError(ER.WARN_DATA_OUT_OF_RANGE, `Out of range value for column '${text}'`);
          return d.rescale(ft.decimal);
        }, ft, text, [a]);
      }
      case 'JSON':
        return this.mk((row) => {
          const v = a.eval(row);
          return v === null ? null : castToJson(v);
        }, JSON_FT, text, [a]);
      case 'DOUBLE':
      case 'FLOAT':
      case 'REAL':
        return this.mk((row) => {
          const v = a.eval(row);
          return v === null ? null : toFloat(v);
        }, FT.double(), text, [a]);
      case 'DATE':
      case 'DATETIME':
      case 'TIMESTAMP': {
        const tp = name === 'DATE' ? MysqlType.Date : MysqlType.Datetime;
        const fsp = name === 'DATE' ? 0 : spec.length ?? 0;
        return this.mk((row) => {
          const v = a.eval(row);
          if (v === null) return null;
          try {
            return castToTime(v, tp, fsp);
          } catch {
            this.ctx.warnings.push({ level: 'Warning', code: ER.TRUNCATED_WRONG_VALUE[0], message: `Incorrect datetime value: '${valueToString(v)}'` });
            return null;
          }
        }, tp === MysqlType.Date ? FT.date() : FT.datetime(fsp), text, [a]);
      }
      case 'TIME': {
        const ft = fieldTypeFromSpec({ name: 'TIME', unsigned: false, ...(spec.length !== undefined ? { length: spec.length } : {}) });
        return this.mk((row) => {
          const v = a.eval(row);
          return v === null ? null : convertForColumn(v, ft, text, 1);
        }, ft, text, [a]);
      }
      default:
        throw sqlError(ER.NOT_SUPPORTED_YET, `CAST to ${name}`);
    }
  }

  /**
   * DATE_ADD / DATE_SUB / ADDDATE / SUBDATE and `t ± INTERVAL n unit`. The result is a DATE
   * for a DATE argument and a day-or-longer unit, a DATETIME for a time argument, and a
   * string for a string argument (as MySQL types them); an invalid or out-of-range date
   * gives NULL.
   */
  private dateArith(name: string, argExprs: readonly Expr[], text: string): Compiled {
    if (argExprs.length !== 2) throw sqlError(ER.WRONG_PARAMCOUNT_TO_NATIVE_FCT, `Incorrect parameter count in the call to native function '${name}'`);
    const iv = argExprs[1]!;
    let amount: Compiled;
    let unit: IntervalUnit;
    if (iv.kind === 'func' && iv.name === INTERVAL_FN) {
      amount = this.compile(iv.args[0]!);
      const u = iv.args[1]!;
      unit = intervalUnit(u.kind === 'lit' ? String(u.value) : '');
    } else if (name === 'adddate' || name === 'subdate') {
      amount = this.compile(iv);
      unit = 'day';
    } else {
      throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax; ${name.toUpperCase()} expects INTERVAL n unit as its second argument`);
    }
    const sign = name === 'date_sub' || name === 'subdate' ? -1n : 1n;
    const base = this.compile(argExprs[0]!);
    const micro = unit === 'microsecond';
    let ft: FieldType;
    if (base.ft.tp === MysqlType.Date) ft = isDateUnit(unit) ? FT.date() : FT.datetime(micro ? 6 : 0);
    else if (isTimeTp(base.ft.tp)) ft = FT.datetime(micro ? 6 : Math.max(0, base.ft.decimal));
    else ft = FT.varchar(29);
    return this.mk((row) => {
      const v = base.eval(row);
      const n = amount.eval(row);
      if (v === null || n === null) return null;
      let t: SqlTime;
      let tp: number;
      try {
        t = v instanceof SqlTime ? v : castToTime(v, MysqlType.Datetime, 6);
      } catch {
        return null;
      }
      if (ft.tp !== MysqlType.VarString) tp = ft.tp;
      else tp = isDateUnit(unit) && !/\d[ T]\d/.test(valueToString(v)) ? MysqlType.Date : MysqlType.Datetime;
      const fsp = tp === MysqlType.Date ? 0 : ft.tp === MysqlType.VarString ? (micro || /\.\d/.test(valueToString(v)) ? 6 : 0) : ft.decimal;
      const core = addInterval(t.core, sign * toBigInt(n), unit, tp, fsp);
      if (core === null) return null;
      const out = new SqlTime(core);
      return ft.tp === MysqlType.VarString ? out.toString() : out;
    }, ft, text, [base, amount]);
  }

  private func(name: string, argExprs: readonly Expr[], text: string): Compiled {
    if (name === 'date_add' || name === 'date_sub' || name === 'adddate' || name === 'subdate') return this.dateArith(name, argExprs, text);
    if (name === INTERVAL_FN) throw sqlError(ER.PARSE_ERROR, 'You have an error in your SQL syntax; INTERVAL is allowed only in DATE_ADD/DATE_SUB or after + / -');
    const args = argExprs.map((x) => this.compile(x));
    const ctx = this.ctx;
    const arity = (min: number, max = min) => {
      if (args.length < min || args.length > max) throw sqlError(ER.WRONG_PARAMCOUNT_TO_NATIVE_FCT, `Incorrect parameter count in the call to native function '${name}'`);
    };
    const strFn = (n: number, f: (...xs: Array<Exclude<Value, null>>) => Value, ft: FieldType = FT.varchar(), max = n): Compiled => {
      arity(n, max);
      return this.mk((row) => {
        const vs = args.map((x) => x.eval(row));
        if (vs.some((v) => v === null)) return null;
        return f(...(vs as Array<Exclude<Value, null>>));
      }, ft, text, args);
    };
    const s = valueToString;
    const i = (v: Exclude<Value, null>) => Number(toBigInt(v));
    if (name.startsWith('json_')) {
      const json = compileJsonFunction(name, args, text, (fn, ft, t, as) => this.mk(fn, ft, t, as));
      if (json !== undefined) return json;
    }
    switch (name) {
      case 'concat':
        return strFn(args.length, (...xs) => xs.map(s).join(''), FT.varchar(), args.length);
      case 'concat_ws':
        arity(1, 1000);
        return this.mk((row) => {
          const sep = args[0]!.eval(row);
          if (sep === null) return null;
          return args.slice(1).map((x) => x.eval(row)).filter((v): v is Exclude<Value, null> => v !== null).map(s).join(s(sep));
        }, FT.varchar(), text, args);
      case 'length':
      case 'octet_length':
        return strFn(1, (x) => BigInt(valueToBytes(x).length), FT.longlong());
      case 'char_length':
      case 'character_length':
        return strFn(1, (x) => BigInt([...s(x)].length), FT.longlong());
      case 'upper':
      case 'ucase':
        return strFn(1, (x) => s(x).toUpperCase());
      case 'lower':
      case 'lcase':
        return strFn(1, (x) => s(x).toLowerCase());
      case 'substring':
      case 'substr':
      case 'mid':
        return strFn(2, (x, p, n) => {
          const cs = [...s(x)];
          let pos = i(p);
          if (pos === 0) return '';
          pos = pos > 0 ? pos - 1 : cs.length + pos;
          if (pos < 0) return '';
          const len = n === undefined ? cs.length : i(n);
          return len <= 0 ? '' : cs.slice(pos, pos + len).join('');
        }, FT.varchar(), 3);
      case 'left':
        return strFn(2, (x, n) => [...s(x)].slice(0, Math.max(0, i(n))).join(''));
      case 'right':
        return strFn(2, (x, n) => {
          const cs = [...s(x)];
          const k = Math.max(0, i(n));
          return k === 0 ? '' : cs.slice(-k).join('');
        });
      case 'trim':
        return strFn(1, (x) => s(x).replace(/^ +| +$/g, ''));
      case 'ltrim':
        return strFn(1, (x) => s(x).replace(/^ +/, ''));
      case 'rtrim':
        return strFn(1, (x) => s(x).replace(/ +$/, ''));
      case 'replace':
        return strFn(3, (x, from, to) => (s(from) === '' ? s(x) : s(x).split(s(from)).join(s(to))));
      case 'reverse':
        return strFn(1, (x) => [...s(x)].reverse().join(''));
      case 'repeat':
        return strFn(2, (x, n) => {
          const k = i(n);
          if (k * s(x).length > 1 << 24) throw sqlError([1301, 'HY000'], "Result of repeat() was larger than max_allowed_packet");
          return k <= 0 ? '' : s(x).repeat(k);
        });
      case 'lpad':
      case 'rpad':
        return strFn(3, (x, n, pad) => {
          const cs = [...s(x)];
          const k = i(n);
          if (k < 0) return null;
          if (cs.length >= k) return cs.slice(0, k).join('');
          const p = [...s(pad)];
          if (p.length === 0) return null;
          const fill: string[] = [];
          while (fill.length < k - cs.length) fill.push(p[fill.length % p.length]!);
          return name === 'lpad' ? fill.join('') + cs.join('') : cs.join('') + fill.join('');
        });
      case 'instr':
        return strFn(2, (x, sub) => BigInt([...s(x)].join('').indexOf(s(sub)) + 1), FT.longlong());
      case 'locate':
        return strFn(2, (sub, x, pos) => {
          const start = pos === undefined ? 0 : i(pos) - 1;
          if (start < 0) return 0n;
          return BigInt(s(x).indexOf(s(sub), start) + 1);
        }, FT.longlong(), 3);
      case 'ascii':
        return strFn(1, (x) => BigInt(valueToBytes(x)[0] ?? 0), FT.longlong());
      case 'hex':
        return strFn(1, (x) => (typeof x === 'bigint' ? BigInt.asUintN(64, x).toString(16).toUpperCase() : Buffer.from(valueToBytes(x)).toString('hex').toUpperCase()));
      case 'space':
        return strFn(1, (n) => ' '.repeat(Math.max(0, Math.min(i(n), 1 << 20))));
      case 'abs':
        return strFn(1, (x) => {
          const n = numericOperand(x, numClass(args[0]!.ft));
          if (typeof n === 'bigint') return checkInt(n < 0n ? -n : n, false, text);
          if (n instanceof Decimal) return n.abs();
          return Math.abs(n);
        }, numClass(args[0]?.ft ?? FT.double()) === 'int' ? FT.longlong() : args[0]?.ft ?? FT.double());
      case 'ceil':
      case 'ceiling':
      case 'floor': {
        const cls = numClass(args[0]?.ft ?? FT.double());
        return strFn(1, (x) => {
          const n = numericOperand(x, cls);
          if (typeof n === 'bigint') return n;
          if (n instanceof Decimal) {
            const t = n.truncate(0);
            const up = name !== 'floor';
            if (t.compare(n) === 0) return t.toBigIntTruncated();
            return t.toBigIntTruncated() + (up ? (n.sign() > 0 ? 1n : 0n) : n.sign() < 0 ? -1n : 0n);
          }
          return name === 'floor' ? Math.floor(n) : Math.ceil(n);
        }, cls === 'real' ? FT.double() : FT.longlong());
      }
      case 'round':
      case 'truncate': {
        const cls = numClass(args[0]?.ft ?? FT.double());
        return strFn(name === 'truncate' ? 2 : 1, (x, d) => {
          const frac = d === undefined ? 0 : i(d);
          const n = numericOperand(x, cls);
          if (typeof n === 'bigint') {
            if (frac >= 0) return n;
            const p = 10n ** BigInt(-frac);
            const q = n / p;
            if (name === 'truncate') return q * p;
            const rem = n - q * p;
            return (rem * 2n >= p ? q + 1n : rem * 2n <= -p ? q - 1n : q) * p;
          }
          if (n instanceof Decimal) return frac >= 0 ? (name === 'round' ? n.round(frac) : n.truncate(frac)) : toDecimal(Number(name === 'round' ? n.round(0).toBigIntTruncated() : n.toBigIntTruncated()));
          const p = 10 ** frac;
          if (name === 'truncate') return Math.trunc(n * p) / p;
          const y = Math.abs(n) * p;
          return (Math.sign(n) * Math.round(y)) / p;
        }, cls === 'int' ? FT.longlong() : cls === 'real' ? FT.double() : FT.decimal(65, 30), 2);
      }
      case 'mod':
        arity(2);
        return this.mod(args[0]!, args[1]!, text);
      case 'pow':
      case 'power':
        return strFn(2, (x, y) => Math.pow(toFloat(x), toFloat(y)), FT.double());
      case 'sqrt':
        return strFn(1, (x) => (toFloat(x) < 0 ? null : Math.sqrt(toFloat(x))), FT.double());
      case 'sign':
        return strFn(1, (x) => BigInt(Math.sign(toFloat(x))), FT.longlong());
      case 'greatest':
      case 'least':
        return strFn(args.length, (...xs) => {
          let best = xs[0]!;
          for (const x of xs.slice(1)) {
            const c = compareValues(x, best);
            if (name === 'greatest' ? c > 0 : c < 0) best = x;
          }
          return best;
        }, unifyTypes(args.map((a) => a.ft)), Math.max(2, args.length));
      case 'ifnull':
        arity(2);
        return this.mk((row) => args[0]!.eval(row) ?? args[1]!.eval(row), unifyTypes(args.map((a) => a.ft)), text, args);
      case 'coalesce':
        arity(1, 1000);
        return this.mk((row) => {
          for (const a of args) {
            const v = a.eval(row);
            if (v !== null) return v;
          }
          return null;
        }, unifyTypes(args.map((a) => a.ft)), text, args);
      case 'nullif':
        arity(2);
        return this.mk((row) => {
          const a = args[0]!.eval(row);
          const b = args[1]!.eval(row);
          return a !== null && b !== null && compareValues(a, b) === 0 ? null : a;
        }, args[0]!.ft, text, args);
      case 'if':
        arity(3);
        return this.mk((row) => (truthy(args[0]!.eval(row)) === true ? args[1]!.eval(row) : args[2]!.eval(row)), unifyTypes([args[1]!.ft, args[2]!.ft]), text, args);
      case 'isnull':
        arity(1);
        return this.mk((row) => (args[0]!.eval(row) === null ? 1n : 0n), FT.longlong(), text, args);
      case 'version':
        arity(0);
        return { eval: () => VERSION_STRING, ft: FT.varchar(64), text, constant: true };
      case 'database':
      case 'schema':
        arity(0);
        return { eval: () => ctx.currentDb() ?? null, ft: FT.varchar(64), text, constant: true };
      case 'user':
      case 'session_user':
      case 'system_user':
        arity(0);
        return { eval: () => ctx.user(), ft: FT.varchar(288), text, constant: true };
      case 'current_user':
        arity(0);
        return { eval: () => ctx.currentUser(), ft: FT.varchar(288), text, constant: true };
      case 'connection_id':
        return { eval: () => BigInt(ctx.connectionId()), ft: FT.longlong(true), text, constant: true };
      case 'last_insert_id':
        return { eval: () => ctx.lastInsertId(), ft: FT.longlong(true), text, constant: true };
      case 'now':
      case 'current_timestamp':
      case 'sysdate':
      case 'localtime':
      case 'localtimestamp':
        return { eval: () => castToTime(isoLocal(ctx.nowMs()), MysqlType.Datetime, 0), ft: FT.datetime(), text, constant: true };
      case 'curdate':
      case 'current_date':
        return { eval: () => castToTime(isoLocal(ctx.nowMs()).slice(0, 10), MysqlType.Date, 0), ft: FT.date(), text, constant: true };
      case 'curtime':
      case 'current_time':
        return { eval: () => new SqlDuration(BigInt(timeOfDaySeconds(isoLocal(ctx.nowMs()))) * 1_000_000_000n, 0), ft: FT.time(), text, constant: true };
      case 'utc_timestamp':
        return { eval: () => castToTime(SessionTimeZone.UTC.wallClockText(ctx.nowMs()).slice(0, 19), MysqlType.Datetime, 0), ft: FT.datetime(), text, constant: true };
      case 'utc_date':
        return { eval: () => castToTime(SessionTimeZone.UTC.wallClockText(ctx.nowMs()).slice(0, 10), MysqlType.Date, 0), ft: FT.date(), text, constant: true };
      case 'unix_timestamp': {
        arity(0, 1);
        if (args.length === 0) return { eval: () => BigInt(Math.floor(ctx.nowMs() / 1000)), ft: FT.longlong(), text, constant: true };
        const fsp = isTimeTp(args[0]!.ft.tp) ? Math.max(0, Math.min(6, args[0]!.ft.decimal)) : 0;
        return this.mk(
          (row) => {
            const v = args[0]!.eval(row);
            if (v === null) return null;
            let t: SqlTime;
            try {
              t = v instanceof SqlTime ? v : castToTime(v, MysqlType.Datetime, 6);
            } catch {
              return fsp === 0 ? 0n : new Decimal(0n, fsp);
            }
            const f = coreTimeToFields(t.core);
            if (f.year === 0) return fsp === 0 ? 0n : new Decimal(0n, fsp);
            // A TIMESTAMP value is the session's wall clock too, so both read in the session zone.
            const seconds = currentTimeZone().epochSecondsOf(f);
            if (seconds < 0) return fsp === 0 ? 0n : new Decimal(0n, fsp);
            if (fsp === 0) return BigInt(seconds);
            return new Decimal(BigInt(seconds) * 10n ** BigInt(fsp) + BigInt(Math.floor(f.microsecond / 10 ** (6 - fsp))), fsp);
          },
          fsp === 0 ? FT.longlong() : FT.decimal(16 + fsp, fsp),
          text,
          args,
        );
      }
      case 'from_unixtime': {
        arity(1);
        const fsp = args[0]!.ft.tp === MysqlType.NewDecimal ? Math.min(6, Math.max(0, args[0]!.ft.decimal)) : args[0]!.ft.tp === MysqlType.Double ? 6 : 0;
        return this.mk(
          (row) => {
            const v = args[0]!.eval(row);
            if (v === null) return null;
            const d = toDecimal(v);
            if (d.unscaled < 0n) return null;
            const r = d.round(6);
            const micros = r.unscaled * 10n ** BigInt(6 - r.frac);
            if (micros > FROM_UNIXTIME_MICROS_MAX) return null;
            return castToTime(currentTimeZone().wallClockText(Number(micros / 1000n)) + String(micros % 1000n).padStart(3, '0'), MysqlType.Datetime, fsp);
          },
          FT.datetime(fsp),
          text,
          args,
        );
      }
      case 'year':
      case 'month':
      case 'day':
      case 'dayofmonth':
      case 'hour':
      case 'minute':
      case 'second':
        return strFn(1, (x) => {
          const t = x instanceof SqlTime ? x : castToTime(x, MysqlType.Datetime, 6);
          const str = t.toString();
          const m = /^(\d+)-(\d+)-(\d+)(?: (\d+):(\d+):(\d+))?/.exec(str)!;
          const idx = { year: 1, month: 2, day: 3, dayofmonth: 3, hour: 4, minute: 5, second: 6 }[name]!;
          return BigInt(Number(m[idx] ?? 0));
        }, FT.longlong());
      case 'datediff':
        return strFn(2, (a, b) => {
          try {
            return dateDiffDays(castToTime(a, MysqlType.Datetime, 6).core, castToTime(b, MysqlType.Datetime, 6).core);
          } catch {
            return null;
          }
        }, FT.longlong());
      case 'regexp':
      case 'not_regexp':
        return strFn(2, (x, p) => {
          let re: RegExp;
          try {
            re = new RegExp(s(p));
          } catch {
            throw sqlError([3692, 'HY000'], `Incorrect regular expression '${s(p)}'`);
          }
          return re.test(s(x)) !== (name === 'not_regexp') ? 1n : 0n;
        }, FT.longlong());
      default:
        throw sqlError(ER.SP_DOES_NOT_EXIST, `FUNCTION ${name} does not exist`);
    }
  }
}

/** NOW() as text: the wall clock of the statement's session zone. */
function isoLocal(ms: number): string {
  return currentTimeZone().wallClockText(ms).slice(0, 19);
}

function timeOfDaySeconds(iso: string): number {
  return Number(iso.slice(11, 13)) * 3600 + Number(iso.slice(14, 16)) * 60 + Number(iso.slice(17, 19));
}

/** FROM_UNIXTIME's upper bound (MySQL 8: 3001-01-18 23:59:59.999999 UTC). */
const FROM_UNIXTIME_MICROS_MAX = 32536771199_999999n;

/** The result type of CASE/IF/COALESCE branches. */
export function unifyTypes(fts: readonly FieldType[]): FieldType {
  const real = fts.filter((f) => f.tp !== MysqlType.Null);
  if (real.length === 0) return FT.null();
  if (real.every((f) => isIntTp(f.tp))) return FT.longlong();
  if (real.every((f) => isIntTp(f.tp) || f.tp === MysqlType.NewDecimal)) return FT.decimal(65, Math.max(...real.map((f) => f.decimal)));
  if (real.every((f) => isIntTp(f.tp) || f.tp === MysqlType.NewDecimal || f.tp === MysqlType.Double || f.tp === MysqlType.Float)) return FT.double();
  if (real.every((f) => f.tp === real[0]!.tp)) return real[0]!;
  return FT.varchar();
}

/** LIKE pattern -> anchored RegExp (`%` any run, `_` one character, escape char). */
export function likeToRegExp(p: string, esc: string): RegExp {
  let re = '^';
  const cs = [...p];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === esc && i + 1 < cs.length) {
      re += escapeRe(cs[++i]!);
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(re + '$', 'u');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export { isNumeric };
