/**
 * The fast parse (a thinned text, CommonMark where GFM reads the same) must give exactly the facts of
 * the page read whole with GFM. Differential tests: hand-picked traps, then generated pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultMarkers, MarkerSet } from '../../server/src/engine/navigation';
import { parsePage } from '../../server/src/engine/parse';
import { originalPosition, thinForParsing } from '../../server/src/engine/thin';
import { knowledgeBase } from './reliability/markdown';
import { budgetSeconds } from './reliability/support';

const markers = new MarkerSet(defaultMarkers);
const prose = 'Necesario núcleo único servicio desde pregunta permite red';

function assertSameFacts(page: string): void {
  assert.deepEqual(parsePage(page, markers, 'h', true), parsePage(page, markers, 'h', false), JSON.stringify(page));
}

test('prose between links is thinned, and positions come back to the original columns', () => {
  const page = `# Título\n\n${prose}, según [el apartado](Otro.md#sección) y ${prose} [Siguiente ➡️](Sig.md).\n`;
  const thin = thinForParsing(page);
  assert.ok(thin.text.length < page.length - 80, thin.text);
  const facts = parsePage(page, markers);
  const line = page.split('\n')[2];
  assert.deepEqual(
    facts.links.map((l) => [l.raw, l.rawRange.start.character, l.range.end.character, l.label, l.nav]),
    [
      ['Otro.md#sección', line.indexOf('Otro.md'), line.indexOf(' y '), 'el apartado', undefined],
      ['Sig.md', line.indexOf('Sig.md'), line.length - 1, 'Siguiente ➡️', 'forward'],
    ],
  );
  assert.deepEqual(originalPosition(thin, { line: 0, character: 3 }), { line: 0, character: 3 });
  assertSameFacts(page);
});

test('what plain words may belong to is never thinned', () => {
  const long = 'palabras largas que podrían acortarse aquí mismo';
  const pages = [
    // Setext headings: the underline makes the words above a heading's text.
    `${long}\n${long}\n===\n`,
    `- ${long}\n  ${long}\n  ---\n`,
    // A label over several lines, and one holding a code span with a bracket.
    `[${long}\n${long}\n${long}](a.md)\n`,
    `[${long} \`]\` ${long}](a.md) ${long}\n`,
    `\`${long} [\` ${long} [x](y.md)\n`,
    // Escaped brackets, entities.
    `\\[${long}](a.md) [${long}\\]](b.md) [${long} \\] ${long}](c.md) &aacute;${long}&amp; [a](b&amp;c.md)\n`,
    // Definitions going on over the next lines; reference links.
    `[${long}][ref] ${long}\n\n[ref]:\n${long}/x.md\n'${long}'\n`,
    `[${long}] ${long}\n\n[${long}]: x.md\n`,
    // Literal and angle autolinks, raw HTML with attributes on the next line.
    `${long} www.${long.replace(/ /g, '')}.com ${long}\n`,
    `${long} ana@${long.replace(/ /g, '')}.es ${long} https://ejemplo.com/${long}\n`,
    `[a](https://x.com/a)${long.replace(/ /g, '')} ${long}\n`,
    `${long} <https://ejemplo.com/a> ${long} <ana@ejemplo.es> ${long}\n`,
    `${long} <a\n  ${long} id="ancla" href="x.md">${long}</a>\n`,
    `[${long}](<Carpeta con espacios/Página ${long}.md#x>) ${long}\n`,
    `[x](<a href="y.md" ${long} id="z">) ${long}\n`,
    // A destination that is not one: what it holds is text, and may open a label, HTML or code (fuzzer, seed 795554753).
    `[](Docker/Docker.md [) ${long}]()\n`,
    `[a](b [) ${long} [c](d.md) ${long}](e.md)\n`,
    `[a](b <a id=") ${long}">) ${long}\n`,
    `[a](b \`) ${long}\` [c](d.md)\n`,
    `[a](b\\) "${long} [x" ${long}](c.md)\n`,
    `<div>\n${long} <span id="s">${long}</span>\n</div>\n`,
    // Backticks matched across a line that starts another block: no code span there, so the bracket between
    // opens a label (fuzzer, seed 822647572).
    `1. \`\`\n1. [\`\` ${long}](a.md)\n`,
    `> \`${long}\n\n> [\` ${long}](a.md)\n`,
    // Front matter, headings in containers, tables, tasks, footnotes, strikethrough.
    `---\ntitle: "${long}"\nresumen: ${long}\n---\n\n${long} [a](b.md)\n`,
    `> # ${long}\n> ${long} [a](b.md)\n`,
    `| ${long} | [a](b.md) ${long} |\n| --- | --- |\n| ${long} | x |\n`,
    `- [x] ${long} [a](b.md)\n- [ ] ${long}\n`,
    `${long}[^1] ${long}\n\n[^1]: ${long} [a](b.md)\n`,
    `~~${long}~~ [~~${long}~~](a.md) ${long}\n`,
    // Emphasis around runs, hard breaks, list markers and numbers at line starts.
    `**${long}** _${long}_ [*${long}*](a.md)  \n${long}\\\n${long}\n`,
    `12345678. ${long}\n1234567890. ${long}\n- - ${long}\n`,
    `    ${long}\n\n\`\`\`md ${long}\n${long} [a](b.md)\n\`\`\`\n`,
    // Line endings, NFD, emoji, astral letters, a BOM left in the text.
    `${long} [a](b.md)\r\n${long.normalize('NFD')} [Conclusión ⬅️](c.md)\r${long} 𝐀${long}𝐀 [d](e.md)\n`,
    `\uFEFF${long} [a](b.md)\n`,
  ];
  for (const page of pages) assertSameFacts(page);
});

test('GFM is skipped only where it reads the same', () => {
  // No GFM syntax, triggers only in destinations: read as CommonMark, same facts.
  assertSameFacts(`${prose} [a](https://ejemplo.com/www.x@y) y [b]: no\n\n[c]: https://ejemplo.com\n`);
  // A trigger in text: GFM makes it a link, so must the fast parse.
  const facts = parsePage(`${prose} https://ejemplo.com/a.md y [b](c.md)\n`, markers);
  assert.deepEqual(facts.links.map((l) => l.kind), ['autolink', 'inline']);
  assertSameFacts(`[no es enlace](x) https://ejemplo.com/a.md)`);
  assertSameFacts(`texto](https://ejemplo.com/a.md) más\n`);
  // A table without a pipe: one column, an aligned delimiter row (found by the token soup).
  assertSameFacts('[\n---:\n- ');
  assertSameFacts('[a](b.md)\n:--\n');
  // Only the GFM constructs a page needs: a task item whose box is on the line after its marker
  // (`[x]` is then no reference), literal autolinks in a table or a footnote, triggers only in destinations.
  for (const item of ['-\n  [x] a', '1.\n   [X] a', '> -\n>   [x] a', '- \n  [x] a | b']) assertSameFacts(`${item}\n\n[x]: b.md\n`);
  assertSameFacts('| a | [b](https://x.com) |\n| - | - |\n| www.c.com | d |\n');
  assertSameFacts('| a | [b](https://x.com) |\n| - | - |\n');
  assertSameFacts('~~[a](https://x.com)~~ [^1]\n\n[^1]: https://y.com\n');
  assertSameFacts('a [b](c.md) ~d~\n\n- [ ] e www.f.com\n');
});

test('generated pages: the fast parse gives the facts of the whole GFM parse', () => {
  const seconds = budgetSeconds('KBNAV_FUZZ_SECONDS', 20) / 4;
  const deadline = Date.now() + seconds * 1000;
  let pages = 0;
  fc.assert(
    fc.property(knowledgeBase(), (kb) => {
      for (const page of kb.values()) {
        assertSameFacts(page);
        pages++;
      }
    }),
    { numRuns: 1_000_000, interruptAfterTimeLimit: seconds * 1000, seed: Number(process.env.KBNAV_FUZZ_SEED ?? Date.now() % 1e9) },
  );
  assert.ok(pages > 50 || Date.now() > deadline, `only ${pages} pages`);
});

/** Token soup: long runs of words between every character Markdown gives a meaning to. */
const soup: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(prose, 'palabra', 'Máquinas Virtuales con 2 núcleos', 'a.b,c', 'x') },
      {
        weight: 8,
        arbitrary: fc.constantFrom(
          ...'[]()<>`*_~\\&!#|:=-+.@'.split(''),
          '](', ']:', '](<', '://', 'www.', '&amp;', '\n', '\n', '\n\n', '\r\n', '\n- ', '\n> ', '\n1. ', '\n    ', '\n# ', '\n===', '\n---', '\n```', ' ', '  ', '\t',
          '[a](b.md)', '[x]', '[^1]', '<a id="q" ', 'href="z.md">', '<!--', '-->', '➡️', '⬅️', 'é', 'e\u0301', '𝐀', '\uFEFF',
        ),
      },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

