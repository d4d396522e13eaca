// Proves remote input cannot crash a node: random and malformed messages from peers are refused as typed errors or handled, never thrown.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../util/mod.ts';
import { newConfState, newEntry, newMessage, type Message } from './eraftpb.ts';
import { MemoryStorage } from './memory_storage.ts';
import { RAFT_CONFIG_DEFAULTS } from './raft_config.ts';
import { RawNode, isWellFormed } from './raw_node.ts';

function node(): RawNode {
  const storage = MemoryStorage.bootstrap(newConfState({ voters: [1n, 2n, 3n] }));
  return new RawNode({ ...RAFT_CONFIG_DEFAULTS, id: 1n, random: new SeededRandom(1) }, storage);
}

const arbMessage: fc.Arbitrary<Message> = fc
  .record({
    msgType: fc.integer({ min: -1, max: 20 }),
    from: fc.bigInt({ min: 0n, max: 5n }),
    term: fc.bigInt({ min: 0n, max: 6n }),
    logTerm: fc.bigInt({ min: 0n, max: 6n }),
    index: fc.bigInt({ min: 0n, max: 8n }),
    commit: fc.bigInt({ min: 0n, max: 10n }),
    reject: fc.boolean(),
    rejectHint: fc.bigInt({ min: 0n, max: 8n }),
    entries: fc.array(fc.record({ term: fc.bigInt({ min: 0n, max: 6n }), index: fc.bigInt({ min: 0n, max: 10n }), entryType: fc.integer({ min: 0, max: 3 }) }), { maxLength: 4 }),
    snap: fc.option(fc.record({ index: fc.bigInt({ min: 0n, max: 10n }), term: fc.bigInt({ min: 0n, max: 6n }) })),
  })
  .map((r) =>
    newMessage({
      msgType: r.msgType,
      to: 1n,
      from: r.from,
      term: r.term,
      logTerm: r.logTerm,
      index: r.index,
      commit: r.commit,
      reject: r.reject,
      rejectHint: r.rejectHint,
      entries: r.entries.map((e) => newEntry({ term: e.term, index: e.index, entryType: e.entryType })),
      snapshot: r.snap ? { data: new Uint8Array(0), metadata: { index: r.snap.index, term: r.snap.term, confState: newConfState({ voters: [1n, 2n, 3n] }) } } : null,
    }),
  );

describe('RawNode remote input', () => {
  it('never throws on random peer messages', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { maxLength: 30 }), fc.integer({ min: 0, max: 30 }), (msgs, ticks) => {
        const n = node();
        for (let i = 0; i < ticks; i++) n.tick();
        for (const m of msgs) {
          n.step(m);
          while (n.hasReady()) n.advance(n.ready());
        }
      }),
      { numRuns: 2000, seed: 9 },
    );
  });

  it('refuses malformed appends as a typed error', () => {
    const n = node();
    const gap = newMessage({ msgType: 3, from: 2n, term: 2n, index: 1n, logTerm: 1n, entries: [newEntry({ index: 5n, term: 2n })] });
    expect(isWellFormed(gap)).toBe(false);
    expect(n.step(gap)).toBe('invalid-message');
    expect(n.step(newMessage({ msgType: 99 as never, from: 2n, term: 2n }))).toBe('invalid-message');
  });
});
