import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Penalties } from '../../../daemon/src/session/penalties';

describe('Penalties', () => {
  test('the only contributor of a failed piece is banned at once', () => {
    const p = new Penalties();
    p.contributed(1, 'bad');
    p.contributed(1, 'bad');
    assert.deepEqual(p.failed(1), ['bad']);
    assert.ok(p.isBanned('bad'));
    assert.deepEqual(p.failed(1), [], 'contributors are forgotten after the verdict');
  });

  test('shared failures ban only after the limit; passed pieces cost nothing', () => {
    const p = new Penalties(3);
    for (const piece of [1, 2, 3]) {
      p.contributed(piece, 'bad');
      p.contributed(piece, piece === 3 ? 'other' : 'good');
    }
    p.contributed(4, 'good');
    p.passed(4);
    assert.deepEqual(p.failed(1), []);
    assert.deepEqual(p.failed(2), []);
    assert.deepEqual(p.failed(3), ['bad']);
    assert.ok(!p.isBanned('good'));
    assert.equal(p.bannedCount, 1);
  });
});
