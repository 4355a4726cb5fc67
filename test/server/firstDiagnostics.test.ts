/**
 * Contract tests: the pages the author has open get their first diagnostics before the whole
 * workspace is indexed (a preview of the open pages and the pages they link to), holding only what
 * the index will report the same way; the index then publishes the final list, as without a preview.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestServer } from './harness';

/** Enough pages that indexing them takes seconds, where the preview takes a fraction of one. */
const fillerPages = 2000;

/**
 * A workspace where the open page has problems of both kinds: some a preview can tell (a missing
 * file, a missing fragment in a page it links to, a wrong case) and some only the whole workspace
 * can (an orphan; a forward link with no way back, whose chain forks because another page leads to
 * the same target; a label that names another page).
 */
function writeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'kbnav-first-'));
  const files: Record<string, string> = {
    'Notas/Abierta.md': [
      '# Abierta',
      '',
      'Ver [la pieza que falta](NoExiste.md).',
      '',
      'Ver [el tema](Destino.md#tema) y [otro tema](Destino.md#no-hay).',
      '',
      'Ver [con otra caja](destino.md).',
      '',
      // With fragments, the preview reads these pages: it could tell a navigation problem, or an orphan, wrongly.
      '[Capítulo Dos ➡️](Siguiente.md#siguiente)',
      '',
      'Ver [el inicio](../README.md#apuntes).',
      '',
    ].join('\n'),
    'Notas/Destino.md': '# Destino\n\n## Tema\n\nTexto.\n',
    'Notas/Siguiente.md': '# Siguiente\n\nSin enlace de vuelta.\n',
    'Notas/Otra.md': '# Otra\n\n[Siguiente ➡️](Siguiente.md)\n',
    'Notas/Dos.md': '# Capítulo Dos\n\nOtra página.\n',
    'Notas/Primera.md': '# Primera\n\nVer [lo que falta](Falta.md).\n',
  };
  const readme = ['# Apuntes', '', '- [Destino](Notas/Destino.md)', '- [Otra](Notas/Otra.md)', '- [Dos](Notas/Dos.md)', '- [Siguiente](Notas/Siguiente.md)'];
  for (let i = 0; i < fillerPages; i++) {
    const path = `Relleno/Carpeta${i % 40}/Pagina${i}.md`;
    readme.push(`- [Página ${i}](${path})`);
    const sections = Array.from({ length: 8 }, (_, k) => `## Sección ${k}\n\nTexto de la página ${i}, sección ${k}, con [un enlace](Pagina${i}.md#sección-${(k + 1) % 8}).\n`);
    files[path] = `# Página ${i}\n\n${sections.join('\n')}`;
  }
  files['README.md'] = readme.join('\n') + '\n';
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const codes = (list: Diagnostic[]) => list.map((d) => d.code).sort();
/** What the reader sees of a diagnostic (its quick fixes come with the final list). */
const seen = (d: Diagnostic) => JSON.stringify([d.range, d.severity, d.code, d.source, d.message, d.relatedInformation ?? []]);
const withheld = ['orphan-page', 'nav-not-reciprocal', 'label-mismatch'];

