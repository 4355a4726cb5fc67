import { randomBytes, createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { EngineSettings } from './config';
import { KnowledgeBase, type Inputs } from './knowledgeBase';
import { FACTS_VERSION, FactsCache, removeOtherVersions, sameStamp, stampNumbers, stampOf, type StampNumbers } from './factsCache';
import { jsonArrayPieces } from './jsonPieces';
import { loadWorkspace } from './load';
import { isMarkdownPath } from './paths';
import { ParsePool } from './parsePool';
import { settingsOf } from './settingsFile';
import { readResolutions, storeResolutions, type StoredResolutions } from './storedResolutions';
import { noCancellation, type KbDiagnostic, type Locale, type PageFacts } from './types';
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
  const inputs = options.cacheDir ? kb.stagedInputs() : undefined;
  const results = inputs && resultsKey(kb.rootPath, settings, inputs);
  const known = results && stored?.key === results ? stored : undefined;
  // A few pages changed since the last run: only what they affect is checked again. The facts of then are
  // taken from the cache before it is saved, and indexed after: the file read is let go of first (at
  // 10,000 notes 12 MB of numbers and the string table, which the save copies unchanged pages from).
  const earlier = results && stored && !known && cache ? earlierRun(kb, stored, inputs!, cache) : undefined;
  await cache?.save(live);
  if (earlier) kb.replay(earlier, stored!.diagnostics, readResolutions(stored!.resolutions, stored!.inputs));
  if (!known) kb.commit();
  const diagnostics = known ? known.diagnostics : kb.allDiagnostics();
  const filesChecked = known ? known.filesChecked : kb.pagePaths().length;
  if (results) {
    // Each page's stamp as the cache recorded it (none when it was racy): next time, unchanged stamps are unchanged inputs.
    const stamps = inputs!.map(([path, hash]): StoredStamp => {
      const stamp = hash ? cache!.recordedStamp(path, hash) : undefined;
      return stamp ? stampNumbers(stamp) : 0;
    });
    if (!known || !sameStamps(known.stamps, stamps)) {
      const resolutions = known ? known.resolutions : storeResolutions(inputs!, (path) => kb.page(path)?.resolutions);
      await writeResults(options.cacheDir as string, { key: results, inputs: inputs!, stamps, filesChecked, diagnostics, resolutions });
    }
  }
  return {
    root,
    filesChecked,
    diagnostics,
    problems: [...workspace.problems, ...problems],
    // Indexed only when asked for (by `--fix`) when the results were those of an earlier run.
    get kb() {
      if (kb.hasStagedChanges) kb.commit();
      return kb;
    },
  };
}

/*
 * The results of a run, kept next to the facts cache with what they were found in (every file's path
 * and text hash): a run on a workspace where nothing changed (same files, same text in every page,
 * same settings, same engine) prints them without indexing; a run after a few changes replays them
 * and checks again only what the changes affect. Keyed by the hash of all of that, so never used for
 * anything else; checked, safe to delete.
 */

const resultsFile = (dir: string) => nodePath.join(dir, `results-v${FACTS_VERSION}.json`);

/** The build of the engine that runs (this bundle): other code may find other problems. */
let engineBuild: string | undefined;

/**
 * The results of the run before, when the files are those of then and every page's stamp is the one
 * recorded then (so its text is that of then, without reading it), and the key made of them matches.
 * Neither reads a page nor opens the facts cache.
 */
async function unchangedResults(kb: KnowledgeBase, workspace: FileSystemWorkspace, files: string[], stored: Results) {
  if (!stored.stamps || stored.inputs.length !== files.length) return undefined;
  // In the order of `stagedInputs` (byPath: UTF-16 code units, as `sort` compares strings).
  const paths = [...files].sort();
  for (let i = 0; i < paths.length; i++) {
    const [path, hash] = stored.inputs[i];
    if (paths[i] !== path) return undefined;
    if (!hash) {
      if (isMarkdownPath(path)) return undefined;
      continue;
    }
    const recorded = stored.stamps[i];
    if (!recorded) return undefined;
    const stamp = await workspace.stamp(path);
    if (!stamp || !sameStamp(stamp, stampOf(recorded))) return undefined;
  }
  return resultsKey(kb.rootPath, kb.settings, stored.inputs) === stored.key ? stored : undefined;
}

function resultsKey(rootPath: string, settings: EngineSettings, inputs: Inputs): string | undefined {
  try {
    engineBuild ??= createHash('sha1').update(readFileSync(__filename)).digest('base64url');
  } catch {
    return undefined;
  }
  return createHash('sha1').update(JSON.stringify([engineBuild, FACTS_VERSION, rootPath, settings])).update('\n').update(JSON.stringify(inputs)).digest('base64url');
}

/** At most this share of a workspace's files changed: replaying the run before costs less than checking everything. */
const replayableShare = 0.1;

