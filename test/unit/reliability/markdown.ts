/**
 * Generators of hostile knowledge bases for the fuzz and fix properties: pages that link each other
 * with every shape of destination the engine must judge, inside Markdown that is deep, unclosed,
 * huge, or full of characters a parser trips on.
 */
import fc from 'fast-check';
import { defaultMarkers } from '../../../server/src/engine/navigation';
import { dirname, encodeDestination, isMarkdownPath, relativePath } from '../../../server/src/engine/paths';

const nfd = (s: string) => s.normalize('NFD');

/** Every navigation marker, with and without its U+FE0F, and with a doubled one. */
export const markerVariants: string[] = [
  ...new Set(
    Object.values(defaultMarkers)
      .flat()
      .flatMap((m) => {
        const bare = m.replace(/\uFE0F/g, '');
        return [m, bare, bare + '\uFE0F', bare + '\uFE0F\uFE0F'];
      }),
  ),
];

/** Names a knowledge base may hold: folders, spaces, `#`, `%`, `?`, emoji, both Unicode forms, long paths. */
export const fileNames: string[] = [
  'README.md',
  'index.md',
  'VM/OrigenVM.md',
  'VM/QueSonVM.md',
  'VM/Hipervisores/Tipo 1.md',
  'Docker/Docker.md',
  'notas de clase.md',
  'a#b.md',
  'p%q.md',
  'p%41q.md',
  'q?r.md',
  '😀 emoji.md',
  'Conclusión.md',
  nfd('Introducción.md'),
  nfd('Ñandú/Índice.md'),
  'UPPER.MD',
  'Mixed/Case.Md',
  'back\\slash.md',
  '(paren) [bracket].md',
  '-dash.markdown',
  `${'d'.repeat(60)}/${'e'.repeat(60)}/${'n'.repeat(120)}.md`,
  'img/capas.png',
  'docs/manual.pdf',
  'VM/Hipervisores',
].filter((n) => n !== 'VM/Hipervisores');

export const pageTitles = ['Origen de las Máquinas Virtuales', 'Qué son', 'Hipervisores', 'Docker', 'Conclusión', nfd('Introducción'), 'Curso', 'Anterior', 'Siguiente', 'Índice', 'Tipo 1'];

/** Destinations that are not about the pages of the knowledge base. */
const strayDestinations = [
  '', ' ', '#', '#frag', '#tipo-1', '#Configuración', '#configuraci%C3%B3n', '#%', '#%zz', '?q=1', '.', './', '..', '../', '../..',
  '../../../etc/passwd', '../../../../../../../../etc/shadow', '..\\..\\..\\Windows\\win.ini', '/etc/passwd', '/home/ana/apuntes/README.md',
  '/workspace/README.md', '/README.md', '/VM/OrigenVM.md', '/VM/', 'C:\\Users\\ana\\apuntes\\README.md', 'C:/Users/ana/apuntes/VM/OrigenVM.md', 'c:README.md',
  '\\\\server\\share\\notes.md', '//server/share/notes.md', 'file:///etc/passwd', 'file:///home/ana/apuntes/README.md', 'file://C:/a.md', 'FILE:README.md',
  'https://example.com/a.md', 'http://[::1]/x', 'mailto:ana@example.com', 'javascript:alert(1)', 'data:text/html,x', 'vscode://file/etc/passwd', 'x:y',
  '%', '%%', '%zz.md', '%E9.md', '%C3%A9.md', '%ED%A0%80.md', '%00.md', '%2e%2e/%2e%2e/%2e%2e/etc/passwd', '..%2F..%2Foutside.md', 'a%2Fb.md', '%5C..%5C..%5Cwin.md',
  'VM/../../outside.md', 'VM/./OrigenVM.md', 'VM//OrigenVM.md', 'VM/OrigenVM.md/', 'VM\\OrigenVM.md', 'vm/origenvm.md', 'VM/OrigenVM', 'VM', 'VM/',
  'Nueva página.md', 'nueva%20p%C3%A1gina.md', 'missing.md#frag', 'img/capas.png#L10', 'img/capas.png#L1-L3', 'docs/manual.pdf#page=2',
  '\u200bREADME.md', 'README.md\u200b', 'README\u00a0.md', 'READ\uFEFFME.md', '\ud800.md', 'a\u0000b.md', 'a\u0007b.md', '\u202eDM.EMDAER',
];

