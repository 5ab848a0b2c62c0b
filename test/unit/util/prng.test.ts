import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../daemon/src/util/prng';

test('mulberry32: one seed gives one sequence, in [0, 1); another seed another', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(Array.from({ length: 1000 }, () => b()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(new Set(xs).size > 990, 'values spread');
  assert.notEqual(mulberry32(43)(), mulberry32(42)());
});
