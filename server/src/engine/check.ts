import type { EngineSettings } from './config';
import type { FileTree } from './fileTree';
import { localize, type MessageId } from './messages';
import { containsWords, genericLabels, type MarkerSet, normalizeTitle } from './navigation';
import { basename, dirname, encodeDestination, isMarkdownPath, looseKey, relativePath } from './paths';
import { rangeKey } from './positions';
import { mapAbsolute, type Resolution } from './resolve';
import { structuralMarks } from './syntax';
import { Code, type Fix, type KbDiagnostic, type LinkFacts, type NavDirection, type PageFacts, type Range, type RelatedLocation, type TextEdit } from './types';

/** A page as the checks see it: its facts, its title and the resolution of each of its links. */
export interface PageEntry {
  path: string;
  facts: PageFacts;
  title: string;
  resolutions: Resolution[];
}

/** What the checks of one page may ask about the rest of the knowledge base. */
export interface CheckContext {
  settings: EngineSettings;
  markers: MarkerSet;
  files: FileTree;
  rootPath: string;
  page(path: string): PageEntry | undefined;
  /** Pages whose normalized title contains the normalized `label` as whole words. */
  pagesTitled(label: string): string[];
  /** Pages with a link that resolves to `target`. */
  sourcesOf(target: string): Iterable<string>;
  /**
   * `compute()`, worked out once until the index changes: for what many pages ask for alike (the fix
   * that renames a file linked from every page would cost every page the links of all of them).
   */
  memo<T>(key: string, compute: () => T): T;
}

const forwardLike: readonly NavDirection[] = ['forward', 'down'];
const backLike: readonly NavDirection[] = ['back', 'up'];

/** The engine's texts in the knowledge base's language. */
function translator(ctx: CheckContext): (id: MessageId, ...args: (string | number)[]) => string {
  return (id, ...args) => localize(ctx.settings.locale, id, ...args);
}

/** The title a page is known by: its first `#`/`##` heading, else its file name without extension. */
export function titleOf(path: string, facts: PageFacts | undefined): string {
  return facts?.headingTitle ?? basename(path).replace(/\.(md|markdown)$/i, '');
}

/** The range a diagnostic about a destination points at: where the reader sees the link. */
function destinationRange(link: LinkFacts): Range {
  return link.kind === 'reference' ? link.range : link.rawRange;
}

/**
 * The `#fragment` of a destination, to keep when its path is rewritten. Parentheses and spaces are
 * escaped: they may have been balanced or allowed by the path they followed (`b](x.md#)`), not alone.
 */
function fragmentSuffix(link: LinkFacts): string {
  const hash = link.raw.indexOf('#');
  if (hash < 0) return '';
  return '#' + link.raw.slice(hash + 1).replace(/[\s()<>\u0000-\u001f\u007f]/g, (c) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c)));
}

/** The destination a page should write to reach `target`: relative, forward slashes, exact names. */
export function destinationTo(fromPage: string, target: string, suffix = ''): string {
  return encodeDestination(relativePath(dirname(fromPage), target)) + suffix;
}

/**
 * Whether `edit` rewrites a destination or a label written with a backtick or a pipe. Backticks decide
 * more than the link: on a line that opens with a run of backticks, one in the rest keeps it from being a
 * code fence (`` ``` [a](b`) `` is a paragraph with a link; without the backtick, a fence that swallows
 * the page). Pipes count the cells of a table row: one less can make a table of a paragraph line followed
 * by a delimiter row. New destinations and labels never hold a literal one (`encodeDestination`,
 * `labelText`), so such a link gets no rewrite there.
 */
/** Whether an edit of `fix` rewrites a text written with a backtick or a pipe (see `dropsMark`); once per fix, which many diagnostics may share. */
const droppingFixes = new WeakMap<Fix, boolean>();
function dropsAnyMark(fix: Fix, entry: PageEntry, ctx: CheckContext): boolean {
  let drops = droppingFixes.get(fix);
  if (drops === undefined) {
    drops = fix.edits.some((edit) => dropsMark(edit, edit.path === entry.path ? entry : ctx.page(edit.path)));
    droppingFixes.set(fix, drops);
  }
  return drops;
}

