/**
 * Our language server measured over real JSON-RPC on stdio, as an editor drives it:
 * - first diagnostics: from spawning the server to the first `publishDiagnostics` of a page opened
 *   right after `initialized`, and to the end of the whole index (`kbnav/indexChanged` ready);
 * - incremental: an edit in one page (a heading renamed, a broken link added) → time until
 *   `publishDiagnostics` has arrived for that page and for every page whose links to that heading
 *   break; then the edit undone, the same again. Median and p95 over all edits.
 *
 * The pages that depend on a heading come from the generator (which links it wrote), not from the
 * server: a dependent the server forgets shows up as a timeout, not as a fast edit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';
import { generateCorpus, type GroundTruth } from './generate';

export interface LspOptions {
  serverPath: string;
  corpus: string;
  /** The server's cache folder: emptied before the first start, kept for the second (warm) start. */
  cacheDir: string;
  truth: GroundTruth;
  /** Edits measured; every other one undoes the one before (a heading renamed, then restored). */
  edits: number;
  nice: boolean;
  env?: NodeJS.ProcessEnv;
  /** Per edit, how long to wait for every expected publish before calling it missed. */
  editTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LspStart {
  /** Spawn → `initialize` answered. */
  initializeMs: number;
  /** Spawn → first non-empty `publishDiagnostics` for the page opened after `initialized`. */
  firstDiagnosticsMs: number;
  /** Whether that first publish already held the page's final diagnostics. */
  firstComplete: boolean;
  /** How many of the page's final diagnostics (by code and line) the first publish held, and how many there are. */
  firstHeld: number;
  finalCount: number;
  /** Spawn → `kbnav/indexChanged` with state `ready`. */
  readyMs: number;
  pagesPublished: number;
  peakRssMb: number;
}

export interface LspIncremental {
  samples: number;
  /** Time until the edited page's own publish. */
  ownMedianMs: number;
  ownP95Ms: number;
  /** Time until the page and all its dependents were published. */
  allMedianMs: number;
  allP95Ms: number;
  meanDependents: number;
  /** Edits after which an expected publish never came (within the timeout) or said the wrong thing. */
  missed: number;
  missedExamples: string[];
}

export interface LspResult {
  start?: LspStart;
  /** A second start on the same, unchanged corpus (and the same cache folder). */
  warmStart?: LspStart;
  incremental?: LspIncremental;
  error?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

interface Published {
  at: number;
  diagnostics: { code?: string | number; range: { start: { line: number } } }[];
}

/** A running server with the diagnostics it published, by file path (exact bytes). */
class ServerSession {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly spawnedAt = performance.now();
  readonly latest = new Map<string, Published>();
  private readonly waiters: { path: string; after: number; test: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  readyAt: number | undefined;
  private readyWaiters: (() => void)[] = [];
  stderr = '';

  constructor(serverPath: string, nice: boolean, env: NodeJS.ProcessEnv | undefined, log: (line: string) => void) {
    const args = [serverPath, '--stdio'];
    this.child = nice ? spawn('nice', ['-n', '10', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env }) : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stderr!.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onRequest((method, params) => {
      if (method === 'workspace/configuration') return ((params as { items?: unknown[] })?.items ?? []).map(() => null);
      return null;
    });
    this.connection.onNotification((method, params) => {
      if (method === 'textDocument/publishDiagnostics') {
        const { uri, diagnostics } = params as { uri: string; diagnostics: Published['diagnostics'] };
        const path = URI.parse(uri).fsPath;
        const published = { at: performance.now(), diagnostics };
        this.latest.set(path, published);
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const w = this.waiters[i];
          if (w.path === path && published.at >= w.after && w.test(published)) {
            this.waiters.splice(i, 1);
            w.resolve(published);
          }
        }
      } else if (method === 'kbnav/indexChanged' && (params as { state?: string })?.state === 'ready') {
        this.readyAt ??= performance.now();
        this.readyWaiters.splice(0).forEach((r) => r());
      } else if (method === 'window/logMessage' && /error|uncaught/i.test((params as { message?: string })?.message ?? '')) {
        log(`server: ${(params as { message: string }).message}`);
      }
    });
    this.connection.listen();
  }

  /** Resolves with the first publish for `path` at or after `after` that passes `test`, or undefined on timeout. */
  waitFor(path: string, after: number, test: (p: Published) => boolean, timeoutMs: number): Promise<Published | undefined> {
    const current = this.latest.get(path);
    if (current && current.at >= after && test(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiter = { path, after, test, resolve: (p: Published | undefined) => (clearTimeout(timer), resolve(p)) };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.readyAt !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
      this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => (this.child.kill(), resolve()), 5000);
      this.child.once('exit', () => (clearTimeout(timer), resolve()));
    });
    this.connection.dispose();
  }
}

