import { Decimal } from '../src/codec/tidb/mod.ts';
import type { Batch, BatchExecutor, BatchResult } from './batch_executor.ts';
import { newStats } from './batch_executor.ts';
import type { EvalContext } from './eval_context.ts';
import { EvalType } from './field_type.ts';
import { RpnExpression, badExpr } from './rpn_expression.ts';

/**
 * Keeps the rows for which every condition is true (non-NULL, non-zero). Conditions run one
 * after another on the surviving rows only; column data is never moved, only the logical
 * row selection shrinks.
 */
export class SelectionExecutor implements BatchExecutor {
  readonly stats = newStats();
  get schema() {
    return this.child.schema;
  }

  constructor(
    private readonly child: BatchExecutor,
    private readonly conditions: readonly RpnExpression[],
    private readonly ctx: EvalContext,
    /** Decodes the columns the scan below deferred, for the surviving rows (late materialization). */
    private readonly materialize?: (batch: Batch, rows: Int32Array) => void,
  ) {
    for (const c of conditions) {
      if (c.evalType === EvalType.Bytes || c.evalType === EvalType.Json || c.evalType === EvalType.Enum) {
        throw badExpr(`selection condition of eval type ${c.evalType} is not supported (expected a number, decimal, time or duration)`);
      }
    }
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    const r = await this.child.nextBatch(scanRowsHint);
    let rows = r.batch.logicalRows;
    for (const cond of this.conditions) {
      if (rows.length === 0) break;
      const batch: Batch = { columns: r.batch.columns, logicalRows: rows };
      const res = cond.eval(batch, this.ctx);
      const kept = new Int32Array(rows.length);
      let k = 0;
      const data = res.vec.values.data as ArrayLike<bigint | number | Decimal>;
      const isTime = res.vec.evalType === EvalType.DateTime;
      for (let i = 0; i < rows.length; i++) {
        const p = res.idx[i]!;
        if (res.vec.nulls[p] === 1) continue;
        const v = data[p]!;
        // Truthy: non-zero number/duration, non-zero decimal, non-zero time (fspTt bits ignored).
        const truthy = v instanceof Decimal ? !v.isZero() : isTime ? (v as bigint) >> 4n !== 0n : v !== 0n && v !== 0;
        if (truthy) kept[k++] = rows[i]!;
      }
      rows = kept.subarray(0, k);
    }
    const batch: Batch = { columns: r.batch.columns, logicalRows: rows };
    if (this.materialize !== undefined && rows.length > 0) this.materialize(batch, rows);
    return { batch, drained: r.drained };
  }
}
