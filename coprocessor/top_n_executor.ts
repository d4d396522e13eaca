import type { BatchExecutor, BatchResult } from './batch_executor.ts';
import { emptyBatch, identityRows, newStats } from './batch_executor.ts';
import { type Collator, collatorFor } from './collation.ts';
import type { FieldType } from './dag_types.ts';
import { argScalar } from './eval_arg.ts';
import type { EvalContext } from './eval_context.ts';
import { type EvalType, evalTypeOfTp } from './field_type.ts';
import type { MemoryTracker } from './memory_tracker.ts';
import { compareScalars } from './row_compare.ts';
import type { RpnExpression } from './rpn_expression.ts';
import { type Scalar, Vector } from './vector.ts';

/** Rows emitted per output batch once the TopN has drained its child. */
export const TOP_N_OUTPUT_BATCH_ROWS = 1024;

interface Entry {
  keys: Scalar[];
  values: Scalar[];
  seq: number;
  bytes: number;
}

/** One ORDER BY item, compiled. */
export interface OrderItem {
  readonly expr: RpnExpression;
  readonly desc: boolean;
}

/**
 * Keeps the `limit` smallest rows by the order-by items (NULLs first ascending, collation-aware
 * strings, ties in input order), pruning to `limit` whenever twice as many are buffered.
 */
export class TopNExecutor implements BatchExecutor {
  readonly stats = newStats();
  readonly schema: readonly FieldType[];
  private readonly limit: number;
  private entries: Entry[] = [];
  private output: Entry[] | null = null;
  private outputPos = 0;
  private seq = 0;
  private retainedBytes = 0;
  private readonly collators: Collator[];
  private readonly keyTypes: EvalType[];
  private readonly evalTypes: EvalType[];

  constructor(
    private readonly child: BatchExecutor,
    private readonly items: readonly OrderItem[],
    limit: bigint,
    private readonly ctx: EvalContext,
    private readonly memory: MemoryTracker,
  ) {
    this.schema = child.schema;
    this.limit = limit > 1_000_000_000n ? 1_000_000_000 : Number(limit);
    this.collators = items.map((it) => collatorFor(it.expr.fieldType.collate));
    this.keyTypes = items.map((it) => it.expr.evalType);
    this.evalTypes = child.schema.map((ft) => evalTypeOfTp(ft.tp ?? 0)!);
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    if (this.output === null) {
      let drained = this.limit === 0;
      let hint = scanRowsHint;
      while (!drained) {
        const r = await this.child.nextBatch(hint);
        hint = Math.min(hint * 2, 1024);
        this.consume(r);
        drained = r.drained;
      }
      this.prune();
      this.output = this.entries;
      this.entries = [];
    }
    const n = Math.min(TOP_N_OUTPUT_BATCH_ROWS, this.output.length - this.outputPos);
    if (n <= 0) return { batch: emptyBatch(this.evalTypes.map((et) => Vector.allocate(et, 0))), drained: true };
    const columns = this.evalTypes.map((et) => Vector.allocate(et, n));
    for (let i = 0; i < n; i++) {
      const e = this.output[this.outputPos + i]!;
      for (let c = 0; c < columns.length; c++) columns[c]!.set(i, e.values[c]!);
    }
    this.outputPos += n;
    const drained = this.outputPos >= this.output.length;
    if (drained) this.memory.release(this.retainedBytes);
    return { batch: { columns, logicalRows: identityRows(n) }, drained };
  }

  private consume(r: BatchResult): void {
    const rows = r.batch.logicalRows;
    if (rows.length === 0) return;
    const keyArgs = this.items.map((it) => it.expr.eval(r.batch, this.ctx));
    for (let i = 0; i < rows.length; i++) {
      const keys = keyArgs.map((a) => argScalar(a, i));
      const values = r.batch.columns.map((col) => col.get(rows[i]!));
      let bytes = 48 + 16 * (keys.length + values.length);
      for (const v of values) if (v instanceof Uint8Array) bytes += v.length;
      this.memory.consume(bytes);
      this.retainedBytes += bytes;
      this.entries.push({ keys, values, seq: this.seq++, bytes });
    }
    if (this.entries.length >= Math.max(2 * this.limit, 1024)) this.prune();
  }

  private prune(): void {
    this.entries.sort((a, b) => this.compare(a, b));
    if (this.entries.length > this.limit) {
      let freed = 0;
      for (let i = this.limit; i < this.entries.length; i++) freed += this.entries[i]!.bytes;
      this.entries.length = this.limit;
      this.memory.release(freed);
      this.retainedBytes -= freed;
    }
  }

  private compare(a: Entry, b: Entry): number {
    for (let k = 0; k < this.items.length; k++) {
      const c = compareScalars(a.keys[k]!, b.keys[k]!, this.keyTypes[k]!, this.collators[k]!);
      if (c !== 0) return this.items[k]!.desc ? -c : c;
    }
    return a.seq - b.seq;
  }
}
