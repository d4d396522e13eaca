import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ColumnFlag, Decimal, MysqlType, coreTimeToFields, coreTimeType } from '../tidb_codec.ts';
import { ER, sqlError, SqlError, toSqlError } from '../errors.ts';
import { SqlDuration, SqlTime, valueToBytes, valueToString, formatFloat, type ExecResult, type SchemaColumn, type Session, type SqlEngine, type Value, checkNativeScramble, decodeSqlText, type StoredAccount } from '../engine/mod.ts';
import { parseStatement, splitStatements, type Stmt } from '../parser/mod.ts';
import { MalformedPacketError, PACKET_PAYLOAD_MAX, PacketReader, PacketWriter } from './packet.ts';

/** Largest client request we accept (max_allowed_packet). */
export const REQUEST_BYTES_MAX = 64 * 1024 * 1024;
/** Prepared statements one connection may hold (max_prepared_stmt_count analogue). */
export const PREPARED_STMTS_MAX = 1024;
/** Concurrent client connections (max_connections). */
export const CONNECTIONS_MAX = 1000;

const CAP = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  NO_SCHEMA: 0x10,
  ODBC: 0x40,
  LOCAL_FILES: 0x80,
  IGNORE_SPACE: 0x100,
  PROTOCOL_41: 0x200,
  INTERACTIVE: 0x400,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_STATEMENTS: 0x10000,
  MULTI_RESULTS: 0x20000,
  PS_MULTI_RESULTS: 0x40000,
  PLUGIN_AUTH: 0x80000,
  CONNECT_ATTRS: 0x100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
} as const;

const SERVER_CAPS =
  CAP.LONG_PASSWORD | CAP.FOUND_ROWS | CAP.LONG_FLAG | CAP.CONNECT_WITH_DB | CAP.NO_SCHEMA | CAP.ODBC | CAP.IGNORE_SPACE | CAP.PROTOCOL_41 | CAP.INTERACTIVE |
  CAP.TRANSACTIONS | CAP.SECURE_CONNECTION | CAP.MULTI_STATEMENTS | CAP.MULTI_RESULTS | CAP.PS_MULTI_RESULTS | CAP.PLUGIN_AUTH | CAP.CONNECT_ATTRS | CAP.PLUGIN_AUTH_LENENC_CLIENT_DATA;

const STATUS = { IN_TRANS: 0x1, AUTOCOMMIT: 0x2, MORE_RESULTS: 0x8 } as const;
const COM = { QUIT: 0x01, INIT_DB: 0x02, QUERY: 0x03, FIELD_LIST: 0x04, PING: 0x0e, STMT_PREPARE: 0x16, STMT_EXECUTE: 0x17, STMT_SEND_LONG_DATA: 0x18, STMT_CLOSE: 0x19, STMT_RESET: 0x1a, SET_OPTION: 0x1b, RESET_CONNECTION: 0x1f } as const;

/** Collation ids sent in column definitions: utf8mb4_bin for text, binary for the rest. */
const CHARSET_UTF8MB4_BIN = 46;
const CHARSET_BINARY = 63;
const NATIVE_PASSWORD = 'mysql_native_password';

export interface MysqlServerOptions {
  readonly engine: SqlEngine;
  readonly host?: string;
  /** 0 picks a free port. Default 4000. */
  readonly port?: number;
}

export interface MysqlServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes every connection (rolling back open transactions). */
  stop(): Promise<void>;
}

/** Starts the MySQL-protocol server (handshake v10, text and binary protocols). */
export async function startMysqlServer(opts: MysqlServerOptions): Promise<MysqlServer> {
  const host = opts.host ?? '127.0.0.1';
  await opts.engine.bootstrap();
  const conns = new Set<Connection>();
  const server = net.createServer((socket) => {
    if (conns.size >= CONNECTIONS_MAX) {
      socket.end(errPacket(0, sqlError([1040, '08004'], 'Too many connections')));
      return;
    }
    const c = new Connection(socket, opts.engine);
    conns.add(c);
    socket.on('close', () => conns.delete(c));
    c.start();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4000, host, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    host,
    port: addr.port,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of conns) c.destroy();
      });
      await Promise.all([...conns].map((c) => c.closed));
    },
  };
}

