// Proves expression semantics case by case against the scenario file testdata/expressions.txt (result, warnings, errors); REWRITE=1 regenerates the expected blocks for review.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Decimal, coreTimeToFields, formatCoreTime, parseDuration, parseTime, formatDuration } from '../src/codec/tidb/mod.ts';
import { DomainError } from '../src/util/mod.ts';
import type { Expr, FieldType } from './dag_types.ts';
import { argScalar } from './eval_arg.ts';
import { EvalContext, EvalError } from './eval_context.ts';
import { EvalType, FieldFlag, MysqlType } from './field_type.ts';
import { RpnExpression } from './rpn_expression.ts';
import { scalarFunction, signatureByName } from './scalar_functions.ts';
import { TimeZone } from './time_zone.ts';
import { E, FT } from './testing.ts';
import type { Scalar } from './vector.ts';

const FILE = fileURLToPath(new URL('./testdata/expressions.txt', import.meta.url));

/**
 * Mini syntax: `Name` or `sig<number>`, then `[@ci|@bin|@unsigned|@dec(p,f)|@flen(n)|@date|@datetime(fsp)|@ts(fsp)|@fsp(n)](arg, ...)`;
 * literals `int:5`, `uint:5`, `year:2024`, `real:1.5`, `float:1.5` (FLOAT), `str:'a b'` (\' and \\ escapes), `dec:1.50`,
 * `time:'2020-01-02 03:04:05.5'`, `ts:'…'` (TIMESTAMP, UTC), `date:'2020-01-02'`, `dur:'-01:02:03'`, `null:<Int|Real|Decimal|String|Time|Duration>`.
 */
