import type { KnowledgeBase } from './knowledgeBase';
import { CancelledError, noCancellation, type CancellationToken, type Range } from './types';

/** A page or a heading that matches a symbol search. */
export interface SymbolEntry {
  kind: 'page' | 'heading';
  /** A page's title, or a heading's text. */
  name: string;
  path: string;
  range: Range;
  /** For a page, its path; for a heading, the title of its page. */
  container: string;
  /** Heading depth (1–6), for headings. */
  depth?: number;
}

/** Lower case, accents removed: "maquinas" finds "Máquinas". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * How well `query` (folded) matches `name` (folded): 0 for no match; higher for a prefix, then a
 * word start, then a substring, then the query's characters in order (as editors' symbol pickers do).
 */
export function matchScore(query: string, name: string): number {
  if (!query) return 1;
  if (name.startsWith(query)) return 4;
  const at = name.indexOf(query);
  if (at > 0) return /[\p{L}\p{N}]/u.test(name[at - 1]) ? 2 : 3;
  let i = 0;
  for (let j = 0; j < name.length && i < query.length; j++) if (name[j] === query[i]) i++;
  return i === query.length ? 1 : 0;
}

/**
 * Pages (by title and by file name) and headings whose text matches `query`, best first, at most
 * `limit` of them.
 */
export function workspaceSymbols(kb: KnowledgeBase, query: string, limit = 1000, token: CancellationToken = noCancellation): SymbolEntry[] {
  const q = fold(query.trim());
  const scored: { entry: SymbolEntry; score: number }[] = [];
  const zero: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  let count = 0;
  for (const path of kb.pagePaths()) {
    if ((++count & 255) === 0 && token.isCancellationRequested) throw new CancelledError();
    const page = kb.page(path)!;
    const pageScore = Math.max(matchScore(q, fold(page.title)), matchScore(q, fold(path)) - 1);
    const titleHeading = page.facts.headings.find((h) => h.depth <= 2);
    if (pageScore > 0) scored.push({ entry: { kind: 'page', name: page.title, path, range: titleHeading?.range ?? zero, container: path }, score: pageScore + 0.5 });
    for (const heading of page.facts.headings) {
      if (heading === titleHeading) continue;
      const score = matchScore(q, fold(heading.text));
      if (score > 0) scored.push({ entry: { kind: 'heading', name: heading.text, path, range: heading.range, container: page.title, depth: heading.depth }, score });
    }
  }
  scored.sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name) || a.entry.path.localeCompare(b.entry.path));
  return scored.slice(0, limit).map((s) => s.entry);
}
