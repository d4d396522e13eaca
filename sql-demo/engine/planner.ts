import { isSystemSchema, virtualTable } from './info_schema.ts';
import { ER, sqlError } from '../errors.ts';
import { PushTranslator, type PushScalar, type WireExpr } from './push_expr.ts';
import type { Expr, FromItem, OrderItem, Query, SelectItem, SelectStmt, WithClause } from '../parser/mod.ts';
import type { InfoSchema, TableInfo } from './catalog.ts';
import { isIntTp, isStringTp, isTimeTp } from './column_type.ts';
import { ExprCompiler, exprText, unifyTypes, type Compiled, type EvalContext, type OuterResolver, type SchemaColumn, type SubqueryRef } from './expr.ts';
import { FT } from './field_types.ts';
import type { Access, AggDesc, Bound, PlanNode, QueryPlan, SortKey } from './plan.ts';
import { primaryIndex, secondaryIndexes, type Row } from './table_codec.ts';
import { Decimal } from '../tidb_codec.ts';
import { SqlDuration, SqlTime } from './value.ts';

/** Column names a statement mentions (lower case), or 'all' when it has a `*`. */
type ColumnRefs = ReadonlySet<string> | 'all';

/**
 * Every column name the AST mentions anywhere (select list, WHERE, GROUP BY, HAVING, ORDER
 * BY, ON/USING, subqueries): an over-approximation of what a scan must return, which is
 * all column pruning needs. Qualifiers are ignored.
 */
function referencedColumns(ast: unknown): ColumnRefs {
  const out = new Set<string>();
  let all = false;
  const visit = (v: unknown): void => {
    if (all || v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Decimal || v instanceof SqlTime || v instanceof SqlDuration) return;
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.kind === 'star') {
      all = true;
      return;
    }
    if (o.kind === 'col' && typeof o.name === 'string') out.add(o.name.toLowerCase());
    if (Array.isArray(o.using)) for (const u of o.using) if (typeof u === 'string') out.add(u.toLowerCase());
    for (const k of Object.keys(o)) visit(o[k]);
  };
  visit(ast);
  return all ? 'all' : out;
}

function neededOf(t: TableInfo, refs: ColumnRefs): number[] | undefined {
  if (refs === 'all') return undefined;
  const out: number[] = [];
  t.columns.forEach((c, i) => {
    if (refs.has(c.name.toLowerCase())) out.push(i);
  });
  return out;
}

/** Rows a single LIMIT may ask for before we treat it as unbounded. */
export const LIMIT_ROWS_MAX = 1n << 62n;

/** Builds a name resolver over a schema: case-insensitive, qualifier-aware, 1052 on ambiguity. */
export function schemaResolver(schema: readonly SchemaColumn[]): (table: string | undefined, name: string) => number | undefined {
  return (table, name) => {
    const n = name.toLowerCase();
    const t = table?.toLowerCase();
    let found: number | undefined;
    for (let i = 0; i < schema.length; i++) {
      const c = schema[i]!;
      if (c.hidden) continue;
      if (c.name.toLowerCase() !== n) continue;
      if (t !== undefined && c.qualifier?.toLowerCase() !== t) continue;
      if (found !== undefined) throw sqlError(ER.NON_UNIQ_ERROR, `Column '${name}' in field list is ambiguous`);
      found = i;
    }
    return found;
  };
}

