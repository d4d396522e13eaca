/**
 * Quorum arithmetic over a majority config and a joint (incoming, outgoing) config. An empty
 * majority config agrees to everything, so a non-joint config is a joint one whose outgoing
 * half is empty. Checked against a dumb model in quorum.test.ts.
 */

/** Outcome of counting votes. */
export enum VoteResult {
  Pending = 0,
  Lost = 1,
  Won = 2,
}

/** Sentinel for "no constraint" (an empty config's committed index). */
export const INDEX_MAX = (1n << 64n) - 1n;

/** The largest index acknowledged by a majority of `voters` (`acked` returns 0 when unknown). */
export function majorityCommittedIndex(voters: ReadonlySet<bigint>, acked: (id: bigint) => bigint): bigint {
  if (voters.size === 0) return INDEX_MAX;
  const xs: bigint[] = [];
  for (const id of voters) xs.push(acked(id));
  xs.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)); // descending
  return xs[Math.floor(xs.length / 2)]!;
}

/** Joint committed index: the smaller of both halves. */
export function jointCommittedIndex(
  incoming: ReadonlySet<bigint>,
  outgoing: ReadonlySet<bigint>,
  acked: (id: bigint) => bigint,
): bigint {
  const a = majorityCommittedIndex(incoming, acked);
  const b = majorityCommittedIndex(outgoing, acked);
  return a < b ? a : b;
}

/** Vote outcome for one majority config (`votes` maps voter id to granted). */
export function majorityVoteResult(voters: ReadonlySet<bigint>, votes: ReadonlyMap<bigint, boolean>): VoteResult {
  if (voters.size === 0) return VoteResult.Won;
  let yes = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(voters.size / 2) + 1;
  if (yes >= q) return VoteResult.Won;
  if (yes + missing >= q) return VoteResult.Pending;
  return VoteResult.Lost;
}

/** Joint vote outcome: both halves must win; either losing loses. */
export function jointVoteResult(
  incoming: ReadonlySet<bigint>,
  outgoing: ReadonlySet<bigint>,
  votes: ReadonlyMap<bigint, boolean>,
): VoteResult {
  const a = majorityVoteResult(incoming, votes);
  const b = majorityVoteResult(outgoing, votes);
  if (a === b) return a;
  if (a === VoteResult.Lost || b === VoteResult.Lost) return VoteResult.Lost;
  return VoteResult.Pending;
}
