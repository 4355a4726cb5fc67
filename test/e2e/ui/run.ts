// Runs the UI tests (mocha, spec reporter, one file after another: each test starts its own code-server and
// Chromium, and the machine has 2 cores) and prints "N passed, N failed" as the last line.
//
//   node out/test/e2e/ui/run.js [FILE.test.js ...]      default: every *.test.js next to this file
//
// Exit code: 0 if all passed (or there are no UI test files yet), 1 otherwise.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findFiles } from '../paths';
import { runMocha, summaryLine } from '../mochaRun';
import { disposeAll, loadCodeServerModule } from './harness';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = args.length ? args.map((f) => resolve(f)) : findFiles(__dirname, '.test.js');
  if (files.length === 0) {
    // Nothing to run is not a failure while the project has no UI tests yet; named files that do not exist are.
    console.error(`no UI tests: no *.test.js files under ${__dirname}`);
    console.log(summaryLine({ passed: 0, failed: 0, skipped: 0 }));
    return 0;
  }
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`not found: ${missing.join(', ')}`);
    console.log(summaryLine({ passed: 0, failed: missing.length, skipped: 0 }));
    return 1;
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`${sig}: closing the workbenches\n`);
      void disposeAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  // Install code-server before the first test (instant when it is there), so no hook timeout has to cover it.
  await (await loadCodeServerModule()).ensureCodeServer();
  const summary = await runMocha(files, { timeout: 120_000, slow: 15_000 });
  await disposeAll(); // in case a test file forgot to
  console.log(summaryLine(summary));
  return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err);
    await disposeAll();
    console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  },
);
