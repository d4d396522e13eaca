import { Decimal } from '../src/codec/tidb/mod.ts';
import type { BatchExecutor, BatchResult } from './batch_executor.ts';
import { emptyBatch, identityRows, newStats } from './batch_executor.ts';
import { type Collator, collatorFor } from './collation.ts';
import type { FieldType } from './dag_types.ts';
import { type AggFunction, type AggState, resultEvalTypes } from './aggr_functions.ts';
import { argScalar } from './eval_arg.ts';
import type { EvalContext } from './eval_context.ts';
import { EvalType } from './field_type.ts';
import type { MemoryTracker } from './memory_tracker.ts';
import type { RpnExpression } from './rpn_expression.ts';
import { type Scalar, Vector } from './vector.ts';

/** Groups emitted per output batch. */
export const AGG_OUTPUT_BATCH_ROWS = 1024;
/** Bytes charged per group on top of its key and values (object headers, map entry). */
const GROUP_OVERHEAD_BYTES = 128;

interface Group {
  groupValues: Scalar[];
  states: AggState[];
}

/**
 * Hash aggregation (`streamed = false`: groups keyed by their collation-aware group-by values,
 * any input order) and stream aggregation (`streamed = true`: input sorted by the group-by
 * values, a group ends when the key changes). Output rows are TiDB's partial-result layout:
 * every aggregate's result columns in order, then the group-by values. Without GROUP BY an
 * empty input yields no row (TiKV's behaviour; TiDB's final aggregation fills in).
 */
export class AggregationExecutor implements BatchExecutor {
  readonly stats = newStats();
  readonly schema: readonly FieldType[];
  private readonly outputEvalTypes: EvalType[];
  private readonly keyCollators: (Collator | null)[];
  private readonly groups = new Map<string, Group>();
  private finished: Group[] = [];
  private current: { key: string; group: Group } | null = null;
  private childDrained = false;
  private emitted = 0;
  /** Bytes charged for groups not yet emitted by a stream aggregation. */
  private finishedBytes = 0;

  constructor(
    private readonly child: BatchExecutor,
    private readonly groupBy: readonly RpnExpression[],
    private readonly aggs: readonly AggFunction[],
    private readonly streamed: boolean,
    private readonly ctx: EvalContext,
    private readonly memory: MemoryTracker,
  ) {
    this.schema = [...aggs.flatMap((a) => a.resultTypes), ...groupBy.map((g) => g.fieldType)];
    this.outputEvalTypes = [...resultEvalTypes(aggs), ...groupBy.map((g) => g.evalType)];
    this.keyCollators = groupBy.map((g) => (g.evalType === EvalType.Bytes ? collatorFor(g.fieldType.collate) : null));
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    let hint = scanRowsHint;
    // Hash agg must see all input; stream agg returns as soon as groups are complete.
    while (!this.childDrained && (!this.streamed || this.finished.length - this.emitted < AGG_OUTPUT_BATCH_ROWS)) {
      const r = await this.child.nextBatch(hint);
      hint = Math.min(hint * 2, 1024);
      this.consume(r);
      if (r.drained) {
        this.childDrained = true;
        if (this.streamed) {
          if (this.current !== null) this.finished.push(this.current.group);
          this.current = null;
        } else {
          this.finished = [...this.groups.values()];
          this.groups.clear();
        }
      }
      if (this.streamed && this.finished.length > this.emitted) break;
    }
    const n = Math.min(AGG_OUTPUT_BATCH_ROWS, this.finished.length - this.emitted);
    const columns = this.outputEvalTypes.map((et) => Vector.allocate(et, Math.max(n, 0)));
    const row: Scalar[] = [];
    for (let i = 0; i < n; i++) {
      const g = this.finished[this.emitted + i]!;
      row.length = 0;
      for (const s of g.states) s.results(row);
      for (const v of g.groupValues) row.push(v);
      for (let c = 0; c < columns.length; c++) columns[c]!.set(i, row[c]!);
    }
    this.emitted += Math.max(n, 0);
    const drained = this.childDrained && this.emitted >= this.finished.length;
    if (this.streamed && this.emitted === this.finished.length) {
      // Emitted stream-agg groups are gone: give their memory back.
      this.memory.release(this.finishedBytes);
      this.finishedBytes = 0;
      this.finished = [];
      this.emitted = 0;
    }
    if (n <= 0) return { batch: emptyBatch(columns), drained };
    return { batch: { columns, logicalRows: identityRows(n) }, drained };
  }

  private consume(r: BatchResult): void {
    const rows = r.batch.logicalRows.length;
    if (rows === 0) return;
    const keyArgs = this.groupBy.map((g) => g.eval(r.batch, this.ctx));
    const aggArgs = this.aggs.map((a) => a.arg.eval(r.batch, this.ctx));
    const values: Scalar[] = new Array(keyArgs.length);
    for (let i = 0; i < rows; i++) {
      let key = '';
      for (let k = 0; k < keyArgs.length; k++) {
        const v = argScalar(keyArgs[k]!, i);
        values[k] = v;
        key += keyPart(v, this.keyCollators[k]!);
      }
      const group = this.groupFor(key, values);
      for (let a = 0; a < aggArgs.length; a++) group.states[a]!.update(argScalar(aggArgs[a]!, i));
    }
  }

  private groupFor(key: string, values: Scalar[]): Group {
    if (this.streamed) {
      if (this.current !== null && this.current.key === key) return this.current.group;
      if (this.current !== null) this.finished.push(this.current.group);
      const group = this.newGroup(key, values);
      this.current = { key, group };
      return group;
    }
    let group = this.groups.get(key);
    if (group === undefined) {
      group = this.newGroup(key, values);
      this.groups.set(key, group);
    }
    return group;
  }

  private newGroup(key: string, values: Scalar[]): Group {
    const bytes = GROUP_OVERHEAD_BYTES + 2 * key.length + 32 * this.aggs.length;
    this.memory.consume(bytes);
    if (this.streamed) this.finishedBytes += bytes;
    return { groupValues: values.slice(), states: this.aggs.map((a) => a.newState()) };
  }
}

/** An unambiguous string piece for one group-by value (collation sort key for strings). */
function keyPart(v: Scalar, collator: Collator | null): string {
  if (v === null) return 'N;';
  if (typeof v === 'bigint') return `I${v};`;
  if (v instanceof Decimal) {
    // Canonical form: 1.50 and 1.5 are one group.
    let u = v.unscaled;
    let f = v.frac;
    while (f > 0 && u % 10n === 0n) {
      u /= 10n;
      f--;
    }
    return `D${u}e${f};`;
  }
  if (typeof v === 'number') return `R${v === 0 ? 0 : v};`;
  const b = collator !== null ? collator.sortKey(v) : v;
  let s = `B${b.length}:`;
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
