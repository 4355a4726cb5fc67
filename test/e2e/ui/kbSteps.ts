// UI steps of the KB Navigator tests that the shared harness (harness.ts) does not have: the command palette,
// notifications, the quick-fix menu left open for a screenshot, Ctrl+click on a link, the Topics view.
// Every wait is on a selector, with a timeout.
import type { Locator } from 'playwright-core';
import type { Workbench } from './harness';

const PROBLEM_ROW = '.markers-panel .monaco-list-row:has(.marker-icon)';
const TOPICS_CONTAINER = '[id="workbench.view.extension.kbnav"]';

/** Runs a command by its title from the command palette (F1). */
export async function runCommand(wb: Workbench, title: string, timeout = 15_000): Promise<void> {
  const { page } = wb;
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
}

/** Waits for a notification toast containing `text`. */
export async function waitForNotification(wb: Workbench, text: string | RegExp, timeout = 30_000): Promise<Locator> {
  const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return toast;
}

/**
 * Clicks the Problems row containing `problemText` (which opens the page with the cursor on the problem) and opens
 * the quick-fix menu with Ctrl+.; resolves with the menu once its preferred (focused) row is there, so that the
 * caller can take a screenshot before pressing Enter.
 */
export async function openQuickFixMenu(wb: Workbench, problemText: string | RegExp, timeout = 15_000): Promise<{ menu: Locator; preferred: string }> {
  const { page } = wb;
  const row = page.locator(PROBLEM_ROW).filter({ hasText: problemText }).first();
  await row.waitFor({ timeout });
  const where = /\[Ln (\d+), Col \d+\]/.exec(await row.innerText());
  await row.click();
  if (where) await page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${where[1]}, Col \\d+`) }).first().waitFor({ timeout });
  const textarea = page.locator('.editor-instance .monaco-editor textarea').first();
  const menu = page.locator('.action-widget');
  // Right after start-up VS Code cancels code-action requests while providers register; ask again (see the recipe).
  for (let attempt = 1; ; attempt++) {
    await textarea.focus();
    await page.keyboard.press('Control+.');
    try {
      await menu.locator('.monaco-list-row.focused').first().waitFor({ state: 'visible', timeout: attempt < 3 ? 5_000 : timeout });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  const preferred = (await menu.locator('.monaco-list-row.focused').first().innerText()).trim();
  return { menu, preferred };
}

/** Ctrl+clicks the link whose text contains `text` in the active editor, once the editor has detected it. */
export async function ctrlClickLink(wb: Workbench, text: string, timeout = 15_000): Promise<void> {
  // Links get the detected-link decoration when a link provider has answered for them.
  const link = wb.page.locator('.editor-instance .monaco-editor .view-lines .detected-link', { hasText: text }).first();
  await link.waitFor({ state: 'visible', timeout });
  await link.hover();
  await link.click({ modifiers: ['Control'] });
}

/** Waits until the active tab is the file `name`. */
export async function waitForActiveTab(wb: Workbench, name: string, timeout = 15_000): Promise<void> {
  await wb.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout });
}

/** Opens the KB Navigator view container from its activity bar icon and waits for the Topics rows. */
export async function openTopicsView(wb: Workbench, timeout = 30_000): Promise<Locator> {
  const { page } = wb;
  const container = page.locator(TOPICS_CONTAINER);
  if (!(await container.isVisible())) await page.locator('.part.activitybar .action-label[aria-label^="KB Navigator"]').first().click();
  await container.waitFor({ state: 'visible', timeout });
  const rows = container.locator('.monaco-list-row');
  await rows.first().waitFor({ timeout });
  return rows;
}

/** The row of the Topics view whose label is `label`. */
export function topicRow(wb: Workbench, label: string | RegExp): Locator {
  return wb.page.locator(`${TOPICS_CONTAINER} .monaco-list-row`, { has: wb.page.locator('.label-name', { hasText: label }) }).first();
}

/** The status bar item of KB Navigator. */
export function statusItem(wb: Workbench, text: string | RegExp = /broken link|Indexing notes/): Locator {
  return wb.page.locator('.statusbar-item', { hasText: text }).first();
}
