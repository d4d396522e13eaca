import { Decimal } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';
import type { Expr } from './ast.ts';

/**
 * A numeric literal as MySQL types it: digits only -> integer (bigint), with a point ->
 * exact DECIMAL, with an exponent -> DOUBLE.
 */
export function numberLiteral(v: number | string): Expr {
  const s = String(v);
  if (/^[+-]?\d+$/.test(s)) return { kind: 'lit', value: BigInt(s) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return { kind: 'lit', value: Decimal.parse(s) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(s)) return { kind: 'lit', value: Number(s) };
  throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax; bad number '${s}'`);
}

const ESCAPES: Record<string, string> = { '0': '\0', "'": "'", '"': '"', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', '\\': '\\', '%': '\\%', _: '\\_' };

/**
 * The body of a quoted string literal with MySQL's escapes applied: `\'` `\"` `\\` `\0` `\b`
 * `\n` `\r` `\t` `\Z`; `\%` and `\_` keep their backslash (they are LIKE escapes); any other
 * `\x` is `x`; a doubled quote character is one quote.
 */
export function unescapeStringBody(body: string, quote: "'" | '"'): string {
  if (!body.includes('\\') && !body.includes(quote)) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      const n = body[++i]!;
      out += ESCAPES[n] ?? n;
    } else if (c === quote && body[i + 1] === quote) {
      out += quote;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