const clientCapabilities = {
  workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
  window: { workDoneProgress: true },
  textDocument: { synchronization: { didSave: true }, publishDiagnostics: { relatedInformation: true } },
};

/** Spawns the server on the corpus, opens one page right away, and measures until the index is ready. */
async function startSession(options: LspOptions, openPage: string, log: (line: string) => void): Promise<{ session: ServerSession; start: LspStart }> {
  const session = new ServerSession(options.serverPath, options.nice, { ...process.env, ...options.env, KBNAV_CACHE_DIR: options.cacheDir }, log);
  const rootUri = URI.file(options.corpus).toString();
  await session.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: nodePath.basename(options.corpus) }],
    capabilities: clientCapabilities,
    // The server's options; a persistent index would be configured here if the server takes it as an option.
    initializationOptions: { trusted: true },
    locale: 'en',
  });
  const initializeMs = performance.now() - session.spawnedAt;
  session.connection.sendNotification('initialized', {});
  const openPath = nodePath.join(options.corpus, openPage);
  session.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: URI.file(openPath).toString(), languageId: 'markdown', version: 1, text: readFileSync(openPath, 'utf8') },
  });
  const first = await session.waitFor(openPath, 0, (p) => p.diagnostics.length > 0, 30 * 60_000);
  const ready = await session.waitReady(30 * 60_000);
  if (!first || !ready) throw new Error(`server gave no diagnostics for ${openPage} or never became ready; stderr: ${session.stderr.slice(-500)}`);
  const final = session.latest.get(openPath)!;
  const shape = (p: Published) => JSON.stringify(p.diagnostics.map((d) => [d.code, d.range.start.line]));
  return {
    session,
    start: {
      initializeMs,
      firstDiagnosticsMs: first.at - session.spawnedAt,
      firstComplete: shape(first) === shape(final),
      firstHeld: final.diagnostics.filter((d) => first.diagnostics.some((f) => f.code === d.code && f.range.start.line === d.range.start.line)).length,
      finalCount: final.diagnostics.length,
      readyMs: session.readyAt! - session.spawnedAt,
      pagesPublished: session.latest.size,
      peakRssMb: peakRssMb(session.child.pid),
    },
  };
}

interface EditTarget {
  page: string;
  headingLine: number;
  headingText: string;
  id: string;
  dependents: string[];
}

/** Pages with a section heading that other pages link to, from the generator's record of the links it wrote. */
function editTargets(options: LspOptions, count: number): EditTarget[] {
  const headings = new Map<string, { source: string; id: string }[]>();
  const incoming = new Map<string, Set<string>>();
  const again = generateCorpus(
    { notes: options.truth.notes, seed: options.truth.seed, rate: options.truth.rate },
    () => {},
    {
      page: (path, list) => headings.set(path, [...list]),
      link: (from, to, fragment) => {
        if (!fragment) return;
        const key = `${to}#${fragment}`;
        let set = incoming.get(key);
        if (!set) incoming.set(key, (set = new Set()));
        set.add(from);
      },
    },
  );
  if (again.bytes !== options.truth.bytes || again.problems.length !== options.truth.problems.length) {
    throw new Error(`${options.corpus} is not what generator v${again.generator} makes from seed ${again.seed}: delete it and run again`);
  }
  const planted = new Set(options.truth.problems.map((p) => p.file));
  const targets: EditTarget[] = [];
  for (const [page, list] of headings) {
    if (planted.has(page)) continue; // Keep the edits away from pages whose problems are measured elsewhere.
    for (const heading of list.slice(1)) {
      const dependents = [...(incoming.get(`${page}#${heading.id}`) ?? [])].filter((d) => d !== page && !planted.has(d));
      // A heading written twice: renaming one hands its id to the other (`x-1` becomes `x`), and no link breaks.
      const twice = list.some((o) => o !== heading && (o.id.startsWith(`${heading.id}-`) || heading.id.startsWith(`${o.id}-`)));
      if (!dependents.length || twice) continue;
      const lines = readFileSync(nodePath.join(options.corpus, page), 'utf8').split('\n');
      const headingLine = lines.indexOf(`## ${heading.source}`);
      if (headingLine < 0) continue;
      targets.push({ page, headingLine, headingText: heading.source, id: heading.id, dependents: dependents.sort() });
      break;
    }
    if (targets.length >= count) break;
  }
  return targets;
}

function countCode(p: Published | undefined, code: string): number {
  return p ? p.diagnostics.filter((d) => d.code === code).length : 0;
}

