/**
 * The workspace folder on disk as the server reads it: the engine's FileSystemWorkspace (symbolic
 * links followed only inside the root, binary files refused), plus what a long-running editor
 * process needs on top — a size limit, so that a 20 MB page cannot stall the server, a log line for
 * text that is not valid UTF-8, and a way to tell what a watched path is now.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import type { CancellationToken } from '../engine/types';
import { FileSystemWorkspace, decodePage, ignoreMatcher, maxPageBytes, readInside } from '../engine/workspace';
import type { Logger } from './context';

export type PathKind = 'file' | 'directory' | 'missing' | 'outside';

/**
 * A FileSystemWorkspace, so that indexing can hand pages to the engine's parse workers, with the
 * checks run before any page is parsed, on this thread or on a worker: inside the root, a regular
 * file, not too large, not binary; text that is not valid UTF-8 gets a log line. Reading the bytes
 * and decoding them is cheap next to parsing them.
 */
export class DiskWorkspace extends FileSystemWorkspace {
  private readonly ignoredPath: (path: string) => boolean;

  constructor(
    rootPath: string,
    ignore: readonly string[],
    private readonly log: Logger,
  ) {
    super(rootPath, ignore);
    this.ignoredPath = ignoreMatcher(ignore);
  }

  isIgnored(path: string): boolean {
    return this.ignoredPath(path);
  }

  /** A listing taken ahead of the index, which its own `listFiles` gets instead of walking the folder again. */
  private listedAhead: string[] | undefined;

  /**
   * Lists the files before the index starts, for a first look at the open pages (folders.ts); the
   * next `listFiles` answers with this same list: walking 50,000 files takes most of a second.
   */
  async listFilesAhead(token: CancellationToken): Promise<string[]> {
    this.listedAhead = await super.listFiles(token);
    return this.listedAhead;
  }

  override async listFiles(token: CancellationToken): Promise<string[]> {
    const ahead = this.listedAhead;
    this.listedAhead = undefined;
    return ahead ?? super.listFiles(token);
  }

  /** The real path of a page fit to be parsed (see the class comment); throws with the reason otherwise. */
  override async readablePath(path: string): Promise<string> {
    const real = await super.readablePath(path);
    await this.checkedBytes(path, real);
    return real;
  }

  override async readFile(path: string): Promise<string> {
    return decodePage(path, await this.checkedBytes(path, await super.readablePath(path)));
  }

  private async checkedBytes(path: string, real: string): Promise<Buffer> {
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw new Error(`${path}: not a file`);
    if (stat.size > maxPageBytes) throw new Error(`${path}: ${stat.size} bytes, more than ${maxPageBytes}: kept as a file, not indexed`);
    const bytes = readInside(this.realRootPath!, real);
    if (bytes.subarray(0, 8000).includes(0)) throw new Error(`${path}: binary file, not Markdown`);
    if (!isUtf8(bytes)) this.log.warn(`${path}: not valid UTF-8; indexed with replacement characters`);
    return bytes;
  }

  /** What `path` is now: a file or folder inside the workspace, gone, or a symbolic link that leads out. */
  async kind(path: string): Promise<PathKind> {
    let real: string;
    try {
      real = await super.readablePath(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'outside';
    }
    const stat = await fs.stat(real).catch(() => undefined);
    return !stat ? 'missing' : stat.isDirectory() ? 'directory' : 'file';
  }
}

/** The workspace-relative POSIX path of an absolute path, or undefined when it is not inside `root`. */
export function relativeTo(root: string, absolute: string): string | undefined {
  const relative = nodePath.relative(root, absolute);
  if (!relative || relative === '..' || relative.startsWith('..' + nodePath.sep) || nodePath.isAbsolute(relative)) return undefined;
  return relative.split(nodePath.sep).join('/');
}