/** Starts a server on a fresh generated workspace, removed at the end. */
async function withWorkspace(body: (server: TestServer) => Promise<void>, settings = {}, prepare?: (root: string) => void): Promise<void> {
  const root = writeWorkspace();
  prepare?.(root);
  const server = await TestServer.start({ root, settings });
  try {
    await body(server);
    assert.ok(server.alive, 'the server is still running');
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits for the first non-empty publish of `path`; returns it with whether the index was ready by then. */
async function firstPublish(server: TestServer, path: string): Promise<{ list: Diagnostic[]; ready: boolean }> {
  return server.waitFor(`first diagnostics of ${path}`, () => {
    const list = server.diagnosticsOf(path);
    return list.length ? { list, ready: server.indexState?.state === 'ready' } : undefined;
  }, 120_000);
}

/** The first publish of `path` comes before the index is ready, with `expected` codes, each in the final list. */
async function previewThenFinal(server: TestServer, path: string, expected: string[]): Promise<void> {
  const first = await firstPublish(server, path);
  assert.equal(first.ready, false, 'published before the index was ready');
  assert.deepEqual(codes(first.list), expected);
  await server.ready();
  const finalSeen = new Set(server.diagnosticsOf(path).map(seen));
  for (const d of first.list) assert.ok(finalSeen.has(seen(d)), `a preliminary diagnostic is in the final list: ${seen(d)}`);
}

describe('first diagnostics', () => {
  test('an open page gets the problems a preview can tell before the index is ready, and each is in the final list', () =>
    withWorkspace(async (server) => {
      const path = 'Notas/Abierta.md';
      // The editor's text, not the disk's: one broken link more, on line 12.
      const text = server.read(path) + '\nY [otra que falta](TampocoExiste.md).\n';
      await server.open(path, text);

      const first = await firstPublish(server, path);
      assert.equal(first.ready, false, 'published before the index was ready');
      assert.deepEqual(codes(first.list), ['case-mismatch', 'missing-file', 'missing-file', 'missing-fragment']);
      assert.deepEqual(first.list.filter((d) => d.code === 'missing-file').map((d) => d.range.start.line).sort((a, b) => a - b), [2, 12], "the editor's text, not the disk's");
      assert.ok(first.list.every((d) => !withheld.includes(String(d.code))), 'no code that needs the whole workspace');
      assert.ok(first.list.every((d) => (d.data as { fixes: unknown[] }).fixes.length === 0), 'no fixes before the index');

      await server.ready();
      const final = server.diagnosticsOf(path);
      // The final list is what the index alone reports.
      assert.deepEqual(codes(final), ['case-mismatch', 'label-mismatch', 'missing-file', 'missing-file', 'missing-fragment', 'nav-not-reciprocal', 'orphan-page']);
      assert.match(final.find((d) => d.code === 'nav-not-reciprocal')!.message, /la cadena se bifurca: “Otra/);
      assert.ok((final.find((d) => d.code === 'case-mismatch')!.data as { fixes: unknown[] }).fixes.length > 0, 'the final list has the fixes');
      const finalSeen = new Set(final.map(seen));
      for (const d of first.list) assert.ok(finalSeen.has(seen(d)), `a preliminary diagnostic is in the final list: ${seen(d)}`);
    }));

  test('with a symbolic link among the folders, the preview waits for the listing and says the same', { skip: process.platform === 'win32' }, () =>
    withWorkspace(
      async (server) => {
        const path = 'Notas/Abierta.md';
        await server.open(path);
        await previewThenFinal(server, path, ['case-mismatch', 'missing-file', 'missing-fragment']);
        assert.ok(!server.logs.some((l) => /preview:/i.test(l)), server.logs.join('\n'));
      },
      {},
      // A folder only the whole walk can judge (a link inside the root is followed, each real folder once).
      (root) => symlinkSync(join(root, 'Notas'), join(root, 'Zeta')),
    ));

  test('a page opened while the index runs gets its preview too', () =>
    withWorkspace(async (server) => {
      await server.open('Notas/Primera.md');
      assert.equal((await firstPublish(server, 'Notas/Primera.md')).ready, false, 'the preview of the first page');
      // The files are listed and the index runs: a page opened now is looked at on its own.
      const path = 'Notas/Abierta.md';
      await server.open(path);
      await previewThenFinal(server, path, ['case-mismatch', 'missing-file', 'missing-fragment']);
    }));

  test('an index cancelled by new settings clears a preview the new index does not confirm', () =>
    withWorkspace(async (server) => {
      const path = 'Notas/Abierta.md';
      await server.open(path);
      const first = await firstPublish(server, path);
      assert.equal(first.ready, false);
      // The page leaves the knowledge base: the index running now is cancelled, the next one ignores it.
      await server.setSettings({ ignore: ['Notas/Abierta.md'] });
      await server.ready();
      await server.waitForDiagnostics(path, 'its preliminary diagnostics cleared', (list) => list.length === 0);
      assert.deepEqual(server.diagnosticsOf('Notas/Destino.md'), []);
      assert.ok(!server.logs.some((l) => /failed|uncaught/i.test(l)), server.logs.join('\n'));
    }));
});
