/** Starts `gtos` as a child process and reads its endpoints from what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));

export interface NodeProc {
  child: ChildProcess;
  rpc: string;
  metrics?: string;
  devAccount?: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startNode(args: string[], timeoutMs = 20_000): Promise<NodeProc> {
  const child = spawn(process.execPath, [GTOS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  while (!/JSON-RPC: (http:\/\/\S+)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    rpc: /JSON-RPC: (http:\/\/\S+)/.exec(out)![1]!,
    metrics: /Metrics: +(http:\/\/\S+)/.exec(out)?.[1],
    devAccount: /Dev account: (0x[0-9a-f]{40})/.exec(out)?.[1],
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function rpc(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
