/**
 * The properties every knowledge base must keep, whatever its text: indexing and checking never
 * throw, every range is a range of the text, and a fix — alone or in fix-all — replaces only the
 * destination or label it names (or inserts a line where it says), keeping every other character;
 * and a page moved, or a heading renamed, with the edits the server gives for it keeps every link
 * leading where it did.
 */
import { KnowledgeBase } from '../../../server/src/engine/knowledgeBase';
import { defaultSettings } from '../../../server/src/engine/config';
import { applyTextEdits, selectSafeFixes } from '../../../server/src/engine/fixes';
import { parsePage, stripBom } from '../../../server/src/engine/parse';
import { isMarkdownPath } from '../../../server/src/engine/paths';
import { fileRenameEdits, movedPath } from '../../../server/src/engine/renameEdits';
import { headingRenameEdits } from '../../../server/src/engine/headingRename';
import { findHeading, rangesOverlap } from '../../../server/src/engine/positions';
import type { Fix, KbDiagnostic, LinkFacts, Locale, Range, TextEdit } from '../../../server/src/engine/types';
import { LineStarts, factsViolations } from './support';

export const root = '/home/ana/apuntes';

export interface FuzzStats {
  knowledgeBases: number;
  documents: number;
  bytes: number;
  diagnostics: number;
  fixesApplied: number;
  fixAllRuns: number;
  /** Fix-all runs whose second pass found more to change (a fix reveals the next problem, e.g. a link that now resolves and needs a back link). */
  secondPassChanges: number;
  maxParseMs: number;
  maxParsePath: string;
  maxCheckMs: number;
}

export function emptyStats(): FuzzStats {
  return { knowledgeBases: 0, documents: 0, bytes: 0, diagnostics: 0, fixesApplied: 0, fixAllRuns: 0, secondPassChanges: 0, maxParseMs: 0, maxParsePath: '', maxCheckMs: 0 };
}

class PropertyViolation extends Error {}

function fail(message: string): never {
  throw new PropertyViolation(message);
}

/** Indexes and checks `files` (path → text with its BOM); returns the knowledge base and each page's text without BOM. */
export function indexKnowledgeBase(files: ReadonlyMap<string, string>, locale: Locale, stats?: FuzzStats): { kb: KnowledgeBase; texts: Map<string, string> } {
  const kb = new KnowledgeBase(root, defaultSettings(locale));
  const texts = new Map<string, string>();
  for (const [path, content] of files) {
    if (!isMarkdownPath(path)) {
      kb.addFile(path);
      continue;
    }
    const text = stripBom(content);
    texts.set(path, text);
    const started = performance.now();
    kb.setPage(path, text);
    const ms = performance.now() - started;
    if (stats) {
      stats.documents++;
      stats.bytes += content.length;
      if (ms > stats.maxParseMs) {
        stats.maxParseMs = ms;
        stats.maxParsePath = `${path} (${content.length} chars)`;
      }
    }
  }
  const started = performance.now();
  kb.commit();
  kb.allDiagnostics();
  if (stats) stats.maxCheckMs = Math.max(stats.maxCheckMs, performance.now() - started);
  return { kb, texts };
}

/** The ranges a fix may replace in a page: its links' destinations and labels; and the page's start (or the end of its front matter) and end, for inserted lines. */
function allowedRanges(kb: KnowledgeBase, path: string): { replace: Set<string>; insert: Set<string> } {
  const facts = kb.page(path)!.facts;
  const key = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  const replace = new Set<string>();
  for (const link of facts.links) {
    replace.add(key(link.rawRange));
    if (link.labelRange) replace.add(key(link.labelRange));
    // An autolink has no label: a fix that must write a relative path rewrites it whole, as `[text](path)`.
    if (link.kind === 'autolink') replace.add(key(link.range));
  }
  const insert = new Set([key({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), key({ start: facts.end, end: facts.end })]);
  if (facts.afterFrontMatter) insert.add(key({ start: facts.afterFrontMatter, end: facts.afterFrontMatter }));
  return { replace, insert };
}

/** Line starts and allowed ranges of each page, computed once per knowledge base (a page may have thousands of fixes). */
class Memo {
  private readonly lineStarts = new Map<string, LineStarts>();
  private readonly ranges = new Map<string, ReturnType<typeof allowedRanges>>();

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly texts: Map<string, string>,
  ) {}

  lines(path: string): LineStarts {
    let lines = this.lineStarts.get(path);
    if (!lines) this.lineStarts.set(path, (lines = new LineStarts(this.texts.get(path) ?? '')));
    return lines;
  }

  allowed(path: string): ReturnType<typeof allowedRanges> {
    let allowed = this.ranges.get(path);
    if (!allowed) this.ranges.set(path, (allowed = allowedRanges(this.kb, path)));
    return allowed;
  }
}

