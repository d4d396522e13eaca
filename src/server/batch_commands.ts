import type * as grpc from '@grpc/grpc-js';
import type { DeepPartial, tikvpb } from '../proto/mod.ts';
import type { Logger } from '../util/mod.ts';
import { KV_COMMANDS, type KvCommand } from './kv_commands.ts';
import type { KvService } from './kv_service.ts';
import { BATCH_COMMANDS_RESPONSES_PER_MESSAGE_MAX } from './server_limits.ts';

type InnerRequest = tikvpb.BatchCommandsRequest.Request;
type InnerResponse = DeepPartial<tikvpb.BatchCommandsResponse.Response>;
type BatchCall = grpc.ServerDuplexStream<tikvpb.BatchCommandsRequest, DeepPartial<tikvpb.BatchCommandsResponse>>;

const COMMANDS_BY_BATCH_NAME = new Map<string, KvCommand>(
  KV_COMMANDS.filter((c) => c.batch !== undefined).map((c) => [c.batch!, c]),
);

export interface BatchCommandsLimits {
  /** Inner requests of one stream being served at once; beyond it they get ServerIsBusy. */
  inflightMax: number;
}

/**
 * `tikvpb.Tikv/BatchCommands`, the bidirectional stream client-go uses by default. Every
 * inner request is dispatched at once (concurrently with the others; the store loop then
 * group-commits their writes), and answered with its request id. Responses that become ready
 * in the same turn of the event loop are flushed together in one BatchCommandsResponse.
 * Every inner request gets exactly one response, even an unknown command (an empty one), so
 * a client never waits on an id we dropped.
 */
export class BatchCommandsHandler {
  constructor(
    private readonly service: KvService,
    private readonly limits: BatchCommandsLimits,
    private readonly log: Logger,
  ) {}

  /** The grpc-js handler. */
  readonly handle = (call: BatchCall): void => {
    let inflight = 0;
    let clientDone = false;
    let closed = false;
    let pendingIds: bigint[] = [];
    let pendingResponses: InnerResponse[] = [];
    let flushScheduled = false;

    const finishIfDone = (): void => {
      if (clientDone && inflight === 0 && pendingIds.length === 0 && !closed) {
        closed = true;
        call.end();
      }
    };
    const flush = (): void => {
      flushScheduled = false;
      while (pendingIds.length > 0) {
        const ids = pendingIds.slice(0, BATCH_COMMANDS_RESPONSES_PER_MESSAGE_MAX);
        const responses = pendingResponses.slice(0, BATCH_COMMANDS_RESPONSES_PER_MESSAGE_MAX);
        pendingIds = pendingIds.slice(ids.length);
        pendingResponses = pendingResponses.slice(ids.length);
        if (!closed) call.write({ responses, requestIds: ids });
      }
      finishIfDone();
    };
    const answer = (id: bigint, response: InnerResponse): void => {
      pendingIds.push(id);
      pendingResponses.push(response);
      if (!flushScheduled) {
        flushScheduled = true;
        // Everything that completes in this turn (e.g. one group-committed batch) goes together.
        queueMicrotask(flush);
      }
    };

    call.on('data', (batch: tikvpb.BatchCommandsRequest) => {
      const n = Math.min(batch.requests.length, batch.requestIds.length);
      if (batch.requests.length !== batch.requestIds.length) {
        this.log.warn({ requests: batch.requests.length, ids: batch.requestIds.length }, 'BatchCommands: ids do not match requests');
      }
      for (let i = 0; i < n; i++) {
        const id = batch.requestIds[i]!;
        const inner = batch.requests[i]!;
        if (inflight >= this.limits.inflightMax) {
          answer(id, busy(inner));
          continue;
        }
        inflight++;
        this.dispatch(inner).then(
          (response) => {
            inflight--;
            answer(id, response);
          },
          (err: unknown) => {
            // Only bugs and local corruption get here (KvService already called onFatal).
            inflight--;
            this.log.error({ err }, 'BatchCommands: inner request failed');
            answer(id, failed(inner, err));
          },
        );
      }
    });
    call.on('end', () => {
      clientDone = true;
      finishIfDone();
    });
    call.on('cancelled', () => {
      closed = true;
    });
    call.on('error', (err) => {
      closed = true;
      this.log.debug({ err }, 'BatchCommands stream error');
    });
  };

  private async dispatch(inner: InnerRequest): Promise<InnerResponse> {
    const name = inner.cmd;
    if (name === undefined) return {};
    if (name === 'Empty') return { Empty: { testId: inner.Empty?.testId ?? 0n } };
    if (name === 'Coprocessor') return { Coprocessor: await this.service.coprocessor(inner.Coprocessor!) };
    const cmd = COMMANDS_BY_BATCH_NAME.get(name);
    const req = (inner as unknown as Record<string, object | null | undefined>)[name];
    if (cmd === undefined || req === null || req === undefined) {
      return { [name]: { regionError: { message: `command ${name} is not served in BatchCommands` } } };
    }
    return { [name]: await this.service.execute(cmd, req) };
  }
}

function busy(inner: InnerRequest): InnerResponse {
  if (inner.cmd === undefined || inner.cmd === 'Empty') return {};
  const reason = 'too many requests in flight on this BatchCommands stream';
  return { [inner.cmd]: { regionError: { message: reason, serverIsBusy: { reason } } } };
}

function failed(inner: InnerRequest, err: unknown): InnerResponse {
  if (inner.cmd === undefined || inner.cmd === 'Empty') return {};
  const message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  return { [inner.cmd]: { regionError: { message } } };
}
