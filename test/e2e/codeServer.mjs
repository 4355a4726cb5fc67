// Shared plumbing for running the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3) in headless
// Chromium: used by test/e2e/driver.mjs (integration tests), test/e2e/ui/harness.ts (UI tests) and
// scripts/start.mjs (`npm start`). The recipe and its reasons are in shared/docs/real-vscode-testing.md.
//
// Plain ESM on purpose: driver.mjs and start.mjs run without a build, and the bundled harness loads it with a
// runtime import() so that `import.meta.url` here stays real.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';

export { ensureCodeServer, codeServerEntry } from '../../scripts/setup-code-server.mjs';

export const HOST = '127.0.0.1';
export const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps trying to reach Google's hosts on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Present once the workbench has rendered the explorer with the opened folder. */
export const WORKBENCH_READY = '.monaco-workbench .explorer-folders-view .monaco-list-row';
/** What the web workbench logs when the payload paths are not vscode-remote:// URIs. */
export const NO_EXTENSION_HOST = 'No extension host found that can launch the test runner';

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  // Test folders are often inside the repo; the "open the parent repository?" toast would cover screenshots.
  'git.openRepositoryInParentFolders': 'never',
};

/** Asks the OS for a free loopback port (closed again right away; the tiny race is acceptable here). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True if `port` can be bound on the loopback address. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/**
 * Starts code-server in its own process group (detached) so that teardown can kill the whole group, including
 * the extension host and any language server it forked.
 *
 * @param {object} opts
 * @param {string} opts.entry code-server's out/node/entry.js
 * @param {number} [opts.port] default: a free port
 * @param {string} [opts.workDir] where config, user data and extensions go; default: a fresh temp dir
 * @param {object} [opts.settings] extra user settings
 * @param {'log'|'inherit'} [opts.output] 'log' (default) writes code-server's output to <workDir>/code-server.log
 * @param {NodeJS.ProcessEnv} [opts.env] environment of code-server, and so of the extension host and the tests
 * @param {number} [opts.healthTimeoutMs]
 */
export async function startCodeServer(opts) {
  const port = opts.port ?? (await freePort());
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'kbnav-code-server-'));
  const config = join(workDir, 'config.yaml');
  const dataDir = join(workDir, 'data');
  const extensionsDir = join(workDir, 'extensions');
  // An empty --config: without it code-server writes ~/.config/code-server/config.yaml with a password.
  writeFileSync(config, '');
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2));

  const logFile = join(workDir, 'code-server.log');
  const out = opts.output === 'inherit' ? 'inherit' : openSync(logFile, 'a');
  const args = [
    opts.entry,
    '--auth', 'none',
    '--bind-addr', `${HOST}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--config', config,
    '--user-data-dir', dataDir,
    '--extensions-dir', extensionsDir,
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], env: opts.env ?? process.env });
  if (typeof out === 'number') closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const server = {
    port,
    pid: child.pid,
    child,
    exited,
    workDir,
    dataDir,
    logFile,
    baseUrl: `http://${HOST}:${port}`,
    /** vscode-remote:// URI of a server-side path, as the browser must name it in the payload. */
    remoteUri: (absPath) => `vscode-remote://${HOST}:${port}${absPath.split('/').map(encodeURIComponent).join('/')}`,
    /** Workbench URL opening `folder`, with `payload` ([key, value] pairs) for the web workbench. */
    url: ({ folder, payload = [] } = {}) => {
      const q = new URLSearchParams();
      if (folder) q.set('folder', folder);
      if (payload.length) q.set('payload', JSON.stringify(payload));
      const qs = q.toString();
      return `${server.baseUrl}/${qs ? `?${qs}` : ''}`;
    },
    stop: (graceMs) => killProcessGroup(child, exited, graceMs),
    removeWorkDir: () => rmSync(workDir, { recursive: true, force: true }),
  };
  try {
    await waitForHealth(server, opts.healthTimeoutMs ?? 30_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Polls GET /healthz until it answers 200; fails early if code-server exits. */
async function waitForHealth(server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = null;
  server.exited.then((e) => (exitedEarly = e));
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(`code-server exited during start-up (code ${exitedEarly.code}, signal ${exitedEarly.signal}); see ${server.logFile}`);
    }
    try {
      const res = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms; see ${server.logFile}`);
}

/**
 * SIGTERM to the whole process group, wait for the leader, then SIGKILL to the group. Killing only code-server's
 * own pid leaves an orphaned `bootstrap-fork --type=extensionHost` (and its language server) behind.
 */
export async function killProcessGroup(child, exited, graceMs = 5000) {
  const pid = child.pid;
  if (!pid) return;
  const signalGroup = (sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* ESRCH: the group is already gone */
    }
  };
  signalGroup('SIGTERM');
  if (child.exitCode === null && child.signalCode === null) {
    let timer;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }
  // Members that outlived the leader (or ignored SIGTERM) go now.
  signalGroup('SIGKILL');
}

/** Last-resort synchronous cleanup for process.on('exit'): SIGKILL to the group. */
export function killProcessGroupSync(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Launches Debian's Chromium through playwright-core (never `npx playwright install`). */
export async function launchChromium({ headless = true } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless,
    args: CHROMIUM_ARGS,
    // Our callers tear down code-server and the browser themselves on signals.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/**
 * Prefix of every console line that test/e2e/suite/index.ts prints while the tests run (keep the two in sync).
 * Needed because, in the browser, extension-host output and the workbench's own log messages have the same form.
 */
export const TEST_OUTPUT_MARK = '\u2063kbnav\u2063';

/**
 * Turns a page console message that may come from the extension host back into the text that was printed, or
 * returns undefined for messages of another form. In test mode the web workbench logs extension-host output as
 * console.log('%c INFO', 'color: #33f', fmt, ...args) (ERR/WARN/... likewise) and so do the workbench's own
 * log messages; `marked` tells lines of our suite runner apart. The rest is run through util.format because
 * unmarked lines (mocha's reporter in another runner) pass format strings such as '  %s'.
 *
 * @param {unknown[]} args the message's arguments as JSON values
 * @returns {{ text: string, marked: boolean } | undefined}
 */
export function extensionHostText(args) {
  const [first, , ...rest] = args;
  if (typeof first !== 'string' || !/^%c +(TRACE|DEBUG|INFO|WARN|ERR|ERROR)$/.test(first) || rest.length === 0) return undefined;
  const text = format(...rest);
  return text.startsWith(TEST_OUTPUT_MARK) ? { text: text.slice(TEST_OUTPUT_MARK.length), marked: true } : { text, marked: false };
}

/**
 * Calls onText({ text, marked }, msg) for the page's console messages in extension-host form, in order, and
 * onOther(msg) for the rest. The arguments' values arrive asynchronously, so messages are handled in a chain;
 * await flush() before reading the final state.
 */
export function relayExtensionHostConsole(page, onText, onOther = () => {}) {
  let chain = Promise.resolve();
  page.on('console', (msg) => {
    const handles = msg.args();
    chain = chain.then(async () => {
      let values;
      try {
        values = await Promise.all(handles.map((h) => h.jsonValue()));
      } catch {
        values = [msg.text()];
      }
      if (process.env.KBNAV_E2E_DEBUG_CONSOLE === '1') process.stderr.write(`[console ${msg.type()}] ${JSON.stringify(values)}\n`);
      const line = extensionHostText(values);
      if (line) onText(line, msg);
      else onOther(msg);
    });
  });
  return { flush: () => chain };
}
