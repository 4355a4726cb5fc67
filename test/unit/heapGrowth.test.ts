/**
 * Once the last pool of parse workers is done, the heap is collected at once, so that the 30 % growth
 * counts from what is alive then (see server/src/heapGrowth.ts). Runs in a process of its own, as every
 * test file: the flags it sets are this process's.
 */
import assert from 'node:assert/strict';
import { PerformanceObserver, constants, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { test } from 'node:test';
import { setHeapGrowth } from '../../server/src/heapGrowth';

/** How many full collections happen while `action` runs and just after (nothing else allocates meanwhile). */
async function fullCollections(action: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail: NodeGCPerformanceDetail }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count++;
  });
  observer.observe({ entryTypes: ['gc'] });
  action();
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return count;
}

test('the heap is collected once the last pool of workers is done, not before nor without one', async () => {
  assert.equal(await fullCollections(() => setHeapGrowth(false)), 0, 'no pool ran: nothing to collect');
  assert.equal(await fullCollections(() => (setHeapGrowth(true), setHeapGrowth(true), setHeapGrowth(false))), 0, 'one pool still runs');
  assert.equal(await fullCollections(() => setHeapGrowth(false)), 1, 'the last pool is done');
  assert.equal(await fullCollections(() => setHeapGrowth(false)), 0, 'no pool left to be done');
});
