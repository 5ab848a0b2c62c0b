import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreInOrder } from '../../../daemon/src/rpc/restore';

/** A restore step whose opening takes `delays[i]` turns of the event loop, then waits its turn and lists the entry. */
function steps(delays: number[], listed: number[], opts: { failing?: number; stopAfter?: number } = {}) {
  let open = 0;
  let maxOpen = 0;
  return {
    maxOpen: () => maxOpen,
    stopped: () => opts.stopAfter !== undefined && listed.length + open >= opts.stopAfter,
    restore: async (i: number, turn: Promise<void>) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      for (let k = 0; k < delays[i]; k++) await new Promise((r) => setImmediate(r));
      open--;
      if (i === opts.failing) throw new Error('unreadable');
      await turn;
      listed.push(i);
    },
  };
}

test('restoreInOrder: several open at once, listed in the catalog order however long each takes', async () => {
  const delays = [9, 1, 5, 0, 7, 2, 2, 8, 0, 3];
  const listed: number[] = [];
  const s = steps(delays, listed);
  await restoreInOrder(delays.map((_, i) => i), s, 4);
  assert.deepEqual(listed, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(s.maxOpen() > 1, 'entries overlap');
  assert.ok(s.maxOpen() <= 4, `at most the window in flight (saw ${s.maxOpen()})`);
});

test('restoreInOrder: a failed entry does not hold up or reorder the others; a stop starts no more', async () => {
  const listed: number[] = [];
  await restoreInOrder([0, 1, 2, 3], steps([0, 3, 0, 0], listed, { failing: 1 }), 2);
  assert.deepEqual(listed, [0, 2, 3]);
  const few: number[] = [];
  await restoreInOrder([0, 1, 2, 3, 4, 5], steps([0, 0, 0, 0, 0, 0], few, { stopAfter: 2 }), 1);
  assert.deepEqual(few, [0, 1]);
});
