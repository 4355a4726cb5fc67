/**
 * A burst of 5,000 file events, as a `git checkout` of another branch makes, through the built
 * server over stdio: afterwards the diagnostics the server published equal a fresh index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { TestServer } from './harness';
import { convergesToFresh, course, tempRoot, writeFiles } from './reliabilitySupport';

test('5,000 files created, changed and deleted in a burst (git checkout): the diagnostics equal a fresh index', async (t) => {
  const root = tempRoot();
  const before = course(3_000);
  writeFiles(root, before);
  const server = await TestServer.start({ root });
  try {
    await server.ready();
    await convergesToFresh(server);
    // The other branch: 1,000 pages deleted, 2,000 changed, 2,000 created (and links to the deleted ones now broken).
    const after = course(5_000, 1);
    const events: { path: string; type: 'created' | 'changed' | 'deleted' }[] = [];
    for (const path of before.keys()) {
      const n = Number(/p(\d+)\.md$/.exec(path)?.[1] ?? -1);
      if (n >= 0 && n % 3 === 1) {
        unlinkSync(join(root, path));
        after.delete(path);
        events.push({ path, type: 'deleted' });
      }
    }
    for (const [path, text] of after) {
      const existed = before.has(path);
      if (existed && before.get(path) === text) continue;
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
      events.push({ path, type: existed ? 'changed' : 'created' });
    }
    t.diagnostic(`figure burst file events: ${events.length}`);
    assert.ok(events.length >= 5_000, `${events.length} events`);
    // As VS Code sends them: in batches, as fast as the watcher reports.
    const started = Date.now();
    for (let i = 0; i < events.length; i += 500) await server.filesChanged(events.slice(i, i + 500));
    await convergesToFresh(server);
    t.diagnostic(`figure burst: seconds to equal a fresh index: ${((Date.now() - started) / 1000).toFixed(1)}`);
    assert.ok(server.alive);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