function dropsMark(edit: TextEdit, page: PageEntry | undefined): boolean {
  if (!page) return false;
  const ranges = rangesWithMarks(page.facts);
  return ranges.size > 0 && ranges.has(rangeKey(edit.range));
}

/** Per page, the ranges of its destinations and labels written with a backtick or a pipe; almost always none. */
const markRanges = new WeakMap<PageFacts, Set<string>>();
function rangesWithMarks(facts: PageFacts): Set<string> {
  let ranges = markRanges.get(facts);
  if (!ranges) {
    ranges = new Set();
    for (const link of facts.links) {
      if (structuralMarks.test(link.raw)) ranges.add(rangeKey(link.rawRange));
      if (link.labelMarks && link.labelRange) ranges.add(rangeKey(link.labelRange));
    }
    markRanges.set(facts, ranges);
  }
  return ranges;
}

/** The edit that writes `newText` as the destination of `link`, in a form that stays that link's destination where it stands. */
export function editDestination(page: string, link: LinkFacts, newText: string): TextEdit {
  if (link.kind === 'html') {
    // In an HTML attribute a quote would end the value: `<a href='x.md#it's'>`.
    newText = newText.replace(/["']/g, (c) => (c === '"' ? '%22' : '%27'));
    // Spaces and line breaks around the address stay, and a line break inside it moves to its end: where the
    // tag's lines end decides whether it begins an HTML block (`<img src='x.md` + `'>` on the next line does
    // not; the same tag on one line does, and takes the lines after it).
    const lead = /^\s*/.exec(link.raw)![0];
    let trail = /\s*$/.exec(link.raw.slice(lead.length))![0];
    const lineBreak = /\r\n|\r|\n/.exec(link.raw)?.[0];
    if (lineBreak && !/[\r\n]/.test(lead + trail)) trail += lineBreak;
    // The new address may carry the old one's end already (a query or fragment kept as written).
    newText = lead + newText.trim() + trail;
  }
  // Before the `>` of a `<…>` destination, a trailing `--` or `]]` would close an HTML comment or CDATA
  // section opened earlier on the page (`[<!--](a.md) [b](<c.md#-->)`), swallowing the links between.
  newText = newText.replace(/[-\]]+$/, (run) => run.replace(/-/g, '%2D').replace(/\]/g, '%5D'));
  // At the start of a line (a definition's destination under its label) `#` would begin a heading, `---` a
  // rule or a setext underline, `- "title"` a list item, `~~~` a fence: the definition would be lost.
  if (link.rawLineStart && /^(?:#|[-+*_=]+$|\d{1,9}[.)]$|~|:|-+:)/.test(newText)) {
    newText = newText.startsWith('#')
      ? `<${newText.replace(/\\[\s\S]|[<>]/g, (m) => (m.length === 2 ? m : `\\${m}`))}>`
      : `%${newText.charCodeAt(0).toString(16).toUpperCase()}${newText.slice(1)}`;
  }
  return { path: page, range: link.rawRange, newText };
}

/**
 * A title as link text, showing the same characters: `[`, `]` and `\\` escaped, so that a title like
 * “a ] b” cannot end the label early; `<`, `>` and `&`, which could start HTML or an entity; `|`,
 * which ends a table cell; and a backtick as `&#96;`: even escaped, a backtick closes a code span
 * opened earlier on the line.
 */
function labelText(title: string): string {
  return title.replace(/[[\]\\<>&|]/g, '\\$&').replace(/`/g, '&#96;');
}

/** Rewrites a label's text to `title`, keeping its marker where it was. */
function editLabel(page: string, link: LinkFacts, title: string, markers: MarkerSet): TextEdit | undefined {
  if (!link.labelRange) return undefined;
  const label = link.label.trim();
  const found = markers.occurrences(label)[0];
  const marker = found ? label.slice(found[0], found[1]) : '';
  const text = labelText(title);
  const newText = !marker ? text : found![0] === 0 ? `${marker} ${text}` : `${text} ${marker}`;
  return { path: page, range: link.labelRange, newText };
}

/** The marker of the opposite direction, in the same position of its list (⏭️ → ⏮️, ➡️ → ⬅️). */
function oppositeMarker(link: LinkFacts, want: NavDirection, markers: MarkerSet, settings: EngineSettings): string {
  const have = link.nav!;
  const found = markers.occurrences(link.label)[0];
  const used = found ? link.label.slice(found[0], found[1]).replace(/\uFE0F/g, '') : '';
  const index = settings.markers[have].findIndex((m) => m.replace(/\uFE0F/g, '') === used);
  const list = settings.markers[want];
  return list[index] ?? list[0] ?? '';
}

/** Checks one page's links. Orphan pages are checked on the whole graph, elsewhere. */
export function checkPage(entry: PageEntry, ctx: CheckContext): KbDiagnostic[] {
  const diagnostics: KbDiagnostic[] = [];
  const { settings } = ctx;
  const t = translator(ctx);
  const report = (code: Code, range: Range, message: string, fixes: Fix[] = [], related?: RelatedLocation[]) => {
    const severity = settings.severity[code];
    if (severity === 'off') return;
    fixes = fixes.filter((fix) => !dropsAnyMark(fix, entry, ctx));
    diagnostics.push({ path: entry.path, range, severity, code, message, fixes, ...(related?.length ? { related } : {}) });
  };

  entry.facts.links.forEach((link, i) => {
    const resolution = entry.resolutions[i];
    switch (resolution.kind) {
      case 'external':
        return;
      case 'outside':
        report(Code.OutsideWorkspace, destinationRange(link), t('outsideWorkspace', link.raw));
        return;
      case 'absolute': {
        const mapped = mapAbsolute(resolution.segments, ctx.files);
        // An autolink glued to a `]`, a `!` or a literal URL cannot become `[…](…)` there (see `gluedAt`).
        const fixes = (link.glued ? [] : mapped).map((target) => {
          const destination = destinationTo(entry.path, target, fragmentSuffix(link));
          // `<file:///…/x.md>` with a relative path inside is no autolink: it becomes `[file:///…/x.md](x.md)`, same text.
          const edit = link.kind === 'autolink' ? { path: entry.path, range: link.range, newText: `[${labelText(link.raw)}](${destination})` } : editDestination(entry.path, link, destination);
          return { title: t('fixAbsolute', target), safe: mapped.length === 1, preferred: mapped.length === 1, edits: [edit] };
        });
        report(Code.AbsolutePath, destinationRange(link), t('absolutePath', link.raw), fixes);
        return;
      }
      case 'missing':
        report(Code.MissingFile, destinationRange(link), t(resolution.rootBased ? 'missingFileFromRoot' : 'missingFile', link.raw), missingFileFixes(entry, link, resolution.path, ctx));
        return;
      case 'self':
        checkFragment(entry, link, entry.path, resolution.fragment, ctx, report);
        if (link.nav && !resolution.fragment) report(Code.SelfLink, link.range, t('selfLink'), repointByLabel(entry, link, ctx));
        return;
      case 'found':
        checkShape(entry, link, resolution, ctx, report);
        if (!resolution.isDirectory) checkFragment(entry, link, resolution.target, resolution.fragment, ctx, report);
        if (link.nav && !resolution.isDirectory) checkNavigation(entry, link, resolution.target, !!resolution.fragment, ctx, report);
        return;
    }
  });

  for (const reference of entry.facts.undefinedReferences) {
    report(Code.UndefinedReference, reference.range, t('undefinedReference', reference.reference));
  }
  return diagnostics;
}

