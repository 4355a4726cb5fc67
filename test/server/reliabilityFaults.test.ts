/**
 * The language server under faults (issue 5), through the built server over stdio: killed
 * mid-index and restarted (and killed as the index completes, with its facts cache half written),
 * and an untrusted workspace, which only reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestServer, repoRoot } from './harness';
import { convergesToFresh, course, tempRoot, writeFiles } from './reliabilitySupport';

describe('the language server under faults', () => {
  test('killed mid-index and restarted, then killed as the index completes: the state is complete again', async (t) => {
    const root = tempRoot();
    const storagePath = tempRoot();
    writeFiles(root, course(3_000));
    try {
      for (const moment of ['mid-index', 'at ready'] as const) {
        const server = await TestServer.start({ root, storagePath });
        if (moment === 'mid-index') await server.waitFor('indexing to start', () => server.progress.find((p) => p.value.kind === 'report' || p.value.kind === 'begin'));
        else await server.ready();
        server.process.kill('SIGKILL');
        await server.waitFor('the server to die', () => !server.alive).catch(() => undefined);
        await server.stop();
        t.diagnostic(`figure killed ${moment}`);
        const restarted = await TestServer.start({ root, storagePath });
        try {
          await restarted.ready();
          await convergesToFresh(restarted);
        } finally {
          await restarted.stop();
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(storagePath, { recursive: true, force: true });
    }
  });

  test('an untrusted workspace only reads: diagnostics, but no code action, rename, fix-all or file creation', async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    const root = tempRoot();
    writeFiles(root, new Map([['README.md', '# R\n\n[a](VM\\a.md) [b](falta.md)\n'], ['VM/a.md', '# A\n']]));
    const server = await TestServer.start({ root, trusted: false });
    try {
      await server.ready();
      const list = await server.waitForDiagnostics('README.md', 'two problems', (l) => l.length === 2);
      assert.equal(server.initializeResult.capabilities.codeActionProvider, undefined);
      assert.equal(server.initializeResult.capabilities.renameProvider, undefined);
      const actions = await server
        .request<unknown[] | null>('textDocument/codeAction', { textDocument: { uri: server.uri('README.md') }, range: list[0].range, context: { diagnostics: list } })
        .catch(() => null);
      assert.ok(actions === null || actions.length === 0, JSON.stringify(actions));
      const rename = await server
        .request<unknown>('workspace/willRenameFiles', { files: [{ oldUri: server.uri('VM/a.md'), newUri: server.uri('VM/b.md') }] })
        .catch(() => null);
      assert.equal(rename, null);
      assert.equal(readFileSync(join(root, 'README.md'), 'utf8'), '# R\n\n[a](VM\\a.md) [b](falta.md)\n');
    } finally {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
