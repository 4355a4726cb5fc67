import type { FactsCache } from './factsCache';
import type { KnowledgeBase } from './knowledgeBase';
import { hashText, stripBom } from './parse';
import type { ParsePool } from './parsePool';
import { isMarkdownPath } from './paths';
import { CancelledError, type CancellationToken } from './types';
import { FileSystemWorkspace, type IWorkspace, type WorkspaceProblem } from './workspace';

export interface LoadOptions {
  token: CancellationToken;
  /** Called after each page, for progress reports. */
  progress?: (done: number, total: number) => void;
  /** Facts of earlier runs, by text hash: a page found there is not parsed again (nor read, when its stamp is unchanged). */
  cache?: FactsCache;
  /** Makes a pool of parse workers for this many pages (file-system workspaces only); disposed at the end. */
  createPool?: (pages: number) => ParsePool | undefined;
  /** Pages read at once: bounded, so that a large workspace never exhausts file handles. */
  concurrency?: number;
}

/**
 * Indexes a whole workspace into `kb`: every file name, every page's facts, then one commit.
 * Unreadable pages are kept as files (links to them stay valid) and returned as problems.
 */
export async function loadWorkspace(kb: KnowledgeBase, workspace: IWorkspace, options: LoadOptions): Promise<WorkspaceProblem[]> {
  const { token, cache } = options;
  const problems: WorkspaceProblem[] = [];
  const files = await workspace.listFiles(token);
  const pages = files.filter((f) => isMarkdownPath(f));
  for (const file of files) kb.addFile(file);
  const onDisk = workspace instanceof FileSystemWorkspace ? workspace : undefined;
  let next = 0;
  let done = 0;
  const readCache = cache && cache.size > 0;
  // With a warm cache most pages are not parsed: workers start only at the first page that is.
  let pool = onDisk && !readCache ? options.createPool?.(pages.length) : undefined;
  let poolTried = !!pool || !onDisk;
  const parser = () => {
    if (!poolTried) {
      poolTried = true;
      pool = options.createPool?.(pages.length - done);
    }
    return pool;
  };

  const index = async (path: string): Promise<void> => {
    // A page whose size, times and inode are those recorded when it was last read is not read again.
    const stamp = cache && onDisk ? await onDisk.stamp(path) : undefined;
    const known = stamp && cache!.unchanged(path, stamp);
    if (known) {
      kb.setPage(path, known);
      return;
    }
    // Stamps only of valid UTF-8 pages: reading the others is what reports them.
    const remember = (hash: string, utf8: boolean) => {
      if (stamp && utf8) cache!.stamp(path, stamp, hash);
    };
    if (pool && onDisk && !readCache) {
      const { facts, utf8 } = await pool.parse(path, await onDisk.readablePath(path));
      kb.setPage(path, facts);
      remember(facts.hash, utf8);
      return;
    }
    const text = stripBom(await workspace.readFile(path));
    const hash = hashText(text);
    const cached = cache?.get(hash);
    const workers = cached ? undefined : parser();
    if (cached) kb.setPage(path, cached);
    else if (workers && onDisk) {
      const { facts, utf8 } = await workers.parse(path, await onDisk.readablePath(path));
      kb.setPage(path, facts);
      remember(facts.hash, utf8);
      return;
    } else kb.setPage(path, text);
    remember(hash, !text.includes('\uFFFD'));
  };

  const worker = async (): Promise<void> => {
    while (next < pages.length) {
      if (token.isCancellationRequested) throw new CancelledError();
      const path = pages[next++];
      try {
        await index(path);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        problems.push({ path, message: (error as Error).message });
      }
      options.progress?.(++done, pages.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 64, pages.length || 1) }, worker));
  } finally {
    await pool?.dispose();
  }
  if (token.isCancellationRequested) throw new CancelledError();
  kb.commit();
  return problems;
}
