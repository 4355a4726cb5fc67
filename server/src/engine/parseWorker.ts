/**
 * A worker thread of the parse pool: reads a page (or is given an open document's text), parses it, and
 * posts back its facts, packed. Reading here, not in the main thread, keeps the page's text out of the messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MarkerSet, type NavMarkers } from './navigation';
import { packPage, type PackedPage } from './packedFacts';
import { parseJob, type ParseJob } from './pageFile';

/**
 * The answer to a page (`ParseJob`); pages are answered in the order they were sent. `facts`: packed (as
 * objects, with their ranges, a page's facts took the main thread four times the memory, and copying them
 * between threads was 5 % of a worker's time). `utf8`: see `parseJob`. `ready`: sent once, when the
 * worker has started (one that dies before could not start; one that dies after, died of a page).
 */
export type ParseReply = { facts: PackedPage; utf8: boolean } | { error: string } | { ready: true };

const markers = new MarkerSet((workerData as { markers: NavMarkers }).markers);

parentPort!.on('message', (job: ParseJob) => {
  try {
    const { facts, utf8 } = parseJob(job, markers);
    const packed = packPage(facts);
    parentPort!.postMessage({ facts: packed, utf8 } satisfies ParseReply, [packed.numbers.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message } satisfies ParseReply);
  }
});

parentPort!.postMessage({ ready: true } satisfies ParseReply);
