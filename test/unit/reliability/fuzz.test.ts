/**
 * Property-based fuzzing of the engine through the knowledge base: generated pages and mutated
 * pages of the example knowledge base, linking each other, are indexed and checked; nothing may
 * throw, every range must be a range of its text, every fix must keep the text it does not name.
 *
 * Runs on worker threads (KBNAV_FUZZ_WORKERS, default: up to 2) until the target number of
 * documents (KBNAV_FUZZ_DOCS, default 100,000) or the time budget (KBNAV_FUZZ_SECONDS, default 50)
 * is reached, and prints what it covered. A failure prints the seed and the kind of case:
 * KBNAV_FUZZ_SEED and KBNAV_FUZZ_KIND replay it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { fileNames, knowledgeBase, mutate, mutation } from './markdown';
import { checkKnowledgeBase, describeFailure, emptyStats, type FuzzStats } from './properties';
import { budgetSeconds, figure, repo } from './support';

interface Job {
  repo: string;
  seed: number;
  documents: number;
  seconds: number;
}

type Kind = 'generated' | 'mutated';

type Message =
  | { type: 'batch'; kind: Kind; seed: number }
  | { type: 'done'; stats: Record<Kind, FuzzStats>; seconds: number }
  | { type: 'failed'; message: string };

/** The mutated cases: a few pages of the example knowledge base and odd names, 1–3 pages mutated 1–12 times each. */
function mutatedCases(root: string): fc.Arbitrary<Map<string, string>> {
  const dir = nodePath.join(root, 'examples/apuntes');
  const seeds = new Map<string, string>();
  for (const file of readdirSync(dir, { recursive: true }).map(String)) {
    if (file.endsWith('.md')) seeds.set(file.split(nodePath.sep).join('/'), readFileSync(nodePath.join(dir, file), 'utf8'));
  }
  const extra = fileNames.filter((n) => !seeds.has(n));
  const paths = [...seeds.keys(), ...extra];
  const texts = [...seeds.values()];
  return fc
    .tuple(
      fc.subarray([...seeds.keys()], { minLength: 1, maxLength: 4 }),
      fc.subarray(extra, { maxLength: 2 }),
      fc.array(fc.tuple(fc.nat(paths.length - 1), fc.nat(texts.length - 1), fc.array(mutation, { minLength: 1, maxLength: 12 })), { minLength: 1, maxLength: 3 }),
    )
    .map(([kept, odd, changes]) => {
      const files = new Map<string, string>([['README.md', seeds.get('README.md') ?? '# R\n']]);
      for (const name of kept) files.set(name, seeds.get(name)!);
      for (const name of odd) files.set(name, '# x\n\n[README](README.md)\n');
      for (const [p, s, mutations] of changes) files.set(paths[p], mutations.reduce(mutate, texts[s]));
      return files;
    });
}

/** A worker's share: batches of 100 cases, three generated for one mutated, until its documents or its time are used. */
function fuzz(job: Job, post: (message: Message) => void): void {
  const started = performance.now();
  const stats: Record<Kind, FuzzStats> = { generated: emptyStats(), mutated: emptyStats() };
  const arbitraries: Record<Kind, fc.Arbitrary<Map<string, string>>> = { generated: knowledgeBase(), mutated: mutatedCases(job.repo) };
  const documents = () => stats.generated.documents + stats.mutated.documents;
  for (let batch = 0; documents() < job.documents && performance.now() - started < job.seconds * 1000; batch++) {
    const kind: Kind = (process.env.KBNAV_FUZZ_KIND as Kind | undefined) ?? (batch % 4 === 3 ? 'mutated' : 'generated');
    const seed = (job.seed + batch * 7919) | 0;
    post({ type: 'batch', kind, seed });
    const result = fc.check(
      fc.property(arbitraries[kind], (files) => {
        try {
          checkKnowledgeBase(files, stats[kind]);
        } catch (error) {
          throw new Error(describeFailure(error));
        }
      }),
      { numRuns: 100, seed },
    );
    if (result.failed) {
      // KBNAV_FUZZ_DUMP=file.json writes the shrunk counterexample, to turn it into a regression test.
      if (process.env.KBNAV_FUZZ_DUMP) writeFileSync(process.env.KBNAV_FUZZ_DUMP, JSON.stringify([...(result.counterexample![0] as Map<string, string>)]));
      post({ type: 'failed', message: `${kind}: ${(result.errorInstance as Error)?.message}\n${fc.defaultReportMessage(result)}\n(replay: KBNAV_FUZZ_SEED=${seed} KBNAV_FUZZ_KIND=${kind} KBNAV_FUZZ_WORKERS=1; KBNAV_FUZZ_DUMP=file.json writes the case)` });
      return;
    }
  }
  post({ type: 'done', stats, seconds: (performance.now() - started) / 1000 });
}

