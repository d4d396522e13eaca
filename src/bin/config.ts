import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { invalidArgument } from '../util/errors.ts';

/**
 * TOML configuration for the executables, with TiKV/PD's key names. Unknown keys are an
 * error that names the key (a typo silently ignored is a misconfigured production store).
 * Command-line flags override the file.
 */

/** Parses TiKV-style sizes: a number of bytes or "96MB", "96MiB", "512KB", "1GB". */
export function parseSize(value: unknown, key: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?\s*$/i.exec(value);
    if (m) {
      const unit = (m[2] ?? 'B').toUpperCase().replace('IB', 'B');
      const mult = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[unit] ?? 1;
      return Math.floor(Number(m[1]) * mult);
    }
  }
  throw invalidArgument(`config ${key}: expected a size like 96MiB or a byte count, got ${JSON.stringify(value)}`);
}

/** Parses TiKV-style durations: "10s", "100ms", "1m", "1h", or a number of milliseconds. */
export function parseDurationMs(value: unknown, key: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
    if (m) return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  throw invalidArgument(`config ${key}: expected a duration like 10s or 100ms, got ${JSON.stringify(value)}`);
}

type Schema = Record<string, Record<string, 'string' | 'size' | 'duration' | 'count' | 'bool' | 'strings'>>;

/** Reads `path` and validates it against `schema` (section -> key -> kind). */
export function loadTomlConfig(path: string, schema: Schema): Record<string, Record<string, unknown>> {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw invalidArgument(`config ${path}: ${(e as Error).message}`);
  }
  const out: Record<string, Record<string, unknown>> = { '': {} };
  // Top-level scalars (PD's `name`, `data-dir`, ...) belong to the '' section.
  const sections: Array<[string, Record<string, unknown>]> = [['', {}]];
  for (const [name, body] of Object.entries(doc)) {
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && !(body instanceof Date)) {
      sections.push([name, body as Record<string, unknown>]);
    } else sections[0]![1][name] = body;
  }
  for (const [section, body] of sections) {
    const keys = schema[section];
    if (!keys) throw invalidArgument(`config ${path}: unknown section [${section}] (known: ${Object.keys(schema).filter(Boolean).join(', ')})`);
    out[section] ??= {};
    for (const [key, value] of Object.entries(body)) {
      const kind = keys[key];
      const name = section ? `${section}.${key}` : key;
      if (!kind) throw invalidArgument(`config ${path}: unknown key ${name} (known here: ${Object.keys(keys).join(', ') || 'none'})`);
      switch (kind) {
        case 'size':
          out[section]![key] = parseSize(value, name);
          break;
        case 'duration':
          out[section]![key] = parseDurationMs(value, name);
          break;
        case 'count':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidArgument(`config ${name}: expected a non-negative integer`);
          out[section]![key] = value;
          break;
        case 'bool':
          if (typeof value !== 'boolean') throw invalidArgument(`config ${name}: expected true or false`);
          out[section]![key] = value;
          break;
        case 'strings':
          if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidArgument(`config ${name}: expected a list of strings`);
          out[section]![key] = value;
          break;
        default:
          if (typeof value !== 'string') throw invalidArgument(`config ${name}: expected a string`);
          out[section]![key] = value;
      }
    }
  }
  return out;
}

export const PD_CONFIG_SCHEMA: Schema = {
  '': { name: 'string', 'client-urls': 'string', 'data-dir': 'string', 'tso-save-interval': 'duration' },
  log: { level: 'string' },
};

export const TIKV_CONFIG_SCHEMA: Schema = {
  '': {},
  log: { level: 'string' },
  server: { addr: 'string', 'status-addr': 'string', 'advertise-addr': 'string', 'grpc-max-message-size': 'size' },
  storage: { 'data-dir': 'string', 'sync-log': 'bool' },
  pd: { endpoints: 'strings' },
  coprocessor: { 'region-split-keys': 'count', 'region-max-keys': 'count', 'region-split-size': 'size', 'region-max-size': 'size' },
  raftstore: { 'split-region-check-tick-interval': 'duration', 'raft-entry-max-size': 'size' },
  gc: { 'run-interval': 'duration' },
};