/** The ways an author writes the path to `target` from `page`, right or wrong. */
function writtenPaths(page: string, target: string): string[] {
  const relative = relativePath(dirname(page), target);
  const written = [
    encodeDestination(relative),
    relative,
    encodeURI(relative),
    `./${encodeDestination(relative)}`,
    encodeDestination(relative).replace(/\//g, '\\'),
    `/${encodeDestination(target)}`,
    encodeDestination(target),
    encodeDestination(relative).toUpperCase(),
    encodeDestination(relative).toLowerCase(),
    encodeDestination(relative.normalize('NFC')),
    encodeDestination(relative.normalize('NFD')),
    `/home/ana/apuntes/${target}`,
    `C:\\apuntes\\${target.replace(/\//g, '\\')}`,
    `file:///home/ana/apuntes/${encodeURI(target)}`,
    relative.replace(/\.md$/i, ''),
    relative + '/',
  ];
  return written;
}

const words = ['Origen', 'de', 'las', 'Máquinas', 'Virtuales', nfd('Conclusión'), 'qué', 'son', 'Docker', 'anterior', 'siguiente', 'índice', 'x', 'ver', 'TIPO', '1'];
const specials = [
  '\u0000', '\u0001', '\u0007', '\b', '\u000b', '\f', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00ad', '\u200b', '\u200c', '\u200d', '\u200e',
  '\u202e', '\u2028', '\u2029', '\u2060', '\ufeff', '\ufe0f', '\ufffd', '\ufffe', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00',
  '\t', '\r', '\n', '\r\n', '\\', '`', '``', '```', '[', ']', '(', ')', '<', '>', '!', '#', '%', '&', '&amp;', '&#91;', '&#0;', '&#x110000;',
  '*', '_', '**', '~~', '|', ':', '"', "'", '^', '[^1]', '[ ]', '[x]', '![', '](', ']:', '-->', '<!--', '$$', '\\[', '\\]', '\\(',
  '́', '\u0301\u0301\u0301', '😀', '👩‍👩‍👧', '🇪🇸', 'e\u0301', 'ﬁ', 'İ', 'ß', 'Σ',
];

const word = fc.constantFrom(...words);
const special = fc.constantFrom(...specials);
const marker = fc.constantFrom(...markerVariants);

/** A short run of text: words, markers, control and invisible characters, random code points. */
const text: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: word },
      { weight: 3, arbitrary: special },
      { weight: 1, arbitrary: marker },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(' '));

/** Label text: sometimes a page title, with a marker before or after, sometimes nothing. */
const label: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...pageTitles), marker, fc.boolean()).map(([t, m, before]) => (before ? `${m} ${t}` : `${t} ${m}`)) },
  { weight: 2, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '➡️', '⬅\uFE0F', '`x`', '*Docker*', '![i](img/capas.png)', '[nested]', '\\]', 'a](b') },
);

function destination(page: string, names: readonly string[]): fc.Arbitrary<string> {
  const targets = names.length ? names : ['README.md'];
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...targets), fc.nat(15), fc.constantFrom('', '', '#tipo-1', '#Configuración', '#nada', '#', '?x=1', '#L3')).map(([t, i, suffix]) => writtenPaths(page, t)[i] + suffix) },
    { weight: 2, arbitrary: fc.constantFrom(...strayDestinations) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...targets), special).map(([t, s]) => relativePath(dirname(page), t) + s) },
  );
}

/** A link, image, reference, autolink or HTML link, well formed or not, to `dest`. */
function inlineLink(dest: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(22), label, dest, fc.constantFrom('ref', 'Ref', 'r ef', 'rëf', nfd('rëf'), '1', '^1', '')).map(([kind, l, d, ref]) => {
    switch (kind) {
      case 0: case 1: case 2: case 3: case 4: return `[${l}](${d})`;
      case 5: return `[${l}](<${d}>)`;
      case 6: return `[${l}](${d} "title")`;
      case 7: return `![${l}](${d})`;
      case 8: return `[${l}][${ref}]`;
      case 9: return `[${ref}][]`;
      case 10: return `[${ref}]`;
      case 11: return `<${d}>`;
      case 12: return `<a href="${d}">${l}</a>`;
      case 13: return `<img src='${d}'>`;
      case 14: return `[${l}](${d}`;
      case 15: return `[${l}`;
      case 16: return `[${l} [inner](${d}) x](${d})`;
      case 17: return `[![${l}](img/capas.png)](${d})`;
      case 18: return `\`[${l}](${d})\``;
      case 19: return `[${l}](  ${d}  )`;
      case 20: return `[${l}](${d})${'\u200b'}[${l}](${d})`;
      default: return `[${l}]\n(${d})`;
    }
  });
}

