/** Contract tests: quick fixes and their edits, fix-all, creating a missing page, untrusted workspaces. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CodeAction, CreateFile, Diagnostic, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { FixAllRequest } from '../../server/src/protocol';
import { applyTextEdits, withServer, type TestServer } from './harness';

function codeActions(server: TestServer, path: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return server.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: server.uri(path) },
    range,
    context: { diagnostics, ...(only ? { only } : {}) },
  });
}

/** The new text of `path` after the text edits a WorkspaceEdit makes to it. */
function editedText(server: TestServer, edit: WorkspaceEdit, path: string): string {
  const edits = (edit.documentChanges ?? []).filter((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === server.uri(path)).flatMap((c) => c.edits);
  return applyTextEdits(server.read(path), edits as never);
}

describe('code actions', () => {
  test('offers the backslash fix as the preferred quick fix and its edit rewrites only the destination', () =>
    withServer({}, async (server) => {
      await server.ready();
      const diagnostic = server.diagnosticsOf('README.md').find((d) => d.code === 'backslash-path')!;
      const actions = await codeActions(server, 'README.md', [diagnostic]);
      const fix = actions.find((a) => a.isPreferred)!;
      assert.equal(fix.kind, 'quickfix');
      assert.match(fix.title, /MV\/Hipervisores\.md/);
      assert.deepEqual(fix.diagnostics, [diagnostic]);
      const before = server.read('README.md');
      const after = editedText(server, fix.edit!, 'README.md');
      assert.equal(after, before.replace('](MV\\Hipervisores.md)', '](MV/Hipervisores.md)'));

      // Applied (as the editor does, then saved): the problem is gone.
      server.applyEdit(fix.edit!);
      await server.filesChanged([{ path: 'README.md', type: 'changed' }]);
      await server.waitForDiagnostics('README.md', 'no problem', (l) => l.length === 0);
    }));

  test('a quick fix is a function of its diagnostic alone, and stale diagnostics get none', () =>
    withServer({}, async (server) => {
      await server.ready();
      const diagnostic = server.diagnosticsOf('MV/Hipervisores.md').find((d) => d.code === 'missing-fragment')!;
      const actions = await codeActions(server, 'MV/Hipervisores.md', [diagnostic]);
      const fix = actions.find((a) => a.isPreferred)!;
      assert.equal(editedText(server, fix.edit!, 'MV/Hipervisores.md'), server.read('MV/Hipervisores.md').replace('#configuracion)', '#configuración)'));

      // The page changes: the old diagnostic's ranges are stale, so its fixes are not offered.
      await server.open('MV/Hipervisores.md');
      await server.change('MV/Hipervisores.md', '\n\n' + server.read('MV/Hipervisores.md'));
      await server.waitForDiagnostics('MV/Hipervisores.md', 'the problem two lines down', (l) => l.some((d) => d.code === 'missing-fragment' && d.range.start.line === 6));
      const stale = await codeActions(server, 'MV/Hipervisores.md', [diagnostic]);
      assert.deepEqual(stale.filter((a) => a.diagnostics?.length), []);
    }));

  test('creating a missing page is a CreateFile followed by its content', () =>
    withServer({}, async (server) => {
      await server.ready();
      const diagnostic = server.diagnosticsOf('Docker/Contenedores.md').find((d) => d.code === 'missing-file')!;
      const actions = await codeActions(server, 'Docker/Contenedores.md', [diagnostic]);
      const create = actions.find((a) => a.edit?.documentChanges?.some((c) => 'kind' in c && c.kind === 'create'))!;
      assert.ok(create, `a create action among ${actions.map((a) => a.title).join(', ')}`);
      assert.match(create.title, /Crear la página/);
      const changes = create.edit!.documentChanges!;
      const createFile = changes[0] as CreateFile;
      assert.equal(createFile.kind, 'create');
      assert.equal(createFile.uri, server.uri('Docker/Volumenes.md'));
      assert.equal(createFile.options?.overwrite, false);
      server.applyEdit(create.edit!);
      assert.match(server.read('Docker/Volumenes.md'), /^# Volumenes\n/);
      await server.filesChanged([{ path: 'Docker/Volumenes.md', type: 'created' }]);
      await server.waitForDiagnostics('Docker/Contenedores.md', 'no missing-file', (l) => !l.some((d) => d.code === 'missing-file'));
    }));

  test('never offers to create a page outside the workspace', () =>
    withServer({ files: { 'Fuera.md': '# Fuera\n\n[escapar](..%2F..%2Ffuera.md) y [subir](../fuera.md)\n' } }, async (server) => {
      await server.ready();
      const diagnostics = server.diagnosticsOf('Fuera.md').filter((d) => d.code !== 'orphan-page');
      assert.ok(diagnostics.length >= 2, diagnostics.map((d) => d.code).join());
      for (const diagnostic of diagnostics) {
        const actions = await codeActions(server, 'Fuera.md', [diagnostic]);
        for (const action of actions) {
          for (const change of action.edit?.documentChanges ?? []) {
            const uri = 'kind' in change ? (change.kind === 'rename' ? change.newUri : change.uri) : change.textDocument.uri;
            assert.ok(uri.startsWith(server.uri('') + '/'), `${action.title}: ${uri} is outside the workspace`);
          }
        }
      }
    }));

  test('fix-all returns one edit with every safe fix, and the page action fixes the page', () =>
    withServer({}, async (server) => {
      await server.ready();
      const result = await server.request<FixAllRequest.Result>('kbnav/fixAll', {});
      // backslash, fragment with the same letters, case: safe; creating Volumenes.md is not.
      assert.equal(result.fixes, 3);
      const paths = (result.edit.documentChanges ?? []).map((c) => server.pathOf((c as TextDocumentEdit).textDocument.uri)).sort();
      assert.deepEqual(paths, ['Comparacion.md', 'MV/Hipervisores.md', 'README.md']);
      server.applyEdit(result.edit);
      assert.match(server.read('Comparacion.md'), /\]\(MV\/QueEsMV\.md\)/);
      await server.filesChanged(paths.map((path) => ({ path, type: 'changed' as const })));
      await server.waitFor('only the unsafe problems left', () => {
        const left = ['README.md', 'MV/Hipervisores.md', 'Comparacion.md'].flatMap((p) => server.diagnosticsOf(p));
        return left.length === 0;
      });

      // Scoped to a folder: nothing safe is left in it.
      const scoped = await server.request<FixAllRequest.Result>('kbnav/fixAll', { uris: [server.uri('Docker')] });
      assert.equal(scoped.fixes, 0);
    }));

  test('offers "fix all safe problems in this page" and source.fixAll.kbnav for the page', () =>
    withServer(
      { files: { 'Notas.md': '# Notas\n\nVer [hipervisores](MV\\Hipervisores.md) y [comparación](comparacion.md).\n\n[Inicio](README.md)\n' } },
      async (server) => {
        await server.ready();
        const diagnostics = await server.waitForDiagnostics('Notas.md', 'two problems', (l) => l.length >= 2);
        const actions = await codeActions(server, 'Notas.md', [diagnostics[0]]);
        const all = actions.find((a) => /todos los problemas seguros/.test(a.title))!;
        assert.ok(all, actions.map((a) => a.title).join(', '));
        assert.equal(all.kind, 'quickfix');
        const fixed = editedText(server, all.edit!, 'Notas.md');
        assert.equal(fixed, server.read('Notas.md').replace('MV\\Hipervisores.md', 'MV/Hipervisores.md').replace('](comparacion.md)', '](Comparacion.md)'));

        const onSave = await codeActions(server, 'Notas.md', [], ['source.fixAll']);
        assert.equal(onSave.length, 1);
        assert.equal(onSave[0].kind, 'source.fixAll.kbnav');
        assert.equal(editedText(server, onSave[0].edit!, 'Notas.md'), fixed);
        assert.deepEqual(await codeActions(server, 'Notas.md', [], ['refactor']), []);
      },
    ));

  test('an untrusted workspace gets no code actions and no fix-all', () =>
    withServer({ trusted: false }, async (server) => {
      await server.ready();
      assert.equal(server.initializeResult.capabilities.codeActionProvider, undefined);
      assert.equal(server.initializeResult.capabilities.renameProvider, undefined);
      const diagnostic = server.diagnosticsOf('README.md').find((d) => d.code === 'backslash-path')!;
      assert.ok(diagnostic, 'problems are still reported');
      assert.deepEqual(await codeActions(server, 'README.md', [diagnostic]), []);
      assert.deepEqual(await codeActions(server, 'README.md', [], ['source.fixAll']), []);
      const result = await server.request<FixAllRequest.Result>('kbnav/fixAll', {});
      assert.equal(result.fixes, 0);
      assert.deepEqual(result.edit.documentChanges ?? [], []);
      const renamed = await server.request('workspace/willRenameFiles', { files: [{ oldUri: server.uri('Comparacion.md'), newUri: server.uri('VS/Comparacion.md') }] });
      assert.equal(renamed, null);
    }));
});
