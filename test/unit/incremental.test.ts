import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KnowledgeBase, type Inputs } from '../../server/src/engine/knowledgeBase';
import type { Resolution } from '../../server/src/engine/resolve';
import { readResolutions, storeResolutions } from '../../server/src/engine/storedResolutions';
import { defaultSettings } from '../../server/src/engine/config';
import type { KbDiagnostic } from '../../server/src/engine/types';
import { root } from './helpers';

const paths = ['README.md', 'VM/OrigenVM.md', 'VM/QueSonVM.md', 'VM/Hipervisores.md', 'Docker/Origen.md', 'Docker/Contenedores.md', 'VM/Conclusión.md'.normalize('NFD'), 'img/capas.png'];
const titles = ['Origen de las Máquinas Virtuales', 'Qué son las Máquinas Virtuales', 'Hipervisores', 'Origen de Docker', 'Contenedores', 'Conclusión', 'Curso'];
const destinations = [
  'OrigenVM.md', 'QueSonVM.md', 'quesonvm.md', 'Hipervisores.md#tipo-1', 'Hipervisores.md#nada', '../Docker/Origen.md', 'Docker/Contenedores.md',
  'VM\\OrigenVM.md', '../README.md', 'README.md', '/VM/QueSonVM.md', 'Conclusión.md', 'VM/Conclusión.md', '../img/capas.png', 'Nueva.md', '#tipo-1', 'C:\\apuntes\\VM\\OrigenVM.md', 'Hipervisore.md', '../Docker/Origin.md',
];
const markers = ['⬅️', '➡️', '⏮️', '⏭️', '⬆️', '⬇️', '📎', ''];

const link = fc.record({ label: fc.constantFrom(...titles, 'Anterior'), marker: fc.constantFrom(...markers), destination: fc.constantFrom(...destinations) });
const page = fc.record({ title: fc.constantFrom(...titles), headings: fc.subarray(['Tipo 1', 'Tipo 2', 'Configuración']), links: fc.array(link, { maxLength: 5 }), reference: fc.boolean() });

function render(p: { title: string; headings: string[]; links: { label: string; marker: string; destination: string }[]; reference: boolean }): string {
  const lines = [`# ${p.title}`, '', ...p.headings.map((h) => `## ${h}\n`), ...p.links.map((l) => `[${l.label} ${l.marker}](${l.destination})`)];
  if (p.reference) lines.push('', '[ver][ref]');
  return lines.join('\n') + '\n';
}

type Operation = { kind: 'set'; path: string; text: string } | { kind: 'unreadable'; path: string } | { kind: 'delete'; path: string } | { kind: 'rename'; from: string; to: string } | { kind: 'commit' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...paths), text: page.map(render) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }) },
  // A page that cannot be read (too large, not text) is a file without facts; it may become readable again.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unreadable' as const), path: fc.constantFrom(...paths) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), from: fc.constantFrom(...paths), to: fc.constantFrom(...paths) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
);

/** Diagnostics with messages and fixes, comparable as JSON. */
function state(kb: KnowledgeBase): string {
  return JSON.stringify([...kb.allDiagnostics()]);
}

test('after any sequence of updates, creates, deletes and renames, the incremental state equals a fresh index', () => {
  fc.assert(
    fc.property(fc.array(operation, { minLength: 1, maxLength: 30 }), (operations) => {
      /** Path → text; null for a page that cannot be read. */
      const files = new Map<string, string | null>();
      const kb = new KnowledgeBase(root, defaultSettings('es'));
      const isPage = (p: string) => p.endsWith('.md');
      for (const op of operations) {
        if (op.kind === 'set') {
          files.set(op.path, op.text);
          if (isPage(op.path)) kb.setPage(op.path, op.text);
          else kb.addFile(op.path);
        } else if (op.kind === 'unreadable') {
          files.set(op.path, null);
          kb.removeFile(op.path);
          kb.addFile(op.path);
        } else if (op.kind === 'delete') {
          files.delete(op.path);
          kb.removeFile(op.path);
        } else if (op.kind === 'rename') {
          if (!files.has(op.from) || files.has(op.to) || op.from === op.to || isPage(op.from) !== isPage(op.to)) continue;
          const text = files.get(op.from)!;
          files.delete(op.from);
          files.set(op.to, text);
          kb.renameFile(op.from, op.to);
        } else kb.commit();
      }
      kb.commit();
      const fresh = new KnowledgeBase(root, defaultSettings('es'));
      for (const [path, text] of files) {
        if (text !== null && isPage(path)) fresh.setPage(path, text);
        else fresh.addFile(path);
      }
      fresh.commit();
      assert.equal(state(kb), state(fresh));
    }),
    { numRuns: Number(process.env.KBNAV_PROPERTY_RUNS ?? 300) },
  );
});

