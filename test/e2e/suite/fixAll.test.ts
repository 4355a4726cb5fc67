// Fixing every safe problem at once: the whole workspace (kbnav.fixAll) or one topic of the tree (kbnav.fixTopic).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codesOf, kbnav, page, plantedProblems, readDisk, snapshotWorkspace, waitForCodes, waitForPlantedProblems } from './kb';

describe('Fix all safe problems', () => {
  let snapshot: Awaited<ReturnType<typeof snapshotWorkspace>>;
  before(async () => {
    await kbnav();
    await waitForPlantedProblems();
    snapshot = await snapshotWorkspace();
  });
  afterEach(async () => {
    await snapshot.restore();
  });

  it('kbnav.fixAll fixes the backslash path and the wrong case, saves them, and leaves the other problems', async () => {
    const result = await vscode.commands.executeCommand<{ fixes: number; applied: boolean }>('kbnav.fixAll');
    assert.deepEqual(result, { fixes: 2, applied: true });
    assert.match(await readDisk(page('README.md')), /\[Hipervisores 📎\]\(VM\/HipervisoresVM\.md\)/);
    assert.match(await readDisk(page('Docker/Imagenes.md')), /\[Origen de Docker ⬅️\]\(OrigenDocker\.md\)/);
    assert.deepEqual(
      vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.path),
      [],
      'the fixed files are saved',
    );
    await waitForCodes(page('README.md'), (codes) => codes.length === 0);
    await waitForCodes(page('Docker/Imagenes.md'), (codes) => codes.join() === 'missing-file');
    for (const path of ['Borrador.md', 'VM/QueSonVM.md', 'VM/HipervisoresVM.md', 'Docker/OrigenDocker.md']) {
      assert.deepEqual(codesOf(page(path)), plantedProblems[path], `${path} keeps its problems, which have no safe fix`);
    }
  });

  it('kbnav.fixAll says there is nothing to do once the safe problems are fixed', async () => {
    await vscode.commands.executeCommand('kbnav.fixAll');
    await waitForCodes(page('README.md'), (codes) => codes.length === 0);
    await waitForCodes(page('Docker/Imagenes.md'), (codes) => codes.join() === 'missing-file');
    const again = await vscode.commands.executeCommand<{ fixes: number; applied: boolean }>('kbnav.fixAll');
    assert.deepEqual(again, { fixes: 0, applied: false });
  });

  it('kbnav.fixTopic fixes only the pages under the topic', async () => {
    const api = await kbnav();
    const docker = (await api.topics.topics()).find((n) => n.kind === 'topic' && n.label === 'Docker');
    assert.ok(docker, 'the tree has a Docker topic');
    const result = await vscode.commands.executeCommand<{ fixes: number; applied: boolean }>('kbnav.fixTopic', docker);
    assert.deepEqual(result, { fixes: 1, applied: true });
    assert.match(await readDisk(page('Docker/Imagenes.md')), /\(OrigenDocker\.md\)/);
    assert.match(await readDisk(page('README.md')), /\(VM\\HipervisoresVM\.md\)/, 'README.md is not under the Docker topic');
    await waitForCodes(page('Docker/Imagenes.md'), (codes) => codes.join() === 'missing-file');
    assert.deepEqual(codesOf(page('README.md')), ['backslash-path']);
  });
});
