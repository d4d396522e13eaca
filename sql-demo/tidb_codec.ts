/**
 * The one place sql-demo reaches TiDB's codecs. `src/codec/mod.ts` does not re-export
 * `src/codec/tidb/` yet; when it does, point this import at `../src/codec/mod.ts`.
 */
export * from '../src/codec/tidb/mod.ts';
