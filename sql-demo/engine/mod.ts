/** The SQL engine: sessions, catalog, planner, executors (root side), DML/DDL. */
export { SqlEngine, Session, type ExecResult, type RowsResult, type OkResult, type Warning } from './session.ts';
export { SqlTime, SqlDuration, valueToString, valueToBytes, formatFloat, type Value } from './value.ts';
export { type FieldType } from './column_type.ts';
export { type SchemaColumn, VERSION_STRING } from './expr.ts';
export { explainPlan, type PlanNode, type QueryPlan, type Access } from './plan.ts';
export { Planner } from './planner.ts';
export { Accounts, checkNativeScramble, nativePasswordHash, ROOT_IDENTITY, type SessionIdentity, type StoredAccount } from './accounts.ts';
export { decodeSqlText, encodeSqlBytes } from './sql_text.ts';