type Report = (code: Code, range: Range, message: string, fixes?: Fix[], related?: RelatedLocation[]) => void;

/** Backslashes, root-based paths, wrong case, other Unicode form: one fix rewrites the whole destination. */
function checkShape(entry: PageEntry, link: LinkFacts, resolution: Extract<Resolution, { kind: 'found' }>, ctx: CheckContext, report: Report): void {
  const { shape, target } = resolution;
  const t = translator(ctx);
  const caseDiff = shape.differences.find((d) => d.caseDiffers);
  const unicodeDiff = shape.differences.find((d) => d.unicodeDiffers);
  // Most links are written right: the canonical destination is only worked out for those that are not.
  if (!shape.backslash && !shape.fromRoot && !caseDiff && !unicodeDiff) return;
  const canonical = destinationTo(entry.path, target, fragmentSuffix(link)) + (resolution.isDirectory && /[/\\]$/.test(link.raw) ? '/' : '');
  const rewrite = (title: MessageId): Fix => ({ title: t(title, canonical), safe: true, preferred: true, edits: [editDestination(entry.path, link, canonical)] });
  const range = destinationRange(link);
  if (shape.backslash) report(Code.BackslashPath, range, t('backslashPath', link.raw), [rewrite('fixSlashes')]);
  if (shape.fromRoot) report(Code.RootRelativePath, range, t('rootRelativePath', link.raw, canonical), [rewrite('fixFromPage')]);
  if (caseDiff) report(Code.CaseMismatch, range, t('caseMismatch', caseDiff.written, caseDiff.onDisk), [rewrite('fixCase')]);
  if (unicodeDiff) {
    const form = (s: string) => (s === s.normalize('NFC') ? 'NFC' : 'NFD');
    const fixes = [unicodeRenameFix(target, ctx), { ...rewrite('fixExactName'), title: t('fixExactName', form(unicodeDiff.onDisk), canonical), safe: false, preferred: false }]
      .filter((f): f is Fix => !!f);
    report(Code.UnicodeMismatch, range, t('unicodeMismatch', unicodeDiff.written, form(unicodeDiff.written), unicodeDiff.onDisk, form(unicodeDiff.onDisk)), fixes);
  }
}

