// What an author sees in a real VS Code (code-server in Chromium), step by step, with a screenshot of each step in
// test-results/: the broken links of unopened pages in the Problems panel, a quick fix with Ctrl+., fix-all from the
// command palette, Ctrl+click along the chain, and the Topics view.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { findRepoRoot } from '../paths';
import { Workbench } from './harness';
import { clearNotifications, ctrlClickLink, keepForDocs, openTopicsView, runCommand, statusItem, topicRow, waitForActiveTab, waitForFileText, waitForNotification } from './kbSteps';

describe('KB Navigator in the editor', function () {
  let wb: Workbench;

  before(async function () {
    this.timeout(120_000);
    wb = await Workbench.start({
      folder: join(findRepoRoot(), 'test', 'fixtures', 'editor-kb'),
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false },
    });
  });

  after(async () => {
    await wb?.dispose();
  });

  it('lists the broken links of pages that were never opened in the Problems panel', async () => {
    await wb.openProblems();
    // Docker/Imagenes.md is never opened before this point: its problems come from the server's workspace index.
    await wb.waitForProblem('“origenDocker.md” differs in letter case');
    await wb.waitForProblem('“Redes.md” does not exist');
    await wb.waitForProblem('uses \\ as a separator');
    await wb.waitForProblem('The label “Origen de las Máquinas Virtuales” names the page');
    await statusItem(wb, '3 broken links').waitFor({ timeout: 30_000 });
    assert.equal(await wb.page.locator('.tabs-container .tab').count(), 0, 'no page was opened');
    keepForDocs(await wb.screenshot('ui-01-problems-of-unopened-pages'), 'problems');
  });

  it('applies a quick fix with Ctrl+. and Enter, and the file changes', async () => {
    const { preferred } = await wb.openQuickFixMenu('uses \\ as a separator');
    assert.match(preferred, /Use forward slashes: “VM\/HipervisoresVM\.md”/);
    keepForDocs(await wb.screenshot('ui-02-quick-fix-menu'), 'quick-fix');
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    await wb.page.locator('.editor-instance .view-line', { hasText: '(VM/HipervisoresVM.md)' }).waitFor({ timeout: 15_000 });
    await wb.page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await wb.page.keyboard.press('Control+S');
    await waitForFileText(join(wb.folder, 'README.md'), /\[Hipervisores 📎\]\(VM\/HipervisoresVM\.md\)/);
    await wb.waitForNoProblem('uses \\ as a separator');
    await wb.screenshot('ui-03-quick-fix-applied');
  });

  it('fixes every safe problem from the command palette', async () => {
    await runCommand(wb, 'KB Navigator: Fix All Safe Problems in the Workspace');
    await waitForNotification(wb, 'Applied 1 safe fix.');
    await wb.waitForNoProblem('“origenDocker.md” differs in letter case');
    // Fix-all saves what it fixed.
    await waitForFileText(join(wb.folder, 'Docker', 'Imagenes.md'), /^\[Origen de Docker ⬅️\]\(OrigenDocker\.md\)$/m);
    // The problems without a safe fix stay.
    await wb.waitForProblem('“Redes.md” does not exist');
    await statusItem(wb, '1 broken link').waitFor({ timeout: 30_000 });
    keepForDocs(await wb.screenshot('ui-04-fix-all'), 'fix-all');
    await clearNotifications(wb);
  });

  it('Ctrl+click on a navigation link opens the page it links', async () => {
    await wb.quickOpen('OrigenVM.md');
    await ctrlClickLink(wb, 'QueSonVM.md');
    await waitForActiveTab(wb, 'QueSonVM.md');
    await wb.page.locator('.editor-instance .view-lines', { hasText: '# ¿Qué son las Máquinas Virtuales?' }).waitFor({ timeout: 15_000 });
    await wb.screenshot('ui-05-ctrl-click');
  });

  it('shows the topics in the Topics view and opens a page from it', async () => {
    await openTopicsView(wb);
    await topicRow(wb, 'Máquinas Virtuales').waitFor({ timeout: 15_000 });
    await topicRow(wb, 'Docker').waitFor({ timeout: 15_000 });
    const imagenes = topicRow(wb, 'Imágenes de Docker');
    await imagenes.waitFor({ timeout: 15_000 });
    assert.match(await imagenes.innerText(), /1 problem/);
    await imagenes.click();
    await waitForActiveTab(wb, 'Imagenes.md');
    // The view follows the editor: the opened page's row is the selected one.
    await wb.page.locator('[id="workbench.view.extension.kbnav"] .monaco-list-row.selected', { hasText: 'Imágenes de Docker' }).waitFor({ timeout: 15_000 });
    keepForDocs(await wb.screenshot('ui-06-topics'), 'topics-view');
  });
});
