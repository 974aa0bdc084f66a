/**
 * `gtos attach [endpoint]`: geth's JavaScript console over IPC (default
 * `<datadir>/gtos.ipc`), HTTP(S) or WebSocket. Owns the three small clients,
 * the console objects (`eth`, `net`, `admin`, ...) whose methods are RPC calls,
 * the REPL (history in the datadir, completion from the objects) and `--exec`.
 */
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import repl from 'node:repl';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { WebSocket } from 'ws';
import { JsonStreamSplitter } from '../../rpc/ipc.js';

export class AttachError extends Error {
  override name = 'AttachError';
}

/** An error the node answered with; the console shows its message as geth's does. */
export class RemoteRpcError extends Error {
  override name = 'RemoteRpcError';
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface RpcClient {
  call(method: string, params: unknown[]): Promise<unknown>;
  close(): void;
}

interface Answer {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

function settle(a: Answer): unknown {
  if (a.error) throw new RemoteRpcError(a.error.code, a.error.message);
  return a.result;
}

/** Shared by the stream transports (IPC, WebSocket): answers matched to calls by id; notifications ignored. */
class PendingCalls {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  open(send: (text: string) => void, method: string, params: unknown[]): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  answer(a: Answer): void {
    if (typeof a.id !== 'number') return;
    const w = this.waiting.get(a.id);
    if (!w) return;
    this.waiting.delete(a.id);
    try {
      w.resolve(settle(a));
    } catch (e) {
      w.reject(e as Error);
    }
  }

  failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

async function ipcClient(path: string): Promise<RpcClient> {
  const socket: Socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (e) => reject(new AttachError(`cannot connect to ${path}: ${e.message} (is the node running? see --ipcpath)`)));
  });
  const pending = new PendingCalls();
  const splitter = new JsonStreamSplitter(64 * 1024 * 1024);
  socket.on('data', (chunk: Buffer) => {
    for (const v of splitter.push(chunk)) pending.answer(JSON.parse(v.toString('utf8')) as Answer);
  });
  socket.on('close', () => pending.failAll(new AttachError('the node closed the IPC connection')));
  socket.on('error', () => {});
  return {
    call: (method, params) => pending.open((t) => socket.write(t + '\n'), method, params),
    close: () => socket.destroy(),
  };
}

