import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/*
 * How far this process's heap may grow. V8 lets the old generation grow up to four times what was live
 * at the last full collection before the next, and the garbage of indexing and checking a large
 * workspace was then most of its peak: here it grows by 30 % at most (50,000 notes: the CLI's cold peak
 * 716 → 514–665 MB, after an edit 658 → 512 MB; the language server's first index 760 → 680 MB).
 *
 * The young generation: V8 doubles its two halves, from 1 MB up to 16 MB each, while much of what is
 * allocated survives, and keeps them. Here they stop once they hold 8 MB together: V8 reads its growth
 * factor at each collection, and the report of a collection comes after it, so they end at 4 or 8 MB
 * each. After an edit, medians of three alternated runs: at 10,000 notes 185 MB and 1.30 s with V8's
 * own growth, 161 MB and 1.36 s here (146 MB and 1.46 s with 1 MB halves, 28 % of the run collecting
 * garbage); at 50,000 notes 477 MB and 5.9 s with V8's growth, 461 MB and 6.0 s here (halves held at
 * 2 MB: 7.0 s; at 1 MB, 8.3 s against 7.2 s in another run).
 *
 * While parse workers run, V8 keeps its own growth: the settings are the whole process's, and they cost
 * the workers up to 10 % more CPU time (the old generation) and more (the young one, where a page's
 * parse allocates 600 times its size). V8 sets the old generation's next limit at each full collection,
 * so the 30 % counts only from the next one: until then the limit set by the last one under V8's own
 * growth holds (up to four times what was alive then), and the garbage of checking the whole workspace
 * filled it. So when the workers are done, one full collection at once sets the limit from what is alive.
 */

/** Pools of parse workers running (the language server may index several folders at once). */
let pools = 0;

/** Past this, together, the young generation's two halves grow no more: see above. */
const youngGenerationBytes = 8 * 2 ** 20;

let youngGrowth: 1 | 2 | undefined;

/** Lets the young generation grow (V8's factor 2) while workers run or while it is under the bound, else not (1). */
function setYoungGrowth(): void {
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  const growth = pools > 0 || (newSpace?.space_size ?? 0) < youngGenerationBytes ? 2 : 1;
  if (growth === youngGrowth) return;
  youngGrowth = growth;
  setFlagsFromString(`--semi-space-growth-factor=${growth}`);
}

let watching = false;

/** A full collection of this thread's heap: V8's `gc`, which only contexts made after `--expose-gc` have. */
let collectGarbage: (() => void) | undefined;
function fullCollection(): void {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  collectGarbage();
}

/**
 * Told when a pool of parse workers starts (true) and once it is done (false); false alone sets the growth
 * to 30 %, and once the last pool is done collects the garbage at once (see above).
 */
export function setHeapGrowth(workersRunning: boolean): void {
  const poolDone = !workersRunning && pools > 0;
  pools = Math.max(0, pools + (workersRunning ? 1 : -1));
  setFlagsFromString(`--heap-growing-percent=${pools > 0 ? 0 : 30}`);
  if (poolDone && pools === 0) fullCollection();
  setYoungGrowth();
  if (!watching) {
    watching = true;
    new PerformanceObserver(setYoungGrowth).observe({ entryTypes: ['gc'] });
  }
}
