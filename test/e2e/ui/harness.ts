// Playwright helpers for UI tests against the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3 in
// headless Debian Chromium). The extension under test is loaded through the web workbench's `payload`
// (extensionDevelopmentPath), so nothing is packaged or installed. Every wait is on a selector or an event, with a
// timeout; there are no fixed sleeps. Steps and selectors follow shared/docs/real-vscode-testing.md, section 5.
//
//   const wb = await Workbench.start({ folder: 'test/fixtures/apuntes' });
//   await wb.quickOpen('index.md');
//   await wb.openProblems();
//   await wb.waitForProblem('broken link');
//   await wb.screenshot('broken-link');      // test-results/broken-link.png
//   await wb.dispose();
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { findRepoRoot } from '../paths';

/** What test/e2e/codeServer.mjs provides (it is plain ESM shared with the driver and `npm start`). */
interface CodeServer {
  port: number;
  pid: number;
  workDir: string;
  logFile: string;
  remoteUri(absPath: string): string;
  url(opts: { folder?: string; payload?: [string, string][] }): string;
  stop(graceMs?: number): Promise<void>;
  removeWorkDir(): void;
}
interface CodeServerModule {
  ensureCodeServer(): Promise<string>;
  startCodeServer(opts: { entry: string; env?: NodeJS.ProcessEnv; settings?: Record<string, unknown> }): Promise<CodeServer>;
  launchChromium(opts: { headless?: boolean }): Promise<Browser>;
  relayExtensionHostConsole(page: Page, onText: (line: { text: string; marked: boolean }) => void): { flush(): Promise<void> };
  killProcessGroupSync(pid: number): void;
  WORKBENCH_READY: string;
}

/**
 * Loads test/e2e/codeServer.mjs at run time. A runtime import() (not bundled by esbuild) keeps that module's
 * `import.meta.url` real, which it needs to find code-server.
 */
export async function loadCodeServerModule(): Promise<CodeServerModule> {
  const file = join(findRepoRoot(), 'test', 'e2e', 'codeServer.mjs');
  return (await import(pathToFileURL(file).href)) as CodeServerModule;
}

/** A problem row of the Problems panel (file rows have no marker icon). */
const PROBLEM_ROW = '.markers-panel .monaco-list-row:has(.marker-icon)';

export interface StartOptions {
  /** Folder to open. It is copied to a temp dir first (unless copyFolder is false), so tests may change files. */
  folder: string;
  copyFolder?: boolean;
  /** The extension to load; default: the repo root. */
  extensionDevelopmentPath?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Environment of code-server (and so of the extension host); default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the workbench to render; default 60 s (more than 3 times the slowest seen, loaded). */
  readyTimeoutMs?: number;
}

// Live workbenches, kept on globalThis because every bundled test file has its own copy of this module and the
// runner must be able to dispose all of them on Ctrl+C.
const LIVE = Symbol.for('kbnav.e2e.liveWorkbenches');
const live: Set<Workbench> = ((globalThis as Record<symbol, unknown>)[LIVE] as Set<Workbench>) ?? new Set<Workbench>();
(globalThis as Record<symbol, unknown>)[LIVE] = live;

/** Disposes every workbench that is still open (for runners and signal handlers). */
export async function disposeAll(): Promise<void> {
  await Promise.all([...live].map((wb) => wb.dispose()));
}

let exitHookInstalled = false;
function installExitHook(mod: CodeServerModule): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the process exits without dispose(): no code-server group may outlive the tests.
  process.on('exit', () => {
    for (const wb of live) mod.killProcessGroupSync(wb.server.pid);
  });
}

export class Workbench {
  /** Milliseconds from start() to the workbench being rendered. */
  readonly startupMs: number;
  private disposed = false;

  private constructor(
    readonly page: Page,
    readonly browser: Browser,
    readonly server: CodeServer,
    /** The folder that is open in the workbench (the temp copy, if one was made). */
    readonly folder: string,
    private readonly copyRoot: string | undefined,
    started: number,
  ) {
    this.startupMs = Date.now() - started;
  }

  /** Starts code-server with the extension loaded, opens `folder` in Chromium and waits for the workbench. */
  static async start(opts: StartOptions): Promise<Workbench> {
    const started = Date.now();
    const mod = await loadCodeServerModule();
    installExitHook(mod);
    const repo = findRepoRoot();
    const extension = resolve(opts.extensionDevelopmentPath ?? repo);
    let folder = resolve(opts.folder);
    let copyRoot: string | undefined;
    if (opts.copyFolder !== false) {
      copyRoot = mkdtempSync(join(tmpdir(), 'kbnav-ui-'));
      const copy = join(copyRoot, basename(folder));
      cpSync(folder, copy, { recursive: true });
      folder = copy;
    }

    const entry = await mod.ensureCodeServer();
    const server = await mod.startCodeServer({ entry, env: opts.env, settings: opts.settings });
    let browser: Browser | undefined;
    try {
      browser = await mod.launchChromium({ headless: process.env.KBNAV_E2E_HEADED !== '1' });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const verbose = process.env.KBNAV_E2E_VERBOSE === '1';
      mod.relayExtensionHostConsole(page, ({ text }) => verbose && process.stderr.write(`[workbench] ${text}\n`));
      const payload: [string, string][] = [
        ['extensionDevelopmentPath', server.remoteUri(extension)],
        ['skipWelcome', 'true'],
        ['skipReleaseNotes', 'true'],
      ];
      await page.goto(server.url({ folder, payload }));
      await page.locator(mod.WORKBENCH_READY).first().waitFor({ timeout: opts.readyTimeoutMs ?? 60_000 });
      const wb = new Workbench(page, browser, server, folder, copyRoot, started);
      live.add(wb);
      return wb;
    } catch (err) {
      await browser?.close().catch(() => {});
      await server.stop();
      if (copyRoot) rmSync(copyRoot, { recursive: true, force: true });
      throw new Error(`the workbench did not start (code-server log: ${server.logFile}): ${err}`);
    }
  }

