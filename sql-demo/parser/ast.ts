import type { Decimal } from '../tidb_codec.ts';

/** A literal as written in SQL (before binding to column types). */
export type Literal = null | bigint | number | Decimal | string | Uint8Array | boolean;

/** A column type as written in DDL or CAST. */
export interface TypeSpec {
  /** Upper-case type name: INT, BIGINT, DECIMAL, VARCHAR, DATETIME, SIGNED, UNSIGNED, ... */
  readonly name: string;
  readonly length?: number;
  readonly scale?: number;
  readonly unsigned: boolean;
}

/** Our expression AST (independent of node-sql-parser's shape). */
export type Expr =
  | { readonly kind: 'lit'; readonly value: Literal }
  | { readonly kind: 'col'; readonly table?: string; readonly name: string }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'unary'; readonly op: '-' | 'not' | '~' | '+'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'is'; readonly arg: Expr; readonly what: 'null' | 'true' | 'false'; readonly not: boolean }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly not: boolean }
  | { readonly kind: 'inSubquery'; readonly arg: Expr; readonly query: Query; readonly not: boolean }
  | { readonly kind: 'between'; readonly arg: Expr; readonly lo: Expr; readonly hi: Expr; readonly not: boolean }
  | { readonly kind: 'like'; readonly arg: Expr; readonly pattern: Expr; readonly escape?: Expr; readonly not: boolean }
  | { readonly kind: 'func'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'agg'; readonly name: AggName; readonly arg: Expr | null; readonly distinct: boolean }
  | { readonly kind: 'case'; readonly operand?: Expr; readonly whens: ReadonlyArray<{ when: Expr; then: Expr }>; readonly else?: Expr }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly type: TypeSpec }
  | { readonly kind: 'var'; readonly system: boolean; readonly scope: 'session' | 'global' | 'default'; readonly name: string }
  | { readonly kind: 'subquery'; readonly query: Query }
  | { readonly kind: 'exists'; readonly query: Query; readonly not: boolean }
  | { readonly kind: 'default' };

export type BinaryOp = '+' | '-' | '*' | '/' | 'div' | '%' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '<=>' | 'and' | 'or' | 'xor' | '&' | '|' | '^' | '<<' | '>>';
export type AggName = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'group_concat';

export interface SelectItem {
  readonly expr: Expr | { readonly kind: 'star'; readonly table?: string };
  readonly alias?: string;
  /** The expression as written (column name of an unaliased expression). */
  readonly text?: string;
}

export type FromItem =
  | { readonly kind: 'table'; readonly db?: string; readonly name: string; readonly alias?: string }
  | { readonly kind: 'derived'; readonly query: Query; readonly alias: string }
  | { readonly kind: 'join'; readonly type: 'inner' | 'left' | 'right' | 'cross'; readonly left: FromItem; readonly right: FromItem; readonly on?: Expr; readonly using?: readonly string[] };

export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
}

export interface SelectStmt {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: FromItem | null;
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly forUpdate: boolean;
  /** `WITH [RECURSIVE] …` before this query. */
  readonly with?: WithClause;
}

/** Common table expressions: each may use the ones before it (and itself when recursive). */
export interface WithClause {
  readonly recursive: boolean;
  readonly ctes: ReadonlyArray<{ readonly name: string; readonly columns?: readonly string[]; readonly query: Query }>;
}

export interface UnionStmt {
  readonly kind: 'union';
  readonly parts: readonly SelectStmt[];
  /** `all[i]` says whether the operator before parts[i+1] was UNION ALL. */
  readonly all: readonly boolean[];
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly with?: WithClause;
}

export type Query = SelectStmt | UnionStmt;

export interface TableName {
  readonly db?: string;
  readonly name: string;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: TypeSpec;
  readonly notNull: boolean;
  readonly nullExplicit: boolean;
  readonly default?: Expr;
  readonly autoIncrement: boolean;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly comment?: string;
}

export interface IndexDef {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
}

export type AlterSpec =
  | { readonly kind: 'addColumn'; readonly column: ColumnDef }
  | { readonly kind: 'dropColumn'; readonly name: string }
  | { readonly kind: 'addIndex'; readonly index: IndexDef }
  | { readonly kind: 'dropIndex'; readonly name: string };

export type ShowStmt =
  | { readonly kind: 'show'; readonly what: 'databases' | 'warnings' | 'errors' }
  | { readonly kind: 'show'; readonly what: 'tables'; readonly db?: string; readonly full: boolean; readonly like?: string }
  | { readonly kind: 'show'; readonly what: 'createTable' | 'index' | 'columns'; readonly table: TableName }
  | { readonly kind: 'show'; readonly what: 'variables' | 'status'; readonly like?: string }
  | { readonly kind: 'show'; readonly what: 'createDatabase'; readonly db: string }
  | { readonly kind: 'show'; readonly what: 'tableRegions'; readonly table: TableName };

