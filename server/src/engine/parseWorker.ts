/**
 * A worker thread of the parse pool: reads a page, parses it, and posts back its facts, packed.
 * Reading here, not in the main thread, keeps the page's text out of the messages.
 */
import { isUtf8 } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { MarkerSet, type NavMarkers } from './navigation';
import { packPage, type PackedPage } from './packedFacts';
import { parsePage, stripBom } from './parse';
import { decodePage, readInside } from './workspace';

export interface ParseJob {
  id: number;
  /** The workspace path, for messages. */
  path: string;
  /** The real path to read (already checked to be inside the workspace). */
  file: string;
  /** The workspace's real path: the file is read only if it still lies inside (`readInside`). */
  root: string;
}

/**
 * `facts`: packed (as objects, with their ranges, a page's facts took the main thread four times the memory,
 * and copying them between threads was 5 % of a worker's time). `utf8`: whether the bytes were valid UTF-8
 * (the facts are then of the text with U+FFFD in place of the bad bytes).
 */
export type ParseReply = { id: number; facts: PackedPage; utf8: boolean } | { id: number; error: string };

const markers = new MarkerSet((workerData as { markers: NavMarkers }).markers);

parentPort!.on('message', (job: ParseJob) => {
  try {
    // Synchronous: this thread has nothing else to do meanwhile, and the promise API costs an open, a stat,
    // a read and a close through the thread pool (5 % of a cold run's parse time).
    const bytes = readInside(job.root, job.file);
    const text = stripBom(decodePage(job.path, bytes));
    const facts = packPage(parsePage(text, markers));
    parentPort!.postMessage({ id: job.id, facts, utf8: isUtf8(bytes) } satisfies ParseReply, [facts.numbers.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: (error as Error).message } satisfies ParseReply);
  }
});