test('token soup: the fast parse gives the facts of the whole GFM parse', () => {
  const seconds = budgetSeconds('KBNAV_FUZZ_SECONDS', 20) / 4;
  fc.assert(
    fc.property(soup, (page) => assertSameFacts(page)),
    { numRuns: 1_000_000, interruptAfterTimeLimit: seconds * 1000, seed: Number(process.env.KBNAV_FUZZ_SEED ?? Date.now() % 1e9) },
  );
});

test('pages built against the thinning stay linear (bounded time, same facts)', () => {
  const pages = [
    // Unmatched backtick runs of many lengths: each length is searched once, not once per run.
    Array.from({ length: 5_000 }, (_, i) => `${'`'.repeat((i % 40) + 1)} ${prose}`).join(' '),
    // Autolink triggers in one long word inside a code span, and in destinations.
    `\`${'@'.repeat(200_000)}\` ${prose}\n`,
    `${'[a](https://x.com/@@@) '.repeat(5_000)}\n`,
    `${'x'.repeat(10)}${'www.'.repeat(50_000)} ${prose}\n`,
    // Many blocks and many breakpoints on one line.
    `${prose} [a](b.md)\n\n`.repeat(5_000),
    `${`${prose} [a](b.md) `.repeat(5_000)}\n`,
  ];
  for (const page of pages) {
    const started = performance.now();
    parsePage(page, markers);
    const ms = performance.now() - started;
    assert.ok(ms < 5_000, `took ${ms.toFixed(0)} ms`);
    assertSameFacts(page);
  }
});
