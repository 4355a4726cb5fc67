import type { EngineSettings } from './config';
import { FactsCache } from './factsCache';
import { KnowledgeBase } from './knowledgeBase';
import { loadWorkspace } from './load';
import { ParsePool } from './parsePool';
import { earlierRun, readResults, replayEarlierRun, resultsToKeep, runInputs, unchangedResults, writeResults } from './runResults';
import { settingsOf } from './settingsFile';
import { noCancellation, type KbDiagnostic, type Locale } from './types';
import { FileSystemWorkspace, type WorkspaceProblem } from './workspace';

export interface CheckResult {
  root: string;
  filesChecked: number;
  diagnostics: Map<string, KbDiagnostic[]>;
  /** Files that could not be read, folders that could not be listed, links not followed. */
  problems: WorkspaceProblem[];
  kb: KnowledgeBase;
}

export interface CheckOptions {
  /** The settings, when the caller has read them already (default: those of `.kbnav.json`, `settingsOf`). */
  settings?: EngineSettings;
  /** Folder of the persistent facts cache; false for none. */
  cacheDir?: string | false;
  /** Parse on worker threads when the workspace is large enough (default true). */
  workers?: boolean;
  /**
   * The caller reads `kb` (default true). When it does not, a run on a workspace where nothing
   * changed prints the results of the run before without loading any page's facts, and `kb` is
   * not available.
   */
  index?: boolean;
  /** Told when parse workers start and once they are done (see `LoadOptions`). */
  onWorkers?: (running: boolean) => void;
}

/** Indexes and checks a whole folder from disk: what `kbnav check` does. */
export async function checkWorkspace(root: string, locale: Locale, options: CheckOptions = {}): Promise<CheckResult> {
  const settings = options.settings ?? settingsOf(root, locale).settings;
  const kb = new KnowledgeBase(root, settings);
  const workspace = new FileSystemWorkspace(root, settings.ignore);
  // Read once: reprinted if nothing changed, else replayed if a few pages did.
  const stored = options.cacheDir ? await readResults(options.cacheDir) : undefined;
  const files = stored && options.index === false ? await workspace.listFiles(noCancellation) : undefined;
  if (files) {
    const unchanged = await unchangedResults(kb, workspace, files, stored!);
    if (unchanged) {
      return {
        root,
        ...unchanged,
        problems: [...workspace.problems],
        get kb(): KnowledgeBase {
          throw new Error('checkWorkspace: the index was not loaded (index: false)');
        },
      };
    }
  }
  const cache = options.cacheDir ? await FactsCache.open(options.cacheDir, settings.markers) : undefined;
  const problems = await loadWorkspace(kb, workspace, {
    token: noCancellation,
    cache,
    createPool: options.workers === false ? undefined : (pages, size) => ParsePool.create(pages, settings.markers, { size }),
    onWorkers: options.onWorkers,
    stageOnly: true,
    files,
  });
  const live = kb.stagedFacts();
  const now = cache ? runInputs(kb) : undefined;
  const known = now && stored?.key === now.key ? stored : undefined;
  // A few pages changed since the last run: only what they affect is checked again. The facts of then are
  // taken from the cache before it is saved, and indexed after: the file read is let go of first (at
  // 10,000 notes 12 MB of numbers and the string table, which the save copies unchanged pages from).
  const earlier = now && stored && !known ? earlierRun(kb, stored, now.inputs, cache!) : undefined;
  await cache?.save(live);
  if (earlier) replayEarlierRun(kb, earlier);
  if (!known) kb.commit();
  const kept = now && resultsToKeep(kb, now, cache!, known);
  if (kept) await writeResults(options.cacheDir as string, kept);
  return {
    root,
    filesChecked: known?.filesChecked ?? kept?.filesChecked ?? kb.pagePaths().length,
    diagnostics: known?.diagnostics ?? kept?.diagnostics ?? kb.allDiagnostics(),
    problems: [...workspace.problems, ...problems],
    // Indexed only when asked for (by `--fix`) when the results were those of an earlier run.
    get kb() {
      if (kb.hasStagedChanges) kb.commit();
      return kb;
    },
  };
}