const rangeKey = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/**
 * Applies `edits` to one text and checks the result against a splice computed independently:
 * the text outside the edited ranges is kept character for character. Returns the new text.
 */
export function applyAndCompare(text: string, edits: readonly TextEdit[], what: string, lines = new LineStarts(text)): string {
  const spans = edits.map((e) => {
    const span = lines.span(e.range);
    if (!span) fail(`${what}: edit range ${rangeKey(e.range)} is not a range of ${e.path}`);
    return { start: span[0], end: span[1], newText: e.newText };
  });
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < spans.length; i++) if (spans[i].start < spans[i - 1].end || spans[i].start === spans[i - 1].start) fail(`${what}: edits overlap in ${edits[0].path}`);
  let expected = '';
  let at = 0;
  for (const s of spans) {
    expected += text.slice(at, s.start) + s.newText;
    at = s.end;
  }
  expected += text.slice(at);
  const actual = applyTextEdits(text, edits);
  if (actual !== expected) fail(`${what}: ${edits[0].path} changed outside the ranges its edits name`);
  return actual;
}

/**
 * A path a file operation may use: relative, no `.`/`..`/empty segment, with `\\` counted as a
 * separator too (it is one on Windows, where the same fix must not climb out either).
 */
function insidePath(path: string): boolean {
  return !/^([a-zA-Z]:)?[\\/]/.test(path) && path.split(/[\\/]/).every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * What must still be a link after `edits`, by destination as written: every link that no edit
 * touches, the link whose label an edit replaces, each new destination, and each inserted link.
 * (A label replaced whole may drop what it held, an image for instance: the fix names that label.)
 */
function expectedDestinations(kb: KnowledgeBase, path: string, edits: readonly TextEdit[], lines: LineStarts): string[] {
  const facts = kb.page(path)!.facts;
  const spans = edits.map((e) => lines.span(e.range)!);
  const expected: string[] = [];
  for (const link of facts.links) {
    const [s, e] = lines.span(link.range)!;
    const touched = spans.some(([a, b]) => (a === b ? a > s && a < e : a < e && s < b));
    const relabelled = link.labelRange && edits.some((x) => rangeKey(x.range) === rangeKey(link.labelRange!));
    const redirected = edits.some((x) => rangeKey(x.range) === rangeKey(link.rawRange));
    if (!redirected && (!touched || relabelled)) expected.push(link.raw);
  }
  for (const edit of edits) {
    // One entry per link that writes its destination there (reference links share their definition's).
    const destinationOf = facts.links.filter((l) => rangeKey(l.rawRange) === rangeKey(edit.range));
    // A destination written in `<…>` (where a bare one would begin a block) is read without the brackets.
    const raw = /^<.*>$/s.test(edit.newText) ? edit.newText.slice(1, -1) : edit.newText;
    if (destinationOf.length) expected.push(...destinationOf.map(() => raw));
    else if (edit.range.start.line === edit.range.end.line && edit.range.start.character === edit.range.end.character) expected.push(...parsePage(edit.newText, kb.markers).links.map((l) => l.raw));
    else if (facts.links.some((l) => l.kind === 'autolink' && rangeKey(l.range) === rangeKey(edit.range))) expected.push(...parsePage(edit.newText, kb.markers).links.map((l) => l.raw));
  }
  return expected;
}

function missingFrom(expected: readonly string[], actual: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const raw of actual) counts.set(raw, (counts.get(raw) ?? 0) + 1);
  return expected.filter((raw) => {
    const n = counts.get(raw) ?? 0;
    counts.set(raw, n - 1);
    return n <= 0;
  });
}

/** Re-parsing after every fix would double the cost of a run: the first few fixes of each knowledge base are re-parsed. */
const reparsedFixesPerKnowledgeBase = 3;
/** Each fix alone costs a copy of its page: a page with thousands of fixes has its first 300 applied alone (fix-all applies them all). */
const fixesAlonePerKnowledgeBase = 300;

