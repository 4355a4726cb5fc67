/**
 * Pages built to break a parser or a checker, one shape each, through the knowledge base: each must
 * be indexed and checked in bounded time, with ranges that are ranges of the text, and its fixes
 * must keep every character they do not name. Regression tests for what the fuzzer found.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, type KbDiagnostic } from '../../../server/src/engine/types';
import { KnowledgeBase } from '../../../server/src/engine/knowledgeBase';
import { defaultSettings } from '../../../server/src/engine/config';
import { parsePage } from '../../../server/src/engine/parse';
import { MarkerSet } from '../../../server/src/engine/navigation';
import { resolveLink } from '../../../server/src/engine/resolve';
import { encodeDestination } from '../../../server/src/engine/paths';
import { checkKnowledgeBase, emptyStats, indexKnowledgeBase, applyAndCompare } from './properties';
import { headingRenameEdits } from '../../../server/src/engine/headingRename';
import { fileRenameEdits } from '../../../server/src/engine/renameEdits';
import { LineStarts, factsViolations } from './support';

/**
 * Indexes and checks `files` within `maxMs` (the engine's time only), then asserts the properties
 * (ranges, fixes alone and fix-all; untimed); returns the diagnostics.
 */
function survives(files: Record<string, string>, maxMs: number): KbDiagnostic[] {
  const started = performance.now();
  const { kb } = indexKnowledgeBase(new Map(Object.entries(files)), 'en');
  const ms = performance.now() - started;
  assert.ok(ms < maxMs, `took ${ms.toFixed(0)} ms, more than ${maxMs}`);
  checkKnowledgeBase(new Map(Object.entries(files)), emptyStats());
  return [...kb.allDiagnostics().values()].flat();
}

const markers = new MarkerSet();

describe('deep nesting', () => {
  for (const [name, text] of [
    ['10,000 nested block quotes', `${'>'.repeat(10_000)} [x](missing.md)\n`],
    ['2,500 nested block quotes and list items', `${'> - '.repeat(2_500)}[x](missing.md)\n`],
    ['3,000 nested emphasis', `${'*'.repeat(3_000)}x${'*'.repeat(3_000)}\n`],
    ['a heading with 5,000 nested emphasis', `# ${'*_'.repeat(2_500)}x${'_*'.repeat(2_500)}\n`],
    ['1,000 images nested in links', `${'[!['.repeat(1_000)}x${'](a.png)]'.repeat(1_000)}(b.md)\n`],
  ]) {
    test(`${name}: indexed without a stack overflow`, () => {
      survives({ 'README.md': '# R\n\n[p](page.md)\n', 'page.md': text }, 20_000);
    });
  }
});

describe('huge pages', () => {
  test('a heading of 100,000 characters and a fragment that nearly names it are checked in bounded time', () => {
    const words = 'máquinas virtuales '.repeat(5_000);
    const diagnostics = survives({ 'README.md': `# ${words}\n\n[x](#${'maquinas-virtuales-'.repeat(5_000)}x)\n` }, 10_000);
    assert.ok(diagnostics.some((d) => d.code === Code.MissingFragment));
  });

  test('3,000 links to missing fragments of a page with 1,500 headings are checked in bounded time', () => {
    const headings = Array.from({ length: 1_500 }, (_, i) => `## Sección ${i}\n`).join('\n');
    const links = Array.from({ length: 3_000 }, (_, i) => `[s](b.md#seccion-${i}x)`).join(' ');
    const diagnostics = survives({ 'README.md': `# R\n\n${links}\n`, 'b.md': `# B\n\n${headings}` }, 10_000);
    assert.equal(diagnostics.filter((d) => d.code === Code.MissingFragment).length, 3_000);
  });

  test('10,000 links to the old id of a renamed heading, in a page of 5,000 headings, are checked in bounded time', () => {
    // Compared once with the page's ids, not once per link (50 million comparisons took about 20 s).
    const headings = Array.from({ length: 5_000 }, (_, i) => `## Sección ${i}\n`).join('\n');
    const links = Array.from({ length: 10_000 }, () => `[s](b.md#seccion-antigua)`).join(' ');
    const started = performance.now();
    const { kb } = indexKnowledgeBase(new Map([['README.md', `# R\n\n${links}\n`], ['b.md', `# B\n\n${headings}`]]), 'en');
    const missing = kb.diagnostics('README.md').filter((d) => d.code === Code.MissingFragment);
    const ms = performance.now() - started;
    assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
    assert.equal(missing.length, 10_000);
    assert.deepEqual(missing[0].fixes.map((f) => f.edits[0].newText), missing[9_999].fixes.map((f) => f.edits[0].newText));
  });

  test('10,000 links to a page deleted from a folder of 2,000 pages are checked in bounded time', () => {
    // The folder's names are compared with the missing name once, not once per link (20 million comparisons took half a minute).
    const files = new Map(Array.from({ length: 2_000 }, (_, i) => [`Carpeta/Pagina-${String(i).padStart(4, '0')}.md`, '# P\n']));
    files.set('README.md', `# R\n\n${'[x](Carpeta/Pagina-zzzz.md) '.repeat(10_000)}\n`);
    const started = performance.now();
    const { kb } = indexKnowledgeBase(files, 'en');
    const missing = kb.diagnostics('README.md').filter((d) => d.code === Code.MissingFile);
    const ms = performance.now() - started;
    assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
    assert.equal(missing.length, 10_000);
  });

  test('an HTML block of 200,000 characters of unclosed tags is parsed in bounded time', () => {
    const started = performance.now();
    parsePage(`<div>\n${'<a '.repeat(35_000)}\n${'<b id '.repeat(20_000)}\n</div>\n`, markers);
    assert.ok(performance.now() - started < 5_000, `took ${(performance.now() - started).toFixed(0)} ms`);
  });
});

