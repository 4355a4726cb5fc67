/**
 * Files that are not what they claim and workspaces that fight back, through the real file system
 * and the real CLI (temporary folders): each case must end in a clear diagnostic or stderr line and
 * a normal exit (0 or 1), never a crash, a hang or a silent skip.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import * as nodePath from 'node:path';
import { KnowledgeBase } from '../../../server/src/engine/knowledgeBase';
import { defaultSettings } from '../../../server/src/engine/config';
import { loadWorkspace } from '../../../server/src/engine/load';
import { FileSystemWorkspace } from '../../../server/src/engine/workspace';
import { Code, noCancellation } from '../../../server/src/engine/types';
import { cli, figure, permissionsEnforced, runCli, tempDir, writeTree, type CliRun } from './support';

interface Report {
  filesChecked: number;
  diagnostics: { file: string; line: number; code: string; message: string }[];
}

/** Runs `kbnav check DIR --format json` and asserts a normal end: exit 0 or 1, no signal, no stack trace, a JSON report. */
function check(dir: string, options: { args?: string[]; timeoutMs?: number; command?: string[] } = {}): { report: Report; run: CliRun } {
  const run = runCli(['check', dir, '--format', 'json', ...(options.args ?? [])], { timeoutMs: options.timeoutMs ?? 60_000, command: options.command });
  assert.equal(run.signal, null, `killed after ${run.ms.toFixed(0)} ms (a hang?)\n${run.stderr}`);
  assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace on stderr');
  return { report: JSON.parse(run.stdout) as Report, run };
}

function codesFor(report: Report, file: string): string[] {
  return report.diagnostics.filter((d) => d.file === file).map((d) => d.code);
}

describe('files that are not what they claim', () => {
  test('binary data named .md: a stderr line, the page kept as a file (links to it stay valid)', () => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[bin](bin.md) [other](other.md)\n', 'bin.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe, 0, 1, 2]), 'other.md': '# O\n' });
    const { report, run } = check(dir);
    assert.match(run.stderr, /bin\.md: binary file, not Markdown/);
    assert.deepEqual(codesFor(report, 'README.md'), []);
    assert.equal(report.filesChecked, 2);
  });

  test('invalid UTF-8 named .md: a stderr line, checked with replacement characters, and --fix never rewrites it', () => {
    const dir = tempDir();
    // Latin-1 accents, an overlong '/', an encoded surrogate, a truncated sequence: none is UTF-8.
    const bytes = Buffer.concat([Buffer.from('# Caf\xe9\n\n[a](sub\\a.md) na\xefve ', 'latin1'), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82, 0x0a])]);
    writeTree(dir, { 'README.md': '# R\n\n[l](latin1.md)\n', 'latin1.md': bytes, 'sub/a.md': '# A\n' });
    const { report, run } = check(dir);
    assert.match(run.stderr, /latin1\.md: not valid UTF-8/);
    assert.deepEqual(codesFor(report, 'latin1.md'), [Code.BackslashPath]);
    const fixed = check(dir, { args: ['--fix'] });
    assert.match(fixed.run.stderr, /latin1\.md.*not valid UTF-8/);
    assert.deepEqual(readFileSync(nodePath.join(dir, 'latin1.md')), bytes, 'the bytes are untouched');
  });

  test('a 20 MB page is checked to the end, or refused with a stderr line, in bounded time', (t) => {
    const dir = tempDir();
    const section = (i: number) => `## Sección ${i}\n\nTexto con [un enlace](README.md#r) y [otro](falta-${i % 7}.md), **negrita** y \`código\`.\n\n`;
    let page = '# Grande\n\n';
    for (let i = 0; page.length < 20 * 1024 * 1024; i++) page += section(i);
    writeTree(dir, { 'README.md': '# R\n\n[g](grande.md)\n', 'grande.md': page });
    const { report, run } = check(dir, { timeoutMs: 120_000 });
    figure(t, '20 MB page: CLI seconds', (run.ms / 1000).toFixed(1));
    const refused = /grande\.md: .*(bytes|large)/.test(run.stderr);
    assert.ok(refused || codesFor(report, 'grande.md').filter((c) => c === Code.MissingFile).length > 1000, run.stderr);
  });

  test('an empty page and a page that is only a link are checked like any other', () => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[e](empty.md) [l](link.md)\n', 'empty.md': '', 'link.md': '[x](missing.md)' });
    const { report } = check(dir);
    assert.deepEqual(codesFor(report, 'empty.md'), []);
    assert.deepEqual(codesFor(report, 'link.md'), [Code.MissingFile]);
  });

  test('names with spaces, #, %, ?, emoji and NFD accents: links written right are found, written otherwise are reported', () => {
    const dir = tempDir();
    const nfd = 'Conclusión.md'.normalize('NFD');
    writeTree(dir, {
      'README.md': [
        '# R',
        '',
        '[a](with%20space.md) [b](<with space.md>) [c](hash%23tag.md) [d](per%25cent.md) [e](what%3F.md) [f](%F0%9F%98%80%20emoji.md)',
        `[g](${encodeURI(nfd)}) [h](${nfd})`,
        '',
        '[wrong](Conclusión.md) [also wrong](hash#tag.md)',
        '',
      ].join('\n'),
      'with space.md': '# S\n',
      'hash#tag.md': '# H\n',
      'per%cent.md': '# P\n',
      'what?.md': '# W\n',
      '😀 emoji.md': '# E\n',
      [nfd]: '# C\n',
    });
    const { report } = check(dir);
    const readme = report.diagnostics.filter((d) => d.file === 'README.md');
    assert.deepEqual(readme.map((d) => [d.line, d.code]), [[6, Code.UnicodeMismatch], [6, Code.MissingFile]], JSON.stringify(readme, null, 1));
  });

  test('very long paths: a 250-character name 14 folders deep is indexed and linked', () => {
    const dir = tempDir();
    const folders = Array.from({ length: 14 }, (_, i) => `${i}${'d'.repeat(200)}`).join('/');
    const page = `${folders}/${'n'.repeat(247)}.md`;
    writeTree(dir, { 'README.md': `# R\n\n[deep](${page})\n`, [page]: `# Deep\n\n[up](${'../'.repeat(14)}README.md) [no](missing.md)\n` });
    const { report } = check(dir);
    assert.deepEqual(codesFor(report, 'README.md'), []);
    assert.deepEqual(codesFor(report, page), [Code.MissingFile]);
  });
});

