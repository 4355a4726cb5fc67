// Quick fixes of single problems, as the light bulb and the Problems panel offer them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeActionWhere, kbnav, page, readDisk, snapshotWorkspace, waitForCodes, waitForDiagnostic, waitForPlantedProblems } from './kb';

describe('Quick fixes', () => {
  let snapshot: Awaited<ReturnType<typeof snapshotWorkspace>>;
  before(async () => {
    await kbnav();
    await waitForPlantedProblems();
    snapshot = await snapshotWorkspace();
  });
  afterEach(async () => {
    await snapshot.restore();
  });

  it('rewrites a wrong-case link with the preferred quick fix of its diagnostic', async () => {
    const uri = page('Docker/Imagenes.md');
    const diagnostic = await waitForDiagnostic(uri, 'case-mismatch');
    // The command's results do not carry their diagnostics: the fix is recognized by its title.
    const action = await codeActionWhere(
      uri,
      diagnostic.range,
      (a) => !!a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind) && /“OrigenDocker\.md”/.test(a.title),
    );
    assert.equal(action.isPreferred, true, 'the safe fix is the preferred one');
    assert.ok(action.edit, 'the quick fix carries its edit');
    assert.ok(await vscode.workspace.applyEdit(action.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineAt(0).text, '[Origen de Docker ⬅️](OrigenDocker.md)');
    assert.ok(await doc.save());
    assert.match(await readDisk(uri), /^\[Origen de Docker ⬅️\]\(OrigenDocker\.md\)\n/);
    await waitForCodes(uri, (codes) => codes.join() === 'missing-file');
  });

  it('creates a missing page, linked back to the page that needs it', async () => {
    const uri = page('Docker/Imagenes.md');
    const diagnostic = await waitForDiagnostic(uri, 'missing-file');
    const action = await codeActionWhere(uri, diagnostic.range, (a) => /Redes\.md/.test(a.title) && !!a.edit);
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    // The page is created on disk at once; its text is an edit of the new document, saved like any other.
    const doc = await vscode.workspace.openTextDocument(page('Docker/Redes.md'));
    assert.match(doc.getText(), /\]\(Imagenes\.md\)/, `the new page links back to Imagenes.md:\n${doc.getText()}`);
    assert.match(doc.getText(), /^# Redes de Docker$/m);
    assert.ok(await doc.save());
    assert.equal(await readDisk(page('Docker/Redes.md')), doc.getText());
    await waitForCodes(uri, (codes) => !codes.includes('missing-file'));
  });
});