function frame(seq: number, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  let s = seq;
  // Payloads of exactly 0xffffff bytes are followed by an empty packet (protocol rule).
  for (;;) {
    const n = Math.min(PACKET_PAYLOAD_MAX, payload.length - off);
    const h = Buffer.alloc(4);
    h.writeUIntLE(n, 0, 3);
    h[3] = s & 0xff;
    s++;
    parts.push(h, payload.subarray(off, off + n));
    off += n;
    if (n < PACKET_PAYLOAD_MAX) break;
  }
  return Buffer.concat(parts);
}

function errPacket(seq: number, e: SqlError): Buffer {
  const w = new PacketWriter().u8(0xff).u16(e.code).str('#').str(e.sqlState.padEnd(5, '0').slice(0, 5)).str(e.message);
  return frame(seq, w.finish());
}

interface Prepared {
  readonly id: number;
  readonly stmt: Stmt;
  readonly paramCount: number;
  paramTypes: number[];
}

/** Protocol type code and flags for a column. */
function columnWireType(ft: SchemaColumn['ft']): { tp: number; flag: number; charset: number; length: number } {
  let tp = ft.tp;
  let flag = ft.flag & 0xffff;
  const binary = (ft.flag & ColumnFlag.Binary) !== 0;
  if (tp === MysqlType.Varchar) tp = MysqlType.VarString;
  if (tp >= MysqlType.TinyBlob && tp <= MysqlType.Blob) {
    tp = MysqlType.Blob;
    flag |= ColumnFlag.Blob;
  }
  const isStr = tp === MysqlType.VarString || tp === MysqlType.String || tp === MysqlType.Blob;
  const charset = isStr && !binary ? CHARSET_UTF8MB4_BIN : CHARSET_BINARY;
  if (!isStr) flag |= ColumnFlag.Binary;
  const length = isStr && !binary ? Math.min(0xffffffff, ft.flen * 4) : ft.flen;
  return { tp, flag, charset, length };
}

function columnDef(c: SchemaColumn): Buffer {
  const t = columnWireType(c.ft);
  const w = new PacketWriter()
    .lenencStr('def')
    .lenencStr(c.db ?? '')
    .lenencStr(c.qualifier ?? '')
    .lenencStr(c.orgTable ?? '')
    .lenencStr(c.name)
    .lenencStr(c.orgName ?? '')
    .u8(0x0c)
    .u16(t.charset)
    .u32(t.length)
    .u8(t.tp)
    .u16(t.flag)
    .u8(c.ft.tp === MysqlType.NewDecimal || isTimeLike(c.ft.tp) ? Math.max(0, c.ft.decimal) : c.ft.tp === MysqlType.Double || c.ft.tp === MysqlType.Float ? 31 : 0)
    .u16(0);
  return w.finish();
}

function isTimeLike(tp: number): boolean {
  return tp === MysqlType.Date || tp === MysqlType.Datetime || tp === MysqlType.Timestamp || tp === MysqlType.Duration;
}

/** Text-protocol cell. */
function textValue(v: Exclude<Value, null>): Uint8Array {
  if (typeof v === 'number') return Buffer.from(formatFloat(v));
  return valueToBytes(v);
}

function isIntWire(tp: number): boolean {
  return tp === MysqlType.Tiny || tp === MysqlType.Short || tp === MysqlType.Int24 || tp === MysqlType.Long || tp === MysqlType.Longlong || tp === MysqlType.Year;
}

