import { createHash } from 'node:crypto';
import GithubSlugger from 'github-slugger';
import { toString } from 'mdast-util-to-string';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfmAutolinkLiteral } from 'micromark-extension-gfm-autolink-literal';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import type { Extension } from 'micromark-util-types';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Definition, Heading as MdHeading, Nodes, Parents, Root } from 'mdast';
import { MarkerSet } from './navigation';
import { eventTree } from './eventTree';
import { autolinkTrigger, closedFrontMatter, structuralMarks } from './syntax';
import { originalPosition, thinForParsing } from './thin';
import type { Heading, LinkFacts, PageFacts, Position, Range, UndefinedReference } from './types';

const frontMatter: ('yaml' | 'toml')[] = ['yaml', 'toml'];

/**
 * GFM is five constructs, and each changes the tree only where its syntax is: literal autolinks need
 * `://`, `www.` or `@`; footnotes `[^`; strikethrough `~`; tables `|` or an aligned delimiter row
 * (`---:`); task items `[ ]` opening a list item's content. The fast parse gives micromark only the
 * constructs whose syntax the page holds (each costs time on every page it is given: literal
 * autolinks a quarter of the parse), and literal autolinks only if a trigger may lie in text: a page
 * whose every trigger follows `](` or `]:` is read without them, and kept so if the tree puts each
 * trigger where GFM makes no literal autolink either (a destination, a definition, code, raw HTML,
 * front matter). The differential tests (thin.test.ts) compare with the page read by remark-gfm.
 */
const gfmConstructs = [
  // Literal autolinks first, as in remark-gfm; whether a page needs them is decided in parseTree.
  { micromark: gfmAutolinkLiteral, syntax: undefined },
  { micromark: gfmFootnote, syntax: /\[\^/ },
  { micromark: gfmStrikethrough, syntax: /~/ },
  { micromark: gfmTable, syntax: /\||:-|-:/ },
  // The box opens an item's content: after its marker, or on the next line when the marker's line is empty.
  { micromark: gfmTaskListItem, syntax: /^(?:[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+)*[ \t>]*\[[ xX]\]/m },
];
/** Bit sets of `gfmConstructs`. */
const autolinkLiterals = 1;
const allConstructs = (1 << gfmConstructs.length) - 1;

/** micromark's extensions for the GFM constructs in `constructs` (in remark-gfm's order), and front matter if asked (after them, as remark-frontmatter adds it). */
const extensionSets = new Map<number, Extension[]>();
function extensionsFor(constructs: number, withFrontMatter: boolean): Extension[] {
  const key = constructs * 2 + (withFrontMatter ? 1 : 0);
  let made = extensionSets.get(key);
  if (!made) {
    made = gfmConstructs.filter((_, i) => constructs & (1 << i)).map((c) => c.micromark());
    if (withFrontMatter) made.push(frontmatter(frontMatter));
    extensionSets.set(key, made);
  }
  return made;
}
/** The reference: remark-gfm itself. */
const wholeGfm = {
  plain: unified().use(remarkParse).use(remarkGfm),
  frontMatter: unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, frontMatter),
};

/**
 * The syntax tree of a page as GFM reads it: by remark-gfm (the reference), or (`selective`) built from
 * micromark's events with only the constructs the page needs (`eventTree`). remark-gfm's literal
 * autolinks' transform walks the tree by recursion: a page nested too deep for it is read without them.
 */
function parseTree(text: string, selective: boolean): Root {
  const withFrontMatter = closedFrontMatter.test(text);
  const parse = (constructs: number): Root => eventTree(text, extensionsFor(constructs, withFrontMatter));
  try {
    if (!selective) return (withFrontMatter ? wholeGfm.frontMatter : wholeGfm.plain).parse(text) as Root;
    let constructs = 0;
    for (let i = 1; i < gfmConstructs.length; i++) if (gfmConstructs[i].syntax!.test(text)) constructs |= 1 << i;
    if (triggersLookLikeDestinations(text)) {
      const tree = parse(constructs);
      if (triggersOutsideText(text, tree)) return tree;
    }
    return parse(constructs | autolinkLiterals);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return parse(allConstructs & ~autolinkLiterals);
  }
}

/** A first guess, to spare a CommonMark parse that would be thrown away: each trigger follows `](` or `]:` in its word. */
function triggersLookLikeDestinations(text: string): boolean {
  let word = -1;
  for (const match of text.matchAll(autolinkTrigger)) {
    let i = match.index!;
    while (i > word && i > 0 && !/[\s()]/.test(text[i - 1])) i--;
    if (i === word) continue; // The same word as the trigger before: already judged.
    word = i;
    if (text[i - 1] !== '(' || text[i - 2] !== ']') {
      if (!/\]:[ \t]*<?$/.test(text.slice(Math.max(0, i - 4), i))) return false;
    }
  }
  return true;
}

