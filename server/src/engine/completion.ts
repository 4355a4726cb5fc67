import type { KnowledgeBase } from './knowledgeBase';
import { dirname, encodeDestination, isMarkdownPath, percentDecode, resolveSegments } from './paths';
import { resolveLink } from './resolve';
import { CancelledError, noCancellation, type CancellationToken, type LinkFacts, type Position, type Range } from './types';

/** What a completion inserts: a page (a Markdown file of the index), another file, a folder, or a heading id. */
export type CompletionKind = 'page' | 'file' | 'folder' | 'heading';

/** One completion of a link destination, ready for any editor. */
export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** The text that replaces `range`. */
  insertText: string;
  range: Range;
  /** A page's title or a heading's text. */
  detail?: string;
  /** Pages first, then folders, then other files; headings in page order. */
  sortText: string;
}

/** The destination being typed at the cursor: after `](` or in a `[ref]: ` definition, up to the cursor. */
export function destinationBeforeCursor(linePrefix: string): string | undefined {
  const inline = /\]\(\s*<?([^()\s<>]*)$/.exec(linePrefix);
  if (inline) return inline[1];
  const definition = /^ {0,3}\[[^\]]+\]:[ \t]*<?([^\s<>]*)$/.exec(linePrefix);
  return definition?.[1];
}

/**
 * Completions for a link destination being typed in page `path`: the files and folders of the
 * folder the destination names so far (relative to the page, or to the root after `/`), and after
 * `#` the heading ids of the page it names. Nothing is offered outside the workspace.
 *
 * `linePrefix` is the text of the line up to the cursor at `position`.
 */
export function completionsAt(kb: KnowledgeBase, path: string, linePrefix: string, position: Position, token: CancellationToken = noCancellation): CompletionEntry[] {
  const partial = destinationBeforeCursor(linePrefix);
  if (partial === undefined) return [];
  const hash = partial.indexOf('#');
  if (hash >= 0) return headingCompletions(kb, path, partial.slice(0, hash), { line: position.line, character: position.character - (partial.length - hash - 1) }, position);

  const slash = partial.lastIndexOf('/');
  const folderPart = partial.slice(0, slash + 1);
  const range: Range = { start: { line: position.line, character: position.character - (partial.length - slash - 1) }, end: position };
  const fromRoot = folderPart.startsWith('/');
  const segments = folderPart.split('/').filter((s) => s !== '').map(percentDecode);
  const resolved = resolveSegments(fromRoot ? '' : dirname(path), segments);
  if (!resolved) return [];
  let folder = resolved.join('/');
  if (folder) {
    const found = kb.files.lookup(resolved);
    if (!found?.isDirectory) return [];
    folder = found.path;
  }

  const entries: CompletionEntry[] = [];
  if (folder !== '' && !fromRoot) entries.push({ label: '../', kind: 'folder', insertText: '../', range, sortText: '3' });
  const prefix = folder ? folder + '/' : '';
  const folders = new Set<string>();
  let count = 0;
  for (const file of kb.files.allFiles()) {
    if ((++count & 1023) === 0 && token.isCancellationRequested) throw new CancelledError();
    if (!file.startsWith(prefix) || file === path) continue;
    const rest = file.slice(prefix.length);
    const slashAt = rest.indexOf('/');
    if (slashAt >= 0) {
      folders.add(rest.slice(0, slashAt));
      continue;
    }
    const page = kb.page(file);
    entries.push({
      label: rest,
      kind: page ? 'page' : 'file',
      insertText: encodeDestination(rest),
      range,
      ...(page ? { detail: page.title } : {}),
      sortText: (page ? '0' : isMarkdownPath(rest) ? '1' : '2') + rest.toLowerCase(),
    });
  }
  for (const name of folders) entries.push({ label: name + '/', kind: 'folder', insertText: encodeDestination(name) + '/', range, sortText: '1' + name.toLowerCase() });
  return entries;
}

function headingCompletions(kb: KnowledgeBase, path: string, pathPart: string, start: Position, end: Position): CompletionEntry[] {
  let target = path;
  if (pathPart !== '') {
    const zero = { line: 0, character: 0 };
    const link: LinkFacts = { kind: 'inline', image: false, raw: pathPart, url: pathPart, rawRange: { start: zero, end: zero }, range: { start: zero, end: zero }, label: '' };
    const resolution = resolveLink(path, link, kb.files, kb.rootPath);
    if (resolution.kind !== 'found' || resolution.isDirectory) return [];
    target = resolution.target;
  }
  const page = kb.page(target);
  if (!page) return [];
  const range: Range = { start, end };
  const width = String(page.facts.headings.length + page.facts.anchors.length).length;
  const order = (i: number) => String(i).padStart(width, '0');
  return [
    ...page.facts.headings.map((h, i) => ({ label: h.id, kind: 'heading' as const, insertText: h.id, range, detail: `${'#'.repeat(h.depth)} ${h.text}`, sortText: order(i) })),
    ...page.facts.anchors.map((id, i) => ({ label: id, kind: 'heading' as const, insertText: id, range, detail: `<a id="${id}">`, sortText: order(page.facts.headings.length + i) })),
  ];
}
