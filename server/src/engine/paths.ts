/**
 * Workspace-relative POSIX path helpers. The engine never touches the file system through these:
 * they are string operations on the exact names, so that case and Unicode form are preserved.
 */

/** The folder of a relative path ('' for the root). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/**
 * Resolves `.` and `..` segments of `segments` against `base` (a folder, '' = root).
 * Returns undefined when the path climbs above the root.
 */
export function resolveSegments(base: string, segments: readonly string[]): string[] | undefined {
  const out = base ? base.split('/') : [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out;
}

/** The relative path from folder `fromDir` to `to`, as a Markdown link would write it. */
export function relativePath(fromDir: string, to: string): string {
  const from = fromDir ? fromDir.split('/') : [];
  const target = to.split('/');
  let common = 0;
  while (common < from.length && common < target.length - 1 && from[common] === target[common]) common++;
  const up = from.slice(common).map(() => '..');
  return [...up, ...target.slice(common)].join('/');
}

/**
 * `(` and `)` as `%28` and `%29`: a query or fragment kept after a rewritten path may have had its
 * parentheses balanced by the path's (`b]()[](x.md#y)[`), which the new path writes escaped.
 */
export const escapeParentheses = (text: string): string => text.replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));

/**
 * Encodes a path for a Markdown destination: only what would break the link is escaped — `#` and
 * `?` too (they would start a fragment or a query), parentheses, which encodeURIComponent keeps,
 * a backslash (it would escape what follows), `|` (it would end a table cell), and control
 * characters, which no destination may hold.
 */
export function encodeDestination(path: string): string {
  // A backtick too: one more or one less on a line can make it a code fence, or stop it being one.
  return path.replace(/[%\s()<>#?|`\\\u0000-\u001f\u007f]/g, (c) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c)));
}

/** Name key that ignores case and Unicode normalization: for "the same name, written otherwise". */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Looser key: also ignores accents and a `.md` extension. Used for "did you mean" and for dependencies. */
export function looseKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\.(md|markdown)$/, '');
}

export function isMarkdownPath(path: string, extensions: readonly string[] = ['.md', '.markdown']): boolean {
  const lower = path.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

/** Decodes `%xx` sequences, leaving malformed ones as written. */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