/**
 * Renames `target` to its NFC name and rewrites every link to it: one fix, shared by every page that links there.
 * Safe when no file already has the NFC name.
 */
function unicodeRenameFix(target: string, ctx: CheckContext): Fix | undefined {
  return ctx.memo(`nfc-rename\n${target}`, () => makeUnicodeRenameFix(target, ctx));
}

function makeUnicodeRenameFix(target: string, ctx: CheckContext): Fix | undefined {
  const nfc = target.normalize('NFC');
  if (nfc === target || ctx.files.lookup(nfc.split('/'))?.path === nfc) return undefined;
  const edits: TextEdit[] = [];
  const sources = [...ctx.sourcesOf(target)].sort();
  for (const source of sources) {
    const page = ctx.page(source);
    if (!page) continue;
    const newSource = source === target ? nfc : source;
    // Reference links share their definition's destination: one edit for it.
    const rewritten = new Set<string>();
    page.facts.links.forEach((link, i) => {
      const r = page.resolutions[i];
      if (r.kind !== 'found' || r.target !== target || rewritten.has(rangeKey(link.rawRange))) return;
      const destination = destinationTo(newSource, nfc, fragmentSuffix(link));
      if (destination === link.raw) return;
      rewritten.add(rangeKey(link.rawRange));
      edits.push(editDestination(source, link, destination));
    });
  }
  return {
    title: localize(ctx.settings.locale, 'fixRenameNfc', basename(target), edits.length),
    safe: true,
    preferred: true,
    edits,
    fileOperations: [{ kind: 'rename', from: target, to: nfc }],
  };
}

function checkFragment(entry: PageEntry, link: LinkFacts, target: string, fragment: string | undefined, ctx: CheckContext, report: Report): void {
  if (!fragment) return;
  const page = ctx.page(target);
  if (!page) return; // Fragments of other files (source lines, PDFs…) are not checked.
  // Most fragments name one of a page's few ids exactly: the page's folded ids need not be worked out and kept.
  const { headings, anchors } = page.facts;
  if (headings.length + anchors.length <= 32 && (headings.some((h) => h.id === fragment) || anchors.includes(fragment))) return;
  const ids = idsOf(page.facts);
  if (ids.folded.has(fragment.normalize('NFC').toLowerCase())) return;
  if (/^L\d+(-L?\d+)?$/.test(fragment) && !isMarkdownPath(target)) return;
  const t = translator(ctx);
  const candidates = nearestIds(fragment, ids);
  const same = candidates.filter((id) => normalizeTitle(id) === normalizeTitle(fragment));
  const prefix = link.raw.slice(0, link.raw.indexOf('#') + 1);
  const fixes = candidates.map((id, index) => ({
    title: t('fixFragment', id),
    safe: same.length === 1 && same[0] === id,
    preferred: index === 0,
    edits: [editDestination(entry.path, link, prefix + encodeDestination(id))],
  }));
  report(Code.MissingFragment, destinationRange(link), t('missingFragment', target === entry.path ? basename(target) : target, fragment), fixes);
}

