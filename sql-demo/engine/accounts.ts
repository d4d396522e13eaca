import { createHash } from 'node:crypto';
import { ER, sqlError } from '../errors.ts';
import type { KvClient, KvSnapshotReader } from '../kv/mod.ts';
import type { AccountAuth, AccountName, Stmt } from '../parser/mod.ts';
import { FT } from './field_types.ts';

/**
 * User accounts, stored in the cluster so every SQL server sees the same ones and they
 * survive restarts. Passwords are kept only as MySQL's `mysql_native_password` hash
 * (`*` + hex SHA1(SHA1(password))), which is all the handshake needs to check a client's
 * scramble. Privileges are NOT enforced: every account may do everything, GRANT and REVOKE
 * only check that the account exists and warn, SHOW GRANTS says ALL PRIVILEGES.
 *
 * Keys: `mUser:{user}\0{host}` → JSON `StoredAccount`.
 */

export interface StoredAccount {
  readonly user: string;
  /** Host pattern as written (lower case): a name or address, `%` and `_` wildcards. */
  readonly host: string;
  readonly plugin: 'mysql_native_password';
  /** `*` + 40 upper-case hex digits, or '' for an empty password. */
  readonly authString: string;
}

/** The account a session runs as: what it logged in as and the account row that matched. */
export interface SessionIdentity {
  /** The user name the client sent. */
  readonly user: string;
  /** The client's address ('localhost' for in-process sessions). */
  readonly clientHost: string;
  /** The matched account (CURRENT_USER()). */
  readonly account: { readonly user: string; readonly host: string };
}

/** In-process sessions (the shell, tests) run as root from localhost. */
export const ROOT_IDENTITY: SessionIdentity = { user: 'root', clientHost: 'localhost', account: { user: 'root', host: '%' } };

/** Accounts on one cluster at most (a scan bound for authentication). */
const ACCOUNTS_MAX = 100_000;
const NATIVE_HASH_RE = /^\*[0-9A-F]{40}$/;

const enc = new TextEncoder();
const dec = new TextDecoder();
const PREFIX = enc.encode('mUser:');
const PREFIX_END = enc.encode('mUser;');

function accountKey(user: string, host: string): Uint8Array {
  return enc.encode(`mUser:${user}\0${host}`);
}

function sha1(b: Uint8Array | string): Buffer {
  return createHash('sha1').update(b).digest();
}

/** MySQL's stored form of a password for `mysql_native_password`. */
export function nativePasswordHash(password: string): string {
  return password === '' ? '' : '*' + sha1(sha1(password)).toString('hex').toUpperCase();
}

/**
 * Checks a client's `mysql_native_password` answer to `salt` against a stored hash: the
 * client sends SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))); un-XORing with the stored stage-2
 * hash must give a value whose SHA1 is that hash.
 */
export function checkNativeScramble(authString: string, salt: Uint8Array, token: Uint8Array): boolean {
  if (authString === '') return token.length === 0;
  if (token.length !== 20 || !NATIVE_HASH_RE.test(authString)) return false;
  const stage2 = Buffer.from(authString.slice(1), 'hex');
  const mix = sha1(Buffer.concat([salt, stage2]));
  const stage1 = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) stage1[i] = token[i]! ^ mix[i]!;
  return sha1(stage1).equals(stage2);
}

/** Whether host pattern `pattern` (with `%` / `_`) matches the client host `host`. */
function hostMatches(pattern: string, host: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(host);
}

/** MySQL's order for matching: literal hosts first, then patterns with the longest literal prefix. */
function specificity(host: string): number {
  const w = host.search(/[%_]/);
  return w < 0 ? Number.MAX_SAFE_INTEGER : w;
}

/** Names a client host may be known by: its address, and `localhost` for loopback. */
function hostCandidates(clientHost: string): string[] {
  const h = clientHost.replace(/^::ffff:/, '').toLowerCase();
  const loopback = h === 'localhost' || h === '::1' || h.startsWith('127.');
  return loopback ? [h, 'localhost', '127.0.0.1'] : [h];
}

function quoteAccount(user: string, host: string): string {
  return `'${user}'@'${host}'`;
}

/** Reads and changes accounts; one instance per SQL engine. */
export class Accounts {
  constructor(private readonly kv: KvClient) {}

  private async all(reader: KvSnapshotReader): Promise<StoredAccount[]> {
    const out: StoredAccount[] = [];
    for await (const kv of reader.scan(PREFIX, PREFIX_END, { limit: ACCOUNTS_MAX })) out.push(JSON.parse(dec.decode(kv.value)) as StoredAccount);
    return out;
  }

  /** Every account, ordered by user then host. */
  async list(): Promise<StoredAccount[]> {
    return this.all(await this.kv.snapshot());
  }

