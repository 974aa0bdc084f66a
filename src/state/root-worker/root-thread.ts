/**
 * The state-root worker: owns account tries in its own memory and computes a
 * block's state root from the account updates the main thread sends, so that
 * trie walking, node encoding and hashing leave the main thread (reth's
 * state-root task). Nodes it lacks are asked of the main thread in rounds,
 * one request per trie level for all paths at once. The committed nodes go
 * back to the main thread, children before parents, for the dirty-node cache
 * or the block's batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { GenerationalCache } from '../../util/generational-cache.js';
import { storageRootIn } from '../statedb/account.js';
import { EMPTY_ROOT, keyToNibbles, MissingNodeError, SecureTrie, type NodeSource } from '../trie/trie.js';
import { bytesKey as keyOf, equalBytes, keyBytes } from '../../crypto/bytes.js';
import { CommittedNodeWriter, packHashes, unpackEncodings, unpackUpdates, type AccountUpdate } from './root-codec.js';
import type { RootRequest, RootResponse, RootThreadData } from './root-protocol.js';
import { entryBytes } from '../cache-budget.js';

if (!parentPort) throw new Error('root-thread.ts must run as a worker thread');
const port = parentPort;


/** Node encodings received from the main thread or committed here, within the clean-trie share of `--cache`. */
const nodes = new GenerationalCache<Uint8Array>(Number.MAX_SAFE_INTEGER, { maxBytes: (workerData as RootThreadData).cachedNodeBytes, weigh: entryBytes });
const source: NodeSource = { getNode: (h) => nodes.get(keyOf(h)) };
/** Recently committed tries by root: the next block on top starts from decoded nodes. */
const recent = new Map<string, SecureTrie>();
const RECENT = 8;

let pendingNodes: ((encs: Uint8Array[]) => void) | undefined;

function askNodes(id: number, hashes: Uint8Array[]): Promise<void> {
  return new Promise((resolve, reject) => {
    pendingNodes = (encs) => {
      for (let i = 0; i < hashes.length; i++) {
        const e = encs[i];
        if (!e || e.length === 0) return reject(new MissingNodeError(hashes[i]!));
        nodes.set(keyOf(hashes[i]!), e.slice());
      }
      resolve();
    };
    const payload = packHashes(hashes);
    const msg: RootResponse = { type: 'need', id, hashes: payload };
    port.postMessage(msg, [payload.buffer as ArrayBuffer]);
  });
}

/** Reveals every node on the updates' paths (and retries a deletion that needs a sibling), then applies them. */
async function computeRoot(id: number, parentRoot: Hash, updates: AccountUpdate[]): Promise<{ root: Hash; nodes: Uint8Array }> {
  const base = recent.get(keyOf(parentRoot));
  const trie = base ? base.copy() : new SecureTrie(parentRoot, source);
  const paths = updates.map((u) => keyToNibbles(u.addrHash));
  for (;;) {
    const missing = new Map<string, Uint8Array>();
    for (const p of paths) {
      const h = trie.missingOnPath(p);
      if (h) missing.set(keyOf(h), h);
    }
    if (missing.size === 0) break;
    await askNodes(id, [...missing.values()]);
  }
  for (const u of updates) {
    for (;;) {
      try {
        trie.putHashed(u.addrHash, u.value);
        break;
      } catch (e) {
        // A deletion that collapses a branch needs the sibling it merges with.
        if (!(e instanceof MissingNodeError)) throw e;
        await askNodes(id, [e.hash]);
      }
    }
  }
  const out = new CommittedNodeWriter();
  const root = trie.commitTo(
    {
      wantsKeys: true,
      node(hash, enc, _key, children) {
        nodes.set(keyOf(hash), enc);
        out.add(hash, enc, children.map(keyBytes));
      },
    },
    (account) => {
      const r = storageRootIn(account);
      return equalBytes(r, EMPTY_ROOT) ? undefined : keyOf(r);
    },
  );
  // Decoded only near the root, as on the main thread: a trie kept whole grows to the entire state.
  // Deeper levels decode again from `nodes` (or the main thread) when next changed.
  trie.collapse();
  const k = keyOf(root);
  recent.delete(k);
  recent.set(k, trie.copy());
  while (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
  return { root: asHash(root), nodes: out.done() };
}

port.on('message', (msg: RootRequest) => {
  if (msg.type === 'nodes') {
    const done = pendingNodes;
    pendingNodes = undefined;
    done?.(unpackEncodings(msg.encodings));
    return;
  }
  computeRoot(msg.id, asHash(msg.parentRoot), unpackUpdates(msg.updates)).then(
    ({ root, nodes: committed }) => {
      const res: RootResponse = { type: 'done', id: msg.id, root, nodes: committed };
      port.postMessage(res, [committed.buffer as ArrayBuffer]);
    },
    (e: Error) => {
      const res: RootResponse = { type: 'error', id: msg.id, message: e.message };
      port.postMessage(res);
    },
  );
});

port.postMessage({ type: 'ready' } satisfies RootResponse);
