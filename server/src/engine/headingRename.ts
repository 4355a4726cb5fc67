import { applyTextEdits } from './fixes';
import type { KnowledgeBase } from './knowledgeBase';
import { parsePage } from './parse';
import { fragmentKey, rangeKey, rangesOverlap } from './positions';
import { CancelledError, noCancellation, type CancellationToken, type Heading, type LinkFacts, type PageFacts, type Range, type TextEdit } from './types';

/**
 * The range of a heading's own text: after the `#` run of an ATX heading and before its optional
 * closing `#`s, or the text lines of a setext heading (without indentation), all of them: renaming
 * only the first could change what the others mean (a code span closed on the next line). It starts
 * where the heading does, after the markers of the quotes and list items it is in (`> - ## Título`).
 * Undefined when the heading's lines are not in `text` as the facts say (facts of another version).
 */
export function headingTextRange(text: string, heading: Heading): Range | undefined {
  const line = heading.range.start.line;
  const lines = text.split(/\r\n|\r|\n/);
  const lineText = lines[line];
  if (lineText === undefined) return undefined;
  const from = heading.range.start.character;
  const rest = lineText.slice(from);
  const atx = /^( {0,3}#{1,6})([ \t]+|$)(.*?)([ \t]+#+)?[ \t]*$/.exec(rest);
  if (atx && heading.range.end.line === line) {
    const start = from + atx[1].length + atx[2].length;
    return { start: { line, character: start }, end: { line, character: start + atx[3].length } };
  }
  // A setext heading: its text lines, then the underline.
  const last = Math.max(line, heading.range.end.line - 1);
  if (lines[last] === undefined) return undefined;
  const start = from + /^[ \t]*/.exec(rest)![0].length;
  const end = lines[last].replace(/[ \t]+$/, '').length;
  if (last === line && end <= start) return undefined;
  return { start: { line, character: start }, end: { line: last, character: end } };
}

/** What a heading rename may start from: the heading's text, and its range to select. */
export interface HeadingRenameTarget {
  headingIndex: number;
  range: Range;
  placeholder: string;
}

/** Prepares renaming heading `headingIndex` of a page whose current text is `text`. */
export function prepareHeadingRename(text: string, facts: PageFacts, headingIndex: number): HeadingRenameTarget | undefined {
  const heading = facts.headings[headingIndex];
  const range = heading && headingTextRange(text, heading);
  if (!range) return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  const placeholder = range.start.line === range.end.line ? lines[range.start.line].slice(range.start.character, range.end.character) : heading.text.replace(/\s*\n\s*/g, ' ');
  return { headingIndex, range, placeholder };
}

/** The destinations of a page's links outside heading `headingIndex`, in order. */
function linksAround(facts: PageFacts, headingIndex: number): string {
  const heading = facts.headings[headingIndex].range;
  return facts.links
    .filter((link) => !rangesOverlap(link.range, heading))
    .map((link) => link.raw)
    .join('\n');
}

/** The fragment part of a destination as written, with its range; undefined when the destination has none. */
function fragmentRange(link: LinkFacts): { written: string; range: Range } | undefined {
  const hash = link.raw.indexOf('#');
  if (hash < 0 || link.rawRange.start.line !== link.rawRange.end.line) return undefined;
  const line = link.rawRange.start.line;
  const start = link.rawRange.start.character + hash + 1;
  return { written: link.raw.slice(hash + 1), range: { start: { line, character: start }, end: { line, character: link.rawRange.end.character } } };
}

/** Writes `id` as a fragment, percent-encoded when the author's fragment was. */
function writeFragment(id: string, written: string): string {
  return /%[0-9a-fA-F]{2}/.test(written) ? encodeURIComponent(id) : id.replace(/[%\s()<>]/g, (c) => encodeURIComponent(c));
}

/**
 * Renames heading `headingIndex` of page `path` (current text `text`, without BOM) to `newName` and
 * rewrites every fragment that points at it, in this page and in every page that links here.
 * Renaming one heading can change the ids of others (the `-1` suffixes of duplicates): the fragments
 * pointing at those are rewritten too. Returns undefined when the name is empty or spans lines.
 */
export function headingRenameEdits(
  kb: KnowledgeBase,
  path: string,
  text: string,
  headingIndex: number,
  newName: string,
  token: CancellationToken = noCancellation,
): TextEdit[] | undefined {
  const page = kb.page(path);
  if (!page || /[\r\n]/.test(newName) || newName.trim() === '') return undefined;
  const target = prepareHeadingRename(text, page.facts, headingIndex);
  if (!target) return undefined;
  const headingEdit: TextEdit = { path, range: target.range, newText: newName };
  const after = parsePage(applyTextEdits(text, [headingEdit]), kb.markers);
  if (after.headings.length !== page.facts.headings.length) return undefined;
  // Nothing else on the page may change with it: the range of a setext heading's text starts where its
  // paragraph does, and takes in a definition written on the lines just above the text.
  if (linksAround(page.facts, headingIndex) !== linksAround(after, headingIndex)) return undefined;

  // Old id (as the checks compare it) → new id, for every heading whose id changes.
  const renamed = new Map<string, string>();
  page.facts.headings.forEach((h, i) => {
    if (h.id !== after.headings[i].id) renamed.set(fragmentKey(h.id), after.headings[i].id);
  });
  // Each link keeps meaning the heading it meant: `#ventajas` follows the renamed first "Ventajas"
  // even when the second one inherits the id `ventajas` (its links, `#ventajas-1`, follow it there).

  const edits: TextEdit[] = [headingEdit];
  // Reference links share their definition's fragment: one edit for it (a set, not a scan of the edits:
  // a page may have thousands of links to the heading).
  const rewritten = new Set<string>();
  const rewrite = (source: string, link: LinkFacts, fragment: string | undefined) => {
    if (!fragment) return;
    const newId = renamed.get(fragmentKey(fragment));
    const written = fragmentRange(link);
    if (newId === undefined || !written) return;
    // A link in the heading's own text goes with it.
    if (source === path && rangesOverlap(headingEdit.range, written.range)) return;
    const key = `${source}\n${rangeKey(written.range)}`;
    if (rewritten.has(key)) return;
    rewritten.add(key);
    edits.push({ path: source, range: written.range, newText: writeFragment(newId, written.written) });
  };
  if (renamed.size) {
    page.facts.links.forEach((link, i) => {
      const r = page.resolutions[i];
      if (r.kind === 'self') rewrite(path, link, r.fragment);
    });
    for (const { source, linkIndex } of kb.backlinks(path)) {
      if (token.isCancellationRequested) throw new CancelledError();
      const sourcePage = kb.page(source)!;
      const r = sourcePage.resolutions[linkIndex];
      if (r.kind === 'found') rewrite(source, sourcePage.facts.links[linkIndex], r.fragment);
    }
  }
  return edits;
}
