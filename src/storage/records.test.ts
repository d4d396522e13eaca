// Proves the lock and write record layouts round-trip for every field combination, match
// TiKV's byte layout on fixed examples, and that malformed persisted bytes are CorruptionError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CorruptionError } from '../util/mod.ts';
import { Lock, LockType } from './lock.ts';
import { peekStartTs, peekWrite, Write, WritePeek, WriteType } from './write.ts';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

describe('Lock record', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.record({
          lockType: fc.constantFrom(LockType.Put, LockType.Delete, LockType.Lock, LockType.Pessimistic),
          primary: bytes(40),
          startTs: u64,
          ttl: u64,
          shortValue: fc.option(bytes(255), { nil: undefined }),
          forUpdateTs: u64,
          txnSize: u64,
          minCommitTs: u64,
          useAsyncCommit: fc.boolean(),
          secondaries: fc.array(bytes(20), { maxLength: 5 }),
          rollbackTs: fc.array(u64, { maxLength: 4 }),
          txnSource: u64,
        }),
        (f) => {
          const lock = new Lock({ ...f, secondaries: f.useAsyncCommit ? f.secondaries : [] });
          const back = Lock.decode(lock.encode());
          expect(back).toEqual(lock);
        },
      ),
      { seed: 42 },
    );
  });

  it('matches the TiKV layout on a fixed example', () => {
    const lock = new Lock({ lockType: LockType.Put, primary: new Uint8Array([0x6b]), startTs: 1n, ttl: 2n, shortValue: new Uint8Array([0x76]), minCommitTs: 3n });
    // 'P', zigzag len 1 -> 0x02, 'k', var 1, var 2, 'v' len 1 'v', 'c' u64 3
    expect(Buffer.from(lock.encode()).toString('hex')).toBe('50026b010276017663' + '0000000000000003');
  });

  it('corrupt bytes are CorruptionError, never a crash', () => {
    fc.assert(
      fc.property(bytes(64), (b) => {
        try {
          Lock.decode(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptionError);
        }
      }),
      { seed: 43 },
    );
    expect(() => Lock.decode(new Uint8Array([0x50, 0x7f]))).toThrow(CorruptionError);
    expect(() => Lock.decode(new Uint8Array([0x51]))).toThrow(CorruptionError);
  });
});

describe('Write record', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.record({
          writeType: fc.constantFrom(WriteType.Put, WriteType.Delete, WriteType.Lock, WriteType.Rollback),
          startTs: u64,
          shortValue: fc.option(bytes(255), { nil: undefined }),
          hasOverlappedRollback: fc.boolean(),
          gcFence: fc.option(u64, { nil: undefined }),
          txnSource: u64,
        }),
        (f) => {
          const w = new Write({ ...f, lastChangeTs: f.txnSource & 7n, versionsToLastChange: f.txnSource & 3n });
          const bytes = w.encode();
          expect(Write.decode(bytes)).toEqual(w);
          // The scan's in-place parse sees the same record.
          const peek = new WritePeek();
          peekWrite(bytes, peek);
          expect(peek.writeType).toBe(w.writeType);
          expect(peekStartTs(bytes, peek)).toBe(w.startTs);
          expect(peek.shortValueOffset < 0 ? undefined : bytes.slice(peek.shortValueOffset, peek.shortValueOffset + peek.shortValueLength)).toEqual(w.shortValue);
          expect(peek.gcFence).toBe(w.gcFence);
          expect(peek.validAsLatestAt(f.startTs)).toBe(w.validAsLatestAt(f.startTs));
        },
      ),
      { seed: 44 },
    );
  });

  it('protected rollbacks are recognised; layout example', () => {
    expect(Write.rollback(5n, true).isProtectedRollback()).toBe(true);
    expect(Write.rollback(5n, false).isProtectedRollback()).toBe(false);
    const w = new Write({ writeType: WriteType.Put, startTs: 300n, shortValue: new Uint8Array([1, 2]) });
    // 'P', var 300 = ac 02, 'v' len 2 01 02
    expect(Buffer.from(w.encode()).toString('hex')).toBe('50ac0276020102');
  });

  it('corrupt bytes are CorruptionError, from Write.decode and peekWrite alike', () => {
    const outcome = (f: () => unknown): string => {
      try {
        f();
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptionError);
        return 'corrupt';
      }
    };
    fc.assert(
      fc.property(fc.oneof(bytes(32), fc.tuple(fc.constantFrom(0x50, 0x44, 0x4c, 0x52), bytes(24)).map(([t, rest]) => Uint8Array.of(t, ...rest))), (b) => {
        expect(outcome(() => peekWrite(b, new WritePeek()))).toBe(outcome(() => Write.decode(b)));
      }),
      { seed: 45, numRuns: 2000 },
    );
  });
});
