import { randomBytes, createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { validateSettings, type EngineSettings } from './config';
import { KnowledgeBase } from './knowledgeBase';
import { FACTS_VERSION, FactsCache, removeOtherVersions } from './factsCache';
import { loadWorkspace } from './load';
import { isMarkdownPath } from './paths';
import { ParsePool } from './parsePool';
import { noCancellation, type KbDiagnostic, type Locale } from './types';
import { FileSystemWorkspace, type WorkspaceProblem } from './workspace';

export interface CheckResult {
  root: string;
  filesChecked: number;
  diagnostics: Map<string, KbDiagnostic[]>;
  /** Files that could not be read, folders that could not be listed, links not followed. */
  problems: WorkspaceProblem[];
  /** Settings problems (`.kbnav.json`). */
  settingsProblems: string[];
  kb: KnowledgeBase;
}

/** The optional settings file at the root of a knowledge base, same keys as the `kbnav.*` settings. */
export const settingsFileName = '.kbnav.json';

export function readSettingsFile(root: string, locale: Locale): { settings: EngineSettings; problems: string[] } {
  const file = nodePath.join(root, settingsFileName);
  if (!existsSync(file)) return validateSettings(undefined, locale);
  try {
    return validateSettings(JSON.parse(readFileSync(file, 'utf8')), locale);
  } catch (error) {
    const { settings } = validateSettings(undefined, locale);
    return { settings, problems: [`${settingsFileName}: ${(error as Error).message}`] };
  }
}

export interface CheckOptions {
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
}

/** Indexes and checks a whole folder from disk: what `kbnav check` does. */
export async function checkWorkspace(root: string, locale: Locale, options: CheckOptions = {}): Promise<CheckResult> {
  const { settings, problems: settingsProblems } = readSettingsFile(root, locale);
  const kb = new KnowledgeBase(root, settings);
  const workspace = new FileSystemWorkspace(root, settings.ignore);
  const cache = options.cacheDir ? await FactsCache.open(options.cacheDir, settings.markers) : undefined;
  const files = cache && options.index === false ? await workspace.listFiles(noCancellation) : undefined;
  if (files) {
    const unchanged = await unchangedResults(kb, workspace, files, cache!, options.cacheDir as string);
    if (unchanged) {
      return {
        root,
        ...unchanged,
        problems: [...workspace.problems],
        settingsProblems,
        get kb(): KnowledgeBase {
          throw new Error('checkWorkspace: the index was not loaded (index: false)');
        },
      };
    }
  }
  const problems = await loadWorkspace(kb, workspace, {
    token: noCancellation,
    cache,
    createPool: options.workers === false ? undefined : (pages) => ParsePool.create(pages, settings.markers),
    stageOnly: true,
    files,
  });
  await cache?.save(kb.stagedFacts());
  const results = options.cacheDir ? resultsKey(kb.rootPath, settings, kb.stagedInputs()) : undefined;
  const known = results && (await readResults(options.cacheDir as string, results));
  if (!known) kb.commit();
  const diagnostics = known ? known.diagnostics : kb.allDiagnostics();
  const filesChecked = known ? known.filesChecked : kb.pagePaths().length;
  if (results && !known) await writeResults(options.cacheDir as string, results, filesChecked, diagnostics);
  return {
    root,
    filesChecked,
    diagnostics,
    problems: [...workspace.problems, ...problems],
    settingsProblems,
    // Indexed only when asked for (by `--fix`) when the results were those of an earlier run.
    get kb() {
      if (kb.hasStagedChanges) kb.commit();
      return kb;
    },
  };
}

/*
 * The results of a run, kept next to the facts cache: a run on a workspace where nothing changed
 * (same files, same text in every page, same settings, same engine) prints them without indexing.
 * Keyed by the hash of all of that, so never used for anything else; checked, safe to delete.
 */

const resultsFile = (dir: string) => nodePath.join(dir, `results-v${FACTS_VERSION}.json`);

/** The build of the engine that runs (this bundle): other code may find other problems. */
let engineBuild: string | undefined;

/**
 * The results of the run before, when every page's stamp is the one recorded then (so its text hash
 * is known without reading it) and the key made of them matches. Decodes no facts.
 */
async function unchangedResults(kb: KnowledgeBase, workspace: FileSystemWorkspace, files: string[], cache: FactsCache, dir: string) {
  const lines: string[] = [];
  for (const path of files) {
    let hash = '';
    if (isMarkdownPath(path)) {
      const stamp = await workspace.stamp(path);
      hash = (stamp && cache.unchangedHash(path, stamp)) ?? '';
      if (!hash) return undefined;
    }
    lines.push(`${path}\t${hash}`);
  }
  // As `stagedInputs` writes them.
  const key = resultsKey(kb.rootPath, kb.settings, lines.sort().join('\n'));
  return key ? readResults(dir, key) : undefined;
}

function resultsKey(rootPath: string, settings: EngineSettings, inputs: string | undefined): string | undefined {
  if (inputs === undefined) return undefined;
  try {
    engineBuild ??= createHash('sha1').update(readFileSync(__filename)).digest('base64url');
  } catch {
    return undefined;
  }
  return createHash('sha1').update(JSON.stringify([engineBuild, FACTS_VERSION, rootPath, settings])).update('\n').update(inputs).digest('base64url');
}

interface StoredResults {
  key: string;
  filesChecked: number;
  diagnostics: [string, KbDiagnostic[]][];
}

async function readResults(dir: string, key: string) {
  try {
    const stored = JSON.parse(await fs.readFile(resultsFile(dir), 'utf8')) as StoredResults;
    if (stored?.key !== key || !Number.isInteger(stored.filesChecked) || !Array.isArray(stored.diagnostics)) return undefined;
    if (!stored.diagnostics.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1]))) return undefined;
    return {
      filesChecked: stored.filesChecked,
      diagnostics: new Map(stored.diagnostics),
    };
  } catch {
    return undefined;
  }
}

async function writeResults(dir: string, key: string, filesChecked: number, diagnostics: Map<string, KbDiagnostic[]>): Promise<void> {
  const stored: StoredResults = { key, filesChecked, diagnostics: [...diagnostics] };
  const temporary = `${resultsFile(dir)}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(temporary, JSON.stringify(stored));
    await fs.rename(temporary, resultsFile(dir));
    await removeOtherVersions(dir);
  } catch {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
  }
}
