/**
 * Client-visible operation histories of the key-value workload, in a shape that maps 1:1 to
 * Porcupine's `Operation` (clientId, input, call, output, return). An operation whose outcome
 * is unknown (a write that timed out) has `return: null` and is written with Porcupine's
 * "never returned" convention (a return time after every other event).
 */

/** The input of one operation. */
export interface KvInput {
  op: 'put' | 'get' | 'cas';
  key: string;
  value?: string;
  expected?: string | null;
  /** get: how the read was served (a leader's lease, or a ReadIndex round). */
  via?: 'lease' | 'read-index';
}

/** The output of one operation. */
export interface KvOutput {
  /** get: the value read (null = absent). */
  value?: string | null;
  /** cas: whether it swapped. put: always true. */
  ok?: boolean;
  /** The client never learned the outcome. */
  unknown?: boolean;
}

/** One completed (or unknown) operation. */
export interface KvOperation {
  clientId: number;
  input: KvInput;
  output: KvOutput;
  call: number;
  /** null when the outcome is unknown (may or may not have taken effect). */
  return: number | null;
}

/** A history as written to disk (one per seed). */
export interface KvHistoryFile {
  seed: number;
  operations: KvOperation[];
}

/** Return time used for unknown outcomes when exporting to Porcupine. */
export const UNKNOWN_RETURN_TIME = Number.MAX_SAFE_INTEGER;
