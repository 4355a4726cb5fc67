/**
 * Helpers of the server's reliability tests: generated courses on disk, and the comparison of what
 * the server published with a fresh index of the same files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { checkWorkspace } from '../../server/src/engine/checkWorkspace';
import type { TestServer } from './harness';

/** A course of `pages` pages in folders of 100, chained by navigation links, with some broken links. */
export function course(pages: number, variant = 0): Map<string, string> {
  const files = new Map<string, string>();
  const name = (i: number) => `t${Math.floor(i / 100)}/p${i}.md`;
  const rel = (from: number, to: number) => (Math.floor(from / 100) === Math.floor(to / 100) ? `p${to}.md` : `../${name(to)}`);
  files.set('README.md', `# Curso\n\n${Array.from({ length: Math.ceil(pages / 100) }, (_, t) => `- [Tema ${t}](${name(t * 100)})`).join('\n')}\n`);
  for (let i = 0; i < pages; i++) {
    const lines = [`# Página ${i}${variant && i % 3 === 0 ? ' bis' : ''}`, '', '## Sección', '', ...(variant ? [`Rama ${variant}.`, ''] : [])];
    if (i % 100) lines.push(`[Página ${i - 1} ⬅️](${rel(i, i - 1)})`);
    if ((i + 1) % 100 && i + 1 < pages) lines.push(`[Página ${i + 1} ➡️](${rel(i, i + 1)})`);
    if (i % 7 === variant % 7) lines.push(`[roto](falta-${i}.md) [sección](${rel(i, (i + 1) % pages)}#seccion${variant ? '' : 'x'})`);
    if (i % 11 === 0) lines.push(`[otro tema](..\\${name((i + 250) % pages)})`);
    files.set(name(i), lines.join('\n') + '\n');
  }
  return files;
}

export function writeFiles(root: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** Diagnostics as `code line:col-line:col`, by page, without empty lists: what a fresh index of the files on disk says. */
export async function freshDiagnostics(root: string): Promise<Map<string, string[]>> {
  const result = await checkWorkspace(root, 'es', { cacheDir: false });
  const map = new Map<string, string[]>();
  for (const [path, list] of result.diagnostics) {
    if (list.length) map.set(path, list.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort());
  }
  return map;
}

/** The same, from what the server last published. */
export function publishedDiagnostics(server: TestServer): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [uri, list] of server.diagnostics) {
    if (list.length) map.set(server.pathOf(uri), list.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort());
  }
  return map;
}

export function difference(expected: Map<string, string[]>, actual: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const path of new Set([...expected.keys(), ...actual.keys()])) {
    const e = JSON.stringify(expected.get(path) ?? []);
    const a = JSON.stringify(actual.get(path) ?? []);
    if (e !== a) out.push(`${path}: expected ${e}, published ${a}`);
  }
  return out;
}

/** Resolves when the server has sent nothing for `quietMs` (it has caught up), or rejects at the deadline. */
export function quiet(server: TestServer, quietMs = 750, deadlineMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer = setTimeout(done, quietMs);
    const deadline = setTimeout(() => {
      server.events.off('change', reset);
      clearTimeout(timer);
      reject(new Error('the server never went quiet'));
    }, deadlineMs);
    function reset() {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    }
    function done() {
      clearTimeout(deadline);
      server.events.off('change', reset);
      resolve();
    }
    server.events.on('change', reset);
  });
}

/** Waits until what the server published equals a fresh index of the files on disk (re-checked each time it goes quiet). */
export async function convergesToFresh(server: TestServer, deadlineMs = 90_000): Promise<void> {
  const expected = await freshDiagnostics(server.root);
  const started = Date.now();
  for (;;) {
    await quiet(server, 750, Math.max(1_000, deadlineMs - (Date.now() - started)));
    const diff = difference(expected, publishedDiagnostics(server));
    if (!diff.length) return;
    if (Date.now() - started > deadlineMs) assert.fail(`${diff.length} page(s) differ from a fresh index:\n${diff.slice(0, 5).join('\n')}`);
  }
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'kbnav-rel-server-'));
}

