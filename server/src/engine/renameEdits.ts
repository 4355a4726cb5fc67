import { destinationTo, editDestination } from './check';
import type { KnowledgeBase } from './knowledgeBase';
import { dirname, encodeDestination, escapeParentheses, foldName, percentDecode, resolveSegments } from './paths';
import { rangeKey } from './positions';
import { structuralMarks } from './syntax';
import { CancelledError, noCancellation, type CancellationToken, type TextEdit } from './types';

/** A file or folder that moves from one workspace-relative path to another. */
export interface PathRename {
  from: string;
  to: string;
}

/** The new path of `path` after `renames` (a file renamed itself, or a file inside a renamed folder), or undefined. */
export function movedPath(path: string, renames: readonly PathRename[]): string | undefined {
  for (const { from, to } of renames) {
    if (path === from) return to;
    if (from !== '' && path.startsWith(from + '/')) return to + path.slice(from.length);
  }
  return undefined;
}

/** What follows the path in a destination (`?query`, `#fragment`), kept as written but for its parentheses (`escapeParentheses`). */
function suffixOf(raw: string): string {
  const at = raw.search(/[?#]/);
  return at < 0 ? '' : escapeParentheses(raw.slice(at));
}

/**
 * Whether a destination as written, read from page `fromPage`, names `target` (case and Unicode form
 * ignored, as the link resolved before). `fromRoot`: the path is read from the workspace root.
 */
function writtenLeadsTo(raw: string, fromPage: string, target: string, fromRoot: boolean): boolean {
  const path = raw.trim().replace(/[?#].*$/, '').replace(/\\/g, '/');
  const segments = path.replace(/^\/+/, '').split('/').map(percentDecode);
  const resolved = resolveSegments(fromRoot ? '' : dirname(fromPage), segments);
  return !!resolved && foldName(resolved.join('/')) === foldName(target);
}

/** Where a destination that climbs out of the workspace leads from `fromPage`: a path from the root that starts with `..`. */
function beyondRoot(fromPage: string, raw: string): string {
  const out = dirname(fromPage) ? dirname(fromPage).split('/') : [];
  for (const segment of raw.trim().replace(/[?#].*$/, '').replace(/\\/g, '/').split('/').map(percentDecode)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(segment);
  }
  return out.join('/');
}

/**
 * The edits that keep every link working when files or folders move: links that reach a moved
 * file (or a file inside a moved folder) are rewritten to its new path, and the relative links of
 * moved pages are rewritten from their new folder. Fragments and queries are kept as written.
 *
 * The edits address the files by their paths *before* the move (LSP `workspace/willRenameFiles`
 * applies them first). Links that already say the right thing are left alone, so a folder moved
 * with its pages keeps their links between each other untouched. A link written from the root
 * (`/Docker/X.md`) stays written from the root. Broken relative links of a moved page are rewritten
 * to keep naming the same place, so they do not change meaning.
 */
export function fileRenameEdits(kb: KnowledgeBase, renames: readonly PathRename[], token: CancellationToken = noCancellation): TextEdit[] {
  const moved = (path: string) => movedPath(path, renames);
  // Pages to look at: those that link into a moved file or folder, and the moved pages themselves.
  const sources = new Set<string>();
  const movedDirs = new Set<string>();
  for (const file of kb.files.allFiles()) {
    if (moved(file) === undefined) continue;
    if (kb.isPage(file)) sources.add(file);
    for (const source of kb.sourcesOf(file)) sources.add(source);
    for (let dir = dirname(file); dir && moved(dir) !== undefined && !movedDirs.has(dir); dir = dirname(dir)) movedDirs.add(dir);
  }
  for (const { from } of renames) if (kb.files.isDirectory(from)) movedDirs.add(from);
  for (const dir of movedDirs) for (const source of kb.sourcesOf(dir)) sources.add(source);

  const edits: TextEdit[] = [];
  for (const source of [...sources].sort()) {
    if (token.isCancellationRequested) throw new CancelledError();
    const page = kb.page(source)!;
    const newSource = moved(source) ?? source;
    const seen = new Set<string>();
    page.facts.links.forEach((link, i) => {
      const r = page.resolutions[i];
      let newText: string | undefined;
      if (r.kind === 'found') {
        const newTarget = moved(r.target) ?? r.target;
        if (newTarget === r.target && newSource === source) return;
        const rootBased = link.raw.trim().startsWith('/');
        if (writtenLeadsTo(link.raw, newSource, newTarget, rootBased || r.shape.fromRoot)) return;
        const trailing = r.isDirectory && /[/\\]$/.test(link.raw.replace(/[?#].*$/, '')) ? '/' : '';
        newText = (rootBased ? '/' + encodeDestination(newTarget) : destinationTo(newSource, newTarget)) + trailing + suffixOf(link.raw);
      } else if (r.kind === 'missing' && !r.rootBased && newSource !== source) {
        const intended = moved(r.path) ?? r.path;
        if (writtenLeadsTo(link.raw, newSource, intended, false)) return;
        newText = destinationTo(newSource, intended) + suffixOf(link.raw);
      } else if (r.kind === 'outside' && newSource !== source) {
        // Out of the workspace (a folder beside it, in the same repository): still there from the new folder.
        const trailing = /[/\\]$/.test(link.raw.replace(/[?#].*$/, '')) ? '/' : '';
        newText = destinationTo(newSource, beyondRoot(source, link.raw)) + trailing + suffixOf(link.raw);
      } else return;
      newText = keepingMarks(link.raw, newText);
      if (newText === undefined || newText === link.raw) return;
      // Reference links share their definition's destination: one edit for it.
      const key = rangeKey(link.rawRange);
      if (seen.has(key)) return;
      seen.add(key);
      edits.push(editDestination(source, link, newText));
    });
  }
  return edits;
}

/**
 * `newText` with the backticks and pipes `raw` was written with, as written and in the same order, or
 * undefined when it cannot have them. They decide more than the link (see `dropsMark`): on a line
 * that opens with ```, one backtick less makes a code fence of the rest; one pipe less or more changes
 * the cells of a table row, or makes a table of a paragraph line followed by a delimiter row.
 */
function keepingMarks(raw: string, newText: string): string | undefined {
  if (!structuralMarks.test(raw)) return newText;
  const text = newText.replace(/%60/g, '`').replace(/%7C/gi, raw.includes('\\|') ? '\\|' : '|');
  return marksOf(text) === marksOf(raw) ? text : undefined;
}

const marksOf = (text: string) => (text.match(/`+|\\\||\|/g) ?? []).join(' ');
