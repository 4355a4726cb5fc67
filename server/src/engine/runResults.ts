import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { isUtf8 } from 'node:buffer';
import type { EngineSettings } from './config';
import { FACTS_VERSION, removeOtherVersions, sameStamp, stampNumbers, stampOf, type FactsCache, type StampNumbers } from './factsCache';
import { jsonArrayPieces } from './jsonPieces';
import type { Inputs, KnowledgeBase } from './knowledgeBase';
import { hashText, stripBom } from './parse';
import { isMarkdownPath } from './paths';
import { readResolutions, storeResolutions, type StoredResolutions } from './storedResolutions';
import type { KbDiagnostic, PageFacts } from './types';
import { decodePage, type FileSystemWorkspace } from './workspace';

/*
 * The results of a run, kept next to the facts cache with what they were found in (every file's path
 * and text hash): a run of the CLI on a workspace where nothing changed (same files, same text in
 * every page, same settings, same engine) prints them without indexing; a run after a few changes,
 * or the language server's index of a workspace it indexed before, replays them and checks again
 * only what the changes affect. Keyed by the hash of all of that, so never used for anything else;
 * checked, safe to delete.
 */

const resultsFile = (dir: string) => nodePath.join(dir, `results-v${FACTS_VERSION}.json`);

/** The build of the engine that runs (this bundle): other code may find other problems. */
let engineBuild: string | undefined;

/** Pages an unchanged run reads at most, whose stamp does not tell (see `unchangedResults`), before it gives up. */
const unstampedReads = 100;

/**
 * The results of the run before, when the files are those of then and every page's text is that of
 * then, and the key made of them matches. A page whose stamp is the one recorded then is not read; one
 * stamped otherwise, or not stamped then (its text changed within a few seconds of being read), is
 * read and its text hashed, up to `unstampedReads` pages (a page saved just before a run is common).
 * Does not open the facts cache.
 */
export async function unchangedResults(kb: KnowledgeBase, workspace: FileSystemWorkspace, files: string[], stored: Results) {
  if (!stored.stamps || stored.inputs.length !== files.length) return undefined;
  let reads = 0;
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
    const stamp = recorded ? await workspace.stamp(path) : undefined;
    if (recorded && stamp && sameStamp(stamp, stampOf(recorded))) continue;
    if (++reads > unstampedReads || !(await sameText(workspace, path, hash))) return undefined;
  }
  return resultsKey(kb.rootPath, kb.settings, stored.inputs) === stored.key ? stored : undefined;
}

/**
 * Whether the page at `path` has the text of hash `hash`. Read as bytes: a page that is not UTF-8 (or
 * not readable) is left to the indexing run, which reports it.
 */
async function sameText(workspace: FileSystemWorkspace, path: string, hash: string): Promise<boolean> {
  try {
    const bytes = await workspace.readBytes(path);
    return isUtf8(bytes) && hashText(stripBom(decodePage(path, bytes))) === hash;
  } catch {
    return false;
  }
}

/** What the diagnostics of a workspace whose every file is staged in `kb` are a function of, and its key. */
export interface RunInputs {
  inputs: Inputs;
  key: string;
}

/** The inputs of the run whose every file is staged in `kb` (`loadWorkspace` with `stageOnly`). */
export function runInputs(kb: KnowledgeBase): RunInputs | undefined {
  const inputs = kb.stagedInputs();
  const key = inputs && resultsKey(kb.rootPath, kb.settings, inputs);
  return key ? { inputs: inputs!, key } : undefined;
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

/** The run whose results are `stored`: every file of then with its facts if it was a page. */
export interface EarlierRun {
  stored: Results;
  files: Map<string, PageFacts | undefined>;
}

/**
 * The run whose results are `stored`, for `replayEarlierRun`: only when the stored results are those
 * of this engine, settings and root for the inputs stored with them (their key says so), the facts of
 * every page of then are still in the cache, and few files changed since (none is fine). Before the
 * cache is saved: a save keeps only the facts of now.
 */
export function earlierRun(kb: KnowledgeBase, stored: Results, inputs: Inputs, cache: FactsCache): EarlierRun | undefined {
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
  return { stored, files: earlier };
}

/**
 * Indexes the earlier run into `kb`, with its diagnostics and its links' resolutions as they were
 * then (`kb.replay`): committing what is staged then checks only what changed since.
 */
export function replayEarlierRun(kb: KnowledgeBase, { stored, files }: EarlierRun): void {
  kb.replay(files, stored.diagnostics, readResolutions(stored.resolutions, stored.inputs));
}

/**
 * The results of the run on `now` that `kb` holds committed, to write: undefined when those kept
 * (`known`, for the same inputs) are these, each page's stamp included. A page's stamp is the one the
 * cache recorded (none when it was racy): next time, unchanged stamps are unchanged inputs.
 */
export function resultsToKeep(kb: KnowledgeBase, now: RunInputs, cache: FactsCache, known?: Results): Results | undefined {
  const stamps = now.inputs.map(([path, hash]): StoredStamp => {
    const stamp = hash ? cache.recordedStamp(path, hash) : undefined;
    return stamp ? stampNumbers(stamp) : 0;
  });
  if (known && sameStamps(known.stamps, stamps)) return undefined;
  return {
    key: now.key,
    inputs: now.inputs,
    stamps,
    filesChecked: known ? known.filesChecked : kb.pagePaths().length,
    diagnostics: known ? known.diagnostics : kb.allDiagnostics(),
    resolutions: known ? known.resolutions : storeResolutions(now.inputs, (path) => kb.page(path)?.resolutions),
  };
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

export type Results = Omit<StoredResults, 'diagnostics'> & { diagnostics: Map<string, KbDiagnostic[]> };

/** The results of the last run, whatever it was run on (see `key`); undefined if none or damaged. */
export async function readResults(dir: string): Promise<Results | undefined> {
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
export async function writeResults(dir: string, stored: Results): Promise<void> {
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
