import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBudget } from '../../../extension/src/restartBudget';

describe('RestartBudget', () => {
  test('allows maxRestarts crashes within the window, refuses the next', () => {
    let now = 0;
    const b = new RestartBudget(3, 60_000, () => now);
    assert.equal(b.recordCrash(), true);
    now += 1000;
    assert.equal(b.recordCrash(), true);
    now += 1000;
    assert.equal(b.recordCrash(), true);
    now += 1000;
    assert.equal(b.recordCrash(), false);
    assert.equal(b.recentCrashes, 4);
  });

  test('crashes older than the window no longer count', () => {
    let now = 0;
    const b = new RestartBudget(2, 10_000, () => now);
    assert.equal(b.recordCrash(), true);
    assert.equal(b.recordCrash(), true);
    now = 10_000;
    assert.equal(b.recordCrash(), true, 'the first two expired');
    assert.equal(b.recentCrashes, 1);
  });

  test('reset forgets every crash', () => {
    const b = new RestartBudget(1, 60_000, () => 0);
    b.recordCrash();
    assert.equal(b.recordCrash(), false);
    b.reset();
    assert.equal(b.recordCrash(), true);
  });
});
