/**
 * The WebSocket transport of the JSON-RPC server (127.0.0.1:8546 by default):
 * accepts connections whose Origin is allowed, runs each message through the
 * same envelope as HTTP (jsonrpc.ts) and pushes subscription notifications;
 * owns the listener, the handshake's origin check, message size limits, the
 * per-connection send bound and the keep-alive pings.
 *
 * Choices where the spec leaves room (go-ethereum's where it has one):
 * - a handshake with an Origin header not allowed by `origins` gets 403; one
 *   without Origin always passes (only browsers send it, and only they need
 *   the protection); with no origins configured, http://localhost and
 *   http://<hostname> are allowed, any port, as geth does;
 * - a plain HTTP request (no upgrade) gets 426;
 * - a message over the size limit closes the connection (1009), as geth's
 *   read limit does: the frame cannot be skipped without reading it;
 * - a client that stops reading is dropped when a message is due while more
 *   than maxQueueBytes still wait to be sent to it, so its queue is bounded
 *   by that plus one message (itself bounded by the batch response limit);
 * - messages of one connection run concurrently, their answers in the order
 *   they finish (as geth); past maxInFlight unanswered ones we stop reading
 *   from that connection until some are answered;
 * - every pingIntervalMs a ping goes out; a connection that has not answered
 *   the previous one by then is closed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { close, listen } from '../util/http-listen.js';
import { logger } from '../util/log.js';
import { JsonRpcHandler, positiveInt, RpcServerError, type JsonRpcOptions } from './jsonrpc.js';
import type { CallContext, RpcRegistry } from './registry.js';
import { StreamConnection } from './connection.js';

const log = logger('rpc');

const DEFAULT_MAX_MESSAGE_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_QUEUE_BYTES = 16 * 1024 * 1024;
const DEFAULT_PING_MS = 30_000;
const DEFAULT_MAX_IN_FLIGHT = 64;

export interface RpcWsOptions extends JsonRpcOptions {
  /** Listen address; 127.0.0.1 unless set. */
  host?: string;
  /** 0 picks a free port (see the address start() returns). */
  port: number;
  /** Browser origins allowed to connect ("*" for any); see the header for the default. */
  origins?: string[];
  /** Largest message a client may send (the HTTP body limit's counterpart). */
  maxMessageBytes?: number;
  /** Bytes that may wait to be sent to one client before it is dropped. */
  maxQueueBytes?: number;
  pingIntervalMs?: number;
  /** Unanswered messages per connection before reading from it pauses. */
  maxInFlight?: number;
}

interface OriginRule {
  scheme: string;
  host: string;
  port: string;
}

/** geth's parseOriginURL: "host", "host:port" and "scheme://host[:port]" are all rules; a part left out matches anything. */
function parseOrigin(s: string): OriginRule {
  const o = s.trim().toLowerCase();
  const i = o.indexOf('://');
  if (i >= 0) {
    try {
      const u = new URL(o);
      return { scheme: u.protocol.replace(/:$/, ''), host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port };
    } catch {
      return { scheme: o.slice(0, i), host: o.slice(i + 3), port: '' };
    }
  }
  const c = o.lastIndexOf(':');
  return c > 0 && /^[0-9]+$/.test(o.slice(c + 1)) ? { scheme: '', host: o.slice(0, c), port: o.slice(c + 1) } : { scheme: '', host: o, port: '' };
}

/** Which Origin headers may open a connection (geth's wsHandshakeValidator). */
export class WsOriginPolicy {
  private readonly any: boolean;
  private readonly rules: OriginRule[];

  constructor(origins: readonly string[] = []) {
    const given = origins.map((o) => o.trim()).filter((o) => o !== '');
    this.any = given.includes('*');
    const list = given.length ? given : ['http://localhost', `http://${hostname()}`];
    this.rules = list.filter((o) => o !== '*').map(parseOrigin);
  }

  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.any) return true;
    const b = parseOrigin(origin);
    return this.rules.some((r) => (!r.scheme || r.scheme === b.scheme) && (!r.host || r.host === b.host) && (!r.port || r.port === b.port));
  }
}

class WsConnection extends StreamConnection {
  protected readonly kind = 'WebSocket';
  /** Answered the last ping. */
  alive = true;

  constructor(readonly ws: WebSocket, private readonly maxQueue: number, readonly remote: string) {
    super();
  }

