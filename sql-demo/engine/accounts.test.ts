// Proves account storage and matching: MySQL's native password hash, scramble checks, the most specific host wins, and accounts persist in the KV store across engines.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryKvClient } from '../kv/mod.ts';
import { checkNativeScramble, nativePasswordHash } from './accounts.ts';
import { SqlEngine } from './session.ts';

function clientToken(password: string, salt: Buffer): Buffer {
  const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest();
  const stage1 = sha1(password);
  const mix = sha1(Buffer.concat([salt, sha1(stage1)]));
  return Buffer.from(stage1.map((b, i) => b ^ mix[i]!));
}

describe('accounts', () => {
  it('hashes as MySQL PASSWORD() does and checks client scrambles against the stored hash only', () => {
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    expect(nativePasswordHash('')).toBe('');
    const salt = Buffer.from('0123456789abcdefghij');
    const stored = nativePasswordHash('s3cret');
    expect(checkNativeScramble(stored, salt, clientToken('s3cret', salt))).toBe(true);
    expect(checkNativeScramble(stored, salt, clientToken('s3creT', salt))).toBe(false);
    expect(checkNativeScramble(stored, Buffer.from('another-salt-2345678'), clientToken('s3cret', salt))).toBe(false);
    expect(checkNativeScramble(stored, salt, new Uint8Array(0))).toBe(false);
    expect(checkNativeScramble('', salt, new Uint8Array(0))).toBe(true);
    expect(checkNativeScramble('', salt, clientToken('x', salt))).toBe(false);
  });

  it('matches the most specific host and keeps accounts in the cluster for every engine', async () => {
    const kv = new MemoryKvClient();
    const a = new SqlEngine(kv);
    await a.bootstrap();
    const s = a.newSession();
    await s.execute("CREATE USER 'u'@'%' IDENTIFIED BY 'any', 'u'@'localhost' IDENTIFIED BY 'local', 'u'@'10.1.%' IDENTIFIED BY 'net'");
    const b = new SqlEngine(kv);
    await b.bootstrap(); // does not recreate or reset anything
    expect((await b.accounts.match('u', '127.0.0.1'))?.host).toBe('localhost');
    expect((await b.accounts.match('u', '::ffff:127.0.0.1'))?.host).toBe('localhost');
    expect((await b.accounts.match('u', '10.1.2.3'))?.host).toBe('10.1.%');
    expect((await b.accounts.match('u', '192.168.0.9'))?.host).toBe('%');
    expect(await b.accounts.match('nobody', '127.0.0.1')).toBeUndefined();
    expect((await b.accounts.match('root', '10.9.9.9'))?.authString).toBe('');
    await s.close();
  });
});
