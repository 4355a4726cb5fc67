import { setFlagsFromString } from 'node:v8';

/*
 * How far this process's heap may grow between full collections. V8 lets a heap grow up to four times
 * what was live at the last one before the next, and the garbage of indexing and checking a large
 * workspace was then most of its peak: here it grows by 30 % at most (50,000 notes: the CLI's cold peak
 * 716 → 514–665 MB, after an edit 658 → 512 MB; the language server's first index 760 → 680 MB), except
 * while parse workers run, when V8 keeps its own growth (0): the setting is the whole process's, and it
 * cost the workers up to 10 % more CPU time. V8 reads it at every full collection.
 */

/** Pools of parse workers running (the language server may index several folders at once). */
let pools = 0;

/** Told when a pool of parse workers starts (true) and once it is done (false); false alone sets the growth to 30 %. */
export function setHeapGrowth(workersRunning: boolean): void {
  pools = Math.max(0, pools + (workersRunning ? 1 : -1));
  setFlagsFromString(`--heap-growing-percent=${pools > 0 ? 0 : 30}`);
}
