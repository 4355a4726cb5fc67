import { isUtf8 } from 'node:buffer';
import { closeSync, constants, openSync, promises as fs, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, type Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import type { FileStamp } from './factsCache';
import type { FolderEntry } from './fileTree';
import { CancelledError, type CancellationToken } from './types';

/** The workspace as the engine sees it: a list of files and their text. Implemented by each host. */
export interface IWorkspace {
  /** Absolute path of the root, for messages and for recognizing absolute paths in links. */
  readonly rootPath: string;
  /** Every file of the knowledge base (workspace-relative POSIX paths), ignored globs excluded. */
  listFiles(token: CancellationToken): Promise<string[]>;
  /** The text of a page, BOM included. Throws with a clear message when it cannot be read. */
  readFile(path: string): Promise<string>;
}

export interface WorkspaceProblem {
  path: string;
  message: string;
}

// A glob "**" "/NAME/" "**" with a literal NAME ignores every path with a segment NAME (a folder, or a
// file so named); "**" "/.*/" "**" every path with a segment that begins with a dot. (Line comments:
// those globs would end a block comment.)
const segmentGlob = /^\*\*\/([^/*?[\]{}()!+@\\]+)\/\*\*$/;
const dotSegmentGlob = '**/.*/**';

/**
 * Compiles ignore globs into one predicate over workspace-relative paths (a folder's path matches as
 * the folder: `x` as `x/` too). Globs that name a segment (the defaults: node_modules, .git, any
 * dot folder) are tested by looking at the path's segments: picomatch's regular expressions were
 * most of the time of listing a folder (a first look at a page lists the top folders: 50,000 entries
 * at 50,000 notes); the others by picomatch. The differential test (fileTree.test.ts) compares with
 * picomatch alone.
 */
export function ignoreMatcher(globs: readonly string[]): (path: string) => boolean {
  const names = new Set<string>();
  let dotSegments = false;
  const others: string[] = [];
  for (const glob of globs) {
    const named = segmentGlob.exec(glob)?.[1];
    if (glob === dotSegmentGlob) dotSegments = true;
    else if (named !== undefined) names.add(named);
    else others.push(glob);
  }
  const match = others.length ? picomatch(others, { dot: true }) : undefined;
  return (path) => {
    if (names.size || dotSegments) {
      for (const segment of path.split('/')) if (names.has(segment) || (dotSegments && segment.startsWith('.'))) return true;
    }
    return !!match && (match(path) || match(path + '/'));
  };
}

/**
 * The file system under one root folder. Symbolic links are followed only when they stay inside
 * the root, and each real folder is visited once (no loops). Unreadable entries are reported, not fatal.
 */
export class FileSystemWorkspace implements IWorkspace {
  readonly problems: WorkspaceProblem[] = [];
  private readonly ignored: (path: string) => boolean;
  private realRoot: string | undefined;
  /** Files of the last listing reached without a symbolic link: inside the root by construction. */
  private readonly listedDirectly = new Set<string>();

  constructor(
    readonly rootPath: string,
    ignore: readonly string[] = [],
  ) {
    this.ignored = ignoreMatcher(ignore);
  }

  async listFiles(token: CancellationToken): Promise<string[]> {
    this.problems.length = 0;
    this.realRoot = await fs.realpath(this.rootPath);
    this.listedDirectly.clear();
    const files: string[] = [];
    const visited = new Set<string>([this.realRoot]);
    let listed = 0;
    // `real` is the folder's real path: derived from its parent's without a system call, except
    // after a symbolic link. Visiting each real folder once is what stops link loops.
    const walk = async (dir: string, real: string, throughLink: boolean): Promise<void> => {
      if (token.isCancellationRequested) throw new CancelledError();
      let entries: Dirent[];
      try {
        // Synchronous, with a pause every 100 folders for the host's other work: a folder's listing
        // costs tens of microseconds, and its promise several times that (10,000 pages: 0.2 s → 0.05 s).
        if (++listed % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        entries = this.readFolder(dir, real);
      } catch (error) {
        this.problems.push({ path: dir || '.', message: (error as Error).message });
        return;
      }
      for (const entry of entries) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isSymbolicLink()) {
          const target = await this.insideTarget(path);
          if (!target) {
            this.problems.push({ path, message: 'symbolic link that leads outside the workspace or nowhere: not followed' });
          } else if (target.isFile) files.push(path);
          else if (!target.isDirectory) this.problems.push({ path, message: notRegular });
          else if (!visited.has(target.real)) {
            visited.add(target.real);
            await walk(path, target.real, true);
          }
        } else if (entry.isDirectory()) {
          const childReal = nodePath.join(real, entry.name);
          if (visited.has(childReal)) continue;
          visited.add(childReal);
          await walk(path, childReal, throughLink);
        } else if (entry.isFile()) {
          files.push(path);
          if (!throughLink) this.listedDirectly.add(path);
        } else this.problems.push({ path, message: notRegular });
      }
    };
    await walk('', this.realRoot, false);
    return files;
  }

  private async insideTarget(path: string): Promise<{ real: string; isDirectory: boolean; isFile: boolean } | undefined> {
    try {
      const real = await fs.realpath(nodePath.join(this.rootPath, path));
      if (!isInside(this.realRoot!, real)) return undefined;
      const stat = await fs.stat(real);
      return { real, isDirectory: stat.isDirectory(), isFile: stat.isFile() };
    } catch {
      return undefined;
    }
  }

  async readFile(path: string): Promise<string> {
    const bytes = await this.readBytes(path);
    const text = decodePage(path, bytes);
    if (!isUtf8(bytes)) this.problems.push({ path, message: `${path}: not valid UTF-8: checked with U+FFFD in place of the bad bytes, never rewritten by a fix` });
    return text;
  }

  /** The real path of a workspace file, checked to be inside the root (symbolic links resolved). */
  async readablePath(path: string): Promise<string> {
    return this.insidePath(path);
  }

  /** The real path of the root (once a file's real path was asked for). */
  get realRootPath(): string | undefined {
    return this.realRoot;
  }

  /** The bytes of a workspace file, read as `readInside` does. */
  async readBytes(path: string): Promise<Buffer> {
    const file = await this.readablePath(path);
    return readInside(this.realRoot!, file);
  }

  /**
   * The size, times and inode of a page, to tell whether it changed since it was last read without
   * reading it; undefined when it cannot be stat'ed (the page is then read, and fails there with its reason).
   */
  async stamp(path: string): Promise<FileStamp | undefined> {
    try {
      const real = await this.insidePath(path);
      const takenAt = Date.now();
      // Synchronous: one stat is a few microseconds, and the promise of an asynchronous one costs
      // several times that (a warm run stats every page and reads almost none).
      const stat = statSync(real);
      return stat.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, takenAt } : undefined;
    } catch {
      return undefined;
    }
  }

  /** `readablePath` as this class does it, whatever a subclass adds to it. */
  private async insidePath(path: string): Promise<string> {
    // A file the listing reached without a symbolic link is inside by construction: no system call, no check.
    if (this.realRoot !== undefined && this.listedDirectly.has(path)) return nodePath.join(this.realRoot, path);
    const absolute = this.absolutePath(path);
    this.realRoot ??= await fs.realpath(this.rootPath);
    const real = await fs.realpath(absolute);
    if (!isInside(this.realRoot, real)) throw new Error(`${path}: leads outside the workspace`);
    return real;
  }

  /**
   * One folder's entries as `listFiles` lists them (ignored paths left out, sorted the same way), for
   * a tree that lists folders as look-ups need them. Throws on what only the whole walk can judge —
   * a symbolic link (followed only inside the root, each real folder once) or an entry that is
   * neither a file nor a folder — and when the folder cannot be read: the caller then lists everything.
   */
  listFolder(dir: string): FolderEntry[] {
    this.lazyRoot ??= realpathSync(this.rootPath);
    const listed: FolderEntry[] = [];
    for (const entry of this.readFolder(dir, dir ? nodePath.join(this.lazyRoot, ...dir.split('/')) : this.lazyRoot)) {
      if (entry.isDirectory() || entry.isFile()) listed.push({ name: entry.name, isDirectory: entry.isDirectory() });
      else throw new Error(`${dir || '.'}: ${entry.name} needs the whole listing (a symbolic link or a special file)`);
    }
    return listed;
  }

  private lazyRoot: string | undefined;

  /** The entries of folder `dir` (at real path `real`) that are not ignored, sorted by name: one order for every listing. */
  private readFolder(dir: string, real: string): Dirent[] {
    return readdirSync(real, { withFileTypes: true })
      .filter((entry) => !this.ignored(dir ? `${dir}/${entry.name}` : entry.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The absolute path of a workspace file; refuses paths that climb out of the root. */
  absolutePath(path: string): string {
    const absolute = nodePath.resolve(this.rootPath, path);
    if (!isInside(nodePath.resolve(this.rootPath), absolute)) throw new Error(`${path}: outside the workspace`);
    return absolute;
  }
}

/** A FIFO, socket or device is never listed: reading a FIFO named `x.md` would wait forever. */
const notRegular = 'not a regular file (a FIFO, a socket or a device): not read';

/**
 * Pages larger than this are kept as files (links to them stay valid) but not parsed: remark reads
 * about 1 MB a second, and a 20 MB page would hold the CLI for minutes. The language server uses
 * this limit too (lsp/diskWorkspace.ts, lsp/folders.ts).
 */
export const maxPageBytes = 4 * 1024 * 1024;

/** A page's text from its bytes: binary and too large files are refused, invalid UTF-8 is replaced (U+FFFD), not fatal. */
export function decodePage(path: string, bytes: Uint8Array): string {
  if (bytes.length > maxPageBytes) throw new Error(`${path}: ${bytes.length} bytes, more than ${maxPageBytes}: kept as a file, not indexed`);
  if (bytes.subarray(0, 8000).includes(0)) throw new Error(`${path}: binary file, not Markdown`);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export function isInside(root: string, path: string): boolean {
  const relative = nodePath.relative(root, path);
  const climbs = relative === '..' || relative.startsWith(`..${nodePath.sep}`);
  return !climbs && !nodePath.isAbsolute(relative);
}

/**
 * Reads the file at real path `file`, found inside the real folder `root`, without following a
 * symbolic link put in place of it or of one of its folders since: the file is opened with O_NOFOLLOW
 * and, where the system tells what an open file is (Linux: /proc/self/fd), refused unless that is
 * inside the root. Only then is it read, from the same descriptor.
 */
export function readInside(root: string, file: string): Buffer {
  // O_NONBLOCK: a FIFO put in its place would make the open wait for a writer, forever.
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    let opened: string | undefined;
    try {
      opened = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      opened = undefined;
    }
    if (opened !== undefined && !isInside(root, opened)) throw new Error(`${file}: leads outside the workspace`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A workspace held in memory: for tests and for hosts that already have the text. */
export class MemoryWorkspace implements IWorkspace {
  readonly files: Map<string, string>;

  constructor(
    files: Record<string, string> | Map<string, string>,
    readonly rootPath = '/workspace',
  ) {
    this.files = files instanceof Map ? files : new Map(Object.entries(files));
  }

  async listFiles(): Promise<string[]> {
    return [...this.files.keys()].sort();
  }

  async readFile(path: string): Promise<string> {
    const text = this.files.get(path);
    if (text === undefined) throw new Error(`${path}: no such file`);
    return text;
  }
}
