// Proves the TOML loader accepts TiKV/PD key names with sizes and durations, and rejects
// unknown sections, unknown keys and malformed values with messages that name them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTomlConfig, parseDurationMs, parseSize, PD_CONFIG_SCHEMA, TIKV_CONFIG_SCHEMA } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
function file(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

describe('config', () => {
  it('parses sizes and durations', () => {
    expect(parseSize('96MiB', 'k')).toBe(96 * 1024 * 1024);
    expect(parseSize('96MB', 'k')).toBe(96 * 1024 * 1024);
    expect(parseSize(4096, 'k')).toBe(4096);
    expect(parseDurationMs('10s', 'k')).toBe(10_000);
    expect(parseDurationMs('150ms', 'k')).toBe(150);
    expect(() => parseSize('lots', 'coprocessor.region-max-size')).toThrow(/coprocessor.region-max-size/);
  });

  it('loads a tikv config', () => {
    const cfg = loadTomlConfig(
      file('tikv.toml', '[server]\naddr = "127.0.0.1:1"\n[coprocessor]\nregion-split-keys = 200\nregion-max-size = "1MiB"\n[pd]\nendpoints = ["127.0.0.1:2379"]\n'),
      TIKV_CONFIG_SCHEMA,
    );
    expect(cfg['server']!['addr']).toBe('127.0.0.1:1');
    expect(cfg['coprocessor']!['region-split-keys']).toBe(200);
    expect(cfg['coprocessor']!['region-max-size']).toBe(1024 * 1024);
    expect(cfg['pd']!['endpoints']).toEqual(['127.0.0.1:2379']);
  });

  it('loads a pd config with top-level keys', () => {
    const cfg = loadTomlConfig(file('pd.toml', 'name = "pd1"\ndata-dir = "/d"\n[log]\nlevel = "warn"\n'), PD_CONFIG_SCHEMA);
    expect(cfg['']!['name']).toBe('pd1');
    expect(cfg['log']!['level']).toBe('warn');
  });

  it('names unknown keys and sections', () => {
    expect(() => loadTomlConfig(file('a.toml', '[server]\nadr = "x"\n'), TIKV_CONFIG_SCHEMA)).toThrow(/unknown key server.adr/);
    expect(() => loadTomlConfig(file('b.toml', '[sever]\naddr = "x"\n'), TIKV_CONFIG_SCHEMA)).toThrow(/unknown section \[sever\]/);
    expect(() => loadTomlConfig(file('c.toml', '[coprocessor]\nregion-split-keys = -1\n'), TIKV_CONFIG_SCHEMA)).toThrow(/non-negative/);
    expect(() => loadTomlConfig(file('d.toml', 'this is not toml'), TIKV_CONFIG_SCHEMA)).toThrow(/d.toml/);
  });
});