function httpClient(url: string): RpcClient {
  let id = 0;
  return {
    call: async (method, params) => {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
      } catch (e) {
        throw new AttachError(`cannot reach ${url}: ${(e as Error).message}`);
      }
      const text = await res.text();
      let a: Answer;
      try {
        a = JSON.parse(text) as Answer;
      } catch {
        throw new AttachError(`${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      }
      return settle(a);
    },
    close: () => {},
  };
}

async function wsClient(url: string): Promise<RpcClient> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) => reject(new AttachError(`cannot connect to ${url}: ${e.message}`)));
  });
  const pending = new PendingCalls();
  ws.on('message', (data) => pending.answer(JSON.parse(String(data)) as Answer));
  ws.on('close', () => pending.failAll(new AttachError('the node closed the WebSocket connection')));
  return {
    call: (method, params) => pending.open((t) => ws.send(t), method, params),
    close: () => ws.close(),
  };
}

export async function openClient(endpoint: string): Promise<RpcClient> {
  if (/^https?:\/\//i.test(endpoint)) return httpClient(endpoint);
  if (/^wss?:\/\//i.test(endpoint)) return wsClient(endpoint);
  return ipcClient(endpoint.replace(/^ipc:/, ''));
}

/** The methods completion offers; any other property still calls `<namespace>_<property>`. */
const KNOWN: Record<string, string[]> = {
  eth: [
    'accounts', 'blockNumber', 'call', 'chainId', 'coinbase', 'estimateGas', 'feeHistory', 'gasPrice', 'getBalance',
    'getBlockByHash', 'getBlockByNumber', 'getBlockTransactionCountByHash', 'getBlockTransactionCountByNumber', 'getCode',
    'getProof', 'getStorageAt', 'getTransactionByBlockNumberAndIndex', 'getTransactionByHash', 'getTransactionCount',
    'getTransactionReceipt', 'maxPriorityFeePerGas', 'mining', 'sendRawTransaction', 'sendTransaction', 'sign',
    'signTransaction', 'syncing',
  ],
  net: ['listening', 'peerCount', 'version'],
  admin: ['addPeer', 'nodeInfo', 'peers', 'removePeer'],
  txpool: ['content', 'inspect', 'status'],
  clique: ['discard', 'getSigners', 'getSignersAtHash', 'getSnapshot', 'getSnapshotAtHash', 'proposals', 'propose'],
  web3: ['clientVersion', 'sha3'],
  personal: ['sign'],
};

/** Results geth's console (web3.js) shows as numbers rather than hex quantities. */
const NUMERIC = new Set(['eth_blockNumber', 'eth_getBalance', 'eth_getTransactionCount', 'eth_gasPrice', 'eth_estimateGas', 'eth_maxPriorityFeePerGas', 'net_peerCount', 'eth_getBlockTransactionCountByNumber', 'eth_getBlockTransactionCountByHash']);

function numeric(v: unknown): unknown {
  if (typeof v !== 'string' || !/^0x[0-9a-f]+$/i.test(v)) return v;
  const n = BigInt(v);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** `eth`, `net`, ...: known methods as own properties (for completion), others through a Proxy. Promise arguments are awaited, so calls nest: eth.getBalance(eth.coinbase()). */
export function consoleObjects(client: RpcClient): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [ns, names] of Object.entries(KNOWN)) {
    const method = (name: string) => async (...args: unknown[]) => {
      const full = `${ns}_${name}`;
      const r = await client.call(full, await Promise.all(args));
      return NUMERIC.has(full) ? numeric(r) : r;
    };
    const target: Record<string, unknown> = {};
    for (const n of names) target[n] = method(n);
    out[ns] = new Proxy(target, {
      get: (t, p) => (typeof p === 'string' && !(p in t) && p !== 'then' && !p.startsWith('_') ? method(p) : t[p as string]),
    });
  }
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return inspect(v, { depth: null, colors: false });
}

async function evaluate(code: string, context: vm.Context): Promise<unknown> {
  const r: unknown = vm.runInContext(code, context, { filename: 'console' });
  return r && typeof (r as { then?: unknown }).then === 'function' ? await r : r;
}

export interface AttachOptions {
  endpoint: string;
  /** Where the history file goes (`<datadir>/gtos_history`); undefined: no history. */
  historyDir?: string;
  exec?: string;
}

export async function attachCommand(o: AttachOptions, out: (s: string) => void): Promise<void> {
  const client = await openClient(o.endpoint);
  const objects = consoleObjects(client);
  if (o.exec !== undefined) {
    try {
      out(show(await evaluate(o.exec, vm.createContext({ ...objects }))));
    } finally {
      client.close();
    }
    return;
  }
  let version = '';
  try {
    version = String(await client.call('web3_clientVersion', []));
  } catch {
    // A node without web3 (an HTTP endpoint with a narrow --http.api) can still be talked to.
  }
  out(`Welcome to the gtos JavaScript console!\n\ninstance: ${version}\nendpoint: ${o.endpoint}\nmodules: ${Object.keys(KNOWN).join(' ')}\n\nTo exit, press ctrl-d or type .exit`);
  // Input piped in ends (EOF → exit) before its calls are answered: the client closes only after them.
  const running = new Set<Promise<unknown>>();
  const server = repl.start({
    prompt: '> ',
    // Our eval awaits a call's promise, so `eth.blockNumber()` shows the number, not Promise { <pending> }.
    eval: (code, context, _file, cb) => {
      const p = evaluate(code, context).then((v) => cb(null, v), (e: unknown) => {
        if (e instanceof SyntaxError && /Unexpected end of input|missing \) after/.test(e.message)) return cb(new repl.Recoverable(e), undefined);
        // The node's answer or an unreachable node: the message is the news, our stack is not.
        if (e instanceof RemoteRpcError || e instanceof AttachError) e.stack = `${e.name}: ${e.message}`;
        cb(e as Error, undefined);
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    writer: show,
  });
  Object.assign(server.context, objects);
  if (o.historyDir) {
    mkdirSync(o.historyDir, { recursive: true, mode: 0o700 });
    server.setupHistory(join(o.historyDir, 'gtos_history'), (e) => {
      if (e) out(`history disabled: ${e.message}`);
    });
  }
  await new Promise<void>((resolve) => server.on('exit', () => resolve()));
  while (running.size > 0) await Promise.allSettled([...running]);
  client.close();
}
