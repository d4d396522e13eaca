import { ChecksumRejected, runChecksum } from './checksum.ts';
import { type CoprocessorLimits, DagRejected, runDag } from './dag_runner.ts';
import { type CoprocessorRequest, type CoprocessorResponse, type DAGRequest, RequestType, type SelectResponse } from './dag_types.ts';
import type { ScanSource } from './scan_source.ts';
import { protoTipbCodec } from './tipb_codec.ts';

/** Turns tipb bytes into messages and back (the project's protobuf runtime, injected). */
export interface TipbCodec {
  decodeDagRequest(bytes: Uint8Array): DAGRequest;
  encodeSelectResponse(response: SelectResponse): Uint8Array;
}

/**
 * Serves one `tikvpb.Tikv/Coprocessor` request: tp 103 runs the DAG in `req.data` over
 * `source` (the store's MVCC view at start_ts), tp 105 the CHECKSUM; tp 104 and anything else answer with a
 * clear `other_error`. Locks and region errors thrown by the ScanSource propagate to the
 * caller (the store maps them to `locked` / `region_error`).
 */
export async function handleCoprocessorRequest(
  req: CoprocessorRequest,
  source: ScanSource,
  codec: TipbCodec = protoTipbCodec,
  limits: CoprocessorLimits = {},
): Promise<CoprocessorResponse> {
  if (req.tp === RequestType.Checksum) {
    try {
      return { data: await runChecksum(req.data, req.ranges, source), otherError: '' };
    } catch (e) {
      if (e instanceof ChecksumRejected) return { data: new Uint8Array(0), otherError: e.message };
      throw e;
    }
  }
  if (req.tp !== RequestType.Dag) {
    const what = req.tp === RequestType.Analyze ? ' (ANALYZE is not implemented)' : '';
    return { data: new Uint8Array(0), otherError: `unsupported tp ${req.tp}${what}` };
  }
  let dag: DAGRequest;
  try {
    dag = codec.decodeDagRequest(req.data);
  } catch (e) {
    return { data: new Uint8Array(0), otherError: `coprocessor: malformed DAGRequest: ${(e as Error).message}` };
  }
  try {
    const result = await runDag(dag, req.ranges, source, req.pagingSize ?? 0n, limits);
    return { data: codec.encodeSelectResponse(result.selectResponse), otherError: '', range: result.range ?? null };
  } catch (e) {
    if (e instanceof DagRejected) return { data: new Uint8Array(0), otherError: e.message };
    throw e;
  }
}