/** Whether every literal-autolink trigger of `text` lies in a part of `tree` that is not text. */
function triggersOutsideText(text: string, tree: Root): boolean {
  const triggers = [...text.matchAll(autolinkTrigger)].map((m) => m.index!);
  if (!triggers.length) return true;
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const spans: [number, number][] = [];
  for (const stack: Nodes[] = [tree]; stack.length; ) {
    const node = stack.pop()!;
    const start = (node.position?.start.offset ?? 0) + shift;
    const end = (node.position?.end.offset ?? 0) + shift;
    const type = node.type as string;
    if (type === 'code' || type === 'inlineCode' || type === 'html' || type === 'yaml' || type === 'toml' || type === 'definition') {
      spans.push([start, end]);
      continue;
    }
    if ((node.type === 'link' || node.type === 'image') && node.position) {
      // After the label: `](destination "title")`. Triggers in the label are text.
      const last = node.type === 'link' ? node.children[node.children.length - 1] : undefined;
      spans.push([last?.position ? last.position.end.offset! + shift : start + 1, end]);
    }
    if ('children' in node) for (const child of node.children) stack.push(child as Nodes);
  }
  spans.sort((a, b) => a[0] - b[0]);
  // Both sorted: one pass, never every trigger against every span.
  let s = 0;
  let reach = -1;
  for (const at of triggers) {
    while (s < spans.length && spans[s][0] <= at) reach = Math.max(reach, spans[s++][1]);
    if (at >= reach) return false;
  }
  return true;
}

