/**
 * A lazy file tree (folders listed as look-ups read them: the first look at an open page) must answer
 * every look-up as the tree of the whole listing does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { FileTree } from '../../server/src/engine/fileTree';
import picomatch from 'picomatch';
import { defaultIgnore } from '../../server/src/engine/config';
import { FileSystemWorkspace, ignoreMatcher } from '../../server/src/engine/workspace';
import { noCancellation } from '../../server/src/engine/types';

const nfd = (s: string) => s.normalize('NFD');
const names = ['VM', 'vm', 'Docker', 'Conclusión', nfd('Conclusión'), 'README.md', 'readme.md', 'Índice.md', nfd('Índice.md'), 'a.md', 'A.md', 'img', 'node_modules', 'vacía'];

function workspace(files: string[], folders: string[]): string {
  const root = mkdtempSync(nodePath.join(tmpdir(), 'kbnav-tree-'));
  const tryTo = (make: () => void) => {
    try {
      make();
    } catch {
      // A name taken by a file, or by a folder.
    }
  };
  for (const folder of folders) tryTo(() => mkdirSync(nodePath.join(root, folder), { recursive: true }));
  for (const file of files) {
    tryTo(() => mkdirSync(nodePath.dirname(nodePath.join(root, file)), { recursive: true }));
    tryTo(() => writeFileSync(nodePath.join(root, file), '# x\n'));
  }
  return root;
}

test('a lazy tree answers look-ups as the tree of the whole listing', async () => {
  const path = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((segments) => segments.join('/'));
  await fc.assert(
    fc.asyncProperty(fc.array(path, { maxLength: 12 }), fc.array(path, { maxLength: 4 }), fc.array(path, { minLength: 1, maxLength: 10 }), fc.array(fc.option(fc.nat()), { maxLength: 10 }), async (files, emptyFolders, queries, adds) => {
      const root = workspace(files, emptyFolders);
      try {
        const disk = new FileSystemWorkspace(root, ['**/node_modules/**']);
        const whole = new FileTree();
        for (const file of await disk.listFiles(noCancellation)) whole.addFile(file);
        const lazy = new FileTree((dir) => disk.listFolder(dir));
        for (const [i, query] of queries.entries()) {
          // Pages a first look indexes are added to its lazy tree between look-ups.
          const added = adds[i] != null && files.length ? files[adds[i]! % files.length] : undefined;
          if (added !== undefined && whole.hasFile(added)) lazy.addFile(added);
          const dir = nodePath.posix.dirname(query) === '.' ? '' : nodePath.posix.dirname(query);
          const checks = [
            () => assert.deepEqual(lazy.lookup(query.split('/')), whole.lookup(query.split('/')), query),
            () => assert.equal(lazy.hasFile(query), whole.hasFile(query), query),
            () => assert.equal(lazy.isDirectory(query), whole.isDirectory(query), query),
            () => assert.deepEqual([...lazy.namesIn(dir)], [...whole.namesIn(dir)], dir),
          ];
          // Each kind of look-up comes first for some queries: the first reads what the lazy tree has not judged yet.
          for (let k = 0; k < checks.length; k++) checks[(i + k) % checks.length]();
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }),
    { numRuns: 150 },
  );
});

test('a lazy tree keeps a folder whose last file is removed while a subfolder not judged yet holds one', () => {
  const root = workspace(['A/a.md', 'A/B/b.md'], []);
  try {
    const lazy = new FileTree((dir) => new FileSystemWorkspace(root).listFolder(dir));
    assert.equal(lazy.hasFile('A/a.md'), true);
    assert.equal(lazy.removeFile('A/a.md'), true);
    assert.equal(lazy.isDirectory('A'), true);
    assert.deepEqual([...lazy.namesIn('A')], ['B']);
    assert.equal(lazy.hasFile('A/B/b.md'), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a folder with a symbolic link is left to the whole listing', { skip: process.platform === 'win32' }, () => {
  const root = workspace(['VM/a.md'], []);
  try {
    symlinkSync(nodePath.join(root, 'VM'), nodePath.join(root, 'enlace'));
    const lazy = new FileTree((dir) => new FileSystemWorkspace(root).listFolder(dir));
    assert.throws(() => lazy.lookup(['VM', 'a.md']), /symbolic link/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('ignore globs match as picomatch matches them, a folder as its path with a slash', () => {
  const reference = (globs: string[]) => {
    const match = picomatch(globs, { dot: true });
    return (path: string) => match(path) || match(path + '/');
  };
  const segment = fc.constantFrom('a', 'b.md', 'node_modules', '.git', '.obsidian', 'git', 'x.git', 'borradores', 'Borradores', 'draft', 'n o', 'Ñu.md', '.md', '..a', '+x', 'a.tmp');
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => segments.join('/'));
  const glob = fc.constantFrom(...defaultIgnore, '**/borradores/**', '**/draft/**', 'borradores/**', '**/*.tmp', '**/n o/**', '**/Ñu.md/**', '**/+x/**', '**/a*/**', 'a/**', '**/.obsidian/**');
  fc.assert(
    fc.property(fc.array(glob, { maxLength: 5 }), fc.array(path, { minLength: 1, maxLength: 20 }), (globs, paths) => {
      const [fast, slow] = [ignoreMatcher(globs), reference(globs)];
      for (const p of paths) assert.equal(fast(p), slow(p), `${p} with ${JSON.stringify(globs)}`);
    }),
    { numRuns: 500 },
  );
});
