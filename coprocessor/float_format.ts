/**
 * REAL → string as TiDB (`strconv.FormatFloat(v, 'f', -1, bits)`) and TiKV (Rust `Display`)
 * write it: the shortest digits that read back to the same float (of 32 bits for FLOAT
 * sources, 64 for DOUBLE), in plain positional notation, never an exponent
 * (1e21 → "1000000000000000000000", 1e-7 → "0.0000001", -0 → "-0").
 */
export function formatFloatPlain(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const text = single ? shortestSingle(a) : String(a);
  return (neg ? '-' : '') + toPlain(text);
}

/** Significant digits a 32-bit float needs at most to read back exactly. */
const FLOAT32_DIGITS_MAX = 9;

/** Shortest decimal text of a non-negative float32 value (held in a double) that reads back to it. */
function shortestSingle(a: number): string {
  const f = Math.fround(a);
  if (f === 0) return '0';
  for (let p = 1; p < FLOAT32_DIGITS_MAX; p++) {
    const t = f.toPrecision(p);
    if (Math.fround(Number(t)) === f) return t;
  }
  return f.toPrecision(FLOAT32_DIGITS_MAX);
}

/** Rewrites JS number text (maybe `d.ddde±x`, maybe with trailing fraction zeros) positionally. */
function toPlain(text: string): string {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (m === null) return text;
  const intDigits = m[1]!;
  const fracDigits = m[2] ?? '';
  const exp = Number(m[3] ?? '0');
  let digits = (intDigits + fracDigits).replace(/^0+(?=\d)/, '');
  // Position of the decimal point counted from the left of `digits`.
  let point = intDigits.replace(/^0+(?=\d)/, '').length + exp;
  if (intDigits === '0' || /^0+$/.test(intDigits)) {
    // 0.000ddd: leading zeros of the fraction move the point left.
    const lead = fracDigits.length - fracDigits.replace(/^0+/, '').length;
    digits = fracDigits.replace(/^0+/, '');
    point = -lead + exp;
    if (digits === '') return '0';
  }
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return out;
}