describe('HTML links', () => {
  for (const [name, page] of [
    ['inside a block quote', '# R\n\n> <div>\n> <a href="VM\\x.md">x</a> <img src="VM\\x.md">\n> </div>\n'],
    ['inside a list item', '# R\n\n- <div>\n  <a href="VM\\x.md">x</a>\n  </div>\n'],
    ['inside a nested quote and list', '# R\n\n> - > <div>\n> -   > <a id="t" href="VM\\x.md">x</a>\n'],
  ]) {
    test(`${name}: the destination range holds the destination, and its fix rewrites only it`, () => {
      const facts = parsePage(page, markers);
      assert.deepEqual(factsViolations(page, facts), []);
      const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), 'en');
      const backslash = kb.diagnostics('README.md').filter((d) => d.code === Code.BackslashPath);
      assert.ok(backslash.length >= 1);
      const count = (text: string, what: string) => text.split(what).length - 1;
      for (const d of backslash) {
        const after = applyAndCompare(texts.get('README.md')!, d.fixes[0].edits, 'backslash fix');
        assert.equal(count(after, 'VM\\x.md'), count(page, 'VM\\x.md') - 1, after);
        assert.equal(count(after, 'VM/x.md'), 1, after);
      }
    });
  }

  test("a fragment fix in a quoted attribute does not write the quote: <img src='x.md#it's'>", () => {
    const page = `# R\n\n<a id="it's"></a> <a name='o"k'></a>\n\n<img src='README.md#its'> <a href="README.md#o-k">x</a>\n`;
    const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page]]), 'en');
    const fixes = kb.diagnostics('README.md').filter((d) => d.code === Code.MissingFragment).map((d) => d.fixes[0]);
    assert.equal(fixes.length, 2);
    for (const fix of fixes) {
      const after = applyAndCompare(texts.get('README.md')!, fix.edits, 'fragment fix');
      assert.ok(parsePage(after, markers).links.some((l) => l.raw === fix.edits[0].newText), after);
      const { kb: fixed } = indexKnowledgeBase(new Map([['README.md', after]]), 'en');
      assert.equal(fixed.diagnostics('README.md').filter((d) => d.code === Code.MissingFragment).length, 1, after);
    }
  });

  test('an HTML attribute whose value ends with a line break keeps it when rewritten: the tag stays on two lines', () => {
    // Found by fuzzing (seed 515879722, a page moved): on one line the tag began an HTML block that took the
    // next line's link with it.
    const page = "1. <img src='VM\\x.md\r\n'>\n    - [](VM/x.md)\n";
    const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), 'en');
    const fix = kb.diagnostics('README.md').find((d) => d.code === Code.BackslashPath)!.fixes[0];
    assert.equal(fix.edits[0].newText, 'VM/x.md\r\n');
    const after = applyAndCompare(texts.get('README.md')!, fix.edits, 'backslash fix');
    assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw.trim()), ['VM/x.md', 'VM/x.md']);
    const moved = fileRenameEdits(kb, [{ from: 'VM/x.md', to: 'Otra/x.md' }]);
    assert.deepEqual(moved.map((e) => e.newText), ['Otra/x.md\r\n', 'Otra/x.md']);
    // A query kept as written carries the line break already: not added twice (seed 516040655).
    const { kb: other } = indexKnowledgeBase(new Map([['p.md', '<a href="q?r.md\r"></a>\n'], ['q', '']]), 'en');
    assert.deepEqual(fileRenameEdits(other, [{ from: 'p.md', to: 'Sub/p.md' }]).map((e) => e.newText), ['../q?r.md\r']);
  });

  test('a tag inside an HTML comment, CDATA section or processing instruction is no link and no anchor; a move leaves it as written', () => {
    // Found by fuzzing (seed 515879722, a page moved): the `-->` in the address ends the comment, and so the
    // HTML block; rewritten (`…md--%3E`), the block ran on and took the next line's link.
    const page = '<!--\nx\n\n1. <a href="Tipo 1.md-->">y</a>\n1. [x](q.md)\n\n<?x <a name="n"> <a href="q.md?>">\n\n<![CDATA[ <img src="q.md]]>">\n[z](q.md#n)\n';
    assert.deepEqual(parsePage(page, markers).links.map((l) => l.raw), ['q.md', 'q.md#n']);
    assert.deepEqual(parsePage(page, markers).anchors, []);
    const files = new Map([['p.md', page], ['Tipo 1.md', '# T\n'], ['q.md', '# Q\n']]);
    const { kb, texts } = indexKnowledgeBase(files, 'en');
    const edits = fileRenameEdits(kb, [{ from: 'p.md', to: 'Sub/p.md' }]);
    assert.deepEqual(edits.map((e) => e.newText), ['../q.md', '../q.md#n']);
    const after = applyAndCompare(texts.get('p.md')!, edits, 'move of p.md');
    assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw), ['../q.md', '../q.md#n']);
  });

  test('a move keeps the fragment after a rewritten path, its parentheses escaped: they were balanced by the path', () => {
    // Found by fuzzing (seed 559423946, a page moved): the path's `(`s were written `%28`, and the fragment's `)`
    // then closed the destination early: the rest of the line became a second link.
    const page = '[a](b]()[](-dash.markdown#nada)[)](-dash.markdown)\n';
    const { kb, texts } = indexKnowledgeBase(new Map([['-dash.markdown', page]]), 'en');
    assert.deepEqual(parsePage(page, markers).links.map((l) => l.raw), ['b]()[](-dash.markdown#nada)[']);
    const edits = fileRenameEdits(kb, [{ from: '-dash.markdown', to: 'Sub/p.md' }]);
    assert.deepEqual(edits.map((e) => e.newText), ['../b]%28%29[]%28-dash.markdown#nada%29[']);
    const after = applyAndCompare(texts.get('-dash.markdown')!, edits, 'move of -dash.markdown');
    assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw), ['../b]%28%29[]%28-dash.markdown#nada%29[']);
  });

  test('a NUL in an HTML destination: the destination is what the range holds', () => {
    const page = '<div>\n<a href="a\u0000b.md">x</a>\n</div>\n';
    assert.deepEqual(factsViolations(page, parsePage(page, markers)), []);
  });
});

