/**
 * `.kbnav.json`: the settings a knowledge base carries with it, at its root, with the same keys as the
 * `kbnav.*` settings. The CLI and the language server both read it, so that CI and the editor report
 * the same problems. In the editor it is layered over the `kbnav.*` settings: a key the file sets wins,
 * as a formatter's or linter's own config file does.
 */
import { realpathSync } from 'node:fs';
import * as nodePath from 'node:path';
import { validateSettings, type EngineSettings } from './config';
import type { Locale } from './types';
import { isInside, readInside } from './workspace';

export const settingsFileName = '.kbnav.json';

/** What `.kbnav.json` holds: nothing (no file), its parsed content, or why it could not be read. */
export type SettingsFile = { raw?: undefined; problem?: undefined } | { raw: unknown; problem?: undefined } | { raw?: undefined; problem: string };

/** Reads `.kbnav.json` at `root`, never following a link out of it. */
export function readSettingsFile(root: string): SettingsFile {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return {};
  }
  let text: string;
  try {
    // A link to a file inside the workspace is followed; one that leads out of it is not.
    const file = realpathSync(nodePath.join(realRoot, settingsFileName));
    if (!isInside(realRoot, file)) return { problem: `${settingsFileName}: leads outside the workspace, not read` };
    text = readInside(realRoot, file).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `${settingsFileName}: ${(error as Error).message}` };
  }
  try {
    return { raw: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (error) {
    return { problem: `${settingsFileName}: ${(error as Error).message}` };
  }
}

/**
 * The settings of `root`: `.kbnav.json` over `editor` (the `kbnav.*` settings, when there are any),
 * with every problem found in either. `markers` and `severity` are layered key by key: a file that
 * sets the severity of one code keeps the editor's severities of the others.
 */
export function settingsOf(root: string, locale: Locale, editor?: unknown): { settings: EngineSettings; problems: string[] } {
  const problems = editor === undefined ? [] : validateSettings(editor, locale).problems;
  const file = readSettingsFile(root);
  if (file.problem) problems.push(file.problem);
  const own = file.raw === undefined ? undefined : fileSettings(file.raw, locale, problems);
  const { settings } = validateSettings(layer(editor, own), locale);
  return { settings, problems };
}

/** The keys `.kbnav.json` may hold: those of the `kbnav.*` settings (and `$schema`, for editors). */
const fileKeys = new Set(['markers', 'entryPages', 'ignore', 'severity']);

/** What the file sets, without keys no setting has: a misspelt key is a problem, not a silent default. */
function fileSettings(raw: unknown, locale: Locale, problems: string[]): Record<string, unknown> | undefined {
  if (!isObject(raw)) {
    problems.push(`${settingsFileName}: expected an object`);
    return undefined;
  }
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (fileKeys.has(key)) own[key] = value;
    else if (key !== '$schema') problems.push(`${settingsFileName}: ${key}: unknown setting`);
  }
  problems.push(...validateSettings(own, locale).problems.map((p) => `${settingsFileName}: ${p}`));
  return own;
}

function layer(base: unknown, over: unknown): unknown {
  if (!isObject(over)) return base;
  if (!isObject(base)) return over;
  const layered: Record<string, unknown> = { ...base, ...over };
  for (const key of ['markers', 'severity']) {
    if (isObject(base[key]) && isObject(over[key])) layered[key] = { ...base[key], ...over[key] };
  }
  return layered;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
