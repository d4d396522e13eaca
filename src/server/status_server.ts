import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidArgument, type Logger } from '../util/mod.ts';

/** Routes of the status port: `/metrics` (Prometheus text) and `/status` (JSON). */
export interface StatusSources {
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): object;
}

/**
 * The status HTTP server (TiKV's `status-addr`). Read-only; unknown paths get 404. JSON
 * bigints are written as decimal strings.
 */
export class StatusServer {
  private constructor(
    private readonly server: Server,
    /** The bound `host:port` (the real port when 0 was asked for). */
    readonly address: string,
  ) {}

  static async start(hostPort: string, sources: StatusSources, log: Logger): Promise<StatusServer> {
    const { host, port } = splitHostPort(hostPort);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = async (): Promise<void> => {
        if (req.method !== 'GET') {
          res.writeHead(405).end();
        } else if (path === '/metrics') {
          const m = await sources.metrics();
          res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
        } else if (path === '/status') {
          const body = JSON.stringify(sources.status(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } else {
          res.writeHead(404).end();
        }
      };
      reply().catch((err: unknown) => {
        log.warn({ err, path }, 'status request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    return new StatusServer(server, `${host}:${bound.port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Splits `host:port` (IPv6 hosts in brackets); throws on a malformed address. */
export function splitHostPort(hostPort: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(hostPort);
  if (m === null) throw invalidArgument(`bad address "${hostPort}": expected host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}
