// Next / previous page along the navigation chain.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { kbnav, openPage, page, rel, waitForActiveEditor, waitForPlantedProblems } from './kb';

describe('Navigation along the chain', () => {
  before(async () => {
    await kbnav();
    await waitForPlantedProblems();
  });

  it('kbnav.nextPage opens the next page of the chain', async () => {
    await openPage('VM/OrigenVM.md');
    const target = await vscode.commands.executeCommand<vscode.Uri | undefined>('kbnav.nextPage');
    assert.equal(rel(target), 'VM/QueSonVM.md');
    await waitForActiveEditor(page('VM/QueSonVM.md'));
  });

  it('kbnav.previousPage opens the previous page of the chain', async () => {
    await openPage('VM/QueSonVM.md');
    const target = await vscode.commands.executeCommand<vscode.Uri | undefined>('kbnav.previousPage');
    assert.equal(rel(target), 'VM/OrigenVM.md');
    await waitForActiveEditor(page('VM/OrigenVM.md'));
  });

  it('kbnav.nextPage crosses from one topic to the next', async () => {
    await openPage('VM/HipervisoresVM.md');
    const target = await vscode.commands.executeCommand<vscode.Uri | undefined>('kbnav.nextPage');
    assert.equal(rel(target), 'Docker/OrigenDocker.md');
    await waitForActiveEditor(page('Docker/OrigenDocker.md'));
  });
});
