import { existsSync, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { validateSettings, type EngineSettings } from './config';
import { KnowledgeBase } from './knowledgeBase';
import { FactsCache } from './factsCache';
import { loadWorkspace } from './load';
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
}

/** Indexes and checks a whole folder from disk: what `kbnav check` does. */
export async function checkWorkspace(root: string, locale: Locale, options: CheckOptions = {}): Promise<CheckResult> {
  const { settings, problems: settingsProblems } = readSettingsFile(root, locale);
  const kb = new KnowledgeBase(root, settings);
  const workspace = new FileSystemWorkspace(root, settings.ignore);
  const cache = options.cacheDir ? await FactsCache.open(options.cacheDir, settings.markers) : undefined;
  const problems = await loadWorkspace(kb, workspace, {
    token: noCancellation,
    cache,
    createPool: options.workers === false ? undefined : (pages) => ParsePool.create(pages, settings.markers),
  });
  await cache?.save(kb.pagePaths().map((p) => kb.page(p)!.facts));
  return {
    root,
    filesChecked: kb.pagePaths().length,
    diagnostics: kb.allDiagnostics(),
    problems: [...workspace.problems, ...problems],
    settingsProblems,
    kb,
  };
}
