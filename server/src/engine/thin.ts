/**
 * Thinning: a cheaper text for remark-parse that yields the same facts.
 *
 * remark-parse (micromark) costs about 1 µs per character, and most characters of a note are prose
 * the engine never looks at. Here long runs of plain words between the constructs that matter are
 * shortened to their first and last characters (`Práctica elimina sobre … según` → `Pn`) before the
 * page is parsed; the positions of what remark finds are then mapped back to the original columns.
 *
 * Why the facts stay the same. A run is only letters, digits, marks, spaces, commas and periods, and
 * starts and ends with a letter or a digit, which are kept: what decides Markdown structure around it
 * (emphasis flanking, where a block starts, hard breaks, code span and bracket matching) sees the
 * same characters, and a run can hold no delimiter. Runs are never taken where their text is a fact
 * or could start a block: link labels and destinations, code spans, escaped characters, autolinks,
 * headings, front matter, the first word of a line's content. A block of lines (up to a blank line)
 * is left whole when plain words may belong to something that matters: raw HTML (any `<` that is not
 * an autolink or a `<…>` destination), a literal autolink (`://`, `www.`, `@`) in its text, a link
 * reference definition (`]:`, which may go on over the next lines), a setext heading underline.
 * The differential tests (test/unit/thin.test.ts) compare both parses.
 */
import { autolinkTrigger, closedFrontMatter } from './syntax';
import type { Position } from './types';

/** A run shorter than this is not worth a breakpoint. */
const minRun = 12;
/** Characters a run is made of; runs start and end with a letter or digit. */
const runPattern = /[\p{L}\p{N}][\p{L}\p{M}\p{N} ,.]*[\p{L}\p{N}]/gu;
/** Link reference definitions may go on over the next lines: their blocks stay whole. */
const blockForbidden = /\]:/;
const setextUnderline = /^[ \t>]*(?:=+|-+)[ \t]*$/;
/** Container markers and indentation at the start of a line: block quotes, list items. */
const containerPrefix = /^\uFEFF?(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*/;

export interface ThinText {
  /** The text to parse. */
  text: string;
  /**
   * Per changed line: pairs (column in `text`, column in the original) from which the original
   * column is the thinned one plus their difference. Lines not listed are unchanged.
   */
  breakpoints: Map<number, number[]>;
}

/** Maps a position in the thinned text back to the original. */
export function originalPosition(thin: ThinText, position: Position): Position {
  const points = thin.breakpoints.get(position.line);
  if (!points) return position;
  let shift = 0;
  for (let i = 0; i < points.length && points[i] <= position.character; i += 2) shift = points[i + 1] - points[i];
  return shift ? { line: position.line, character: position.character + shift } : position;
}

const lineBreak = /\r\n|\r|\n/g;

interface Line {
  start: number;
  /** End of the content, before the line ending. */
  end: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const match of text.matchAll(lineBreak)) {
    lines.push({ start, end: match.index! });
    start = match.index! + match[0].length;
  }
  lines.push({ start, end: text.length });
  return lines;
}

const isBlank = (text: string, line: Line): boolean => !/[^ \t]/.test(text.slice(line.start, line.end));

/**
 * Marks the characters of `block` (a string of whole lines) that lie outside every construct whose
 * text matters: brackets and what they hold, `](…)` destinations, code spans, escapes, autolinks.
 * Returns undefined when the block holds what plain words may belong to: raw HTML, or a literal
 * autolink (`://`, `www.`, `@`) outside those constructs.
 */
