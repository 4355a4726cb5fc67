import { setFlagsFromString } from 'node:v8';

/*
 * How far this process's heap may grow. V8 lets the old generation grow up to four times what was live
 * at the last full collection before the next, and the garbage of indexing and checking a large
 * workspace was then most of its peak: here it grows by 30 % at most (50,000 notes: the CLI's cold peak
 * 716 → 514–665 MB, after an edit 658 → 512 MB; the language server's first index 760 → 680 MB). The
 * young generation is not let grow either: V8 doubles its two halves up to 16 MB each when much of what
 * is allocated survives, 32 MB more kept for the rest of the run (after an edit at 10,000 notes the
 * CLI's peak 180 → 151 MB, in the same time). V8 reads both settings as it goes, at each collection.
 * While parse workers run, V8 keeps its own growth: the settings are the whole process's, and they cost
 * the workers up to 10 % more CPU time (the old generation) and more (the young one, where a page's
 * parse allocates 600 times its size).
 */

/** Pools of parse workers running (the language server may index several folders at once). */
let pools = 0;

/** Told when a pool of parse workers starts (true) and once it is done (false); false alone sets the growth to 30 %. */
export function setHeapGrowth(workersRunning: boolean): void {
  pools = Math.max(0, pools + (workersRunning ? 1 : -1));
  setFlagsFromString(`--heap-growing-percent=${pools > 0 ? 0 : 30}`);
  setFlagsFromString(`--semi-space-growth-factor=${pools > 0 ? 2 : 1}`);
}