describe('a backslash at the end of a destination', () => {
  // Found by fuzzing: the line ending after it was read as escaped, a CRLF cut in two by the range.
  for (const [name, page] of [
    ['definition on its own line, CRLF', '[ref]:\n  q?r.md\\\r\n\n[a][ref]\n'],
    ['definition, LF', '[ref]: q.md\\\n\n[a][ref]\n'],
    ['inline, before a line ending and the )', '[a](q.md\\\r\n)\n'],
    ['inline, before a title', '[a](q.md\\ "t")\n'],
  ]) {
    test(`${name}: the destination ends with the backslash, as the range holds`, () => {
      const facts = parsePage(page, markers);
      assert.deepEqual(factsViolations(page, facts), []);
      assert.deepEqual(facts.links.map((l) => l.raw.endsWith('\\')), [true]);
    });
  }
});

describe('a definition whose destination begins its line', () => {
  test('in a block quote, the destination is read after the `>` markers, not as the `>`', () => {
    for (const page of ['> > [ref]:\n> > x.md\n\n[a][ref]\n', '> [ref]:\r\n>   x.md\r\n\r\n[a][ref]\n', '> > [a](\n> > x.md)\n']) {
      const facts = parsePage(page, markers);
      assert.deepEqual([facts.links.map((l) => [l.raw, l.rawLineStart]), factsViolations(page, facts)], [[['x.md', true]], []], JSON.stringify(page));
    }
  });

  // Found by fuzzing: a fragment fix wrote `#` there, an empty heading, and the definition was lost.
  for (const [name, files, page, written] of [
    ['a fragment fix to an empty heading id', { 'a.md': '# \n\n[ref]:\n  #%zz\n\n[a][ref]\n' }, 'a.md', '<#>'],
    ['a fix to a file named = (a setext underline)', { 'README.md': '# R\n\n[s](sub/p.md)\n', 'sub/=': 'x', 'sub/p.md': '# P\n\n[ref]:\n  sub/=\n\n[a][ref]\n' }, 'sub/p.md', '%3D'],
    ['a fix to a file named + with a title (a list item)', { 'README.md': '# R\n\n[s](sub/p.md)\n', 'sub/+': 'x', 'sub/p.md': '# P\n\n[ref]:\nsub/+ "t"\n\n[a][ref]\n' }, 'sub/p.md', '%2B'],
    ['a fix to a file named ~~~a.md, in a block quote (a code fence)', { 'README.md': '# R\n\n[s](sub/p.md)\n', 'sub/~~~a.md': 'x', 'sub/p.md': '# P\n\n> [ref]:\n>   sub/~~~a.md\n\n[a][ref]\n' }, 'sub/p.md', '%7E~~a.md'],
  ] as [string, Record<string, string>, string, string][]) {
    test(`${name}: the fix writes ${written}, and the definition stays one`, () => {
      const before = parsePage(files[page], markers);
      assert.deepEqual([before.links.map((l) => l.raw), factsViolations(files[page], before)], [[page === 'a.md' ? '#%zz' : Object.keys(files)[1]], []]);
      const { kb, texts } = indexKnowledgeBase(new Map(Object.entries(files)), 'en');
      const fixes = kb.diagnostics(page).flatMap((d) => d.fixes).filter((f) => f.edits.length === 1 && f.edits[0].path === page);
      assert.ok(fixes.length > 0, JSON.stringify(kb.diagnostics(page)));
      for (const fix of fixes) {
        assert.equal(fix.edits[0].newText, written);
        const after = applyAndCompare(texts.get(page)!, fix.edits, fix.title);
        assert.deepEqual(parsePage(after, markers).links.map((l) => l.kind), ['reference'], after);
      }
    });
  }
});

