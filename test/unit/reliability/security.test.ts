/**
 * Links that climb out of the workspace — `../../../etc/passwd`, absolute paths, `file:` URLs,
 * encoded dots and slashes, symbolic links — are reported and never opened, read, hovered or
 * completed; no fix offered for them writes outside. The workspace is instrumented: every page read
 * through IWorkspace and every file-system call that reads or writes is recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { applyFixesToDisk } from '../../../server/src/engine/applyFixes';
import { completionsAt } from '../../../server/src/engine/completion';
import { defaultSettings } from '../../../server/src/engine/config';
import { KnowledgeBase } from '../../../server/src/engine/knowledgeBase';
import { loadWorkspace } from '../../../server/src/engine/load';
import { linkTarget } from '../../../server/src/engine/positions';
import { Code, noCancellation } from '../../../server/src/engine/types';
import { FileSystemWorkspace, isInside } from '../../../server/src/engine/workspace';
import { figure, outsideTouches, repo, tempDir, writeTree } from './support';

const hostileLinks = [
  '../../../etc/passwd',
  '../../../../../../../../../../etc/shadow',
  '../outside/secret.md',
  '../outside/secret.md#secret-heading',
  '/etc/passwd',
  'file:///etc/passwd',
  'file://localhost/etc/passwd',
  'C:\\Windows\\win.ini',
  '\\\\server\\share\\secret.md',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '..\\..\\..\\etc\\passwd',
  'out/secret.md',
  'out/secret.md#secret-heading',
  'secret-link.md',
  'VM/../../outside/secret.md',
];

/** A page linking out in every way: inline links, references, images, HTML and autolinks. */
function hostilePage(): string {
  const lines = ['# Fuera', ''];
  hostileLinks.forEach((link, i) => {
    lines.push(`[inline ${i}](${link}) ![img ${i}](${link}) <a href="${link}">html ${i}</a> [ref ${i}][r${i}]`, '');
    lines.push(`[r${i}]: <${link}>`, '');
  });
  lines.push('<file:///etc/passwd> [Fuera ➡️](../outside/secret.md) [Vuelta ⬅️](/etc/passwd)', '');
  return lines.join('\n');
}

/** FileSystemWorkspace recording every page it is asked to read. */
class RecordingWorkspace extends FileSystemWorkspace {
  readonly reads: string[] = [];
  override async readFile(path: string): Promise<string> {
    this.reads.push(path);
    return super.readFile(path);
  }
  override async readablePath(path: string): Promise<string> {
    this.reads.push(path);
    return super.readablePath(path);
  }
}

