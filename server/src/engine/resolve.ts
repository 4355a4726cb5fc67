import type { FileTree, NameDifference } from './fileTree';
import { dirname, percentDecode, resolveSegments } from './paths';
import type { LinkFacts } from './types';

/** How a link's destination relates to the workspace, as GitHub would render it. */
export type Resolution =
  | { kind: 'external' }
  /** `#x` alone, or an empty destination. */
  | { kind: 'self'; fragment?: string }
  | { kind: 'found'; target: string; isDirectory: boolean; fragment?: string; shape: PathShape }
  | { kind: 'missing'; path: string; fragment?: string; shape: PathShape; rootBased: boolean }
  | { kind: 'outside'; written: string }
  | { kind: 'absolute'; written: string; segments: string[]; fragment?: string };

/** What is wrong with how a found path is written, though it leads to the target. */
export interface PathShape {
  backslash: boolean;
  /** Resolves only from the workspace root, not from the page's folder. */
  fromRoot: boolean;
  differences: NameDifference[];
}

const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const windowsDrive = /^[a-zA-Z]:[\\/]/;
/** First folders of absolute file-system paths (Linux, macOS, WSL). */
const fileSystemRoots = new Set(['home', 'Users', 'mnt', 'media', 'tmp', 'var', 'etc', 'opt', 'usr', 'root', 'private', 'Volumes', 'srv', 'proc', 'dev', 'sys', 'bin', 'workspace', 'workspaces']);

function splitFragment(text: string): { path: string; fragment?: string } {
  const hash = text.indexOf('#');
  const beforeHash = hash < 0 ? text : text.slice(0, hash);
  const query = beforeHash.indexOf('?');
  return {
    path: query < 0 ? beforeHash : beforeHash.slice(0, query),
    fragment: hash < 0 ? undefined : percentDecode(text.slice(hash + 1)),
  };
}

/** Path segments, `%xx` decoded. A decoded `/` or `\` separates too: `..%2F..%2Fx` must not hide a climb. */
function segmentsOf(path: string): string[] {
  // Most destinations have neither: split them without decoding each segment.
  if (!path.includes('%') && !path.includes('\\')) return path.split('/');
  return path.split('/').flatMap((segment) => percentDecode(segment).split(/[/\\]/));
}

/**
 * Resolves the destination of `link` in page `page` against the file tree: relative to the page's
 * folder, `/` from the workspace root, `%xx` decoded. Backslashes and root-based paths are tried as
 * the author meant them, and reported through `shape`.
 */