describe('fixes that write a destination', () => {
  const encode = (name: string) => encodeURIComponent(name).replace(/\(/g, '%28').replace(/\)/g, '%29');
  for (const name of ['a#b.md', 'q?r.md', 'p%q.md', 'a(b.md', 'a)b.md', '(a)b.md', 'a b.md', 'a<b>.md', 'ta\tb.md', 'a]b.md', 'nul\u0000.md', 'bel\u0007.md', 'del\u007f.md']) {
    test(`a fix pointing to “${name}” writes a destination that leads there`, () => {
      // A path written from the root in a nested page is rewritten from the page: the new destination must name the same file.
      const files = new Map([['README.md', '# R\n\n[s](sub/p.md)\n'], ['sub/p.md', `# P\n\n[x](${encode(name)})\n`], [name, '# N\n']]);
      const { kb } = indexKnowledgeBase(files, 'en');
      const fix = kb.diagnostics('sub/p.md').find((d) => d.code === Code.RootRelativePath)?.fixes[0];
      assert.ok(fix, JSON.stringify(kb.diagnostics('sub/p.md')));
      const written = fix.edits[0].newText;
      const link = { ...parsePage(`[x](${written})`, markers).links[0] };
      assert.ok(link.raw !== undefined, `“${written}” is still a link`);
      assert.deepEqual(resolveLink('sub/p.md', link, kb.files, kb.rootPath), { kind: 'found', target: name, isDirectory: false, fragment: undefined, shape: { backslash: false, fromRoot: false, differences: [] } });
    });
  }
});

describe('fixes that insert a navigation link', () => {
  test('a back link is added after the front matter, not before it', () => {
    const target = '---\ntitle: Dos\n---\n# Dos\n\nTexto.\n';
    const { kb, texts } = indexKnowledgeBase(new Map([['README.md', '# Uno\n\n[Dos ➡️](dos.md)\n'], ['dos.md', target]]), 'en');
    const fix = kb.diagnostics('README.md').find((d) => d.code === Code.NavNotReciprocal)!.fixes[0];
    const after = applyAndCompare(texts.get('dos.md')!, fix.edits, 'add back link');
    assert.ok(after.startsWith('---\ntitle: Dos\n---\n'), after);
    assert.equal(parsePage(after, markers).links.filter((l) => l.nav === 'back').length, 1);
  });

  for (const title of ['Arrays [] en C', 'a ] b', 'a [ b', 'trailing \\', '`code` and *stars*', '\\`\\`\\`', 'a \\<b', 'R&amp;D', 'a > b']) {
    test(`a link labelled with the title “${title}” is still one link`, () => {
      const files = new Map([['README.md', `# ${title}\n\n[Dos ➡️](dos.md)\n`], ['dos.md', '# Dos\n']]);
      const { kb, texts } = indexKnowledgeBase(files, 'en');
      const fix = kb.diagnostics('README.md').find((d) => d.code === Code.NavNotReciprocal)!.fixes[0];
      const after = applyAndCompare(texts.get('dos.md')!, fix.edits, 'add back link');
      const links = parsePage(after, markers).links;
      assert.equal(links.length, 1, after);
      assert.equal(links[0].raw, 'README.md');
      assert.equal(links[0].nav, 'back');
      assert.equal(links[0].label, `${kb.page('README.md')!.title} ⬅️`);
    });
  }
});

/** Applies fix `which` of README.md's forward link to dos.md, whose back link leads elsewhere; returns dos.md after it. */
function repointBackLink(files: Map<string, string>, which = 0, what = 'repoint back link'): string {
  const { kb, texts } = indexKnowledgeBase(files, 'en');
  const fix = kb.diagnostics('README.md').find((d) => d.code === Code.NavNotReciprocal)!.fixes[which];
  return applyAndCompare(texts.get('dos.md')!, fix.edits, what);
}

test('a back link relabelled with a title of backticks does not open a code span with the rest of its line', () => {
  const files = new Map([
    ['README.md', '# \\`\\`\\`\n\n[Dos ➡️](dos.md)\n'],
    ['dos.md', '# Dos\n\n[Tres ⬅️](tres.md) y ``` sigue\n\n` [Tres ⬅️](tres.md) ya abierto\n'],
    ['tres.md', '# Tres\n'],
  ]);
  const after = repointBackLink(files);
  const back = parsePage(after, markers).links.filter((l) => l.nav === 'back');
  assert.deepEqual(back.map((l) => [l.raw, l.label]), [['README.md', '``` ⬅️'], ['tres.md', 'Tres ⬅️']], after);
  const after2 = repointBackLink(files, 1, 'repoint the other back link');
  assert.deepEqual(parsePage(after2, markers).links.filter((l) => l.nav === 'back').map((l) => [l.raw, l.label]), [['tres.md', 'Tres ⬅️'], ['README.md', '``` ⬅️']], after2);
});

