import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Clock } from '../util/clock.ts';

/**
 * Serves gRPC (HTTP/2 with prior knowledge) and the HTTP/1.1 API on one listening port, as
 * PD does on its client URL. Each accepted connection is classified by its first bytes: the
 * HTTP/2 connection preface goes to gRPC, anything else to the HTTP server.
 */

/** The first bytes of every HTTP/2 prior-knowledge connection (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** A client that sends nothing for this long after connecting is dropped. */
const SNIFF_TIMEOUT_MS = 10_000;

export interface PortTargets {
  /** Takes a connection whose first bytes are the HTTP/2 preface. */
  grpc(socket: Socket): void;
  /** The HTTP/1 server that takes every other connection. */
  http: HttpServer;
}

export class ClientPortMux {
  private readonly sockets = new Set<Socket>();
  private readonly server: NetServer;
  /** The port actually bound (set by `listen`). */
  port = 0;

  private constructor(
    private readonly targets: PortTargets,
    private readonly clock: Clock,
  ) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.classify(socket);
    });
  }

  static async listen(host: string, port: number, targets: PortTargets, clock: Clock): Promise<ClientPortMux> {
    const mux = new ClientPortMux(targets, clock);
    await new Promise<void>((resolve, reject) => {
      mux.server.once('error', reject);
      mux.server.listen(port, host, () => {
        mux.server.off('error', reject);
        resolve();
      });
    });
    const address = mux.server.address();
    mux.port = typeof address === 'object' && address !== null ? address.port : port;
    return mux;
  }

  /** Stops accepting connections; `destroyOpen` also cuts the ones still open. */
  async close(destroyOpen: boolean): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (destroyOpen) for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Reads until the connection's kind is known, puts the bytes back, and hands it over. */
  private classify(socket: Socket): void {
    let seen: Buffer = Buffer.alloc(0);
    const cancelTimer = this.clock.setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, HTTP2_PREFACE.length);
      const isPrefacePrefix = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
      if (isPrefacePrefix && n < HTTP2_PREFACE.length) return; // not decided yet
      cancelTimer();
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause();
      if (isPrefacePrefix) {
        // The HTTP/2 session drains bytes already buffered on the socket before reading on.
        socket.unshift(seen);
        this.targets.grpc(socket);
      } else {
        // The HTTP/1 parser reads the socket's handle directly once attached, so bytes read
        // while sniffing are handed to it as a data event instead.
        this.targets.http.emit('connection', socket);
        socket.emit('data', seen);
        socket.resume();
      }
    };
    const onError = (): void => {
      cancelTimer();
      socket.destroy();
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.once('close', cancelTimer);
  }
}