if (!isMainThread) {
  fuzz(workerData as Job, (message) => parentPort!.postMessage(message));
} else {
  test('fuzzing: no exception, ranges in their text, fixes keep every other character, moves and heading renames keep every link', { timeout: 30 * 60_000 }, async (t) => {
    const replay = process.env.KBNAV_FUZZ_SEED !== undefined;
    const workers = Math.max(1, Number(process.env.KBNAV_FUZZ_WORKERS ?? Math.min(2, availableParallelism())));
    const target = Number(process.env.KBNAV_FUZZ_DOCS ?? 100_000);
    const seconds = budgetSeconds('KBNAV_FUZZ_SECONDS', 50);
    const seed = Number(process.env.KBNAV_FUZZ_SEED ?? Date.now() % 2 ** 30);
    /** A worker with no answer this long after the budget is stuck on one case: a hang. */
    const graceMs = 60_000;

    const runs = Array.from({ length: workers }, (_, i) => {
      const job: Job = { repo, seed: replay ? seed : seed + i * 1_000_003, documents: Math.ceil(target / workers), seconds };
      return new Promise<{ stats: Record<Kind, FuzzStats>; seconds: number }>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: job });
        let last: { kind: Kind; seed: number } | undefined;
        const timer = setTimeout(() => {
          void worker.terminate();
          reject(new Error(`worker ${i} hung on a ${last?.kind} batch (seed ${last?.seed}): no answer ${graceMs / 1000} s after the budget`));
        }, seconds * 1000 + graceMs);
        worker.on('message', (message: Message) => {
          if (message.type === 'batch') last = message;
          else {
            clearTimeout(timer);
            void worker.terminate();
            if (message.type === 'done') resolve(message);
            else reject(new Error(message.message));
          }
        });
        worker.on('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`worker ${i} crashed on a ${last?.kind} batch (seed ${last?.seed}): ${error.stack ?? error}`));
        });
        worker.on('exit', (code) => {
          clearTimeout(timer);
          if (code !== 0) reject(new Error(`worker ${i} exited with ${code} on a ${last?.kind} batch (seed ${last?.seed})`));
        });
      });
    });
    const results = await Promise.all(runs);

    const total = emptyStats();
    for (const kind of ['generated', 'mutated'] as Kind[]) {
      const stats = emptyStats();
      for (const r of results) {
        const s = r.stats[kind];
        for (const key of ['knowledgeBases', 'documents', 'bytes', 'diagnostics', 'fixesApplied', 'fixAllRuns', 'secondPassChanges'] as const) {
          stats[key] += s[key];
          total[key] += s[key];
        }
        if (s.maxParseMs > stats.maxParseMs) [stats.maxParseMs, stats.maxParsePath] = [s.maxParseMs, s.maxParsePath];
        stats.maxCheckMs = Math.max(stats.maxCheckMs, s.maxCheckMs);
      }
      if (stats.maxParseMs > total.maxParseMs) [total.maxParseMs, total.maxParsePath] = [stats.maxParseMs, stats.maxParsePath];
      total.maxCheckMs = Math.max(total.maxCheckMs, stats.maxCheckMs);
      figure(t, `${kind} documents`, stats.documents);
      figure(t, `${kind} knowledge bases`, stats.knowledgeBases);
    }
    figure(t, 'documents fuzzed', total.documents);
    figure(t, 'knowledge bases', total.knowledgeBases);
    figure(t, 'characters', total.bytes);
    figure(t, 'diagnostics', total.diagnostics);
    figure(t, 'fixes applied alone', total.fixesApplied);
    figure(t, 'fix-all runs', total.fixAllRuns);
    figure(t, 'fix-all runs whose second pass still changed something', total.secondPassChanges);
    figure(t, 'slowest document to parse (ms)', `${total.maxParseMs.toFixed(1)} (${total.maxParsePath})`);
    figure(t, 'slowest knowledge base to check (ms)', total.maxCheckMs.toFixed(1));
    figure(t, 'seconds', Math.max(...results.map((r) => r.seconds)).toFixed(1));
    figure(t, 'workers', workers);
    figure(t, 'seed', seed);
    figure(t, 'exceptions', 0);
    if (total.documents < target) t.diagnostic(`stopped by the time budget (${seconds} s) before ${target} documents`);
    const boundMs = 5_000;
    assert.ok(total.maxParseMs < boundMs, `the slowest document took ${total.maxParseMs.toFixed(0)} ms to parse`);
    assert.ok(total.maxCheckMs < boundMs, `the slowest knowledge base took ${total.maxCheckMs.toFixed(0)} ms to check`);
  });
}