describe('autolinks', () => {
  test('an autolink whose URL runs on over a marker is no navigation link, and no fix repoints it', () => {
    const files = new Map([['index.md', '[](https://example.com/a.md[➡️](notas%20de%20clase.md)\n'], ['VM/QueSonVM.md', '[Origen ⬅️](../index.md)\n']]);
    const { kb } = indexKnowledgeBase(files, 'en');
    assert.deepEqual(kb.page('index.md')!.facts.links.map((l) => [l.kind, l.nav]), [['autolink', undefined]]);
    checkKnowledgeBase(files, emptyStats());
  });

  test('the fix of an absolute file: autolink keeps a working link', () => {
    const page = '# R\n\nVer <file:///home/ana/apuntes/VM/x.md>.\n';
    const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), 'en');
    const d = kb.diagnostics('README.md').find((x) => x.code === Code.AbsolutePath)!;
    const after = applyAndCompare(texts.get('README.md')!, d.fixes[0].edits, 'absolute fix');
    const links = parsePage(after, markers).links;
    assert.equal(links.length, 1, after);
    assert.equal(links[0].raw, 'VM/x.md');
  });

  test('an absolute file: autolink right after `]` or `!` gets no fix: as `[…](…)` it would join them', () => {
    // Found by fuzzing: `[ref]<file:…>` became `[ref][file:…](…)`, and the reference link `[ref]` was lost.
    const page = '# R\n\n[ref]<file:///home/ana/apuntes/VM/x.md> !<file:///home/ana/apuntes/VM/x.md>\n\n[ref]: VM/x.md\n';
    const { kb } = indexKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), 'en');
    const absolute = kb.diagnostics('README.md').filter((d) => d.code === Code.AbsolutePath);
    assert.deepEqual(absolute.map((d) => d.fixes.length), [0, 0]);
    checkKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), emptyStats());
  });

  test('an absolute file: autolink right after a literal URL gets no fix: the URL would run on into `[…](…)`', () => {
    // Found by fuzzing (seed 532422447): `(https://example.com/a.md)<file:…>` became `(https://…)[file:…](…)`,
    // one literal URL up to the end of the line, and both links were lost. After other text, it is fixed.
    const page = '# R\n\n(https://example.com/a.md)<file:///home/ana/apuntes/VM/x.md> www.example.com/<file:///home/ana/apuntes/VM/x.md>\n\nVer:<file:///home/ana/apuntes/VM/x.md>\n';
    const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), 'en');
    const absolute = kb.diagnostics('README.md').filter((d) => d.code === Code.AbsolutePath);
    assert.deepEqual(absolute.map((d) => d.fixes.length), [0, 0, 1]);
    const after = applyAndCompare(texts.get('README.md')!, absolute[2].fixes[0].edits, 'absolute fix');
    assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw).slice(-1), ['VM/x.md']);
    checkKnowledgeBase(new Map([['README.md', page], ['VM/x.md', '# X\n']]), emptyStats());
  });
});

test('a page that starts with a second BOM: every range is a range of its text, and fixes rewrite only their destination', () => {
  const page = '\uFEFF\r\n# T\r\n\r\n[Uno ⬅️](VM\\x.md) <a href="VM\\x.md">x</a>\r\n';
  assert.deepEqual(factsViolations(page, parsePage(page, markers)), []);
  const files = new Map([['README.md', '\uFEFF' + page], ['VM/x.md', '# X\n']]);
  checkKnowledgeBase(files, emptyStats());
  const { kb, texts } = indexKnowledgeBase(files, 'en');
  const fix = kb.diagnostics('README.md').find((d) => d.code === Code.BackslashPath)!.fixes[0];
  assert.equal(applyAndCompare(texts.get('README.md')!, fix.edits, 'backslash'), page.replace('VM\\x.md', 'VM/x.md'));
});

test('every range of a page with CR, LF and CRLF mixed, a BOM in the middle and surrogates is a range of its text', () => {
  const page = 'a\r[x](b.md)\r\n\ud800[y](c.md)\n\uFEFF[z](d.md)\r\r\n# \udfff h\u2028[w](e.md)\u2029\r';
  assert.deepEqual(factsViolations(page, parsePage(page, markers), new LineStarts(page)), []);
});

test('a GFM autolink in a table cell (a node without a position) yields no range outside the text', () => {
  const page = '<div>\n<a id="" href="">x</a>\n</div>\n\n| [Origen ⬅️ [Origen ⬅️](https://example.com/a.md | b |\n|---|:-:|\n|  | \\| |\n';
  assert.deepEqual(factsViolations(page, parsePage(page, markers)), []);
  checkKnowledgeBase(new Map([['README.md', page]]), emptyStats());
});