/** Binary-protocol cell for a column of wire type `tp` (value coerced to the declared type). */
function writeBinaryValue(w: PacketWriter, tp: number, v: Exclude<Value, null>): void {
  const asInt = (): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(valueToString(v))) || 0));
  switch (tp) {
    case MysqlType.Tiny:
      w.u8(Number(BigInt.asUintN(8, asInt())));
      return;
    case MysqlType.Short:
    case MysqlType.Year:
      w.u16(Number(BigInt.asUintN(16, asInt())));
      return;
    case MysqlType.Long:
    case MysqlType.Int24:
      w.u32(Number(BigInt.asUintN(32, asInt())));
      return;
    case MysqlType.Longlong:
      w.u64(asInt());
      return;
    case MysqlType.Float:
      w.f32(typeof v === 'number' ? v : Number(valueToString(v)));
      return;
    case MysqlType.Double:
      w.f64(typeof v === 'number' ? v : Number(valueToString(v)));
      return;
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp: {
      if (!(v instanceof SqlTime)) {
        w.lenencStr(valueToString(v));
        return;
      }
      const f = coreTimeToFields(v.core);
      const isDate = coreTimeType(v.core) === MysqlType.Date;
      if (isDate || (f.hour === 0 && f.minute === 0 && f.second === 0 && f.microsecond === 0)) {
        w.u8(4).u16(f.year).u8(f.month).u8(f.day);
      } else if (f.microsecond === 0) {
        w.u8(7).u16(f.year).u8(f.month).u8(f.day).u8(f.hour).u8(f.minute).u8(f.second);
      } else {
        w.u8(11).u16(f.year).u8(f.month).u8(f.day).u8(f.hour).u8(f.minute).u8(f.second).u32(f.microsecond);
      }
      return;
    }
    case MysqlType.Duration: {
      if (!(v instanceof SqlDuration)) {
        w.lenencStr(valueToString(v));
        return;
      }
      const neg = v.ns < 0n;
      let abs = neg ? -v.ns : v.ns;
      const micro = Number((abs / 1000n) % 1_000_000n);
      abs /= 1_000_000_000n;
      const sec = Number(abs % 60n);
      const min = Number((abs / 60n) % 60n);
      const hoursTotal = abs / 3600n;
      const days = Number(hoursTotal / 24n);
      const hour = Number(hoursTotal % 24n);
      if (micro !== 0) w.u8(12).u8(neg ? 1 : 0).u32(days).u8(hour).u8(min).u8(sec).u32(micro);
      else w.u8(8).u8(neg ? 1 : 0).u32(days).u8(hour).u8(min).u8(sec);
      return;
    }
    default:
      w.lenencBytes(textValue(v));
  }
}

/** Decodes one binary-protocol parameter of type `tp` (high byte 0x80 = unsigned). */
function readBinaryParam(r: PacketReader, typeCode: number): Value {
  const tp = typeCode & 0xff;
  const unsigned = (typeCode & 0x8000) !== 0;
  switch (tp) {
    case MysqlType.Null:
      return null;
    case MysqlType.Tiny: {
      const v = r.u8();
      return BigInt(unsigned ? v : (v << 24) >> 24);
    }
    case MysqlType.Short:
    case MysqlType.Year: {
      const v = r.u16();
      return BigInt(unsigned ? v : (v << 16) >> 16);
    }
    case MysqlType.Long:
    case MysqlType.Int24: {
      const v = r.u32();
      return BigInt(unsigned ? v : v | 0);
    }
    case MysqlType.Longlong:
      return unsigned ? r.u64() : r.i64();
    case MysqlType.Float:
      return r.f32();
    case MysqlType.Double:
      return r.f64();
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp: {
      const n = r.u8();
      if (n === 0) return '0000-00-00 00:00:00';
      const y = r.u16();
      const mo = r.u8();
      const d = r.u8();
      let h = 0,
        mi = 0,
        s = 0,
        us = 0;
      if (n >= 7) {
        h = r.u8();
        mi = r.u8();
        s = r.u8();
      }
      if (n >= 11) us = r.u32();
      const p = (x: number, k = 2) => String(x).padStart(k, '0');
      return `${p(y, 4)}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}${us ? '.' + p(us, 6) : ''}`;
    }
    case MysqlType.Duration: {
      const n = r.u8();
      if (n === 0) return '00:00:00';
      const neg = r.u8() === 1;
      const days = r.u32();
      const h = r.u8() + days * 24;
      const mi = r.u8();
      const s = r.u8();
      const us = n >= 12 ? r.u32() : 0;
      return `${neg ? '-' : ''}${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${us ? '.' + String(us).padStart(6, '0') : ''}`;
    }
    case MysqlType.NewDecimal:
      return Decimal.parse(r.lenencBytes().toString('utf8'));
    case MysqlType.TinyBlob:
    case MysqlType.MediumBlob:
    case MysqlType.LongBlob:
    case MysqlType.Blob:
      return new Uint8Array(r.lenencBytes());
    default:
      return decodeSqlText(r.lenencBytes());
  }
}

