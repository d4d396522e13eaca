/**
 * Pending ReadIndex requests of a leader (Raft thesis §6.4): each records the commit index at
 * arrival and waits until a quorum acknowledges a heartbeat carrying its context. Requests
 * complete in arrival order; an acknowledged request also completes every earlier one.
 */
import { bytesToHex } from '../util/mod.ts';
import type { Message } from './eraftpb.ts';

/** One pending read. */
export interface ReadIndexStatus {
  req: Message;
  index: bigint;
  acks: Set<bigint>;
}

/** Queue of pending ReadIndex requests keyed by request context. */
export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  constructor(readonly pendingMax: number) {}

  size(): number {
    return this.queue.length;
  }

  /** Adds a request; false when the queue is full or the context is already pending. */
  addRequest(index: bigint, req: Message, ctx: Uint8Array): boolean {
    const key = bytesToHex(ctx);
    if (this.pending.has(key)) return true;
    if (this.queue.length >= this.pendingMax) return false;
    this.pending.set(key, { req, index, acks: new Set() });
    this.queue.push(key);
    return true;
  }

  /** Records `id`'s heartbeat ack of `ctx`; returns the acks so far, or null if unknown. */
  recvAck(id: bigint, ctx: Uint8Array): Set<bigint> | null {
    const rs = this.pending.get(bytesToHex(ctx));
    if (!rs) return null;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Completes the request with `ctx` and all queued before it. */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const key = bytesToHex(ctx);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    const out: ReadIndexStatus[] = [];
    for (const k of done) {
      out.push(this.pending.get(k)!);
      this.pending.delete(k);
    }
    return out;
  }

  /** Context of the newest pending request (heartbeats carry it), if any. */
  lastPendingRequestCtx(): Uint8Array | null {
    if (this.queue.length === 0) return null;
    return this.pending.get(this.queue[this.queue.length - 1]!)!.req.entries[0]!.data;
  }
}
