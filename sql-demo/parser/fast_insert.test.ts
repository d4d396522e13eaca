// Proves the bulk-INSERT fast path yields exactly the general parser's AST (random literal rows, quoting, escapes, params), and declines every other shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatement, parseStatementVia } from './adapter.ts';

const strChars = fc.constantFrom('a', 'Z', ' ', "'", '"', '\\', 'é', '😀', 'n', 't', '%', '_', '0', ',', ')', '(');
const sqlString = fc.tuple(fc.array(strChars, { maxLength: 8 }), fc.constantFrom("'", '"')).map(([cs, q]) => {
  let body = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '\\') body += i + 1 < cs.length ? '\\' + cs[++i]! : '\\\\';
    else if (c === q) body += q + q;
    else body += c;
  }
  return q + body + q;
});
const literal = fc.oneof(
  fc.bigInt({ min: -(2n ** 40n), max: 2n ** 64n - 1n }).map(String),
  fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 9999 })).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('NULL', 'null', 'TRUE', 'false', '?', '1e300', '2.5E3', '6e-10', '.5', '-0', '+7', '007'),
  sqlString,
);

describe('parseFastInsert', () => {
  it('gives the general parser\'s AST for literal-only multi-row INSERT/REPLACE', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('INSERT INTO', 'insert ignore into', 'REPLACE INTO', 'INSERT', 'replace'),
        fc.constantFrom('t', '`my t`', 'db.t', '`d`.`t`'),
        fc.option(fc.constantFrom('(a)', '(a, `b c`)', '( a ,b,c )'), { nil: undefined }),
        fc.constantFrom('VALUES', 'values', 'VALUE'),
        fc.array(fc.array(literal, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (verb, table, cols, kw, rows) => {
          const sql = `${verb} ${table} ${cols ?? ''} ${kw} ${rows.map((r) => `(${r.join(', ')})`).join(',\n ')};`;
          let general: unknown;
          try {
            general = parseStatementVia(sql, false);
          } catch {
            return; // the general parser refuses it: the fast path must not be the one that accepts it silently
          }
          expect(parseStatementVia(sql, true)).toEqual(general);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('applies MySQL string escapes on both paths', () => {
    const stmt = parseStatement(String.raw`INSERT INTO t VALUES ('O\'Brien', 'a\\b', 'c''d', "e\"f", 'g\%h', 'i\nj', 'k\Zl')`).stmt;
    expect(stmt).toMatchObject({ rows: [[{ value: "O'Brien" }, { value: 'a\\b' }, { value: "c'd" }, { value: 'e"f' }, { value: 'g\\%h' }, { value: 'i\nj' }, { value: 'k\x1al' }]] });
    const sel = parseStatement(String.raw`SELECT 'O\'Brien', 'a\\b'`).stmt;
    expect(sel).toMatchObject({ items: [{ expr: { value: "O'Brien" } }, { expr: { value: 'a\\b' } }] });
  });

  it('leaves every other INSERT shape to the general parser', () => {
    for (const sql of [
      'INSERT INTO t VALUES (1 + 2)',
      'INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2',
      'INSERT INTO t SELECT * FROM u',
      'INSERT INTO t SET a = 1',
      "INSERT INTO t VALUES (_utf8mb4'x')",
      'INSERT INTO t VALUES (DEFAULT)',
      "INSERT INTO t VALUES ('a' 'b')",
      'INSERT INTO t VALUES (-12345678901234567890)',
    ]) {
      let general: unknown;
      try {
        general = parseStatementVia(sql, false);
      } catch (e) {
        expect(() => parseStatement(sql)).toThrow((e as Error).message);
        continue;
      }
      expect(parseStatement(sql)).toEqual(general);
    }
  });
});