test('a link appended to a page with CR line endings starts on a line of its own', () => {
  const files = new Map([['README.md', '# Uno\n\n[Dos ⬅️](dos.md)\n'], ['dos.md', '# Dos\r\r<div>\rx\r</div>\r']]);
  const { kb, texts } = indexKnowledgeBase(files, 'en');
  const fix = kb.diagnostics('README.md').find((d) => d.code === Code.NavNotReciprocal)!.fixes[0];
  const after = applyAndCompare(texts.get('dos.md')!, fix.edits, 'add forward link');
  assert.deepEqual(parsePage(after, markers).links.map((l) => [l.raw, l.nav]), [['README.md', 'forward']], JSON.stringify(after));
});

test('a fragment fix towards an id with a backslash escapes it', () => {
  const page = '# R\n\n<a id="a\\"></a>\n\n[x](#a%5)\n';
  const { kb, texts } = indexKnowledgeBase(new Map([['README.md', page]]), 'en');
  const fix = kb.diagnostics('README.md').find((d) => d.code === Code.MissingFragment)!.fixes.find((f) => f.title.includes('\\'))!;
  const after = applyAndCompare(texts.get('README.md')!, fix.edits, 'fragment');
  assert.ok(parsePage(after, markers).links.some((l) => l.raw === fix.edits[0].newText), after);
  assert.deepEqual(indexKnowledgeBase(new Map([['README.md', after]]), 'en').kb.diagnostics('README.md'), []);
});

test('a back link in a table cell relabelled with a title holding | stays in its cell', () => {
  const files = new Map([
    ['README.md', '# a | b\n\n[Dos ➡️](dos.md)\n'],
    ['dos.md', '# Dos\n\n| nav | x |\n|---|---|\n| [Tres ⬅️](tres.md) | y |\n'],
    ['tres.md', '# Tres\n'],
  ]);
  const after = repointBackLink(files);
  assert.deepEqual(parsePage(after, markers).links.map((l) => [l.raw, l.label]), [['README.md', 'a | b ⬅️']], after);
  assert.equal(encodeDestination('p|q.md'), 'p%7Cq.md', 'a file name with | is written so that it cannot end a cell either');
});

test('an opening --- never closed is no front matter: the page reads as CommonMark, before and after a line is inserted at the top', () => {
  const page = '---\r\n\r\n1. \r\n        - [Origen ⬇️](../OrigenVM.md)\r\n';
  // The item's content is indented 5 past its marker's width: an indented code block, no link.
  assert.deepEqual(parsePage(page, markers).links, []);
  assert.deepEqual(parsePage('[x](y.md)\r\n\r\n' + page, markers).links.map((l) => l.raw), ['y.md']);
  const closed = '---\ntitle: T\n---\n# H\n\n[a](b.md)\n';
  assert.equal(parsePage(closed, markers).headingTitle, 'H');
  assert.ok(parsePage(closed, markers).afterFrontMatter);
  assert.ok(parsePage('+++\ntitle = "T"\n+++\n', markers).afterFrontMatter);
  assert.ok(parsePage('---\n---\n', markers).afterFrontMatter);
  assert.equal(parsePage('---\ntitle: T\n+++\n', markers).afterFrontMatter, undefined);
});

describe('a page that ends inside an open block', () => {
  for (const [name, ending] of [
    ['a code fence', '```md\ncode'],
    ['a tilde fence closed by backticks', '~~~\ncode\n```\n'],
    ['an HTML comment', '<!--\ncomment\n'],
    ['a <pre> block', '<pre>\ntext\n\n'],
  ]) {
    test(`${name}: no fix appends a link that would be code`, () => {
      const files = new Map([['README.md', '# Uno\n\n[Dos ⬅️](dos.md)\n'], ['dos.md', `# Dos\n\n${ending}`]]);
      const { kb } = indexKnowledgeBase(files, 'en');
      assert.ok(parsePage(`# Dos\n\n${ending}`, markers).openAtEnd);
      const d = kb.diagnostics('README.md').find((x) => x.code === Code.NavNotReciprocal)!;
      assert.deepEqual(d.fixes, []);
      checkKnowledgeBase(files, emptyStats());
    });
  }

  test('a closed fence, a closed comment: the link is appended', () => {
    for (const ending of ['```\ncode\n```\n', '<!-- x -->\n', '<pre>\n</pre>\n', '    indented code\n']) {
      const files = new Map([['README.md', '# Uno\n\n[Dos ⬅️](dos.md)\n'], ['dos.md', `# Dos\n\n${ending}`]]);
      const { kb } = indexKnowledgeBase(files, 'en');
      const d = kb.diagnostics('README.md').find((x) => x.code === Code.NavNotReciprocal)!;
      assert.equal(d.fixes.length, 1, ending);
      checkKnowledgeBase(files, emptyStats());
    }
  });
});

