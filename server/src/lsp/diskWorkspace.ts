/**
 * The workspace folder on disk as the server reads it: the engine's FileSystemWorkspace (symbolic
 * links followed only inside the root, binary files refused), plus what a long-running editor
 * process needs on top — a size limit, so that a 20 MB page cannot stall the server, a log line for
 * text that is not valid UTF-8, and a way to tell what a watched path is now.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { FileSystemWorkspace, ignoreMatcher, isInside, type IWorkspace, type WorkspaceProblem } from '../engine/workspace';
import type { CancellationToken } from '../engine/types';
import type { Logger } from './context';

/** Pages larger than this are kept as files (links to them stay valid) but not parsed. */
export const maxPageBytes = 4 * 1024 * 1024;

export type PathKind = 'file' | 'directory' | 'missing' | 'outside';

export class DiskWorkspace implements IWorkspace {
  private readonly files: FileSystemWorkspace;
  private readonly ignoredPath: (path: string) => boolean;
  private realRoot: string | undefined;

  constructor(
    readonly rootPath: string,
    ignore: readonly string[],
    private readonly log: Logger,
  ) {
    this.files = new FileSystemWorkspace(rootPath, ignore);
    this.ignoredPath = ignoreMatcher(ignore);
  }

  /** Folders that could not be listed, links not followed (filled by `listFiles`). */
  get problems(): WorkspaceProblem[] {
    return this.files.problems;
  }

  listFiles(token: CancellationToken): Promise<string[]> {
    return this.files.listFiles(token);
  }

  isIgnored(path: string): boolean {
    return this.ignoredPath(path);
  }

  private async real(path: string): Promise<string> {
    this.realRoot ??= await fs.realpath(this.rootPath);
    const real = await fs.realpath(this.files.absolutePath(path));
    if (!isInside(this.realRoot, real)) throw new Error(`${path}: leads outside the workspace`);
    return real;
  }

  /** Reads a page: refuses what leads outside the root, what is too large and what is binary. */
  async readFile(path: string): Promise<string> {
    const real = await this.real(path);
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw new Error(`${path}: not a file`);
    if (stat.size > maxPageBytes) throw new Error(`${path}: ${stat.size} bytes, more than ${maxPageBytes}: kept as a file, not indexed`);
    const text = await this.files.readFile(path);
    if (text.includes('\uFFFD')) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(await fs.readFile(real));
      } catch {
        this.log.warn(`${path}: not valid UTF-8; indexed with replacement characters`);
      }
    }
    return text;
  }

  /** What `path` is now: a file or folder inside the workspace, gone, or a symbolic link that leads out. */
  async kind(path: string): Promise<PathKind> {
    let real: string;
    try {
      real = await this.real(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'outside';
    }
    const stat = await fs.stat(real).catch(() => undefined);
    return !stat ? 'missing' : stat.isDirectory() ? 'directory' : 'file';
  }

  /** The absolute path of a workspace file (refuses paths that climb out of the root). */
  absolutePath(path: string): string {
    return this.files.absolutePath(path);
  }
}

/** The workspace-relative POSIX path of an absolute path, or undefined when it is not inside `root`. */
export function relativeTo(root: string, absolute: string): string | undefined {
  const relative = nodePath.relative(root, absolute);
  if (!relative || relative === '..' || relative.startsWith('..' + nodePath.sep) || nodePath.isAbsolute(relative)) return undefined;
  return relative.split(nodePath.sep).join('/');
}
