/**
 * A first look at the pages the author has open, before the whole workspace is indexed: a knowledge
 * base with every file name (the listing comes first) but only a handful of pages — the open ones and
 * the pages their links reach with a `#fragment` — answers most of their diagnostics in milliseconds,
 * where the full index takes seconds or minutes.
 *
 * A check of one page reads the names of the files, the page itself and the pages its links reach
 * (their headings, anchors, titles and navigation links). Some answers read further, and such a
 * knowledge base would get them wrong; they are withheld until the full index gives them:
 * - `orphan-page`: whether any chain of links from an entry page reaches the page — the whole graph;
 * - `nav-not-reciprocal`: the other pages that lead to the same target ("the chain forks"), and the
 *   titles of the pages two links away ("it goes back to «Title» instead");
 * - `label-mismatch`: whether another page has the title a navigation label names, and which one —
 *   the titles of every page.
 * The other codes depend on nothing else, so a preliminary diagnostic is one the full index reports
 * too, with the same range, severity and message.
 *
 * Fixes are left out: some read every page (renaming a file to its NFC name rewrites every link to
 * it; "did you mean" by label looks at every title), and a fix that missed a page would break links.
 * The full index publishes them with its diagnostics moments later.
 */
import type { KnowledgeBase } from './knowledgeBase';
import { isMarkdownPath } from './paths';
import { resolveLink } from './resolve';
import { Code, type KbDiagnostic, type PageFacts } from './types';

/** Codes whose answer needs pages more than one link away from the page: never preliminary. */
export const wholeWorkspaceCodes: ReadonlySet<Code> = new Set([Code.OrphanPage, Code.NavNotReciprocal, Code.LabelMismatch]);

/**
 * The pages the preliminary diagnostics of page `path` read, besides the page itself: the Markdown
 * pages its links reach with a `#fragment` (whose headings and anchors decide `missing-fragment`).
 * `kb` must hold every file name. A page reached without a fragment is read only by the navigation
 * checks, which are withheld: parsing it would cost the first look some 10 ms a page for nothing.
 *
 * A page not loaded is a plain file to the checks, and they check nothing about a link to a file but
 * its path: a linked page left out leaves diagnostics out, never adds one.
 */
export function pagesLinkedFrom(kb: KnowledgeBase, path: string, facts: PageFacts): string[] {
  const linked = new Set<string>();
  for (const link of facts.links) {
    const r = resolveLink(path, link, kb.files, kb.rootPath);
    if (r.kind === 'found' && r.fragment && !r.isDirectory && isMarkdownPath(r.target)) linked.add(r.target);
  }
  return [...linked];
}

/**
 * The diagnostics of `path` that the full index will report the same way, without fixes: `kb` must
 * hold every file name, the page and the pages its links reach (`pagesLinkedFrom`).
 */
export function preliminaryDiagnostics(kb: KnowledgeBase, path: string): KbDiagnostic[] {
  return kb
    .diagnostics(path)
    .filter((d) => !wholeWorkspaceCodes.has(d.code))
    .map((d) => ({ ...d, fixes: [] }));
}
