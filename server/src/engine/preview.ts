import { findHeading } from './positions';
import type { Heading, PageFacts } from './types';

/** What a hover shows of a page: its title, the heading a fragment names, and the first lines after it. */
export interface PagePreview {
  title: string;
  heading?: Heading;
  lines: string[];
  /** More lines follow the ones shown. */
  truncated: boolean;
}

/**
 * The first lines of a page (text without BOM), or of the section a fragment names: after the title
 * heading (or the named heading), up to the next heading of the same or a higher level. Front matter
 * and lines made only of navigation links are left out; blank lines at either end are trimmed.
 */
export function pagePreview(text: string, facts: PageFacts, title: string, fragment?: string, maxLines = 8, maxLineLength = 240): PagePreview {
  const all = text.split(/\r\n|\r|\n/);
  const heading = fragment ? findHeading(facts, fragment) : undefined;
  const anchor = heading ?? facts.headings.find((h) => h.depth <= 2);
  let start = anchor ? anchor.range.end.line + 1 : 0;
  if (!anchor && /^(---|\+\+\+)\s*$/.test(all[0] ?? '')) {
    const close = all.findIndex((line, i) => i > 0 && /^(---|\.\.\.|\+\+\+)\s*$/.test(line));
    if (close > 0) start = close + 1;
  }
  const next = anchor ? facts.headings.find((h) => h.range.start.line > anchor.range.start.line && h.depth <= anchor.depth) : undefined;
  const end = next ? next.range.start.line : all.length;

  const navOnly = new Set<number>();
  const navRanges = new Map<number, [number, number][]>();
  for (const link of facts.links) {
    if (!link.nav || link.range.start.line !== link.range.end.line) continue;
    const line = link.range.start.line;
    navRanges.set(line, [...(navRanges.get(line) ?? []), [link.range.start.character, link.range.end.character]]);
  }
  for (const [line, ranges] of navRanges) {
    let rest = all[line] ?? '';
    for (const [s, e] of [...ranges].sort((a, b) => b[0] - a[0])) rest = rest.slice(0, s) + rest.slice(e);
    if (!/[^\s|·•-]/.test(rest)) navOnly.add(line);
  }

  const lines: string[] = [];
  let truncated = false;
  for (let i = start; i < end; i++) {
    if (navOnly.has(i)) continue;
    const line = all[i];
    if (lines.length === 0 && line.trim() === '') continue;
    if (lines.filter((l) => l.trim() !== '').length >= maxLines) {
      truncated = all.slice(i, end).some((l, k) => l.trim() !== '' && !navOnly.has(i + k));
      break;
    }
    lines.push(line.length > maxLineLength ? line.slice(0, maxLineLength) + '…' : line);
  }
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return { title, ...(heading ? { heading } : {}), lines, truncated };
}