function conjuncts(e: Expr | null): Expr[] {
  if (e === null) return [];
  if (e.kind === 'binary' && e.op === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

function containsAgg(e: Expr): boolean {
  switch (e.kind) {
    case 'agg':
      return true;
    case 'unary':
      return containsAgg(e.arg);
    case 'binary':
      return containsAgg(e.left) || containsAgg(e.right);
    case 'is':
      return containsAgg(e.arg);
    case 'in':
      return containsAgg(e.arg) || e.list.some(containsAgg);
    case 'inSubquery':
      return containsAgg(e.arg);
    case 'between':
      return containsAgg(e.arg) || containsAgg(e.lo) || containsAgg(e.hi);
    case 'like':
      return containsAgg(e.arg) || containsAgg(e.pattern);
    case 'func':
      return e.args.some(containsAgg);
    case 'case':
      return (e.operand !== undefined && containsAgg(e.operand)) || e.whens.some((w) => containsAgg(w.when) || containsAgg(w.then)) || (e.else !== undefined && containsAgg(e.else));
    case 'cast':
      return containsAgg(e.arg);
    default:
      return false;
  }
}

/** Replaces bare column refs that name a select alias (and no input column) with the aliased expression. */
function substituteAliases(e: Expr, aliases: Map<string, Expr>, isColumn: (name: string) => boolean): Expr {
  const rec = (x: Expr): Expr => substituteAliases(x, aliases, isColumn);
  switch (e.kind) {
    case 'col':
      if (e.table === undefined && aliases.has(e.name.toLowerCase()) && !isColumn(e.name)) return aliases.get(e.name.toLowerCase())!;
      return e;
    case 'unary':
      return { ...e, arg: rec(e.arg) };
    case 'binary':
      return { ...e, left: rec(e.left), right: rec(e.right) };
    case 'is':
      return { ...e, arg: rec(e.arg) };
    case 'in':
      return { ...e, arg: rec(e.arg), list: e.list.map(rec) };
    case 'between':
      return { ...e, arg: rec(e.arg), lo: rec(e.lo), hi: rec(e.hi) };
    case 'like':
      return { ...e, arg: rec(e.arg), pattern: rec(e.pattern) };
    case 'func':
      return { ...e, args: e.args.map(rec) };
    case 'case':
      return { ...e, ...(e.operand ? { operand: rec(e.operand) } : {}), whens: e.whens.map((w) => ({ when: rec(w.when), then: rec(w.then) })), ...(e.else ? { else: rec(e.else) } : {}) };
    case 'cast':
      return { ...e, arg: rec(e.arg) };
    default:
      return e;
  }
}

/**
 * Logical-to-physical planning in one pass: FROM (access path chosen from WHERE), WHERE,
 * aggregation, HAVING, projection, DISTINCT, ORDER BY, LIMIT. Single-table Selection and
 * TopN/Limit go under the TableReader (the pushdown boundary).
 */
export class Planner {
  readonly subqueries: SubqueryRef[] = [];
  /** Correlated subqueries compiled but not yet attached to the Selection/Projection that runs them. */
  readonly correlatedRefs: SubqueryRef[] = [];
  private readonly outerStack: OuterResolver[] = [];
  /** Common table expressions in scope (WITH), innermost last. */
  private ctes = new CteScopes();

  constructor(
    private readonly is: InfoSchema,
    private readonly ctx: EvalContext,
  ) {}

  plan(q: Query): QueryPlan {
    const root = this.query(q);
    this.checkNoPendingCorrelated();
    return { root, subqueries: this.subqueries };
  }

  /** Correlated subqueries are supported in WHERE, HAVING and the select list only. */
  checkNoPendingCorrelated(): void {
    if (this.correlatedRefs.length > 0) throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support 'correlated subquery in this clause'");
  }

  /**
   * Plans a subquery in this statement. Uncorrelated ones run once before the outer query;
   * correlated ones (reading `outer` columns) are attached to the operator that evaluates
   * them and re-run per outer row.
   */
  subquery(q: Query, outer?: OuterResolver, slot?: { row: Row }): SubqueryRef {
    const ref: SubqueryRef = { query: q, plan: undefined, slot: slot ?? { row: [] } };
    let used = false;
    this.outerStack.push((t, n) => {
      const c = outer?.(t, n);
      if (c !== undefined) used = true;
      return c;
    });
    try {
      ref.plan = this.query(q);
    } finally {
      this.outerStack.pop();
    }
    if (used) {
      ref.correlated = true;
      this.correlatedRefs.push(ref);
    } else this.subqueries.push(ref);
    return ref;
  }

  private get outer(): OuterResolver | undefined {
    return this.outerStack[this.outerStack.length - 1];
  }

  /** Takes the correlated subqueries compiled since `mark` (they run on the node being built). */
  private takeCorrelated(mark: number): SubqueryRef[] | undefined {
    const refs = this.correlatedRefs.splice(mark);
    return refs.length === 0 ? undefined : refs;
  }

  query(q: Query): PlanNode {
    if (q.with !== undefined) return this.withScope(q.with, () => this.query({ ...q, with: undefined }));
    if (q.kind === 'select') return this.select(q);
    const children = q.parts.map((p) => this.select(p));
    const width = children[0]!.schema.filter((c) => !c.hidden).length;
    for (const c of children) {
      if (c.schema.filter((x) => !x.hidden).length !== width) throw sqlError([1222, '21000'], 'The used SELECT statements have a different number of columns');
    }
    // UNION DISTINCT applies to everything up to the last DISTINCT operator; we apply it to all parts when any is DISTINCT.
    const distinct = q.all.some((a) => !a);
    const schema: SchemaColumn[] = children[0]!.schema.map((c, i) => ({ name: c.name, ft: unifyTypes(children.map((ch) => ch.schema[i]!.ft)) }));
    let node: PlanNode = { op: 'Union', schema, children, distinct };
    if (q.orderBy.length > 0) {
      const comp = new ExprCompiler(this.ctx, schemaResolver(schema), schema);
      const keys = q.orderBy.map((o) => ({ expr: this.orderExpr(o, schema, comp), desc: o.desc }));
      node = { op: 'Sort', schema, keys, child: node };
    }
    if (q.limit !== null) node = this.limitNode(node, q.limit, q.offset);
    return node;
  }

  /** Plans `body` with the CTEs of `w` in scope; each CTE sees the ones before it (and itself when RECURSIVE). */
  private withScope(w: WithClause, body: () => PlanNode): PlanNode {
    const saved = this.ctes;
    try {
      for (const c of w.ctes) this.ctes = this.ctes.with({ name: c.name, query: c.query, ...(c.columns ? { columns: c.columns } : {}), recursive: w.recursive, scope: this.ctes });
      return body();
    } finally {
      this.ctes = saved;
    }
  }

  /** A reference to a CTE in FROM: its query planned in its own scope, columns renamed and qualified by `alias`. */
  private cteReference(cte: CteDef, alias: string): PlanNode {
    if (cte.working !== undefined) {
      // Inside the recursive part of `cte`: read the rows of the previous iteration.
      const schema = cte.working.schema.map((c) => ({ ...c, qualifier: alias }));
      return { op: 'CteScan', schema, name: cte.name, working: cte.working.rows };
    }
    const saved = this.ctes;
    try {
      const q = cte.query;
      const refersToItself = cte.recursive && q.kind === 'union' && q.parts.some((p) => selectReads(p, cte.name));
      this.ctes = cte.recursive && !refersToItself ? cte.scope.with(cte) : cte.scope;
      const node = refersToItself ? this.recursiveCte(cte, q as Extract<Query, { kind: 'union' }>) : this.query(q);
      return renameColumns(node, cte, alias);
    } finally {
      this.ctes = saved;
    }
  }

  /** `seed UNION [ALL] recursive-part…`: the seed runs once, the recursive parts until they add no row. */
  private recursiveCte(cte: CteDef, q: Extract<Query, { kind: 'union' }>): PlanNode {
    const recursiveAt = q.parts.findIndex((p) => selectReads(p, cte.name));
    if (recursiveAt === 0) {
      throw sqlError([3574, 'HY000'], `Recursive Common Table Expression '${cte.name}' should have one or more non-recursive query blocks followed by one or more recursive ones`);
    }
    const seedParts = q.parts.slice(0, recursiveAt);
    const seed = this.query(seedParts.length === 1 ? seedParts[0]! : { kind: 'union', parts: seedParts, all: q.all.slice(0, recursiveAt - 1), orderBy: [], limit: null, offset: null });
    const names = cteColumnNames(seed, cte);
    const schema: SchemaColumn[] = seed.schema.filter((c) => !c.hidden).map((c, i) => ({ name: names[i]!, ft: c.ft }));
    const rows: { rows: Row[] } = { rows: [] };
    const recursive: PlanNode[] = [];
    for (const part of q.parts.slice(recursiveAt)) {
      if (!selectReads(part, cte.name)) throw sqlError([3574, 'HY000'], `Recursive Common Table Expression '${cte.name}' should have one or more non-recursive query blocks followed by one or more recursive ones`);
      if (part.groupBy.length > 0 || part.distinct || part.items.some((i) => i.expr.kind !== 'star' && containsAgg(i.expr))) {
        throw sqlError([3575, 'HY000'], `Recursive Common Table Expression '${cte.name}' can contain neither aggregation nor window functions in recursive query block`);
      }
      if (part.orderBy.length > 0 || part.limit !== null) {
        throw sqlError(ER.NOT_SUPPORTED_YET, `This version of MySQL doesn't yet support 'ORDER BY / LIMIT over UNION in recursive Common Table Expression'`);
      }
      this.ctes = cte.scope.with({ ...cte, working: { schema, rows } });
      const node = this.query(part);
      if (node.schema.filter((c) => !c.hidden).length !== schema.length) throw sqlError([1222, '21000'], 'The used SELECT statements have a different number of columns');
      recursive.push(node);
    }
    const depth = this.ctx.sysVar('cte_max_recursion_depth', 'session');
    return {
      op: 'RecursiveCte',
      schema,
      name: cte.name,
      seed,
      recursive,
      working: rows,
      distinct: q.all.slice(recursiveAt - 1).some((a) => !a),
      depthMax: typeof depth === 'bigint' ? Number(depth) : CTE_RECURSION_DEPTH_DEFAULT,
    };
  }

  private orderExpr(o: OrderItem, schema: readonly SchemaColumn[], comp: ExprCompiler): Compiled {
    if (o.expr.kind === 'lit' && typeof o.expr.value === 'bigint') {
      const pos = Number(o.expr.value);
      const visible = schema.filter((c) => !c.hidden).length;
      if (pos < 1 || pos > visible) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${pos}' in 'order clause'`);
      return { eval: (row) => row[pos - 1]!, ft: schema[pos - 1]!.ft, text: schema[pos - 1]!.name, columnIndex: pos - 1, constant: false };
    }
    return comp.compile(o.expr);
  }

  private limitNode(child: PlanNode, limit: Expr, offset: Expr | null): PlanNode {
    const comp = new ExprCompiler(this.ctx, () => undefined, []);
    return { op: 'Limit', schema: child.schema, limit: comp.compile(limit), offset: offset === null ? null : comp.compile(offset), child };
  }

  private from(f: FromItem, refs: { all: ColumnRefs; above: ColumnRefs }): PlanNode {
    switch (f.kind) {
      case 'table': {
        const cte = f.db === undefined ? this.ctes.lookup(f.name) : undefined;
        if (cte !== undefined) return this.cteReference(cte, f.alias ?? f.name);
        const db = f.db ?? this.ctx.currentDb();
        if (db !== undefined && isSystemSchema(db)) {
          const vt = virtualTable(db, f.name);
          if (vt === undefined) throw sqlError(ER.NO_SUCH_TABLE, `Table '${db}.${f.name}' doesn't exist`);
          const alias = f.alias ?? f.name;
          const schema: SchemaColumn[] = vt.columns.map((c) => ({ qualifier: alias, name: c.name, ft: c.ft, orgTable: vt.name, orgName: c.name, db: vt.db }));
          return { op: 'MemTable', schema, table: vt, alias };
        }
        const t = this.is.mustTable(db, f.name);
        const alias = f.alias ?? f.name;
        const schema: SchemaColumn[] = t.columns.map((c) => ({ qualifier: alias, name: c.name, ft: c.ft, orgTable: t.name, orgName: c.name, db: db! }));
        const needed = neededOf(t, refs.all);
        const neededAbove = neededOf(t, refs.above);
        return { op: 'TableScan', schema, table: t, db: db!, alias, access: { kind: 'full' }, desc: false, ...(needed ? { needed } : {}), ...(neededAbove ? { neededAbove } : {}) };
      }
      case 'derived': {
        const child = this.query(f.query);
        const schema = child.schema.filter((c) => !c.hidden).map((c) => ({ qualifier: f.alias, name: c.name, ft: c.ft }));
        const names = new Set<string>();
        for (const c of schema) {
          if (names.has(c.name.toLowerCase())) throw sqlError(ER.DUP_FIELDNAME, `Duplicate column name '${c.name}'`);
          names.add(c.name.toLowerCase());
        }
        return { op: 'Projection', schema, exprs: schema.map((c, i) => ({ eval: (row) => row[i]!, ft: c.ft, text: c.name, columnIndex: i, constant: false })), child };
      }
      case 'join': {
        // The WHERE of a join runs above it: its columns stay needed in every scan.
        const inJoin = { all: refs.all, above: refs.all };
        const left = this.wrapReader(this.from(f.left, inJoin));
        const right = this.wrapReader(this.from(f.right, inJoin));
        const schema = [...left.schema, ...right.schema];
        let onExpr: Expr | undefined = f.on;
        if (f.using !== undefined) {
          const lq = (n: string) => left.schema.find((c) => c.name.toLowerCase() === n.toLowerCase())?.qualifier;
          const rq = (n: string) => right.schema.find((c) => c.name.toLowerCase() === n.toLowerCase())?.qualifier;
          for (const u of f.using) {
            const eq: Expr = { kind: 'binary', op: '=', left: { kind: 'col', ...(lq(u) ? { table: lq(u)! } : {}), name: u }, right: { kind: 'col', ...(rq(u) ? { table: rq(u)! } : {}), name: u } };
            onExpr = onExpr === undefined ? eq : { kind: 'binary', op: 'and', left: onExpr, right: eq };
          }
        }
        const comp = new ExprCompiler(this.ctx, schemaResolver(schema), schema);
        const leftKeys: Compiled[] = [];
        const rightKeys: Compiled[] = [];
        const others: Compiled[] = [];
        for (const c of conjuncts(onExpr ?? null)) {
          if (c.kind === 'binary' && c.op === '=') {
            const l = comp.compile(c.left);
            const r = comp.compile(c.right);
            const li = l.columnIndex;
            const ri = r.columnIndex;
            if (li !== undefined && ri !== undefined) {
              const nl = left.schema.length;
              if (li < nl && ri >= nl) {
                leftKeys.push(l);
                rightKeys.push(shift(r, nl));
                continue;
              }
              if (ri < nl && li >= nl) {
                leftKeys.push(r);
                rightKeys.push(shift(l, nl));
                continue;
              }
            }
          }
          others.push(comp.compile(c));
        }
        const other = others.length === 0 ? null : others.reduce((a, b) => comp.binary('and', a, b, `${a.text} and ${b.text}`));
        const joinSchema = schema.map((c, i) => {
          const nullable = (f.type === 'left' && i >= left.schema.length) || (f.type === 'right' && i < left.schema.length);
          return nullable ? { ...c } : c;
        });
        return { op: 'HashJoin', schema: joinSchema, joinType: f.type, left, right, leftKeys, rightKeys, other };
      }
    }
  }

  /**
   * Predicate pushdown through inner joins: the WHERE conjuncts that read one table only and
   * have a tipb form are copied into a Selection under that table's reader (the full WHERE
   * still runs above the join, so a copy never changes the result).
   */
  private pushJoinFilters(n: PlanNode, conds: readonly Expr[]): PlanNode {
    if (n.op === 'HashJoin') return { ...n, left: this.pushJoinFilters(n.left, conds), right: this.pushJoinFilters(n.right, conds) };
    if (n.op !== 'TableReader' || n.child.op !== 'TableScan') return n;
    const scan = n.child;
    // Unknown names (other tables' columns) make `compile` throw: the translator then refuses.
    const comp = new ExprCompiler(this.ctx, schemaResolver(scan.schema), scan.schema);
    const tr = new PushTranslator((e) => comp.compile(e), scan.schema.length, this.ctx.warnings);
    const mine = conds.filter((c) => tr.condition(c) !== undefined);
    if (mine.length === 0) return n;
    const all = mine.reduce((a, b): Expr => ({ kind: 'binary', op: 'and', left: a, right: b }));
    const pushCond = tr.condition(all);
    if (pushCond === undefined) return n;
    return { ...n, child: { op: 'Selection', schema: scan.schema, cond: comp.compile(all), child: scan, pushCond } };
  }

  /** Puts a bare TableScan under a TableReader (Point_Get stays at the root). */
  private wrapReader(n: PlanNode): PlanNode {
    if (n.op === 'TableScan' && (n.access.kind === 'full' || n.access.kind === 'handleRange')) return { op: 'TableReader', schema: n.schema, child: n };
    return n;
  }

  select(s: SelectStmt): PlanNode {
    let node: PlanNode = s.from === null ? { op: 'Dual', schema: [], rows: 1 } : this.from(s.from, { all: referencedColumns(s), above: referencedColumns({ ...s, where: null }) });
    const inputSchema = node.schema;
    const inputComp = new ExprCompiler(this.ctx, schemaResolver(inputSchema), inputSchema, undefined, this.outer);
    // Expand stars into column refs.
    const items: SelectItem[] = [];
    for (const it of s.items) {
      if (it.expr.kind === 'star') {
        const q = it.expr.table?.toLowerCase();
        const cols = inputSchema.filter((c) => !c.hidden && (q === undefined || c.qualifier?.toLowerCase() === q));
        if (cols.length === 0 && q !== undefined) throw sqlError(ER.BAD_TABLE_ERROR, `Unknown table '${it.expr.table}'`);
        if (s.from === null) throw sqlError([1096, 'HY000'], 'No tables used');
        for (const c of cols) items.push({ expr: c.qualifier ? { kind: 'col', table: c.qualifier, name: c.name } : { kind: 'col', name: c.name } });
      } else items.push(it);
    }
    const isInputColumn = (n: string) => inputSchema.some((c) => c.name.toLowerCase() === n.toLowerCase());
    const aliases = new Map<string, Expr>();
    for (const it of items) if (it.alias !== undefined && it.expr.kind !== 'star') aliases.set(it.alias.toLowerCase(), it.expr as Expr);

    // WHERE: access path + selection (under the reader when over a single table).
    if (s.where !== null) {
      for (const c of conjuncts(s.where)) if (containsAgg(c)) throw sqlError(ER.INVALID_GROUP_FUNC_USE, 'Invalid use of group function');
      const mark = this.correlatedRefs.length;
      const cond = inputComp.compile(s.where);
      const apply = this.takeCorrelated(mark);
      if (apply !== undefined) {
        node = { op: 'Selection', schema: node.schema, cond, child: this.wrapReader(node), apply };
      } else if (node.op === 'TableScan') {
        const access = this.chooseAccess(node.table, node.schema, s.where, inputComp);
        const scan: PlanNode = { ...node, access };
        if (access.kind === 'full' || access.kind === 'handleRange') {
          const pushCond = new PushTranslator((e) => inputComp.compile(e), inputSchema.length, this.ctx.warnings).condition(s.where);
          node = { op: 'TableReader', schema: scan.schema, child: { op: 'Selection', schema: scan.schema, cond, child: scan, ...(pushCond !== undefined ? { pushCond } : {}) } };
        } else node = { op: 'Selection', schema: scan.schema, cond, child: scan };
      } else {
        if (node.op === 'HashJoin' && innerOnly(node)) node = this.pushJoinFilters(joinKeysFromWhere(node, conjuncts(s.where), this.ctx), conjuncts(s.where));
        node = { op: 'Selection', schema: node.schema, cond, child: this.wrapReader(node) };
      }
    } else node = this.wrapReader(node);

    const itemExprs = items.map((it) => it.expr as Expr);
    const having = s.having === null ? null : substituteAliases(s.having, aliases, isInputColumn);
    const orderBy = s.orderBy.map((o) => ({ ...o, expr: o.expr.kind === 'lit' ? o.expr : substituteAliases(o.expr, aliases, isInputColumn) }));
    const groupBy = s.groupBy.map((g) => substituteAliases(g, aliases, isInputColumn));
    const needAgg = groupBy.length > 0 || itemExprs.some(containsAgg) || (having !== null && containsAgg(having)) || orderBy.some((o) => containsAgg(o.expr));

    let comp: ExprCompiler;
    if (needAgg) {
      const groupAst = groupBy.map((g) => (g.kind === 'lit' && typeof g.value === 'bigint' ? (itemExprs[Number(g.value) - 1] ?? g) : g));
      const groupC = groupAst.map((g) => inputComp.compile(g));
      const aggArgs: Array<Expr | null> = [];
      const aggs: AggDesc[] = [];
      const aggIndex = new Map<string, number>();
      const collect = (e: Expr): void => {
        if (e.kind === 'agg') {
          const key = exprText(e) + (e.distinct ? '#d' : '');
          if (!aggIndex.has(key)) {
            if (e.arg !== null && containsAgg(e.arg)) throw sqlError(ER.INVALID_GROUP_FUNC_USE, 'Invalid use of group function');
            aggIndex.set(key, aggs.length);
            aggs.push({ name: e.name, arg: e.arg === null ? null : inputComp.compile(e.arg), distinct: e.distinct, text: exprText(e) });
            aggArgs.push(e.arg);
          }
          return;
        }
        walkChildren(e, collect);
      };
      itemExprs.forEach(collect);
      if (having !== null) collect(having);
      orderBy.forEach((o) => collect(o.expr));
      const nG = groupC.length;
      const nA = aggs.length;
      const aggSchema: SchemaColumn[] = [
        ...groupC.map((g) => ({ name: g.text, ft: g.ft, hidden: true })),
        ...aggs.map((a) => ({ name: a.text, ft: aggType(a), hidden: true })),
        ...inputSchema,
      ];
      if (node.op === 'TableReader' && aggs.every((a) => !a.distinct && a.name !== 'group_concat')) {
        // Two-phase aggregation: partial per region under the reader, final merge at the root.
        const stateCols = aggs.flatMap((a) => (a.name === 'avg' ? 2 : 1));
        const partialSchema: SchemaColumn[] = [
          ...groupC.map((g) => ({ name: g.text, ft: g.ft, hidden: true })),
          ...aggs.flatMap((a) => (a.name === 'avg' ? [{ name: `count(${a.text})`, ft: FT.longlong(), hidden: true }, { name: `sum(${a.text})`, ft: aggType(a), hidden: true }] : [{ name: a.text, ft: aggType(a), hidden: true }])),
          ...inputSchema,
        ];
        void stateCols;
        const tr = new PushTranslator((e) => inputComp.compile(e), inputSchema.length, this.ctx.warnings);
        const pushGroup = groupAst.map((g) => tr.value(g));
        const pushArgs = aggArgs.map((a) => (a === null ? null : tr.value(a)));
        const push = pushGroup.every((g) => g !== undefined) && pushArgs.every((a) => a !== undefined) ? { groupBy: pushGroup as PushScalar[], args: pushArgs as Array<PushScalar | null> } : undefined;
        const partial: PlanNode = { op: 'HashAgg', mode: 'partial', schema: partialSchema, groupBy: groupC, aggs, child: node.child, ...(push ? { push } : {}) };
        const keyCols = groupC.map((g, i) => ({ eval: (row: Row) => row[i]!, ft: g.ft, text: g.text, columnIndex: i, constant: false }));
        node = { op: 'HashAgg', mode: 'final', schema: aggSchema, groupBy: keyCols, aggs, child: { op: 'TableReader', schema: partialSchema, child: partial } };
      } else {
        node = { op: 'HashAgg', schema: aggSchema, groupBy: groupC, aggs, child: node };
      }
      const groupTexts = new Map(groupC.map((g, i) => [g.text.toLowerCase(), i]));
      const baseResolver = schemaResolver(inputSchema);
      comp = new ExprCompiler(
        this.ctx,
        (t, n) => {
          const i = baseResolver(t, n);
          return i === undefined ? undefined : i + nG + nA;
        },
        aggSchema,
        (e) => {
          const i = aggIndex.get(exprText(e) + (e.distinct ? '#d' : ''))!;
          return { eval: (row) => row[nG + i]!, ft: aggSchema[nG + i]!.ft, text: exprText(e), columnIndex: nG + i, constant: false };
        },
        this.outer,
      );
      const compileGrouped = comp.compile.bind(comp);
      // Expressions equal to a GROUP BY expression read the group key.
      comp.compile = (e: Expr): Compiled => {
        const gi = groupTexts.get(exprText(e).toLowerCase());
        if (gi !== undefined && e.kind !== 'lit') return { eval: (row) => row[gi]!, ft: groupC[gi]!.ft, text: exprText(e), columnIndex: gi, constant: false };
        return compileGrouped(e);
      };
      if (having !== null) {
        const mark = this.correlatedRefs.length;
        const cond = comp.compile(having);
        const apply = this.takeCorrelated(mark);
        node = { op: 'Selection', schema: node.schema, cond, child: node, ...(apply ? { apply } : {}) };
      }
    } else {
      if (having !== null) {
        const mark = this.correlatedRefs.length;
        const cond = inputComp.compile(having);
        const apply = this.takeCorrelated(mark);
        node = { op: 'Selection', schema: node.schema, cond, child: node, ...(apply ? { apply } : {}) };
      }
      comp = inputComp;
    }

    // Push a copy of LIMIT / TopN under the reader (each region returns at most offset+count
    // rows); the root operator still applies the exact LIMIT, as TiDB does.
    if (!needAgg && having === null && !s.distinct && s.limit !== null && node.op === 'TableReader') {
      const pushed = this.pushedLimit(node.child, s, orderBy, itemExprs, inputComp);
      if (pushed !== undefined) node = { ...node, child: pushed };
    }

    // Projection: visible items, then hidden ORDER BY helpers.
    const projMark = this.correlatedRefs.length;
    const outExprs = items.map((it) => comp.compile(it.expr as Expr));
    const outSchema: SchemaColumn[] = items.map((it, i) => {
      const c = outExprs[i]!;
      const src = c.columnIndex !== undefined && !needAgg ? node.schema[c.columnIndex] : c.columnIndex !== undefined ? (node.schema[c.columnIndex]?.hidden ? undefined : node.schema[c.columnIndex]) : undefined;
      const e = it.expr as Expr;
      const name = it.alias ?? (e.kind === 'col' ? e.name : e.kind === 'lit' && typeof e.value === 'string' ? e.value : it.text ?? c.text);
      return { name, ft: c.ft, ...(src?.qualifier ? { qualifier: src.qualifier } : {}), ...(src?.orgTable ? { orgTable: src.orgTable, orgName: src.orgName!, db: src.db! } : {}) };
    });
    const keys: SortKey[] = [];
    const visibleResolver = schemaResolver(outSchema);
    for (const o of orderBy) {
      if (o.expr.kind === 'lit' && typeof o.expr.value === 'bigint') {
        const pos = Number(o.expr.value);
        if (pos < 1 || pos > outSchema.length) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${pos}' in 'order clause'`);
        keys.push({ expr: { eval: (row) => row[pos - 1]!, ft: outSchema[pos - 1]!.ft, text: outSchema[pos - 1]!.name, columnIndex: pos - 1, constant: false }, desc: o.desc });
        continue;
      }
      // A bare name matching an output alias sorts by that output column.
      if (o.expr.kind === 'col' && o.expr.table === undefined && !isInputColumn(o.expr.name)) {
        const vi = visibleResolver(undefined, o.expr.name);
        if (vi !== undefined) {
          keys.push({ expr: { eval: (row) => row[vi]!, ft: outSchema[vi]!.ft, text: o.expr.name, columnIndex: vi, constant: false }, desc: o.desc });
          continue;
        }
      }
      const c = comp.compile(o.expr);
      const idx = outExprs.length;
      outExprs.push(c);
      outSchema.push({ name: c.text, ft: c.ft, hidden: true });
      keys.push({ expr: { eval: (row) => row[idx]!, ft: c.ft, text: c.text, columnIndex: idx, constant: false }, desc: o.desc });
    }
    const projApply = this.takeCorrelated(projMark);
    node = { op: 'Projection', schema: outSchema, exprs: outExprs, child: node, ...(projApply ? { apply: projApply } : {}) };
    if (s.distinct) node = { op: 'Distinct', schema: outSchema, visible: items.length, child: node };
    const lc = new ExprCompiler(this.ctx, () => undefined, []);
    if (keys.length > 0 && s.limit !== null) {
      node = { op: 'TopN', schema: outSchema, keys, limit: lc.compile(s.limit), offset: s.offset === null ? null : lc.compile(s.offset), child: node };
    } else {
      if (keys.length > 0) node = { op: 'Sort', schema: outSchema, keys, child: node };
      if (s.limit !== null) node = this.limitNode(node, s.limit, s.offset);
    }
    if (outSchema.length > items.length) {
      const vis = outSchema.slice(0, items.length);
      node = { op: 'Projection', schema: vis, exprs: vis.map((c, i) => ({ eval: (row) => row[i]!, ft: c.ft, text: c.name, columnIndex: i, constant: false })), child: node };
    }
    return node;
  }

  private pushedLimit(child: PlanNode, s: SelectStmt, orderBy: readonly OrderItem[], itemExprs: readonly Expr[], comp: ExprCompiler): PlanNode | undefined {
    const lc = new ExprCompiler(this.ctx, () => undefined, []);
    const limit = lc.compile(s.limit!);
    const count = s.offset === null ? limit : lc.binary('+', limit, lc.compile(s.offset), `${limit.text}+${exprText(s.offset)}`);
    if (orderBy.length === 0) return { op: 'Limit', schema: child.schema, limit: count, offset: null, child };
    const keys: SortKey[] = [];
    const tr = new PushTranslator((e) => comp.compile(e), child.schema.length, this.ctx.warnings);
    let pushKeys: Array<{ expr: WireExpr; desc: boolean }> | undefined = [];
    for (const o of orderBy) {
      let e = o.expr;
      if (e.kind === 'lit' && typeof e.value === 'bigint') {
        const item = itemExprs[Number(e.value) - 1];
        if (item === undefined) return undefined;
        e = item;
      }
      if (containsAgg(e)) return undefined;
      try {
        keys.push({ expr: comp.compile(e), desc: o.desc });
      } catch {
        return undefined;
      }
      const p: PushScalar | undefined = pushKeys === undefined ? undefined : tr.value(e);
      pushKeys = p === undefined ? undefined : [...pushKeys!, { expr: p.expr, desc: o.desc }];
    }
    return { op: 'TopN', schema: child.schema, keys, limit: count, offset: null, child, ...(pushKeys ? { pushKeys } : {}) };
  }

  /** Access path for UPDATE/DELETE row sources (same rules as SELECT). */
  dmlAccess(t: TableInfo, schema: readonly SchemaColumn[], where: Expr, comp: ExprCompiler): Access {
    return this.chooseAccess(t, schema, where, comp);
  }

  /** Picks point get / range scan / index lookup from WHERE conjuncts; `full` when nothing applies. */
  private chooseAccess(t: TableInfo, schema: readonly SchemaColumn[], where: Expr, comp: ExprCompiler): Access {
    const eqs = new Map<string, Compiled[]>();
    const ranges = new Map<string, { lo?: Bound; hi?: Bound }>();
    const colOf = (e: Expr): string | undefined => {
      if (e.kind !== 'col') return undefined;
      const c = comp.compile(e);
      return c.columnIndex === undefined ? undefined : schema[c.columnIndex]!.name.toLowerCase();
    };
    const usable = (col: string, v: Compiled): boolean => {
      if (!v.constant) return false;
      const ft = t.columns.find((c) => c.name.toLowerCase() === col)!.ft;
      if (isIntTp(ft.tp)) return isIntTp(v.ft.tp) || integralConstant(v);
      if (isStringTp(ft.tp)) return isStringTp(v.ft.tp);
      if (isTimeTp(ft.tp)) return isStringTp(v.ft.tp) || isTimeTp(v.ft.tp);
      return false;
    };
    for (const c of conjuncts(where)) {
      if (c.kind === 'binary' && ['=', '<', '<=', '>', '>='].includes(c.op)) {
        let col = colOf(c.left);
        let other = c.right;
        let op = c.op;
        if (col === undefined) {
          col = colOf(c.right);
          other = c.left;
          op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' } as Record<string, typeof op>)[op]!;
        }
        if (col === undefined) continue;
        let v: Compiled;
        try {
          v = comp.compile(other);
        } catch {
          continue;
        }
        if (!usable(col, v)) continue;
        if (op === '=') eqs.set(col, [v]);
        else {
          const r = ranges.get(col) ?? {};
          if (op === '>' || op === '>=') r.lo = { value: v, inclusive: op === '>=' };
          else r.hi = { value: v, inclusive: op === '<=' };
          ranges.set(col, r);
        }
      } else if (c.kind === 'in' && !c.not) {
        const col = colOf(c.arg);
        if (col === undefined || eqs.has(col)) continue;
        const vs = c.list.map((x) => comp.compile(x));
        if (vs.length > 0 && vs.every((v) => usable(col, v))) eqs.set(col, vs);
      } else if (c.kind === 'between' && !c.not) {
        const col = colOf(c.arg);
        if (col === undefined) continue;
        const lo = comp.compile(c.lo);
        const hi = comp.compile(c.hi);
        if (usable(col, lo) && usable(col, hi)) ranges.set(col, { lo: { value: lo, inclusive: true }, hi: { value: hi, inclusive: true } });
      }
    }
    const pointsOf = (cols: readonly string[]): Compiled[][] | undefined => {
      if (!cols.every((c) => eqs.has(c.toLowerCase()))) return undefined;
      let pts: Compiled[][] = [[]];
      for (const c of cols) {
        const vs = eqs.get(c.toLowerCase())!;
        pts = pts.flatMap((p) => vs.map((v) => [...p, v]));
        if (pts.length > 1024) return undefined;
      }
      return pts;
    };
    const pk = primaryIndex(t);
    if (pk !== undefined && (t.pkIsHandle || t.isCommonHandle)) {
      const pts = pointsOf(pk.columns);
      if (pts !== undefined) return { kind: 'handlePoints', points: pts };
    }
    for (const idx of secondaryIndexes(t)) {
      if (!idx.unique) continue;
      const pts = pointsOf(idx.columns);
      if (pts !== undefined) return { kind: 'uniquePoints', index: idx, points: pts };
    }
    if (t.pkIsHandle) {
      const r = ranges.get(pk!.columns[0]!.toLowerCase());
      if (r !== undefined) return { kind: 'handleRange', ...r };
    }
    // Longest equality prefix (single-valued), then a range on the next column.
    let best: Access | undefined;
    let bestScore = 0;
    for (const idx of secondaryIndexes(t)) {
      const eq: Compiled[] = [];
      for (const c of idx.columns) {
        const vs = eqs.get(c.toLowerCase());
        if (vs === undefined || vs.length !== 1) break;
        eq.push(vs[0]!);
      }
      const next = idx.columns[eq.length];
      const r = next === undefined ? undefined : ranges.get(next.toLowerCase());
      const score = eq.length * 2 + (r ? 1 : 0);
      if (score > bestScore) {
        bestScore = score;
        best = { kind: 'indexRange', index: idx, eq, ...(r?.lo ? { lo: r.lo } : {}), ...(r?.hi ? { hi: r.hi } : {}) };
      }
    }
    return best ?? { kind: 'full' };
  }
}

/**
 * A DOUBLE/DECIMAL constant holding a whole number (drivers such as mysql2 bind JS numbers as
 * DOUBLE): it selects int keys exactly, so point gets and handle ranges stay usable. A
 * fractional value is not (converting it to the column type would round the bound).
 */
function integralConstant(v: Compiled): boolean {
  let x: unknown;
  try {
    x = v.eval([]);
  } catch {
    return false;
  }
  if (typeof x === 'number') return Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER;
  if (x instanceof Decimal) return x.unscaled % 10n ** BigInt(x.frac) === 0n;
  return false;
}

/** True when every join in the tree is inner or cross (a WHERE conjunct may then filter a table before it joins). */
function innerOnly(n: PlanNode): boolean {
  if (n.op !== 'HashJoin') return true;
  return (n.joinType === 'inner' || n.joinType === 'cross') && innerOnly(n.left) && innerOnly(n.right);
}

/**
 * Comma joins (`FROM a, b WHERE a.x = b.y`): a WHERE equality between a column of each side
 * of an inner or cross join becomes a hash-join key, so the join no longer builds the cross
 * product. The WHERE still runs above the join, so this only removes rows it would drop.
 */
function joinKeysFromWhere(n: PlanNode, conds: readonly Expr[], ctx: EvalContext): PlanNode {
  if (n.op !== 'HashJoin' || (n.joinType !== 'inner' && n.joinType !== 'cross')) return n;
  const left = joinKeysFromWhere(n.left, conds, ctx);
  const right = joinKeysFromWhere(n.right, conds, ctx);
  const comp = new ExprCompiler(ctx, schemaResolver(n.schema), n.schema);
  const nl = left.schema.length;
  const leftKeys = [...n.leftKeys];
  const rightKeys = [...n.rightKeys];
  const have = new Set(leftKeys.map((k, i) => `${k.columnIndex}=${rightKeys[i]!.columnIndex}`));
  for (const c of conds) {
    if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'col' || c.right.kind !== 'col') continue;
    let l: Compiled;
    let r: Compiled;
    try {
      l = comp.compile(c.left);
      r = comp.compile(c.right);
    } catch {
      continue; // a column of a table outside this join, or ambiguous here
    }
    if (l.columnIndex === undefined || r.columnIndex === undefined) continue;
    if (l.columnIndex >= nl && r.columnIndex < nl) [l, r] = [r, l];
    if (!(l.columnIndex! < nl && r.columnIndex! >= nl)) continue;
    const sig = `${l.columnIndex}=${r.columnIndex! - nl}`;
    if (have.has(sig)) continue;
    have.add(sig);
    leftKeys.push(l);
    rightKeys.push(shift(r, nl));
  }
  const joinType = n.joinType === 'cross' && leftKeys.length > 0 ? 'inner' : n.joinType;
  return { ...n, left, right, leftKeys, rightKeys, joinType };
}

function shift(c: Compiled, by: number): Compiled {
  const j = c.columnIndex! - by;
  return { ...c, eval: (row) => row[j]!, columnIndex: j };
}

function walkChildren(e: Expr, f: (x: Expr) => void): void {
  switch (e.kind) {
    case 'unary':
    case 'is':
    case 'cast':
      f(e.arg);
      return;
    case 'binary':
      f(e.left);
      f(e.right);
      return;
    case 'in':
      f(e.arg);
      e.list.forEach(f);
      return;
    case 'inSubquery':
      f(e.arg);
      return;
    case 'between':
      f(e.arg);
      f(e.lo);
      f(e.hi);
      return;
    case 'like':
      f(e.arg);
      f(e.pattern);
      return;
    case 'func':
      e.args.forEach(f);
      return;
    case 'case':
      if (e.operand) f(e.operand);
      e.whens.forEach((w) => {
        f(w.when);
        f(w.then);
      });
      if (e.else) f(e.else);
      return;
    default:
      return;
  }
}

function aggType(a: AggDesc) {
  switch (a.name) {
    case 'count':
      return FT.longlong();
    case 'sum':
    case 'avg': {
      const ft = a.arg!.ft;
      if (ft.tp === 4 || ft.tp === 5 || isStringTp(ft.tp)) return FT.double();
      return FT.decimal(65, Math.max(0, ft.decimal) + (a.name === 'avg' ? 4 : 0));
    }
    case 'group_concat':
      return FT.varchar(1024);
    default:
      return a.arg!.ft;
  }
}

/** MySQL's `cte_max_recursion_depth` default. */
export const CTE_RECURSION_DEPTH_DEFAULT = 1000;

/** One CTE as planned: its definition and the scope it was defined in. */
interface CteDef {
  readonly name: string;
  readonly columns?: readonly string[];
  readonly query: Query;
  /** Defined under WITH RECURSIVE (it may read itself). */
  readonly recursive: boolean;
  /** The CTEs visible where it was defined (earlier siblings and outer WITHs). */
  readonly scope: CteScopes;
  /** Set while planning its recursive part: references read this working table. */
  readonly working?: { readonly schema: readonly SchemaColumn[]; readonly rows: { rows: Row[] } };
}

/** An immutable chain of CTE definitions; lookups find the innermost of a name. */
class CteScopes {
  constructor(
    private readonly def?: CteDef,
    private readonly parent?: CteScopes,
  ) {}

  with(def: CteDef): CteScopes {
    return new CteScopes(def, this);
  }

  lookup(name: string): CteDef | undefined {
    for (let s: CteScopes | undefined = this; s !== undefined; s = s.parent) {
      if (s.def !== undefined && s.def.name.toLowerCase() === name.toLowerCase()) return s.def;
    }
    return undefined;
  }
}

/** Whether a SELECT reads table `name` (unqualified) in its FROM, derived tables included. */
function selectReads(q: Query, name: string): boolean {
  if (q.kind === 'union') return q.parts.some((p) => selectReads(p, name));
  const walk = (f: FromItem | null): boolean => {
    if (f === null) return false;
    if (f.kind === 'table') return f.db === undefined && f.name.toLowerCase() === name.toLowerCase();
    if (f.kind === 'derived') return selectReads(f.query, name);
    return walk(f.left) || walk(f.right);
  };
  return walk(q.from);
}

/** The column names of a CTE: its column list, else its query's. */
function cteColumnNames(node: PlanNode, cte: CteDef): string[] {
  const visible = node.schema.filter((c) => !c.hidden);
  if (cte.columns === undefined) return visible.map((c) => c.name);
  if (cte.columns.length !== visible.length) {
    throw sqlError([1353, 'HY000'], 'In definition of view, derived table or common table expression, SELECT list and column names list have different column counts');
  }
  return [...cte.columns];
}

/** A CTE's rows under its own column names, qualified by the reference's alias. */
function renameColumns(node: PlanNode, cte: CteDef, alias: string): PlanNode {
  const names = cteColumnNames(node, cte);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) throw sqlError(ER.DUP_FIELDNAME, `Duplicate column name '${n}'`);
    seen.add(n.toLowerCase());
  }
  const schema: SchemaColumn[] = node.schema.filter((c) => !c.hidden).map((c, i) => ({ qualifier: alias, name: names[i]!, ft: c.ft }));
  return { op: 'Projection', schema, exprs: schema.map((c, i) => ({ eval: (row) => row[i]!, ft: c.ft, text: c.name, columnIndex: i, constant: false })), child: node };
}
