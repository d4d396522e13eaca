import { DomainError } from '../src/util/mod.ts';
import { decodeIndexKey, decodeRecordKey, isIndexKey, isRecordKey } from './tidb_codec.ts';

/**
 * An expected SQL failure carrying its MySQL error number and SQLSTATE. The protocol server
 * and the shell show these as-is; everything else is mapped in `toSqlError`.
 */
export class SqlError extends Error {
  override name = 'SqlError';
  constructor(
    readonly code: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

/** MySQL error numbers used by this layer (names as in MySQL's `mysqld_error.h`). */
export const ER = {
  DB_CREATE_EXISTS: [1007, 'HY000'],
  DB_DROP_EXISTS: [1008, 'HY000'],
  NO_DB_ERROR: [1046, '3D000'],
  BAD_NULL_ERROR: [1048, '23000'],
  BAD_DB_ERROR: [1049, '42000'],
  TABLE_EXISTS_ERROR: [1050, '42S01'],
  BAD_TABLE_ERROR: [1051, '42S02'],
  NON_UNIQ_ERROR: [1052, '23000'],
  BAD_FIELD_ERROR: [1054, '42S22'],
  WRONG_FIELD_WITH_GROUP: [1055, '42000'],
  DUP_FIELDNAME: [1060, '42S21'],
  DUP_KEYNAME: [1061, '42000'],
  DUP_ENTRY: [1062, '23000'],
  PARSE_ERROR: [1064, '42000'],
  MULTIPLE_PRI_KEY: [1068, '42000'],
  WRONG_AUTO_KEY: [1075, '42000'],
  CANT_REMOVE_ALL_FIELDS: [1090, '42000'],
  CANT_DROP_FIELD_OR_KEY: [1091, '42000'],
  UNKNOWN_ERROR: [1105, 'HY000'],
  INVALID_GROUP_FUNC_USE: [1111, 'HY000'],
  TABLE_MUST_HAVE_COLUMNS: [1113, '42000'],
  WRONG_VALUE_COUNT_ON_ROW: [1136, '21S01'],
  NO_SUCH_TABLE: [1146, '42S02'],
  UNKNOWN_SYSTEM_VARIABLE: [1193, 'HY000'],
  SUBQUERY_NO_1_ROW: [1242, '21000'],
  OPERAND_COLUMNS: [1241, '21000'],
  NOT_SUPPORTED_YET: [1235, '42000'],
  TRUNCATED_WRONG_VALUE: [1292, '22007'],
  WRONG_VALUE_COUNT: [1058, '21S01'],
  TOO_BIG_PRECISION: [1426, '42000'],
  TOO_BIG_SCALE: [1425, '42000'],
  M_BIGGER_THAN_D: [1427, '42000'],
  WARN_DATA_OUT_OF_RANGE: [1264, '22003'],
  TRUNCATED_WRONG_VALUE_FOR_FIELD: [1366, 'HY000'],
  DATA_TOO_LONG: [1406, '22001'],
  DIVISION_BY_ZERO: [1365, '22012'],
  KEY_COLUMN_DOES_NOT_EXITS: [1072, '42000'],
  INVALID_DEFAULT: [1067, '42000'],
  UNKNOWN_STMT_HANDLER: [1243, 'HY000'],
  WRONG_ARGUMENTS: [1210, 'HY000'],
  WRONG_PARAMCOUNT_TO_NATIVE_FCT: [1582, '42000'],
  SP_DOES_NOT_EXIST: [1305, '42000'],
  TOO_LONG_IDENT: [1059, '42000'],
  NET_PACKET_TOO_LARGE: [1153, '08S01'],
  QUERY_INTERRUPTED: [1317, '70100'],
  WRITE_CONFLICT: [9007, 'HY000'],
  LOCK_WAIT_TIMEOUT: [1205, 'HY000'],
  LOCK_DEADLOCK: [1213, '40001'],
  DBACCESS_DENIED: [1044, '42000'],
  UNKNOWN_TIME_ZONE: [1298, 'HY000'],
  BLOB_CANT_HAVE_DEFAULT: [1101, '42000'],
  INVALID_JSON_TEXT: [3140, '22032'],
  INVALID_JSON_TEXT_IN_PARAM: [3141, '22032'],
  INVALID_JSON_PATH: [3143, '42000'],
  JSON_USED_AS_KEY: [3152, '42000'],
  ACCESS_DENIED: [1045, '28000'],
  NONEXISTING_GRANT: [1141, '42000'],
  CANNOT_USER: [1396, 'HY000'],
  CANT_CREATE_USER_WITH_GRANT: [1410, '42000'],
  WRONG_STRING_LENGTH: [1470, 'HY000'],
  PASSWORD_FORMAT: [1827, 'HY000'],
} as const satisfies Record<string, readonly [number, string]>;

/** Builds a SqlError from an `ER` entry. */
export function sqlError(er: readonly [number, string], message: string): SqlError {
  return new SqlError(er[0], er[1], message);
}

/**
 * TiDB's 9007 text: `Write conflict, txnStartTS=…, conflictCommitTS=…, key={tableID=…, handle=…}, reason=Optimistic [try again later]`
 * (record keys show the int handle, index keys the index id; other keys their hex).
 */
function writeConflictMessage(e: Error & { key?: Uint8Array; startTs?: bigint; conflictCommitTs?: bigint }): string {
  if (e.key === undefined || e.startTs === undefined || e.conflictCommitTs === undefined) return `Write conflict, ${e.message}, reason=Optimistic [try again later]`;
  return `Write conflict, txnStartTS=${e.startTs}, conflictCommitTS=${e.conflictCommitTs}, key=${renderKey(e.key)}, reason=Optimistic [try again later]`;
}

/** A KV key as TiDB prints it in errors: `{tableID=101, handle=2}`, `{tableID=101, indexID=1, …}`, else hex. */
export function renderKey(key: Uint8Array): string {
  try {
    if (isRecordKey(key)) {
      const d = decodeRecordKey(key);
      const h = d.handle.kind === 'int' ? String(d.handle.value) : `{${Buffer.from(d.handle.encoded).toString('hex')}}`;
      return `{tableID=${d.tableId}, handle=${h}}`;
    }
    if (isIndexKey(key)) {
      const d = decodeIndexKey(key);
      return `{tableID=${d.tableId}, indexID=${d.indexId}, indexValues=${Buffer.from(d.encodedValues).toString('hex')}}`;
    }
  } catch {
    // An undecodable key is shown raw below.
  }
  return Buffer.from(key).toString('hex');
}

/**
 * Maps any thrown value to a SqlError (the one place that does so). Bugs (assertion
 * failures) are re-thrown: they must crash, not become an error packet.
 */
export function toSqlError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  if (e instanceof Error && e.name === 'WriteConflictError') {
    return sqlError(ER.WRITE_CONFLICT, writeConflictMessage(e as Error & { key?: Uint8Array; startTs?: bigint; conflictCommitTs?: bigint }));
  }
  if (e instanceof Error && e.name === 'DeadlockError') return sqlError(ER.LOCK_DEADLOCK, 'Deadlock found when trying to get lock; try restarting transaction');
  if (e instanceof Error && e.name === 'LockWaitTimeoutError') return sqlError(ER.LOCK_WAIT_TIMEOUT, 'Lock wait timeout exceeded; try restarting transaction');
  if (e instanceof Error && e.name === 'AssertionError') throw e;
  if (e instanceof DomainError) {
    if (e.code === 'InvalidArgument') return sqlError(ER.TRUNCATED_WRONG_VALUE, e.message);
    if (e.code === 'NotImplemented') return sqlError(ER.NOT_SUPPORTED_YET, e.message);
    return sqlError(ER.UNKNOWN_ERROR, e.message);
  }
  if (e instanceof RangeError) return sqlError(ER.UNKNOWN_ERROR, e.message);
  if (e instanceof Error) return sqlError(ER.UNKNOWN_ERROR, e.message);
  return sqlError(ER.UNKNOWN_ERROR, String(e));
}