/** Our statement AST: what the engine executes. */
export type Stmt =
  | Query
  | { readonly kind: 'insert'; readonly table: TableName; readonly columns: readonly string[] | null; readonly rows: ReadonlyArray<readonly Expr[]> | null; readonly select: Query | null; readonly onDuplicate: ReadonlyArray<{ column: string; value: Expr }>; readonly replace: boolean; readonly ignore: boolean }
  | { readonly kind: 'update'; readonly table: TableName; readonly alias?: string; readonly set: ReadonlyArray<{ column: string; value: Expr }>; readonly where: Expr | null; readonly orderBy: readonly OrderItem[]; readonly limit: Expr | null }
  | { readonly kind: 'delete'; readonly table: TableName; readonly where: Expr | null; readonly orderBy: readonly OrderItem[]; readonly limit: Expr | null }
  /** UPDATE t1 JOIN t2 … SET t1.a = …, t2.b = … WHERE … (each target row changes at most once). */
  | { readonly kind: 'multiUpdate'; readonly from: FromItem; readonly set: ReadonlyArray<{ table?: string; column: string; value: Expr }>; readonly where: Expr | null }
  /** DELETE t1[, t2] FROM t1 JOIN t2 … WHERE … (targets by table name or alias). */
  | { readonly kind: 'multiDelete'; readonly targets: readonly string[]; readonly from: FromItem; readonly where: Expr | null }
  | { readonly kind: 'createDatabase'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'createTable'; readonly table: TableName; readonly ifNotExists: boolean; readonly columns: readonly ColumnDef[]; readonly indexes: readonly IndexDef[]; readonly clustered: boolean | null }
  | { readonly kind: 'dropTable'; readonly tables: readonly TableName[]; readonly ifExists: boolean }
  | { readonly kind: 'truncate'; readonly table: TableName }
  | { readonly kind: 'alterTable'; readonly table: TableName; readonly specs: readonly AlterSpec[] }
  | { readonly kind: 'createIndex'; readonly table: TableName; readonly index: IndexDef }
  | { readonly kind: 'dropIndex'; readonly table: TableName; readonly name: string }
  | { readonly kind: 'use'; readonly db: string }
  | { readonly kind: 'begin'; /** TiDB's BEGIN PESSIMISTIC / OPTIMISTIC; absent: `tidb_txn_mode` decides. */ readonly mode?: 'pessimistic' | 'optimistic' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'set'; readonly assignments: ReadonlyArray<{ target: Extract<Expr, { kind: 'var' }>; value: Expr }> }
  | { readonly kind: 'setNames'; readonly charset: string }
  | { readonly kind: 'setTransaction' }
  | ShowStmt
  | { readonly kind: 'describe'; readonly table: TableName }
  | { readonly kind: 'explain'; readonly stmt: Stmt; readonly analyze?: boolean }
  /** `SPLIT TABLE t BETWEEN (lo) AND (hi) REGIONS n` or `SPLIT TABLE t BY (v1), (v2), ...` (int handle values). */
  | { readonly kind: 'splitTable'; readonly table: TableName; readonly between?: { readonly lo: Expr; readonly hi: Expr; readonly regions: Expr }; readonly by?: readonly Expr[] }
  | {
      readonly kind: 'account';
      readonly action: 'create' | 'alter' | 'drop' | 'grant' | 'revoke' | 'showGrants';
      /** IF EXISTS (ALTER/DROP) or IF NOT EXISTS (CREATE). */
      readonly ifExists: boolean;
      readonly users: ReadonlyArray<{ readonly name: AccountName; readonly auth?: AccountAuth }>;
    }
  /** TiDB's ADMIN CHECKSUM TABLE t [, …]. */
  | { readonly kind: 'adminChecksum'; readonly tables: readonly TableName[] }
  /** SQL-level PREPARE name FROM 'text' | @var. */
  | { readonly kind: 'prepare'; readonly name: string; readonly text: { readonly literal: string } | { readonly userVar: string } }
  | { readonly kind: 'execute'; readonly name: string; readonly using: readonly string[] }
  | { readonly kind: 'deallocate'; readonly name: string }
  | { readonly kind: 'empty' };

/** An account as written: `'user'@'host'` (host defaults to '%') or CURRENT_USER. */
export type AccountName = { readonly user: string; readonly host: string } | { readonly current: true };

/** IDENTIFIED BY 'password' (clear text, hashed before it is stored) or AS '*HASH'. */
export type AccountAuth = { readonly password: string } | { readonly hash: string };
