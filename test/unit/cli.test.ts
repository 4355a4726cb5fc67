import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = process.cwd();
const cli = path.join(repo, 'dist/cli.js');

const scratch = mkdtempSync(path.join(tmpdir(), 'kbnav-cli-'));
const cacheRoot = path.join(scratch, 'cache');

function kbnav(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', KBNAV_CACHE_DIR: cacheRoot, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh copy of a small knowledge base with one problem of several kinds. */
function fixture(): string {
  const dir = mkdtempSync(path.join(scratch, 'kb-'));
  const files: Record<string, string> = {
    'README.md': '# Curso\n\n- [Origen 📎](VM/OrigenVM.md)\n- [Hipervisores 📎](VM\\HipervisoresVM.md)\n- [Docker 📎](Docker/Docker.md)\n',
    'VM/OrigenVM.md': '\uFEFF# Origen de las Máquinas Virtuales\r\n\r\n[Hipervisores ➡️](hipervisoresvm.md)\r\n',
    'VM/HipervisoresVM.md': '[Origen de las Máquinas Virtuales ⬅️](OrigenVM.md)\n\n# Hipervisores\n\n## Configuración\n',
    'Docker/Docker.md': '# Docker\n\nVer [configuración](../VM/HipervisoresVM.md#configuracion) y [falta](Falta.md).\n',
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

describe('kbnav check', () => {
  before(() => assert.ok(existsSync(cli), 'run `node scripts/build.mjs` first'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('prints path:line:col severity code message and a summary; exits 1 on errors', () => {
    const { code, stdout } = kbnav(['check', fixture()]);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1).map((l) => l.split(' ').slice(0, 3).join(' ')), [
      'Docker/Docker.md:3:21 warning missing-fragment',
      'Docker/Docker.md:3:70 error missing-file',
      'README.md:4:21 error backslash-path',
      'VM/OrigenVM.md:3:19 error case-mismatch',
    ]);
    assert.match(lines.at(-1)!, /^4 problem\(s\) in 4 file\(s\) checked: 3 error\(s\), 1 warning\(s\), 0 other$/);
  });

  test('speaks Spanish after LANG or --lang', () => {
    assert.match(kbnav(['check', fixture()], { LANG: 'es_ES.UTF-8' }).stdout, /“Falta.md” no existe/);
    assert.match(kbnav(['check', fixture(), '--lang', 'es']).stdout, /problema\(s\)/);
    assert.match(kbnav(['check', fixture(), '--lang=en'], { LANG: 'es_ES.UTF-8' }).stdout, /does not exist/);
  });

  test('json has exactly the documented shape, 1-based', () => {
    const dir = fixture();
    const { code, stdout } = kbnav(['check', dir, '--format', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.deepEqual(Object.keys(report), ['root', 'filesChecked', 'diagnostics']);
    assert.equal(report.root, dir);
    assert.equal(report.filesChecked, 4);
    const backslash = report.diagnostics.find((d: { code: string }) => d.code === 'backslash-path');
    assert.deepEqual(Object.keys(backslash), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message', 'fixes']);
    assert.deepEqual(backslash.fixes, [
      { title: 'Use forward slashes: “VM/HipervisoresVM.md”', safe: true, edits: [{ file: 'README.md', line: 4, column: 21, endLine: 4, endColumn: 41, newText: 'VM/HipervisoresVM.md' }] },
    ]);
  });

  test('sarif is SARIF 2.1.0 with rules, results, regions and fixes', () => {
    const sarif = JSON.parse(kbnav(['check', fixture(), '--format', 'sarif']).stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'kbnav');
    assert.equal(run.tool.driver.rules.length, 13);
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'case-mismatch');
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation, { artifactLocation: { uri: 'VM/OrigenVM.md', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 19, endLine: 3, endColumn: 36 } });
    assert.equal(result.fixes[0].artifactChanges[0].replacements[0].insertedContent.text, 'HipervisoresVM.md');
  });

  test('--fix applies the safe fixes, keeps BOM and CRLF, and reports what remains', () => {
    const dir = fixture();
    const { code, stdout } = kbnav(['check', dir, '--fix']);
    assert.match(stdout, /fixed: VM\/OrigenVM.md \(1 change\(s\)\)/);
    assert.equal(readFileSync(path.join(dir, 'VM/OrigenVM.md'), 'utf8'), '\uFEFF# Origen de las Máquinas Virtuales\r\n\r\n[Hipervisores ➡️](HipervisoresVM.md)\r\n');
    assert.match(readFileSync(path.join(dir, 'README.md'), 'utf8'), /\[Hipervisores 📎\]\(VM\/HipervisoresVM.md\)/);
    assert.match(readFileSync(path.join(dir, 'Docker/Docker.md'), 'utf8'), /#configuración\)/);
    assert.equal(code, 1, 'the missing page is not fixed in bulk');
    assert.deepEqual(readdirSync(path.join(dir, 'VM')).sort(), ['HipervisoresVM.md', 'OrigenVM.md'], 'no temporary files left');
    const again = kbnav(['check', dir, '--fix']);
    assert.match(again.stdout, /0 safe fix\(es\) applied in 0 file\(s\)/);
  });

  test('exits 0 without errors, 2 on bad usage or a missing folder', () => {
    const dir = fixture();
    writeFileSync(path.join(dir, '.kbnav.json'), JSON.stringify({ severity: { 'missing-file': 'warning', 'backslash-path': 'off', 'case-mismatch': 'warning' } }));
    assert.equal(kbnav(['check', dir]).code, 0);
    assert.equal(kbnav(['check', dir, '--format', 'xml']).code, 2);
    assert.equal(kbnav(['check', dir, '--bogus']).code, 2);
    const missing = kbnav(['check', path.join(dir, 'no-such-folder')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Not a folder/);
  });

  test('a .kbnav.json it cannot use stops the run with exit code 2 and says why, in the language asked for', () => {
    const dir = fixture();
    writeFileSync(path.join(dir, '.kbnav.json'), JSON.stringify({ severity: { 'missing-files': 'off' } }));
    const typo = kbnav(['check', dir]);
    assert.deepEqual([typo.code, typo.stdout], [2, '']);
    assert.match(typo.stderr, /Bad settings, nothing checked: \.kbnav\.json: severity\.missing-files: unknown code/);
    assert.match(kbnav(['check', dir, '--lang', 'es']).stderr, /Ajustes no válidos, no se comprobó nada: \.kbnav\.json/);

    writeFileSync(path.join(dir, '.kbnav.json'), '{ "severity": ');
    assert.match(kbnav(['check', dir]).stderr, /\.kbnav\.json: .*JSON/);

    // A link that leads out of the knowledge base is not read.
    const outside = path.join(scratch, `outside-${path.basename(dir)}.json`);
    writeFileSync(outside, JSON.stringify({ severity: { 'missing-file': 'off' } }));
    rmSync(path.join(dir, '.kbnav.json'));
    symlinkSync(outside, path.join(dir, '.kbnav.json'));
    const linked = kbnav(['check', dir]);
    assert.equal(linked.code, 2);
    assert.match(linked.stderr, /\.kbnav\.json: leads outside the workspace/);
  });

  test('a warm run from the facts cache reports the same; a damaged cache is ignored and rewritten', () => {
    const dir = fixture();
    const cacheDir = mkdtempSync(path.join(scratch, 'cache-'));
    const cold = kbnav(['check', dir, '--format', 'json', '--cache-dir', cacheDir]);
    const file = path.join(cacheDir, readdirSync(cacheDir)[0]);
    assert.ok(readFileSync(file).length > 0);
    const warm = kbnav(['check', dir, '--format', 'json', '--cache-dir', cacheDir]);
    assert.equal(warm.stdout, cold.stdout);
    writeFileSync(path.join(dir, 'VM/OrigenVM.md'), '# Origen\n\n[nada](nada.md)\n');
    const changed = kbnav(['check', dir, '--format', 'json', '--cache-dir', cacheDir]);
    assert.equal(changed.stdout, kbnav(['check', dir, '--format', 'json', '--no-cache']).stdout);
    writeFileSync(file, 'not a cache');
    // Read once a page changed (a run on an unchanged workspace does not open it): ignored, and rewritten.
    writeFileSync(path.join(dir, 'VM/OrigenVM.md'), '# Origen\n\n[nada](otra.md)\n');
    assert.equal(kbnav(['check', dir, '--format', 'json', '--cache-dir', cacheDir]).stdout, kbnav(['check', dir, '--format', 'json', '--no-cache']).stdout);
    assert.notEqual(readFileSync(file, 'utf8'), 'not a cache');
  });

  test('parsing on worker threads gives the same report as parsing on the main thread', () => {
    const dir = fixture();
    for (let i = 0; i < 400; i++) {
      writeFileSync(path.join(dir, `VM/nota${i}.md`), `# Nota ${i}\n\n[Anterior ⬅️](nota${i - 1}.md) [Siguiente ➡️](nota${i + 1}.md) [x](../Docker/Docker.md#docker)\n`);
    }
    // A page whose facts are more numbers than the pool copies them into at once (2^18), between pages that are not.
    writeFileSync(path.join(dir, 'VM/nota200.md'), `# Nota 200\n\n${Array.from({ length: 15_000 }, (_, i) => `[enlace ${i}](${i % 1000 ? `nota${i % 400}.md#nota-${i % 400}` : `falta${i}.md`})`).join('\n')}\n`);
    const threads = kbnav(['check', dir, '--format', 'json', '--no-cache']);
    const single = kbnav(['check', dir, '--format', 'json', '--no-cache'], { KBNAV_WORKERS: '0' });
    assert.equal(JSON.parse(threads.stdout).filesChecked, 404);
    assert.equal(JSON.parse(threads.stdout).diagnostics.filter((d: { file: string; message: string }) => d.file === 'VM/nota200.md' && /falta/.test(d.message)).length, 15);
    assert.equal(threads.stdout, single.stdout);
  });
});
