import type { VirtualTable } from './info_schema.ts';
import type { Row } from './table_codec.ts';
import type { Compiled, SchemaColumn, SubqueryRef } from './expr.ts';
import type { IndexInfo, TableInfo } from './catalog.ts';
import type { PushScalar, WireExpr } from './push_expr.ts';
import { buildCopTask } from './cop_reader.ts';

/** How a table scan reaches its rows (chosen from WHERE by the planner). */
export type Access =
  | { readonly kind: 'full' }
  /** Int handle or clustered PK points: each point lists the PK column values. */
  | { readonly kind: 'handlePoints'; readonly points: ReadonlyArray<readonly Compiled[]> }
  | { readonly kind: 'handleRange'; readonly lo?: Bound; readonly hi?: Bound }
  /** Unique index points (all index columns bound by `=`/IN). */
  | { readonly kind: 'uniquePoints'; readonly index: IndexInfo; readonly points: ReadonlyArray<readonly Compiled[]> }
  /** Index prefix equality plus an optional range on the next column, then table lookups. */
  | { readonly kind: 'indexRange'; readonly index: IndexInfo; readonly eq: readonly Compiled[]; readonly lo?: Bound; readonly hi?: Bound };

export interface Bound {
  readonly value: Compiled;
  readonly inclusive: boolean;
}

export interface AggDesc {
  readonly name: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'group_concat';
  readonly arg: Compiled | null;
  readonly distinct: boolean;
  readonly text: string;
}

export interface SortKey {
  readonly expr: Compiled;
  readonly desc: boolean;
}

/**
 * Physical plan. Nodes under a `TableReader` are the "cop" side: a Selection, TopN, Limit
 * or partial HashAgg directly over a TableScan, which a later coprocessor client turns
 * into one tipb DAG per region. Everything above the reader runs at the root (here).
 * Today the reader's subtree also runs at the root, over KV scans.
 */
export type PlanNode =
  | { readonly op: 'Dual'; readonly schema: readonly SchemaColumn[]; readonly rows: number }
  /** WITH RECURSIVE: `seed` once, then `recursive` re-run over the previous iteration's rows (`working`) until none are new. */
  | { readonly op: 'RecursiveCte'; readonly schema: readonly SchemaColumn[]; readonly name: string; readonly seed: PlanNode; readonly recursive: readonly PlanNode[]; readonly working: { rows: Row[] }; readonly distinct: boolean; readonly depthMax: number }
  /** A recursive CTE's reference to itself: the rows of the previous iteration. */
  | { readonly op: 'CteScan'; readonly schema: readonly SchemaColumn[]; readonly name: string; readonly working: { rows: Row[] } }
  /** A system table (information_schema, mysql.user) whose rows are computed when it runs. */
  | { readonly op: 'MemTable'; readonly schema: readonly SchemaColumn[]; readonly table: VirtualTable; readonly alias: string }
  /**
   * `needed`: table columns the statement reads anywhere (undefined = all); `neededAbove`: the
   * same without the WHERE clause (what is left to read once the whole WHERE runs in the
   * coprocessor). A pushed scan reads only these; the others are NULL in the rows it returns.
   */
  | { readonly op: 'TableScan'; readonly schema: readonly SchemaColumn[]; readonly table: TableInfo; readonly db: string; readonly alias: string; readonly access: Access; readonly desc: boolean; readonly needed?: readonly number[]; readonly neededAbove?: readonly number[] }
  | { readonly op: 'TableReader'; readonly schema: readonly SchemaColumn[]; readonly child: PlanNode }
  /** `apply`: correlated subqueries re-run for each input row before `cond`/`exprs` are evaluated. */
  /** `pushCond`: the same condition as a tipb expression when it can run in the coprocessor. */
  | { readonly op: 'Selection'; readonly schema: readonly SchemaColumn[]; readonly cond: Compiled; readonly child: PlanNode; readonly apply?: readonly SubqueryRef[]; readonly pushCond?: WireExpr }
  | { readonly op: 'Projection'; readonly schema: readonly SchemaColumn[]; readonly exprs: readonly Compiled[]; readonly child: PlanNode; readonly apply?: readonly SubqueryRef[] }
  /**
   * `complete`: rows in, [group keys, results, first input row] out. `partial` (cop side):
   * [group keys, partial states, first row] out, states per agg: count [n], sum [s],
   * avg [n, s], min/max [v]. `final` (root): merges partial rows into the complete layout.
   */
  /** `push` (partial mode): the group keys and aggregate arguments in tipb form, when all have one. */
  | { readonly op: 'HashAgg'; readonly schema: readonly SchemaColumn[]; readonly groupBy: readonly Compiled[]; readonly aggs: readonly AggDesc[]; readonly child: PlanNode; readonly mode?: 'complete' | 'partial' | 'final'; readonly push?: { readonly groupBy: readonly PushScalar[]; readonly args: ReadonlyArray<PushScalar | null> } }
  | { readonly op: 'Sort'; readonly schema: readonly SchemaColumn[]; readonly keys: readonly SortKey[]; readonly child: PlanNode }
  /** `pushKeys` (under a reader): the sort keys in tipb form, when all have one. */
  | { readonly op: 'TopN'; readonly schema: readonly SchemaColumn[]; readonly keys: readonly SortKey[]; readonly limit: Compiled; readonly offset: Compiled | null; readonly child: PlanNode; readonly pushKeys?: ReadonlyArray<{ readonly expr: WireExpr; readonly desc: boolean }> }
  | { readonly op: 'Limit'; readonly schema: readonly SchemaColumn[]; readonly limit: Compiled; readonly offset: Compiled | null; readonly child: PlanNode }
  | { readonly op: 'Distinct'; readonly schema: readonly SchemaColumn[]; readonly visible: number; readonly child: PlanNode }
  | {
      readonly op: 'HashJoin';
      readonly schema: readonly SchemaColumn[];
      readonly joinType: 'inner' | 'left' | 'right' | 'cross';
      readonly left: PlanNode;
      readonly right: PlanNode;
      readonly leftKeys: readonly Compiled[];
      readonly rightKeys: readonly Compiled[];
      readonly other: Compiled | null;
    }
  | { readonly op: 'Union'; readonly schema: readonly SchemaColumn[]; readonly children: readonly PlanNode[]; readonly distinct: boolean };

