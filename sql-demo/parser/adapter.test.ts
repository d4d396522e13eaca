// Proves the parser adapter maps node-sql-parser's AST to our typed AST and reports 1064/1235 for bad/unsupported SQL.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../tidb_codec.ts';
import { parseStatement, splitStatements } from './adapter.ts';

const stmt = (sql: string) => parseStatement(sql).stmt;

describe('parseStatement', () => {
  it('maps literals: ints are bigint, fixed-point is Decimal, exponent is float, strings unescape', () => {
    const s = stmt("SELECT 12345678901234567890, -9223372036854775808, 1.50, 1e3, 'it''s', x'41', TRUE, NULL") as any;
    const vals = s.items.map((i: any) => i.expr);
    expect(vals[0]).toEqual({ kind: 'lit', value: 12345678901234567890n });
    expect(vals[1].kind === 'unary' || vals[1].value === -9223372036854775808n).toBe(true);
    expect(vals[2].value).toBeInstanceOf(Decimal);
    expect((vals[2].value as Decimal).toString()).toBe('1.50');
    expect(vals[3]).toEqual({ kind: 'lit', value: 1000 });
    expect(vals[4]).toEqual({ kind: 'lit', value: "it's" });
    expect(vals[5].value).toEqual(new Uint8Array([0x41]));
    expect(vals[6]).toEqual({ kind: 'lit', value: true });
    expect(vals[7]).toEqual({ kind: 'lit', value: null });
  });

  it('numbers ? placeholders in text order', () => {
    const p = parseStatement('INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE b = ?');
    expect(p.paramCount).toBe(3);
    const s = p.stmt as any;
    expect(s.rows[0]).toEqual([{ kind: 'param', index: 0 }, { kind: 'param', index: 1 }]);
    expect(s.onDuplicate[0].value).toEqual({ kind: 'param', index: 2 });
  });

  it('maps joins, subqueries, union, group/order/limit', () => {
    const s = stmt('SELECT a.x, COUNT(DISTINCT b.y) c FROM a LEFT JOIN b ON a.id = b.id WHERE a.x IN (SELECT z FROM q) GROUP BY a.x HAVING c > 1 ORDER BY c DESC LIMIT 5, 10') as any;
    expect(s.from.kind).toBe('join');
    expect(s.from.type).toBe('left');
    expect(s.where.kind).toBe('inSubquery');
    expect(s.items[1].expr).toMatchObject({ kind: 'agg', name: 'count', distinct: true });
    expect(s.orderBy[0].desc).toBe(true);
    expect(s.limit).toEqual({ kind: 'lit', value: 10n });
    expect(s.offset).toEqual({ kind: 'lit', value: 5n });
    const u = stmt('SELECT 1 UNION ALL SELECT 2 UNION SELECT 3 ORDER BY 1 LIMIT 2') as any;
    expect(u.kind).toBe('union');
    expect(u.all).toEqual([true, false]);
    expect(u.limit).toEqual({ kind: 'lit', value: 2n });
  });

  it('maps DDL incl. BOOL, CLUSTERED and TiDB feature comments', () => {
    const s = stmt('CREATE TABLE t (a BOOL, b BIGINT UNSIGNED NOT NULL DEFAULT 3, c VARCHAR(5), PRIMARY KEY (b, c) /*T![clustered_index] NONCLUSTERED */, UNIQUE KEY u (a))') as any;
    expect(s.columns.map((c: any) => c.type.name)).toEqual(['BOOL', 'BIGINT', 'VARCHAR']);
    expect(s.columns[1].type.unsigned).toBe(true);
    expect(s.columns[1].notNull).toBe(true);
    expect(s.clustered).toBe(false);
    expect(s.indexes).toEqual([{ columns: ['b', 'c'], unique: true, primary: true }, { name: 'u', columns: ['a'], unique: true, primary: false }]);
  });

  it('recognises statements the upstream parser lacks', () => {
    expect(stmt('SHOW WARNINGS')).toEqual({ kind: 'show', what: 'warnings' });
    expect(stmt('show full tables from `my db`')).toEqual({ kind: 'show', what: 'tables', db: 'my db', full: true });
    expect(stmt("SHOW VARIABLES LIKE 'version%'")).toEqual({ kind: 'show', what: 'variables', like: 'version%' });
    expect(stmt('SET NAMES utf8mb4 COLLATE utf8mb4_bin')).toEqual({ kind: 'setNames', charset: 'utf8mb4' });
    expect(stmt('START TRANSACTION')).toEqual({ kind: 'begin' });
    expect(stmt('begin Pessimistic')).toEqual({ kind: 'begin', mode: 'pessimistic' });
    expect(stmt('BEGIN OPTIMISTIC')).toEqual({ kind: 'begin', mode: 'optimistic' });
    expect(stmt('DROP DATABASE IF EXISTS `my``db`')).toEqual({ kind: 'dropDatabase', name: 'my`db', ifExists: true });
    expect(stmt('DESC db.t')).toEqual({ kind: 'describe', table: { db: 'db', name: 't' } });
    expect(stmt('  -- only a comment\n')).toEqual({ kind: 'empty' });
  });

  it('reads literals with a signed exponent as DOUBLE, not as a column minus a number', () => {
    const sel = stmt("SELECT 6e-10, .5E+1, x6e-1, 'k1e-2' FROM t WHERE a > 1e-3") as Extract<ReturnType<typeof stmt>, { kind: 'select' }>;
    expect(sel.items.map((i) => ('expr' in i ? i.expr : null))).toEqual([
      { kind: 'lit', value: 6e-10 },
      { kind: 'lit', value: 5 },
      { kind: 'binary', op: '-', left: { kind: 'col', name: 'x6e' }, right: { kind: 'lit', value: 1n } },
      { kind: 'lit', value: 'k1e-2' },
    ]);
    expect(sel.where).toEqual({ kind: 'binary', op: '>', left: { kind: 'col', name: 'a' }, right: { kind: 'lit', value: 0.001 } });
  });

  it('raises 1064 with the parser message for syntax errors and 1235 for unsupported shapes', () => {
    expect(() => stmt('SELEC 1')).toThrow(expect.objectContaining({ code: 1064, sqlState: '42000' }));
    expect(() => stmt('SELECT 1 +')).toThrow(expect.objectContaining({ code: 1064 }));
    expect(() => stmt('SELECT ROW_NUMBER() OVER (ORDER BY a) FROM t')).toThrow(expect.objectContaining({ code: 1235 }));
  });

  it('splits scripts at semicolons outside quotes and comments', () => {
    expect(splitStatements("SELECT ';'; -- x;\nSELECT 2 /* ; */;\n# y;\nSELECT \"a;b\"")).toEqual(["SELECT ';'", 'SELECT 2', 'SELECT "a;b"']);
  });
});
