/** SQL text -> our typed statement AST (node-sql-parser stays behind adapter.ts). */
export * from './ast.ts';
export { INTERVAL_FN, parseStatement, splitStatements, SQL_TEXT_BYTES_MAX, type ParsedStatement } from './adapter.ts';