/** A page's heading and anchor ids: as written, NFC and lower case (to match), normalized (to compare). */
interface PageIds {
  ids: string[];
  folded: Set<string>;
  /** Worked out at the first missing fragment only: most pages never have one. */
  normalized?: string[];
  /**
   * The nearest ids of each fragment looked up (normalized): a heading renamed leaves every link to its old id
   * broken, and the page's ids are compared with that id once, not once per link.
   */
  nearest?: Map<string, string[]>;
}

/** Computed once per page's facts, not once per link to the page: a page may have thousands of links to one with thousands of headings. */
const idCache = new WeakMap<PageFacts, PageIds>();
function idsOf(facts: PageFacts): PageIds {
  let cached = idCache.get(facts);
  if (!cached) {
    const ids = [...facts.headings.map((h) => h.id), ...facts.anchors];
    cached = { ids, folded: new Set(ids.map((id) => id.normalize('NFC').toLowerCase())) };
    idCache.set(facts, cached);
  }
  return cached;
}

/** Heading ids closest to `fragment` (accents and case ignored first, then edit distance), best first. */
function nearestIds(fragment: string, pageIds: PageIds): string[] {
  const key = normalizeTitle(fragment);
  const nearest = (pageIds.nearest ??= new Map());
  let found = nearest.get(key);
  if (!found) nearest.set(key, (found = nearestToKey(key, pageIds)));
  return found;
}

function nearestToKey(key: string, pageIds: PageIds): string[] {
  const ids = pageIds.ids;
  const normalized = (pageIds.normalized ??= ids.map((id) => normalizeTitle(id)));
  // 40% of the length, but at most 32 edits: past that it is no typo, and the cost grows with it.
  const threshold = Math.max(2, Math.min(32, Math.ceil(key.length * 0.4)));
  const scored: { id: string; d: number }[] = [];
  ids.forEach((id, i) => {
    const d = normalized[i] === key ? 0 : editDistance(normalized[i], key, threshold);
    if (d <= threshold) scored.push({ id, d });
  });
  scored.sort((a, b) => a.d - b.d);
  return [...new Set(scored.map((s) => s.id))].slice(0, 3);
}

/**
 * Levenshtein distance of `a` and `b`, exact up to `max`; any larger distance is reported as more
 * than `max`. Only the band of cells within `max` of the diagonal is computed: two headings of
 * 100,000 characters cost 100,000 × (2·max + 1) steps, not 10^10.
 */
let rows = [new Int32Array(67), new Int32Array(67)];

export function editDistance(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  const lengths = Math.abs(a.length - b.length);
  if (lengths > 8 || lengths > max) return lengths;
  // A common prefix and suffix do not change the distance: ids of one page often share most of their text.
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  a = a.slice(start, endA);
  b = b.slice(start, endB);
  const band = Math.min(max, Math.max(a.length, b.length));
  const over = band + 1;
  // Row i holds D[i][j] at index j - i + band (+1, so that the cells either side of the band exist).
  // Two rows, reused from call to call: the checks compare millions of short names and ids.
  if (rows[0].length < 2 * band + 3) rows = [new Int32Array(2 * band + 3), new Int32Array(2 * band + 3)];
  let [previous, current] = rows;
  previous.fill(over);
  for (let j = 0; j <= Math.min(band, b.length); j++) previous[j + band + 1] = j;
  for (let i = 1; i <= a.length; i++) {
    current.fill(over);
    let rowMin = over;
    for (let j = Math.max(0, i - band); j <= Math.min(b.length, i + band); j++) {
      const k = j - i + band + 1;
      const value = j === 0 ? i : Math.min(previous[k] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1), previous[k + 1] + 1, current[k - 1] + 1);
      current[k] = value < over ? value : over;
      if (current[k] < rowMin) rowMin = current[k];
    }
    if (rowMin >= over) return over;
    [previous, current] = [current, previous];
  }
  return previous[b.length - a.length + band + 1];
}

