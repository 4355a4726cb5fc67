import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { MarkerSet, type NavMarkers } from './navigation';
import { unpackPage } from './packedFacts';
import { parseJob, type ParseJob } from './pageFile';
import type { ParseReply } from './parseWorker';
import type { PageFacts } from './types';
import { maxPageBytes } from './workspace';

/**
 * A page longer than this (in UTF-16 code units) is parsed on a worker even where the others are parsed in
 * the calling thread (a small workspace; an open page in the language server). remark reads about a
 * megabyte a second, less for pages dense with links (a generated index of 20,000 links, 2 MB: 2.3 s and
 * 500 MB), and a few megabytes of some syntax need gigabytes: a worker that runs out stops alone.
 */
const longPageChars = 1 << 18;

/** Whether `text` is a page to parse on a worker wherever it is (`longPageChars`); past `maxPageBytes` none is parsed. */
export const isLongPage = (text: string): boolean => text.length > longPageChars && text.length <= maxPageBytes;

const disposedError = () => new Error('the parse pool was disposed');

/** A page parsed by a worker: its facts, and whether its bytes were valid UTF-8. */
export interface ParsedPage {
  facts: PageFacts;
  utf8: boolean;
}

interface Job {
  message: ParseJob;
  resolve: (page: ParsedPage) => void;
  reject: (error: Error) => void;
}

export interface PoolOptions {
  /** The worker script (default: parseWorker.js next to this bundle). */
  script?: string;
  /**
   * The old generation of each worker, in MB (default: V8's, as for the calling thread). Lower limits
   * cost time: V8 lets a heap grow less between full collections (at 1024, a cold check of 10,000
   * notes peaked 30 MB lower but took 5 % longer).
   */
  maxOldGenerationSizeMb?: number;
  /** How many workers (default: one per 150 pages, up to the cores and 8, and none below two); given, even one. */
  size?: number;
}

/**
 * Parses pages on worker threads: remark-parse is the slowest step of indexing (about 1 MB/s per core),
 * so a cold index uses every core. Each worker reads its page from disk and returns only the facts.
 */
export class ParsePool {
  /** The jobs given to each worker, oldest first: a worker answers them in that order. */
  private readonly queues = new Map<Worker, Job[]>();
  /** The strings of the facts received, each once (see `unpackPage`). */
  private readonly strings = new Map<string, string>();
  /**
   * The numbers of the facts received, copied end to end into large arrays: a buffer per page costs an
   * allocation of its own and its bookkeeping (an ArrayBuffer, a backing store). `used` of `slab` are taken.
   */
  private slab = new Int32Array(0);
  private used = 0;
  private disposed = false;
  /** False once a worker could not start: then no other is started for jobs that find no worker. */
  private startable = true;
  /** For pages parsed in the calling thread. */
  private markerSet?: MarkerSet;

  private constructor(
    private readonly script: string,
    size: number,
    private readonly markers: NavMarkers,
    private readonly maxOldGenerationSizeMb: number | undefined,
  ) {
    for (let i = 0; i < size; i++) this.start([]);
  }

  /**
   * A pool, or undefined when parsing in the calling thread is better: a small workspace (starting
   * workers costs more than it saves), one core (unless `options.size` says how many), or no worker
   * script next to the bundle.
   */
  static create(pages: number, markers: NavMarkers, options: PoolOptions = {}): ParsePool | undefined {
    const script = options.script ?? nodePath.join(__dirname, 'parseWorker.js');
    const size = options.size ?? Math.min(availableParallelism(), 8, Math.ceil(pages / 150));
    if (size < (options.size === undefined ? 2 : 1) || !existsSync(script)) return undefined;
    return new ParsePool(script, size, markers, options.maxOldGenerationSizeMb);
  }

