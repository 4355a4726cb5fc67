import { isUtf8 } from 'node:buffer';
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
  /** Files not written because they changed, or went away, since they were indexed. */
  skipped: string[];
  /** Files not written, with the reason: a path or a symbolic link that leads outside the root, text that is not UTF-8, an error. */
  refused: { path: string; reason: string }[];
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
 * root is written: a fix with a path that climbs out, or that a symbolic link leads out, is refused
 * whole, before anything is written. A file that is not valid UTF-8 is never rewritten (its bad bytes
 * would become U+FFFD). A BOM and line endings are kept as they were. A failure to write one file is
 * reported and does not stop the others; each file is either old or new.
 */
export async function applyFixesToDisk(root: string, fixes: readonly Fix[], indexedHash: (path: string) => string | undefined): Promise<DiskFixOutcome> {
  const realRoot = await fs.realpath(root);
  const outcome: DiskFixOutcome = { applied: 0, changed: [], skipped: [], refused: [] };
  const failed = new Set<Fix>();
  const refuse = (path: string, reason: string, fixesOf: Iterable<Fix>) => {
    if (!outcome.refused.some((r) => r.path === path && r.reason === reason)) outcome.refused.push({ path, reason });
    for (const f of fixesOf) failed.add(f);
  };

  // Every path of every fix is resolved first: a fix that would write outside the root is dropped whole.
  const resolved = new Map<string, string>();
  for (const fix of fixes) {
    const paths = [
      ...fix.edits.map((e) => [e.path, true] as const),
      ...(fix.fileOperations ?? []).flatMap((op) => (op.kind === 'rename' ? [[op.from, false] as const, [op.to, false] as const] : [[op.path, false] as const])),
    ];
    for (const [path, followLast] of paths) {
      const key = `${followLast ? 1 : 0}${path}`;
      if (!resolved.has(key)) resolved.set(key, (await resolveInside(realRoot, path, followLast)) ?? '');
      if (!resolved.get(key)) refuse(path, 'outside the workspace', [fix]);
    }
  }
  const where = (path: string, followLast: boolean) => resolved.get(`${followLast ? 1 : 0}${path}`)!;

  const byFile = new Map<string, { edits: TextEdit[]; fixes: Set<Fix> }>();
  for (const fix of fixes) {
    if (failed.has(fix)) continue;
    for (const edit of fix.edits) {
      let entry = byFile.get(edit.path);
      if (!entry) byFile.set(edit.path, (entry = { edits: [], fixes: new Set() }));
      entry.edits.push(edit);
      entry.fixes.add(fix);
    }
  }
  for (const [path, { edits, fixes: fileFixes }] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const real = where(path, true);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(real);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') refuse(path, (error as Error).message, fileFixes);
      else {
        outcome.skipped.push(path);
        fileFixes.forEach((f) => failed.add(f));
      }
      continue;
    }
    if (!isUtf8(bytes)) {
      refuse(path, 'not valid UTF-8: rewriting it would replace the bad bytes', fileFixes);
      continue;
    }
    const original = bytes.toString('utf8');
    const bom = original.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
    const text = stripBom(original);
    if (hashText(text) !== indexedHash(path)) {
      outcome.skipped.push(path);
      fileFixes.forEach((f) => failed.add(f));
      continue;
    }
    try {
      await writeFileAtomic(real, bom + applyTextEdits(text, edits));
      outcome.changed.push({ path, count: edits.length });
    } catch (error) {
      refuse(path, (error as Error).message, fileFixes);
    }
  }
  for (const fix of fixes) {
    if (failed.has(fix)) continue;
    try {
      for (const operation of fix.fileOperations ?? []) {
        if (operation.kind === 'rename') {
          const from = where(operation.from, false);
          const to = where(operation.to, false);
          if (await exists(to)) continue;
          await fs.mkdir(nodePath.dirname(to), { recursive: true });
          await fs.rename(from, to);
          outcome.changed.push({ path: operation.to, count: 1 });
        } else {
          const target = where(operation.path, false);
          if (await exists(target)) continue;
          await fs.mkdir(nodePath.dirname(target), { recursive: true });
          await fs.writeFile(target, operation.content, { flag: 'wx' });
          outcome.changed.push({ path: operation.path, count: 1 });
        }
      }
    } catch (error) {
      refuse(fix.fileOperations![0].kind === 'rename' ? (fix.fileOperations![0] as { from: string }).from : (fix.fileOperations![0] as { path: string }).path, (error as Error).message, [fix]);
      continue;
    }
    outcome.applied++;
  }
  return outcome;
}

/**
 * The absolute path to write for workspace path `path`, or undefined when it climbs out of the root
 * or a symbolic link on its way leads out. The nearest part of the path that exists is judged by its
 * real path (folders still to be created add nothing); with `followLast`, the file itself too.
 */
async function resolveInside(realRoot: string, path: string, followLast: boolean): Promise<string | undefined> {
  const absolute = nodePath.resolve(realRoot, path);
  if (absolute === realRoot || !isInside(realRoot, absolute)) return undefined;
  const last = followLast ? absolute : nodePath.dirname(absolute);
  for (let existing = last; ; existing = nodePath.dirname(existing)) {
    let real: string;
    try {
      real = await fs.realpath(existing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existing === realRoot) return undefined;
      continue;
    }
    if (!isInside(realRoot, real)) return undefined;
    const inside = nodePath.join(real, nodePath.relative(existing, last));
    return followLast ? inside : nodePath.join(inside, nodePath.basename(absolute));
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}
