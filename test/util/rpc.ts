/** A JSON-RPC client over real HTTP for tests: returns `result`, throws on `error`. */
export class RpcCallError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

let nextId = 0;

export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++nextId, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
  if (body.error) throw new RpcCallError(body.error.code, `${method}: ${body.error.message}`);
  return body.result;
}
