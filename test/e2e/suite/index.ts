// The extensionTestsPath module: VS Code's extension host calls run() and reports its outcome (resolve = exit 0,
// reject = exit 1) to the driver through window.codeAutomationExit. Loads every *.test.js next to this file.
import { format } from 'node:util';
import Mocha from 'mocha';
import { findFiles } from '../paths';
import { runMocha, summaryLine } from '../mochaRun';

/**
 * Prefix of every console line printed while the tests run. In the browser, extension-host output and the
 * workbench's own log messages look the same ('%c INFO', 'color: #33f', ...); the driver relays only marked lines.
 * Keep in sync with TEST_OUTPUT_MARK in test/e2e/codeServer.mjs.
 */
const TEST_OUTPUT_MARK = '\u2063kbnav\u2063';

/** Marks console output until the returned function is called; lines are formatted here, in Node. */
function markConsole(): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  // The extension host forwards console calls to the workbench through accessor properties whose setters
  // ignore assignment, so the properties are redefined, and their descriptors restored afterwards.
  const descriptors = methods.map((m) => Object.getOwnPropertyDescriptor(console, m));
  methods.forEach((m) => {
    const forward = console[m];
    const marked = (...args: unknown[]) => forward.call(console, `${TEST_OUTPUT_MARK}%s`, format(...args));
    Object.defineProperty(console, m, { value: marked, writable: true, configurable: true });
  });
  // Mocha's reporters keep the console.log they saw when mocha was loaded.
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const mochaLog = base.consoleLog;
  base.consoleLog = console.log;
  return () => {
    methods.forEach((m, i) => descriptors[i] && Object.defineProperty(console, m, descriptors[i]));
    base.consoleLog = mochaLog;
  };
}

export async function run(): Promise<void> {
  const restore = markConsole();
  try {
    const files = findFiles(__dirname, '.test.js');
    const grep = process.env.KBNAV_E2E_GREP; // environment variables of code-server reach the extension host
    const summary = await runMocha(files, { timeout: 60_000, ...(grep ? { grep } : {}) });
    // The last line of the run; the driver prints it again as its own last line.
    console.log(summaryLine(summary));
    if (files.length === 0) throw new Error(`no *.test.js files found under ${__dirname}`);
    if (summary.failed > 0) throw new Error(`${summary.failed} test(s) failed`);
    if (summary.passed === 0) throw new Error('no test ran');
  } finally {
    restore();
  }
}
