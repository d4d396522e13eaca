import type { IncomingMessage, ServerResponse } from 'node:http';
import type { metapb } from '../proto/mod.ts';
import type { ClusterState, RegionInfo, StoreInfo } from './cluster_state.ts';

/**
 * The read-only part of PD's HTTP API (`/pd/api/v1/...`) that tools and SQL layers use to
 * read region statistics (approximate size and keys), stores and members. JSON shapes and
 * units follow PD: region keys are upper-case hex of the encoded key, `approximate_size` is
 * in MiB (at least 1 for a region that holds anything).
 */

/** The most regions one `/regions/key` answer carries (PD's own cap). */
export const REGIONS_PER_ANSWER_MAX = 10_240;
/** `/regions/key` without `limit` returns this many, as PD does. */
const REGIONS_PER_ANSWER_DEFAULT = 16;
const BYTES_PER_MIB = 1024n * 1024n;

export interface PdMember {
  name: string;
  memberId: bigint;
  clientUrls: string[];
  peerUrls: string[];
}

/** A JSON-ready answer: HTTP status and body. */
interface Answer {
  status: number;
  body: unknown;
}

export class PdHttpApi {
  constructor(
    private readonly cluster: ClusterState,
    private readonly member: PdMember,
    private readonly version: string,
  ) {}

  /** Handles one request; anything but GET on a known route gets a JSON error. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    let answer: Answer;
    try {
      answer = req.method === 'GET' ? this.route(req.url ?? '/') : { status: 405, body: `method ${req.method} is not allowed here` };
    } catch (e) {
      answer = { status: 400, body: (e as Error).message };
    }
    const text = jsonWithExactIntegers(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
  }

  private route(url: string): Answer {
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).replace(/\/+$/, '');
    const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    const API = '/pd/api/v1';
    if (path === `${API}/health`) {
      return { status: 200, body: [{ name: this.member.name, member_id: this.member.memberId, client_urls: this.member.clientUrls, health: true }] };
    }
    if (path === `${API}/version`) return { status: 200, body: { version: this.version } };
    if (path === `${API}/cluster`) return { status: 200, body: { id: this.cluster.clusterId, max_peer_count: 3 } };
    if (path === `${API}/members`) {
      const m = { name: this.member.name, member_id: this.member.memberId, client_urls: this.member.clientUrls, peer_urls: this.member.peerUrls };
      return { status: 200, body: { members: [m], leader: m } };
    }
    if (path === `${API}/stores`) {
      const stores = this.cluster.allStores(true).map(storeJson);
      return { status: 200, body: { count: stores.length, stores } };
    }
    let m = new RegExp(`^${API}/store/(\\d+)$`).exec(path);
    if (m) {
      const s = this.cluster.getStore(BigInt(m[1]!));
      return s ? { status: 200, body: storeJson(s) } : notFound(`store ${m[1]} not found`);
    }
    m = new RegExp(`^${API}/region/id/(\\d+)$`).exec(path);
    if (m) {
      const r = this.cluster.getRegionById(BigInt(m[1]!));
      return r ? { status: 200, body: regionJson(r) } : notFound(`region ${m[1]} not found`);
    }
    m = new RegExp(`^${API}/region/key/(.*)$`).exec(path);
    if (m) {
      const r = this.cluster.getRegionByKey(percentDecode(m[1]!));
      return r ? { status: 200, body: regionJson(r) } : notFound('no region holds that key');
    }
    if (path === `${API}/regions`) return { status: 200, body: regionsJson(this.cluster.regions.all()) };
    if (path === `${API}/regions/key`) {
      const start = percentDecode(query.get('key') ?? '');
      const end = percentDecode(query.get('end_key') ?? '');
      const limitText = query.get('limit');
      let limit = REGIONS_PER_ANSWER_DEFAULT;
      if (limitText !== undefined) {
        limit = Number(limitText);
        if (!Number.isInteger(limit) || limit <= 0) return { status: 400, body: `limit must be a positive integer, got ${JSON.stringify(limitText)}` };
      }
      return { status: 200, body: regionsJson(this.cluster.scanRegions(start, end, Math.min(limit, REGIONS_PER_ANSWER_MAX))) };
    }
    return notFound(`no route ${path}`);
  }
}

/** JSON with bigints written as exact integer literals (ids exceed 2^53), as Go writes uint64. */
function jsonWithExactIntegers(body: unknown): string {
  const marked = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}` : v));
  return marked.replace(/"\\u0000(-?\d+)"/g, '$1');
}

function notFound(message: string): Answer {
  return { status: 404, body: message };
}

/** Query parameters with their raw (still percent-encoded) values: keys are binary. */
function parseQuery(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? '' : part.slice(eq + 1));
  }
  return out;
}

/** Decodes a percent-encoded byte string (`+` is a space, as in a query). */
export function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad percent escape at offset ${i} of a key`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b /* + */) {
      out.push(0x20);
    } else {
      for (const b of Buffer.from(text[i]!, 'utf8')) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** Percent-encodes every byte but unreserved ASCII, for a key in a PD URL. */
export function percentEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    const unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
    s += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

function hexKey(k: Uint8Array): string {
  return Buffer.from(k).toString('hex').toUpperCase();
}

/** PD's region size in MiB: a region holding anything reports at least 1. */
function sizeMiB(bytes: bigint): bigint {
  const mib = bytes / BYTES_PER_MIB;
  return bytes > 0n && mib === 0n ? 1n : mib;
}

function peerJson(p: metapb.Peer): object {
  return { id: p.id, store_id: p.storeId, role_name: p.role === 1 ? 'Learner' : 'Voter' };
}

function regionJson(r: RegionInfo): object {
  return {
    id: r.id,
    start_key: hexKey(r.startKey),
    end_key: hexKey(r.endKey),
    epoch: { conf_ver: r.meta.regionEpoch?.confVer ?? 0n, version: r.meta.regionEpoch?.version ?? 0n },
    peers: r.meta.peers.map(peerJson),
    ...(r.leader ? { leader: peerJson(r.leader) } : {}),
    approximate_size: sizeMiB(r.approximateSize),
    approximate_keys: r.approximateKeys,
  };
}

function regionsJson(rs: readonly RegionInfo[]): object {
  return { count: rs.length, regions: rs.map(regionJson) };
}

const STORE_STATE_NAMES = ['Up', 'Offline', 'Tombstone'];

function storeJson(s: StoreInfo): object {
  return {
    store: {
      id: s.meta.id,
      address: s.meta.address,
      status_address: s.meta.statusAddress,
      version: s.meta.version,
      state_name: STORE_STATE_NAMES[s.meta.state] ?? 'Unknown',
    },
    status: {
      capacity: s.stats?.capacity ?? 0n,
      available: s.stats?.available ?? 0n,
      used_size: s.stats?.usedSize ?? 0n,
      region_count: s.stats?.regionCount ?? 0,
      last_heartbeat_ts: new Date(s.lastHeartbeatMs).toISOString(),
    },
  };
}
