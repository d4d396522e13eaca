import { AsyncLocalStorage } from 'node:async_hooks';
import { ER, sqlError } from '../errors.ts';
import { coreTimeUtcToZone, coreTimeZoneToUtc, fieldsToEpochSeconds, zoneOffsetSeconds, type TimeZone } from '../tidb_codec.ts';

/**
 * The session's `time_zone` and where it applies. TIMESTAMP values are kept in UTC in storage
 * (rows, index keys, pushed constants) and in the session's zone everywhere in the SQL layer
 * (results, literals, NOW()), as in MySQL/TiDB. The zone of the statement being run travels in
 * an AsyncLocalStorage (entered only for zones other than UTC), so value conversion deep in
 * the codecs needs no extra parameter and concurrent sessions never see each other's zone.
 */

/** MySQL's limit for a numeric zone: -13:59 .. +14:00. */
const OFFSET_SECONDS_MIN = -(13 * 3600 + 59 * 60);
const OFFSET_SECONDS_MAX = 14 * 3600;

export class SessionTimeZone {
  static readonly UTC = new SessionTimeZone({ offsetSeconds: 0 }, 'UTC');

  private constructor(
    readonly zone: TimeZone,
    /** The zone as the DAG's `time_zone_name` carries it ('' for a numeric offset). */
    readonly dagName: string,
  ) {}

  /** True when no conversion is ever needed (UTC or +00:00). */
  get isUtc(): boolean {
    return 'offsetSeconds' in this.zone ? this.zone.offsetSeconds === 0 : false;
  }

  /** `time_zone_offset` for the DAG: the fixed offset, or the named zone's offset now. */
  offsetSecondsNow(nowMs: number): number {
    return zoneOffsetSeconds(this.zone, Math.floor(nowMs / 1000));
  }

  /**
   * Parses a `time_zone` value: SYSTEM (the server's `system_time_zone`), `+HH:MM` / `-HH:MM`,
   * or an IANA name. Anything else is MySQL's 1298.
   */
  static parse(text: string, systemZone: string): SessionTimeZone {
    const t = text.trim();
    if (t.toUpperCase() === 'SYSTEM') return SessionTimeZone.parse(systemZone, 'UTC');
    const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(t);
    if (m !== null) {
      const seconds = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
      if (Number(m[3]) > 59 || seconds < OFFSET_SECONDS_MIN || seconds > OFFSET_SECONDS_MAX) throw unknownZone(text);
      return seconds === 0 ? SessionTimeZone.UTC : new SessionTimeZone({ offsetSeconds: seconds }, '');
    }
    if (/^(utc|gmt|z)$/i.test(t)) return SessionTimeZone.UTC;
    if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(t)) throw unknownZone(text);
    try {
      zoneOffsetSeconds({ name: t }, 0);
    } catch {
      throw unknownZone(text);
    }
    return new SessionTimeZone({ name: t }, t);
  }

  /** A stored (UTC) TIMESTAMP as this zone's wall clock. */
  fromUtc(core: bigint): bigint {
    return this.isUtc ? core : coreTimeUtcToZone(core, this.zone);
  }

  /** This zone's wall-clock TIMESTAMP as stored (UTC). */
  toUtc(core: bigint): bigint {
    return this.isUtc ? core : coreTimeZoneToUtc(core, this.zone);
  }

  /** Wall-clock fields of a UTC instant in this zone, as `YYYY-MM-DD hh:mm:ss.ffffff` text. */
  wallClockText(epochMs: number): string {
    const seconds = Math.floor(epochMs / 1000);
    const local = new Date((seconds + zoneOffsetSeconds(this.zone, seconds)) * 1000 + (epochMs - seconds * 1000));
    return local.toISOString().replace('T', ' ').slice(0, 23);
  }

  /** Seconds since the epoch of wall-clock fields read in this zone. */
  epochSecondsOf(f: Parameters<typeof fieldsToEpochSeconds>[0]): number {
    const local = fieldsToEpochSeconds(f);
    if (this.isUtc) return local;
    const guess = local - zoneOffsetSeconds(this.zone, local);
    return local - zoneOffsetSeconds(this.zone, guess);
  }
}

function unknownZone(text: string): Error {
  return sqlError(ER.UNKNOWN_TIME_ZONE, `Unknown or incorrect time zone: '${text}'`);
}

const current = new AsyncLocalStorage<SessionTimeZone>();

/** The zone of the statement running in this async context (UTC outside any statement). */
export function currentTimeZone(): SessionTimeZone {
  return current.getStore() ?? SessionTimeZone.UTC;
}

/**
 * Runs `fn` with `tz` as the statement's zone. UTC sessions (the default) run without
 * entering the AsyncLocalStorage: on Node 20 its first use installs promise hooks that tax
 * every await in the process, so only sessions that set another zone pay for it.
 */
export function withTimeZone<T>(tz: SessionTimeZone, fn: () => Promise<T>): Promise<T> {
  if (tz.isUtc && current.getStore() === undefined) return fn();
  return current.run(tz, fn);
}
