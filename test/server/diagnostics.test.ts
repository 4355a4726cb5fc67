/**
 * Contract tests: diagnostics of the whole knowledge base, kept current as pages are edited, files
 * come and go on disk and settings change; progress while indexing; strange files.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestServer, repoRoot, withServer } from './harness';

const codes = (list: { code?: string | number }[]) => list.map((d) => d.code).sort();

describe('diagnostics', () => {
  test('publishes the problems of pages that were never opened, after indexing with progress', () =>
    withServer({}, async (server) => {
      const index = await server.ready();
      assert.equal(index.pages, 6);
      assert.deepEqual(codes(server.diagnosticsOf('README.md')), ['backslash-path']);
      assert.deepEqual(codes(server.diagnosticsOf('Docker/Contenedores.md')), ['missing-file']);
      assert.deepEqual(codes(server.diagnosticsOf('MV/Hipervisores.md')), ['missing-fragment']);
      assert.deepEqual(codes(server.diagnosticsOf('Comparacion.md')), ['case-mismatch']);
      assert.deepEqual(codes(server.diagnosticsOf('Borrador.md')), ['orphan-page']);
      assert.deepEqual(server.diagnosticsOf('MV/QueEsMV.md'), []);
      assert.deepEqual(index.problems, { error: 3, warning: 2, information: 0, hint: 0 });
      assert.equal(index.brokenLinks, 3);

      const missing = server.diagnosticsOf('Docker/Contenedores.md')[0];
      assert.equal(missing.source, 'kbnav');
      assert.equal(missing.severity, 1);
      assert.match(missing.message, /Volumenes\.md.*no existe/, 'messages follow the client locale (es)');
      assert.deepEqual(missing.range, { start: { line: 4, character: 83 }, end: { line: 4, character: 95 } });

      // window/workDoneProgress: created by the server, then begin … end.
      assert.equal(server.progressCreated.length, 1);
      const kinds = server.progress.filter((p) => p.token === server.progressCreated[0]).map((p) => p.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.ok(kinds.includes('report'));
      assert.equal(kinds[kinds.length - 1], 'end');

      // Files changed outside the editor are watched through a dynamic registration.
      assert.ok(server.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'));
    }));

  test('a restart reads page facts and the last results from the cache in the client storage, checks again only what changed meanwhile, and sees it', async () => {
    const storagePath = mkdtempSync(join(tmpdir(), 'kbnav-storage-'));
    const root = mkdtempSync(join(tmpdir(), 'kbnav-server-'));
    cpSync(join(repoRoot(), 'test', 'fixtures', 'server-kb'), root, { recursive: true });
    // Enough pages that one changed is few: the last results are replayed then (a tenth of the files at most).
    mkdirSync(join(root, 'relleno'));
    for (let i = 0; i < 20; i++) writeFileSync(join(root, 'relleno', `p${i}.md`), `# Página ${i}\n`);
    const first = await TestServer.start({ storagePath, root });
    try {
      await first.ready();
      const before = codes(first.diagnosticsOf('Docker/Contenedores.md'));
      await first.stop();
      const cacheFiles = readdirSync(join(storagePath, 'facts'), { recursive: true }).map(String);
      assert.ok(cacheFiles.some((f) => f.endsWith('.bin')), `a facts cache in the storage folder: ${cacheFiles}`);
      // Every message kept with the results marked: a marked message after the restart was not worked out again.
      const resultsFile = join(storagePath, 'facts', cacheFiles.find((f) => /results-v\d+\.json$/.test(f)) ?? assert.fail(`results in the storage folder: ${cacheFiles}`));
      const stored = JSON.parse(readFileSync(resultsFile, 'utf8'));
      for (const [, list] of stored.diagnostics) for (const d of list) d.message += ' [replayed]';
      writeFileSync(resultsFile, JSON.stringify(stored));
      writeFileSync(join(root, 'Borrador.md'), '# Borrador\n\n[roto](NoExiste.md)\n');
      const second = await TestServer.start({ storagePath, root });
      try {
        await second.ready();
        assert.deepEqual(codes(second.diagnosticsOf('Docker/Contenedores.md')), before);
        const kept = second.diagnosticsOf('Docker/Contenedores.md').filter((d) => d.code !== 'orphan-page');
        assert.ok(kept.length > 0 && kept.every((d) => d.message.endsWith(' [replayed]')), 'a page the change does not affect keeps the diagnostics of the last index');
        assert.deepEqual(codes(second.diagnosticsOf('Borrador.md')), ['missing-file', 'orphan-page']);
        assert.ok(!second.diagnosticsOf('Borrador.md').some((d) => d.message.endsWith(' [replayed]')));
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(storagePath, { recursive: true, force: true });
    }
  });

  test('serves the same over Node IPC, as the VS Code client starts it', () =>
    withServer({ transport: 'ipc' }, async (server) => {
      const index = await server.ready();
      assert.equal(index.pages, 6);
      assert.deepEqual(codes(server.diagnosticsOf('Docker/Contenedores.md')), ['missing-file']);
    }));

  test('an edit of an open page updates the diagnostics of the pages that link to it', () =>
    withServer({}, async (server) => {
      await server.ready();
      assert.deepEqual(codes(server.diagnosticsOf('Comparacion.md')), ['case-mismatch']);
      const path = 'MV/Hipervisores.md';
      await server.open(path);
      // Renaming "## Tipos" breaks Comparacion.md's link to #tipos, a page nobody opened.
      await server.change(path, server.read(path).replace('## Tipos', '## Clases'));
      const list = await server.waitForDiagnostics('Comparacion.md', 'a missing-fragment problem', (l) => l.some((d) => d.code === 'missing-fragment'));
      assert.match(list.find((d) => d.code === 'missing-fragment')!.message, /#tipos/);
      // Closing without saving: the page is what the disk says again.
      await server.close(path);
      await server.waitForDiagnostics('Comparacion.md', 'the missing-fragment problem gone', (l) => !l.some((d) => d.code === 'missing-fragment'));
    }));

  test('a page created and then deleted on disk updates the diagnostics of the page that links to it', () =>
    withServer({}, async (server) => {
      await server.ready();
      assert.deepEqual(codes(server.diagnosticsOf('Docker/Contenedores.md')), ['missing-file']);
      server.write('Docker/Volumenes.md', '[Contenedores ⬅️](Contenedores.md)\n\n# Volúmenes\n');
      await server.filesChanged([{ path: 'Docker/Volumenes.md', type: 'created' }]);
      await server.waitForDiagnostics('Docker/Contenedores.md', 'no problem', (l) => l.length === 0);

      server.remove('Docker/Volumenes.md');
      await server.filesChanged([{ path: 'Docker/Volumenes.md', type: 'deleted' }]);
      await server.waitForDiagnostics('Docker/Contenedores.md', 'missing-file again', (l) => l.some((d) => d.code === 'missing-file'));
    }));

  test('files created, renamed and deleted in the editor are seen at once, with no file-watcher event', () =>
    withServer({}, async (server) => {
      await server.ready();
      assert.deepEqual(server.initializeResult.capabilities.workspace?.fileOperations?.didDelete?.filters.map((f) => f.pattern.glob), ['**/*']);
      // Created and deleted close together, a watcher may report nothing at all: the editor's own notifications say it.
      server.write('Docker/Volumenes.md', '# Volúmenes\n');
      await server.fileOperation('didCreateFiles', { files: [{ uri: server.uri('Docker/Volumenes.md') }] });
      await server.waitForDiagnostics('Docker/Contenedores.md', 'no problem', (l) => l.length === 0);
      server.rename('Docker', 'Contenedores');
      await server.fileOperation('didRenameFiles', { files: [{ oldUri: server.uri('Docker'), newUri: server.uri('Contenedores') }] });
      await server.waitForDiagnostics('Contenedores/Contenedores.md', 'its page moved with its folder, and its links to its neighbours still found', (l) => l.length === 0);
      await server.waitForDiagnostics('Comparacion.md', 'a link to the old folder broken', (l) => l.some((d) => d.code === 'missing-file'));
      server.remove('Contenedores/Volumenes.md');
      await server.fileOperation('didDeleteFiles', { files: [{ uri: server.uri('Contenedores/Volumenes.md') }] });
      await server.waitForDiagnostics('Contenedores/Contenedores.md', 'missing-file again', (l) => l.some((d) => d.code === 'missing-file'));
    }));

  test('a folder deleted on disk clears its pages and breaks the links to them', () =>
    withServer({}, async (server) => {
      await server.ready();
      server.remove('Docker');
      await server.filesChanged([{ path: 'Docker', type: 'deleted' }]);
      await server.waitForDiagnostics('Docker/Contenedores.md', 'its diagnostics cleared', (l) => l.length === 0);
      await server.waitForDiagnostics('Comparacion.md', 'a missing-file problem', (l) => l.some((d) => d.code === 'missing-file'));
      await server.waitForDiagnostics('MV/Hipervisores.md', 'a missing-file problem', (l) => l.some((d) => d.code === 'missing-file'));
    }));

  test('a folder moved in on disk (one event for the folder) adds its pages', () =>
    withServer({}, async (server) => {
      await server.ready();
      server.write('Almacenamiento/Volumenes.md', '# Volúmenes\n\nVer [contenedores](../Docker/Contenedores.md) y [discos](Discos.md).\n');
      server.write('Almacenamiento/Discos.md', '# Discos\n\n[Volúmenes](Volumenes.md#nada)\n');
      await server.filesChanged([{ path: 'Almacenamiento', type: 'created' }]);
      await server.waitForDiagnostics('Almacenamiento/Discos.md', 'its broken fragment', (l) => l.some((d) => d.code === 'missing-fragment'));
      await server.waitForDiagnostics('Almacenamiento/Volumenes.md', 'an orphan', (l) => l.some((d) => d.code === 'orphan-page'));
      await server.waitFor('8 pages', () => server.indexState?.pages === 8);
    }));

  test('a workspace folder removed from the editor has its diagnostics cleared', () =>
    withServer({}, async (server) => {
      await server.ready();
      assert.equal(server.diagnosticsOf('README.md').length, 1);
      await server.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: server.uri(''), name: 'apuntes' }] } });
      await server.waitForDiagnostics('README.md', 'cleared', (l) => l.length === 0);
      await server.waitFor('an empty index', () => server.indexState?.pages === 0);
    }));

  test('a settings change is applied without a restart', () =>
    withServer({}, async (server) => {
      await server.ready();
      assert.equal(server.diagnosticsOf('Docker/Contenedores.md').length, 1);
      await server.setSettings({ severity: { 'missing-file': 'off', 'orphan-page': 'hint' } });
      await server.waitForDiagnostics('Docker/Contenedores.md', 'missing-file turned off', (l) => l.length === 0);
      await server.waitForDiagnostics('Borrador.md', 'the orphan page as a hint', (l) => l.length === 1 && l[0].severity === 4);
      assert.deepEqual(codes(server.diagnosticsOf('README.md')), ['backslash-path'], 'the other problems stay');

      // An invalid value is reported and the rest of the settings still apply.
      await server.setSettings({ severity: { 'missing-file': 'loud' as never }, entryPages: ['Borrador.md'] });
      await server.waitForDiagnostics('Docker/Contenedores.md', 'missing-file back at its default', (l) => l.some((d) => d.code === 'missing-file' && d.severity === 1));
      await server.waitForDiagnostics('README.md', 'the README now an orphan', (l) => l.some((d) => d.code === 'orphan-page'));
      assert.ok(server.logs.some((l) => /severity\.missing-file/.test(l)), 'the bad value is reported');
    }));

  test('.kbnav.json at the root is layered over the editor settings, and read again when it changes on disk', () =>
    withServer(
      {
        settings: { severity: { 'orphan-page': 'hint' } },
        files: { '.kbnav.json': JSON.stringify({ severity: { 'missing-file': 'off' } }) },
      },
      async (server) => {
        await server.ready();
        assert.deepEqual(server.diagnosticsOf('Docker/Contenedores.md'), [], 'missing-file turned off by the file');
        const orphan = server.diagnosticsOf('Borrador.md');
        assert.deepEqual([orphan.length, orphan[0]?.severity], [1, 4], "the editor's severity of another code kept");

        // The file's key wins over the editor's; a bad value in it is reported, naming the file.
        server.write('.kbnav.json', JSON.stringify({ severity: { 'orphan-page': 'warning', 'backslash-path': 'loud' } }));
        await server.filesChanged([{ path: '.kbnav.json', type: 'changed' }]);
        await server.waitForDiagnostics('Docker/Contenedores.md', 'missing-file back', (l) => l.some((d) => d.code === 'missing-file'));
        await server.waitForDiagnostics('Borrador.md', 'the orphan page as a warning', (l) => l.length === 1 && l[0].severity === 2);
        await server.waitFor('the bad value logged', () => server.logs.some((l) => /\.kbnav\.json: severity\.backslash-path/.test(l)));

        server.remove('.kbnav.json');
        await server.filesChanged([{ path: '.kbnav.json', type: 'deleted' }]);
        await server.waitForDiagnostics('Borrador.md', 'the orphan page a hint again', (l) => l.length === 1 && l[0].severity === 4);
      },
    ));

  test('a long page is parsed on a worker thread when it changes, open or on disk, and after a new index: requests are answered meanwhile, then its diagnostics come', () => {
    // 15,000 links, 1.3 MB: seconds of parsing.
    const long = `# Índice\n\n${Array.from({ length: 15_000 }, (_, i) => `- [Página ${i}](MV/Hipervisores.md)\n`).join('')}\n[roto](NoExiste.md)\n`;
    const broken = (list: { message: string }[]) => list.map((d) => /“(\w+\.md)”/.exec(d.message)?.[1]).filter(Boolean).sort();
    // Long enough for the server to have taken an edit up (not to time anything).
    const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
    return withServer({ files: { 'Indice.md': long, 'Otro.md': '# Otro\n', 'Largo.md': '# Largo\n' } }, async (server) => {
      await server.ready();
      assert.deepEqual(broken(server.diagnosticsOf('Indice.md')), ['NoExiste.md']);
      await server.open('Indice.md', `${long}[otro](Falta.md)\n`);
      // Asked once the parse is under way: on the server's own thread it would be answered only after it.
      await pause();
      const symbols = await server.request<unknown[]>('workspace/symbol', { query: 'Hipervisores' });
      assert.ok(symbols.length > 0);
      assert.deepEqual(broken(server.diagnosticsOf('Indice.md')), ['NoExiste.md'], 'answered while the long page was parsed');
      await server.waitForDiagnostics('Indice.md', 'the new broken link', (l) => broken(l).includes('Falta.md'));
      // A short text that comes while a long one parses is applied at once, and the long one's facts are then dropped.
      await server.change('Indice.md', `${long}[tercero](Tercero.md)\n`);
      await pause();
      await server.change('Indice.md', '# Corta\n\n[cuarto](Cuarto.md)\n');
      await server.waitForDiagnostics('Indice.md', 'the short text', (l) => broken(l).join() === 'Cuarto.md');
      // Another long page goes to the same worker after it: once that page is checked, the first parse has ended.
      await server.open('Otro.md', `${long}[sexto](Sexto.md)\n`);
      await server.waitForDiagnostics('Otro.md', 'the other long page', (l) => broken(l).includes('Sexto.md'));
      assert.equal(broken(server.diagnosticsOf('Indice.md')).join(), 'Cuarto.md', 'the short text stands');
      // Long texts that come while one parses: the last is parsed next.
      await server.change('Indice.md', `${long}[quinto](Quinto.md)\n`);
      await pause();
      await server.change('Indice.md', `${long}[sexto](Septimo.md)\n`);
      await server.change('Indice.md', `${long}[quinto](Quinto.md)\n`);
      await server.waitForDiagnostics('Indice.md', 'the last long text', (l) => broken(l).join() === 'NoExiste.md,Quinto.md');
      // A long page that changes on disk, not open, is parsed on the worker too.
      server.write('Largo.md', `${long}[octavo](Octavo.md)\n`);
      await server.filesChanged([{ path: 'Largo.md', type: 'changed' }]);
      await pause();
      assert.ok((await server.request<unknown[]>('workspace/symbol', { query: 'Hipervisores' })).length > 0);
      assert.deepEqual(broken(server.diagnosticsOf('Largo.md')), [], 'answered while the page changed on disk was parsed');
      await server.waitForDiagnostics('Largo.md', 'the long page from the disk', (l) => broken(l).join() === 'NoExiste.md,Octavo.md');
      // A new index (new settings) reads the disk, and the open long page's own text comes from the worker after it.
      await server.setSettings({ entryPages: ['README.md', 'Indice.md'] });
      await server.waitForDiagnostics('Indice.md', 'the disk version meanwhile', (l) => broken(l).join() === 'NoExiste.md');
      await server.waitForDiagnostics('Indice.md', 'the open text after the new index', (l) => broken(l).join() === 'NoExiste.md,Quinto.md');
      assert.ok(server.alive);
    });
  });

  test('a binary page and a page that is not UTF-8 are logged and the server goes on', () =>
    withServer(
      {
        files: {
          'Binario.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]),
          'Latin1.md': Buffer.from('# Configuraci\xf3n\n\n[Volver](README.md) y [roto](NoExiste.md)\n', 'latin1'),
        },
      },
      async (server) => {
        await server.ready();
        assert.ok(server.logs.some((l) => /Binario\.md: binary file/.test(l)), 'the binary page is logged');
        assert.ok(server.logs.some((l) => /Latin1\.md: not valid UTF-8/.test(l)), 'the invalid UTF-8 page is logged');
        assert.ok(server.diagnosticsOf('Latin1.md').some((d) => d.code === 'missing-file'), 'the invalid UTF-8 page is still checked');
        assert.deepEqual(server.diagnosticsOf('Binario.md'), []);

        // The same files arriving after the index, and opened in the editor.
        server.write('Otro.md', Buffer.alloc(64, 0));
        await server.filesChanged([{ path: 'Otro.md', type: 'created' }]);
        await server.waitFor('a log line for Otro.md', () => server.logs.some((l) => /Otro\.md: binary file/.test(l)));
        await server.open('Binario.md', '\u0000\u0001\uFFFD\uD800 [a](\u0000.md)');
        const symbols = await server.request<unknown[]>('workspace/symbol', { query: 'Comparación' });
        assert.ok(symbols.length > 0, 'the server still answers');
        assert.ok(server.alive);
      },
    ));
});
