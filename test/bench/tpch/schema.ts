/**
 * The three tables' DDL for each engine. Column types are TPC-H's (DECIMAL(15,2), DATE,
 * CHAR, VARCHAR, integer keys). `lineitem` gets an explicit BIGINT `l_id` primary key
 * (1..rows, in generation order) instead of TPC-H's (l_orderkey, l_linenumber): our SQL
 * layer pushes scans down only for int-handle tables, and the same key is used by the peers
 * so all three store lineitem clustered the same way.
 */

/** Which dialect a statement list is for. */
export type Dialect = 'mysql' | 'sqlite' | 'duckdb';

interface ColumnDef {
  name: string;
  /** MySQL / DuckDB type. */
  type: string;
  /** SQLite type (affinity). */
  sqlite: string;
}

const col = (name: string, type: string): ColumnDef => ({
  name,
  type,
  sqlite: type.startsWith('DECIMAL') ? 'NUMERIC' : type.includes('INT') ? 'INTEGER' : 'TEXT',
});

/** Columns in the order the generator's tuples use. */
export const TABLES = {
  customer: [
    col('c_custkey', 'BIGINT'),
    col('c_name', 'VARCHAR(25)'),
    col('c_address', 'VARCHAR(40)'),
    col('c_nationkey', 'INT'),
    col('c_phone', 'CHAR(15)'),
    col('c_acctbal', 'DECIMAL(15,2)'),
    col('c_mktsegment', 'CHAR(10)'),
    col('c_comment', 'VARCHAR(117)'),
  ],
  orders: [
    col('o_orderkey', 'BIGINT'),
    col('o_custkey', 'BIGINT'),
    col('o_orderstatus', 'CHAR(1)'),
    col('o_totalprice', 'DECIMAL(15,2)'),
    col('o_orderdate', 'DATE'),
    col('o_orderpriority', 'CHAR(15)'),
    col('o_clerk', 'CHAR(15)'),
    col('o_shippriority', 'INT'),
    col('o_comment', 'VARCHAR(79)'),
  ],
  lineitem: [
    col('l_id', 'BIGINT'),
    col('l_orderkey', 'BIGINT'),
    col('l_partkey', 'BIGINT'),
    col('l_suppkey', 'BIGINT'),
    col('l_linenumber', 'INT'),
    col('l_quantity', 'DECIMAL(15,2)'),
    col('l_extendedprice', 'DECIMAL(15,2)'),
    col('l_discount', 'DECIMAL(15,2)'),
    col('l_tax', 'DECIMAL(15,2)'),
    col('l_returnflag', 'CHAR(1)'),
    col('l_linestatus', 'CHAR(1)'),
    col('l_shipdate', 'DATE'),
    col('l_commitdate', 'DATE'),
    col('l_receiptdate', 'DATE'),
    col('l_shipinstruct', 'CHAR(25)'),
    col('l_shipmode', 'CHAR(10)'),
    col('l_comment', 'VARCHAR(44)'),
  ],
} as const satisfies Record<string, readonly ColumnDef[]>;

export type TableName = keyof typeof TABLES;

/** Column kinds by position, for formatting generator tuples per engine. */
export type ColumnKind = 'int' | 'cents' | 'date' | 'text';

/** Each table's column kinds in tuple order. */
export function columnKinds(table: TableName): ColumnKind[] {
  return TABLES[table].map((c: ColumnDef) =>
    c.type.startsWith('DECIMAL') ? 'cents' : c.type === 'DATE' ? 'date' : c.type.includes('INT') ? 'int' : 'text',
  );
}

/** `CREATE TABLE` statements, primary key = the first column, for `dialect`. */
export function createTableStatements(dialect: Dialect): string[] {
  return (Object.keys(TABLES) as TableName[]).map((table) => {
    const cols = TABLES[table].map((c: ColumnDef, i: number) => {
      const type = dialect === 'sqlite' ? c.sqlite : c.type;
      return `${c.name} ${type} NOT NULL${i === 0 ? ' PRIMARY KEY' : ''}`;
    });
    return `CREATE TABLE ${table} (${cols.join(', ')})`;
  });
}

/** Column names of `table` in tuple order. */
export function columnNames(table: TableName): string[] {
  return TABLES[table].map((c: ColumnDef) => c.name);
}