function inline(dest: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: text }, { weight: 4, arbitrary: inlineLink(dest) }, { weight: 1, arbitrary: special }), { maxLength: 5 }), fc.constantFrom(' ', '', ' — '))
    .map(([parts, separator]) => parts.join(separator));
}

/** One block of Markdown, as lines (line endings are chosen when the page is rendered). */
function block(page: string, names: readonly string[]): fc.Arbitrary<string[]> {
  const dest = destination(page, names);
  const line = inline(dest);
  return fc.oneof(
    { weight: 6, arbitrary: line.map((l) => [l]) },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), line).map(([d, l]) => [`${'#'.repeat(d)} ${l}`]) },
    { weight: 1, arbitrary: fc.tuple(line, fc.constantFrom('===', '---', '=')).map(([l, u]) => [l, u]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...pageTitles), marker, dest, fc.constantFrom('', '# ', '- ', '> ')).map(([t, m, d, p]) => [`${p}[${t} ${m}](${d})`]) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(4), line), { minLength: 1, maxLength: 6 }).map((items) => items.map(([depth, l]) => `${'  '.repeat(depth)}${depth % 3 ? '-' : '1.'} ${l}`)) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 12 }), line).map(([d, l]) => [`${'>'.repeat(d)} ${l}`]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('```', '~~~', '````', '    '), line, fc.boolean()).map(([f, l, closed]) => (f === '    ' ? [`    ${l}`] : [f + 'md', l, ...(closed ? [f] : [])])) },
    { weight: 1, arbitrary: fc.tuple(dest, text).map(([d, t]) => ['<div>', `<a id="${t}" href="${d}">x</a> <img src="${d}"> <a name='tipo-1'> <a <a href=${d}`, '</div>']) },
    { weight: 1, arbitrary: fc.tuple(line, line).map(([a, b]) => [`| ${a} | b |`, '|---|:-:|', `| ${b} | \\| |`]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('ref', 'Ref', 'r ef', 'rëf', '1', '^1', ''), dest, fc.nat(3)).map(([r, d, k]) => [k === 0 ? `[${r}]: ${d}` : k === 1 ? `[${r}]: <${d}> "t"` : k === 2 ? `[${r}]:` : `   [${r}]: ${d} 'x'`, ...(k === 2 ? [`  ${d}`] : [])]) },
    { weight: 1, arbitrary: fc.constantFrom(['***'], ['---'], [''], ['<!--', 'x'], ['$$', 'x'], ['\\'], ['[^1]: nota']).map((lines) => [...lines]) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => [s]) },
  );
}