/** The files after `operations` (path → text; null for a page that cannot be read). */
function applyToFiles(files: Map<string, string | null>, operations: Operation[]): Map<string, string | null> {
  const result = new Map(files);
  for (const op of operations) {
    if (op.kind === 'set') result.set(op.path, op.text);
    else if (op.kind === 'unreadable') result.set(op.path, null);
    else if (op.kind === 'delete') result.delete(op.path);
    else if (op.kind === 'rename' && result.has(op.from) && !result.has(op.to) && op.from !== op.to && op.from.endsWith('.md') === op.to.endsWith('.md')) {
      result.set(op.to, result.get(op.from)!);
      result.delete(op.from);
    }
  }
  return result;
}

/** A knowledge base with `files` staged, not committed. */
function staged(files: Map<string, string | null>): KnowledgeBase {
  const kb = new KnowledgeBase(root, defaultSettings('es'));
  for (const [path, text] of files) {
    if (text !== null && path.endsWith('.md')) kb.setPage(path, text);
    else kb.addFile(path);
  }
  return kb;
}

test('replaying an earlier state with its diagnostics (and its resolutions, when kept), then committing the changes since, equals a fresh index', () => {
  fc.assert(
    fc.property(fc.array(operation, { minLength: 1, maxLength: 20 }), fc.array(operation, { maxLength: 8 }), fc.boolean(), (before, changes, keptResolutions) => {
      const earlierFiles = applyToFiles(new Map(), before);
      const nowFiles = applyToFiles(earlierFiles, changes);
      const earlier = staged(earlierFiles);
      earlier.commit();
      // As a run of the CLI keeps them: through JSON.
      const diagnostics = new Map(JSON.parse(JSON.stringify([...earlier.allDiagnostics()])) as [string, KbDiagnostic[]][]);
      const facts = new Map([...earlierFiles].map(([path]) => [path, earlier.page(path)?.facts]));
      const inputs: Inputs = [...earlierFiles.keys()].sort().map((path) => [path, earlier.page(path)?.facts.hash ?? '']);
      const stored = JSON.parse(JSON.stringify(storeResolutions(inputs, (path) => earlier.page(path)?.resolutions)));
      const resolutions = keptResolutions ? readResolutions(stored, inputs) : undefined;
      assert.equal(!resolutions, !keptResolutions);

      const kb = staged(nowFiles);
      kb.replay(facts, diagnostics, resolutions);
      const rechecked = kb.commit();
      const fresh = staged(nowFiles);
      fresh.commit();
      assert.equal(state(kb), state(fresh));
      assert.equal(resolutionsState(kb), resolutionsState(fresh));
      // Nothing changed: nothing is checked again.
      if (!changes.length) assert.equal(rechecked.size, 0);
    }),
    { numRuns: Number(process.env.KBNAV_PROPERTY_RUNS ?? 300) },
  );
});

test('a replay takes the resolutions kept with the earlier state where they fit its pages and files, else resolves the links', () => {
  const files = new Map<string, string | null>([
    ['a.md', '# A\n\n[B](b.md) [C](c.md)\n'],
    ['b.md', '# B\n\n[A](a.md)\n'],
    ['c.md', '# C\n'],
  ]);
  const earlier = staged(files);
  earlier.commit();
  const facts = new Map([...files.keys()].map((path) => [path, earlier.page(path)?.facts]));
  const external: Resolution = { kind: 'external' };
  const replayed = (resolutions: Map<string, Resolution[]>) => {
    const kb = staged(files);
    kb.replay(facts, new Map(), resolutions);
    return kb;
  };
  // Taken as they are: the replay does not resolve these links again.
  const taken = replayed(new Map([['a.md', [external, external]]]));
  assert.deepEqual(taken.page('a.md')!.resolutions, [external, external]);
  assert.equal(taken.resolution('b.md', 0)?.kind, 'found');
  // Not as many as the page's links, or a target that is not there: resolved.
  for (const misfit of [[external], [external, { kind: 'found', target: 'd.md', isDirectory: false, shape: { backslash: false, fromRoot: false, differences: [] } } as Resolution]]) {
    const kb = replayed(new Map([['a.md', misfit]]));
    assert.deepEqual(kb.page('a.md')!.resolutions.map((r) => r.kind === 'found' && r.target), ['b.md', 'c.md']);
  }
});

/** Every link's resolution, page by page. */
function resolutionsState(kb: KnowledgeBase): string {
  return JSON.stringify(kb.pagePaths().sort().map((path) => [path, kb.page(path)!.resolutions]));
}
