/**
 * The server stays responsive while an author types (issue 5): 1,000 edits a second to one page for
 * 10 seconds on a 10,000-page workspace, with hovers asked and requests cancelled meanwhile; then the
 * diagnostics equal a fresh index. Through the built server over stdio.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { TestServer } from './harness';
import { convergesToFresh, course, tempRoot, writeFiles } from './reliabilitySupport';

const editsPerSecond = Number(process.env.KBNAV_TYPING_RATE ?? 1_000);
const seconds = Number(process.env.KBNAV_TYPING_SECONDS ?? 10);
const pages = Number(process.env.KBNAV_TYPING_PAGES ?? 10_000);

test(`${editsPerSecond} edits a second for ${seconds} s on a ${pages}-page workspace: responsive, then equal to a fresh index`, async (t) => {
  const root = tempRoot();
  writeFiles(root, course(pages));
  const started = Date.now();
  const server = await TestServer.start({ root });
  try {
    await server.waitFor('the index to be ready', () => server.indexState?.state === 'ready', 120_000);
    t.diagnostic(`figure typing: index of ${pages} pages ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const path = 't5/p500.md';
    const original = readFileSync(join(root, path), 'utf8');
    await server.open(path, original);
    // What the author types, a character at a time: links that are broken until they are finished.
    const typed = 'Ver [Página 501 ➡️](p501.md), [roto](p9999.md#x) y [sección](p499.md#seccion).\n';
    const textAt = (k: number) => original + typed.repeat(Math.floor(k / typed.length)) + typed.slice(0, k % typed.length);

    const hoverLatencies: number[] = [];
    const outcomes = { answered: 0, cancelled: 0, failed: 0 };
    const failures = new Set<string>();
    const pending: Promise<void>[] = [];
    const total = editsPerSecond * seconds;
    const batch = Math.max(1, Math.round(editsPerSecond / 100));
    let sent = 0;
    const typingStarted = Date.now();
    while (sent < total) {
      for (let i = 0; i < batch && sent < total; i++) await server.change(path, textAt(++sent));
      if (sent % Math.max(1, Math.round(editsPerSecond / 10)) < batch) {
        // Ten times a second: a hover on the heading (timed), and a request cancelled as soon as it is sent.
        const asked = Date.now();
        pending.push(
          server.request('textDocument/hover', { textDocument: { uri: server.uri(path) }, position: { line: 0, character: 3 } }).then(
            () => void hoverLatencies.push(Date.now() - asked),
            (error: { code?: number; message?: string }) => {
              outcomes.failed++;
              failures.add(`hover: ${error?.code} ${error?.message}`);
            },
          ),
        );
        const source = new CancellationTokenSource();
        pending.push(
          server.connection.sendRequest('textDocument/documentLink', { textDocument: { uri: server.uri(path) } }, source.token).then(
            () => void outcomes.answered++,
            (error: { code?: number; message?: string }) => {
              if (error?.code === -32800) outcomes.cancelled++;
              else {
                outcomes.failed++;
                failures.add(`${error?.code} ${error?.message}`);
              }
            },
          ),
        );
        source.cancel();
      }
      // Keep to the rate: sleep only when ahead of it.
      const ahead = (sent / editsPerSecond) * 1000 - (Date.now() - typingStarted);
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
    const typingMs = Date.now() - typingStarted;
    await Promise.all(pending);
    hoverLatencies.sort((a, b) => a - b);
    t.diagnostic(`figure typing: ${sent} edits in ${(typingMs / 1000).toFixed(1)} s`);
    t.diagnostic(`figure typing: hover latency median ${hoverLatencies[hoverLatencies.length >> 1]} ms, max ${hoverLatencies.at(-1)} ms (${hoverLatencies.length} hovers)`);
    t.diagnostic(`figure typing: cancelled requests ${outcomes.cancelled}, answered anyway ${outcomes.answered}, failed ${outcomes.failed}`);
    assert.equal(outcomes.failed, 0, [...failures].join('\n'));
    assert.ok(hoverLatencies.length > 0 && hoverLatencies.at(-1)! < 5_000, `a hover took ${hoverLatencies.at(-1)} ms`);

    // The author saves: the disk holds what the editor holds, and a fresh index of it is the reference.
    writeFileSync(join(root, path), textAt(sent));
    await server.connection.sendNotification('textDocument/didSave', { textDocument: { uri: server.uri(path) } });
    const settleStarted = Date.now();
    await convergesToFresh(server);
    t.diagnostic(`figure typing: seconds from the last edit to diagnostics equal to a fresh index: ${((Date.now() - settleStarted) / 1000).toFixed(1)}`);
    assert.ok(server.alive);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
