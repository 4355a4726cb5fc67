#!/usr/bin/env node
// Runs VS Code extension integration tests in the real VS Code workbench: code-server 4.100.3 (= VS Code 1.100.3)
// served to headless Chromium. No desktop VS Code can be downloaded on our machines; this stands in for it.
//
// Two ways to use it:
//   node test/e2e/driver.mjs --extensionDevelopmentPath=EXT --extensionTestsPath=EXT/out/suite/index.js [FOLDER]
//   as @vscode/test-electron's `vscodeExecutablePath` (this file is executable): runTests() spawns it with
//   --extensionTestsPath=… --extensionDevelopmentPath=… --extensions-dir=… --user-data-dir=… plus launchArgs.
//   Flags it does not know (--no-sandbox, --disable-updates, --user-data-dir, …) are ignored: every run gets
//   fresh temp dirs.
//
// Exit codes: 0 tests passed, 1 tests failed, 2 timeout, 3 no extension host could run the tests,
// 4 the run could not start (code-server or Chromium failed). Extension-host console output (the mocha spec
// reporter) goes to stdout; everything else about the run goes to stderr. The suite's "N passed, N failed" line is
// printed again as the last line of stdout.
//
// Options: --timeout=MS (or KBNAV_E2E_TIMEOUT_MS; default 300000). Environment: KBNAV_E2E_KEEP=1 keeps the temp
// dir with the logs (failed runs always keep it), KBNAV_E2E_VERBOSE=1 also prints the workbench's own console
// messages to stderr, KBNAV_E2E_DEBUG_CONSOLE=1 dumps every page console message raw, KBNAV_E2E_HEADED=1 shows
// the browser (needs a display), KBNAV_E2E_SUMMARY_FILE=PATH also writes the summary line there (runIntegration
// prints it after test-electron's own lines). All other variables reach code-server and so the tests.
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ensureCodeServer,
  startCodeServer,
  launchChromium,
  relayExtensionHostConsole,
  killProcessGroupSync,
  NO_EXTENSION_HOST,
} from './codeServer.mjs';

export const EXIT = { PASS: 0, FAIL: 1, TIMEOUT: 2, NO_EXTENSION_HOST: 3, SETUP: 4 };
const SUMMARY = /^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?$/;

/** Reads the flags we know, in both --flag=value and --flag value forms; ignores the rest. */
export function parseArgs(argv) {
  const opts = { extensionDevelopmentPath: [], extensionTestsPath: undefined, folder: undefined, timeoutMs: undefined };
  const valued = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'timeout']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      // A positional argument: the folder (or file's folder) to open. Only the first is used.
      opts.folder ??= arg;
      continue;
    }
    const [, name, inline] = m;
    if (!valued.has(name)) continue; // unknown flag: test-electron's --no-sandbox, --user-data-dir=…, …
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === 'extensionDevelopmentPath') opts.extensionDevelopmentPath.push(value);
    else if (name === 'extensionTestsPath') opts.extensionTestsPath = value;
    else opts.timeoutMs = Number(value);
  }
  return opts;
}

function err(line) {
  process.stderr.write(`[driver] ${line}\n`);
}

/**
 * Runs one test session and resolves with the exit code. Never rejects: set-up failures give EXIT.SETUP.
 */
