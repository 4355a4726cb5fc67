import type { FactsCache, FileStamp } from './factsCache';
import type { KnowledgeBase } from './knowledgeBase';
import { hashText, parsePage, stripBom } from './parse';
import { isLongPage, type ParsePool } from './parsePool';
import { isMarkdownPath } from './paths';
import { CancelledError, type CancellationToken } from './types';
import { FileSystemWorkspace, decodePage, type IWorkspace, type WorkspaceProblem } from './workspace';

export interface LoadOptions {
  token: CancellationToken;
  /** Called after each page, for progress reports. */
  progress?: (done: number, total: number) => void;
  /** Facts of earlier runs, by text hash: a page found there is not parsed again (nor read, when its stamp is unchanged). */
  cache?: FactsCache;
  /**
   * Makes a pool of parse workers for this many pages (file-system workspaces only), of `size` workers when
   * given (see `PoolOptions.size`); disposed at the end.
   */
  createPool?: (pages: number, size?: number) => ParsePool | undefined;
  /**
   * Told when parse workers start (true) and once they are done (false): a host may tune the process
   * differently while they run (its heap growth: see heapGrowth.ts).
   */
  onWorkers?: (running: boolean) => void;
  /** Pages read at once: bounded, so that a large workspace never exhausts file handles. */
  concurrency?: number;
  /** Leave the changes staged, for the caller to commit (default: commit them). */
  stageOnly?: boolean;
  /** The workspace's files, when the caller has just listed them. */
  files?: string[];
}

/**
 * Indexes a whole workspace into `kb`: every file name, every page's facts, then one commit (unless `stageOnly`).
 * Unreadable pages are kept as files (links to them stay valid) and returned as problems.
 */
export async function loadWorkspace(kb: KnowledgeBase, workspace: IWorkspace, options: LoadOptions): Promise<WorkspaceProblem[]> {
  const { token, cache } = options;
  const problems: WorkspaceProblem[] = [];
  const files = options.files ?? (await workspace.listFiles(token));
  const pages = files.filter((f) => isMarkdownPath(f));
  for (const file of files) kb.addFile(file);
  const onDisk = workspace instanceof FileSystemWorkspace ? workspace : undefined;
  let done = 0;
  const progress = () => options.progress?.(++done, pages.length);
  // Cold (no cache), every page is parsed: on workers from the start, which read the pages themselves.
  let workersRan = false;
  const createPool = (count: number, size?: number): ParsePool | undefined => {
    const made = options.createPool?.(count, size);
    if (made && !workersRan) options.onWorkers?.((workersRan = true));
    return made;
  };
  const coldPool = onDisk && !(cache && cache.size > 0) ? createPool(pages.length) : undefined;
  const stamps = new Map<string, FileStamp>();
  /**
   * Pages the cache did not know, parsed in a second pass: on workers only if there are enough of
   * them. Their text is kept for the main thread, up to a bound: past it, a page is read again.
   */
  const unknown: { path: string; text?: string }[] = [];

  // Stamps are recorded only for valid UTF-8 pages: reading the others is what reports them.
  const remember = (path: string, hash: string, utf8: boolean) => {
    const stamp = stamps.get(path);
    if (stamp && utf8) cache!.stamp(path, stamp, hash);
  };

  const fromCache = async (path: string): Promise<void> => {
    // A page whose size, times and inode are those recorded when it was last read is not read again.
    const stamp = cache && onDisk ? await onDisk.stamp(path) : undefined;
    if (stamp) stamps.set(path, stamp);
    const known = stamp && cache!.unchanged(path, stamp);
    if (known) {
      kb.setPage(path, known);
    } else if (coldPool) {
      const { facts, utf8 } = await coldPool.parse(path, await onDisk!.readablePath(path), onDisk!.realRootPath!);
      kb.setPage(path, facts);
      remember(path, facts.hash, utf8);
    } else {
      const text = stripBom(await workspace.readFile(path));
      const hash = hashText(text);
      const cached = cache?.get(hash);
      if (cached) kb.setPage(path, cached);
      else if (onDisk && options.createPool) return void unknown.push({ path, text: unknown.length < 1000 ? text : undefined });
      else kb.setPage(path, parsePage(text, kb.markers, hash));
      remember(path, hash, !text.includes('\uFFFD'));
    }
    progress();
  };

  let pool: ParsePool | undefined;
  /** Where no pool parses the pages (too few of them), a worker for the long ones. */
  let longPool: ParsePool | undefined;
  const isLong = ({ text }: { text?: string }) => text !== undefined && isLongPage(text);
  const parse = async ({ path, text }: { path: string; text?: string }): Promise<void> => {
    const parser = pool ?? (isLong({ text }) ? longPool : undefined);
    if (parser) {
      const { facts, utf8 } = await parser.parse(path, await onDisk!.readablePath(path), onDisk!.realRootPath!);
      kb.setPage(path, facts);
      remember(path, facts.hash, utf8);
    } else {
      // Read again without `workspace.readFile`, which would report a page that is not UTF-8 a second time.
      text ??= stripBom(decodePage(path, await onDisk!.readBytes(path)));
      const facts = parsePage(text, kb.markers);
      kb.setPage(path, facts);
      remember(path, facts.hash, !text.includes('\uFFFD'));
    }
    progress();
  };

  try {
    await forEach(pages, fromCache, problems, token, options.concurrency);
    pool = unknown.length ? createPool(unknown.length) : undefined;
    longPool = !pool && unknown.some(isLong) ? createPool(1, 1) : undefined;
    // Workers read their pages themselves.
    if (pool) for (const page of unknown) page.text = undefined;
    await forEach(unknown, parse, problems, token, options.concurrency);
  } finally {
    await coldPool?.dispose();
    await pool?.dispose();
    await longPool?.dispose();
    if (workersRan) options.onWorkers?.(false);
  }
  if (token.isCancellationRequested) throw new CancelledError();
  if (!options.stageOnly) kb.commit();
  return problems;
}

/** Runs `task` on each page, a bounded number at once; a path that fails is a problem, not an error. */
async function forEach<T extends string | { path: string }>(items: T[], task: (item: T) => Promise<void>, problems: WorkspaceProblem[], token: CancellationToken, concurrency = 64): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (token.isCancellationRequested) throw new CancelledError();
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        problems.push({ path: typeof item === 'string' ? item : item.path, message: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length || 1) }, worker));
}
