import { DomainError } from '../src/util/mod.ts';
import type { TipbError } from './dag_types.ts';
import type { TimeZone } from './time_zone.ts';

/** MySQL error codes the evaluator reports (SelectResponse.error / warnings). */
export const MysqlErrorCode = {
  Truncated: 1292,
  DataOutOfRange: 1690,
  DivisionByZero: 1365,
  UnknownError: 1105,
} as const;

/** DAGRequest.flags bits (TiDB statement context) the evaluator honours. */
export const DagFlag = {
  IgnoreTruncate: 1n << 0n,
  TruncateAsWarning: 1n << 1n,
  OverflowAsWarning: 1n << 6n,
  DividedByZeroAsWarning: 1n << 8n,
} as const;

/** sql_mode bits the evaluator honours. */
export const SqlMode = {
  ErrorForDivisionByZero: 1n << 26n,
  StrictTransTables: 1n << 21n,
  StrictAllTables: 1n << 22n,
} as const;

/** Default `DAGRequest.max_warning_count` when the request leaves it 0 (TiKV's value). */
export const WARNINGS_MAX_DEFAULT = 64;

/**
 * An evaluation failure that TiDB turns into a SQL error: goes to `SelectResponse.error`
 * with its MySQL code, never to `other_error`.
 */
export class EvalError extends DomainError {
  override name = 'EvalError';
  constructor(
    readonly mysqlCode: number,
    message: string,
  ) {
    super('InvalidArgument', message);
  }
}

/**
 * Per-request evaluation settings and the warning sink. Warnings beyond `warningsMax` are
 * counted but not kept (TiKV keeps the first N and reports the total).
 */
export class EvalContext {
  readonly warnings: TipbError[] = [];
  warningCount = 0;

  constructor(
    readonly flags: bigint = 0n,
    readonly sqlMode: bigint = 0n,
    /** Request time zone as seconds east of UTC (name resolution happens before this). */
    readonly timeZoneOffsetSeconds: number = 0,
    readonly warningsMax: number = WARNINGS_MAX_DEFAULT,
    /** The request's zone by name when it has one (DST-aware); else `timeZoneOffsetSeconds` applies. */
    readonly timeZone: TimeZone | null = null,
  ) {}

  /**
   * Epoch seconds of a wall-clock time in the request's zone, given as seconds since the
   * epoch as if that wall clock were UTC. In a DST gap or overlap the offset in effect just
   * after the transition is used.
   */
  localToUtcSeconds(localSeconds: number): number {
    if (this.timeZone === null) return localSeconds - this.timeZoneOffsetSeconds;
    const guess = localSeconds - this.timeZone.offsetSecondsAt(localSeconds * 1000);
    return localSeconds - this.timeZone.offsetSecondsAt(guess * 1000);
  }

  warn(code: number, msg: string): void {
    this.warningCount++;
    if (this.warnings.length < this.warningsMax) this.warnings.push({ code, msg });
  }

  /** Division by zero: NULL plus a warning in SELECT (TiDB's 482 flags), else an error when strict. */
  divisionByZero(): void {
    const asWarning = (this.flags & DagFlag.DividedByZeroAsWarning) !== 0n || (this.sqlMode & SqlMode.ErrorForDivisionByZero) === 0n;
    if (!asWarning) throw new EvalError(MysqlErrorCode.DivisionByZero, 'Division by 0');
    this.warn(MysqlErrorCode.DivisionByZero, 'Division by 0');
  }

  /** Integer overflow is always an error (TiDB does not downgrade arithmetic overflow). */
  overflow(typeName: string, expr: string): never {
    throw new EvalError(MysqlErrorCode.DataOutOfRange, `${typeName} value is out of range in '${expr}'`);
  }

  /** A truncated/invalid conversion: warning when the flags allow it, otherwise an error. */
  truncated(msg: string): void {
    if ((this.flags & DagFlag.IgnoreTruncate) !== 0n) return;
    if ((this.flags & DagFlag.TruncateAsWarning) !== 0n) {
      this.warn(MysqlErrorCode.Truncated, msg);
      return;
    }
    throw new EvalError(MysqlErrorCode.Truncated, msg);
  }
}
