/**
 * Which of the node's listeners reach beyond this machine, and what that
 * exposes: the warnings printed at start and the one combination refused
 * outright (keys that sign for eth_sendTransaction behind a public HTTP or
 * WebSocket port, unless --allow-insecure-unlock says the operator means it).
 */
import { BlockList, isIP } from 'node:net';
import type { NodeConfig } from './config.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Loopback only: "localhost", 127.0.0.0/8, ::1. Anything else, 0.0.0.0 and :: first, is reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  // Empty is the servers' own default, 127.0.0.1.
  if (h === '' || h === 'localhost') return true;
  const v = isIP(h);
  return v !== 0 && LOOPBACK.check(h, v === 4 ? 'ipv4' : 'ipv6');
}

export interface Exposure {
  /** One line per public listener, for the log's WARN level. */
  warnings: string[];
  /** Why the node must not start, when it must not. */
  refusal?: string;
}

/** `signers` counts the accounts eth_sendTransaction would sign for. */
export function assessExposure(cfg: NodeConfig, signers: number): Exposure {
  const warnings: string[] = [];
  let refusal: string | undefined;
  const dev = cfg.dev.enabled ? ['--dev: its funded dev account signs eth_sendTransaction for any caller'] : [];
  const refuse = (addr: string) => {
    // Both transports serve eth_sendTransaction, so either one public is enough.
    if (refusal === undefined && signers > 0 && !cfg.account.insecureunlock) {
      refusal = `refusing to expose unlocked accounts on ${addr} without --allow-insecure-unlock (eth_sendTransaction would sign for anyone who reaches it); listen on 127.0.0.1 or pass --allow-insecure-unlock`;
    }
  };
  const rpcOn = (name: string, addr: string, api: readonly string[], risks: string[]) => {
    const worse = [...dev, ...risks];
    warnings.push(`${name} listens on ${addr}, reachable from other machines: anyone who can connect can call every enabled API (${api.join(',')})`
      + (worse.length ? `; worse with ${worse.join('; ')}` : ''));
    refuse(addr);
  };
  const star = (xs: readonly string[]) => xs.some((x) => x.trim() === '*');
  const h = cfg.http;
  if (h.enabled && !isLoopbackHost(h.addr)) {
    rpcOn('HTTP JSON-RPC', h.addr, h.api, [
      ...(star(h.corsdomain) ? ["--http.corsdomain '*': any web page a user opens can call it"] : []),
      ...(star(h.vhosts) ? ["--http.vhosts '*': no Host check against DNS rebinding"] : []),
    ]);
  }
  const w = cfg.ws;
  if (w.enabled && !isLoopbackHost(w.addr)) {
    rpcOn('WebSocket JSON-RPC', w.addr, w.api, star(w.origins) ? ["--ws.origins '*': any web page a user opens can connect"] : []);
  }
  const m = cfg.metrics;
  if (m.enabled && !isLoopbackHost(m.addr)) {
    warnings.push(`metrics listen on ${m.addr}, reachable from other machines: they reveal the node's load, peers and pool`);
  }
  return { warnings, refusal };
}
