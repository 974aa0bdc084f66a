import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idleWhile, RootPathChooser, type RootPath } from '../../../src/state/root-worker/root-path-chooser.js';

function run(c: RootPathChooser, n: number, cost: Record<RootPath, number>): RootPath[] {
  const picks: RootPath[] = [];
  for (let i = 0; i < n; i++) {
    const p = c.pick();
    picks.push(p);
    c.record(p, cost[p] * 1000, 1000);
  }
  return picks;
}

test('root paths: both are tried, then the cheaper is kept, with a probe of the other every Nth pick', () => {
  const c = new RootPathChooser(8);
  const picks = run(c, 36, { main: 0.04, worker: 0.07 });
  assert.deepEqual(picks.slice(0, 4), ['main', 'main', 'worker', 'worker']);
  const after = picks.slice(4);
  assert.equal(after.filter((p) => p === 'worker').length, 4, 'one probe of the worker per 8 picks');
  assert.deepEqual(after.map((p, i) => (p === 'worker' ? i : -1)).filter((i) => i >= 0), [7, 15, 23, 31]);
  assert.ok(Math.abs(c.figures.main - 0.04) < 1e-9 && Math.abs(c.figures.worker - 0.07) < 1e-9);
});

test('root paths: a change of load (the main thread gets busier) moves the choice to the worker', () => {
  const c = new RootPathChooser(4);
  run(c, 20, { main: 0.04, worker: 0.07 });
  assert.equal(c.pick(), 'main');
  // From now on the worker's wait is mostly filled with other work: it costs the main thread little.
  const picks = run(c, 40, { main: 0.04, worker: 0.01 });
  assert.deepEqual(picks.slice(-8).filter((p) => p === 'worker').length, 6, 'worker kept, main probed every 4th pick');
});

test('root paths: costs are per transaction, so a big block does not outweigh a small one', () => {
  const c = new RootPathChooser();
  c.record('main', 400, 10_000);
  c.record('main', 4, 100);
  c.record('worker', 50, 100);
  c.record('worker', 5000, 10_000);
  assert.equal(c.pick(), 'main');
  assert.ok(Math.abs(c.figures.main - 0.04) < 1e-9);
});

test('idleWhile: a wait with nothing else to do is all idle; work done meanwhile is not counted', async () => {
  const idle = await idleWhile(new Promise((r) => setTimeout(() => r(7), 60)));
  assert.equal(idle.value, 7);
  assert.ok(idle.idleMs > 40, `idle ${idle.idleMs} ms of a 60 ms sleep`);
  const busy = await idleWhile(
    new Promise((r) => {
      // The event loop spins for ~80 ms of the ~100 ms the promise takes.
      setImmediate(() => {
        const end = performance.now() + 80;
        while (performance.now() < end);
      });
      setTimeout(() => r(1), 100);
    }),
  );
  assert.ok(busy.idleMs < 60, `idle ${busy.idleMs} ms while the loop was busy 80 of ~100 ms`);
});
