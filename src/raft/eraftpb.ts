/**
 * TypeScript mirror of `proto/eraftpb.proto` (kvproto e166ae588106): camelCase field names,
 * bigint for 64-bit integers, numbers for enums. Structurally identical to what the protobuf
 * runtime decodes, so the store can ship these objects inside `raft_serverpb.RaftMessage`.
 */
import { assertNever } from '../util/mod.ts';

/** eraftpb.EntryType */
export enum EntryType {
  EntryNormal = 0,
  EntryConfChange = 1,
  EntryConfChangeV2 = 2,
}

/** eraftpb.MessageType */
export enum MessageType {
  MsgHup = 0,
  MsgBeat = 1,
  MsgPropose = 2,
  MsgAppend = 3,
  MsgAppendResponse = 4,
  MsgRequestVote = 5,
  MsgRequestVoteResponse = 6,
  MsgSnapshot = 7,
  MsgHeartbeat = 8,
  MsgHeartbeatResponse = 9,
  MsgUnreachable = 10,
  MsgSnapStatus = 11,
  MsgCheckQuorum = 12,
  MsgTransferLeader = 13,
  MsgTimeoutNow = 14,
  MsgReadIndex = 15,
  MsgReadIndexResp = 16,
  MsgRequestPreVote = 17,
  MsgRequestPreVoteResponse = 18,
}

/** eraftpb.ConfChangeTransition */
export enum ConfChangeTransition {
  Auto = 0,
  Implicit = 1,
  Explicit = 2,
}

/** eraftpb.ConfChangeType */
export enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  AddLearnerNode = 2,
}

/** eraftpb.Entry */
export interface Entry {
  entryType: EntryType;
  term: bigint;
  index: bigint;
  data: Uint8Array;
  context: Uint8Array;
  syncLog: boolean;
}

/** eraftpb.ConfState */
export interface ConfState {
  voters: bigint[];
  learners: bigint[];
  votersOutgoing: bigint[];
  learnersNext: bigint[];
  autoLeave: boolean;
}

/** eraftpb.SnapshotMetadata */
export interface SnapshotMetadata {
  confState: ConfState | null | undefined;
  index: bigint;
  term: bigint;
}

/** eraftpb.Snapshot */
export interface Snapshot {
  data: Uint8Array;
  metadata: SnapshotMetadata | null | undefined;
}

/** eraftpb.Message */
export interface Message {
  msgType: MessageType;
  to: bigint;
  from: bigint;
  term: bigint;
  logTerm: bigint;
  index: bigint;
  entries: Entry[];
  commit: bigint;
  snapshot: Snapshot | null | undefined;
  requestSnapshot: bigint;
  reject: boolean;
  rejectHint: bigint;
  context: Uint8Array;
  deprecatedPriority: bigint;
  priority: bigint;
}

/** eraftpb.HardState */
export interface HardState {
  term: bigint;
  vote: bigint;
  commit: bigint;
}

/** eraftpb.ConfChange (the single-step form; proposed through `proposeConfChange` too). */
export interface ConfChange {
  changeType: ConfChangeType;
  nodeId: bigint;
  context: Uint8Array;
  id: bigint;
}

/** eraftpb.ConfChangeSingle */
export interface ConfChangeSingle {
  changeType: ConfChangeType;
  nodeId: bigint;
}

/** eraftpb.ConfChangeV2 */
export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context: Uint8Array;
}

const EMPTY_BYTES = new Uint8Array(0);

/** A message with every field at its proto3 default, overridden by `fields`. */
export function newMessage(fields: Partial<Message> & Pick<Message, 'msgType'>): Message {
  return {
    to: 0n,
    from: 0n,
    term: 0n,
    logTerm: 0n,
    index: 0n,
    entries: [],
    commit: 0n,
    snapshot: null,
    requestSnapshot: 0n,
    reject: false,
    rejectHint: 0n,
    context: EMPTY_BYTES,
    deprecatedPriority: 0n,
    priority: 0n,
    ...fields,
  };
}

/** An entry with proto3 defaults, overridden by `fields`. */
export function newEntry(fields: Partial<Entry>): Entry {
  return {
    entryType: EntryType.EntryNormal,
    term: 0n,
    index: 0n,
    data: EMPTY_BYTES,
    context: EMPTY_BYTES,
    syncLog: false,
    ...fields,
  };
}

/** A conf state with proto3 defaults, overridden by `fields`. */
export function newConfState(fields: Partial<ConfState> = {}): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, ...fields };
}

/** An empty snapshot (index 0): "no snapshot". */
export function emptySnapshot(): Snapshot {
  return { data: EMPTY_BYTES, metadata: { confState: newConfState(), index: 0n, term: 0n } };
}

/** The metadata of a snapshot, with absent fields read as proto3 defaults. */
export function snapshotMetadata(s: Snapshot): SnapshotMetadata & { confState: ConfState } {
  const m = s.metadata;
  return { index: m?.index ?? 0n, term: m?.term ?? 0n, confState: m?.confState ?? newConfState() };
}

/** True when `s` carries no state (index 0). */
export function isEmptySnapshot(s: Snapshot | null | undefined): boolean {
  return s == null || (s.metadata?.index ?? 0n) === 0n;
}

/** The raft-visible size of an entry, used for every byte limit in the core. */
export function entrySizeBytes(e: Entry): number {
  // Header fields are bounded; data and context dominate. 24 covers type, term, index tags.
  return 24 + e.data.length + e.context.length;
}

/** The summed `entrySizeBytes` of `entries`. */
export function entriesSizeBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const e of entries) total += entrySizeBytes(e);
  return total;
}

/** True for message types that only this node itself creates (never received from the wire). */
export function isLocalMessage(t: MessageType): boolean {
  return (
    t === MessageType.MsgHup ||
    t === MessageType.MsgBeat ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgSnapStatus ||
    t === MessageType.MsgCheckQuorum
  );
}

/** True for responses (messages that answer a request from the sender's peer). */
export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.MsgAppendResponse ||
    t === MessageType.MsgRequestVoteResponse ||
    t === MessageType.MsgHeartbeatResponse ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgRequestPreVoteResponse
  );
}

/** The response type for a vote request type. */
export function voteResponseType(t: MessageType): MessageType {
  if (t === MessageType.MsgRequestVote) return MessageType.MsgRequestVoteResponse;
  if (t === MessageType.MsgRequestPreVote) return MessageType.MsgRequestPreVoteResponse;
  return assertNever(t as never, 'not a vote message');
}