function parse(src: string): Expr {
  let p = 0;
  const ws = () => {
    while (src[p] === ' ') p++;
  };
  const quoted = (): string => {
    if (src[p] !== "'") throw new Error(`expected quote at ${p}: ${src}`);
    p++;
    let out = '';
    while (src[p] !== "'") {
      if (p >= src.length) throw new Error(`unterminated string: ${src}`);
      if (src[p] === '\\') p++;
      out += src[p++];
    }
    p++;
    return out;
  };
  const word = (): string => {
    const m = /^[A-Za-z0-9_.+-]+/.exec(src.slice(p));
    if (!m) throw new Error(`expected a word at ${p}: ${src}`);
    p += m[0].length;
    return m[0];
  };
  const node = (): Expr => {
    ws();
    const name = word();
    if (src[p] === ':') {
      p++;
      switch (name) {
        case 'int': return E.int(BigInt(word()));
        case 'year': return { ...E.int(BigInt(word())), fieldType: { tp: MysqlType.Year, flag: FieldFlag.Unsigned, flen: 4 } };
        case 'float': return { ...E.real(Math.fround(Number(word()))), fieldType: FT.float };
        case 'uint': return E.uint(BigInt(word()));
        case 'real': return E.real(Number(word()));
        case 'str': return E.str(quoted());
        case 'bin': return E.str(quoted(), FT.binary);
        case 'dec': return E.decimal(Decimal.parse(word()));
        case 'time': return { ...E.time(coreTimeToFields(parseTime(quoted(), MysqlType.Datetime, 6)), { ...FT.datetime, decimal: 6 }) };
        case 'date': return E.time(coreTimeToFields(parseTime(quoted(), MysqlType.Date, 0)), FT.date);
        case 'ts': return E.time(coreTimeToFields(parseTime(quoted(), MysqlType.Timestamp, 6)), { ...FT.timestamp, decimal: 6 });
        case 'dur': {
          const ns = parseDuration(quoted(), 6);
          const b = new Uint8Array(8);
          new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, ns) ^ (1n << 63n));
          return { tp: 103, val: b, fieldType: { ...FT.duration, decimal: 6 } };
        }
        case 'null': {
          const t = word();
          const ft = { Int: FT.bigint, Real: FT.double, Decimal: FT.decimal, String: FT.varchar, Time: FT.datetime, Duration: FT.duration }[t];
          if (ft === undefined) throw new Error(`unknown null type ${t}`);
          return E.null(ft);
        }
        default: throw new Error(`unknown literal ${name}`);
      }
    }
    const mods: string[] = [];
    while (src[p] === '@') {
      p++;
      let m = word();
      if (src[p] === '(' && (m === 'dec' || m === 'flen' || m === 'datetime' || m === 'ts' || m === 'fsp')) {
        const close = src.indexOf(')', p);
        m += src.slice(p, close + 1);
        p = close + 1;
      }
      mods.push(m);
    }
    const sig = /^sig\d+$/.test(name) ? Number(name.slice(3)) : signatureByName(name);
    if (sig === undefined) throw new Error(`unknown function ${name}`);
    ws();
    if (src[p] !== '(') throw new Error(`expected ( after ${name}`);
    p++;
    const children: Expr[] = [];
    ws();
    while (src[p] !== ')') {
      children.push(node());
      ws();
      if (src[p] === ',') p++;
      ws();
    }
    p++;
    const ret = scalarFunction(sig)?.ret ?? EvalType.Int;
    let ft: FieldType = { [EvalType.Int]: FT.bigint, [EvalType.Real]: FT.double, [EvalType.Decimal]: { tp: MysqlType.NewDecimal, flen: 65, decimal: -1 }, [EvalType.Bytes]: { ...FT.varchar, flen: -1 }, [EvalType.DateTime]: { ...FT.datetime, decimal: 6 }, [EvalType.Duration]: FT.duration }[ret as 'Int']!;
    for (const m of mods) {
      if (m === 'ci') ft = { ...ft, collate: -45 };
      else if (m === 'bin') ft = { ...ft, collate: -46 };
      else if (m === 'binary') ft = { ...ft, collate: 63, charset: 'binary' };
      else if (m === 'unsigned') ft = { ...ft, flag: (ft.flag ?? 0) | FieldFlag.Unsigned };
      else if (m === 'date') ft = FT.date;
      else if (m.startsWith('datetime(')) ft = { ...FT.datetime, decimal: Number(m.slice(9, -1)) };
      else if (m.startsWith('ts(')) ft = { ...FT.timestamp, decimal: Number(m.slice(3, -1)) };
      else if (m.startsWith('fsp(')) ft = { ...ft, decimal: Number(m.slice(4, -1)) };
      else if (m.startsWith('dec(')) {
        const [prec, frac] = m.slice(4, -1).split(',').map(Number);
        ft = { tp: MysqlType.NewDecimal, flen: prec, decimal: frac };
      } else if (m.startsWith('flen(')) ft = { ...ft, flen: Number(m.slice(5, -1)) };
      else throw new Error(`unknown modifier ${m}`);
    }
    return E.fn(sig, ft, ...children);
  };
  const e = node();
  ws();
  if (p !== src.length) throw new Error(`trailing input at ${p}: ${src}`);
  return e;
}

function show(v: Scalar, ft: FieldType): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return `'${new TextDecoder().decode(v)}' (${v.length} bytes)`;
  if (v instanceof Decimal) return `dec ${v.toString()}`;
  if (typeof v === 'number') return `real ${Object.is(v, -0) ? '-0' : String(v)}`;
  if (ft.tp === MysqlType.Duration) return `dur ${formatDuration(v, 6)}`;
  if (ft.tp === MysqlType.Datetime || ft.tp === MysqlType.Date || ft.tp === MysqlType.Timestamp) return `time ${formatCoreTime(v)}`;
  return `${((ft.flag ?? 0) & FieldFlag.Unsigned) !== 0 ? 'uint' : 'int'} ${v}`;
}

/** sql_mode names a `mode=` prefix may list (TIDB = TiDB's default sql_mode bits the evaluator reads). */
const SQL_MODES: Record<string, bigint> = {
  STRICT_TRANS_TABLES: 1n << 21n,
  NO_ZERO_IN_DATE: 1n << 23n,
  NO_ZERO_DATE: 1n << 24n,
  INVALID_DATES: 1n << 25n,
  ERROR_FOR_DIVISION_BY_ZERO: 1n << 26n,
  TIDB: (1n << 21n) | (1n << 23n) | (1n << 24n) | (1n << 26n),
};

