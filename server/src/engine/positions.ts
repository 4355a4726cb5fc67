import type { KnowledgeBase } from './knowledgeBase';
import { join } from './paths';
import type { Heading, PageFacts, Position, Range } from './types';

/**
 * Questions about positions in a page: which link or heading is under the cursor, and where a
 * link leads. Pure: they read the facts the knowledge base keeps, never the file system.
 */

/** Negative when `a` is before `b`, 0 when equal, positive after. */
export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Whether `position` is inside `range`, both ends included (a cursor just after a link still means it). */
export function rangeContains(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

/** Whether two ranges share at least one character (touching ends do not count). */
export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) < 0 && comparePositions(b.start, a.end) < 0;
}

/** The same text for the same range: for sets and maps of ranges. */
export function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

function rangeSize(range: Range): number {
  return (range.end.line - range.start.line) * 1e6 + (range.end.character - range.start.character);
}

/**
 * The index of the link under `position`, or -1. When links nest (an image inside a link), the
 * innermost wins: it is what the author points at.
 */
export function linkIndexAt(facts: PageFacts, position: Position): number {
  let best = -1;
  facts.links.forEach((link, i) => {
    // A reference link and its definition are two places for one destination: either one counts.
    if (!rangeContains(link.range, position) && !rangeContains(link.rawRange, position)) return;
    if (best < 0 || rangeSize(link.range) < rangeSize(facts.links[best].range)) best = i;
  });
  return best;
}

/** The index of the heading whose line(s) contain `position`, or -1. */
export function headingIndexAt(facts: PageFacts, position: Position): number {
  return facts.headings.findIndex((h) => rangeContains(h.range, position));
}

/** Fragment comparison as the checks make it: Unicode form and letter case ignored. */
export function fragmentKey(fragment: string): string {
  return fragment.normalize('NFC').toLowerCase();
}

/** The heading of `facts` whose id a fragment names (as GitHub matches it), if any. */
export function findHeading(facts: PageFacts, fragment: string): Heading | undefined {
  const key = fragmentKey(fragment);
  return facts.headings.find((h) => fragmentKey(h.id) === key);
}

/** Where a link leads inside the workspace. */
export interface LinkTarget {
  /** The file as found on disk (exact name, even when the link writes it with other case or backslashes). */
  path: string;
  /** Set when the link names a folder and the folder has no entry page to open instead. */
  isDirectory: boolean;
  fragment?: string;
  /** The heading the fragment names, when the target is a page and has it. */
  heading?: Heading;
}

/**
 * The workspace file link `linkIndex` of page `path` leads to, with the heading its fragment names.
 * A link to a folder leads to the folder's entry page (README.md, index.md…) when it has one.
 * Links that are missing, external, absolute or outside the workspace lead nowhere (undefined).
 */
export function linkTarget(kb: KnowledgeBase, path: string, linkIndex: number): LinkTarget | undefined {
  const resolution = kb.resolution(path, linkIndex);
  if (!resolution) return undefined;
  let target: string;
  let isDirectory = false;
  let fragment: string | undefined;
  if (resolution.kind === 'self') {
    if (!resolution.fragment) return undefined;
    target = path;
    fragment = resolution.fragment;
  } else if (resolution.kind === 'found') {
    target = resolution.target;
    fragment = resolution.fragment;
    if (resolution.isDirectory) {
      const entry = kb.settings.entryPages.map((p) => join(resolution.target, p.slice(p.lastIndexOf('/') + 1))).find((p) => kb.isPage(p));
      if (entry) target = entry;
      else isDirectory = true;
    }
  } else return undefined;
  const facts = kb.page(target)?.facts;
  const heading = facts && fragment ? findHeading(facts, fragment) : undefined;
  return { path: target, isDirectory, ...(fragment ? { fragment } : {}), ...(heading ? { heading } : {}) };
}