/** The normalized label of a navigation link, or undefined when it names no page (empty or generic). */
function meaningfulLabel(link: LinkFacts, ctx: CheckContext): string | undefined {
  const label = ctx.markers.normalizedLabel(link.label);
  return label && !genericLabels.has(label) ? label : undefined;
}

/**
 * The pages whose title a label names: by path, by path within each folder, and the exact titles
 * first. Worked out once per label until the index changes: many pages may share a title
 * (“Introducción” in every topic), and each of their links asked for all of them, sorted.
 */
interface NamedPages {
  byTitle: string[];
  byPath: string[];
  inFolder: Map<string, string[]>;
}

function namedPages(label: string, ctx: CheckContext): NamedPages {
  return ctx.memo(`named\n${label}`, () => {
    const byPath = ctx.pagesTitled(label).sort((a, b) => a.localeCompare(b));
    const exact = new Set(byPath.filter((p) => normalizeTitle(ctx.page(p)!.title) === label));
    // A stable sort: by path within the exact titles and within the others.
    const byTitle = [...byPath].sort((a, b) => Number(exact.has(b)) - Number(exact.has(a)));
    const inFolder = new Map<string, string[]>();
    for (const p of byPath) {
      const folder = inFolder.get(dirname(p));
      if (folder) folder.push(p);
      else inFolder.set(dirname(p), [p]);
    }
    return { byTitle, byPath, inFolder };
  });
}

/** The first `limit` paths of `list` that are not in `except`. */
function firstOf(list: readonly string[], limit: number, ...except: string[]): string[] {
  const first: string[] = [];
  for (const p of list) {
    if (first.length === limit) break;
    if (!except.includes(p)) first.push(p);
  }
  return first;
}

function repointByLabel(entry: PageEntry, link: LinkFacts, ctx: CheckContext): Fix[] {
  const label = meaningfulLabel(link, ctx);
  if (!label) return [];
  const named = firstOf(namedPages(label, ctx).byTitle, 5, entry.path);
  return named.map((target, index) => ({
    title: localize(ctx.settings.locale, 'fixRepoint', ctx.page(target)!.title, target),
    safe: false,
    preferred: index === 0,
    edits: [editDestination(entry.path, link, destinationTo(entry.path, target))],
  }));
}