  /** Starts a worker and gives it `jobs`. */
  private start(jobs: Job[]): void {
    // A worker keeps ~7 MB alive between pages, but V8 lets its young generation grow to 48 MB of garbage:
    // at 16 MB, a cold check of 10,000 notes peaks 50 MB lower, at about the same speed (at 8 MB, 1.7× slower).
    const worker = new Worker(this.script, {
      workerData: { markers: this.markers },
      resourceLimits: { maxYoungGenerationSizeMb: 16, ...(this.maxOldGenerationSizeMb && { maxOldGenerationSizeMb: this.maxOldGenerationSizeMb }) },
    });
    const queue: Job[] = [];
    let ready = false;
    this.queues.set(worker, queue);
    worker.on('message', (reply: ParseReply) => {
      if ('ready' in reply) return void (ready = true);
      const job = queue.shift();
      if (!job) return;
      if (!('facts' in reply)) return job.reject(new Error(reply.error));
      try {
        job.resolve({ facts: unpackPage({ numbers: this.keep(reply.facts.numbers), strings: reply.facts.strings }, this.strings), utf8: reply.utf8 });
      } catch (error) {
        job.reject(error as Error);
      }
    });
    // What stopped it (out of memory, a fault in the parser); its 'exit' follows.
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', () => {
      this.queues.delete(worker);
      if (this.disposed) return;
      // A worker that could not start leaves its pages to the other workers, or to this thread when none is
      // left. One that started dies of the page it was parsing, the oldest of its jobs: that page is reported
      // (in this thread it could take the process down with it), and the others go to a new worker.
      if (!ready) {
        this.startable = false;
        return void queue.forEach((job) => this.dispatch(job));
      }
      const [fatal, ...rest] = queue;
      fatal?.reject(new Error(`could not be parsed (${failure?.message ?? 'its parse worker stopped'}): kept as a file, not indexed`));
      if (rest.length) this.start(rest);
    });
    for (const job of jobs) this.post(worker, job);
  }

  private post(worker: Worker, job: Job): void {
    this.queues.get(worker)!.push(job);
    worker.postMessage(job.message);
  }

  /**
   * Gives `job` to the worker with the fewest jobs; when none is left (each died of a page), to a new one;
   * when workers cannot start, parses it here.
   */
  private dispatch(job: Job): void {
    let chosen: [Worker, Job[]] | undefined;
    for (const entry of this.queues) if (!chosen || entry[1].length < chosen[1].length) chosen = entry;
    if (chosen) this.post(chosen[0], job);
    else if (this.startable) this.start([job]);
    else setImmediate(() => this.parseHere(job));
  }

  private parseHere(job: Job): void {
    try {
      job.resolve(parseJob(job.message, (this.markerSet ??= new MarkerSet(this.markers))));
    } catch (error) {
      job.reject(error as Error);
    }
  }

  /** A copy of `numbers` in the current slab. */
  private keep(numbers: Int32Array): Int32Array {
    if (!(numbers instanceof Int32Array)) throw new Error('damaged');
    if (this.used + numbers.length > this.slab.length) {
      this.slab = new Int32Array(Math.max(1 << 18, numbers.length));
      this.used = 0;
    }
    const kept = this.slab.subarray(this.used, this.used + numbers.length);
    kept.set(numbers);
    this.used += numbers.length;
    return kept;
  }

  /** Reads and parses the page at real path `file`, inside the real folder `root`. */
  parse(path: string, file: string, root: string): Promise<ParsedPage> {
    return this.run({ path, file, root });
  }

  /** Parses `text`, the page at `path` as an open document has it. */
  parseText(path: string, text: string): Promise<ParsedPage> {
    return this.run({ path, text });
  }

  private run(message: ParseJob): Promise<ParsedPage> {
    if (this.disposed) return Promise.reject(disposedError());
    return new Promise((resolve, reject) => this.dispatch({ message, resolve, reject }));
  }

  /** Stops the workers; the pages they had not answered yet are rejected. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.strings.clear();
    const workers = [...this.queues];
    for (const [, queue] of workers) for (const job of queue.splice(0)) job.reject(disposedError());
    await Promise.all(workers.map(([worker]) => worker.terminate()));
  }
}
