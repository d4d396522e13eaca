// Proves our eraftpb.proto and hand-written conf-change codec are wire-identical: protobufjs reading proto/eraftpb.proto decodes our bytes and vice versa, and decoded messages have exactly our camelCase TS field names.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeConfChange, decodeConfChangeV2, encodeConfChange, encodeConfChangeV2 } from './conf_change_codec.ts';
import { ConfChangeTransition, ConfChangeType, MessageType, newEntry, newMessage } from './eraftpb.ts';

const root = protobuf.loadSync(join(import.meta.dirname, '..', '..', 'proto', 'eraftpb.proto'));
const CCV2 = root.lookupType('eraftpb.ConfChangeV2');
const CC = root.lookupType('eraftpb.ConfChange');
const Msg = root.lookupType('eraftpb.Message');
const Entry = root.lookupType('eraftpb.Entry');

describe('eraftpb wire format', () => {
  it('ConfChangeV2 bytes match protobufjs both ways', () => {
    fc.assert(fc.property(
      fc.constantFrom(ConfChangeTransition.Auto, ConfChangeTransition.Implicit, ConfChangeTransition.Explicit),
      fc.array(fc.record({ changeType: fc.constantFrom(0, 1, 2), nodeId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), { maxLength: 5 }),
      fc.uint8Array({ maxLength: 16 }),
      (transition, changes, context) => {
        const cc = { transition, changes: changes.map((c) => ({ changeType: c.changeType as ConfChangeType, nodeId: c.nodeId })), context };
        const ours = encodeConfChangeV2(cc);
        const theirs = CCV2.toObject(CCV2.decode(ours), { longs: String, defaults: true });
        expect(theirs['transition']).toBe(transition);
        expect((theirs['changes'] as { nodeId: string }[]).map((c) => BigInt(c.nodeId))).toEqual(cc.changes.map((c) => c.nodeId));
        const back = decodeConfChangeV2(CCV2.encode(CCV2.fromObject({
          transition, context, changes: cc.changes.map((c) => ({ changeType: c.changeType, nodeId: c.nodeId.toString() })),
        })).finish());
        expect(back).toEqual(cc);
      },
    ), { numRuns: 300, seed: 5 });
  });

  it('ConfChange bytes match protobufjs', () => {
    const cc = { changeType: ConfChangeType.AddLearnerNode, nodeId: 77n, context: new Uint8Array([1, 2]), id: 9n };
    const theirs = CC.toObject(CC.decode(encodeConfChange(cc)), { longs: String });
    expect(theirs).toMatchObject({ changeType: 2, nodeId: '77', id: '9' });
    expect(decodeConfChange(CC.encode(CC.fromObject({ changeType: 2, nodeId: '77', id: '9', context: new Uint8Array([1, 2]) })).finish())).toEqual(cc);
  });

  it('TS interfaces use exactly the proto field names (camelCase)', () => {
    expect(Object.keys(newMessage({ msgType: MessageType.MsgAppend })).sort()).toEqual(Object.keys(Msg.fields).sort());
    expect(Object.keys(newEntry({})).sort()).toEqual(Object.keys(Entry.fields).sort());
  });
});