/** A planned query: the plan plus the uncorrelated subqueries to run first. */
export interface QueryPlan {
  readonly root: PlanNode;
  readonly subqueries: SubqueryRef[];
}

function accessText(n: Extract<PlanNode, { op: 'TableScan' }>): [string, string] {
  const a = n.access;
  const t = `table:${n.alias}`;
  switch (a.kind) {
    case 'full':
      return ['TableFullScan', `${t}, keep order:${n.desc ? 'true, desc' : 'false'}`];
    case 'handlePoints':
      return [a.points.length === 1 ? 'Point_Get' : 'Batch_Point_Get', `${t}, handle:${a.points.map((p) => p.map((c) => c.text).join(',')).join(' ')}`];
    case 'handleRange':
      return ['TableRangeScan', `${t}, range:${a.lo ? (a.lo.inclusive ? '[' : '(') + a.lo.value.text : '[-inf'},${a.hi ? a.hi.value.text + (a.hi.inclusive ? ']' : ')') : '+inf]'}`];
    case 'uniquePoints':
      return [a.points.length === 1 ? 'Point_Get' : 'Batch_Point_Get', `${t}, index:${a.index.name}(${a.index.columns.join(', ')})`];
    case 'indexRange':
      return ['IndexLookUp', `${t}, index:${a.index.name}(${a.index.columns.join(', ')}), range:[${a.eq.map((c) => c.text).join(',')}${a.lo ? ` ${a.lo.inclusive ? '>=' : '>'}${a.lo.value.text}` : ''}${a.hi ? ` ${a.hi.inclusive ? '<=' : '<'}${a.hi.value.text}` : ''}]`];
  }
}

/**
 * EXPLAIN rows: id, task, access object, operator info (the caller adds estRows etc.).
 * `nodes`, when given, receives the plan node of each row (EXPLAIN ANALYZE joins statistics).
 * `copTop`, when given, names the highest operator of each reader the coprocessor computes.
 */
