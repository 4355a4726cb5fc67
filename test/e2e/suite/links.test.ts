// Document links: Ctrl+click lands on the page a link means, also when the path is written the Windows way.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { kbnav, page, rel, waitForPlantedProblems } from './kb';

async function linksOf(uri: vscode.Uri): Promise<vscode.DocumentLink[]> {
  // Providers run on a document model: open it (without showing it) first.
  await vscode.workspace.openTextDocument(uri);
  // The second argument resolves up to that many links whose target is computed lazily.
  return (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', uri, 100)) ?? [];
}

describe('Document links', () => {
  before(async () => {
    await kbnav();
    await waitForPlantedProblems();
  });

  it('gives the navigation links of a page their target pages', async () => {
    const links = await linksOf(page('VM/OrigenVM.md'));
    const targetAt = (line: number) => links.filter((l) => l.range.start.line === line && l.target).map((l) => rel(l.target!.with({ fragment: '' })));
    assert.ok(targetAt(0).includes('README.md'), `line 1 links to README.md; got ${JSON.stringify(targetAt(0))}`);
    assert.ok(targetAt(8).includes('VM/QueSonVM.md'), `line 9 links to VM/QueSonVM.md; got ${JSON.stringify(targetAt(8))}`);
  });

  it('resolves a backslash path to the page it means', async () => {
    const readme = page('README.md');
    const doc = await vscode.workspace.openTextDocument(readme);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('VM\\HipervisoresVM.md'));
    assert.ok(line >= 0);
    const links = await linksOf(readme);
    const targets = links.filter((l) => l.range.start.line === line && l.target).map((l) => rel(l.target!.with({ fragment: '' })));
    assert.ok(targets.includes('VM/HipervisoresVM.md'), `expected VM/HipervisoresVM.md among ${JSON.stringify(targets)}`);
  });
});
