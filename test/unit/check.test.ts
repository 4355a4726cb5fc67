import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../server/src/engine/types';
import { codesOf, fixAll, kbFrom, only, summary } from './helpers';
import { applyTextEdits, selectSafeFixes } from '../../server/src/engine/fixes';

const nfd = (s: string) => s.normalize('NFD');

/** A small course: an index and a chained VM topic, all valid. */
const curso = {
  'README.md': '# Curso\n\n- [Origen 📎](VM/OrigenVM.md)\n- [Qué son 📎](VM/QueSonVM.md)\n',
  'VM/OrigenVM.md': '# Origen de las Máquinas Virtuales\n\nTexto.\n\n[Qué son las Máquinas Virtuales ➡️](QueSonVM.md)\n',
  'VM/QueSonVM.md': '[Origen de las Máquinas Virtuales ⬅️](OrigenVM.md)\n\n# Qué son las Máquinas Virtuales\n\n## Configuración\n\n[Hipervisores ➡️](HipervisoresVM.md)\n',
  'VM/HipervisoresVM.md': '[Qué son ⬅️](QueSonVM.md)\n\n# Hipervisores\n\n## Tipo 1\n\n## Tipo 1\n',
};

describe('a valid knowledge base', () => {
  test('reports nothing', () => {
    assert.deepEqual(summary(kbFrom(curso)), []);
  });

  test('does not report links in code, %20, <a b.md>, /README.md, accented fragments, URLs and defined references', () => {
    const kb = kbFrom({
      ...curso,
      'VM/notas de clase.md': '# Notas\n',
      'VM/Extra.md': [
        '# Extra',
        '',
        'En código: `[roto](NoExiste.md)` y',
        '',
        '```md',
        '[roto](TampocoExiste.md)',
        '```',
        '',
        '[espacios](notas%20de%20clase.md) [ángulos](<notas de clase.md>) [raíz](/README.md)',
        '[acento](QueSonVM.md#configuración) [codificado](QueSonVM.md#configuraci%C3%B3n) [mayúsculas](QueSonVM.md#Configuración)',
        '[duplicado](HipervisoresVM.md#tipo-1-1) [web](https://example.com/x.md) <https://example.com> [correo](mailto:a@b.c)',
        'Escribe a <profesora@example.com> o visita www.docker.com.',
        '[referencia][ref] y [otra][] [carpeta](../VM/) [aquí](#extra)',
        '',
        '> [!NOTE]',
        '> Una alerta de GitHub no es una referencia. - [ ] tarea [x] hecha',
        '',
        '[ref]: QueSonVM.md "título"',
        '[otra]: <notas de clase.md>',
        '',
      ].join('\n'),
      'README.md': curso['README.md'] + '- [Extra 📎](VM/Extra.md)\n- [Notas 📎](VM/notas%20de%20clase.md)\n',
    });
    assert.deepEqual(summary(kb), []);
  });

  test('ignores front matter and keeps the first heading as title', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': '---\ntitle: Otro\n[x]: nada.md\n---\n' + curso['VM/OrigenVM.md'] });
    assert.deepEqual(summary(kb), []);
    assert.equal(kb.page('VM/OrigenVM.md')!.title, 'Origen de las Máquinas Virtuales');
  });
});

