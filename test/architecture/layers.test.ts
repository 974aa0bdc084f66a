/**
 * The import graph of src/ obeys the layer table in docs/architecture.md:
 * a file may import its own layer and any layer of a lower rank; layers of
 * equal rank are siblings and may not import each other; src/ never imports
 * test/, tools/ or bench/. The table is read from the document, so the map a
 * newcomer reads and the rule the build enforces are one text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoPath } from '../util/paths.js';

interface Layer {
  rank: number;
  name: string;
  folders: string[];
}

/** Rows of the "Layers" table: | rank | layer | folders (comma separated, in backticks) | ... | */
export function readLayerTable(markdown: string): Layer[] {
  const start = markdown.indexOf('<!-- layers:begin -->');
  const end = markdown.indexOf('<!-- layers:end -->');
  assert.ok(start >= 0 && end > start, 'docs/architecture.md has no layers table markers');
  const layers: Layer[] = [];
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !/^\d+$/.test(cells[1] ?? '')) continue;
    const folders = [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, ''));
    layers.push({ rank: Number(cells[1]), name: cells[2]!, folders });
  }
  return layers;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) out.push(spec);
  }
  return out;
}

function layerOf(layers: readonly Layer[], file: string): Layer | undefined {
  let best: Layer | undefined;
  let bestLen = -1;
  for (const l of layers) {
    for (const f of l.folders) {
      if ((file === f || file.startsWith(f + '/')) && f.length > bestLen) {
        best = l;
        bestLen = f.length;
      }
    }
  }
  return best;
}

const root = dirname(repoPath('docs/architecture.md')).replace(/\/docs$/, '');
const layers = readLayerTable(readFileSync(repoPath('docs/architecture.md'), 'utf8'));

test('the layer table is well formed and covers every file of src/', () => {
  assert.ok(layers.length >= 10, `expected the full table, got ${layers.length} rows`);
  const unplaced = tsFiles(join(root, 'src')).map((f) => relative(root, f)).filter((f) => !layerOf(layers, f));
  assert.deepEqual(unplaced, [], 'files of src/ in no layer of docs/architecture.md');
});

test('every import of src/ goes to its own layer or a lower one, never to a sibling', () => {
  const violations: string[] = [];
  for (const abs of tsFiles(join(root, 'src'))) {
    const file = relative(root, abs);
    const from = layerOf(layers, file)!;
    for (const spec of importsOf(readFileSync(abs, 'utf8'))) {
      const target = relative(root, resolve(dirname(abs), spec)).replace(/\.js$/, '.ts');
      if (!target.startsWith('src/')) {
        violations.push(`${file} → ${target} (src/ imports outside src/)`);
        continue;
      }
      const to = layerOf(layers, target);
      if (!to) {
        violations.push(`${file} → ${target} (target in no layer)`);
        continue;
      }
      if (to === from) continue;
      if (to.rank === from.rank) violations.push(`${file} → ${target} (sibling layers ${from.name} and ${to.name})`);
      else if (to.rank > from.rank) violations.push(`${file} → ${target} (upward: ${from.name} ${from.rank} → ${to.name} ${to.rank})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the checker itself sees upward, sibling and dynamic imports', () => {
  // Guards the regex and the lookup: a checker that parses nothing would pass everything.
  assert.deepEqual(importsOf(`import { a } from '../x.js';\nimport type { B } from './y.js';\nexport * from './z.js';\nconst m = await import('../w.js');\nimport 'node:fs';`),
    ['../x.js', './y.js', './z.js', '../w.js']);
  const chain = layerOf(layers, 'src/core/chain/blockchain.ts');
  const miner = layerOf(layers, 'src/miner/miner.ts');
  const pool = layerOf(layers, 'src/core/txpool/txpool.ts');
  assert.ok(chain && miner && pool);
  assert.ok(miner.rank > chain.rank, 'miner sits above the chain');
  assert.equal(chain.rank, pool.rank, 'chain and pool are siblings');
  assert.notEqual(chain, pool);
});