/** Maps UTF-16 offsets of a text to LSP positions. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  offset(position: Position): number {
    const line = Math.min(Math.max(position.line, 0), this.starts.length - 1);
    return this.starts[line] + position.character;
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** Finds the `]` closing a label whose content starts at `from`; skips escapes, code spans and nested brackets. */
function labelEnd(src: string, from: number, limit: number): number {
  let depth = 0;
  for (let i = from; i < limit; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '`') {
      let run = 1;
      while (src[i + run] === '`') run++;
      const close = src.indexOf('`'.repeat(run), i + run);
      if (close >= 0 && close < limit) i = close + run - 1;
      else i += run - 1;
    } else if (c === '[') depth++;
    else if (c === ']') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

interface RawDestination {
  raw: string;
  start: number;
  end: number;
}

/** How far back `gluedAt` looks for the start of the run of characters before an autolink. */
const gluedLookBack = 2048;

/**
 * Whether the autolink `<…>` at `start` cannot be written as `[…](…)` there: after `]` or `!` it would join
 * them (`[ref][…](…)`, `![…](…)`); at the end of a run of characters where a literal URL may lie
 * (`(https://a.b)<file:…>`), the URL would run on into it (GFM ends a literal URL at `<`, not at `[`).
 * A run too long to look through counts as such a run.
 */
function gluedAt(text: string, start: number): boolean {
  const before = text[start - 1];
  if (before === ']' || before === '!') return true;
  let from = start;
  while (from > 0 && start - from < gluedLookBack && !/\s/.test(text[from - 1])) from--;
  if (from === start) return false;
  if (from > 0 && !/\s/.test(text[from - 1])) return true;
  return /https?:\/\/|www\.|mailto:|xmpp:/i.test(text.slice(from, start));
}

/** Reads a link destination at `i` (after `(` or `]:`): `<…>` or a bare run with balanced parentheses. */
function readDestination(src: string, i: number, limit: number): RawDestination | undefined {
  while (i < limit) {
    if (src[i] === ' ' || src[i] === '\t') i++;
    else if (src[i] === '\n' || src[i] === '\r') {
      // On the next line, in a block quote, the quote's `>` markers come first.
      i++;
      while (i < limit && (src[i] === ' ' || src[i] === '\t' || src[i] === '>' || src[i] === '\n')) i++;
    } else break;
  }
  if (src[i] === '<') {
    for (let j = i + 1; j < limit; j++) {
      if (escapes(src, j)) j++;
      else if (src[j] === '>') return { raw: src.slice(i + 1, j), start: i + 1, end: j };
      else if (src[j] === '\n' || src[j] === '<') break;
    }
    return undefined;
  }
  let depth = 0;
  let j = i;
  for (; j < limit; j++) {
    const c = src[j];
    if (escapes(src, j)) {
      j++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c <= ' ') break;
  }
  return { raw: src.slice(i, j), start: i, end: j };
}

/** `rawLineStart` when only indentation and `>` markers come before `offset` on its line. */
function lineStart(src: string, offset: number): { rawLineStart?: true } {
  let i = offset - 1;
  while (i >= 0 && (src[i] === ' ' || src[i] === '\t' || src[i] === '>')) i--;
  return i < 0 || src[i] === '\n' || src[i] === '\r' ? { rawLineStart: true } : {};
}

/**
 * Whether `src[i]` is a backslash escaping the next character: only ASCII punctuation can be escaped.
 * Before anything else (a space, a line ending) the backslash is itself part of the destination.
 */
function escapes(src: string, i: number): boolean {
  return src[i] === '\\' && /[!-/:-@[-`{-~]/.test(src[i + 1] ?? '');
}

// `[^<>]` rather than `[^>]`: a tag ends at the next `<` too, so that a run of unclosed tags (`<a <a <a…`)
// costs linear time, not quadratic.
const htmlLink = /<(?:a|img|area|link|source|iframe)\b[^<>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const htmlAnchor = /<[a-z][^<>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
/**
 * Comments, processing instructions and CDATA sections of raw HTML, to their end or to the end of the node:
 * a tag inside one is no tag (for a browser either). Its `-->` may end the HTML block it is in, so rewriting
 * its address would let the block run on over the lines after it.
 */
const htmlNoTags = /<!--(?:-?>|[\s\S]*?--!?>|[\s\S]*$)|<\?[\s\S]*?(?:\?>|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g;
/** `[text][ref]` or `[ref][]` left as text: a reference whose definition is missing. */
const unresolvedReference = /\[((?:[^[\]\\\n]|\\.){1,999})\]\[((?:[^[\]\\\n]|\\.){0,999})\]/g;

/** Raw HTML blocks that only an end marker closes (CommonMark kinds 1–5), with that marker. */
const htmlToMarker: [RegExp, RegExp][] = [
  [/^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];

/** Whether `last`, the page's last block, is a fenced code block or raw HTML that the end of the page leaves open. */
function openAtEnd(text: string, last: Nodes | undefined, shift: number): boolean {
  if (!last?.position || last.position.end.offset! + shift < text.trimEnd().length) return false;
  const source = text.slice(last.position.start.offset! + shift, last.position.end.offset! + shift);
  if (last.type === 'code') {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(source);
    if (!open) return false;
    const lines = source.split(/\r\n|\r|\n/);
    const close = lines.length > 1 ? /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[lines.length - 1]) : null;
    return !close || close[1][0] !== open[1][0] || close[1].length < open[1].length;
  }
  if (last.type === 'html') return htmlToMarker.some(([start, end]) => start.test(source) && !end.test(source.slice(source.indexOf('<') + 2)));
  return false;
}

/**
 * Parses one page into the facts the engine keeps: title, headings with GitHub ids, links with
 * exact source ranges. `page` must not start with a BOM (positions are those of the text without it).
 * `fast`: remark reads a thinned copy of the page (thin.ts), as CommonMark where GFM would read it
 * the same; the facts are those of the page read whole with GFM (`fast = false`, which the
 * differential tests compare with).
 */
export function parsePage(page: string, markers: MarkerSet, hash = hashText(page), fast = true): PageFacts {
  const thinned = fast ? thinForParsing(page) : undefined;
  // From here on `text` is what remark reads: offsets index it, positions are mapped back to the page.
  const text = thinned?.text ?? page;
  const tree = parseTree(text, fast);
  const index = new LineIndex(text);
  const position = thinned?.breakpoints.size ? (offset: number) => originalPosition(thinned, index.position(offset)) : (offset: number) => index.position(offset);
  const lines = { position, range: (start: number, end: number): Range => ({ start: position(start), end: position(end) }) };
  const slugger = new GithubSlugger();
  const headings: Heading[] = [];
  const anchors: string[] = [];
  const links: LinkFacts[] = [];
  const undefinedReferences: UndefinedReference[] = [];
  const definitions = new Map<string, Definition>();
  let headingTitle: string | undefined;
  let frontMatterTitle: string | undefined;
  let frontMatterEnd: number | undefined;

  // micromark drops a BOM at the start and counts offsets after it: a text that still starts with one
  // (a file with two) would have every range one character early.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const offsets = (node: Nodes): [number, number] => [(node.position?.start.offset ?? 0) + shift, (node.position?.end.offset ?? 0) + shift];

  // Definitions may follow their uses: collect them first. Trees are walked with an explicit stack,
  // never by recursion: a page of 10,000 nested quotes must not overflow the call stack.
  for (const stack: Nodes[] = [tree]; stack.length; ) {
    const node = stack.pop()!;
    if (node.type === 'definition') {
      if (!definitions.has(node.identifier)) definitions.set(node.identifier, node);
    } else if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }

  const definitionDestination = (definition: Definition): RawDestination | undefined => {
    const [start, end] = offsets(definition);
    const close = labelEnd(text, start + 1, end);
    return close < 0 || text[close + 1] !== ':' ? undefined : readDestination(text, close + 2, end);
  };

  const labelOf = (node: Nodes, start: number, end: number, opener: number): { label: string; labelRange?: Range; labelMarks?: true; close: number } => {
    const children = 'children' in node ? node.children : [];
    const last = children[children.length - 1];
    const from = last?.position ? last.position.end.offset! + shift : start + opener;
    const close = labelEnd(text, from, end);
    const label = node.type === 'image' || node.type === 'imageReference' ? (node.alt ?? '') : toString(node);
    if (close < 0) return { label, labelRange: undefined, close };
    return { label, labelRange: lines.range(start + opener, close), ...(structuralMarks.test(text.slice(start + opener, close)) ? { labelMarks: true as const } : {}), close };
  };

  const addLink = (link: Omit<LinkFacts, 'nav'>): void => {
    // An autolink's text is its URL, not a label: a marker in it (a GFM autolink runs on over `[➡️`) makes no navigation link.
    const nav = link.image || link.kind === 'autolink' ? undefined : markers.direction(link.label);
    links.push(nav ? { ...link, nav } : link);
  };

  const scanUnresolved = (node: Parents): void => {
    const [start, end] = offsets(node);
    // Only text can hold an unresolved reference: blank out every other child, keeping offsets.
    let masked = '';
    let at = start;
    for (const child of node.children as Nodes[]) {
      if (child.type === 'text' || !child.position) continue;
      const [s, e] = offsets(child);
      masked += text.slice(at, s) + ' '.repeat(Math.max(0, e - s));
      at = e;
    }
    masked += text.slice(at, end);
    if (!masked.includes('][')) return;
    for (const match of masked.matchAll(unresolvedReference)) {
      if (match.index! > 0 && masked[match.index! - 1] === '\\') continue;
      const reference = match[2] || match[1];
      if (/^[\^!]/.test(reference) || /^[ xX]?$/.test(match[1])) continue;
      const s = start + match.index!;
      undefinedReferences.push({ reference, range: lines.range(s, s + match[0].length) });
    }
  };

  /** Records what `node` holds; returns whether its children are to be visited. */
  const enter = (node: Nodes): boolean => {
    // A node made by a transform without a position (GFM autolinks in a table cell) cannot be located in the text.
    if (!node.position) return true;
    const [start, end] = offsets(node);
    // TOML front matter (`+++`): remark-frontmatter makes the node, mdast's types do not list it.
    if ((node.type as string) === 'toml') {
      frontMatterEnd = end;
      return false;
    }
    switch (node.type) {
      case 'heading': {
        const headingText = toString(node as MdHeading);
        const id = slugger.slug(headingText);
        headings.push({ depth: node.depth, text: headingText, id, range: lines.range(start, end) });
        if (headingTitle === undefined && node.depth <= 2) headingTitle = markers.strip(headingText).replace(/\s+/g, ' ').trim() || undefined;
        break;
      }
      case 'yaml': {
        const match = /^title:\s*["']?(.+?)["']?\s*$/m.exec(node.value);
        if (match) frontMatterTitle = match[1];
        frontMatterEnd = end;
        return false;
      }
      case 'link':
      case 'image': {
        const image = node.type === 'image';
        const opener = image ? 2 : 1;
        if (text[start + opener - 1] !== '[') {
          // Autolink: `<…>` or a bare URL (GFM).
          const inner = text[start] === '<' ? 1 : 0;
          const glued = gluedAt(text, start) ? { glued: true as const } : {};
          addLink({ kind: 'autolink', image: false, raw: text.slice(start + inner, end - inner), rawRange: lines.range(start + inner, end - inner), url: node.url, label: toString(node), range: lines.range(start, end), ...glued });
          return false;
        }
        const { close, ...labelFacts } = labelOf(node, start, end, opener);
        const destination = close < 0 ? undefined : readDestination(text, close + 2, end);
        if (destination) {
          addLink({ kind: 'inline', image, raw: destination.raw, rawRange: lines.range(destination.start, destination.end), url: node.url, ...labelFacts, ...lineStart(text, destination.start), range: lines.range(start, end) });
        }
        if (image) return false;
        break;
      }
      case 'linkReference':
      case 'imageReference': {
        const definition = definitions.get(node.identifier);
        const destination = definition && definitionDestination(definition);
        const image = node.type === 'imageReference';
        if (definition && destination) {
          const { close: _close, ...labelFacts } = labelOf(node, start, end, image ? 2 : 1);
          addLink({ kind: 'reference', image, raw: destination.raw, rawRange: lines.range(destination.start, destination.end), url: definition.url, ...labelFacts, ...lineStart(text, destination.start), range: lines.range(start, end), reference: node.identifier });
        }
        if (image) return false;
        break;
      }
      case 'html': {
        // The source, not node.value: in a quote or a list the value lacks the `> ` and indentation of
        // each line (offsets into it are not offsets into the page), and has U+FFFD for NUL.
        // Masked with spaces: offsets into it stay offsets into the page.
        const source = text.slice(start, end).replace(htmlNoTags, (m) => ' '.repeat(m.length));
        for (const match of source.matchAll(htmlAnchor)) anchors.push(match[1] ?? match[2]);
        for (const match of source.matchAll(htmlLink)) {
          const raw = match[1] ?? match[2];
          const rawStart = start + match.index! + match[0].length - raw.length - 1;
          addLink({ kind: 'html', image: /^<img/i.test(match[0]), raw, rawRange: lines.range(rawStart, rawStart + raw.length), url: raw.replace(/&amp;/g, '&'), label: '', range: lines.range(start + match.index!, rawStart + raw.length + 1) });
        }
        return false;
      }
      case 'code':
      case 'inlineCode':
      case 'definition':
        return false;
    }
    return true;
  };
  for (const stack: Nodes[] = [tree]; stack.length; ) {
    const node = stack.pop()!;
    if (!enter(node) || !('children' in node)) continue;
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') scanUnresolved(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }

  return {
    hash,
    headingTitle: headingTitle ?? frontMatterTitle,
    headings,
    anchors,
    links,
    undefinedReferences,
    // Past the last run, a thinned line's columns map to the original's: this is the page's end.
    end: lines.position(text.length),
    ...(frontMatterEnd !== undefined ? { afterFrontMatter: lines.position(frontMatterEnd) } : {}),
    ...(openAtEnd(text, tree.children[tree.children.length - 1], shift) ? { openAtEnd: true as const } : {}),
    // CRLF also for a page with lone CRs: a '\n' written after its last '\r' would join it into one line ending.
    eol: page.includes('\r') ? '\r\n' : '\n',
  };
}
