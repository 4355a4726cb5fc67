/** Contract tests: moving pages and folders (willRenameFiles) and renaming headings keep every link working. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { withServer, type TestServer } from './harness';

function editedPaths(server: TestServer, edit: WorkspaceEdit): string[] {
  return (edit.documentChanges ?? []).map((c) => server.pathOf((c as TextDocumentEdit).textDocument.uri)).sort();
}

/** Renames on disk after the edit, as the editor does, and tells the server. */
async function move(server: TestServer, from: string, to: string): Promise<WorkspaceEdit | null> {
  const edit = await server.request<WorkspaceEdit | null>('workspace/willRenameFiles', { files: [{ oldUri: server.uri(from), newUri: server.uri(to) }] });
  if (edit) server.applyEdit(edit);
  server.write(to, server.read(from));
  server.remove(from);
  await server.filesChanged([
    { path: from, type: 'deleted' },
    { path: to, type: 'created' },
    ...(edit ? editedPaths(server, edit).filter((p) => p !== from).map((path) => ({ path, type: 'changed' as const })) : []),
  ]);
  return edit;
}

describe('rename', () => {
  test('moving a page rewrites the links to it and its own relative links', () =>
    withServer({}, async (server) => {
      await server.ready();
      const edit = await move(server, 'Comparacion.md', 'VS/Comparacion.md');
      assert.ok(edit);
      assert.deepEqual(editedPaths(server, edit), ['Comparacion.md', 'Docker/Contenedores.md', 'README.md']);
      assert.match(server.read('README.md'), /\[Comparación 📎\]\(VS\/Comparacion\.md\)/);
      assert.match(server.read('Docker/Contenedores.md'), /\[Comparación ➡️\]\(\.\.\/VS\/Comparacion\.md\)/);
      const moved = server.read('VS/Comparacion.md');
      assert.match(moved, /\[Contenedores ⬅️\]\(\.\.\/Docker\/Contenedores\.md\)/);
      assert.match(moved, /\(\.\.\/MV\/Hipervisores\.md#tipos\)/, 'the fragment is kept');
      assert.match(moved, /\[Apuntes de virtualización ⬆️\]\(\.\.\/README\.md\)/);
      // Nothing broke: only the problems there were before (case-mismatch now fixed by the rewrite).
      await server.waitForDiagnostics('VS/Comparacion.md', 'no problem', (l) => l.length === 0);
      await server.waitForDiagnostics('Docker/Contenedores.md', 'only the missing page', (l) => l.length === 1 && l[0].code === 'missing-file');
    }));

  test('moving a page keeps its links out of the workspace pointing where they did', () =>
    withServer({ files: { 'Fuera.md': '# Fuera\n\n[código](../src/main.c) [carpeta](../src/) [raíz](..#x) [def]\n\n[def]:\n  ../LEEME.md\n' } }, async (server) => {
      await server.ready();
      await move(server, 'Fuera.md', 'MV/Extra/Fuera.md');
      const moved = server.read('MV/Extra/Fuera.md');
      assert.match(moved, /\[código\]\(\.\.\/\.\.\/\.\.\/src\/main\.c\) \[carpeta\]\(\.\.\/\.\.\/\.\.\/src\/\) \[raíz\]\(\.\.\/\.\.\/\.\.#x\)/);
      assert.match(moved, /\[def\]:\n {2}\.\.\/\.\.\/\.\.\/LEEME\.md\n/);
    }));

  test('moving a folder rewrites links into it and leaves links inside it alone', () =>
    withServer({}, async (server) => {
      await server.ready();
      const edit = await server.request<WorkspaceEdit>('workspace/willRenameFiles', { files: [{ oldUri: server.uri('MV'), newUri: server.uri('Virtualizacion/MV') }] });
      const paths = editedPaths(server, edit);
      assert.deepEqual(paths, ['Comparacion.md', 'Docker/Contenedores.md', 'MV/Hipervisores.md', 'MV/QueEsMV.md', 'README.md']);
      const hipervisores = (edit.documentChanges as TextDocumentEdit[]).find((c) => c.textDocument.uri === server.uri('MV/Hipervisores.md'))!;
      // Its link to QueEsMV.md (same folder) stays; its link out of the folder gains a level.
      assert.deepEqual(hipervisores.edits.map((e) => e.newText), ['../../Docker/Contenedores.md']);
      // Links between pages of the folder stay as written, even when not written the shortest way.
      const queEs = (edit.documentChanges as TextDocumentEdit[]).find((c) => c.textDocument.uri === server.uri('MV/QueEsMV.md'))!;
      assert.deepEqual(queEs.edits.map((e) => e.newText), ['../../README.md']);
      server.applyEdit(edit);
      assert.match(server.read('MV/QueEsMV.md'), /\(\.\/Hipervisores\.md#tipos\)/);
      assert.match(server.read('README.md'), /\(Virtualizacion\/MV\/QueEsMV\.md\)/);
      assert.match(server.read('README.md'), /\(Virtualizacion\/MV\/Hipervisores\.md\)/, 'the backslash link is rewritten too');
    }));

  test('renaming a heading updates the fragments that point at it', () =>
    withServer({}, async (server) => {
      await server.ready();
      await server.open('MV/Hipervisores.md');
      const position = { line: 6, character: 5 };
      const prepared = await server.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: server.uri('MV/Hipervisores.md') }, position });
      assert.deepEqual(prepared, { range: { start: { line: 6, character: 3 }, end: { line: 6, character: 8 } }, placeholder: 'Tipos' });
      const edit = await server.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: server.uri('MV/Hipervisores.md') }, position, newName: 'Tipos de hipervisor' });
      assert.deepEqual(editedPaths(server, edit), ['Comparacion.md', 'MV/Hipervisores.md', 'MV/QueEsMV.md']);
      server.applyEdit(edit);
      assert.match(server.read('MV/Hipervisores.md'), /^## Tipos de hipervisor$/m);
      assert.match(server.read('Comparacion.md'), /\(MV\/Hipervisores\.md#tipos-de-hipervisor\)/);
      assert.match(server.read('MV/QueEsMV.md'), /\(\.\/Hipervisores\.md#tipos-de-hipervisor\)/, 'the path is kept as written');

      const notHeading = await server.request('textDocument/prepareRename', { textDocument: { uri: server.uri('MV/Hipervisores.md') }, position: { line: 4, character: 3 } });
      assert.equal(notHeading, null);
    }));
});
