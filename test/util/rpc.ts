/** A JSON-RPC client over real HTTP for tests: returns `result`, throws on `error`. */
export class RpcCallError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

let nextId = 0;

export interface RpcAnswer {
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

/** The whole answer, error included (for tests of the error itself). */
export async function rpcAnswer(url: string, method: string, params: unknown[] = []): Promise<RpcAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++nextId, method, params }) });
  return (await res.json()) as RpcAnswer;
}

export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<any> {
  const body = await rpcAnswer(url, method, params);
  if (body.error) throw new RpcCallError(body.error.code, `${method}: ${body.error.message}`);
  return body.result;
}