export function resolveLink(page: string, link: LinkFacts, files: FileTree, rootPath: string): Resolution {
  const raw = link.raw.trim();
  const url = link.url.trim();
  if (raw === '' || raw.startsWith('#')) {
    const fragment = raw ? percentDecode(url.slice(url.indexOf('#') + 1)) : undefined;
    return { kind: 'self', fragment };
  }
  // The parsed URL has the scheme an autolink implies (`<ana@example.com>` → mailto:, `www.x.org` → http:).
  const protocol = (scheme.exec(raw) ?? (link.kind === 'autolink' ? scheme.exec(url) : null))?.[1]?.toLowerCase();
  if (protocol === 'file') return absolute(raw.replace(/^file:\/*/i, '/'), raw);
  if (protocol || raw.startsWith('//')) return { kind: 'external' };
  if (windowsDrive.test(raw) || raw.startsWith('\\\\')) return absolute(raw, raw);

  // A backslash in the parsed URL is literal (not an escape): the author used it as a separator.
  // A backslash only before punctuation was an escape, unless the path resolves only as a separator.
  // A backslash only in the parsed URL (from an entity, `&#92;`) has no backslashed source to try instead.
  let firstMissing: Resolution | undefined;
  if (!url.includes('\\') || !raw.includes('\\')) {
    const parsed = splitFragment(url);
    const resolution = resolvePath(page, parsed.path, parsed.fragment, false, files, rootPath, raw);
    if (resolution.kind !== 'missing') return resolution;
    firstMissing = resolution;
  }
  if (raw.includes('\\')) {
    const backslashed = splitFragment(raw.replace(/\\/g, '/'));
    const resolution = resolvePath(page, backslashed.path, backslashed.fragment, true, files, rootPath, raw);
    if (resolution.kind !== 'missing') return resolution;
    firstMissing ??= resolution;
  }
  return firstMissing!;
}

function resolvePath(page: string, path: string, fragment: string | undefined, backslash: boolean, files: FileTree, rootPath: string, written: string): Resolution {
  if (path === '') return { kind: 'self', fragment };
  const rootBased = path.startsWith('/');
  const segments = segmentsOf(rootBased ? path.slice(1) : path);
  if (rootBased) {
    const found = files.lookup(resolveSegments('', segments) ?? []);
    if (found) return foundAt(files, found.path, found.isDirectory, fragment, shapeOf(backslash, false, found.differences));
    if (looksLikeFileSystemPath(path, rootPath)) return absolute(path, written, fragment);
    return { kind: 'missing', path: segments.join('/'), fragment, shape: shapeOf(backslash, false, noDifferences), rootBased: true };
  }
  const resolved = resolveSegments(dirname(page), segments);
  if (!resolved) return { kind: 'outside', written };
  const found = files.lookup(resolved);
  if (found) return foundAt(files, found.path, found.isDirectory, fragment, shapeOf(backslash, false, found.differences));
  // Written from the workspace root inside a nested page?
  if (dirname(page) !== '' && segments[0] !== '..' && segments[0] !== '.') {
    const fromRoot = resolveSegments('', segments);
    const foundFromRoot = fromRoot && files.lookup(fromRoot);
    if (foundFromRoot) {
      return foundAt(files, foundFromRoot.path, foundFromRoot.isDirectory, fragment, shapeOf(backslash, true, foundFromRoot.differences));
    }
  }
  return { kind: 'missing', path: resolved.join('/'), fragment, shape: shapeOf(backslash, false, noDifferences), rootBased: false };
}

/**
 * Resolutions are never modified: a link written right (most links) gets the one resolution of its
 * target and fragment in that tree, not an object of its own (fewer objects to keep and to collect:
 * a fragment is a new string per link, and the same few recur on every page that links to a section).
 */
const plainFound = new WeakMap<FileTree, Map<string, Resolution>>();

function foundAt(files: FileTree, target: string, isDirectory: boolean, fragment: string | undefined, shape: PathShape): Resolution {
  if (shape !== plainShape) return { kind: 'found', target, isDirectory, fragment, shape };
  let byTarget = plainFound.get(files);
  if (!byTarget || byTarget.size > 2 * files.fileCount + 100_000) plainFound.set(files, (byTarget = new Map()));
  // A folder's key ends in a slash: no file path does; a fragment follows a NUL: no path holds one.
  const key = (isDirectory ? `${target}/` : target) + (fragment === undefined ? '' : `\0${fragment}`);
  let resolution = byTarget.get(key);
  if (!resolution) byTarget.set(key, (resolution = { kind: 'found', target, isDirectory, fragment, shape }));
  return resolution;
}

const noDifferences: NameDifference[] = [];
const plainShape: PathShape = { backslash: false, fromRoot: false, differences: noDifferences };

/** The shape of a path; the same object for every path written right (most of them), not one per link. */
function shapeOf(backslash: boolean, fromRoot: boolean, differences: NameDifference[]): PathShape {
  return !backslash && !fromRoot && differences.length === 0 ? plainShape : { backslash, fromRoot, differences };
}

function looksLikeFileSystemPath(path: string, rootPath: string): boolean {
  const normalizedRoot = rootPath.replace(/\\/g, '/').replace(/\/$/, '');
  if (normalizedRoot && (path === normalizedRoot || path.startsWith(normalizedRoot + '/'))) return true;
  return fileSystemRoots.has(path.split('/')[1] ?? '');
}

function absolute(path: string, written: string, fragment?: string): Resolution {
  const split = splitFragment(path.replace(/\\/g, '/'));
  const segments = split.path.split('/').filter((s) => s && !/^[a-zA-Z]:$/.test(s)).map(percentDecode);
  return { kind: 'absolute', written, segments, fragment: fragment ?? split.fragment };
}

/** The workspace file an absolute path means: the one whose path is the longest tail of it (if unique). */
export function mapAbsolute(segments: readonly string[], files: FileTree): string[] {
  const name = segments[segments.length - 1];
  if (!name) return [];
  let best: string[] = [];
  let bestLength = 0;
  for (const candidate of files.similar(name)) {
    const parts = candidate.split('/');
    if (parts.length > segments.length) continue;
    const tail = segments.slice(segments.length - parts.length);
    if (!tail.every((s, i) => s.normalize('NFC') === parts[i].normalize('NFC'))) continue;
    if (parts.length > bestLength) {
      best = [candidate];
      bestLength = parts.length;
    } else if (parts.length === bestLength) best.push(candidate);
  }
  return best;
}
