import { decodeMessage, encodeMessage } from '../src/proto/mod.ts';
import type { DAGRequest, SelectResponse } from './dag_types.ts';
import type { TipbCodec } from './handler.ts';

/** The tipb codec over the project's protobuf runtime (src/proto), used by default. */
export const protoTipbCodec: TipbCodec = {
  decodeDagRequest: (bytes: Uint8Array): DAGRequest => decodeMessage<DAGRequest>('tipb.DAGRequest', bytes),
  encodeSelectResponse: (response: SelectResponse): Uint8Array => encodeMessage('tipb.SelectResponse', response),
};