function run(line0: string): string {
  // Prefixes: `tz=<seconds east of UTC|IANA name>` (request time zone), `mode=<NAME,...>`
  // (sql_mode replacing the default), `flags=<n>` (DAG flags replacing the default),
  // `now=<epoch ms>` (the request clock), then optionally `strict`.
  let line = line0;
  const opts: Record<string, string> = {};
  for (let m = /^(tz|mode|flags|now)=(\S+) /.exec(line); m !== null; m = /^(tz|mode|flags|now)=(\S+) /.exec(line)) {
    opts[m[1]!] = m[2]!;
    line = line.slice(m[0].length);
  }
  const tzText = opts.tz;
  const tz = tzText === undefined ? null : /^[+-]?\d+$/.test(tzText) ? TimeZone.fromRequest(undefined, BigInt(tzText)) : TimeZone.fromRequest(tzText, undefined);
  const [flagsPart, exprPart] = line.startsWith('strict ') ? ['strict', line.slice(7)] : ['select', line];
  let flags = flagsPart === 'strict' ? 0n : 482n;
  let sqlMode = flagsPart === 'strict' ? (1n << 21n) | (1n << 26n) : 0n;
  if (opts.flags !== undefined) flags = BigInt(opts.flags);
  if (opts.mode !== undefined) sqlMode = opts.mode.split(',').reduce((acc, name) => acc | (SQL_MODES[name] ?? (() => { throw new Error(`unknown sql_mode ${name}`); })()), 0n);
  const nowMs = opts.now === undefined ? null : Number(opts.now);
  const ctx = new EvalContext(flags, sqlMode, tz === null ? 0 : tz.offsetSecondsAt(0), undefined, tz, nowMs === null ? null : () => nowMs);
  try {
    const rpn = RpnExpression.build(parse(exprPart), []);
    const out = rpn.eval({ columns: [], logicalRows: new Int32Array(1) }, ctx);
    let s = show(argScalar(out, 0), rpn.fieldType);
    if (ctx.warnings.length > 0) s += `\nwarnings: ${ctx.warnings.map((w) => `${w.code} ${w.msg}`).join('; ')}`;
    return s;
  } catch (e) {
    if (e instanceof EvalError) return `error ${e.mysqlCode}: ${e.message}`;
    if (e instanceof DomainError) return `rejected: ${e.message}`;
    throw e;
  }
}

interface Case {
  input: string;
  expected: string;
}

function load(): { header: string[]; cases: Case[] } {
  const text = readFileSync(FILE, 'utf8');
  const blocks = text.split(/\n\n+/);
  const header: string[] = [];
  const cases: Case[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => l.startsWith('#'))) {
      header.push(lines.join('\n'));
      continue;
    }
    const sep = lines.indexOf('----');
    const comments = lines.filter((l) => l.startsWith('#'));
    const body = lines.filter((l) => !l.startsWith('#'));
    const sepIdx = body.indexOf('----');
    void sep;
    cases.push({ input: [...comments, body[0]!].join('\n'), expected: sepIdx < 0 ? '' : body.slice(sepIdx + 1).join('\n') });
  }
  return { header, cases };
}

describe('expression scenarios (testdata/expressions.txt)', () => {
  const { cases } = load();
  if (process.env.REWRITE === '1') {
    it('rewrites the expected results', () => {
      const text = readFileSync(FILE, 'utf8');
      const out = text.split(/\n\n+/).map((block) => {
        const lines = block.split('\n').filter((l) => l !== '');
        if (lines.length === 0 || lines.every((l) => l.startsWith('#'))) return lines.join('\n');
        const comments = lines.filter((l) => l.startsWith('#'));
        const input = lines.filter((l) => !l.startsWith('#'))[0]!;
        return [...comments, input, '----', run(input)].join('\n');
      });
      writeFileSync(FILE, `${out.filter((b) => b !== '').join('\n\n')}\n`);
    });
    return;
  }
  for (const c of cases) {
    const input = c.input.split('\n').filter((l) => !l.startsWith('#'))[0]!;
    it(input, () => {
      expect(run(input)).toBe(c.expected);
    });
  }
});
