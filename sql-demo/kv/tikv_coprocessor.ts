import type { coprocessor } from '../../src/proto/mod.ts';
import { bytesCompare } from '../../src/util/mod.ts';
import type { CopKeyRange, CopRequest, CopResult } from './kv_client.ts';
import { BACKOFF, TikvBackoffer } from './tikv_backoffer.ts';
import { CoprocessorError } from './tikv_errors.ts';
import { COP_CONCURRENCY_DEFAULT, COP_CONCURRENCY_MAX, COP_PAGING_SIZE_MAX, COP_TASK_PAGES_BUFFERED_MAX } from './tikv_limits.ts';
import type { CachedRegion } from './tikv_region_cache.ts';
import type { TikvClientContext } from './tikv_snapshot.ts';

/**
 * A coprocessor request as the gRPC client runs it: the seam's `CopRequest` plus the
 * `coprocessor.Request` knobs TiDB sets. Ranges are raw user keys, `[start, end)`, ascending,
 * non-overlapping; empty `end` = +inf.
 */
export interface TikvCopRequest extends CopRequest {
  /** Rows per page (coprocessor paging); 0 / absent = no paging. Grows x2 per page up to COP_PAGING_SIZE_MAX. */
  readonly pagingSize?: bigint;
  readonly schemaVer?: bigint;
  /** The DAG scans descending: tasks (and pages) run from the last range to the first. */
  readonly desc?: boolean;
}

/** One region's (or one page's) response payload, in key order (reverse key order when `desc`). */
export interface TikvCopResult extends CopResult {
  /** The key range this payload covers (the response's scanned `range` when paging). */
  readonly range: CopKeyRange;
}

interface CopTask {
  region: CachedRegion;
  ranges: CopKeyRange[];
}

const TP_DAG_DEFAULT = 103;

/**
 * Runs a coprocessor request (TiDB `copr.CopClient`, keep-order mode): splits the ranges by
 * region into tasks, runs at most `concurrency` tasks at once (never further ahead of the
 * consumer than that), retries a task on region errors after re-splitting its ranges,
 * resolves locks reported in `locked` and retries, follows paging, and yields each task's
 * results in task order. `other_error` fails the request with `CoprocessorError`.
 */
export class TikvCoprocessor {
  constructor(private readonly ctx: TikvClientContext) {}

  async *execute(req: TikvCopRequest): AsyncIterable<TikvCopResult> {
    const ranges = req.ranges
      .filter((r) => r.end.length === 0 || bytesCompare(r.start, r.end) < 0)
      .map((r) => ({ start: r.start, end: r.end }))
      .sort((a, b) => bytesCompare(a.start, b.start));
    if (ranges.length === 0) return;
    const bo = this.backoffer();
    const tasks = await this.splitByRegion(bo, ranges);
    if (req.desc) tasks.reverse();
    const concurrency = Math.max(1, Math.min(COP_CONCURRENCY_MAX, req.concurrency ?? COP_CONCURRENCY_DEFAULT));
    const channels = tasks.map(() => new TaskChannel());
    const started: boolean[] = [];
    const start = (i: number): void => {
      if (i >= tasks.length || started[i]) return;
      started[i] = true;
      const ch = channels[i]!;
      this.runTask(req, tasks[i]!, ch).then(
        () => ch.finish(undefined),
        (e: unknown) => ch.finish(e),
      );
    };
    try {
      for (let i = 0; i < tasks.length; i++) {
        for (let j = i; j < i + concurrency; j++) start(j);
        yield* channels[i]!.drain();
      }
    } finally {
      // The consumer stopped (or failed): let parked producers go; their results are dropped.
      for (const ch of channels) ch.cancel();
    }
  }

  private backoffer(): TikvBackoffer {
    return new TikvBackoffer('coprocessor', this.ctx.budgets.copMs, this.ctx.clock, this.ctx.random);
  }

  /** Splits ascending ranges at region boundaries; consecutive pieces in one region form one task. */
  async splitByRegion(bo: TikvBackoffer, ranges: readonly CopKeyRange[]): Promise<CopTask[]> {
    const tasks: CopTask[] = [];
    for (const r of ranges) {
      let cursor = r.start;
      for (;;) {
        const region = await this.ctx.rpc.cache.locateKey(bo, cursor);
        const clipped = region.endKey.length > 0 && (r.end.length === 0 || bytesCompare(region.endKey, r.end) < 0);
        const piece = { start: cursor, end: clipped ? region.endKey : r.end };
        const last = tasks[tasks.length - 1];
        if (last && last.region.id === region.id) last.ranges.push(piece);
        else tasks.push({ region, ranges: [piece] });
        if (!clipped) break;
        cursor = region.endKey;
      }
    }
    return tasks;
  }