describe('the workspace itself', () => {
  test('symbolic link loops end the walk, each with a stderr line', () => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[s](sub/page.md)\n', 'sub/page.md': '# P\n' });
    symlinkSync('.', nodePath.join(dir, 'here'));
    symlinkSync('..', nodePath.join(dir, 'sub', 'up'));
    symlinkSync('l2', nodePath.join(dir, 'l1'));
    symlinkSync('l1', nodePath.join(dir, 'l2'));
    symlinkSync('self.md', nodePath.join(dir, 'self.md'));
    const { report, run } = check(dir, { timeoutMs: 30_000 });
    for (const name of ['l1', 'l2', 'self.md']) assert.match(run.stderr, new RegExp(`${name.replace('.', '\\.')}: symbolic link .* not followed`));
    assert.equal(report.filesChecked, 2);
  });

  test('a symbolic link out of the workspace is not followed: a stderr line, and nothing from outside in the report', () => {
    const base = tempDir();
    const dir = nodePath.join(base, 'kb');
    const outside = nodePath.join(base, 'outside');
    writeTree(outside, { 'secret.md': '# Secret heading\n\n[leak](../../../etc/passwd)\n' });
    writeTree(dir, { 'README.md': '# R\n\n[a](out/secret.md#secret-heading) [b](secret.md)\n' });
    symlinkSync(outside, nodePath.join(dir, 'out'));
    symlinkSync(nodePath.join(outside, 'secret.md'), nodePath.join(dir, 'secret.md'));
    const { report, run } = check(dir);
    assert.match(run.stderr, /out: symbolic link that leads outside the workspace or nowhere: not followed/);
    assert.match(run.stderr, /secret\.md: symbolic link that leads outside the workspace or nowhere: not followed/);
    assert.deepEqual(codesFor(report, 'README.md'), [Code.MissingFile, Code.MissingFile]);
    assert.ok(report.diagnostics.every((d) => !d.file.includes('secret') && !/Secret heading|passwd/.test(d.message)), JSON.stringify(report.diagnostics));
    assert.equal(report.filesChecked, 1);
  });

  test('unreadable files and folders (permission denied): a stderr line each, the rest checked', (t) => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[l](locked.md) [p](private/page.md)\n', 'locked.md': '# L\n', 'private/page.md': '# P\n', 'open.md': '[r](README.md)\n' });
    chmodSync(dir, 0o755);
    chmodSync(nodePath.join(dir, 'locked.md'), 0o000);
    chmodSync(nodePath.join(dir, 'private'), 0o000);
    let command: string[] | undefined;
    if (!permissionsEnforced()) {
      // Root reads anything: run the CLI as nobody when the system can, else say why this is skipped.
      const setpriv = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cli)})`]);
      if (setpriv.status !== 0) {
        t.skip('running as root, where permissions are not enforced, and setpriv cannot drop to nobody');
        return;
      }
      command = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath];
    }
    const { report, run } = check(dir, { args: ['--no-cache'], command });
    chmodSync(nodePath.join(dir, 'private'), 0o755);
    assert.match(run.stderr, /locked\.md: .*EACCES|locked\.md: .*permission denied/i);
    assert.match(run.stderr, /private: .*EACCES|private: .*permission denied/i);
    assert.ok(report.diagnostics.some((d) => d.file === 'README.md' && d.code === Code.MissingFile), 'the page in the unreadable folder is unknown: its link is reported');
    assert.equal(report.filesChecked, 2);
  });

  test('a FIFO named .md, directly or through a link, is not read (reading would wait forever): a stderr line each', () => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[p](pipe.md) [l](link.md)\n' });
    const mkfifo = spawnSync('mkfifo', [nodePath.join(dir, 'pipe.md')]);
    assert.equal(mkfifo.status, 0, 'mkfifo');
    symlinkSync('pipe.md', nodePath.join(dir, 'link.md'));
    const { run } = check(dir, { timeoutMs: 20_000 });
    assert.match(run.stderr, /pipe\.md: not a regular file/);
    assert.match(run.stderr, /link\.md: not a regular file/);
  });

  test('a page deleted and one renamed while the index is built: reported, the rest indexed', async () => {
    const dir = tempDir();
    writeTree(dir, { 'README.md': '# R\n\n[a](a.md) [b](b.md) [c](c.md)\n', 'a.md': '# A\n', 'b.md': '# B\n', 'c.md': '# C\n' });
    /** Deletes b.md and renames c.md between the listing and the reading, as a `git checkout` would. */
    class ChangingWorkspace extends FileSystemWorkspace {
      override async readFile(path: string): Promise<string> {
        if (path === 'README.md') {
          unlinkSync(nodePath.join(dir, 'b.md'));
          renameSync(nodePath.join(dir, 'c.md'), nodePath.join(dir, 'd.md'));
        }
        return super.readFile(path);
      }
    }
    const kb = new KnowledgeBase(dir, defaultSettings('en'));
    const workspace = new ChangingWorkspace(dir);
    const problems = await loadWorkspace(kb, workspace, { token: noCancellation, concurrency: 1 });
    assert.deepEqual(problems.map((p) => p.path).sort(), ['b.md', 'c.md']);
    assert.ok(problems.every((p) => /ENOENT|no such file/.test(p.message)), JSON.stringify(problems));
    assert.deepEqual(kb.pagePaths().sort(), ['README.md', 'a.md']);
  });

  test('10,000 files in one folder are indexed and checked in bounded time', (t) => {
    const dir = tempDir();
    const files: Record<string, string> = { 'README.md': '# R\n\n[first](notes/p00000.md)\n' };
    for (let i = 0; i < 10_000; i++) {
      const name = (n: number) => `p${String(n).padStart(5, '0')}.md`;
      files[`notes/${name(i)}`] = `# P${i}\n\n${i ? `[P${i - 1} ⬅️](${name(i - 1)})` : ''} [P${i + 1} ➡️](${name(i + 1)})\n`;
    }
    writeTree(dir, files);
    const { report, run } = check(dir, { timeoutMs: 120_000 });
    figure(t, '10,000 files: CLI seconds', (run.ms / 1000).toFixed(1));
    assert.equal(report.filesChecked, 10_001);
    assert.deepEqual(report.diagnostics.map((d) => `${d.file} ${d.code}`), ['notes/p09999.md missing-file']);
  });

  test('a workspace with no Markdown at all: zero files checked, exit 0', () => {
    const dir = tempDir();
    writeTree(dir, { 'notes.txt': 'x', 'img/a.png': Buffer.from([0x89, 0x50]) });
    const { report, run } = check(dir);
    assert.equal(run.code, 0);
    assert.equal(report.filesChecked, 0);
    const text = runCli(['check', dir]);
    assert.match(text.stdout, /0 problem\(s\) in 0 file\(s\) checked/);
  });

  test('a folder that does not exist, or a file given as the folder: exit 2 with a clear line', () => {
    const dir = tempDir();
    writeTree(dir, { 'a.md': '# A\n' });
    for (const target of [nodePath.join(dir, 'missing'), nodePath.join(dir, 'a.md')]) {
      const run = runCli(['check', target]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /Not a folder/);
      assert.ok(!existsSync(nodePath.join(dir, 'missing')));
    }
  });
});