/** Measures start-up, then `edits` edits (each undone), on one server. */
export async function measureLsp(options: LspOptions): Promise<LspResult> {
  const log = options.log ?? (() => {});
  const openPage = options.truth.problems.find((p) => p.code === 'missing-file')?.file ?? options.truth.problems[0].file;
  rmSync(options.cacheDir, { recursive: true, force: true });
  const { session, start } = await startSession(options, openPage, log);
  log(`server: first diagnostics ${start.firstDiagnosticsMs.toFixed(0)} ms, ready ${start.readyMs.toFixed(0)} ms`);
  let incremental: LspIncremental | undefined;
  try {
    if (options.edits > 0) incremental = await measureEdits(options, session, log);
    start.peakRssMb = peakRssMb(session.child.pid);
  } finally {
    await session.stop();
  }
  const warm = await startSession(options, openPage, log);
  log(`server, second start: first diagnostics ${warm.start.firstDiagnosticsMs.toFixed(0)} ms, ready ${warm.start.readyMs.toFixed(0)} ms`);
  await warm.session.stop();
  return { start, warmStart: warm.start, incremental };
}

async function measureEdits(options: LspOptions, session: ServerSession, log: (line: string) => void): Promise<LspIncremental> {
  const timeout = options.editTimeoutMs ?? 10_000;
  {
    const targets = editTargets(options, Math.ceil(options.edits / 2));
    const own: number[] = [];
    const all: number[] = [];
    let missed = 0;
    const missedExamples: string[] = [];
    let dependents = 0;
    for (const [i, target] of targets.entries()) {
      const path = nodePath.join(options.corpus, target.page);
      const uri = URI.file(path).toString();
      const text = readFileSync(path, 'utf8');
      session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
      // Diagnostics before the edit, as last published (none published = none).
      const dependentPaths = target.dependents.map((d) => nodePath.join(options.corpus, d));
      const baseline = new Map(dependentPaths.map((d) => [d, countCode(session.latest.get(d), 'missing-fragment')]));
      const ownBaseline = countCode(session.latest.get(path), 'missing-file');
      const original = `## ${target.headingText}`;
      const edited = `## ${target.headingText} editado\n\nVer [apunte roto](NoExiste-${i}.md).`;
      const steps = [
        { version: 2, from: original, to: edited, ownTest: (p: Published) => countCode(p, 'missing-file') === ownBaseline + 1, depTest: (d: string) => (p: Published) => countCode(p, 'missing-fragment') > baseline.get(d)! },
        { version: 3, from: edited, to: original, ownTest: (p: Published) => countCode(p, 'missing-file') === ownBaseline, depTest: (d: string) => (p: Published) => countCode(p, 'missing-fragment') === baseline.get(d)! },
      ];
      for (const step of steps) {
        const fromLines = step.from.split('\n');
        const range = {
          start: { line: target.headingLine, character: 0 },
          end: { line: target.headingLine + fromLines.length - 1, character: fromLines[fromLines.length - 1].length },
        };
        const sentAt = performance.now();
        session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: step.version }, contentChanges: [{ range, text: step.to }] });
        const [ownPublish, ...depPublishes] = await Promise.all([
          session.waitFor(path, sentAt, step.ownTest, timeout),
          ...dependentPaths.map((d) => session.waitFor(d, sentAt, step.depTest(d), timeout)),
        ]);
        if (!ownPublish || depPublishes.some((p) => !p)) {
          missed++;
          if (missedExamples.length < 5) {
            const late = dependentPaths.filter((_, k) => !depPublishes[k]).map((d) => nodePath.relative(options.corpus, d));
            missedExamples.push(`${target.page} (#${target.id} ${step.version === 2 ? 'renamed' : 'restored'}): no update for ${[...(ownPublish ? [] : ['the page itself']), ...late].join(', ')}`);
          }
          continue;
        }
        own.push(ownPublish.at - sentAt);
        all.push(Math.max(ownPublish.at, ...depPublishes.map((p) => p!.at)) - sentAt);
        dependents += dependentPaths.length;
      }
      session.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    const sortedOwn = [...own].sort((a, b) => a - b);
    const sortedAll = [...all].sort((a, b) => a - b);
    log(`server: ${all.length} edits, page + dependents median ${median(all).toFixed(1)} ms, p95 ${percentile(sortedAll, 95).toFixed(1)} ms, ${missed} missed`);
    return {
      samples: all.length,
      ownMedianMs: median(own),
      ownP95Ms: percentile(sortedOwn, 95),
      allMedianMs: median(all),
      allP95Ms: percentile(sortedAll, 95),
      meanDependents: all.length ? dependents / all.length : 0,
      missed,
      missedExamples,
    };
  }
}

/** Whether a built server answers `initialize` over stdio (within a few seconds). */
export async function serverAnswers(serverPath: string): Promise<boolean> {
  const session = new ServerSession(serverPath, false, process.env, () => {});
  try {
    const answer = await Promise.race([
      session.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} }),
      new Promise((resolve) => setTimeout(() => resolve(undefined), 10_000)),
    ]);
    return !!(answer && typeof answer === 'object' && 'capabilities' in answer);
  } catch {
    return false;
  } finally {
    await session.stop();
  }
}