/**
 * Checks one fix: where it writes, what it replaces, and that the rest of each file is kept.
 * With `reparse`, also that the page keeps its links (see expectedDestinations).
 */
function checkFix(kb: KnowledgeBase, texts: Map<string, string>, fix: Fix, what: string, reparse: boolean, memo: Memo): void {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of fix.edits) {
    if (!kb.isPage(edit.path) || !texts.has(edit.path)) fail(`${what}: edits ${JSON.stringify(edit.path)}, not a page of the knowledge base`);
    const allowed = memo.allowed(edit.path);
    const key = rangeKey(edit.range);
    const isInsert = key.split('-')[0] === key.split('-')[1];
    if (!allowed.replace.has(key) && !(isInsert && allowed.insert.has(key))) fail(`${what}: replaces ${key} in ${edit.path}, which is no destination or label, nor the page's start or end`);
    byFile.set(edit.path, [...(byFile.get(edit.path) ?? []), edit]);
  }
  for (const op of fix.fileOperations ?? []) {
    const paths = op.kind === 'rename' ? [op.from, op.to] : [op.path];
    for (const p of paths) if (!insidePath(p)) fail(`${what}: file operation ${op.kind} on ${JSON.stringify(p)}, outside the workspace`);
  }
  for (const [path, edits] of byFile) {
    const before = texts.get(path)!;
    const after = applyAndCompare(before, edits, what, memo.lines(path));
    if (!reparse) continue;
    const lost = missingFrom(expectedDestinations(kb, path, edits, memo.lines(path)), parsePage(after, kb.markers).links.map((l) => l.raw));
    if (lost.length) fail(`${what}: after the fix ${path} lacks the link(s) to ${JSON.stringify(lost)}; edits ${JSON.stringify(edits.map((e) => e.newText))}`);
  }
}

/** Applies the safe fixes of a knowledge base to its files in memory (renames and creations included). */
export function applyFixAll(files: ReadonlyMap<string, string>, texts: Map<string, string>, fixes: readonly Fix[], what: string, memo?: Memo): Map<string, string> {
  const result = new Map(files);
  const byFile = new Map<string, TextEdit[]>();
  for (const fix of fixes) for (const edit of fix.edits) byFile.set(edit.path, [...(byFile.get(edit.path) ?? []), edit]);
  for (const [path, edits] of byFile) {
    const content = files.get(path)!;
    const bom = content.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
    result.set(path, bom + applyAndCompare(texts.get(path)!, edits, what, memo?.lines(path)));
  }
  for (const fix of fixes) {
    for (const op of fix.fileOperations ?? []) {
      if (op.kind === 'rename') {
        if (result.has(op.to) || !result.has(op.from)) continue;
        result.set(op.to, result.get(op.from)!);
        result.delete(op.from);
      } else if (!result.has(op.path)) result.set(op.path, op.content);
    }
  }
  return result;
}

/** The edits of `fixes` that would change the text they apply to. */
function effectiveEdits(fixes: readonly Fix[], texts: Map<string, string>): TextEdit[] {
  const lines = new Map<string, LineStarts>();
  const of = (path: string) => lines.get(path) ?? lines.set(path, new LineStarts(texts.get(path) ?? '')).get(path)!;
  return fixes.flatMap((f) => f.edits).filter((e) => of(e.path).slice(e.range) !== e.newText);
}

/**
 * Every property of one knowledge base: indexing and checking, ranges, each fix alone, fix-all,
 * and fix-all again on the result. Throws a sentence on the first violation.
 */
