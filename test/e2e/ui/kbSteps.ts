// UI steps of the KB Navigator tests that the shared harness (harness.ts) does not have: the command palette,
// notifications, Ctrl+click on a link, the Topics view.
// Every wait is on a selector, with a timeout.
import { copyFileSync, mkdirSync, readFileSync, watch } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Locator } from 'playwright-core';
import { findRepoRoot } from '../paths';
import type { Workbench } from './harness';

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

/** Waits for a notification toast containing `text`, until its fade-in animation has finished. */
export async function waitForNotification(wb: Workbench, text: string | RegExp, timeout = 30_000): Promise<Locator> {
  const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  // Runs in the page (the test project has no DOM typings, hence the local type).
  type Animated = { getAnimations(options: { subtree: boolean }): { finished: Promise<unknown> }[] };
  await toast.evaluate((el) => Promise.all((el as unknown as Animated).getAnimations({ subtree: true }).map((a) => a.finished)));
  return toast;
}

/** Dismisses every notification (so that later screenshots show the editor, not old toasts). */
export async function clearNotifications(wb: Workbench, timeout = 15_000): Promise<void> {
  await runCommand(wb, 'Notifications: Clear All Notifications', timeout);
  await wb.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout });
}

/**
 * With KBNAV_DOC_IMAGES=1, copies a screenshot to docs/images/ (the README's pictures are taken by these tests).
 */
export function keepForDocs(file: string, name: string): void {
  if (process.env.KBNAV_DOC_IMAGES !== '1') return;
  const dir = join(findRepoRoot(), 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, join(dir, `${name}.png`));
}

/**
 * Ctrl+clicks the link whose text contains `text` in the active editor, once the editor has detected it. The mouse is
 * driven directly: while Ctrl is held the editor re-renders the link (go-to-definition underline) and shows a hover,
 * which Playwright's click would take for an element that is not stable or is covered.
 */
export async function ctrlClickLink(wb: Workbench, text: string, timeout = 15_000): Promise<void> {
  const { page } = wb;
  // Links get the detected-link decoration when a link provider has answered for them.
  const link = page.locator('.editor-instance .monaco-editor .view-lines .detected-link', { hasText: text }).first();
  await link.waitFor({ state: 'visible', timeout });
  const box = await link.boundingBox();
  if (!box) throw new Error(`the link ${text} has no box`);
  const x = box.x + Math.min(box.width / 2, 20);
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.keyboard.down('Control');
  try {
    await page.mouse.move(x + 1, y);
    await page.mouse.down();
    await page.mouse.up();
  } finally {
    await page.keyboard.up('Control');
  }
}

/** Waits until the active tab is the file `name`. */
export async function waitForActiveTab(wb: Workbench, name: string, timeout = 15_000): Promise<void> {
  await wb.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout });
}

/** Opens the KB Navigator view container from its activity bar icon and waits for the Topics rows. */
export async function openTopicsView(wb: Workbench, timeout = 30_000): Promise<Locator> {
  const { page } = wb;
  const container = page.locator(TOPICS_CONTAINER);
  // force: the problem-count badge covers part of the icon and would be reported as intercepting the click.
  if (!(await container.isVisible())) await page.locator('.part.activitybar .action-label[aria-label^="KB Navigator"]').first().click({ force: true });
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

/**
 * Waits until the file at `path` (on disk) matches `pattern`, checking now and on each change in its folder. Used
 * after Ctrl+S: in code-server 1.100.3 a tab changed by a code action does not get the `dirty` class, so the tab
 * cannot tell when the save has finished.
 */
export function waitForFileText(path: string, pattern: RegExp, timeout = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const read = () => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    const watcher = watch(dirname(path), () => check());
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${path} did not match ${pattern} within ${timeout} ms; it reads:\n${read()}`));
    }, timeout);
    const check = () => {
      const text = read();
      if (!pattern.test(text)) return;
      clearTimeout(timer);
      watcher.close();
      resolve(text);
    };
    check();
  });
}
