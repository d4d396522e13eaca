import { ER, sqlError } from '../errors.ts';
import type { AccountAuth, AccountName, Stmt } from './ast.ts';
import { unescapeStringBody } from './literals.ts';

/**
 * Account management statements, which node-sql-parser parses only in part: CREATE / ALTER /
 * DROP USER, SET PASSWORD, GRANT, REVOKE and SHOW GRANTS. A small tokenizer reads account
 * names (`'u'@'h'`, `u@h`, `` `u`@`%` ``, CURRENT_USER()) and IDENTIFIED clauses; privilege
 * lists are skipped over (privileges are not enforced, see the engine's `accounts.ts`).
 */

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'string'; readonly text: string } | { readonly kind: 'punct'; readonly text: string };

/** Longest account name part MySQL accepts (user 32, host 255 characters). */
const USER_NAME_CHARS_MAX = 32;
const HOST_NAME_CHARS_MAX = 255;

const LEAD_RE = /^(create\s+user|alter\s+user|drop\s+user|set\s+password|grant|revoke|show\s+grants)\b/i;

/** Parses an account statement, or returns null when `s` is not one. */
export function parseAccountStatement(s: string): Stmt | null {
  const lead = LEAD_RE.exec(s);
  if (lead === null) return null;
  if (/:p\d+/.test(s)) throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support '? parameters in account statements'");
  const t = new Tokens(tokenize(s), s);
  const head = lead[1]!.toLowerCase().replace(/\s+/g, ' ');
  switch (head) {
    case 'create user': {
      t.words('create', 'user');
      const ifNotExists = t.maybeWords('if', 'not', 'exists');
      const users = t.list(() => ({ name: t.account(), auth: t.auth() }));
      t.end();
      return { kind: 'account', action: 'create', ifExists: ifNotExists, users };
    }
    case 'alter user': {
      t.words('alter', 'user');
      const ifExists = t.maybeWords('if', 'exists');
      const users = t.list(() => ({ name: t.account(), auth: t.auth() }));
      t.end();
      return { kind: 'account', action: 'alter', ifExists, users };
    }
    case 'drop user': {
      t.words('drop', 'user');
      const ifExists = t.maybeWords('if', 'exists');
      const users = t.list(() => ({ name: t.account() }));
      t.end();
      return { kind: 'account', action: 'drop', ifExists, users };
    }
    case 'set password': {
      t.words('set', 'password');
      const name: AccountName = t.maybeWords('for') ? t.account() : { current: true };
      t.punct('=');
      let password: string;
      if (t.maybeWords('password')) {
        // The old PASSWORD('...') form.
        t.punct('(');
        password = t.string();
        t.punct(')');
      } else {
        password = t.string();
      }
      t.end();
      return { kind: 'account', action: 'alter', ifExists: false, users: [{ name, auth: { password } }] };
    }
    case 'grant':
    case 'revoke': {
      // Privileges and the object are skipped up to TO / FROM; the accounts must exist.
      const keyword = head === 'grant' ? 'to' : 'from';
      t.skipUntilWord(keyword);
      t.words(keyword);
      const users = t.list(() => ({ name: t.account() }));
      if (head === 'grant' && t.maybeWords('with')) {
        t.words('grant', 'option');
      }
      t.end();
      return { kind: 'account', action: head, ifExists: false, users };
    }
    case 'show grants': {
      t.words('show', 'grants');
      const name: AccountName = t.maybeWords('for') ? t.account() : { current: true };
      t.end();
      return { kind: 'account', action: 'showGrants', ifExists: false, users: [{ name }] };
    }
  }
  return null;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= s.length) throw syntax(s, i);
        if (s[j] === '\\') j += 2;
        else if (s[j] === c && s[j + 1] === c) j += 2;
        else if (s[j] === c) break;
        else j++;
      }
      out.push({ kind: 'string', text: unescapeStringBody(s.slice(i + 1, j), c) });
      i = j + 1;
    } else if (c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= s.length) throw syntax(s, i);
        if (s[j] === '`' && s[j + 1] === '`') j += 2;
        else if (s[j] === '`') break;
        else j++;
      }
      out.push({ kind: 'string', text: s.slice(i + 1, j).replace(/``/g, '`') });
      i = j + 1;
    } else if (/[A-Za-z0-9_$%.*-]/.test(c)) {
      let j = i;
      while (j < s.length && /[A-Za-z0-9_$%.*-]/.test(s[j]!)) j++;
      out.push({ kind: 'word', text: s.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return out;
}

function syntax(s: string, at: number): Error {
  return sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax; check the manual near '${s.slice(at, at + 80)}'`);
}

class Tokens {
  private pos = 0;
  /** Character offsets are not kept; errors quote the token text instead. */
  constructor(
    private readonly toks: readonly Token[],
    private readonly source: string,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.pos];
  }

  private fail(): never {
    const t = this.peek();
    const near = t === undefined ? '' : t.kind === 'string' ? `'${t.text}'` : t.text;
    throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax; check the manual near '${near}' in '${this.source.slice(0, 80)}'`);
  }

  private isWord(t: Token | undefined, w: string): boolean {
    return t !== undefined && t.kind === 'word' && t.text.toLowerCase() === w;
  }

  words(...ws: string[]): void {
    for (const w of ws) {
      if (!this.isWord(this.peek(), w)) this.fail();
      this.pos++;
    }
  }

  /** Consumes the words if all are next; otherwise consumes nothing. */
  maybeWords(...ws: string[]): boolean {
    for (let i = 0; i < ws.length; i++) if (!this.isWord(this.toks[this.pos + i], ws[i]!)) return false;
    this.pos += ws.length;
    return true;
  }

  punct(p: string): void {
    const t = this.peek();
    if (t === undefined || t.kind !== 'punct' || t.text !== p) this.fail();
    this.pos++;
  }

  private maybePunct(p: string): boolean {
    const t = this.peek();
    if (t !== undefined && t.kind === 'punct' && t.text === p) {
      this.pos++;
      return true;
    }
    return false;
  }

  string(): string {
    const t = this.peek();
    if (t === undefined || t.kind !== 'string') this.fail();
    this.pos++;
    return t.text;
  }

  end(): void {
    if (this.pos !== this.toks.length) this.fail();
  }

  list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.maybePunct(',')) out.push(item());
    return out;
  }

  skipUntilWord(w: string): void {
    while (this.pos < this.toks.length && !this.isWord(this.peek(), w)) this.pos++;
    if (this.pos >= this.toks.length) this.fail();
  }

  /** `user[@host]` with each part quoted or bare; CURRENT_USER[()] names the session's account. */
  account(): AccountName {
    if (this.maybeWords('current_user')) {
      if (this.maybePunct('(')) this.punct(')');
      return { current: true };
    }
    const t = this.peek();
    if (t === undefined || t.kind === 'punct') this.fail();
    this.pos++;
    const user = t.text;
    let host = '%';
    if (this.maybePunct('@')) {
      const h = this.peek();
      if (h === undefined || h.kind === 'punct') this.fail();
      this.pos++;
      host = h.text;
    }
    if (user.length > USER_NAME_CHARS_MAX) throw sqlError(ER.WRONG_STRING_LENGTH, `String '${user}' is too long for user name (should be no longer than ${USER_NAME_CHARS_MAX})`);
    if (host.length > HOST_NAME_CHARS_MAX) throw sqlError(ER.WRONG_STRING_LENGTH, `String '${host}' is too long for host name (should be no longer than ${HOST_NAME_CHARS_MAX})`);
    return { user, host: host.toLowerCase() };
  }

  /** `IDENTIFIED BY 'pw'`, `IDENTIFIED WITH mysql_native_password [BY 'pw' | AS 'hash']`, or nothing. */
  auth(): AccountAuth | undefined {
    if (!this.maybeWords('identified')) return undefined;
    if (this.maybeWords('by')) return { password: this.string() };
    this.words('with');
    const t = this.peek();
    if (t === undefined || t.kind === 'punct') this.fail();
    this.pos++;
    const plugin = t.text.toLowerCase();
    if (plugin !== 'mysql_native_password') {
      throw sqlError(ER.NOT_SUPPORTED_YET, `This version doesn't yet support 'authentication plugin ${t.text}' (only mysql_native_password)`);
    }
    if (this.maybeWords('by')) return { password: this.string() };
    if (this.maybeWords('as')) return { hash: this.string() };
    return { password: '' };
  }
}
