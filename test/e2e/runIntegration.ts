// Integration tests in a real VS Code: @vscode/test-electron's runTests() with test/e2e/driver.mjs as the
// "VS Code executable" (code-server 4.100.3 = VS Code 1.100.3 in headless Chromium; no desktop VS Code can be had
// here). The tests run in the extension host with the full `vscode` API.
//
//   node out/test/e2e/runIntegration.js FIXTURE_DIR [--extensionDevelopmentPath=DIR] [--extensionTestsPath=FILE]
//
// FIXTURE_DIR is copied to a temp dir that is opened as the workspace, so tests may change files. Defaults: the repo
// as the extension, out/test/e2e/suite/index.js as the test runner. Exit code: 0 passed, else the driver's code
// (1 failed tests, 2 timeout, 3 no extension host, 4 could not start). The last line is "N passed, N failed".
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { findRepoRoot } from './paths';

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const repo = findRepoRoot();
  const fixture = args.find((a) => !a.startsWith('--'));
  if (!fixture || !existsSync(fixture)) {
    console.error(`usage: node out/test/e2e/runIntegration.js FIXTURE_DIR [--extensionDevelopmentPath=DIR] [--extensionTestsPath=FILE]${fixture ? `\nnot found: ${fixture}` : ''}`);
    return 4;
  }
  const extensionDevelopmentPath = resolve(option(args, 'extensionDevelopmentPath') ?? repo);
  const extensionTestsPath = resolve(option(args, 'extensionTestsPath') ?? join(repo, 'out', 'test', 'e2e', 'suite', 'index.js'));
  if (!existsSync(extensionTestsPath)) {
    console.error(`not found: ${extensionTestsPath} (build it with: node scripts/build.mjs --tests)`);
    return 4;
  }

  // test-electron spawns the executable directly (no shell), so it must have its x bit.
  const driver = join(repo, 'test', 'e2e', 'driver.mjs');
  try {
    accessSync(driver, constants.X_OK);
  } catch {
    chmodSync(driver, 0o755);
  }

  const work = mkdtempSync(join(tmpdir(), 'kbnav-e2e-'));
  const workspace = join(work, basename(resolve(fixture)));
  cpSync(fixture, workspace, { recursive: true });
  // The driver writes the suite's summary line here so that it can be printed after test-electron's own lines.
  const summaryFile = join(work, 'summary.txt');

  let code = 0;
  try {
    await runTests({
      vscodeExecutablePath: driver,
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [workspace],
      extensionTestsEnv: { KBNAV_E2E_SUMMARY_FILE: summaryFile },
    });
  } catch (err) {
    code = err instanceof TestRunFailedError ? (err.code ?? 1) : 4;
    console.error(err instanceof TestRunFailedError ? err.message : `runTests failed: ${err}`);
  }
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8').trim() : '';
  rmSync(work, { recursive: true, force: true });
  if (summary) console.log(summary);
  else if (code === 0) {
    console.error('the tests passed but printed no summary line');
    code = 1;
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(4);
  },
);