test("incremental: when a page's navigation link starts or stops resolving, the pages that lead to it are checked again", () => {
  const state = (kb: KnowledgeBase) => JSON.stringify([...kb.allDiagnostics()]);
  const cases: [Record<string, string>, (kb: KnowledgeBase) => void, Record<string, string>][] = [
    // The forward link of QueSonVM starts resolving (a file appears): README's back link is answered otherwise now.
    [
      { 'VM/QueSonVM.md': '# Qué son\n\n[Origen ➡️](../img/capas.png)\n', 'README.md': '# Origen\n\n[Qué son ⬅️](/VM/QueSonVM.md)\n' },
      (kb) => kb.addFile('img/capas.png'),
      { 'img/capas.png': '' },
    ],
    // The back link of OrigenVM starts resolving from the root: README's forward link message names it.
    [
      { 'README.md': '# Origen\n\n[Origen ➡️](VM\\OrigenVM.md)\n', 'VM/OrigenVM.md': '# Origen VM\n\n[Origen ⬅️](VM/Conclusión.md)\n' },
      (kb) => kb.setPage('VM/Conclusión.md', '# Conclusión\n\n'),
      { 'VM/Conclusión.md': '# Conclusión\n\n' },
    ],
    // The back link of Contenedores answers README with Origen, whose title changes: README's message names it.
    [
      { 'README.md': '# Uno\n\n[Qué son ⏭️](Docker/Contenedores.md)\n', 'Docker/Contenedores.md': '# Contenedores\n\n[Origen ⬅️](../Docker/Origen.md)\n', 'Docker/Origen.md': '# Origen de Docker\n\n' },
      (kb) => kb.setPage('Docker/Origen.md', '# Origen de las Máquinas Virtuales\n\n'),
      { 'Docker/Origen.md': '# Origen de las Máquinas Virtuales\n\n' },
    ],
  ];
  for (const [files, change, added] of cases) {
    const kb = new KnowledgeBase('/home/ana/apuntes', defaultSettings('es'));
    for (const [path, text] of Object.entries(files)) kb.setPage(path, text);
    kb.commit();
    change(kb);
    kb.commit();
    const fresh = new KnowledgeBase('/home/ana/apuntes', defaultSettings('es'));
    for (const [path, text] of Object.entries({ ...files, ...added })) {
      if (path.endsWith('.md')) fresh.setPage(path, text);
      else fresh.addFile(path);
    }
    fresh.commit();
    assert.equal(state(kb), state(fresh));
  }
});

describe('fixes next to raw HTML', () => {
  test('a fragment fix ending in `--` before the `>` of a `<…>` destination does not close an earlier `<!--`', () => {
    const page = '# [<!--](README.md) [Tipo ⬅️](<VM/tipo.md#tipo>)\n';
    const diagnostics = survives({ 'README.md': page, 'VM/tipo.md': '# Tipo --\n' }, 10_000);
    const fix = diagnostics.find((d) => d.code === Code.MissingFragment)?.fixes[0];
    assert.ok(fix, 'a fix for the missing fragment');
    assert.ok(!/--$/.test(fix.edits[0].newText), fix.edits[0].newText);
  });
});

test('a destination written with a backtick gets no rewrite: without it, a line opening with ``` becomes a code fence', () => {
  const page = '> ``` [Tipo 1 ⬅️](../VM/tipo1.md`)\n';
  const diagnostics = survives({ 'Ñandú/Índice.md': page, 'VM/Tipo1.md': '# Tipo 1\n', 'README.md': '# R\n\n[Índice](Ñandú/Índice.md)\n' }, 10_000);
  const broken = diagnostics.find((d) => d.path === 'Ñandú/Índice.md' && d.code === Code.MissingFile);
  assert.ok(broken, 'the link is reported');
  assert.deepEqual(broken.fixes, []);
});

test('a move keeps the backticks of a destination written with them, run for run, or leaves it as written', () => {
  // Found by fuzzing (seed 524894150, a page moved): `p%41q.md``` became `../pAq.md%60%60`, and with no
  // backtick left after the opening ```, the line became a code fence that took the link.
  const page = '1. ``` [Origen ⬅️](p%41q.md``)\r\n\n[b](x`y.md)\n';
  const { kb, texts } = indexKnowledgeBase(new Map([['Introducción.md', page], ['x`y.md', '# X\n']]), 'en');
  const edits = fileRenameEdits(kb, [{ from: 'Introducción.md', to: 'Carpeta nueva/Introducción.md' }]);
  assert.deepEqual(edits.map((e) => e.newText), ['../pAq.md``', '../x`y.md']);
  const after = applyAndCompare(texts.get('Introducción.md')!, edits, 'move');
  assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw), ['../pAq.md``', '../x`y.md']);
  // The file itself renamed to a name with other backticks: its link is left as written.
  assert.deepEqual(fileRenameEdits(kb, [{ from: 'x`y.md', to: 'xy.md' }]), []);
});

