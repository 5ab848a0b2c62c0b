import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RarityOrder } from '../../../daemon/src/picker/rarity';

const op = fc.oneof(
  fc.record({ kind: fc.constant('inc' as const), piece: fc.nat() }),
  fc.record({ kind: fc.constant('dec' as const), piece: fc.nat() }),
  fc.record({ kind: fc.constant('have' as const), piece: fc.nat() }),
);

test('a scan visits exactly the missing, available pieces, rarest first, whatever the history', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(op, { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (n, ops, r) => {
      const have = new Set<number>();
      const avail = new Array<number>(n).fill(0);
      const order = new RarityOrder(n, () => false);
      for (const { kind, piece: raw } of ops) {
        const piece = raw % n;
        if (kind === 'inc') {
          avail[piece]++;
          order.increment(piece);
        } else if (kind === 'dec') {
          avail[piece] = Math.max(0, avail[piece] - 1);
          order.decrement(piece);
        } else {
          have.add(piece);
          order.markHave(piece);
        }
      }
      const visited: number[] = [];
      order.scan(() => r, (p) => (visited.push(p), false));
      const expected = [...Array(n).keys()].filter((p) => !have.has(p) && avail[p] > 0);
      assert.deepEqual([...visited].sort((a, b) => a - b), expected);
      for (let i = 1; i < visited.length; i++) assert.ok(avail[visited[i - 1]] <= avail[visited[i]], 'rarest first');
      for (let p = 0; p < n; p++) assert.equal(order.availability(p), avail[p]);
    }),
  );
});

test('a scan stops when the visitor says so', () => {
  const order = new RarityOrder(3, (p) => p === 1);
  [0, 2, 2].forEach((p) => order.increment(p));
  const visited: number[] = [];
  order.scan(() => 0, (p) => (visited.push(p), true));
  assert.deepEqual(visited, [0]);
});