  /** Opens a file with Quick Open (Ctrl+P) and waits until its editor tab is active. */
  async quickOpen(file: string, timeout = 15_000): Promise<void> {
    const { page } = this;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(file);
    // Wait for a result row naming the file; Enter before the list is filled would do nothing.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: basename(file) }).first().waitFor({ timeout });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: basename(file) }).waitFor({ timeout });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout });
  }

  /** The active editor's visible text lines (what is rendered, not the whole file). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-instance .monaco-editor .view-lines .view-line');
    return (await lines.allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
  }

  /** Shows the Problems panel (Ctrl+Shift+M) and waits for it. */
  async openProblems(timeout = 15_000): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    // Ctrl+Shift+M toggles the panel when it is already focused, so only press it when the panel is hidden.
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout });
  }

  /** Problem rows of the Problems panel (file rows left out), rendered text (e.g. "broken link: x.md source [Ln 3, Col 17]"). */
  async problemRows(): Promise<string[]> {
    const texts = await this.page.locator(PROBLEM_ROW).allInnerTexts();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Waits until a Problems row containing `text` is shown; returns it. */
  async waitForProblem(text: string | RegExp, timeout = 30_000): Promise<Locator> {
    const row = this.page.locator(PROBLEM_ROW, { hasText: text }).first();
    await row.waitFor({ timeout });
    return row;
  }

  /** Waits until no Problems row contains `text` (for example after a fix). */
  async waitForNoProblem(text: string | RegExp, timeout = 30_000): Promise<void> {
    await this.page.locator(PROBLEM_ROW, { hasText: text }).first().waitFor({ state: 'detached', timeout });
  }

  /**
   * Applies the preferred quick fix of a problem: the row containing `problemText`, or else the selected (or first)
   * problem row. Clicking the row moves the cursor onto the problem; Ctrl+. opens the code action menu, and Enter
   * takes the preferred (focused) fix: mouse clicks on that menu are swallowed by .context-view-pointerBlock.
   * Returns the title of the fix that was applied.
   */
  async quickFixAtSelectedProblem(problemText?: string | RegExp, timeout = 15_000): Promise<string> {
    const { menu, preferred } = await this.openQuickFixMenu(problemText, timeout);
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout });
    return preferred;
  }

  /**
   * Clicks the Problems row containing `problemText` (or the selected row, or the first) — which opens the page with
   * the cursor on the problem — and opens the quick-fix menu with Ctrl+.; resolves once its preferred (focused) row
   * is there, with the menu and that row's title, so that a caller can take a screenshot before pressing Enter.
   */
  async openQuickFixMenu(problemText?: string | RegExp, timeout = 15_000): Promise<{ menu: Locator; preferred: string }> {
    const { page } = this;
    const rows = page.locator(PROBLEM_ROW);
    const selected = rows.and(page.locator('[aria-selected="true"]'));
    const row = problemText
      ? rows.filter({ hasText: problemText }).first()
      : (await selected.count())
        ? selected.first()
        : rows.first();
    await row.waitFor({ timeout });
    // The row says where the problem is ("[Ln 3, Col 17]"); after the click the status bar shows that line.
    const where = /\[Ln (\d+), Col \d+\]/.exec(await row.innerText());
    await row.click();
    if (where) {
      await page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${where[1]}, Col \\d+`) }).first().waitFor({ timeout });
    }
    const textarea = page.locator('.editor-instance .monaco-editor textarea').first();
    const menu = page.locator('.action-widget');
    const focused = menu.locator('.monaco-list-row.focused').first();
    // Right after start-up VS Code cancels a code-action request when the set of providers changes (built-in
    // Markdown extensions still activating), and then no menu opens; ask again a few times.
    for (let attempt = 1; ; attempt++) {
      await textarea.focus();
      await page.keyboard.press('Control+.');
      try {
        await focused.waitFor({ state: 'visible', timeout: attempt < 3 ? 5_000 : timeout });
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await page.keyboard.press('Escape');
      }
    }
    return { menu, preferred: (await focused.innerText()).trim() };
  }

  /**
   * Presses Ctrl+S in the active editor. code-server 1.100.3 does not mark a tab dirty after a code-action
   * edit, so the tab cannot tell when the save is done: callers wait for the file's text on disk.
   */
  async save(): Promise<void> {
    await this.page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await this.page.keyboard.press('Control+S');
  }

  /** Writes test-results/<name>.png in the repo; returns its path. */
  async screenshot(name: string): Promise<string> {
    const dir = join(findRepoRoot(), 'test-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes the browser, kills code-server's whole process group and removes the temp dirs. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    live.delete(this);
    await this.browser.close().catch(() => {});
    await this.server.stop();
    if (process.env.KBNAV_E2E_KEEP === '1') {
      process.stderr.write(`[harness] kept ${this.server.workDir}${this.copyRoot ? ` and ${this.copyRoot}` : ''}\n`);
      return;
    }
    this.server.removeWorkDir();
    if (this.copyRoot) rmSync(this.copyRoot, { recursive: true, force: true });
  }
}
