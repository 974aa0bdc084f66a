/**
 * The IPC transport of the JSON-RPC server: a Unix socket (`<datadir>/gtos.ipc`,
 * mode 0600) carrying JSON values back to back, as geth's IPC endpoint.
 * Owns the listener, the splitting of the byte stream into JSON values, the
 * per-connection limits and the socket file's life (stale one removed at
 * start, removed again at stop).
 *
 * Choices (go-ethereum's where it has one):
 * - any whitespace (a newline, say) or none may separate values: each top-level
 *   object or array is answered, answers newline-terminated;
 * - bytes that cannot start a value (outside an object or array) get one
 *   parse error and the connection is closed: the stream cannot be resynchronised;
 * - a value larger than maxMessageBytes closes the connection after an error;
 * - calls of one connection run concurrently, answers in the order they finish
 *   (as geth), and reading pauses past maxInFlight unanswered values;
 * - subscriptions work as over WebSocket (the connection is the subscriber).
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { logger } from '../util/log.js';
import { ParseError, LimitExceededError } from './errors.js';
import { errorBody, JsonRpcHandler, positiveInt, RpcServerError, type JsonRpcOptions } from './jsonrpc.js';
import type { CallContext, RpcRegistry } from './registry.js';
import { StreamConnection } from './connection.js';

const log = logger('rpc');

const DEFAULT_MAX_MESSAGE_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_IN_FLIGHT = 64;
/** sun_path is 108 bytes on Linux (104 on macOS), NUL included: a longer path fails with an unhelpful EINVAL. */
const MAX_SOCKET_PATH = 103;

export interface RpcIpcOptions extends JsonRpcOptions {
  path: string;
  maxMessageBytes?: number;
  maxInFlight?: number;
}

/**
 * Cuts a byte stream into top-level JSON values by tracking string and
 * nesting state, so a value split across reads or several in one read are
 * both handled without parsing anything twice.
 */
export class JsonStreamSplitter {
  private buf: Buffer = Buffer.alloc(0);
  /** Scan position in buf, start of the current value, nesting depth, string state. */
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxBytes: number) {}

  /** The complete values in `chunk` (with what came before); throws on garbage or an oversized value. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    const b = this.buf;
    for (; this.pos < b.length; this.pos++) {
      const c = b[this.pos]!;
      if (this.start < 0) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c !== 0x7b && c !== 0x5b) throw new ParseError('parse error: expected a JSON object or array');
        this.start = this.pos;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) {
          out.push(b.subarray(this.start, this.pos + 1));
          this.start = -1;
        }
      }
    }
    // Keep only the unfinished value; scanning resumes where it stopped.
    const keep = this.start < 0 ? b.length : this.start;
    this.buf = b.subarray(keep);
    this.pos -= keep;
    if (this.start >= 0) this.start = 0;
    if (this.buf.length > this.maxBytes) throw new LimitExceededError(`message larger than ${this.maxBytes} bytes`);
    return out;
  }
}

class IpcConnection extends StreamConnection {
  protected readonly kind = 'IPC';

  constructor(readonly socket: Socket) {
    super();
  }

  send(text: string): void {
    if (this.closed) return;
    this.socket.write(text + '\n');
  }
}

export class RpcIpcServer {
  private server: Server | undefined;
  private readonly conns = new Set<IpcConnection>();
  private readonly rpc: JsonRpcHandler;
  private readonly maxMessage: number;
  private readonly maxInFlight: number;
  readonly path: string;

  constructor(registry: RpcRegistry, opts: RpcIpcOptions) {
    if (Buffer.byteLength(opts.path) > MAX_SOCKET_PATH) {
      throw new RpcServerError(`IPC path too long (${Buffer.byteLength(opts.path)} bytes, at most ${MAX_SOCKET_PATH}): ${opts.path}; use --ipcpath`);
    }
    this.path = opts.path;
    this.maxMessage = positiveInt(opts.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
    this.maxInFlight = positiveInt(opts.maxInFlight, DEFAULT_MAX_IN_FLIGHT, 'maxInFlight');
    this.rpc = new JsonRpcHandler(registry, opts);
  }

  async start(): Promise<string> {
    if (this.server) throw new RpcServerError('IPC server already started');
    // As geth: a socket file left by a node that died would make listen fail with EADDRINUSE.
    rmSync(this.path, { force: true });
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    server.on('error', (e) => log.error('IPC listener error', { err: e }));
    // Anyone who can open the socket can use every namespace (admin, personal): the owner only.
    chmodSync(this.path, 0o600);
    this.server = server;
    return this.path;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const c of [...this.conns]) {
      c.shutdown();
      c.socket.destroy();
    }
    this.conns.clear();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private accept(socket: Socket): void {
    const conn = new IpcConnection(socket);
    this.conns.add(conn);
    const splitter = new JsonStreamSplitter(this.maxMessage);
    socket.on('data', (chunk: Buffer) => {
      let values: Buffer[];
      try {
        values = splitter.push(chunk);
      } catch (e) {
        conn.send(errorBody(e as ParseError));
        conn.shutdown();
        socket.end();
        return;
      }
      for (const v of values) this.message(conn, v);
    });
    socket.on('error', (e) => log.debug('IPC connection error', { err: e }));
    socket.on('close', () => {
      this.conns.delete(conn);
      conn.shutdown();
    });
  }

  private message(conn: IpcConnection, bytes: Buffer): void {
    const after: (() => void)[] = [];
    const ctx: CallContext = { conn, afterResponse: (fn) => void after.push(fn) };
    // Backpressure on input, as over WebSocket: a pipelining client waits in its own socket buffer.
    if (++conn.inFlight >= this.maxInFlight && !conn.socket.isPaused()) conn.socket.pause();
    this.rpc.handle(bytes, ctx)
      .then((answer) => {
        if (answer !== undefined) conn.send(answer);
      })
      .catch((e: unknown) => log.error('IPC RPC failure', { err: e as Error }))
      .finally(() => {
        for (const fn of after) fn();
        if (--conn.inFlight < this.maxInFlight && conn.socket.isPaused() && !conn.closed) conn.socket.resume();
      });
  }
}
