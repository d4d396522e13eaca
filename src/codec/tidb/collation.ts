import { DomainError } from '../../util/errors.ts';

/**
 * Collation sort keys for string columns in index keys and common handles (TiDB
 * `pkg/util/collate`, new collation framework). Under the new framework TiDB sends
 * collation ids negated; both signs are accepted here. Only the binary-comparing
 * collations are implemented (their keys are exact); case-insensitive ones throw
 * `DomainError('NotImplemented')` so that nobody writes a wrong index key silently.
 */
export const CollationId = {
  Binary: 63,
  Utf8mb4Bin: 46,
  Utf8Bin: 83,
  Latin1Bin: 47,
  AsciiBin: 65,
  GbkBin: 87,
  Gb18030Bin: 249,
  Utf8mb4_0900Bin: 309,
  Utf8mb4GeneralCi: 45,
  Utf8GeneralCi: 33,
  Utf8mb4UnicodeCi: 224,
  Utf8UnicodeCi: 192,
  Utf8mb4_0900AiCi: 255,
} as const;

const SPACE = 0x20;

/** True for `_bin` collations with PAD SPACE semantics (trailing spaces ignored). */
export function isPadSpaceBinCollation(id: number): boolean {
  const c = Math.abs(id);
  return c === CollationId.Utf8mb4Bin || c === CollationId.Utf8Bin || c === CollationId.Latin1Bin || c === CollationId.AsciiBin || c === CollationId.GbkBin || c === CollationId.Gb18030Bin;
}

/**
 * The bytes TiDB puts into a memcomparable key for string `value` under collation `id`
 * with the new collation framework: the value itself for binary and utf8mb4_0900_bin, the
 * value without trailing spaces for PAD SPACE `_bin` collations. (With the old framework,
 * or `new_collations_enabled_on_first_bootstrap = false`, every collation behaves like
 * binary: pass `CollationId.Binary`.)
 */
export function collationSortKey(id: number, value: Uint8Array): Uint8Array {
  const c = Math.abs(id);
  if (c === CollationId.Binary || c === CollationId.Utf8mb4_0900Bin || c === 0) return value;
  if (isPadSpaceBinCollation(c)) {
    let end = value.length;
    while (end > 0 && value[end - 1] === SPACE) end--;
    return end === value.length ? value : value.subarray(0, end);
  }
  throw new DomainError('NotImplemented', `collation ${id} sort keys are not implemented`);
}
