import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NavMarkers } from './navigation';
import { unpackPage } from './packedFacts';
import type { ParseJob, ParseReply } from './parseWorker';
import type { PageFacts } from './types';

/** A page parsed by a worker: its facts, and whether its bytes were valid UTF-8. */
export interface ParsedPage {
  facts: PageFacts;
  utf8: boolean;
}

/**
 * Parses pages on worker threads: remark-parse is the slowest step of indexing (about 1 MB/s per core),
 * so a cold index uses every core. Each worker reads its page from disk and returns only the facts.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (page: ParsedPage) => void; reject: (error: Error) => void }>();
  private readonly load = new Map<Worker, number>();
  /** The strings of the facts received, each once (see `unpackPage`). */
  private readonly strings = new Map<string, string>();
  /**
   * The numbers of the facts received, copied end to end into large arrays: a buffer per page costs an
   * allocation of its own and its bookkeeping (an ArrayBuffer, a backing store). `used` of `slab` are taken.
   */
  private slab = new Int32Array(0);
  private used = 0;
  private nextId = 0;

  private constructor(script: string, size: number, markers: NavMarkers) {
    for (let i = 0; i < size; i++) {
      // A worker keeps ~7 MB alive between pages, but V8 lets its young generation grow to 48 MB of garbage:
      // at 16 MB, a cold check of 10,000 notes peaks 50 MB lower, at about the same speed (at 8 MB, 1.7× slower).
      const worker = new Worker(script, { workerData: { markers }, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      worker.on('message', (reply: ParseReply) => {
        const job = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        this.load.set(worker, this.load.get(worker)! - 1);
        if (!job) return;
        if (!('facts' in reply)) return job.reject(new Error(reply.error));
        try {
          job.resolve({ facts: unpackPage({ numbers: this.keep(reply.facts.numbers), strings: reply.facts.strings }, this.strings), utf8: reply.utf8 });
        } catch (error) {
          job.reject(error as Error);
        }
      });
      worker.on('error', (error) => {
        // A worker that dies fails its jobs; the caller reports them like unreadable pages.
        for (const job of this.pending.values()) job.reject(error);
        this.pending.clear();
      });
      this.load.set(worker, 0);
      this.workers.push(worker);
    }
  }

  /**
   * A pool, or undefined when parsing in the calling thread is better: a small workspace (starting
   * workers costs more than it saves), one core, or no worker script next to the bundle.
   */
  static create(pages: number, markers: NavMarkers, script = nodePath.join(__dirname, 'parseWorker.js')): ParsePool | undefined {
    const size = Math.min(availableParallelism(), 8, Math.ceil(pages / 150));
    if (size < 2 || !existsSync(script)) return undefined;
    return new ParsePool(script, size, markers);
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
    const id = this.nextId++;
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
    this.load.set(worker, this.load.get(worker)! + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, path, file, root } satisfies ParseJob);
    });
  }

  async dispose(): Promise<void> {
    this.strings.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