describe('missing-file', () => {
  test('reports a link to a page that does not exist, with did-you-mean and create-page fixes', () => {
    const kb = kbFrom({ ...curso, 'VM/QueSonVM.md': curso['VM/QueSonVM.md'].replace('HipervisoresVM.md', 'Hipervisor.md') });
    const d = only(kb, 'VM/QueSonVM.md', Code.MissingFile);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Hipervisor\.md/);
    const create = d.fixes.find((f) => f.fileOperations?.[0]?.kind === 'create')!;
    assert.equal(create.safe, false);
    const op = create.fileOperations![0] as { path: string; content: string };
    assert.equal(op.path, 'VM/Hipervisor.md');
    assert.match(op.content, /^\[Qué son las Máquinas Virtuales ⬅️\]\(QueSonVM\.md\)\n\n# Hipervisores\n/);
  });

  test('a broken link whose label many pages are titled by proposes those of its folder first, then by path, five in all', () => {
    // Every topic has its “Introducción”: the pages named by the label are worked out once, and only the first few are looked at.
    const files: Record<string, string> = { 'README.md': '# Curso\n' };
    const folders = ['zeta', 'alfa', 'beta', 'VM', 'gamma', 'delta', 'Docker', 'épsilon'];
    for (const folder of folders) files[`${folder}/Introducción.md`] = '# Introducción\n';
    files['VM/Otra introducción.md'] = '# Introducción a las máquinas\n';
    files['VM/Tema.md'] = '# Tema\n\n[Introducción ➡️](Intro.md)\n';
    const kb = kbFrom(files);
    const d = only(kb, 'VM/Tema.md', Code.MissingFile);
    const named = Object.keys(files).filter((p) => /introducción/i.test(p));
    const expected = named.sort((a, b) => Number(b.startsWith('VM/')) - Number(a.startsWith('VM/')) || a.localeCompare(b)).slice(0, 5);
    assert.deepEqual(d.fixes.slice(0, 5).map((f) => f.title.match(/“(.*)”/)![1]), expected);
  });

  test('keeps the fragment of a rewritten destination a link, even when the old path balanced its parenthesis', () => {
    const files = { ...curso, 'README.md': curso['README.md'] + '[a](b](VM/OrigenVM.md#) )\n' };
    const kb = kbFrom(files);
    const d = only(kb, 'README.md', Code.MissingFile);
    assert.ok(d.fixes.some((f) => f.edits[0]?.newText === 'VM/OrigenVM.md#%29'), JSON.stringify(d.fixes.map((f) => f.edits[0]?.newText)));
  });

  test('proposes the file with the same name in another folder or case', () => {
    const kb = kbFrom({ ...curso, 'README.md': curso['README.md'] + '[Hipervisores 📎](hipervisoresvm.md)\n' });
    const d = only(kb, 'README.md', Code.MissingFile);
    assert.deepEqual(d.fixes.filter((f) => f.edits.length).map((f) => f.edits[0].newText), ['VM/HipervisoresVM.md']);
  });

  test('reports a missing page written from the root with a leading slash', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[x](/VM/Nada.md)\n' });
    assert.match(only(kb, 'VM/OrigenVM.md', Code.MissingFile).message, /raíz/);
  });
});

describe('missing-fragment', () => {
  test('reports an unknown heading id and proposes the nearest, safe when only accents differ', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[c](QueSonVM.md#configuracion) [d](QueSonVM.md#configurar)\n' });
    const [accent, other] = kb.diagnostics('VM/OrigenVM.md').filter((d) => d.code === Code.MissingFragment);
    assert.equal(accent.fixes[0].edits[0].newText, 'QueSonVM.md#configuración');
    assert.equal(accent.fixes[0].safe, true);
    assert.equal(other.fixes[0].edits[0].newText, 'QueSonVM.md#configuración');
    assert.equal(other.fixes[0].safe, false);
  });

  test('checks a fragment of the same page', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[arriba](#origen) [bien](#origen-de-las-máquinas-virtuales)\n' });
    assert.equal(only(kb, 'VM/OrigenVM.md', Code.MissingFragment).fixes.length, 0);
  });

  test('accepts HTML anchors', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '<a id="ancla"></a>\n\n[a](#ancla)\n' });
    assert.deepEqual(codesOf(kb, 'VM/OrigenVM.md'), []);
  });
});