  private async runTask(req: TikvCopRequest, task: CopTask, out: TaskChannel): Promise<void> {
    const bo = this.backoffer();
    const resolvedLocks = new Set<bigint>();
    let pagingSize = req.pagingSize ?? 0n;
    const queue: CopTask[] = [task];
    while (queue.length > 0 && !out.cancelled) {
      const t = queue.shift()!;
      const r = await this.ctx.rpc.sendToRegion(bo, t.region, 'Coprocessor', {
        context: { resolvedLocks: [...resolvedLocks] },
        tp: BigInt(req.tp || TP_DAG_DEFAULT),
        data: req.data,
        startTs: req.startTs,
        ranges: t.ranges,
        pagingSize,
        schemaVer: req.schemaVer ?? 0n,
      });
      if (r.kind === 'relocate') {
        const again = await this.splitByRegion(bo, t.ranges);
        if (req.desc) again.reverse();
        queue.unshift(...again);
        continue;
      }
      const resp: coprocessor.Response = r.resp;
      if (resp.locked) {
        const res = await this.ctx.resolver.resolveLocks(bo, req.startTs, [resp.locked]);
        for (const ts of res.pushed) resolvedLocks.add(ts);
        if (res.msBeforeExpired > 0) await bo.backoff(BACKOFF.txnLockFast, `coprocessor blocked by txn ${resp.locked.lockVersion}`, 0, res.msBeforeExpired);
        queue.unshift(t);
        continue;
      }
      if (resp.otherError) throw new CoprocessorError(t.region.id, resp.otherError);
      const covered = resp.range ?? { start: t.ranges[0]!.start, end: t.ranges[t.ranges.length - 1]!.end };
      await out.push({ data: resp.data, regionId: t.region.id, range: { start: covered.start, end: covered.end } });
      if (pagingSize > 0n && resp.range) {
        const remain = remainingRanges(t.ranges, resp.range, req.desc === true);
        if (remain.length > 0) {
          queue.unshift({ region: t.region, ranges: remain });
          pagingSize = pagingSize * 2n > COP_PAGING_SIZE_MAX ? COP_PAGING_SIZE_MAX : pagingSize * 2n;
        }
      }
    }
  }
}

/**
 * One task's results on their way to the consumer: the producer parks once
 * COP_TASK_PAGES_BUFFERED_MAX pages wait (paging keeps memory bounded end to end).
 */
class TaskChannel {
  private readonly items: TikvCopResult[] = [];
  private done = false;
  private error: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  cancelled = false;

  async push(r: TikvCopResult): Promise<void> {
    if (this.cancelled) return;
    this.items.push(r);
    this.wakeConsumer?.();
    while (this.items.length >= COP_TASK_PAGES_BUFFERED_MAX && !this.cancelled) {
      await new Promise<void>((res) => (this.wakeProducer = res));
    }
  }

  finish(error: unknown): void {
    this.done = true;
    this.error = error;
    this.wakeConsumer?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.items.length = 0;
    this.wakeProducer?.();
  }

  async *drain(): AsyncIterable<TikvCopResult> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        const wake = this.wakeProducer;
        this.wakeProducer = undefined;
        wake?.();
        yield next;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((res) => (this.wakeConsumer = res));
      this.wakeConsumer = undefined;
    }
  }
}

/**
 * TiDB `calculateRemain`: ascending -> the parts of `ranges` at or after `scanned.end`;
 * descending -> the parts before `scanned.start`.
 */
export function remainingRanges(ranges: readonly CopKeyRange[], scanned: coprocessor.KeyRange, desc: boolean): CopKeyRange[] {
  const out: CopKeyRange[] = [];
  for (const r of ranges) {
    if (!desc) {
      if (scanned.end.length === 0) return [];
      if (r.end.length > 0 && bytesCompare(r.end, scanned.end) <= 0) continue;
      out.push({ start: bytesCompare(r.start, scanned.end) < 0 ? scanned.end : r.start, end: r.end });
    } else {
      if (bytesCompare(r.start, scanned.start) >= 0) continue;
      out.push({ start: r.start, end: r.end.length === 0 || bytesCompare(r.end, scanned.start) > 0 ? scanned.start : r.end });
    }
  }
  return out;
}