test('links that climb out are reported, never read; their fixes never write outside', async (t) => {
  const base = tempDir();
  const root = nodePath.join(base, 'kb');
  const outside = nodePath.join(base, 'outside');
  writeTree(outside, { 'secret.md': '# Secret heading\n\nSECRET TEXT [x](../../etc/passwd)\n', 'secret.png': 'png' });
  writeTree(root, { 'README.md': '# R\n\n[f](fuera.md)\n', 'fuera.md': hostilePage(), 'VM/x.md': '# X\n' });
  symlinkSync(outside, nodePath.join(root, 'out'));
  symlinkSync(nodePath.join(outside, 'secret.md'), nodePath.join(root, 'secret-link.md'));

  const kb = new KnowledgeBase(root, defaultSettings('en'));
  const workspace = new RecordingWorkspace(root);
  const { result: problems, outside: touched, calls } = await outsideTouches(root, () => loadWorkspace(kb, workspace, { token: noCancellation }));
  figure(t, 'file-system calls recorded while indexing', calls);
  assert.deepEqual(touched, [], 'nothing outside the workspace was read or listed');
  assert.deepEqual([...new Set(workspace.reads)].sort(), ['README.md', 'VM/x.md', 'fuera.md']);
  assert.deepEqual(problems, []);
  assert.deepEqual(workspace.problems.map((p) => p.path).sort(), ['out', 'secret-link.md']);
  assert.deepEqual(kb.pagePaths().sort(), ['README.md', 'VM/x.md', 'fuera.md']);

  // Every hostile link is reported (none is silently accepted), and nothing from outside shows.
  const diagnostics = kb.diagnostics('fuera.md');
  const reported = new Set(diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}`));
  const facts = kb.page('fuera.md')!.facts;
  const unreported = facts.links.filter((l) => !reported.has(`${(l.kind === 'reference' ? l.range : l.rawRange).start.line}:${(l.kind === 'reference' ? l.range : l.rawRange).start.character}`));
  assert.deepEqual(unreported.map((l) => l.raw), []);
  for (const d of diagnostics) {
    assert.ok([Code.OutsideWorkspace, Code.AbsolutePath, Code.MissingFile, Code.BackslashPath].includes(d.code), `${d.code}: ${d.message}`);
    assert.doesNotMatch(d.message, /Secret heading|SECRET TEXT/);
  }
  figure(t, 'hostile links reported', facts.links.length);

  // Hover, go to definition and completion never lead out.
  facts.links.forEach((_, i) => assert.equal(linkTarget(kb, 'fuera.md', i), undefined, facts.links[i].raw));
  for (const prefix of ['[x](../', '[x](../../', '[x](../outside/', '[x](/', '[x](/etc/', '[x](out/', '[x](..%2F', '[x](../outside/secret.md#', '[r]: ../']) {
    const entries = completionsAt(kb, 'fuera.md', prefix, { line: 0, character: prefix.length });
    assert.ok(entries.every((e) => e.kind === 'heading' || !e.insertText.includes('secret')), `${prefix} → ${JSON.stringify(entries)}`);
    assert.ok(!entries.some((e) => e.detail && /Secret/.test(e.detail)), prefix);
  }

  // No fix of any of these, safe or not, has a path outside; applied all at once, none writes outside.
  const allFixes = diagnostics.flatMap((d) => d.fixes);
  for (const fix of allFixes) {
    for (const path of [...fix.edits.map((e) => e.path), ...(fix.fileOperations ?? []).flatMap((op) => (op.kind === 'rename' ? [op.from, op.to] : [op.path]))]) {
      assert.ok(isInside(root, nodePath.resolve(root, path)) && !path.split(/[\\/]/).includes('..'), `${fix.title}: ${path}`);
    }
  }
  writeFileSync(nodePath.join(base, 'canary'), 'x');
  const { outside: written } = await outsideTouches(root, () => applyFixesToDisk(root, allFixes.filter((f) => !f.edits.length), (p) => kb.page(p)?.facts.hash));
  assert.deepEqual(written, []);
  figure(t, 'files outside the workspace touched', touched.length + written.length);
});

test('no code of the extension, the server or the CLI runs a program or fetches a URL', () => {
  const forbidden = /from ['"](?:node:)?(?:child_process|http|https|http2|net|tls|dgram|dns)['"]|require\(['"](?:node:)?(?:child_process|http|https|net)['"]\)|\bfetch\(|XMLHttpRequest|WebSocket|vscode\.env\.openExternal/;
  const offenders: string[] = [];
  let files = 0;
  for (const dir of ['server/src', 'client/src']) {
    for (const name of readdirSync(nodePath.join(repo, dir), { recursive: true }).map(String)) {
      if (!name.endsWith('.ts')) continue;
      files++;
      const text = readFileSync(nodePath.join(repo, dir, name), 'utf8').replace(/\.fetch\(|private async fetch\(|\bthis\.fetch\(/g, '');
      if (forbidden.test(text)) offenders.push(`${dir}/${name}`);
    }
  }
  assert.ok(files > 20, `${files} source files`);
  assert.deepEqual(offenders, []);
});

test('a page, or its folder, swapped for a symbolic link after the listing is not read through it', async () => {
  const base = tempDir();
  const root = nodePath.join(base, 'kb');
  const outside = nodePath.join(base, 'outside');
  writeTree(outside, { 'secret.md': '# Secret\n', 'VM/x.md': '# Secret too\n' });
  writeTree(root, { 'README.md': '# R\n', 'b.md': '# B\n', 'VM/x.md': '# X\n' });
  const workspace = new FileSystemWorkspace(root);
  assert.deepEqual(await workspace.listFiles(noCancellation), ['README.md', 'VM/x.md', 'b.md']);
  assert.equal(await workspace.readFile('VM/x.md'), '# X\n');

  // Listed as plain files: read without resolving their path again, so the open itself must refuse.
  rmSync(nodePath.join(root, 'b.md'));
  symlinkSync(nodePath.join(outside, 'secret.md'), nodePath.join(root, 'b.md'));
  await assert.rejects(workspace.readFile('b.md'));
  rmSync(nodePath.join(root, 'VM'), { recursive: true });
  symlinkSync(nodePath.join(outside, 'VM'), nodePath.join(root, 'VM'));
  await assert.rejects(workspace.readFile('VM/x.md'), /outside the workspace/);
  assert.equal(await workspace.readFile('README.md'), '# R\n');
});
