// Proves remote input never crashes the coprocessor: random (often ill-typed or malformed) expression trees under Selection/Projection/Aggregation/TopN end as a result, a SelectResponse.error or a DagRejected, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from './dag_types.ts';
import { DagRejected, runDag } from './dag_runner.ts';
import { MemoryScanSource } from './memory_scan_source.ts';
import { implementedSignatures } from './scalar_functions.ts';
import { E, FT, columnInfo, encodeRowV2, recordKey, tableRange } from './testing.ts';

const SEED = Number(process.env.COPR_FUZZ_SEED ?? 7);
const RUNS = Number(process.env.COPR_FUZZ_RUNS ?? 400);

const fieldTypeArb = fc.record({
  tp: fc.constantFrom(0, 1, 3, 5, 8, 10, 11, 12, 15, 245, 246, 254),
  flag: fc.constantFrom(0, 32),
  decimal: fc.integer({ min: -1, max: 40 }),
  flen: fc.integer({ min: -1, max: 70 }),
  collate: fc.constantFrom(63, -46, -45, 46, -224),
});

const { expr } = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    fc.record({ tp: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 102, 103, 107, 108, 201, 999), val: fc.uint8Array({ maxLength: 12 }), fieldType: fieldTypeArb }),
    fc.record({
      tp: fc.constant(10000),
      sig: fc.oneof(fc.constantFrom(...implementedSignatures()), fc.integer({ min: 0, max: 8000 })),
      children: fc.array(tie('expr') as fc.Arbitrary<Expr>, { maxLength: 4 }),
      fieldType: fieldTypeArb,
    }),
  ),
}));

describe('random expressions from the wire', () => {
  const enc = new TextEncoder();
  const source = new MemoryScanSource(
    [1, 2, 3].map((i) => [recordKey(1n, BigInt(i)), encodeRowV2([{ id: 2, ft: FT.int, value: i === 2 ? null : BigInt(i) }, { id: 3, ft: FT.varchar, value: enc.encode(`x${i}`) }])]),
  );
  const columns = [columnInfo(1, FT.bigint, { pkHandle: true }), columnInfo(2, FT.int), columnInfo(3, FT.varchar)];

  it(`end as a result, an evaluation error or a refusal (seed ${SEED})`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(expr, fc.constantFrom(2, 11, 3, 4), async (e, where) => {
        const exec =
          where === 2
            ? { tp: 2, selection: { conditions: [e] } }
            : where === 11
              ? { tp: 11, Projection: { exprs: [e] } }
              : where === 3
                ? { tp: 3, aggregation: { groupBy: [e], aggFunc: [E.agg(3001, FT.ubigint, E.int(1))] } }
                : { tp: 4, topN: { orderBy: [{ expr: e }], limit: 2n } };
        try {
          await runDag({ executors: [{ tp: 0, tblScan: { tableId: 1n, columns } }, exec], outputOffsets: [0], encodeType: 1, flags: 482n }, [tableRange(1n)], source, 0n);
        } catch (err) {
          if (!(err instanceof DagRejected)) throw err;
          refused++;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(0);
  });
});
