import { type Collator, generalCiCodePointWeight, utf8Decode } from './collation.ts';

const ANY_ONE = -1;
const ANY_MANY = -2;

/** Matching units: code points for character collations, bytes for binary; case-folded when asked. */
function units(s: Uint8Array, collator: Collator): number[] {
  const out: number[] = [];
  if (!collator.likeByChars) {
    for (let i = 0; i < s.length; i++) out.push(s[i]!);
    return out;
  }
  for (const ch of utf8Decode(s)) {
    const cp = ch.codePointAt(0)!;
    out.push(collator.likeFoldCase ? generalCiCodePointWeight(cp) : cp);
  }
  return out;
}

/**
 * SQL LIKE: `%` matches any run, `_` one unit, `escape` makes the next unit literal (an
 * escape at the end of the pattern stands for itself). Units and case folding follow the
 * collation; trailing spaces are significant (PAD SPACE does not apply to LIKE).
 */
export function likeMatch(target: Uint8Array, pattern: Uint8Array, escape: number, collator: Collator): boolean {
  const t = units(target, collator);
  const rawPattern = units(pattern, collator);
  const esc = collator.likeFoldCase ? generalCiCodePointWeight(escape) : escape;
  const p: number[] = [];
  for (let i = 0; i < rawPattern.length; i++) {
    const u = rawPattern[i]!;
    if (u === esc && i + 1 < rawPattern.length) {
      p.push(rawPattern[++i]!);
    } else if (u === 0x25 && !(u === esc)) {
      if (p[p.length - 1] !== ANY_MANY) p.push(ANY_MANY);
    } else if (u === 0x5f && !(u === esc)) {
      p.push(ANY_ONE);
    } else {
      p.push(u);
    }
  }
  let ti = 0;
  let pi = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === ANY_ONE || p[pi] === t[ti])) {
      ti++;
      pi++;
    } else if (pi < p.length && p[pi] === ANY_MANY) {
      starP = pi++;
      starT = ti;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === ANY_MANY) pi++;
  return pi === p.length;
}
