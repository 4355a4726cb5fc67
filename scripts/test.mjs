#!/usr/bin/env node
// `npm test`: every suite of the project, in order, and one summary line at the end.
//
//   1. build the bundles and the test files            node scripts/build.mjs --tests
//   2. type-check everything                            tsc -b
//   3. engine, CLI, grammar, reliability and LSP        node --test out/test/unit/ out/test/server/
//      contract tests (Node's test runner)
//   4. integration tests in a real VS Code              node out/test/e2e/runIntegration.js test/fixtures/editor-kb
//      (code-server; installed on first use)
//   5. UI tests with Playwright in Chromium             node out/test/e2e/ui/run.js
//   6. the .vsix installs into code-server and runs     node --test test/e2e/vsix.test.mjs
//
// The last line is `N passed, N failed` over all suites. `--only unit|e2e` runs a part.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const totals = { passed: 0, failed: 0 };
const failures = [];

/** Runs a command, streams its output, returns its exit code and the output's text. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

function heading(text) {
  process.stdout.write(`\n=== ${text} ===\n`);
}

/** Adds a suite's counts from its `N passed, N failed` line; a suite that crashed without one counts as one failure. */
function count(name, { code, output }) {
  const match = [...output.matchAll(/^(\d+) passed, (\d+) failed(?:, \d+ skipped)?$/gm)].at(-1);
  if (match) {
    totals.passed += Number(match[1]);
    totals.failed += Number(match[2]);
    if (Number(match[2]) > 0 || code !== 0) failures.push(name);
    if (code !== 0 && Number(match[2]) === 0) totals.failed += 1;
  } else if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

/** Runs files with Node's test runner (spec output for people, TAP to a file for the counts). */
async function nodeTests(name, paths) {
  mkdirSync('out', { recursive: true });
  const tap = join('out', `${name.replace(/\W+/g, '-')}.tap`);
  const result = await run(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...paths]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const pass = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
  count(name, { code: result.code, output: `${pass} passed, ${fail} failed\n` });
}

heading('build');
const build = await run(process.execPath, ['scripts/build.mjs', '--tests']);
count('build', build);

if (build.code === 0) {
  heading('type-check (tsc -b)');
  count('type-check', await run(process.execPath, ['node_modules/typescript/bin/tsc', '-b']));

  if (!only || only === 'unit') {
    heading('engine, CLI, grammar, reliability, LSP contract (node --test)');
    await nodeTests('node --test', ['out/test/unit/', 'out/test/server/'].filter((d) => existsSync(d)));
  }

  if (!only || only === 'e2e') {
    heading('real VS Code: set up code-server');
    const setup = await run(process.execPath, ['scripts/setup-code-server.mjs']);
    count('setup code-server', setup);
    if (setup.code === 0) {
      heading('integration tests in VS Code (code-server)');
      count('integration', await run(process.execPath, ['out/test/e2e/runIntegration.js', 'test/fixtures/editor-kb']));
      if (existsSync('out/test/e2e/ui/run.js')) {
        heading('UI tests (Playwright + Chromium + code-server)');
        count('ui', await run(process.execPath, ['out/test/e2e/ui/run.js']));
      }
      heading('the .vsix: contents, install into code-server, its server starts');
      await nodeTests('vsix', ['test/e2e/vsix.test.mjs']);
    }
  }
}

if (failures.length) process.stdout.write(`\nfailed suites: ${failures.join(', ')}\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
process.exitCode = totals.failed ? 1 : 0;
