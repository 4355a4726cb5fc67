import type { KnowledgeBase } from './knowledgeBase';
import { isMarkdownPath } from './paths';
import { stripBom } from './parse';
import { CancelledError, type CancellationToken, type PageFacts } from './types';
import type { IWorkspace, WorkspaceProblem } from './workspace';

export interface LoadOptions {
  token: CancellationToken;
  /** Called after each page, for progress reports. */
  progress?: (done: number, total: number) => void;
  /** Parses elsewhere (a worker pool, a cache) instead of on this thread. */
  parse?: (path: string, text: string) => Promise<PageFacts | string>;
  /** Pages read at once: bounded, so that a large workspace never exhausts file handles. */
  concurrency?: number;
}

/**
 * Indexes a whole workspace into `kb`: every file name, every page's facts, then one commit.
 * Unreadable pages are kept as files (links to them stay valid) and returned as problems.
 */
export async function loadWorkspace(kb: KnowledgeBase, workspace: IWorkspace, options: LoadOptions): Promise<WorkspaceProblem[]> {
  const { token } = options;
  const problems: WorkspaceProblem[] = [];
  const files = await workspace.listFiles(token);
  const pages = files.filter((f) => isMarkdownPath(f));
  for (const file of files) kb.addFile(file);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < pages.length) {
      if (token.isCancellationRequested) throw new CancelledError();
      const path = pages[next++];
      try {
        const text = stripBom(await workspace.readFile(path));
        kb.setPage(path, options.parse ? await options.parse(path, text) : text);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        problems.push({ path, message: (error as Error).message });
      }
      options.progress?.(++done, pages.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 64, pages.length || 1) }, worker));
  if (token.isCancellationRequested) throw new CancelledError();
  kb.commit();
  return problems;
}
