import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { throttle } from '../../../extension/src/throttle';

describe('throttle', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  test('first call runs at once, a burst collapses into one trailing call', () => {
    const fn = sinon.spy();
    const t = throttle(fn, 500);
    t();
    assert.equal(fn.callCount, 1);
    for (let i = 0; i < 50; i++) t();
    assert.equal(fn.callCount, 1);
    clock.tick(499);
    assert.equal(fn.callCount, 1);
    clock.tick(1);
    assert.equal(fn.callCount, 2);
    clock.tick(10_000);
    assert.equal(fn.callCount, 2, 'no call without new input');
  });

  test('steady input gives at most one call per interval', () => {
    const fn = sinon.spy();
    const t = throttle(fn, 100);
    for (let ms = 0; ms < 1000; ms += 10) {
      t();
      clock.tick(10);
    }
    assert.ok(fn.callCount >= 10 && fn.callCount <= 11, `calls: ${fn.callCount}`);
  });

  test('after a quiet interval the next call runs at once again', () => {
    const fn = sinon.spy();
    const t = throttle(fn, 100);
    t();
    clock.tick(200);
    t();
    assert.equal(fn.callCount, 2);
  });

  test('flush runs the pending call now; dispose drops it', () => {
    const fn = sinon.spy();
    const t = throttle(fn, 100);
    t();
    t();
    t.flush();
    assert.equal(fn.callCount, 2);
    t();
    t.dispose();
    clock.tick(1000);
    assert.equal(fn.callCount, 2);
  });
});
