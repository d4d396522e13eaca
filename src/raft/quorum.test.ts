// Proves majority/joint commit-index and vote arithmetic against an obviously correct model on random configs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INDEX_MAX, VoteResult, jointCommittedIndex, jointVoteResult, majorityCommittedIndex, majorityVoteResult } from './quorum.ts';

/** Dumb model: the largest index i such that more than half of the voters acked >= i. */
function modelCommitted(voters: bigint[], acked: Map<bigint, bigint>): bigint {
  if (voters.length === 0) return INDEX_MAX;
  let best = 0n;
  const candidates = new Set([0n, ...voters.map((v) => acked.get(v) ?? 0n)]);
  for (const i of candidates) {
    const n = voters.filter((v) => (acked.get(v) ?? 0n) >= i).length;
    if (n * 2 > voters.length && i > best) best = i;
  }
  return best;
}

function modelVote(voters: bigint[], votes: Map<bigint, boolean>): VoteResult {
  if (voters.length === 0) return VoteResult.Won;
  const yes = voters.filter((v) => votes.get(v) === true).length;
  const undecided = voters.filter((v) => !votes.has(v)).length;
  if (yes * 2 > voters.length) return VoteResult.Won;
  if ((yes + undecided) * 2 > voters.length) return VoteResult.Pending;
  return VoteResult.Lost;
}

const ids = fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 7 }).map((xs) => xs.map((x) => BigInt(x)));
const acks = fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 20 })), { maxLength: 9 }).map((xs) => new Map(xs.map(([a, b]) => [BigInt(a), BigInt(b)])));
const votes = fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.boolean()), { maxLength: 9 }).map((xs) => new Map(xs.map(([a, b]) => [BigInt(a), b])));

describe('quorum', () => {
  it('majority committed index matches the model', () => {
    fc.assert(fc.property(ids, acks, (voters, acked) => {
      expect(majorityCommittedIndex(new Set(voters), (id) => acked.get(id) ?? 0n)).toBe(modelCommitted(voters, acked));
    }), { numRuns: 2000, seed: 1 });
  });

  it('joint committed index is the minimum of both halves', () => {
    fc.assert(fc.property(ids, ids, acks, (a, b, acked) => {
      const got = jointCommittedIndex(new Set(a), new Set(b), (id) => acked.get(id) ?? 0n);
      const x = modelCommitted(a, acked);
      const y = modelCommitted(b, acked);
      expect(got).toBe(x < y ? x : y);
    }), { numRuns: 2000, seed: 2 });
  });

  it('vote results match the model, joint needs both halves', () => {
    fc.assert(fc.property(ids, ids, votes, (a, b, v) => {
      expect(majorityVoteResult(new Set(a), v)).toBe(modelVote(a, v));
      const ra = modelVote(a, v);
      const rb = modelVote(b, v);
      const joint = ra === VoteResult.Lost || rb === VoteResult.Lost ? VoteResult.Lost : ra === VoteResult.Won && rb === VoteResult.Won ? VoteResult.Won : VoteResult.Pending;
      expect(jointVoteResult(new Set(a), new Set(b), v)).toBe(joint);
    }), { numRuns: 2000, seed: 3 });
  });
});