function checkNavigation(entry: PageEntry, link: LinkFacts, target: string, hasFragment: boolean, ctx: CheckContext, report: Report): void {
  const t = translator(ctx);
  if (target === entry.path) {
    if (!hasFragment) report(Code.SelfLink, link.range, t('selfLink'), repointByLabel(entry, link, ctx));
    return;
  }
  const targetPage = ctx.page(target);
  if (!targetPage) return;
  const direction = link.nav!;

  if (direction === 'back' || direction === 'forward') {
    const label = meaningfulLabel(link, ctx);
    // The file name only when the title does not match (most links name their target's title).
    const namesTarget = (label: string) => containsWords(normalizeTitle(targetPage.title), label) || label === normalizeTitle(basename(target).replace(/\.(md|markdown)$/i, ''));
    if (label && !namesTarget(label)) {
      const named = firstOf(namedPages(label, ctx).byTitle, 1, target, entry.path);
      if (named.length) {
        const fixes: Fix[] = repointByLabel(entry, link, ctx).filter((f) => f.edits[0].newText !== destinationTo(entry.path, target));
        const relabel = editLabel(entry.path, link, targetPage.title, ctx.markers);
        if (relabel) fixes.push({ title: t('fixRelabel', targetPage.title), safe: false, edits: [relabel] });
        const other = ctx.page(named[0])!;
        report(Code.LabelMismatch, link.labelRange ?? link.range, t('labelMismatch', ctx.markers.strip(link.label).trim(), other.title, targetPage.title), fixes, [
          { path: other.path, range: other.facts.headings[0]?.range ?? zeroRange, message: t('relatedOtherPage') },
        ]);
      }
    }
  }

  if (direction !== 'forward' && direction !== 'back') return;
  const needs = direction === 'forward' ? backLike : forwardLike;
  // The target's links the other way, of the same kind as this one (back for forward…); none leads here when this is reported.
  // A loop, not map and filter: this runs for every forward and back link, and most are answered.
  const sameKind: { link: LinkFacts; resolution: Resolution }[] = [];
  for (let i = 0; i < targetPage.facts.links.length; i++) {
    const answer = targetPage.facts.links[i];
    if (!answer.nav || !needs.includes(answer.nav)) continue;
    const resolution = targetPage.resolutions[i];
    if (resolution.kind === 'found' && resolution.target === entry.path) return;
    if (answer.nav === needs[0]) sameKind.push({ link: answer, resolution });
  }

  // Other pages that also lead to the target the same way: then the chain forks. The first few are
  // named (and linked as related), the rest counted: a page that every page leads back to is a fork
  // of thousands, and naming them all in each page's message cost the square of them.
  const leading = pagesLeadingTo(target, direction, ctx);
  const siblingCount = leading.sorted.length - (leading.has.has(entry.path) ? 1 : 0);
  const siblings = firstOf(leading.sorted, namedSiblings, entry.path);
  const describe = (path: string) => `${ctx.page(path)?.title ?? basename(path)} (${relativePath(dirname(entry.path), path)})`;
  const insteadTargets = sameKind.map((a) => (a.resolution.kind === 'found' ? describe(a.resolution.target) : a.link.raw));
  let message = t(direction === 'forward' ? 'forwardNotReciprocal' : 'backNotReciprocal', targetPage.title);
  if (insteadTargets.length) message += t(direction === 'forward' ? 'insteadBack' : 'insteadForward', insteadTargets.join('”, “'));
  const named = siblings.map(describe).join('”, “');
  if (siblingCount > siblings.length) message += `; ${t('forkedChainMore', named, siblingCount - siblings.length, targetPage.title)}`;
  else if (siblings.length) message += `; ${t('forkedChain', named, targetPage.title)}`;

  const fixes: Fix[] = [];
  const entryTitle = entry.title;
  const marker = oppositeMarker(link, needs[0], ctx.markers, ctx.settings);
  if (sameKind.length) {
    for (const answer of sameKind) {
      const edits = [editDestination(target, answer.link, destinationTo(target, entry.path))];
      const relabel = meaningfulLabel(answer.link, ctx) ? editLabel(target, answer.link, entryTitle, ctx.markers) : undefined;
      if (relabel) edits.push(relabel);
      fixes.push({ title: t(direction === 'forward' ? 'fixRepointBackLink' : 'fixRepointForwardLink', targetPage.title), safe: false, edits });
    }
  } else {
    const { eol, end, afterFrontMatter: top } = targetPage.facts;
    const newLink = `[${labelText(entryTitle)} ${marker}](${destinationTo(target, entry.path)})`;
    // At the top, but after the front matter: a line before its opening fence would turn it into text.
    const edit: TextEdit =
      direction === 'forward'
        ? top
          ? { path: target, range: { start: top, end: top }, newText: `${eol}${newLink}${eol}` }
          : { path: target, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `${newLink}${eol}${eol}` }
        : { path: target, range: { start: end, end }, newText: `${end.character === 0 ? '' : eol}${eol}${newLink}${eol}` };
    // A link appended to a page that ends in an open code fence or HTML comment would be code, not a link.
    if (direction === 'forward' || !targetPage.facts.openAtEnd) {
      fixes.push({ title: t(direction === 'forward' ? 'fixAddBackLink' : 'fixAddForwardLink', targetPage.title), safe: siblingCount === 0, preferred: true, edits: [edit] });
    }
  }
  const related: RelatedLocation[] = [
    ...sameKind.map((a) => ({ path: target, range: a.link.range, message: t(direction === 'forward' ? 'relatedBackLink' : 'relatedForwardLink') })),
    ...siblings.map((s) => ({ path: s, range: zeroRange, message: t('relatedSibling') })),
  ];
  report(Code.NavNotReciprocal, link.range, message, fixes, related);
}

