import { DomainError } from '../src/util/mod.ts';

/**
 * The request's time zone (DAGRequest.time_zone_name, else time_zone_offset): converts
 * TIMESTAMP values between UTC (how they are stored) and the session's local time (how the
 * chunk format carries them). IANA names resolve through the runtime's tz database (Intl).
 */
export class TimeZone {
  private readonly formatter: Intl.DateTimeFormat | null;

  private constructor(
    readonly name: string,
    private readonly fixedOffsetSeconds: number,
    formatter: Intl.DateTimeFormat | null,
  ) {
    this.formatter = formatter;
  }

  static fromRequest(name: string | undefined, offsetSeconds: bigint | undefined): TimeZone {
    const n = name ?? '';
    if (n === '') return new TimeZone(`UTC${Number(offsetSeconds ?? 0n) >= 0 ? '+' : ''}${offsetSeconds ?? 0n}s`, Number(offsetSeconds ?? 0n), null);
    if (n === 'UTC' || n === 'Etc/UTC') return new TimeZone(n, 0, null);
    const zone = n === 'System' ? Intl.DateTimeFormat().resolvedOptions().timeZone : n;
    try {
      const f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      return new TimeZone(zone, 0, f);
    } catch {
      throw new DomainError('InvalidArgument', `coprocessor: unknown time zone '${n}'`);
    }
  }

  /** Seconds east of UTC in effect at the UTC instant `utcMs`. */
  offsetSecondsAt(utcMs: number): number {
    if (this.formatter === null) return this.fixedOffsetSeconds;
    const parts = this.formatter.formatToParts(new Date(utcMs));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return Math.round((local - Math.floor(utcMs / 1000) * 1000) / 1000);
  }
}