export function checkKnowledgeBase(files: ReadonlyMap<string, string>, stats: FuzzStats, options: { locale?: Locale; fixes?: boolean } = {}): void {
  const locale = options.locale ?? (stats.knowledgeBases % 2 ? 'es' : 'en');
  stats.knowledgeBases++;
  const { kb, texts } = indexKnowledgeBase(files, locale, stats);
  const memo = new Memo(kb, texts);
  for (const [path, text] of texts) {
    const violations = factsViolations(text, kb.page(path)!.facts, memo.lines(path));
    if (violations.length) fail(`${path}: ${violations.join('; ')}`);
  }
  const all: KbDiagnostic[] = [...kb.allDiagnostics().values()].flat();
  stats.diagnostics += all.length;
  for (const d of all) {
    if (!texts.has(d.path) || !memo.lines(d.path).span(d.range)) fail(`${d.code} at ${rangeKey(d.range)} is not a range of ${d.path}`);
    for (const r of d.related ?? []) {
      if (texts.has(r.path) && !memo.lines(r.path).span(r.range)) fail(`${d.code}: related ${rangeKey(r.range)} is not a range of ${r.path}`);
    }
  }
  if (options.fixes === false) return;
  checkRename(kb, files, texts, memo, locale);
  checkHeadingRename(kb, files, texts, memo, locale);

  let alone = 0;
  all.forEach((d, i) =>
    d.fixes.forEach((fix, j) => {
      if (alone >= fixesAlonePerKnowledgeBase) return;
      checkFix(kb, texts, fix, `fix ${j} of ${d.code} #${i} (${fix.title})`, alone++ < reparsedFixesPerKnowledgeBase, memo);
      stats.fixesApplied++;
    }),
  );

  const safe = selectSafeFixes(all);
  if (!safe.length) return;
  stats.fixAllRuns++;
  for (const fix of safe) checkFix(kb, texts, fix, `fix-all: ${fix.title}`, false, memo);
  const fixed = applyFixAll(files, texts, safe, 'fix-all', memo);
  // The second pass updates the same index incrementally: only the pages fix-all changed are parsed again.
  for (const path of files.keys()) if (!fixed.has(path)) kb.removeFile(path);
  for (const [path, content] of fixed) {
    if (files.get(path) === content) continue;
    if (isMarkdownPath(path)) {
      texts.set(path, stripBom(content));
      kb.setPage(path, stripBom(content));
    } else kb.addFile(path);
  }
  for (const path of texts.keys()) if (!fixed.has(path)) texts.delete(path);
  kb.commit();
  const again = effectiveEdits(selectSafeFixes([...kb.allDiagnostics().values()].flat()), texts);
  if (again.length) stats.secondPassChanges++;
  // The same fix is never proposed twice: no line inserted by the first pass (a back link) is inserted
  // again by the second. (A rewritten destination cannot be redone: it already reads the new text, and
  // the same new text for another link is legitimate.)
  const inserts = (edits: readonly TextEdit[]) => edits.filter((e) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character);
  const first = new Set(inserts(safe.flatMap((f) => f.edits)).map((e) => `${e.path}\u0000${e.newText}`));
  const repeated = inserts(again).filter((e) => first.has(`${e.path}\u0000${e.newText}`));
  if (repeated.length) fail(`fix-all applied twice repeats ${JSON.stringify(repeated.map((e) => [e.path, e.newText]))}`);
}

/** Where the rename property moves a page, or a folder: a new folder, and names that need encoding in a destination. */
const renamedTo = 'Carpeta nueva/Página (movida) #1.md';
const folderRenamedTo = 'Carpeta nueva/Sub carpeta (2)';

/**
 * A page moved (as the editor's file rename asks the server for the edits): after the edits and the
 * move, every page has as many links as before, and each link that found a file finds the same file,
 * at its new path for the moved page; links that found none still find none.
 */
function checkRename(kb: KnowledgeBase, files: ReadonlyMap<string, string>, texts: Map<string, string>, memo: Memo, locale: Locale): void {
  const pages = [...texts.keys()].sort();
  // Every other knowledge base with a folder moves the folder of its first nested page, the others a page.
  const nested = files.size % 2 === 0 ? pages.find((p) => p.includes('/')) : undefined;
  const from = nested ? nested.slice(0, nested.indexOf('/')) : (pages.find((p) => [...kb.sourcesOf(p)].some((s) => s !== p)) ?? pages[0]);
  const to = nested ? folderRenamedTo : renamedTo;
  if (!from || [...files.keys()].some((p) => p === to || p.startsWith(`${to}/`))) return;
  const renames = [{ from, to }];
  const moved = (path: string) => movedPath(path, renames) ?? path;
  const edits = fileRenameEdits(kb, renames);
  const fileOperations = [...files.keys()].filter((p) => moved(p) !== p).map((p) => ({ kind: 'rename' as const, from: p, to: moved(p) }));
  const after = applyFixAll(files, texts, [{ title: `rename of ${from}`, safe: true, preferred: true, edits, fileOperations }], `rename of ${from}`, memo);
  const { kb: renamed } = indexKnowledgeBase(after, locale);
  // A link to a folder is left out: the folder the page leaves may be left empty, and gone.
  const outcome = (k: KnowledgeBase, path: string, map: (p: string) => string) =>
    k.page(path)!.resolutions.map((r) => (r.kind === 'found' ? (r.isDirectory ? 'folder' : `found ${map(r.target)}`) : r.kind === 'self' || r.kind === 'external' ? r.kind : 'not found'));
  for (const path of pages) {
    const was = outcome(kb, path, moved);
    const now = outcome(renamed, moved(path), (p) => p).map((o, i) => (was[i] === 'folder' ? 'folder' : o));
    sameLinks(`rename of ${from} to ${to}`, path, was, now, edits);
  }
}