describe('path shape', () => {
  test('a backslash path gets the forward-slash fix', () => {
    const kb = kbFrom({ ...curso, 'README.md': curso['README.md'] + '[Hipervisores 📎](VM\\HipervisoresVM.md)\n' });
    const d = only(kb, 'README.md', Code.BackslashPath);
    assert.equal(d.fixes[0].edits[0].newText, 'VM/HipervisoresVM.md');
    assert.equal(d.fixes[0].safe, true);
  });

  test('a Windows path with ..\\ (a CommonMark escape) is read from the raw source', () => {
    const kb = kbFrom({ ...curso, 'Docker/Origen.md': '# Docker\n\n[VM 📎](..\\VM\\OrigenVM.md)\n', 'README.md': curso['README.md'] + '[D](Docker/Origen.md)\n' });
    assert.equal(only(kb, 'Docker/Origen.md', Code.BackslashPath).fixes[0].edits[0].newText, '../VM/OrigenVM.md');
  });

  test('a path written from the root inside a nested page gets the relative fix', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[índice](README.md) [hip](VM/HipervisoresVM.md#tipo-1)\n' });
    const fixes = kb.diagnostics('VM/OrigenVM.md').map((d) => [d.code, d.fixes[0].edits[0].newText]);
    assert.deepEqual(fixes, [
      [Code.RootRelativePath, '../README.md'],
      [Code.RootRelativePath, 'HipervisoresVM.md#tipo-1'],
    ]);
  });

  test('a wrong letter case is judged against the folder listing', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[q](quesonvm.md) [q2](../vm/QueSonVM.md)\n' });
    const fixes = kb.diagnostics('VM/OrigenVM.md').map((d) => [d.code, d.fixes[0].edits[0].newText]);
    assert.deepEqual(fixes, [
      [Code.CaseMismatch, 'QueSonVM.md'],
      [Code.CaseMismatch, 'QueSonVM.md'],
    ]);
  });

  test('an NFD file name linked in NFC offers renaming the file to NFC (preferred) or writing the exact name', () => {
    const files = {
      ...curso,
      [nfd('VM/Conclusión.md')]: '# Conclusión\n',
      'README.md': curso['README.md'] + '[Conclusión 📎](VM/Conclusión.md)\n',
      'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + `[c](${nfd('Conclusión.md')})\n`,
    };
    const kb = kbFrom(files);
    const d = only(kb, 'README.md', Code.UnicodeMismatch);
    assert.match(d.message, /NFC.*NFD/);
    const [rename, exact] = d.fixes;
    assert.equal(rename.preferred, true);
    assert.deepEqual(rename.fileOperations, [{ kind: 'rename', from: nfd('VM/Conclusión.md'), to: 'VM/Conclusión.md' }]);
    // Links already written in NFC stay as they are; the NFD one is rewritten.
    assert.deepEqual(rename.edits.map((e) => [e.path, e.newText]), [['VM/OrigenVM.md', 'Conclusión.md']]);
    assert.equal(exact.edits[0].newText, nfd('VM/Conclusión.md'));
    const fixed = fixAll(files, kb);
    assert.ok('VM/Conclusión.md' in fixed);
    assert.deepEqual(summary(kbFrom(fixed)), []);
  });

  test('unicode-mismatch: the rename fix of a file linked from many pages is made once and shared, and selected once', () => {
    // Worked out per page, it cost every page the links of all the others: quadratic in the pages that link there.
    const files: Record<string, string> = { ...curso, [nfd('VM/Conclusión.md')]: '# Conclusión\n' };
    for (let i = 0; i < 5; i++) files[`VM/p${i}.md`] = `# P${i}\n\n[c](${i % 2 ? nfd('Conclusión.md') : 'Conclusión.md'})\n`;
    const kb = kbFrom(files);
    // The pages that write the name in NFC are reported; those that write it in NFD are what the rename rewrites.
    const renames = [0, 2, 4].map((i) => only(kb, `VM/p${i}.md`, Code.UnicodeMismatch).fixes[0]);
    assert.ok(renames.every((fix) => fix === renames[0]));
    assert.deepEqual(renames[0].edits.map((e) => e.path), ['VM/p1.md', 'VM/p3.md']);
    const selected = selectSafeFixes([...kb.allDiagnostics().values()].flat()).filter((f) => f.fileOperations?.length);
    assert.equal(selected.length, 1);
    assert.deepEqual(summary(kbFrom(fixAll(files, kb))).filter((l) => l.endsWith(Code.UnicodeMismatch)), []);
  });

  test('unicode-mismatch: reference links sharing one definition get one edit of it in the rename fix', () => {
    // Found by fuzzing: an edit per reference link made the fix's edits overlap.
    const files = {
      ...curso,
      [nfd('VM/Conclusión.md')]: '# Conclusión\n',
      'README.md': curso['README.md'] + `[c][1] y [d][1]\n\n[1]: ${nfd('VM/Conclusión.md')}\n\n[e](VM/Conclusión.md)\n`,
    };
    const kb = kbFrom(files);
    const rename = only(kb, 'README.md', Code.UnicodeMismatch).fixes[0];
    assert.deepEqual(rename.edits.map((e) => [e.path, e.newText]), [['README.md', 'VM/Conclusión.md']]);
    const fixed = fixAll(files, kb);
    assert.match(fixed['README.md'], /\[1\]: VM\/Conclusión\.md\n/);
    assert.deepEqual(summary(kbFrom(fixed)), []);
  });

  test('absolute paths are mapped to the workspace file with the same tail', () => {
    const kb = kbFrom({
      ...curso,
      'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[a](C:\\Users\\ana\\apuntes\\VM\\QueSonVM.md) [b](/home/ana/apuntes/VM/HipervisoresVM.md) [c](file:///D:/curso/README.md)\n',
    });
    const fixes = kb.diagnostics('VM/OrigenVM.md').map((d) => [d.code, d.fixes[0]?.edits[0].newText, d.fixes[0]?.safe]);
    assert.deepEqual(fixes, [
      [Code.AbsolutePath, 'QueSonVM.md', true],
      [Code.AbsolutePath, 'HipervisoresVM.md', true],
      [Code.AbsolutePath, '../README.md', true],
    ]);
  });

  test('a link that climbs out of the workspace is reported and not resolved', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[p](../../../etc/passwd)\n' });
    const d = only(kb, 'VM/OrigenVM.md', Code.OutsideWorkspace);
    assert.deepEqual(d.fixes, []);
  });

  test('an encoded slash does not hide a climb out of the workspace', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[p](..%2F..%2F..%2Ffuera.md)\n' });
    assert.deepEqual(only(kb, 'VM/OrigenVM.md', Code.OutsideWorkspace).fixes, []);
  });
});