/** One client connection: handshake, then a command loop (one command at a time). */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly packets: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private seq = 0;
  private session: Session | undefined;
  private readonly prepared = new Map<number, Prepared>();
  private nextStmtId = 1;
  private clientCaps = 0;
  private largePacketParts: Buffer[] = [];
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: net.Socket,
    private readonly engine: SqlEngine,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('end', () => this.onEnd());
    socket.on('error', () => this.onEnd());
    socket.on('close', () => this.onEnd());
  }

  destroy(): void {
    this.socket.destroy();
    this.onEnd();
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiter?.();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUIntLE(0, 3);
      if (this.buf.length < 4 + len) break;
      this.seq = (this.buf[3]! + 1) & 0xff;
      const payload = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      if (len === PACKET_PAYLOAD_MAX) {
        this.largePacketParts.push(payload);
        continue;
      }
      let full = payload;
      if (this.largePacketParts.length > 0) {
        full = Buffer.concat([...this.largePacketParts, payload]);
        this.largePacketParts = [];
      }
      this.packets.push(Buffer.from(full));
    }
    const pending = this.largePacketParts.reduce((n, p) => n + p.length, 0) + this.buf.length;
    if (pending > REQUEST_BYTES_MAX) {
      this.write(errPacket(this.seq, sqlError(ER.NET_PACKET_TOO_LARGE, "Got a packet bigger than 'max_allowed_packet' bytes")));
      this.destroy();
      return;
    }
    this.waiter?.();
  }

  private async nextPacket(): Promise<Buffer | undefined> {
    for (;;) {
      const p = this.packets.shift();
      if (p !== undefined) return p;
      if (this.ended) return undefined;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }

  private write(b: Buffer): void {
    if (!this.ended) this.socket.write(b);
  }

  private send(payload: Buffer): void {
    this.write(frame(this.seq, payload));
    this.seq = (this.seq + 1 + Math.floor(payload.length / PACKET_PAYLOAD_MAX)) & 0xff;
  }

  start(): void {
    void this.run()
      .catch(() => undefined)
      .finally(async () => {
        await this.session?.close().catch(() => undefined);
        this.socket.end();
        this.resolveClosed();
      });
  }

  private statusFlags(more = false): number {
    let s = 0;
    if (this.session?.inTransaction) s |= STATUS.IN_TRANS;
    if (this.session?.autocommit !== false) s |= STATUS.AUTOCOMMIT;
    if (more) s |= STATUS.MORE_RESULTS;
    return s;
  }

  private async run(): Promise<void> {
    const session = this.engine.newSession();
    this.session = session;
    const salt = randomBytes(20).map((b) => (b & 0x7f) || 1);
    const saltBuf = Buffer.from(salt);
    const hs = new PacketWriter()
      .u8(10)
      .strNul('8.0.11-TiKV-TS-0.1.0')
      .u32(session.connectionId)
      .bytes(saltBuf.subarray(0, 8))
      .u8(0)
      .u16(SERVER_CAPS & 0xffff)
      .u8(CHARSET_UTF8MB4_BIN)
      .u16(STATUS.AUTOCOMMIT)
      .u16(SERVER_CAPS >>> 16)
      .u8(21)
      .bytes(Buffer.alloc(10))
      .bytes(saltBuf.subarray(8, 20))
      .u8(0)
      .strNul(NATIVE_PASSWORD);
    this.seq = 0;
    this.send(hs.finish());
    const resp = await this.nextPacket();
    if (resp === undefined) return;
    let user = '';
    let authResp: Buffer = Buffer.alloc(0);
    let db = '';
    let plugin = NATIVE_PASSWORD;
    try {
      const r = new PacketReader(resp);
      this.clientCaps = r.u32();
      if ((this.clientCaps & CAP.PROTOCOL_41) === 0) throw sqlError([1043, '08S01'], 'Bad handshake: protocol 4.1 required');
      if ((this.clientCaps & CAP.SSL) !== 0 && r.remaining <= 32) throw sqlError([1043, '08S01'], 'SSL is not supported by this server');
      r.u32();
      r.u8();
      r.bytes(23);
      user = r.strNul();
      if ((this.clientCaps & CAP.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) authResp = r.lenencBytes();
      else if ((this.clientCaps & CAP.SECURE_CONNECTION) !== 0) authResp = r.bytes(r.u8());
      else authResp = Buffer.from(r.strNul());
      if ((this.clientCaps & CAP.CONNECT_WITH_DB) !== 0 && r.remaining > 0) db = r.strNul();
      if ((this.clientCaps & CAP.PLUGIN_AUTH) !== 0 && r.remaining > 0) plugin = r.strNul();
    } catch (e) {
      this.write(errPacket(this.seq, e instanceof SqlError ? e : sqlError([1043, '08S01'], 'Bad handshake')));
      return;
    }
    if (plugin !== NATIVE_PASSWORD) {
      // MySQL 8 clients start with caching_sha2_password: ask them to switch.
      this.send(new PacketWriter().u8(0xfe).strNul(NATIVE_PASSWORD).bytes(saltBuf).u8(0).finish());
      const sw = await this.nextPacket();
      if (sw === undefined) return;
      authResp = sw;
    }
    const clientHost = (this.socket.remoteAddress ?? 'localhost').replace(/^::ffff:/, '');
    let account: StoredAccount | undefined;
    try {
      account = await this.engine.accounts.match(user, clientHost);
    } catch (e) {
      this.write(errPacket(this.seq, toSqlError(e)));
      return;
    }
    // Some clients send a NUL after an empty scramble; an empty password is an empty answer.
    const token = authResp.length === 1 && authResp[0] === 0 ? authResp.subarray(0, 0) : authResp;
    const ok = account !== undefined && checkNativeScramble(account.authString, saltBuf.subarray(0, 20), token);
    if (ok) session.identity = { user, clientHost, account: { user: account!.user, host: account!.host } };
    if (!ok) {
      this.write(errPacket(this.seq, sqlError([1045, '28000'], `Access denied for user '${user}'@'${this.socket.remoteAddress ?? 'localhost'}' (using password: ${authResp.length > 0 ? 'YES' : 'NO'})`)));
      return;
    }
    if (db !== '') {
      try {
        await session.execute(`USE \`${db.replace(/`/g, '``')}\``);
      } catch (e) {
        this.write(errPacket(this.seq, toSqlError(e)));
        return;
      }
    }
    this.sendOk(0, 0n, 0);
    for (;;) {
      const p = await this.nextPacket();
      if (p === undefined) return;
      this.seq = 1;
      if (p.length === 0) {
        this.sendErr(sqlError([1047, '08S01'], 'Unknown command'));
        continue;
      }
      // One response goes out in one write: cork while the command produces its packets.
      this.socket.cork();
      try {
        const quit = await this.command(p);
        if (quit) return;
      } catch (e) {
        if (e instanceof MalformedPacketError) this.sendErr(sqlError([1835, 'HY000'], 'Malformed communication packet.'));
        else this.sendErr(toSqlError(e));
      } finally {
        this.socket.uncork();
      }
    }
  }

  private sendOk(affected: number, insertId: bigint, warnings: number, more = false, info = ''): void {
    const w = new PacketWriter().u8(0).lenencInt(affected).lenencInt(insertId).u16(this.statusFlags(more)).u16(Math.min(warnings, 0xffff));
    if (info !== '') w.str(info);
    this.send(w.finish());
  }

  private sendErr(e: SqlError): void {
    const w = new PacketWriter().u8(0xff).u16(e.code).str('#').str(e.sqlState.padEnd(5, '0').slice(0, 5)).str(e.message);
    this.send(w.finish());
  }

  private sendEof(more = false): void {
    this.send(new PacketWriter().u8(0xfe).u16(Math.min(this.session?.warnings.length ?? 0, 0xffff)).u16(this.statusFlags(more)).finish());
  }

  private sendResult(r: ExecResult, binary: boolean, more = false): void {
    if (r.kind === 'ok') {
      this.sendOk(r.affectedRows, r.insertId, r.warnings, more, r.info ?? '');
      return;
    }
    this.send(new PacketWriter().lenencInt(r.columns.length).finish());
    for (const c of r.columns) this.send(columnDef(c));
    this.sendEof();
    const wire = r.columns.map((c) => columnWireType(c.ft).tp);
    for (const row of r.rows) {
      const w = new PacketWriter();
      if (binary) {
        w.u8(0);
        const bitmap = Buffer.alloc(Math.floor((r.columns.length + 7 + 2) / 8));
        row.forEach((v, i) => {
          if (v === null) bitmap[(i + 2) >> 3]! |= 1 << ((i + 2) & 7);
        });
        w.bytes(bitmap);
        row.forEach((v, i) => {
          if (v !== null) writeBinaryValue(w, isIntWire(wire[i]!) && typeof v !== 'bigint' ? MysqlType.VarString : wire[i]!, v);
        });
      } else {
        for (const v of row) {
          if (v === null) w.u8(0xfb);
          else w.lenencBytes(textValue(v));
        }
      }
      this.send(w.finish());
    }
    this.sendEof(more);
  }

  /** Handles one command; returns true on COM_QUIT. */
  private async command(p: Buffer): Promise<boolean> {
    const session = this.session!;
    const r = new PacketReader(p);
    const cmd = r.u8();
    switch (cmd) {
      case COM.QUIT:
        return true;
      case COM.PING:
      case COM.RESET_CONNECTION:
        this.sendOk(0, 0n, 0);
        return false;
      case COM.INIT_DB: {
        const db = decodeSqlText(r.rest());
        await session.execute(`USE \`${db.replace(/`/g, '``')}\``);
        this.sendOk(0, 0n, 0);
        return false;
      }
      case COM.QUERY: {
        const sql = decodeSqlText(r.rest());
        const multi = (this.clientCaps & CAP.MULTI_STATEMENTS) !== 0;
        const stmts = multi ? splitStatements(sql) : [sql];
        if (stmts.length === 0) stmts.push('');
        for (let i = 0; i < stmts.length; i++) {
          const more = i < stmts.length - 1;
          try {
            const res = await session.execute(stmts[i]!);
            this.sendResult(res, false, more);
          } catch (e) {
            this.sendErr(toSqlError(e));
            break;
          }
        }
        return false;
      }
      case COM.FIELD_LIST:
        this.sendEof();
        return false;
      case COM.SET_OPTION:
        this.sendEof();
        return false;
      case COM.STMT_PREPARE: {
        const sql = decodeSqlText(r.rest());
        const parsed = parseStatement(sql);
        if (this.prepared.size >= PREPARED_STMTS_MAX) throw sqlError([1461, '42000'], `Can't create more than max_prepared_stmt_count statements (current value: ${PREPARED_STMTS_MAX})`);
        const id = this.nextStmtId++;
        this.prepared.set(id, { id, stmt: parsed.stmt, paramCount: parsed.paramCount, paramTypes: [] });
        this.send(new PacketWriter().u8(0).u32(id).u16(0).u16(parsed.paramCount).u8(0).u16(0).finish());
        if (parsed.paramCount > 0) {
          for (let i = 0; i < parsed.paramCount; i++) this.send(columnDef({ name: '?', ft: { tp: MysqlType.VarString, flag: 0, flen: 0, decimal: 0, sqlName: '' } }));
          this.sendEof();
        }
        return false;
      }
      case COM.STMT_EXECUTE: {
        const id = r.u32();
        const ps = this.prepared.get(id);
        if (ps === undefined) throw sqlError(ER.UNKNOWN_STMT_HANDLER, `Unknown prepared statement handler (${id}) given to mysqld_stmt_execute`);
        r.u8();
        r.u32();
        const params: Value[] = [];
        if (ps.paramCount > 0) {
          const nullMap = r.bytes(Math.floor((ps.paramCount + 7) / 8));
          const bound = r.u8();
          if (bound === 1) {
            ps.paramTypes = [];
            for (let i = 0; i < ps.paramCount; i++) ps.paramTypes.push(r.u16());
          }
          if (ps.paramTypes.length !== ps.paramCount) throw sqlError(ER.WRONG_ARGUMENTS, 'Incorrect arguments to mysqld_stmt_execute');
          for (let i = 0; i < ps.paramCount; i++) {
            if ((nullMap[i >> 3]! & (1 << (i & 7))) !== 0) params.push(null);
            else params.push(readBinaryParam(r, ps.paramTypes[i]!));
          }
        }
        const res = await session.executeStmt(ps.stmt, params);
        this.sendResult(res, true);
        return false;
      }
      case COM.STMT_SEND_LONG_DATA:
        throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support 'COM_STMT_SEND_LONG_DATA'");
      case COM.STMT_CLOSE:
        this.prepared.delete(r.u32());
        return false;
      case COM.STMT_RESET:
        this.sendOk(0, 0n, 0);
        return false;
      default:
        this.sendErr(sqlError([1047, '08S01'], 'Unknown command'));
        return false;
    }
  }
}