/** Rare, costly shapes: thousands of links on a line, huge headings, deep nesting, long runs of brackets. */
function heavyBlock(page: string, names: readonly string[]): fc.Arbitrary<string[]> {
  const dest = destination(page, names);
  return fc.oneof(
    fc.tuple(fc.integer({ min: 500, max: 3000 }), dest).map(([n, d]) => [Array.from({ length: n }, (_, i) => `[l${i} ➡️](${i % 7 ? d : `README.md#h${i}`})`).join(' ')]),
    fc.integer({ min: 1000, max: 20000 }).map((n) => [`# ${'Máquinas virtuales '.repeat(n / 20)}`, `[x](#${'maquinas-virtuales-'.repeat(n / 20)}x)`]),
    fc.integer({ min: 200, max: 3000 }).map((n) => [`${'>'.repeat(n)} [x](README.md)`]),
    fc.integer({ min: 50, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i * 2)}- [x](README.md)`)),
    fc.integer({ min: 500, max: 5000 }).map((n) => [`${'['.repeat(n)}x${']'.repeat(n)}(README.md)`]),
    fc.integer({ min: 500, max: 5000 }).map((n) => [`${'[a]('.repeat(n)}`]),
    fc.integer({ min: 500, max: 5000 }).map((n) => [`${'*a _b '.repeat(n)}`]),
    fc.integer({ min: 200, max: 2000 }).map((n) => [`${'`'.repeat(n)}[x](y)`]),
    fc.integer({ min: 200, max: 2000 }).map((n) => ['<div>', '<a '.repeat(n), '</div>']),
    fc.integer({ min: 200, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => `## Tipo ${i}`)),
  );
}

export interface PageSpec {
  path: string;
  blocks: string[][];
  endings: string[];
  bom: boolean;
  frontMatter: boolean;
  finalEol: boolean;
}

/** Renders a page with the line endings chosen for it, mixed when the generator chose so. */
export function renderPage(spec: PageSpec): string {
  const lines = spec.blocks.flatMap((b) => [...b, '']);
  if (spec.frontMatter) lines.unshift('---', 'title: "Front: matter"', 'tags: [a, b]', '---');
  const body = lines.map((l, i) => l + (i < lines.length - 1 || spec.finalEol ? spec.endings[i % spec.endings.length] : '')).join('');
  return (spec.bom ? '\uFEFF' : '') + body;
}

function pageSpec(path: string, names: readonly string[], heavy: boolean): fc.Arbitrary<PageSpec> {
  const blocks = fc.array(block(path, names), { maxLength: 5 });
  const all = heavy ? fc.tuple(blocks, heavyBlock(path, names), fc.nat(10)).map(([b, h, at]) => [...b.slice(0, at), h, ...b.slice(at)]) : blocks;
  return fc.record({
    path: fc.constant(path),
    blocks: all,
    endings: fc.oneof({ weight: 4, arbitrary: fc.constant<string[]>(['\n']) }, { weight: 2, arbitrary: fc.constant<string[]>(['\r\n']) }, { weight: 2, arbitrary: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 5 }) }),
    bom: fc.boolean(),
    frontMatter: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    finalEol: fc.boolean(),
  });
}

/** A knowledge base: 1–7 files, the pages among them linking each other; rarely one page with a heavy block. */
export function knowledgeBase(options: { heavyOneIn?: number } = {}): fc.Arbitrary<Map<string, string>> {
  const heavyOneIn = options.heavyOneIn ?? 400;
  return fc
    .tuple(fc.uniqueArray(fc.constantFrom(...fileNames), { minLength: 1, maxLength: 7 }), fc.noBias(fc.nat(heavyOneIn - 1)))
    .chain(([names, heavyDraw]) =>
      fc.tuple(...names.map((name, i) => (isMarkdownPath(name) ? pageSpec(name, names, heavyDraw === 0 && i === 0).map(renderPage) : fc.constant('binary\u0000')))).map((texts) => new Map(names.map((n, i) => [n, texts[i]]))),
    );
}

/** Seeds for mutation: the example knowledge base's pages and a few crafted ones. */
export type Mutation = { at: number; kind: number; length: number; insert: string };

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.nat(9),
  length: fc.nat(40),
  insert: fc.oneof(special, marker, fc.constantFrom('[', ']', '(', ')', '](', '<', '>', '#', '\\', '`', '\r\n', '\r', '\n\n', '> ', '- ', '# ', '%', '%zz', '../'), fc.string({ unit: 'binary', maxLength: 4 })),
});

/** Applies one mutation: insert, delete, duplicate, truncate, swap line endings, change Unicode form or case of a slice. */
export function mutate(text: string, m: Mutation): string {
  const at = Math.floor(m.at * text.length);
  const end = Math.min(text.length, at + m.length);
  switch (m.kind) {
    case 0: case 1: return text.slice(0, at) + m.insert + text.slice(at);
    case 2: return text.slice(0, at) + text.slice(end);
    case 3: return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    case 4: return text.slice(0, at);
    case 5: return text.slice(0, at) + text.slice(at, end).replace(/\r?\n/g, m.length % 2 ? '\r\n' : '\r') + text.slice(end);
    case 6: return text.slice(0, at) + text.slice(at, end).normalize(m.length % 2 ? 'NFD' : 'NFC') + text.slice(end);
    case 7: return text.slice(0, at) + text.slice(at, end).toUpperCase() + text.slice(end);
    case 8: return text.slice(0, at) + m.insert + text.slice(end);
    default: return text.slice(0, at) + text.slice(at, end).split('').reverse().join('') + text.slice(end);
  }
}