export function explainPlan(root: PlanNode, nodes?: PlanNode[], copTop?: (reader: Extract<PlanNode, { op: 'TableReader' }>) => PlanNode | undefined): string[][] {
  // With `copTop` (pushdown on), reader-side operators above the pushed part show as root.
  const atRoot = new Set<PlanNode>();
  const pushedTops = new Set<PlanNode>();
  /** Pushed scans: the columns the DAG reads and its scan order (operator info). */
  const pushedScans = new Map<PlanNode, string>();
  const out: string[][] = [];
  const emit = (n: PlanNode, row: string[]): void => {
    out.push(row);
    nodes?.push(n);
  };
  let seq = 0;
  const walk = (n: PlanNode, prefix: string, last: boolean, depth: number, parentTask: string): void => {
    const task = atRoot.has(n) ? 'root' : pushedTops.has(n) ? 'cop[tikv]' : parentTask;
    const id = (name: string) => `${depth === 0 ? '' : prefix + (last ? '└─' : '├─')}${name}_${++seq}`;
    const childPrefix = depth === 0 ? '' : prefix + (last ? '  ' : '│ ');
    const kids = (ks: PlanNode[], t: string) => ks.forEach((k, i) => walk(k, childPrefix, i === ks.length - 1, depth + 1, t));
    switch (n.op) {
      case 'TableReader': {
        let info = 'pushdown boundary: children run per region (cop[tikv])';
        if (copTop !== undefined) {
          const top = copTop(n);
          if (top !== undefined) {
            pushedTops.add(top);
            const task = buildCopTask(n);
            if (task !== undefined) {
              const cols = task.scanColumns.map((k) => task.scan.table.columns[k]!.name);
              pushedScans.set(task.scan, `${task.scanDesc ? ', scan order:desc' : ''}, columns:[${cols.length > 0 ? cols.join(', ') : '_tidb_rowid'}]`);
            }
          }
          let c: PlanNode | undefined = n.child;
          while (c !== undefined && c !== top) {
            atRoot.add(c);
            c = c.op === 'Selection' || c.op === 'Limit' || c.op === 'TopN' || c.op === 'HashAgg' ? c.child : undefined;
          }
          info = top === undefined ? 'not pushed: children run at the root' : 'data:coprocessor DAG, one cop task per region';
        }
        emit(n, [id('TableReader'), task, '', info]);
        kids([n.child], 'cop[tikv]');
        return;
      }
      case 'TableScan': {
        const [name, info] = accessText(n);
        const isPoint = name.includes('Point_Get');
        emit(n, [id(name), isPoint ? 'root' : task, `table:${n.alias}`, info + (pushedScans.get(n) ?? '')]);
        return;
      }
      case 'Selection':
        emit(n, [id(n.apply ? 'Apply+Selection' : 'Selection'), task, '', n.cond.text]);
        kids([n.child, ...(n.apply ?? []).map((r) => r.plan as PlanNode)], task);
        return;
      case 'Projection':
        emit(n, [id(n.apply ? 'Apply+Projection' : 'Projection'), task, '', n.exprs.map((e) => e.text).join(', ')]);
        kids([n.child, ...(n.apply ?? []).map((r) => r.plan as PlanNode)], task);
        return;
      case 'HashAgg':
        emit(n, [id(n.mode === 'partial' ? 'HashAgg(partial)' : n.mode === 'final' ? 'HashAgg(final)' : 'HashAgg'), task, '', `group by:${n.groupBy.map((g) => g.text).join(', ')}, funcs:${n.aggs.map((a) => a.text).join(', ')}`]);
        kids([n.child], task);
        return;
      case 'Sort':
        emit(n, [id('Sort'), task, '', n.keys.map((k) => k.expr.text + (k.desc ? ':desc' : '')).join(', ')]);
        kids([n.child], task);
        return;
      case 'TopN':
        emit(n, [id('TopN'), task, '', `${n.keys.map((k) => k.expr.text + (k.desc ? ':desc' : '')).join(', ')}, offset:${n.offset?.text ?? 0}, count:${n.limit.text}`]);
        kids([n.child], task);
        return;
      case 'Limit':
        emit(n, [id('Limit'), task, '', `offset:${n.offset?.text ?? 0}, count:${n.limit.text}`]);
        kids([n.child], task);
        return;
      case 'Distinct':
        emit(n, [id('HashAgg'), task, '', 'distinct']);
        kids([n.child], task);
        return;
      case 'HashJoin':
        emit(n, [id('HashJoin'), task, '', `${n.joinType} join, equal:[${n.leftKeys.map((k, i) => `eq(${k.text}, ${n.rightKeys[i]!.text})`).join(' ')}]${n.other ? `, other cond:${n.other.text}` : ''}`]);
        kids([n.left, n.right], task);
        return;
      case 'Union':
        emit(n, [id('Union'), task, '', n.distinct ? 'distinct' : 'all']);
        kids([...n.children], task);
        return;
      case 'Dual':
        emit(n, [id('TableDual'), task, '', `rows:${n.rows}`]);
        return;
      case 'RecursiveCte':
        emit(n, [id('CTE'), task, `CTE:${n.name}`, `recursive, union ${n.distinct ? 'distinct' : 'all'}, max depth ${n.depthMax}`]);
        kids([n.seed, ...n.recursive], task);
        return;
      case 'CteScan':
        emit(n, [id('CTEFullScan'), task, `CTE:${n.name}`, 'rows of the previous iteration']);
        return;
      case 'MemTable':
        emit(n, [id('MemTableScan'), task, `table:${n.table.name}`, `computed in the SQL layer from ${n.table.db === 'mysql' ? 'the accounts' : 'the catalog and PD'}`]);
        return;
    }
  };
  walk(root, '', true, 0, 'root');
  return out;
}
