/** The TPC-H benchmark's parts: generator, schema, queries, the engines it compares. */
export { TpchGenerator, orderKeyOf, tpchSizes, dateText, centsText, type CustomerRow, type OrderRow, type LineitemRow, type OrderBatch } from './tpch_generator.ts';
export { TABLES, createTableStatements, columnKinds, columnNames, type TableName, type Dialect } from './schema.ts';
export { QUERIES, Q1, Q3, Q6, assertSameResult, assertQ1MatchesLoop, assertQ6MatchesLoop, type Cell, type TpchQuery } from './queries.ts';
export { loadTables, type LoadResult, type InsertBatch } from './load_tables.ts';
export { type TpchEngine, type KeyPicker, type OltpMeasurement, POINT_SELECT_SQL, UPDATE_SQL } from './tpch_engine.ts';
export { PlaygroundProcess } from './playground_process.ts';
export { ClusterEngine, type ClusterEngineOptions, type ExplainSummary } from './cluster_engine.ts';
export { SqliteEngine } from './sqlite_engine.ts';
export { DuckdbEngine } from './duckdb_engine.ts';
export { summarizeProfile, monotonicUs, type Phase } from './profile_summary.ts';