describe('navigation', () => {
  test('the seed page: one link with a backslash path from the root, pointing at its own page, with a label naming another page', () => {
    const seedPath = 'vm_vs_docker_benchmark/Info_Completa/VM/QueSon.md';
    const kb = kbFrom({
      'README.md': '# Curso\n\n[Qué son 📎](vm_vs_docker_benchmark/Info_Completa/VM/QueSon.md)\n[Hipervisores 📎](vm_vs_docker_benchmark/Info_Completa/VM/HipervisoresVM.md)\n',
      'vm_vs_docker_benchmark/Info_Completa/VM/OrigenVM.md': '# Importancia de las Máquinas Virtuales\n\n[Que son las Máquinas Virtuales ➡️](QueSon.md)\n',
      'vm_vs_docker_benchmark/Info_Completa/VM/HipervisoresVM.md': '[Que son las Máquinas Virtuales ⬅️](QueSon.md)\n\n# Hipervisores\n',
      [seedPath]: '[#Importancia de las Máquinas Virtuales ⬅️](vm_vs_docker_benchmark/Info_Completa/VM/OrigenVM.md)\n\n## Que son las Máquinas Virtuales\n\nTexto.\n\n[#Hipervisores ➡️](vm_vs_docker_benchmark\\Info_Completa\\VM\\QueSon.md)\n',
    });
    const forward = kb.diagnostics(seedPath).filter((d) => d.range.start.line === 6);
    assert.deepEqual(forward.map((d) => d.code).sort(), [Code.BackslashPath, Code.RootRelativePath, Code.SelfLink].sort());
    const self = forward.find((d) => d.code === Code.SelfLink)!;
    assert.equal(self.fixes[0].edits[0].newText, 'HipervisoresVM.md');
    assert.equal(self.fixes[0].preferred, true);
  });

  test('self-link: a navigation link to its own page', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[Siguiente ➡️](OrigenVM.md) [sección 📎](#origen-de-las-máquinas-virtuales)\n' });
    assert.deepEqual(codesOf(kb, 'VM/OrigenVM.md'), [Code.SelfLink]);
  });

  test('label-mismatch: a back link whose label names another page offers re-pointing and relabelling', () => {
    const kb = kbFrom({ ...curso, 'VM/HipervisoresVM.md': curso['VM/HipervisoresVM.md'].replace('[Qué son ⬅️]', '[#Origen de las Máquinas Virtuales ⬅️]') });
    const d = only(kb, 'VM/HipervisoresVM.md', Code.LabelMismatch);
    assert.match(d.message, /Origen de las Máquinas Virtuales/);
    assert.deepEqual(d.fixes.map((f) => [f.edits[0].newText, f.safe]), [
      ['OrigenVM.md', false],
      ['Qué son las Máquinas Virtuales ⬅️', false],
    ]);
  });

  test('label-mismatch ignores generic labels, related links and labels that are part of the target title', () => {
    const kb = kbFrom({
      ...curso,
      'VM/HipervisoresVM.md': curso['VM/HipervisoresVM.md'].replace('[Qué son ⬅️]', '[Anterior ⬅️]') + '[Origen de las Máquinas Virtuales 📎](QueSonVM.md)\n',
    });
    assert.deepEqual(codesOf(kb, 'VM/HipervisoresVM.md'), []);
  });

  test('nav-not-reciprocal: a forward link whose target has no back link offers adding one', () => {
    const files = { ...curso, 'VM/HipervisoresVM.md': '# Hipervisores\r\n\r\nTexto.\r\n' };
    const kb = kbFrom(files);
    const d = only(kb, 'VM/QueSonVM.md', Code.NavNotReciprocal);
    assert.equal(d.fixes[0].safe, true);
    assert.equal(d.fixes[0].edits[0].newText, '[Qué son las Máquinas Virtuales ⬅️](QueSonVM.md)\r\n\r\n');
    const fixed = fixAll(files, kb);
    assert.equal(fixed['VM/HipervisoresVM.md'], '[Qué son las Máquinas Virtuales ⬅️](QueSonVM.md)\r\n\r\n# Hipervisores\r\n\r\nTexto.\r\n');
    assert.deepEqual(summary(kbFrom(fixed)), []);
  });

  test('nav-not-reciprocal: a fork is reported on both sides, its fixes are offered, never applied alone', () => {
    const kb = kbFrom({
      ...curso,
      'README.md': curso['README.md'] + '[Importancia 📎](VM/ImportanciaVM.md)\n',
      'VM/ImportanciaVM.md': '[Origen ⏮️](OrigenVM.md)\n\n# Importancia de las Máquinas Virtuales\n\n[Hipervisores ⏭️](HipervisoresVM.md)\n',
    });
    const origin = kb.diagnostics('VM/ImportanciaVM.md').filter((x) => x.range.start.line === 0);
    assert.deepEqual(origin.map((x) => x.code), [Code.NavNotReciprocal]);
    assert.match(origin[0].message, /“Origen de las Máquinas Virtuales” no tiene un enlace hacia adelante a esta página; avanza a “Qué son/);
    const d = kb.diagnostics('VM/ImportanciaVM.md').filter((x) => x.range.start.line === 4);
    assert.equal(d.length, 1);
    assert.match(d[0].message, /bifurca/);
    assert.ok(d[0].fixes.every((f) => !f.safe));
    assert.equal(d[0].fixes[0].edits[0].path, 'VM/HipervisoresVM.md');
    assert.equal(d[0].fixes[0].edits[0].newText, 'ImportanciaVM.md');
  });

  test('nav-not-reciprocal: a fork of many pages names five of the others and counts the rest', () => {
    // Every page leads back to the index: each message naming all the others cost the square of them.
    const files: Record<string, string> = { 'README.md': '# Índice\n\n[Tema 0 ➡️](t0.md)\n' };
    for (let i = 0; i < 8; i++) files[`t${i}.md`] = `# Tema ${i}\n\n[Índice ⬅️](README.md)\n`;
    const kb = kbFrom(files);
    const d = only(kb, 't3.md', Code.NavNotReciprocal);
    assert.match(d.message, /bifurca: “Tema 0 \(t0\.md\)”, “Tema 1 \(t1\.md\)”, “Tema 2 \(t2\.md\)”, “Tema 4 \(t4\.md\)”, “Tema 5 \(t5\.md\)” y 2 páginas más también llevan a “Índice”/);
    assert.deepEqual(d.related!.filter((r) => r.path !== 'README.md').map((r) => r.path), ['t0.md', 't1.md', 't2.md', 't4.md', 't5.md']);
    assert.ok(d.fixes.every((f) => !f.safe));
    const english = kbFrom(files, { locale: 'en' });
    assert.match(only(english, 't7.md', Code.NavNotReciprocal).message, /“Tema 4 \(t4\.md\)” and 2 more pages also lead to “Índice”/);
  });

  test('back links answered by a down link, and up links, carry no obligation beyond the chain', () => {
    const kb = kbFrom({
      ...curso,
      'VM/HipervisoresVM.md': curso['VM/HipervisoresVM.md'] + '\n- [Tipo 1 ⬇️](Hipervisores/Tipo1.md)\n',
      'VM/Hipervisores/Tipo1.md': '[Hipervisores ⏮️](../HipervisoresVM.md)\n\n# Tipo 1\n\n[Subir ⬆️](../../README.md)\n',
    });
    assert.deepEqual(summary(kb), []);
  });

  test('markers are recognized with and without U+FE0F', () => {
    const kb = kbFrom({ ...curso, 'VM/HipervisoresVM.md': curso['VM/HipervisoresVM.md'].replace('⬅️', '⬅') });
    assert.equal(kb.page('VM/HipervisoresVM.md')!.facts.links[0].nav, 'back');
    assert.deepEqual(summary(kb), []);
  });
});

