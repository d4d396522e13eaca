/**
 * Deterministic one-line renderings of Raft values for scenario transcripts and simulator
 * failure reports. Stable output matters: golden files compare these byte for byte.
 */
import { decodeConfChange, decodeConfChangeV2 } from './conf_change_codec.ts';
import { ConfChangeTransition, ConfChangeType, EntryType, MessageType, snapshotMetadata, type ConfChangeV2, type ConfState, type Entry, type HardState, type Message } from './eraftpb.ts';

const decoder = new TextDecoder();

function text(b: Uint8Array): string {
  return JSON.stringify(decoder.decode(b));
}

/** "v1 v2 l3" style rendering of a conf change's singles. */
export function describeConfChangeV2(cc: ConfChangeV2): string {
  const parts = cc.changes.map((c) => {
    const p = c.changeType === ConfChangeType.AddNode ? 'v' : c.changeType === ConfChangeType.RemoveNode ? 'r' : 'l';
    return `${p}${c.nodeId}`;
  });
  const t = cc.transition === ConfChangeTransition.Auto ? '' : ` ${ConfChangeTransition[cc.transition]}`;
  return parts.length === 0 ? `leave-joint${t}` : `${parts.join(' ')}${t}`;
}

/** term/index plus payload. */
export function describeEntry(e: Entry): string {
  const head = `${e.term}/${e.index}`;
  switch (e.entryType) {
    case EntryType.EntryNormal:
      return e.data.length === 0 ? `${head} EntryNormal` : `${head} EntryNormal ${text(e.data)}`;
    case EntryType.EntryConfChange: {
      const cc = decodeConfChange(e.data);
      const p = cc.changeType === ConfChangeType.AddNode ? 'v' : cc.changeType === ConfChangeType.RemoveNode ? 'r' : 'l';
      return `${head} EntryConfChange ${p}${cc.nodeId}`;
    }
    case EntryType.EntryConfChangeV2:
      return `${head} EntryConfChangeV2 ${describeConfChangeV2(decodeConfChangeV2(e.data))}`;
  }
}

/** Voters (and outgoing voters while joint) and learners. */
export function describeConfState(cs: ConfState): string {
  let s = `Voters:[${cs.voters.join(' ')}]`;
  if (cs.votersOutgoing.length > 0) s += `&&[${cs.votersOutgoing.join(' ')}]`;
  s += ` Learners:[${cs.learners.join(' ')}]`;
  if (cs.learnersNext.length > 0) s += ` LearnersNext:[${cs.learnersNext.join(' ')}]`;
  if (cs.autoLeave) s += ' AutoLeave:true';
  return s;
}

export function describeHardState(hs: HardState): string {
  return `HardState Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

/** "1->2 MsgAppend Term:1 Log:1/3 Commit:3 Entries:[...]" */
export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${MessageType[m.msgType]} Term:${m.term}`;
  switch (m.msgType) {
    case MessageType.MsgAppend:
      s += ` Log:${m.logTerm}/${m.index} Commit:${m.commit}`;
      break;
    case MessageType.MsgAppendResponse:
      s += ` Log:${m.logTerm}/${m.index}`;
      if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
      break;
    case MessageType.MsgRequestVote:
    case MessageType.MsgRequestPreVote:
      s += ` Log:${m.logTerm}/${m.index}`;
      break;
    case MessageType.MsgRequestVoteResponse:
    case MessageType.MsgRequestPreVoteResponse:
      if (m.reject) s += ' Rejected';
      break;
    case MessageType.MsgHeartbeat:
      s += ` Commit:${m.commit}`;
      break;
    case MessageType.MsgReadIndex:
    case MessageType.MsgReadIndexResp:
      s += ` Index:${m.index}`;
      break;
    case MessageType.MsgSnapshot: {
      const meta = snapshotMetadata(m.snapshot ?? { data: new Uint8Array(0), metadata: null });
      s += ` Snapshot: Index:${meta.index} Term:${meta.term} ${describeConfState(meta.confState)}`;
      break;
    }
    default:
      break;
  }
  if (m.context.length > 0 && m.msgType !== MessageType.MsgRequestVote && m.msgType !== MessageType.MsgRequestPreVote) s += ` Ctx:${text(m.context)}`;
  else if (m.context.length > 0) s += ' (transfer)';
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  return s;
}
