// The Topics view: the tree the server builds from the entry page, as the extension's tree provider serves it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { kbnav, openPage, page, rel, snapshotWorkspace, waitForPlantedProblems, waitUntil, type KbnavApi, type TopicNode } from './kb';

function find(nodes: readonly TopicNode[], predicate: (n: TopicNode) => boolean): TopicNode | undefined {
  for (const n of nodes) {
    if (predicate(n)) return n;
    const inner = find(n.children, predicate);
    if (inner) return inner;
  }
  return undefined;
}

describe('Topics view', () => {
  let api: KbnavApi;
  before(async () => {
    api = await kbnav();
    await waitForPlantedProblems();
  });

  it('lists the entry page’s topics, each with its pages in chain order, then the pages no topic reaches', async () => {
    const roots = await api.topics.refresh();
    const topics = roots.filter((n) => n.kind === 'topic').map((n) => n.label);
    assert.deepEqual(topics, ['Máquinas Virtuales', 'Docker']);
    const vm = roots.find((n) => n.label === 'Máquinas Virtuales')!;
    assert.deepEqual(vm.children.map((c) => rel(c.uri)), ['VM/OrigenVM.md', 'VM/QueSonVM.md', 'VM/HipervisoresVM.md']);
    const docker = roots.find((n) => n.label === 'Docker')!;
    assert.deepEqual(docker.children.map((c) => rel(c.uri)), ['Docker/OrigenDocker.md', 'Docker/Imagenes.md']);
    const unreached = roots.find((n) => n.kind === 'unreached');
    assert.ok(unreached, 'there is a group of unreached pages');
    assert.deepEqual(unreached.children.map((c) => rel(c.uri)), ['Borrador.md']);
    assert.equal(roots.at(-1), unreached, 'the unreached pages come last');
  });

  it('shows each node’s problem count and opens its page', async () => {
    const roots = await api.topics.topics();
    const docker = roots.find((n) => n.label === 'Docker')!;
    assert.deepEqual(docker.problems, { error: 2, warning: 1, information: 0, hint: 0 });
    const imagenes = find(roots, (n) => rel(n.uri) === 'Docker/Imagenes.md')!;
    const item = await api.topics.getTreeItem(imagenes);
    assert.equal(item.description, '2 problems');
    assert.equal(item.command?.command, 'vscode.open');
    assert.equal(rel(item.command?.arguments?.[0] as vscode.Uri), 'Docker/Imagenes.md');
    assert.equal(api.topics.getParent(imagenes), docker, 'getParent leads back to the topic (reveal needs it)');
    assert.equal(api.topics.getParent(docker), undefined);
    const origenVm = find(roots, (n) => rel(n.uri) === 'VM/OrigenVM.md')!;
    assert.equal((await api.topics.getTreeItem(origenVm)).description, undefined, 'a page without problems shows no count');
  });

  it('follows the active editor', async () => {
    await vscode.commands.executeCommand('kbnav.topics.focus');
    await waitUntil('the Topics view to be visible', () => api.topicsView.visible, [api.topicsView.onDidChangeVisibility]);
    await openPage('Docker/Imagenes.md');
    await waitUntil(
      'the view to select Docker/Imagenes.md',
      () => rel(api.topicsView.selection[0]?.uri) === 'Docker/Imagenes.md',
      [api.topicsView.onDidChangeSelection],
      15_000,
      () => `Selected: ${api.topicsView.selection.map((n) => n.label).join(', ') || 'nothing'}.`,
    );
    await openPage('VM/QueSonVM.md');
    await waitUntil('the view to select VM/QueSonVM.md', () => rel(api.topicsView.selection[0]?.uri) === 'VM/QueSonVM.md', [
      api.topicsView.onDidChangeSelection,
    ]);
  });

  it('is rebuilt when a page is added to a chain', async () => {
    const snapshot = await snapshotWorkspace();
    // The tree as the provider last loaded it (this listener runs before waitUntil's, registered later).
    let latest: readonly TopicNode[] = await api.topics.topics();
    const tracking = api.topics.onDidLoad((roots) => (latest = roots));
    try {
      const underDocker = () => latest.find((n) => n.label === 'Docker')?.children.map((c) => rel(c.uri)) ?? [];
      const rebuilt = waitUntil(
        'Docker/Redes.md under the Docker topic',
        () => underDocker().includes('Docker/Redes.md'),
        [api.topics.onDidLoad],
        30_000,
        () => `Docker has ${JSON.stringify(underDocker())}.`,
      );
      const text = '[Imágenes de Docker ⬅️](Imagenes.md)\n\n# Redes de Docker\n\nLos contenedores se comunican por redes virtuales.\n';
      await vscode.workspace.fs.writeFile(page('Docker/Redes.md'), new TextEncoder().encode(text));
      await rebuilt;
      assert.deepEqual(underDocker(), ['Docker/OrigenDocker.md', 'Docker/Imagenes.md', 'Docker/Redes.md']);
    } finally {
      tracking.dispose();
      await snapshot.restore();
    }
  });
});