test('a move keeps the pipes of a destination written with them, or leaves it as written; no fix rewrites one', () => {
  // Found by fuzzing (seed 525394372, a page moved): three cells against a delimiter row of two is no table;
  // `q.md|` written `q.md%7C` left two, and the paragraph became a table that lost the link before it.
  const page = '[a\n](VM\\q.md|) | b |\n|---|:-:|\n\n| c | [d](r\\|s.md) |\n|---|---|\n';
  const { kb, texts } = indexKnowledgeBase(new Map([['p.md', page], ['VM/q.md|', '']]), 'en');
  const before = parsePage(page, markers).links.map((l) => l.raw);
  assert.deepEqual(before, ['VM\\q.md|', 'r\\|s.md']);
  const edits = fileRenameEdits(kb, [{ from: 'p.md', to: 'Sub/p.md' }]);
  assert.deepEqual(edits.map((e) => e.newText), ['../VM/q.md|', '../r\\|s.md']);
  const after = applyAndCompare(texts.get('p.md')!, edits, 'move');
  assert.deepEqual(parsePage(after, markers).links.map((l) => l.raw), ['../VM/q.md|', '../r\\|s.md']);
  // The backslash path is reported, with no fix: written `VM/q.md%7C`, the line would be a table row.
  const backslash = kb.diagnostics('p.md').find((d) => d.code === Code.BackslashPath);
  assert.ok(backslash);
  assert.deepEqual(backslash.fixes, []);
});

/**
 * A chain README → Origen → Qué son → `hipervisores`, whose back link names Origen and points at Qué son:
 * the texts of the edits of each fix offered for the label mismatch (after every fix survives).
 */
function labelMismatchEdits(hipervisores: string): string[][] {
  const files = {
    'README.md': '# Curso\n\n[Origen ➡️](VM/OrigenVM.md)\n',
    'VM/OrigenVM.md': '# Origen de las Máquinas Virtuales\n\n[Qué son ➡️](QueSonVM.md)\n',
    'VM/QueSonVM.md': '# Qué son las Máquinas Virtuales\n\n[Origen ⬅️](OrigenVM.md) [Hipervisores ➡️](HipervisoresVM.md)\n',
    'VM/HipervisoresVM.md': hipervisores,
  };
  const diagnostics = survives(files, 10_000);
  const mismatch = diagnostics.find((d) => d.path === 'VM/HipervisoresVM.md' && d.code === Code.LabelMismatch);
  assert.ok(mismatch, 'the label is reported');
  return mismatch.fixes.map((f) => f.edits.map((e) => e.newText));
}

test('a label written with a backtick gets no relabelling: without it, a line opening with ``` becomes a code fence', () => {
  // Re-pointing the destination stays; rewriting the label would drop its backticks.
  assert.deepEqual(labelMismatchEdits('# Hipervisores\n\n``` [`Origen de las Máquinas Virtuales` ⬅️](QueSonVM.md)\n\n[Fin](../README.md)\n'), [['OrigenVM.md']]);
});

test('a label written with a pipe gets no relabelling: one cell less, and the line above a delimiter row is a table', () => {
  const hipervisores = '# Hipervisores\n\n[Origen de las Máquinas Virtuales ⬅️ |](QueSonVM.md) | x |\n|---|---|\n\n[Fin](../README.md)\n';
  assert.equal(parsePage(hipervisores, markers).links[0].labelMarks, true);
  // Re-pointing the destination stays; rewriting the label would drop its pipe.
  assert.deepEqual(labelMismatchEdits(hipervisores), [['OrigenVM.md']]);
});

test('a setext heading whose paragraph starts with a definition is not renamed over the definition', () => {
  // Found by fuzzing (seed 528372806): the heading's range starts with its paragraph, at the definition above
  // its text; renamed, the definition went with the old name and the reference link lost its destination.
  const page = '[a][r ef]\n\n[r ef]: otra.md\nTítulo\n===\n';
  const { kb } = indexKnowledgeBase(new Map([['p.md', page], ['otra.md', '']]), 'en');
  assert.equal(headingRenameEdits(kb, 'p.md', page, 0, 'Nuevo'), undefined);
  const plain = '[a](#título)\n\nTítulo\n===\n';
  const { kb: other } = indexKnowledgeBase(new Map([['p.md', plain]]), 'en');
  assert.deepEqual(headingRenameEdits(other, 'p.md', plain, 0, 'Nuevo')?.map((e) => e.newText), ['Nuevo', 'nuevo']);
});

describe('renaming a heading inside a quote or a list', () => {
  // Found by fuzzing: the range of the heading's text started at the line's start, so the rename
  // replaced the list marker, or the quote's `>`, with the new name.
  for (const [page, before] of [
    ['> # Título #\n', '> # Nuevo #\n'],
    ['- # Título\n', '- # Nuevo\n'],
    ['> - ## Título ##  \n', '> - ## Nuevo ##  \n'],
    ['1. Título\n   ---\n', '1. Nuevo\n   ---\n'],
    ['> Título\n> ---\n', '> Nuevo\n> ---\n'],
    ['   ## Título\n', '   ## Nuevo\n'],
    // A setext heading of two lines: both are its text (the code span opened on the first closes on the second).
    ['`\r\n`[a](b.md)`\r===\n', 'Nuevo\r===\n'],
    ['> Tí\n> tulo\n> ---\n', '> Nuevo\n> ---\n'],
  ]) {
    test(`${JSON.stringify(page)}: only the heading's text is replaced`, () => {
      const { kb } = indexKnowledgeBase(new Map([['a.md', page]]), 'en');
      const edits = headingRenameEdits(kb, 'a.md', page, 0, 'Nuevo');
      assert.ok(edits, 'a rename');
      assert.equal(applyAndCompare(page, edits, 'heading rename'), before);
    });
  }
});
