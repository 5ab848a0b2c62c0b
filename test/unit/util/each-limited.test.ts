import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachLimited } from '../../../daemon/src/util/each-limited';

test('eachLimited runs every item, never more than `width` at once, and rejects with the first failure after all ran', async () => {
  let running = 0;
  let most = 0;
  const done: number[] = [];
  const items = Array.from({ length: 20 }, (_, i) => i);
  await assert.rejects(
    eachLimited(items, 3, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      done.push(i);
      if (i === 4 || i === 9) throw new Error(`item ${i}`);
    }),
    /item 4/,
  );
  assert.equal(most, 3);
  assert.deepEqual([...done].sort((a, b) => a - b), items);
  await eachLimited([], 3, () => Promise.reject(new Error('never')));
});