function plainMask(block: string): Uint8Array | undefined {
  const plain = new Uint8Array(block.length);
  const backticks = new Map<number, number>();
  let depth = 0;
  for (let i = 0; i < block.length; i++) {
    const c = block.charCodeAt(i);
    if (c === 0x5c /* \ */) i++; // The escaped character is neither a delimiter nor plain.
    else if (c === 0x60 /* ` */) {
      let run = 1;
      while (block.charCodeAt(i + run) === 0x60) run++;
      const close = closingBackticks(block, i + run, run, backticks);
      // A code span is skipped whole (brackets in it are text); unmatched backticks are literal. One over a
      // line break may be none: the next line may start another block (a list item), where a bracket in it
      // opens a label. Such a block is left whole.
      if (close >= 0 && /[\n\r]/.test(block.slice(i + run, close))) return undefined;
      i = (close >= 0 ? close + run : i + run) - 1;
    } else if (c === 0x3c /* < */) {
      // Only `<scheme:…>` and `<user@host>` autolinks, skipped whole; anything else may be HTML.
      const autolink = angleAutolink.exec(block.slice(i, i + 2100));
      if (!autolink) return undefined;
      i += autolink[0].length - 1;
    } else if (c === 0x5b /* [ */) depth++;
    else if (c === 0x5d /* ] */) {
      if (depth > 0) depth--;
      if (block.charCodeAt(i + 1) === 0x28 /* ( */) {
        // A destination and title are skipped with their parenthesis. If they turn out not to be one
        // (`[a](b [) more`), what they hold is text: a `[` in it may open a label that goes on past
        // the `)`, a `<` or a backtick may open HTML or code that does. So unmatched `[`s count, and
        // HTML or code openers (but a leading `<…>` destination closed on its line) keep the block whole.
        let from = i + 2;
        if (block.charCodeAt(from) === 0x3c) {
          const angle = /^<[^<>\n\r()]*>/.exec(block.slice(from, from + 2100));
          if (!angle) return undefined;
          from += angle[0].length;
        }
        i = destinationEnd(block, i + 1);
        const skipped = block.slice(from, i);
        if (/[<`]/.test(skipped)) return undefined;
        depth += unmatchedOpeners(skipped);
      }
    } else if (depth === 0) plain[i] = 1;
  }
  // A literal autolink runs over plain words on both sides of its trigger (`user@host`, `https://host`),
  // and one in a link that turns out not to be one becomes text: its whole extent is kept.
  let kept = 0;
  for (const match of block.matchAll(autolinkTrigger)) {
    if (plain[match.index!]) return undefined;
    if (match.index! < kept) continue; // In the word kept for the trigger before.
    let from = match.index!;
    while (from > 0 && !/\s/.test(block[from - 1])) from--;
    kept = match.index!;
    while (kept < block.length && !/\s/.test(block[kept])) kept++;
    plain.fill(0, from, kept);
  }
  return plain;
}

/** How many `[` in `text` no later `]` closes (escapes skipped). */
function unmatchedOpeners(text: string): number {
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x5b) open++;
    else if (c === 0x5d && open > 0) open--;
  }
  return open;
}

const angleAutolink = /^<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)>/;

/**
 * The start of the first run of exactly `run` backticks at or after `from`, or -1. `found` remembers
 * the answers per length: searches go left to right, so an answer still ahead (or a -1) stands, and
 * a page of unmatched backticks is read once per length, not once per backtick.
 */
function closingBackticks(text: string, from: number, run: number, found: Map<number, number>): number {
  const known = found.get(run);
  if (known !== undefined && (known < 0 || known >= from)) return known;
  let at = -1;
  for (let i = text.indexOf('`', from); i >= 0; i = text.indexOf('`', i)) {
    let length = 1;
    while (text.charCodeAt(i + length) === 0x60) length++;
    if (length === run) {
      at = i;
      break;
    }
    i += length;
  }
  found.set(run, at);
  return at;
}

/** The index of the `)` closing the parenthesis at `open` (balanced, escapes skipped), or the end of the text. */
function destinationEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i;
  }
  return text.length;
}

/** Thins `text` (without a BOM) for parsing; returns it unchanged (no breakpoints) when nothing is worth it. */
export function thinForParsing(text: string): ThinText {
  const breakpoints = new Map<number, number[]>();
  const lines = splitLines(text);
  const frontMatter = closedFrontMatter.exec(text);
  let out = '';
  let copied = 0;
  let first = 0;
  if (frontMatter) while (first < lines.length && lines[first].start < frontMatter[0].length) first++;

  for (let b = first; b < lines.length; ) {
    if (isBlank(text, lines[b])) {
      b++;
      continue;
    }
    let e = b;
    while (e + 1 < lines.length && !isBlank(text, lines[e + 1])) e++;
    const blockStart = lines[b].start;
    const block = text.slice(blockStart, lines[e].end);
    const thinnable = !blockForbidden.test(block) && !lines.slice(b + 1, e + 1).some((l) => setextUnderline.test(text.slice(l.start, l.end)));
    const plain = thinnable ? plainMask(block) : undefined;
    if (plain) {
      for (let n = b; n <= e; n++) {
        const line = text.slice(lines[n].start, lines[n].end);
        const prefix = containerPrefix.exec(line)![0].length;
        if (line.charCodeAt(prefix) === 0x23 /* # */) continue; // A heading: its text is a fact.
        // The content's first word stays whole: with the prefix it decides what block the line starts.
        const firstSpace = line.slice(prefix).search(/[ \t]/);
        if (firstSpace < 0) continue;
        const points: number[] = [];
        let removed = 0;
        runPattern.lastIndex = prefix + firstSpace;
        for (let match = runPattern.exec(line); match; match = runPattern.exec(line)) {
          const run = match[0];
          if (run.length < minRun) continue;
          const at = lines[n].start + match.index;
          let fully = true;
          for (let k = 0; k < run.length && fully; k++) fully = plain[at - blockStart + k] === 1;
          if (!fully) continue;
          const head = String.fromCodePoint(run.codePointAt(0)!);
          const tailStart = run.length - (/[\uDC00-\uDFFF]/.test(run[run.length - 1]) ? 2 : 1);
          out += text.slice(copied, at + head.length);
          copied = at + tailStart;
          removed += tailStart - head.length;
          // From the run's last character on, thinned columns are `removed` short of the original's.
          points.push(match.index + tailStart - removed, match.index + tailStart);
        }
        if (points.length) breakpoints.set(n, points);
      }
    }
    b = e + 1;
  }
  if (!breakpoints.size) return { text, breakpoints };
  return { text: out + text.slice(copied), breakpoints };
}
