import type { BatchExecutor, BatchResult } from './batch_executor.ts';
import { identityRows, newStats } from './batch_executor.ts';
import type { FieldType } from './dag_types.ts';
import type { EvalContext } from './eval_context.ts';
import type { RpnExpression } from './rpn_expression.ts';

/** Evaluates one expression per output column over the child's logical rows (dense output). */
export class ProjectionExecutor implements BatchExecutor {
  readonly stats = newStats();
  readonly schema: readonly FieldType[];

  constructor(
    private readonly child: BatchExecutor,
    private readonly exprs: readonly RpnExpression[],
    private readonly ctx: EvalContext,
  ) {
    this.schema = exprs.map((e) => e.fieldType);
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    const r = await this.child.nextBatch(scanRowsHint);
    const n = r.batch.logicalRows.length;
    const columns = this.exprs.map((e) => {
      const res = e.eval(r.batch, this.ctx);
      return res.vec.gather(res.idx, n);
    });
    return { batch: { columns, logicalRows: identityRows(n) }, drained: r.drained };
  }
}
