/**
 * `kbnav check [DIR] [--format text|json|sarif] [--fix] [--lang es|en]`: the knowledge-base checker
 * for terminals and CI, on the same engine as the language server.
 * Reads the settings from `.kbnav.json` at the root of DIR, if there is one.
 * Exit codes: 0 no error-severity problem, 1 at least one, 2 bad usage, bad settings or unreadable input.
 */
import { existsSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { checkWorkspace, type CheckResult } from './engine/checkWorkspace';
import { applyFixesToDisk } from './engine/applyFixes';
import { localeFrom, localize, type MessageId } from './engine/messages';
import { formatJson, formatSarif, formatText } from './engine/report';
import { selectSafeFixes } from './engine/fixes';
import { defaultCacheDir } from './engine/factsCache';
import { settingsOf } from './engine/settingsFile';
import { setHeapGrowth } from './heapGrowth';
import type { Locale } from './engine/types';

interface Options {
  dir: string;
  cacheDir: string | false | undefined;
  format: 'text' | 'json' | 'sarif';
  fix: boolean;
  locale: Locale;
}

class UsageError extends Error {}

function parseArgs(argv: string[], locale: Locale): Options | 'help' {
  const t = (id: MessageId, ...args: string[]) => localize(locale, id, ...args);
  const options: Options = { dir: '.', cacheDir: undefined, format: 'text', fix: false, locale };
  const rest = [...argv];
  if (rest[0] === '--help' || rest[0] === '-h' || rest.length === 0) return 'help';
  if (rest.shift() !== 'check') throw new UsageError(t('cliUsage'));
  let dirSeen = false;
  while (rest.length) {
    const arg = rest.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? rest.shift();
      if (v === undefined) throw new UsageError(t('cliBadValue', flag, '(none)'));
      return v;
    };
    if (flag === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(t('cliBadValue', flag, v));
      options.format = v;
    } else if (flag === '--fix') options.fix = true;
    else if (flag === '--no-cache') options.cacheDir = false;
    else if (flag === '--cache-dir') options.cacheDir = nodePath.resolve(value());
    else if (flag === '--lang') {
      const v = value();
      if (v !== 'es' && v !== 'en') throw new UsageError(t('cliBadValue', flag, v));
      options.locale = v;
    } else if (flag === '--help' || flag === '-h') return 'help';
    else if (flag.startsWith('-') || dirSeen) throw new UsageError(t('cliUnknownOption', arg));
    else {
      options.dir = arg;
      dirSeen = true;
    }
  }
  return options;
}

async function main(argv: string[]): Promise<number> {
  let locale = localeFrom(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);
  const langIndex = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (langIndex >= 0) {
    const v = argv[langIndex].includes('=') ? argv[langIndex].split('=')[1] : argv[langIndex + 1];
    if (v === 'es' || v === 'en') locale = v;
  }
  let options: Options | 'help';
  try {
    options = parseArgs(argv, locale);
  } catch (error) {
    process.stderr.write(`kbnav: ${(error as Error).message}\n${localize(locale, 'cliUsage')}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${localize(locale, 'cliUsage')}\n`);
    return 0;
  }
  const root = nodePath.resolve(options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`kbnav: ${localize(options.locale, 'cliNotADirectory', root)}\n`);
    return 2;
  }

  // A CI run with a mistyped setting would pass or fail for the wrong reason: nothing is checked.
  const { settings, problems: settingsProblems } = settingsOf(root, options.locale);
  if (settingsProblems.length) {
    for (const problem of settingsProblems) process.stderr.write(`kbnav: ${localize(options.locale, 'cliBadSettings', problem)}\n`);
    return 2;
  }

  const cacheDir = options.cacheDir ?? defaultCacheDir(root);
  // KBNAV_WORKERS=0 parses on the main thread only (for comparisons and for hosts without threads).
  const workers = process.env.KBNAV_WORKERS !== '0';
  let result: CheckResult;
  try {
    // The index itself only for --fix: otherwise an unchanged workspace prints the last run's results without loading it.
    result = await checkWorkspace(root, options.locale, { settings, cacheDir, workers, index: options.fix, onWorkers: setHeapGrowth });
  } catch (error) {
    process.stderr.write(`kbnav: ${localize(options.locale, 'cliUnreadable', root, (error as Error).message)}\n`);
    return 2;
  }
  for (const problem of result.problems) process.stderr.write(`kbnav: ${localize(options.locale, 'cliUnreadable', problem.path, problem.message)}\n`);

  if (options.fix) {
    const fixes = selectSafeFixes([...result.diagnostics.values()].flat());
    const outcome = await applyFixesToDisk(root, fixes, (path) => result.kb.page(path)?.facts.hash);
    const log = options.format === 'text' ? process.stdout : process.stderr;
    for (const change of outcome.changed) log.write(`${localize(options.locale, 'cliFixed', change.path, change.count)}\n`);
    for (const path of outcome.skipped) log.write(`${localize(options.locale, 'cliSkippedChanged', path)}\n`);
    for (const { path, reason } of outcome.refused) log.write(`${localize(options.locale, 'cliRefused', path, reason)}\n`);
    log.write(`${localize(options.locale, 'cliFixedTotal', outcome.applied, outcome.changed.length)}\n`);
    result = await checkWorkspace(root, options.locale, { settings, cacheDir, workers });
  }

  const write = (text: string) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  if (options.format === 'json') await write(formatJson(result) + '\n');
  else if (options.format === 'sarif') await write(formatSarif(result, options.locale) + '\n');
  else await write(formatText(result, options.locale, process.stdout.isTTY));
  const hasErrors = [...result.diagnostics.values()].some((list) => list.some((d) => d.severity === 'error'));
  return hasErrors ? 1 : 0;
}

// A run of the CLI is short: its memory is its peak.
setHeapGrowth(false);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`kbnav: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 2;
  },
);
