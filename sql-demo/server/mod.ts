/** MySQL wire protocol server over the SQL engine. */
export { startMysqlServer, type MysqlServer, type MysqlServerOptions, REQUEST_BYTES_MAX, CONNECTIONS_MAX } from './mysql_server.ts';