  send(text: string): void {
    if (this.closed) return;
    // What is still waiting from earlier sends decides: one large answer to a client that reads always goes out.
    const queued = this.ws.bufferedAmount;
    if (queued > this.maxQueue) {
      log.warn('Dropping slow WebSocket client', { remote: this.remote, queued, max: this.maxQueue });
      this.terminate();
      return;
    }
    this.ws.send(text);
  }

  /** Ends the connection at once (no close handshake: a client that does not read would never finish it). */
  terminate(): void {
    this.shutdown();
    this.ws.terminate();
  }
}

function refuse(socket: Duplex, status: number, reason: string, text: string): void {
  const body = text + '\n';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export class RpcWsServer {
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private readonly conns = new Set<WsConnection>();
  private readonly host: string;
  private readonly port: number;
  private readonly maxMessage: number;
  private readonly maxQueue: number;
  private readonly pingMs: number;
  private readonly maxInFlight: number;
  private readonly origins: WsOriginPolicy;
  private readonly rpc: JsonRpcHandler;

  constructor(registry: RpcRegistry, opts: RpcWsOptions) {
    this.host = opts.host || '127.0.0.1';
    this.port = opts.port;
    this.maxMessage = positiveInt(opts.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
    this.maxQueue = positiveInt(opts.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES, 'maxQueueBytes');
    this.pingMs = positiveInt(opts.pingIntervalMs, DEFAULT_PING_MS, 'pingIntervalMs');
    this.maxInFlight = positiveInt(opts.maxInFlight, DEFAULT_MAX_IN_FLIGHT, 'maxInFlight');
    this.origins = new WsOriginPolicy(opts.origins ?? []);
    this.rpc = new JsonRpcHandler(registry, opts);
  }

  /** Open connections. */
  get connections(): number {
    return this.conns.size;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new RpcServerError('WebSocket server already started');
    // requestTimeout bounds how long a client may take over its handshake request.
    const server = createServer({ requestTimeout: 30_000 }, (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', connection: 'Upgrade' });
      res.end('this is a WebSocket JSON-RPC endpoint; upgrade required\n');
    });
    // Compression stays off: inflating client frames would let a small message cost a large buffer.
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.maxMessage, perMessageDeflate: false, clientTracking: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(wss, req, socket, head));
    server.on('error', (e) => log.error('WebSocket listener error', { err: e }));
    this.server = server;
    this.wss = wss;
    let addr: { host: string; port: number };
    try {
      addr = await listen(server, this.host, this.port);
    } catch (e) {
      this.server = undefined;
      this.wss = undefined;
      wss.close();
      throw e;
    }
    this.pinger = setInterval(() => this.ping(), this.pingMs);
    this.pinger.unref();
    return addr;
  }

  /** Closes the listener and every connection; their subscriptions end with them. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
    for (const c of [...this.conns]) c.terminate();
    this.conns.clear();
    this.wss?.close();
    this.wss = undefined;
    await close(s);
  }

  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const origin = req.headers.origin;
    if (!this.origins.allows(origin)) {
      log.warn('Rejected WebSocket connection', { origin });
      return refuse(socket, 403, 'Forbidden', 'origin not allowed');
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    if (!this.server) {
      ws.terminate();
      return;
    }
    const conn = new WsConnection(ws, this.maxQueue, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
    this.conns.add(conn);
    log.debug('WebSocket connection opened', { remote: conn.remote });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data: RawData) => this.message(conn, data));
    ws.on('error', (e) => log.debug('WebSocket connection error', { remote: conn.remote, err: e }));
    ws.on('close', () => {
      this.conns.delete(conn);
      conn.shutdown();
      log.debug('WebSocket connection closed', { remote: conn.remote });
    });
  }

  private message(conn: WsConnection, data: RawData): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const after: (() => void)[] = [];
    const ctx: CallContext = { conn, afterResponse: (fn) => void after.push(fn) };
    // Backpressure on input: a client pipelining requests faster than we answer waits in its own TCP buffer, not in our memory.
    if (++conn.inFlight >= this.maxInFlight && !conn.ws.isPaused) conn.ws.pause();
    this.rpc.handle(bytes, ctx)
      .then((answer) => {
        if (answer !== undefined) conn.send(answer);
      })
      .catch((e: unknown) => log.error('WebSocket RPC failure', { err: e as Error }))
      .finally(() => {
        // Even after a failure: a subscription left waiting for its answer would hold its events forever.
        for (const fn of after) fn();
        if (--conn.inFlight < this.maxInFlight && conn.ws.isPaused && !conn.closed) conn.ws.resume();
      });
  }

  private ping(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        log.debug('WebSocket client missed a ping', { remote: c.remote });
        c.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}
