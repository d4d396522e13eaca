import { ClassicLevel } from 'classic-level';
import { CorruptionError } from '../util/errors.ts';

/**
 * PD's durable metadata: a small classic-level database of string keys to bytes. Every
 * write that a client may have observed (TSO window, allocated ids, bootstrap, regions,
 * safe points) is synced before it is acknowledged.
 */
export class MetaStore {
  private constructor(private readonly db: ClassicLevel<string, Uint8Array>) {}

  static async open(path: string): Promise<MetaStore> {
    const db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (e) {
      throw new CorruptionError(`PD metadata at ${path} cannot be opened: ${(e as Error).message}`);
    }
    return new MetaStore(db);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.db.get(key);
  }

  async getBigInt(key: string): Promise<bigint | undefined> {
    const v = await this.db.get(key);
    if (v === undefined) return undefined;
    if (v.length !== 8) throw new CorruptionError(`PD metadata ${key}: expected 8 bytes, found ${v.length}`);
    return Buffer.from(v).readBigUInt64BE(0);
  }

  async putBigInt(key: string, value: bigint): Promise<void> {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    await this.db.put(key, b, { sync: true });
  }

  async put(key: string, value: Uint8Array, sync = true): Promise<void> {
    await this.db.put(key, value, { sync });
  }

  async delete(key: string): Promise<void> {
    await this.db.del(key, { sync: true });
  }

  /** Every entry whose key starts with `prefix`, in key order. */
  async scanPrefix(prefix: string): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: prefix + '\uffff' })) out.push([k, v]);
    return out;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
