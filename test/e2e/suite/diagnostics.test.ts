// Diagnostics for every page of the knowledge base, opened or not, kept current as settings change.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, codesOf, kbDiagnostics, kbnav, page, waitForCodes, waitForPlantedProblems, waitUntil } from './kb';

describe('Diagnostics', () => {
  before(async () => {
    await kbnav();
  });

  it('reports the broken links of pages that were never opened', async () => {
    await waitForPlantedProblems();
    const imagenes = page('Docker/Imagenes.md');
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.uri.toString() === imagenes.toString()),
      'Docker/Imagenes.md was opened, so this would not show that unopened pages are checked',
    );
    const caseMismatch = kbDiagnostics(imagenes).find((d) => codeOf(d) === 'case-mismatch')!;
    assert.equal(caseMismatch.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(caseMismatch.range.start.line, 0);
    assert.match(caseMismatch.message, /origenDocker\.md/);
    const missing = kbDiagnostics(imagenes).find((d) => codeOf(d) === 'missing-file')!;
    assert.match(missing.message, /Redes\.md/);
  });

  it('counts the broken links in the index summary that drives the status bar', async () => {
    const api = await kbnav();
    const index = await waitUntil(
      'an index summary with the 3 broken links of the fixture',
      () => (api.client.index?.state === 'ready' && api.client.index.brokenLinks === 3 ? api.client.index : undefined),
      [api.client.onIndexChanged],
      30_000,
      () => `The last summary is ${JSON.stringify(api.client.index)}.`,
    );
    assert.ok(index.pages >= 7, `expected the 7 pages of the fixture, got ${index.pages}`);
  });

  it('applies a severity setting without a restart', async () => {
    const borrador = page('Borrador.md');
    const config = vscode.workspace.getConfiguration('kbnav', vscode.workspace.workspaceFolders![0].uri);
    await config.update('severity', { 'orphan-page': 'off' }, vscode.ConfigurationTarget.Workspace);
    try {
      await waitForCodes(borrador, (codes) => codes.length === 0);
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForCodes(borrador, (codes) => codes.join() === 'orphan-page');
    assert.deepEqual(codesOf(borrador), ['orphan-page']);
  });

  it('applies a .kbnav.json written on disk, and its schema flags a misspelt key when it is open', async () => {
    const borrador = page('Borrador.md');
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.kbnav.json');
    const write = (settings: object) => vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(settings, null, 2)));
    await write({ severity: { 'orphan-page': 'off' } });
    try {
      await waitForCodes(borrador, (codes) => codes.length === 0);

      await write({ severity: { 'orphan-page': 'off' }, entrypages: ['Borrador.md'] });
      await vscode.window.showTextDocument(file);
      const schemaProblem = await waitUntil(
        'a diagnostic of the JSON schema on the misspelt key',
        () => vscode.languages.getDiagnostics(file).find((d) => /entrypages/.test(d.message)),
        [vscode.languages.onDidChangeDiagnostics],
        30_000,
        () => `The diagnostics of .kbnav.json are ${JSON.stringify(vscode.languages.getDiagnostics(file).map((d) => d.message))}.`,
      );
      assert.equal(schemaProblem.range.start.line, 4);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(file);
    }
    await waitForCodes(borrador, (codes) => codes.join() === 'orphan-page');
  });
});
