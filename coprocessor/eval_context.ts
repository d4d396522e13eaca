import { DomainError } from '../src/util/mod.ts';
import type { TipbError } from './dag_types.ts';
import { TimeZone } from './time_zone.ts';

/** MySQL error codes the evaluator reports (SelectResponse.error / warnings). */
export const MysqlErrorCode = {
  /** WARN_DATA_TRUNCATED: a zero (or zero-in) date cleared under NO_ZERO_DATE/NO_ZERO_IN_DATE, a partly parsed TIME. */
  DataTruncated: 1265,
  Truncated: 1292,
  DataOutOfRange: 1690,
  DivisionByZero: 1365,
  UnknownError: 1105,
} as const;

/** DAGRequest.flags bits (TiDB statement context) the evaluator honours. */
export const DagFlag = {
  IgnoreTruncate: 1n << 0n,
  TruncateAsWarning: 1n << 1n,
  InInsertStmt: 1n << 3n,
  InUpdateOrDeleteStmt: 1n << 4n,
  OverflowAsWarning: 1n << 6n,
  DividedByZeroAsWarning: 1n << 8n,
} as const;

/** sql_mode bits the evaluator honours. */
export const SqlMode = {
  ErrorForDivisionByZero: 1n << 26n,
  StrictTransTables: 1n << 21n,
  StrictAllTables: 1n << 22n,
  NoZeroInDate: 1n << 23n,
  NoZeroDate: 1n << 24n,
  InvalidDates: 1n << 25n,
} as const;

/** How far around a local time zone transitions are looked for (offsets change at most once a day). */
const ZONE_PROBE_SECONDS = 86_400;

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
    /**
     * The request's wall clock (epoch ms), read at most once per request: functions that
     * need "now" (CAST of a TIME to a DATETIME takes today's date) see one instant. Null when
     * the store gave no clock; such functions then refuse the request.
     */
    private readonly wallClockMs: (() => number) | null = null,
  ) {}

  private statementNowMs: number | null = null;

  /** The request's time zone as a TimeZone (named, else the fixed offset). */
  zone(): TimeZone {
    return this.timeZone ?? TimeZone.fromRequest(undefined, BigInt(this.timeZoneOffsetSeconds));
  }

  /** Epoch ms of this request's "now" (fixed at the first call). */
  nowMs(): number {
    if (this.statementNowMs === null) {
      if (this.wallClockMs === null) throw new DomainError('NotImplemented', 'coprocessor: this function needs the current time and the store passed no clock');
      this.statementNowMs = this.wallClockMs();
    }
    return this.statementNowMs;
  }

  /**
   * Epoch seconds of a wall-clock time in the request's zone (given as seconds since the
   * epoch as if that wall clock were UTC), or null when that wall-clock time does not exist
   * (a DST gap). In an overlap the earlier instant wins, as TiKV resolves local times.
   */
  localToUtcSecondsExact(localSeconds: number): number | null {
    if (this.timeZone === null) return localSeconds - this.timeZoneOffsetSeconds;
    let best: number | null = null;
    for (const probe of [-ZONE_PROBE_SECONDS, 0, ZONE_PROBE_SECONDS]) {
      const offset = this.timeZone.offsetSecondsAt((localSeconds + probe) * 1000);
      const utc = localSeconds - offset;
      if (this.timeZone.offsetSecondsAt(utc * 1000) === offset && (best === null || utc < best)) best = utc;
    }
    return best;
  }

  /** Seconds east of UTC at the UTC instant `utcSeconds` in the request's zone. */
  offsetSecondsAtUtc(utcSeconds: number): number {
    return this.timeZone === null ? this.timeZoneOffsetSeconds : this.timeZone.offsetSecondsAt(utcSeconds * 1000);
  }

  /** True under STRICT_TRANS_TABLES or STRICT_ALL_TABLES. */
  isStrict(): boolean {
    return (this.sqlMode & (SqlMode.StrictTransTables | SqlMode.StrictAllTables)) !== 0n;
  }

  /**
   * An invalid date/time value (TiKV `handle_invalid_time_error`): an error only in strict
   * mode inside INSERT/UPDATE/DELETE, otherwise a warning (the caller answers NULL).
   */
  invalidTime(msg: string): void {
    const writing = (this.flags & (DagFlag.InInsertStmt | DagFlag.InUpdateOrDeleteStmt)) !== 0n;
    if (this.isStrict() && writing) throw new EvalError(MysqlErrorCode.Truncated, msg);
    this.warn(MysqlErrorCode.Truncated, msg);
  }

  /** An overflow that the statement may downgrade (TiKV `handle_overflow_err`): warning or error. */
  overflowOrWarn(msg: string): void {
    if ((this.flags & DagFlag.OverflowAsWarning) === 0n) throw new EvalError(MysqlErrorCode.DataOutOfRange, msg);
    this.warn(MysqlErrorCode.DataOutOfRange, msg);
  }

  /**
   * A truncation whose error TiKV drops (`let _ = handle_truncate(..)`): warns when the
   * flags make truncation a warning, and never throws.
   */
  truncatedQuietly(code: number, msg: string): void {
    if ((this.flags & DagFlag.IgnoreTruncate) !== 0n) return;
    if ((this.flags & DagFlag.TruncateAsWarning) !== 0n) this.warn(code, msg);
  }

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