/** Fails unless the links of `path` lead where they did. */
function sameLinks(what: string, path: string, before: readonly string[], now: readonly string[], edits: readonly TextEdit[]): void {
  if (before.join('\n') === now.join('\n')) return;
  fail(`${what}: the links of ${path} changed: ${JSON.stringify(before)} → ${JSON.stringify(now)}; edits ${JSON.stringify(edits.filter((e) => e.path === path).map((e) => e.newText))}`);
}

/** What a heading is renamed to: a name whose id differs, with characters a fragment must encode. */
const newHeading = 'Nuevo título (2) ✓';

/**
 * A heading renamed (as the editor's rename asks the server for the edits): after the edits, every
 * page has as many links as before, each leads to the same file, and each fragment names the same
 * heading as before (by its place in the page), or still names none.
 */
function checkHeadingRename(kb: KnowledgeBase, files: ReadonlyMap<string, string>, texts: Map<string, string>, memo: Memo, locale: Locale): void {
  const pages = [...texts.keys()].sort();
  /** Per link of `path`: where it leads, and which heading (by index) its fragment names. */
  const outcome = (k: KnowledgeBase, path: string) =>
    k.page(path)!.resolutions.map((r) => {
      const target = r.kind === 'found' ? r.target : r.kind === 'self' ? path : undefined;
      if (target === undefined) return r.kind;
      const facts = k.page(target)?.facts;
      const fragment = r.kind === 'found' || r.kind === 'self' ? r.fragment : undefined;
      const heading = facts && fragment ? findHeading(facts, fragment) : undefined;
      return `${target} ${fragment === undefined ? '' : heading ? `heading ${facts!.headings.indexOf(heading)}` : 'no heading'}`;
    });
  // The first heading some fragment names, or else the first heading.
  let chosen: { path: string; index: number } | undefined;
  for (const path of pages) {
    for (const o of outcome(kb, path)) {
      const match = / heading (\d+)$/.exec(o);
      if (match) chosen ??= { path: o.slice(0, o.length - match[0].length), index: Number(match[1]) };
    }
  }
  const withHeading = pages.find((p) => kb.page(p)!.facts.headings.length > 0);
  chosen ??= withHeading === undefined ? undefined : { path: withHeading, index: 0 };
  if (!chosen) return;
  const edits = headingRenameEdits(kb, chosen.path, texts.get(chosen.path)!, chosen.index, newHeading);
  if (!edits) return;
  const what = `rename of heading ${chosen.index} of ${chosen.path} to ${newHeading}`;
  const { kb: renamed } = indexKnowledgeBase(applyFixAll(files, texts, [{ title: what, safe: true, preferred: true, edits }], what, memo), locale);
  // A link in the heading's own text is replaced with it, by the name the author typed.
  const [headingEdit] = edits;
  const inHeading = (link: LinkFacts) => rangesOverlap(link.range, headingEdit.range);
  for (const path of pages) {
    const kept = kb.page(path)!.facts.links.map((link) => path !== chosen!.path || !inHeading(link));
    sameLinks(what, path, outcome(kb, path).filter((_, i) => kept[i]), outcome(renamed, path), edits);
  }
}

/** Same as `checkKnowledgeBase`, but returns the violation (or exception) as text instead of throwing a property failure. */
export function describeFailure(error: unknown): string {
  return error instanceof PropertyViolation ? error.message : `exception: ${(error as Error)?.stack ?? error}`;
}
