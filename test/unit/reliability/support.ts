/**
 * Shared helpers of the reliability suite: temporary knowledge bases on disk, the CLI, an
 * independent position arithmetic to judge the engine's ranges with, and the figures each test reports.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fsModule from 'node:fs';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { TestContext } from 'node:test';
import type { PageFacts, Position, Range } from '../../../server/src/engine/types';
import { isInside } from '../../../server/src/engine/workspace';

const promises = fsModule.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

export const repo = process.cwd();
export const cli = nodePath.join(repo, 'dist/cli.js');

const made: string[] = [];
process.on('exit', () => {
  if (process.env.KBNAV_KEEP_TMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits (keep it with KBNAV_KEEP_TMP=1). */
export function tempDir(prefix = 'kbnav-rel-'): string {
  const dir = mkdtempSync(nodePath.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes files (text as UTF-8, or raw bytes) under `dir`, creating folders. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = nodePath.join(dir, name);
    mkdirSync(nodePath.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `node dist/cli.js …` with a private facts cache (never the user's) and a time limit: a CLI
 * that hangs fails the test with signal SIGKILL instead of hanging the suite.
 */
export function runCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string>; node?: string[]; command?: string[] } = {}): CliRun {
  const started = performance.now();
  const argv = [...(options.node ?? []), cli, ...args];
  const [command, ...prefix] = options.command ?? [process.execPath];
  const result: SpawnSyncReturns<string> = spawnSync(command, [...prefix, ...argv], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', KBNAV_CACHE_DIR: cacheDir(), ...options.env },
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ms: performance.now() - started };
}

let cache: string | undefined;
function cacheDir(): string {
  return (cache ??= tempDir('kbnav-rel-cache-'));
}

/**
 * Line starts computed independently of the engine's `LineIndex` (a regular expression over the
 * three line endings), so that a wrong range in the engine cannot be confirmed by the same arithmetic.
 */
export class LineStarts {
  readonly starts: number[] = [0];
  readonly ends: number[] = [];

  constructor(readonly text: string) {
    const ending = /\r\n|\r|\n/g;
    for (let m = ending.exec(text); m; m = ending.exec(text)) {
      this.ends.push(m.index);
      this.starts.push(m.index + m[0].length);
    }
    this.ends.push(text.length);
  }

  /** The offset of `position`, or undefined when it is not a position of the text (past a line's end included). */
  offset(position: Position): number | undefined {
    const { line, character } = position;
    if (!Number.isInteger(line) || !Number.isInteger(character) || line < 0 || character < 0 || line >= this.starts.length) return undefined;
    const offset = this.starts[line] + character;
    return offset <= this.ends[line] ? offset : undefined;
  }

  /** [start, end) offsets of a range, or undefined when either end is not a position or start > end. */
  span(range: Range): [number, number] | undefined {
    const start = this.offset(range.start);
    const end = this.offset(range.end);
    return start === undefined || end === undefined || start > end ? undefined : [start, end];
  }

  slice(range: Range): string | undefined {
    const span = this.span(range);
    return span && this.text.slice(span[0], span[1]);
  }
}

/**
 * What must hold of a page's facts whatever the text: every range is a range of the text, a link's
 * destination range holds exactly its destination as written, a label range sits between `[` and `]`.
 * Returns the violations, as sentences.
 */
export function factsViolations(text: string, facts: PageFacts, lines = new LineStarts(text)): string[] {
  const problems: string[] = [];
  const at = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  for (const heading of facts.headings) if (!lines.span(heading.range)) problems.push(`heading range ${at(heading.range)} is not in the text`);
  facts.links.forEach((link, i) => {
    if (!lines.span(link.range)) problems.push(`link ${i}: range ${at(link.range)} is not in the text`);
    const raw = lines.slice(link.rawRange);
    if (raw !== link.raw) problems.push(`link ${i}: destination range ${at(link.rawRange)} holds ${JSON.stringify(raw)}, not ${JSON.stringify(link.raw)}`);
    if (link.labelRange) {
      const span = lines.span(link.labelRange);
      if (!span) problems.push(`link ${i}: label range ${at(link.labelRange)} is not in the text`);
      else {
        const before = text.slice(span[0] - (link.image ? 2 : 1), span[0]);
        if (before !== (link.image ? '![' : '[') || text[span[1]] !== ']') problems.push(`link ${i}: label range ${at(link.labelRange)} is not between ${link.image ? '![' : '['} and ]`);
      }
    }
  });
  for (const ref of facts.undefinedReferences) if (!lines.span(ref.range)) problems.push(`undefined reference range ${at(ref.range)} is not in the text`);
  const end = lines.offset(facts.end);
  if (end !== text.length) problems.push(`end ${facts.end.line}:${facts.end.character} is not the end of the text`);
  return problems;
}

/** Prints a measured figure in the test report (`# figure name: value`), for FIGURES.md and the README. */
export function figure(t: TestContext, name: string, value: string | number): void {
  t.diagnostic(`figure ${name}: ${value}`);
}

/** A time budget in seconds from the environment (to run longer locally or shorter on a slow machine). */
export function budgetSeconds(variable: string, fallback: number): number {
  const value = Number(process.env[variable]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Whether the permission bits are enforced for this process (they are not for root). */
export function permissionsEnforced(): boolean {
  return typeof process.getuid !== 'function' || process.getuid() !== 0;
}

/**
 * Records the paths of every call that reads or writes a file or a folder through fs.promises while
 * `run` runs (the engine uses nothing else), and returns those outside `root` (by lexical and by
 * real path). Looking a path up (realpath, stat, lstat) reads nothing: it is how a link that leads
 * out is recognized, and is not counted.
 */
export async function outsideTouches<T>(root: string, run: () => Promise<T>): Promise<{ result: T; outside: string[]; calls: number }> {
  const realRoot = realpathSync(root);
  const touched: string[] = [];
  const names = ['readFile', 'writeFile', 'appendFile', 'rename', 'mkdir', 'rm', 'rmdir', 'unlink', 'open', 'copyFile', 'readdir', 'truncate', 'chmod', 'symlink', 'link'];
  const originals = new Map(names.map((n) => [n, promises[n]]));
  for (const name of names) {
    promises[name] = function (this: unknown, ...args: unknown[]) {
      for (const a of args.slice(0, ['rename', 'copyFile', 'symlink', 'link'].includes(name) ? 2 : 1)) if (typeof a === 'string') touched.push(a);
      return originals.get(name)!.apply(this, args);
    };
  }
  try {
    const result = await run();
    const outside = touched.filter((p) => {
      const absolute = nodePath.resolve(p);
      if (!isInside(realRoot, absolute) && !isInside(root, absolute)) return true;
      try {
        return !isInside(realRoot, realpathSync(absolute));
      } catch {
        return false; // Gone or never created: nothing outside was touched through it.
      }
    });
    return { result, outside, calls: touched.length };
  } finally {
    for (const [name, original] of originals) promises[name] = original;
  }
}

