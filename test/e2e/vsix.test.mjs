// The .vsix that `npm run package` builds: what it carries, that it installs into a real VS Code
// (code-server, with `--install-extension`, as `code --install-extension` does), and that the
// language server inside it starts and answers.
//
//   node --test test/e2e/vsix.test.mjs      (after node scripts/setup-code-server.mjs)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { codeServerEntry } from '../../scripts/setup-code-server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(repo, 'package.json'), 'utf8')));
const vsix = join(repo, `kb-navigator-${manifest.version}.vsix`);
const work = mkdtempSync(join(tmpdir(), 'kbnav-vsix-'));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', ...options });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** code-server's own CLI, with throwaway user data and extension folders and an empty config. */
function codeServer(...args) {
  const config = join(work, 'config.yaml');
  writeFileSync(config, '');
  return run(process.execPath, [codeServerEntry, '--config', config, '--user-data-dir', join(work, 'data'), '--extensions-dir', join(work, 'extensions'), ...args]);
}

describe('the .vsix', () => {
  before(() => {
    assert.ok(existsSync(codeServerEntry), 'run node scripts/setup-code-server.mjs first');
    rmSync(vsix, { force: true });
    run('npm', ['run', 'package'], { stdio: ['ignore', 'pipe', 'pipe'] });
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(vsix, { force: true });
    // Back to the development bundles (with source maps) for whatever runs next.
    run(process.execPath, ['scripts/build.mjs']);
  });

  test('carries the bundles, the settings file schemas, grammar, manifest, translations, icon and docs, and nothing else', () => {
    const files = run(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies']).trim().split('\n').sort();
    for (const required of ['dist/extension.js', 'dist/server.js', 'dist/parseWorker.js', 'dist/kbnav.schema.json', 'dist/kbnav.schema.es.json', 'package.json', 'package.nls.json', 'package.nls.es.json', 'l10n/bundle.l10n.es.json', 'syntaxes/kbnav-navigation.tmLanguage.json', 'images/icon.png', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
      assert.ok(files.includes(required), `${required} is in the package`);
    }
    const unexpected = files.filter((f) => !/^(dist\/[\w]+\.js|dist\/kbnav\.schema(\.es)?\.json$|syntaxes\/|package(\.nls(\.es)?)?\.json$|l10n\/|images\/|media\/|README(\.es)?\.md$|CHANGELOG\.md$|LICENSE$)/.test(f));
    assert.deepEqual(unexpected, []);
    assert.ok(statSync(vsix).size < 1024 * 1024, `small: ${statSync(vsix).size} bytes`);
  });

  test('installs into VS Code (code-server) with --install-extension', () => {
    codeServer('--install-extension', vsix);
    const listed = codeServer('--list-extensions', '--show-versions');
    assert.match(listed, new RegExp(`^${manifest.publisher}\\.${manifest.name}@${manifest.version.replace(/\./g, '\\.')}$`, 'm'));
    const installed = readdirSync(join(work, 'extensions')).find((d) => d.startsWith(`${manifest.publisher}.${manifest.name}-`));
    assert.ok(installed && existsSync(join(work, 'extensions', installed, 'dist', 'server.js')));
  });

  test('its language server starts and answers initialize over stdio', async () => {
    const installed = readdirSync(join(work, 'extensions')).find((d) => d.startsWith(`${manifest.publisher}.${manifest.name}-`));
    const server = spawn(process.execPath, [join(work, 'extensions', installed, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const reply = await new Promise((resolveReply, reject) => {
      let data = '';
      const timer = setTimeout(() => reject(new Error(`no answer: ${data}`)), 15_000);
      server.stdout.on('data', (chunk) => {
        data += chunk;
        const match = /Content-Length: (\d+)\r\n\r\n/.exec(data);
        if (match && Buffer.byteLength(data.slice(match.index + match[0].length)) >= Number(match[1])) {
          clearTimeout(timer);
          resolveReply(JSON.parse(data.slice(match.index + match[0].length)));
        }
      });
    });
    server.kill();
    assert.equal(reply.id, 1);
    assert.equal(reply.result.serverInfo.name, 'kb-navigator');
  });
});