export async function runDriver(argv) {
  const started = Date.now();
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    err(e.message);
    return EXIT.SETUP;
  }
  const abs = (p) => (isAbsolute(p) ? p : resolve(p));
  const devPaths = opts.extensionDevelopmentPath.map(abs);
  const testsPath = opts.extensionTestsPath && abs(opts.extensionTestsPath);
  const folder = opts.folder && abs(opts.folder);
  const timeoutMs = opts.timeoutMs ?? (Number(process.env.KBNAV_E2E_TIMEOUT_MS) || 300_000);
  if (!testsPath || devPaths.length === 0) {
    err('usage: driver.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]');
    return EXIT.SETUP;
  }
  for (const p of [...devPaths, testsPath, ...(folder ? [folder] : [])]) {
    if (!existsSync(p)) {
      err(`not found: ${p}`);
      return EXIT.SETUP;
    }
  }

  let server;
  let browser;
  let summary;
  let sawMarked = false;
  let lastLine; // last line written to stdout
  const unmarked = [];
  const verbose = process.env.KBNAV_E2E_VERBOSE === '1';
  // If the driver itself is interrupted (test-electron sends SIGINT on Ctrl+C), tear everything down first.
  const onSignal = (sig) => {
    err(`${sig}: stopping`);
    teardown()
      .then(() => server?.removeWorkDir())
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  const onExit = () => server && killProcessGroupSync(server.pid);
  let tornDown = false;
  async function teardown() {
    if (tornDown) return;
    tornDown = true;
    await browser?.close().catch(() => {});
    await server?.stop();
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);
  process.on('exit', onExit);

  let code;
  try {
    const entry = await ensureCodeServer();
    server = await startCodeServer({ entry });
    err(`code-server on ${server.baseUrl} (pid ${server.pid}, ${Date.now() - started} ms), temp dir ${server.workDir}`);
    browser = await launchChromium({ headless: process.env.KBNAV_E2E_HEADED !== '1' });
    const page = await browser.newPage();

    let finish;
    const outcome = new Promise((r) => (finish = r));
    // Must exist before the workbench loads: it calls window.codeAutomationExit(code) when run() settles.
    await page.exposeFunction('codeAutomationExit', (exitCode) => finish({ code: exitCode === 0 ? EXIT.PASS : EXIT.FAIL }));
    const relay = relayExtensionHostConsole(
      page,
      ({ text, marked }) => {
        if (marked) {
          sawMarked = true;
          process.stdout.write(`${text}\n`);
          lastLine = text.trim().split('\n').pop();
          if (SUMMARY.test(lastLine)) summary = lastLine;
        } else {
          // Either the workbench's own log or output of a runner other than test/e2e/suite/index.ts.
          unmarked.push(text);
          if (verbose) err(`[log] ${text}`);
        }
      },
      (msg) => {
        const text = msg.text();
        if (text.includes(NO_EXTENSION_HOST)) finish({ code: EXIT.NO_EXTENSION_HOST, why: text });
        else if (verbose) err(`[page ${msg.type()}] ${text}`);
      },
    );
    page.on('pageerror', (e) => verbose && err(`[pageerror] ${e.message}`));
    page.on('crash', () => finish({ code: EXIT.SETUP, why: 'the page crashed' }));

    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r({ code: EXIT.TIMEOUT, why: `no result within ${timeoutMs} ms` }), timeoutMs)));
    const payload = [
      ...devPaths.map((p) => ['extensionDevelopmentPath', server.remoteUri(p)]),
      ['extensionTestsPath', server.remoteUri(testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    await page.goto(server.url({ folder, payload }));
    const result = await Promise.race([outcome, timeout]);
    clearTimeout(timer);
    await relay.flush();
    code = result.code;
    if (result.why) err(result.why);
  } catch (e) {
    err(`could not run the tests: ${e.stack ?? e}`);
    code = EXIT.SETUP;
  }

  if (!sawMarked && unmarked.length && (code === EXIT.PASS || code === EXIT.FAIL)) {
    // The run finished but its runner did not mark its output (it is not test/e2e/suite/index.ts): print every
    // extension-host-form line, workbench log lines included, so that nothing the tests printed is lost.
    err('the test runner did not mark its output; printing all extension-host-form console lines');
    for (const text of unmarked) {
      process.stdout.write(`${text}\n`);
      lastLine = text.trim().split('\n').pop();
      if (SUMMARY.test(lastLine)) summary = lastLine;
    }
  } else if (!sawMarked && unmarked.length && !verbose) {
    err(`the tests printed nothing; the workbench logged:\n${unmarked.map((t) => `    ${t.split('\n')[0]}`).join('\n')}`);
  }
  const keep = process.env.KBNAV_E2E_KEEP === '1' || code !== EXIT.PASS;
  await teardown();
  if (server) {
    if (keep) err(`logs kept in ${server.workDir} (code-server.log, data/logs/)`);
    else server.removeWorkDir();
  }
  process.removeListener('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(sig, onSignal);
  err(`exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (process.env.KBNAV_E2E_SUMMARY_FILE && summary) writeFileSync(process.env.KBNAV_E2E_SUMMARY_FILE, `${summary}\n`);
  // The summary closes stdout (it usually does already: everything else the driver says goes to stderr).
  if (summary && lastLine !== summary) process.stdout.write(`${summary}\n`);
  return code;
}

// Run when executed directly (node driver.mjs … or as test-electron's executable).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const code = await runDriver(process.argv.slice(2));
  // Exit explicitly: a keep-alive socket must not keep a finished run alive. Pipe writes are synchronous on Linux.
  process.exit(code);
}