describe('orphan-page and undefined-reference', () => {
  test('a page no link reaches from the entry page is an orphan; folder READMEs count as reached', () => {
    const kb = kbFrom({ ...curso, 'VM/Suelta.md': '# Suelta\n', 'VM/README.md': '# VM\n' });
    assert.deepEqual(summary(kb), ['VM/Suelta.md orphan-page']);
  });

  test('a link to a folder reaches the folder\'s README', () => {
    const kb = kbFrom({ ...curso, 'README.md': curso['README.md'] + '[Docker](Docker/)\n', 'Docker/README.md': '# Docker\n\n[Suelta 📎](Suelta.md)\n', 'Docker/Suelta.md': '# Suelta\n' });
    assert.deepEqual(summary(kb), []);
  });

  test('no entry page, no orphans', () => {
    const { 'README.md': _, ...rest } = curso;
    assert.ok(!summary(kbFrom(rest)).some((s) => s.endsWith('orphan-page')));
  });

  test('configured entry pages', () => {
    const kb = kbFrom({ ...curso, 'inicio.md': '# Inicio\n' }, { entryPages: ['inicio.md'] });
    assert.deepEqual(summary(kb).filter((s) => s.endsWith('orphan-page')), ['README.md orphan-page', 'VM/HipervisoresVM.md orphan-page', 'VM/OrigenVM.md orphan-page', 'VM/QueSonVM.md orphan-page']);
  });

  test('[texto][ref] without a definition', () => {
    const kb = kbFrom({ ...curso, 'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + 'Ver [la guía][guia] y [otra][].\n' });
    assert.deepEqual(kb.diagnostics('VM/OrigenVM.md').map((d) => [d.code, d.message]), [
      [Code.UndefinedReference, 'La referencia “[guia]” no tiene definición'],
      [Code.UndefinedReference, 'La referencia “[otra]” no tiene definición'],
    ]);
  });
});

describe('settings', () => {
  test('a code set to off is not reported; severities are configurable', () => {
    const files = { ...curso, 'README.md': curso['README.md'] + '[x](Nada.md)\n', 'VM/Suelta.md': '# S\n' };
    const severity = { ...kbFrom({}).settings.severity, 'orphan-page': 'off', 'missing-file': 'warning' } as const;
    const kb = kbFrom(files, { severity });
    assert.deepEqual(kb.diagnostics('README.md').map((d) => d.severity), ['warning']);
    assert.deepEqual(kb.diagnostics('VM/Suelta.md'), []);
  });

  test('custom markers', () => {
    const kb = kbFrom({ 'a.md': '# A\n\n[B >>](b.md)\n', 'b.md': '# B\n' }, { markers: { back: ['<<'], forward: ['>>'], up: [], down: [], related: [] } });
    assert.equal(kb.page('a.md')!.facts.links[0].nav, 'forward');
    assert.deepEqual(codesOf(kb, 'a.md'), [Code.NavNotReciprocal]);
  });
});

describe('fixes never lose text', () => {
  test('fix-all changes only destinations and labels, and a second run changes nothing', () => {
    const files = {
      ...curso,
      'README.md': curso['README.md'] + 'Texto *intacto* [Hipervisores 📎](VM\\HipervisoresVM.md) más texto.\r\n',
      'VM/OrigenVM.md': curso['VM/OrigenVM.md'] + '[c](quesonvm.md#configuracion)\n',
    };
    const kb = kbFrom(files);
    const once = fixAll(files, kb);
    assert.equal(once['README.md'], curso['README.md'] + 'Texto *intacto* [Hipervisores 📎](VM/HipervisoresVM.md) más texto.\r\n');
    assert.equal(once['VM/OrigenVM.md'], curso['VM/OrigenVM.md'] + '[c](QueSonVM.md#configuracion)\n');
    const twice = fixAll(once, kbFrom(once));
    const thrice = fixAll(twice, kbFrom(twice));
    assert.deepEqual(thrice, twice);
  });

  test('applyTextEdits keeps every other character', () => {
    const text = 'a\r\nb [x](y.md) c\r\n';
    assert.equal(applyTextEdits(text, [{ range: { start: { line: 1, character: 6 }, end: { line: 1, character: 10 } }, newText: 'z.md' }]), 'a\r\nb [x](z.md) c\r\n');
  });
});
