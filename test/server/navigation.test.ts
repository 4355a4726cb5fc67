/**
 * Contract tests: moving around the knowledge base — document links, definition, hover, references,
 * completion, workspace symbols, the topic tree and next/previous page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CompletionItem, DocumentLink, Hover, Location, SymbolInformation } from 'vscode-languageserver-protocol';
import type { NavigateRequest, TopicNode } from '../../server/src/protocol';
import { withServer, type TestServer } from './harness';

/** The position `offset` characters after the first `needle` of a text. */
function positionIn(text: string, needle: string, offset = 0): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in the text`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

/** The position `offset` characters after the first `needle` of a file. */
function at(server: TestServer, path: string, needle: string, offset = 0): { line: number; character: number } {
  return positionIn(server.read(path), needle, offset);
}

describe('navigation', () => {
  test('document links lead to the file as found, at the heading the fragment names', () =>
    withServer({}, async (server) => {
      await server.ready();
      const readme = await server.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: server.uri('README.md') } });
      const backslash = readme.find((l) => l.range.start.line === at(server, 'README.md', 'MV\\Hipervisores').line)!;
      assert.equal(backslash.target, server.uri('MV/Hipervisores.md'), 'a backslash path opens the page');

      const comparacion = await server.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: server.uri('Comparacion.md') } });
      const caseVariant = comparacion.find((l) => l.range.start.line === 4 && l.range.start.character === at(server, 'Comparacion.md', '[máquinas').character)!;
      assert.equal(caseVariant.target, server.uri('MV/QueEsMV.md'), 'a wrong-case path opens the file with its name on disk');
      const fragment = comparacion.find((l) => l.target?.startsWith(server.uri('MV/Hipervisores.md')))!;
      // "## Tipos" is line 7 of Hipervisores.md: the fragment is a position editors open.
      assert.equal(fragment.target, `${server.uri('MV/Hipervisores.md')}#L7,1`);
      assert.match(fragment.tooltip ?? '', /Hipervisores › Tipos/);
    }));

  test('go to definition lands on the heading of the linked page', () =>
    withServer({}, async (server) => {
      await server.ready();
      const locations = await server.request<Location[]>('textDocument/definition', {
        textDocument: { uri: server.uri('Comparacion.md') },
        position: at(server, 'Comparacion.md', '[hipervisores]', 3),
      });
      assert.deepEqual(locations, [{ uri: server.uri('MV/Hipervisores.md'), range: { start: { line: 6, character: 0 }, end: { line: 6, character: 8 } } }]);
      const none = await server.request('textDocument/definition', { textDocument: { uri: server.uri('Comparacion.md') }, position: { line: 2, character: 3 } });
      assert.equal(none, null);
    }));

  test('hover shows the title and the first lines of the linked page', () =>
    withServer({}, async (server) => {
      await server.ready();
      const hover = await server.request<Hover>('textDocument/hover', {
        textDocument: { uri: server.uri('MV/Hipervisores.md') },
        position: at(server, 'MV/Hipervisores.md', 'Contenedores ➡️', 2),
      });
      const value = (hover.contents as { value: string }).value;
      assert.match(value, /^\*\*Contenedores\*\*/);
      assert.match(value, /Docker\/Contenedores\.md/);
      assert.match(value, /Un contenedor comparte el núcleo del anfitrión/);
      assert.doesNotMatch(value, /Hipervisores ⬅️/, 'navigation lines are left out');

      const section = await server.request<Hover>('textDocument/hover', {
        textDocument: { uri: server.uri('Comparacion.md') },
        position: at(server, 'Comparacion.md', '[hipervisores]', 3),
      });
      const sectionValue = (section.contents as { value: string }).value;
      assert.match(sectionValue, /Hipervisores\*\* › Tipos/);
      assert.match(sectionValue, /Los de tipo 1/);
      assert.doesNotMatch(sectionValue, /reparte los recursos/, 'the fragment shows its section');
    }));

  test('hover never reads outside the workspace', () =>
    withServer({ files: { 'Fuera.md': '# Fuera\n\n[contraseñas](../../../../../../../etc/passwd) y [hosts](/etc/hosts)\n' } }, async (server) => {
      await server.ready();
      for (const needle of ['[contraseñas]', '[hosts]']) {
        const hover = await server.request('textDocument/hover', { textDocument: { uri: server.uri('Fuera.md') }, position: at(server, 'Fuera.md', needle, 2) });
        assert.equal(hover, null);
      }
      const codes = server.diagnosticsOf('Fuera.md').map((d) => d.code);
      assert.ok(codes.includes('outside-workspace') && codes.includes('absolute-path'), codes.join());
    }));

  test('references list the pages that link here, and the links to a heading', () =>
    withServer({}, async (server) => {
      await server.ready();
      const page = await server.request<Location[]>('textDocument/references', {
        textDocument: { uri: server.uri('MV/Hipervisores.md') },
        position: { line: 4, character: 5 },
        context: { includeDeclaration: false },
      });
      const sources = page.map((l) => server.pathOf(l.uri)).sort();
      assert.deepEqual(sources, ['Comparacion.md', 'Docker/Contenedores.md', 'MV/QueEsMV.md', 'MV/QueEsMV.md', 'README.md']);

      const heading = await server.request<Location[]>('textDocument/references', {
        textDocument: { uri: server.uri('MV/Hipervisores.md') },
        position: { line: 6, character: 4 },
        context: { includeDeclaration: false },
      });
      assert.deepEqual(heading.map((l) => [server.pathOf(l.uri), l.range.start.line]), [['Comparacion.md', 4], ['MV/QueEsMV.md', 8]]);
    }));

  test('completes paths and heading ids inside ](', () =>
    withServer({}, async (server) => {
      await server.ready();
      const text = server.read('Comparacion.md').replace('simulan el hardware', 'simulan el hardware ([ver](MV/');
      await server.open('Comparacion.md', text);
      const position = positionIn(text, '](MV/', 5);
      const items = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: server.uri('Comparacion.md') }, position });
      const labels = items.map((i) => i.label).sort();
      assert.deepEqual(labels, ['../', 'Hipervisores.md', 'QueEsMV.md'].sort());
      const queEs = items.find((i) => i.label === 'QueEsMV.md')!;
      assert.equal(queEs.detail, 'Qué es una máquina virtual');
      assert.deepEqual((queEs.textEdit as { range: unknown }).range, { start: position, end: position });

      const withHash = text.replace('](MV/', '](MV/QueEsMV.md#conf');
      await server.change('Comparacion.md', withHash);
      const hashPosition = positionIn(withHash, '#conf', 5);
      const headings = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: server.uri('Comparacion.md') }, position: hashPosition });
      assert.deepEqual(headings.map((i) => i.label), ['qué-es-una-máquina-virtual', 'configuración']);
      assert.deepEqual((headings[1].textEdit as { range: unknown }).range, { start: { line: hashPosition.line, character: hashPosition.character - 4 }, end: hashPosition });

      // Outside a link destination, nothing.
      const none = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: server.uri('Comparacion.md') }, position: { line: 2, character: 3 } });
      assert.deepEqual(none, []);
      // Climbing out of the workspace, nothing.
      const out = withHash.replace('](MV/QueEsMV.md#conf', '](../../');
      await server.change('Comparacion.md', out);
      const outside = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: server.uri('Comparacion.md') }, position: positionIn(out, '](../../', 8) });
      assert.deepEqual(outside, []);
    }));

  test('workspace symbols find pages and headings, accents ignored', () =>
    withServer({}, async (server) => {
      await server.ready();
      const symbols = await server.request<SymbolInformation[]>('workspace/symbol', { query: 'configuracion' });
      assert.deepEqual(symbols.map((s) => [s.name, server.pathOf(s.location.uri), s.containerName]), [['Configuración', 'MV/QueEsMV.md', 'Qué es una máquina virtual']]);
      const pages = await server.request<SymbolInformation[]>('workspace/symbol', { query: 'hipervisores' });
      const page = pages.find((s) => s.kind === 1)!;
      assert.equal(server.pathOf(page.location.uri), 'MV/Hipervisores.md');
      assert.equal(page.name, 'Hipervisores');
    }));

  test('the topic tree follows the entry page: its topics, their pages in chain order, then the rest', () =>
    withServer({}, async (server) => {
      await server.ready();
      const tree = await server.request<TopicNode[]>('kbnav/topicTree', {});
      const shape = tree.map((n) => [n.kind, n.label, n.children.map((c) => server.pathOf(c.uri!))]);
      assert.deepEqual(shape, [
        ['page', 'Apuntes de virtualización', []],
        ['topic', 'Máquinas Virtuales', ['MV/QueEsMV.md', 'MV/Hipervisores.md']],
        ['topic', 'Docker', ['Docker/Contenedores.md']],
        ['topic', 'Máquinas Virtuales vs. Docker', ['Comparacion.md']],
        ['unreached', 'Páginas fuera de los temas', ['Borrador.md']],
      ]);
      assert.deepEqual(tree[1].problems, { error: 0, warning: 1, information: 0, hint: 0 });
      assert.deepEqual(tree[1].children[1].problems, { error: 0, warning: 1, information: 0, hint: 0 });
      assert.deepEqual(tree[0].problems, { error: 1, warning: 0, information: 0, hint: 0 });
      assert.equal(tree[0].uri, server.uri('README.md'));
      assert.equal(new Set(tree.flatMap((n) => [n.id, ...n.children.map((c) => c.id)])).size, 10, 'ids are unique');
    }));

  test('navigate goes to the next and previous page along the chain', () =>
    withServer({}, async (server) => {
      await server.ready();
      const next = await server.request<NavigateRequest.Result>('kbnav/navigate', { uri: server.uri('MV/QueEsMV.md'), direction: 'forward' });
      assert.deepEqual(next, { uri: server.uri('MV/Hipervisores.md') });
      const back = await server.request<NavigateRequest.Result>('kbnav/navigate', { uri: server.uri('MV/QueEsMV.md'), direction: 'back' });
      assert.deepEqual(back, { uri: server.uri('README.md') });
      const up = await server.request<NavigateRequest.Result>('kbnav/navigate', { uri: server.uri('Comparacion.md'), direction: 'up' });
      assert.deepEqual(up, { uri: server.uri('README.md') });
      const end = await server.request<NavigateRequest.Result>('kbnav/navigate', { uri: server.uri('Comparacion.md'), direction: 'forward' });
      assert.equal(end, null);
    }));
});
