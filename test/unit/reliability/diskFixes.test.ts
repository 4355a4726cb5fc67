/**
 * Fixes written to disk never lose text and never leave the workspace: `applyFixesToDisk` (what
 * `kbnav check --fix` runs) tested directly with real files — atomic writes, files changed since they
 * were read, crafted fixes that climb out, a failure or a kill between two files — with every file
 * system call recorded so that anything touched outside the root is caught.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fsModule from 'node:fs';
import { existsSync, readFileSync, readdirSync, realpathSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import fc from 'fast-check';
import { applyFixesToDisk } from '../../../server/src/engine/applyFixes';
import { checkWorkspace } from '../../../server/src/engine/checkWorkspace';
import { selectSafeFixes } from '../../../server/src/engine/fixes';
import { hashText } from '../../../server/src/engine/parse';
import type { Fix } from '../../../server/src/engine/types';
import { knowledgeBase } from './markdown';
import { applyFixAll, indexKnowledgeBase } from './properties';
import { cli, figure, outsideTouches, tempDir, writeTree } from './support';

const promises = fsModule.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Every file under `dir` with its bytes, for before/after comparisons. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir, { recursive: true }).map(String)) {
    const path = nodePath.join(dir, name);
    try {
      files.set(name, readFileSync(path).toString('base64'));
    } catch {
      files.set(name, '(folder)');
    }
  }
  return files;
}

const figures = { diskCases: 0, filesWritten: 0, textLost: 0, outsideTouched: 0, calls: 0 };
const zero = { line: 0, character: 0 };

describe('fixes written to disk', () => {
  after(() => {
    // Printed once for FIGURES.md; the assertions above are what fails a run.
    process.stdout.write(`# disk-fix figures ${JSON.stringify(figures)}\n`);
  });

  test('fix-all on disk changes only the ranges its edits name, BOM and line endings included; the same fixes again change nothing', async (t) => {
    const runs = Number(process.env.KBNAV_DISK_RUNS ?? 120);
    const samples = fc.sample(knowledgeBase({ heavyOneIn: 1_000_000 }), { numRuns: runs * 3, seed: Number(process.env.KBNAV_FUZZ_SEED ?? 7) });
    let tried = 0;
    for (const files of samples) {
      if (tried >= runs) break;
      const { kb, texts } = indexKnowledgeBase(files, 'en');
      const fixes = selectSafeFixes([...kb.allDiagnostics().values()].flat());
      if (!fixes.length) continue;
      tried++;
      const dir = tempDir('kbnav-disk-');
      writeTree(dir, Object.fromEntries(files));
      const expected = applyFixAll(files, texts, fixes, 'expected');
      const hash = (path: string) => kb.page(path)?.facts.hash;
      const { result: outcome, outside, calls } = await outsideTouches(dir, () => applyFixesToDisk(dir, fixes, hash));
      figures.calls += calls;
      figures.outsideTouched += outside.length;
      assert.deepEqual(outside, []);
      assert.deepEqual(outcome.refused, []);
      for (const [path, content] of expected) {
        const onDisk = readFileSync(nodePath.join(dir, path));
        if (!onDisk.equals(Buffer.from(content))) figures.textLost++;
        assert.ok(onDisk.equals(Buffer.from(content)), `${path} differs from the expected bytes`);
      }
      figures.filesWritten += outcome.changed.length;
      assert.deepEqual(readdirSync(dir, { recursive: true }).map(String).filter((n) => n.includes('.kbnav-')), [], 'no temporary file left');
      // The same fixes again, against the hashes they were computed on: every file changed since, nothing written.
      const before = snapshot(dir);
      const again = await applyFixesToDisk(dir, fixes, hash);
      assert.deepEqual(again.changed.filter((c) => files.has(c.path)), []);
      assert.deepEqual(snapshot(dir), before);
    }
    figures.diskCases += tried;
    figure(t, 'knowledge bases fixed on disk', tried);
    assert.ok(tried > runs / 2, `only ${tried} cases had fixes`);
  });

  test('writes through a temporary file in the same folder and a rename; no temporary file is left', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a.md': '\uFEFF# A\r\n\r\n[b](sub\\b.md)\r\n', 'sub/b.md': '# B\n' });
    const result = await checkWorkspace(dir, 'en', { cacheDir: false, workers: false });
    const fixes = selectSafeFixes([...result.diagnostics.values()].flat());
    const writes: string[] = [];
    const renames: [string, string][] = [];
    const { writeFile, rename } = promises;
    promises.writeFile = (...args: unknown[]) => (writes.push(String(args[0])), writeFile(...args));
    promises.rename = (...args: unknown[]) => (renames.push([String(args[0]), String(args[1])]), rename(...args));
    try {
      await applyFixesToDisk(dir, fixes, (p) => result.kb.page(p)?.facts.hash);
    } finally {
      Object.assign(promises, { writeFile, rename });
    }
    const target = nodePath.join(realpathSync(dir), 'a.md');
    assert.equal(writes.length, 1);
    assert.notEqual(writes[0], target, 'never written in place');
    assert.equal(nodePath.dirname(writes[0]), nodePath.dirname(target));
    assert.deepEqual(renames, [[writes[0], target]]);
    assert.equal(readFileSync(target, 'utf8'), '\uFEFF# A\r\n\r\n[b](sub/b.md)\r\n');
    assert.deepEqual(readdirSync(dir).sort(), ['a.md', 'sub']);
  });

  test('refuses a file that changed since it was read, and one that went away', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a.md': '# A\n\n[b](sub\\b.md)\n', 'c.md': '# C\n\n[b](sub\\b.md)\n', 'd.md': '# D\n\n[b](sub\\b.md)\n', 'sub/b.md': '# B\n' });
    const result = await checkWorkspace(dir, 'en', { cacheDir: false, workers: false });
    const fixes = selectSafeFixes([...result.diagnostics.values()].flat());
    writeFileSync(nodePath.join(dir, 'a.md'), '# A, edited meanwhile\n\n[b](sub\\b.md)\n');
    unlinkSync(nodePath.join(dir, 'c.md'));
    const outcome = await applyFixesToDisk(dir, fixes, (p) => result.kb.page(p)?.facts.hash);
    assert.deepEqual(outcome.skipped.sort(), ['a.md', 'c.md']);
    assert.deepEqual(outcome.changed, [{ path: 'd.md', count: 1 }]);
    assert.equal(readFileSync(nodePath.join(dir, 'a.md'), 'utf8'), '# A, edited meanwhile\n\n[b](sub\\b.md)\n');
    assert.ok(!existsSync(nodePath.join(dir, 'c.md')), 'not re-created');
  });

  test('refuses to rewrite a file that is not valid UTF-8 (its bad bytes would become U+FFFD)', async () => {
    const dir = tempDir();
    const bytes = Buffer.from('# Caf\xe9\n\n[b](sub\\b.md)\n', 'latin1');
    writeTree(dir, { 'a.md': bytes, 'sub/b.md': '# B\n' });
    const result = await checkWorkspace(dir, 'en', { cacheDir: false, workers: false });
    const outcome = await applyFixesToDisk(dir, selectSafeFixes([...result.diagnostics.values()].flat()), (p) => result.kb.page(p)?.facts.hash);
    assert.deepEqual(outcome.refused.map((r) => r.path), ['a.md']);
    assert.match(outcome.refused[0].reason, /not valid UTF-8/);
    assert.ok(readFileSync(nodePath.join(dir, 'a.md')).equals(bytes));
  });

  test('never writes outside the root: crafted fixes that climb out, or that a symbolic link leads out, are refused whole', async (t) => {
    const base = tempDir();
    const dir = nodePath.join(base, 'kb');
    const outside = nodePath.join(base, 'outside');
    writeTree(outside, { 'victim.md': '# Victim\n' });
    writeTree(dir, { 'a.md': '# A\n', 'b.md': '# B\n' });
    symlinkSync(outside, nodePath.join(dir, 'out'));
    symlinkSync(nodePath.join(outside, 'victim.md'), nodePath.join(dir, 'victim.md'));
    const insert = (path: string): Fix => ({ title: path, safe: true, edits: [{ path, range: { start: zero, end: zero }, newText: 'X' }] });
    const hostile: Fix[] = [
      insert('../outside/victim.md'),
      insert(nodePath.join(outside, 'victim.md')),
      insert('out/victim.md'),
      insert('victim.md'),
      insert('a/../../outside/victim.md'),
      { title: 'create', safe: true, edits: [], fileOperations: [{ kind: 'create', path: 'out/evil.md', content: 'evil' }] },
      { title: 'create', safe: true, edits: [], fileOperations: [{ kind: 'create', path: '../evil.md', content: 'evil' }] },
      { title: 'create', safe: true, edits: [], fileOperations: [{ kind: 'create', path: 'out/new/deeper/evil.md', content: 'evil' }] },
      { title: 'rename', safe: true, edits: [], fileOperations: [{ kind: 'rename', from: 'b.md', to: 'out/b.md' }] },
      { title: 'rename', safe: true, edits: [], fileOperations: [{ kind: 'rename', from: 'b.md', to: '../b.md' }] },
      { title: 'rename', safe: true, edits: [], fileOperations: [{ kind: 'rename', from: '../outside/victim.md', to: 'stolen.md' }] },
      // A fix with one good edit and one outside: refused whole, so a.md is not written either.
      { title: 'mixed', safe: true, edits: [{ path: 'a.md', range: { start: zero, end: zero }, newText: 'half ' }, { path: 'out/victim.md', range: { start: zero, end: zero }, newText: 'X' }] },
    ];
    const honest = insert('b.md');
    const outsideBefore = snapshot(outside);
    const { result: outcome, outside: touched } = await outsideTouches(dir, () => applyFixesToDisk(dir, [...hostile, honest], (p) => hashText(readFileSync(nodePath.join(dir, p), 'utf8'))));
    figures.outsideTouched += touched.length;
    assert.deepEqual(touched, []);
    assert.deepEqual(snapshot(outside), outsideBefore, 'nothing outside changed');
    assert.ok(!existsSync(nodePath.join(base, 'evil.md')) && !existsSync(nodePath.join(base, 'b.md')));
    assert.equal(readFileSync(nodePath.join(dir, 'a.md'), 'utf8'), '# A\n', 'the fix with an outside edit was refused whole');
    assert.equal(readFileSync(nodePath.join(dir, 'b.md'), 'utf8'), 'X# B\n', 'the honest fix was applied');
    assert.equal(outcome.applied, 1);
    assert.ok(outcome.refused.length >= 8, JSON.stringify(outcome.refused));
    figure(t, 'crafted outside fixes refused', hostile.length);
  });

  test('a failure between two files leaves each file either old or new, and no temporary file', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a.md': '# A\n\n[x](sub\\x.md)\n', 'b.md': '# B\n\n[x](sub\\x.md)\n', 'c.md': '# C\n\n[x](sub\\x.md)\n', 'sub/x.md': '# X\n' });
    const result = await checkWorkspace(dir, 'en', { cacheDir: false, workers: false });
    const fixes = selectSafeFixes([...result.diagnostics.values()].flat());
    const { rename } = promises;
    let calls = 0;
    promises.rename = (...args: unknown[]) => (++calls === 2 ? Promise.reject(Object.assign(new Error('EIO: simulated failure'), { code: 'EIO' })) : rename(...args));
    let outcome;
    try {
      outcome = await applyFixesToDisk(dir, fixes, (p) => result.kb.page(p)?.facts.hash);
    } finally {
      promises.rename = rename;
    }
    assert.deepEqual(outcome.refused, [{ path: 'b.md', reason: 'EIO: simulated failure' }]);
    assert.equal(readFileSync(nodePath.join(dir, 'a.md'), 'utf8'), '# A\n\n[x](sub/x.md)\n');
    assert.equal(readFileSync(nodePath.join(dir, 'b.md'), 'utf8'), '# B\n\n[x](sub\\x.md)\n');
    assert.equal(readFileSync(nodePath.join(dir, 'c.md'), 'utf8'), '# C\n\n[x](sub/x.md)\n');
    assert.deepEqual(readdirSync(dir).sort(), ['a.md', 'b.md', 'c.md', 'sub']);
  });

  test('kbnav check --fix killed at random moments: every file is old or new', async (t) => {
    const pages = 300;
    const files: Record<string, string> = { 'sub/x.md': '# X\n' };
    const oldText = (i: number) => `\uFEFF# Página ${i}\r\n\r\n${'Texto. '.repeat(200)}\r\n\r\n[x](sub\\x.md) [y](SUB/X.md)\r\n`;
    const newText = (i: number) => oldText(i).replace('sub\\x.md', 'sub/x.md').replace('SUB/X.md', 'sub/x.md');
    for (let i = 0; i < pages; i++) files[`p${i}.md`] = oldText(i);
    const kills = Number(process.env.KBNAV_KILL_RUNS ?? 12);
    let torn = 0;
    let leftovers = 0;
    let newFiles = 0;
    for (let k = 0; k < kills; k++) {
      const dir = tempDir('kbnav-kill-');
      writeTree(dir, files);
      const child = spawn(process.execPath, [cli, 'check', dir, '--fix', '--no-cache'], { stdio: 'ignore' });
      // Listen before waiting: on a fast machine the run may end before the kill.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Spread the kills over indexing and writing: a full run here takes about a second or two.
      await new Promise((resolve) => setTimeout(resolve, 150 + k * 150));
      child.kill('SIGKILL');
      await exited;
      for (let i = 0; i < pages; i++) {
        const text = readFileSync(nodePath.join(dir, `p${i}.md`), 'utf8');
        if (text === newText(i)) newFiles++;
        else if (text !== oldText(i)) torn++;
      }
      leftovers += readdirSync(dir).filter((n) => n.includes('.kbnav-')).length;
    }
    figure(t, 'kill runs', kills);
    figure(t, 'files found new after a kill', newFiles);
    figure(t, 'temporary files left by a kill (harmless: not .md, removed by no one)', leftovers);
    figures.textLost += torn;
    assert.equal(torn, 0, 'a file neither old nor new');
  });
});