const zeroRange: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** How many of the other pages of a fork a message names and links as related; the rest are counted. */
const namedSiblings = 5;

/** The pages that lead to `target` by a `direction` link, sorted: worked out once for all the pages of a fork. */
function pagesLeadingTo(target: string, direction: NavDirection, ctx: CheckContext): { sorted: string[]; has: Set<string> } {
  return ctx.memo(`leads ${direction}\n${target}`, () => {
    const sorted = [...ctx.sourcesOf(target)].filter((s) => s !== target && leadsTo(ctx.page(s), target, direction)).sort();
    return { sorted, has: new Set(sorted) };
  });
}

function leadsTo(page: PageEntry | undefined, target: string, direction: NavDirection): boolean {
  return !!page?.facts.links.some((l, i) => l.nav === direction && page.resolutions[i].kind === 'found' && (page.resolutions[i] as { target: string }).target === target);
}

/**
 * Near misses of a missing file in the folder the link meant (typos), when the folder is small enough to
 * compare with each name; once per missing path (a page deleted leaves every link to it broken).
 */
function nearMisses(missingPath: string, ctx: CheckContext): string[] {
  return ctx.memo(`near misses\n${missingPath}`, () => {
    const found: string[] = [];
    const folder = dirname(missingPath);
    const names = ctx.files.namesIn(folder);
    if (names.size > 2000) return found;
    const wanted = looseKey(basename(missingPath));
    for (const name of names) {
      const path = folder ? `${folder}/${name}` : name;
      if (ctx.files.hasFile(path) && editDistance(looseKey(name), wanted, 2) <= Math.min(2, Math.floor(wanted.length / 4))) found.push(path);
    }
    return found;
  });
}

/** Did-you-mean candidates by name and, for a navigation link, by label; and creating the page. */
function missingFileFixes(entry: PageEntry, link: LinkFacts, missingPath: string, ctx: CheckContext): Fix[] {
  const t = translator(ctx);
  const candidates = new Set([...ctx.files.similar(basename(missingPath)), ...nearMisses(missingPath, ctx)]);
  const label = link.nav ? meaningfulLabel(link, ctx) : undefined;
  if (label) {
    // Only the first few can be among the five fixes below (same folder first, then by path).
    const named = namedPages(label, ctx);
    for (const p of firstOf(named.inFolder.get(dirname(missingPath)) ?? [], 6, entry.path)) candidates.add(p);
    for (const p of firstOf(named.byPath, 6, entry.path)) candidates.add(p);
  }
  candidates.delete(entry.path);
  const suffix = fragmentSuffix(link);
  const fixes: Fix[] = [...candidates]
    .sort((a, b) => Number(dirname(b) === dirname(missingPath)) - Number(dirname(a) === dirname(missingPath)) || a.localeCompare(b))
    .slice(0, 5)
    .map((candidate, index) => ({
      title: t('fixDidYouMean', candidate),
      safe: false,
      preferred: index === 0,
      edits: [editDestination(entry.path, link, destinationTo(entry.path, candidate, suffix))],
    }));
  if (isMarkdownPath(missingPath) && !ctx.files.isDirectory(missingPath)) {
    const title = (link.nav ? ctx.markers.strip(link.label).replace(/^\s*#+/, '').trim() : '') || basename(missingPath).replace(/\.(md|markdown)$/i, '');
    const lines = [`# ${title}`, ''];
    if (link.nav === 'forward' || link.nav === 'down') lines.unshift(`[${labelText(entry.title)} ${oppositeMarker(link, 'back', ctx.markers, ctx.settings)}](${destinationTo(missingPath, entry.path)})`, '');
    if (link.nav === 'back' || link.nav === 'up') lines.push('', `[${labelText(entry.title)} ${oppositeMarker(link, 'forward', ctx.markers, ctx.settings)}](${destinationTo(missingPath, entry.path)})`);
    fixes.push({ title: t('fixCreatePage', missingPath), safe: false, edits: [], fileOperations: [{ kind: 'create', path: missingPath, content: lines.join('\n') + '\n' }] });
  }
  return fixes;
}
