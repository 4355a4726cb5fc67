import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { applyTextEdits } from './fixes';
import { hashText, stripBom } from './parse';
import type { Fix, TextEdit } from './types';
import { isInside } from './workspace';

export interface DiskFixOutcome {
  applied: number;
  changed: { path: string; count: number }[];
  /** Files not written because they changed since they were indexed. */
  skipped: string[];
}

/** Writes through a temporary file in the same folder and a rename: a reader sees the old or the new file, never half. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.kbnav-${randomBytes(4).toString('hex')}.tmp`);
  const stat = await fs.stat(path).catch(() => undefined);
  try {
    await fs.writeFile(temporary, text, { flag: 'wx', mode: stat?.mode });
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Applies fixes to files under `root`: text edits first (file by file, atomically, each file only if
 * its text still has the hash it was indexed with), then renames and creations. Nothing outside the
 * root is written; a BOM and line endings are kept as they were.
 */
export async function applyFixesToDisk(root: string, fixes: readonly Fix[], indexedHash: (path: string) => string | undefined): Promise<DiskFixOutcome> {
  const realRoot = await fs.realpath(root);
  const inside = (path: string) => {
    const absolute = nodePath.resolve(realRoot, path);
    if (!isInside(realRoot, absolute)) throw new Error(`${path}: outside the workspace`);
    return absolute;
  };
  const byFile = new Map<string, { edits: TextEdit[]; fixes: Set<Fix> }>();
  for (const fix of fixes) {
    for (const edit of fix.edits) {
      let entry = byFile.get(edit.path);
      if (!entry) byFile.set(edit.path, (entry = { edits: [], fixes: new Set() }));
      entry.edits.push(edit);
      entry.fixes.add(fix);
    }
  }
  const outcome: DiskFixOutcome = { applied: 0, changed: [], skipped: [] };
  const failed = new Set<Fix>();
  for (const [path, { edits, fixes: fileFixes }] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const absolute = inside(path);
    const real = await fs.realpath(absolute);
    if (!isInside(realRoot, real)) throw new Error(`${path}: outside the workspace`);
    const original = await fs.readFile(real, 'utf8');
    const bom = original.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
    const text = stripBom(original);
    if (hashText(text) !== indexedHash(path)) {
      outcome.skipped.push(path);
      fileFixes.forEach((f) => failed.add(f));
      continue;
    }
    await writeFileAtomic(real, bom + applyTextEdits(text, edits));
    outcome.changed.push({ path, count: edits.length });
  }
  for (const fix of fixes) {
    if (failed.has(fix)) continue;
    for (const operation of fix.fileOperations ?? []) {
      if (operation.kind === 'rename') {
        const from = inside(operation.from);
        const to = inside(operation.to);
        if (await exists(to)) continue;
        await fs.mkdir(nodePath.dirname(to), { recursive: true });
        await fs.rename(from, to);
        outcome.changed.push({ path: operation.to, count: 1 });
      } else {
        const target = inside(operation.path);
        if (await exists(target)) continue;
        await fs.mkdir(nodePath.dirname(target), { recursive: true });
        await fs.writeFile(target, operation.content, { flag: 'wx' });
        outcome.changed.push({ path: operation.path, count: 1 });
      }
    }
    outcome.applied++;
  }
  return outcome;
}

async function exists(path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}