  /** Creates `'root'@'%'` with an empty password when the cluster has no account (TiDB's bootstrap). */
  async bootstrap(): Promise<void> {
    const snap = await this.kv.snapshot();
    if ((await this.all(snap)).length > 0) return;
    const txn = await this.kv.begin();
    try {
      if ((await this.all(txn)).length === 0) {
        const root: StoredAccount = { user: 'root', host: '%', plugin: 'mysql_native_password', authString: '' };
        txn.set(accountKey(root.user, root.host), enc.encode(JSON.stringify(root)));
      }
      await txn.commit();
    } catch (e) {
      await txn.rollback().catch(() => undefined);
      throw e;
    }
  }

  /**
   * The account a login by `user` from `clientHost` uses (the most specific host match), or
   * undefined when none matches.
   */
  async match(user: string, clientHost: string): Promise<StoredAccount | undefined> {
    const accounts = (await this.all(await this.kv.snapshot())).filter((a) => a.user === user);
    accounts.sort((a, b) => specificity(b.host) - specificity(a.host));
    const hosts = hostCandidates(clientHost);
    return accounts.find((a) => hosts.some((h) => hostMatches(a.host, h)));
  }

  /**
   * Runs an account statement for a session running as `me`. Changes are one transaction:
   * when any named account fails, none changes (MySQL 8). Returns warnings and, for SHOW
   * GRANTS, the rows.
   */
  async execute(stmt: Extract<Stmt, { kind: 'account' }>, me: SessionIdentity): Promise<{ warnings: Array<{ level: string; code: number; message: string }>; rows?: { columns: Array<{ name: string; ft: ReturnType<typeof FT.varchar> }>; rows: unknown[][] } }> {
    const warnings: Array<{ level: string; code: number; message: string }> = [];
    const resolve = (n: AccountName): { user: string; host: string } => ('current' in n ? me.account : n);
    const txn = await this.kv.begin();
    try {
      const failed: string[] = [];
      // ALTER / DROP of an absent account: a note under IF EXISTS, else the statement fails.
      const missing = (name: string): void => {
        if (stmt.ifExists) warnings.push({ level: 'Note', code: 3162, message: `User ${name} does not exist.` });
        else failed.push(name);
      };
      for (const u of stmt.users) {
        const { user, host } = resolve(u.name);
        const key = accountKey(user, host);
        const exists = (await txn.get(key)) !== undefined;
        const name = quoteAccount(user, host);
        switch (stmt.action) {
          case 'create':
            if (exists) {
              if (stmt.ifExists) warnings.push({ level: 'Note', code: 3163, message: `User ${name} already exists.` });
              else failed.push(name);
              break;
            }
            txn.set(key, enc.encode(JSON.stringify(this.account(user, host, u.auth))));
            break;
          case 'alter':
            if (!exists) {
              missing(name);
              break;
            }
            if (u.auth !== undefined) txn.set(key, enc.encode(JSON.stringify(this.account(user, host, u.auth))));
            break;
          case 'drop':
            if (!exists) {
              missing(name);
              break;
            }
            txn.delete(key);
            break;
          case 'grant':
            if (!exists) throw sqlError(ER.CANT_CREATE_USER_WITH_GRANT, 'You are not allowed to create a user with GRANT');
            break;
          case 'revoke':
          case 'showGrants':
            if (!exists) throw sqlError(ER.NONEXISTING_GRANT, `There is no such grant defined for user '${user}' on host '${host}'`);
            break;
        }
      }
      if (failed.length > 0) {
        throw sqlError(ER.CANNOT_USER, `Operation ${stmt.action === 'create' ? 'CREATE' : stmt.action === 'drop' ? 'DROP' : 'ALTER'} USER failed for ${failed.join(',')}`);
      }
      await txn.commit();
    } catch (e) {
      await txn.rollback().catch(() => undefined);
      throw e;
    }
    if (stmt.action === 'grant' || stmt.action === 'revoke') {
      warnings.push({ level: 'Warning', code: ER.NOT_SUPPORTED_YET[0], message: 'Privileges are not enforced by this server: every account has all privileges, so GRANT and REVOKE change nothing' });
    }
    if (stmt.action === 'showGrants') {
      const { user, host } = resolve(stmt.users[0]!.name);
      return {
        warnings,
        rows: { columns: [{ name: `Grants for ${user}@${host}`, ft: FT.varchar(1024) }], rows: [[`GRANT ALL PRIVILEGES ON *.* TO ${quoteAccount(user, host)} WITH GRANT OPTION`]] },
      };
    }
    return { warnings };
  }

  private account(user: string, host: string, auth: AccountAuth | undefined): StoredAccount {
    let authString = '';
    if (auth !== undefined && 'hash' in auth) {
      const h = auth.hash.toUpperCase();
      if (h !== '' && !NATIVE_HASH_RE.test(h)) throw sqlError(ER.PASSWORD_FORMAT, "The password hash doesn't have the expected format.");
      authString = h;
    } else if (auth !== undefined) {
      authString = nativePasswordHash(auth.password);
    }
    return { user, host, plugin: 'mysql_native_password', authString };
  }
}