/**
 * The files of the run whose results are `stored`, with the facts of its pages, for `kb.replay` to
 * re-check only the pages the changes since then affect. Only when the stored results are those of
 * this engine, settings and root for the inputs stored with them (their key says so), the facts of
 * every page of then are still in the cache, and few files changed.
 */
function earlierRun(kb: KnowledgeBase, stored: Results, inputs: Inputs, cache: FactsCache): Map<string, PageFacts | undefined> | undefined {
  if (resultsKey(kb.rootPath, kb.settings, stored.inputs) !== stored.key) return undefined;
  const before = new Map(stored.inputs);
  const now = new Map(inputs);
  let changed = 0;
  for (const [path, hash] of inputs) if (before.get(path) !== hash) changed++;
  for (const [path] of stored.inputs) if (!now.has(path)) changed++;
  if (changed > replayableShare * Math.max(inputs.length, stored.inputs.length)) return undefined;
  const earlier = new Map<string, PageFacts | undefined>();
  for (const [path, hash] of stored.inputs) {
    const facts = hash ? cache.get(hash) : undefined;
    if (hash && !facts) return undefined;
    earlier.set(path, facts);
  }
  return earlier;
}

/** A page's stamp, or 0 for a file that is not a page or whose stamp was not recorded. */
type StoredStamp = StampNumbers | 0;

/** Whether the stamps kept with the results are `stamps` (numbers read back from JSON are the numbers written). */
function sameStamps(kept: StoredStamp[] | undefined, stamps: StoredStamp[]): boolean {
  if (kept?.length !== stamps.length) return false;
  return kept.every((a, i) => {
    const b = stamps[i];
    return a === 0 || b === 0 ? a === b : a.every((n, j) => n === b[j]);
  });
}

interface StoredResults {
  key: string;
  inputs: Inputs;
  /** Per input (absent in results written before stamps were kept). */
  stamps?: StoredStamp[];
  filesChecked: number;
  diagnostics: [string, KbDiagnostic[]][];
  /** Of every link (absent in results written before they were kept); checked when read (`readResolutions`). */
  resolutions?: StoredResolutions;
}

type Results = Omit<StoredResults, 'diagnostics'> & { diagnostics: Map<string, KbDiagnostic[]> };

/** The results of the last run, whatever it was run on (see `key`); undefined if none or damaged. */
async function readResults(dir: string): Promise<Results | undefined> {
  try {
    const stored = JSON.parse(await fs.readFile(resultsFile(dir), 'utf8')) as StoredResults;
    if (typeof stored?.key !== 'string' || !Number.isInteger(stored.filesChecked) || !Array.isArray(stored.diagnostics) || !Array.isArray(stored.inputs)) return undefined;
    if (!stored.inputs.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'string')) return undefined;
    if (!stored.diagnostics.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1]))) return undefined;
    const validStamp = (s: unknown) => s === 0 || (Array.isArray(s) && s.length === 4 && s.every((n) => typeof n === 'number'));
    if (stored.stamps !== undefined && !(Array.isArray(stored.stamps) && stored.stamps.length === stored.inputs.length && stored.stamps.every(validStamp))) return undefined;
    // Checked through when replayed (`readResolutions`); here only that they are what was written.
    if (stored.resolutions !== undefined && !(Array.isArray(stored.resolutions?.table) && Array.isArray(stored.resolutions.pages))) delete stored.resolutions;
    return { ...stored, diagnostics: new Map(stored.diagnostics) };
  } catch {
    return undefined;
  }
}

/** Written in pieces: the results of 50,000 pages are 13 MB of JSON, and that string with its bytes was the peak of a run. */
async function writeResults(dir: string, stored: Results): Promise<void> {
  const temporary = `${resultsFile(dir)}.${randomBytes(4).toString('hex')}.tmp`;
  let handle: fs.FileHandle | undefined;
  try {
    await fs.mkdir(dir, { recursive: true });
    handle = await fs.open(temporary, 'w');
    for (const piece of resultsJson(stored)) await handle.write(piece);
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, resultsFile(dir));
    await removeOtherVersions(dir);
  } catch {
    await handle?.close().catch(() => undefined);
    await fs.rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** The JSON of `StoredResults`, in pieces of a bounded size. */
export function* resultsJson({ key, inputs, stamps, filesChecked, diagnostics, resolutions }: Results): Generator<string> {
  yield `{"key":${JSON.stringify(key)},"filesChecked":${filesChecked},"inputs":`;
  yield* jsonArrayPieces(inputs);
  if (stamps) {
    yield ',"stamps":';
    yield* jsonArrayPieces(stamps);
  }
  yield ',"diagnostics":';
  yield* jsonArrayPieces(diagnostics);
  if (resolutions) {
    yield ',"resolutions":{"table":';
    yield* jsonArrayPieces(resolutions.table);
    yield ',"pages":';
    yield* jsonArrayPieces(resolutions.pages);
    yield '}';
  }
  yield '}';
}
