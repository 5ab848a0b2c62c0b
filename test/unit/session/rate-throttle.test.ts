import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateMeter } from '../../../daemon/src/util/rate';
import { Throttle } from '../../../daemon/src/util/throttle';

describe('RateMeter', () => {
  test('averages over the window and forgets old seconds', () => {
    let now = 1_000_000;
    const m = new RateMeter(5, () => now);
    m.add(5000);
    assert.equal(m.rate(), 1000);
    now += 1000;
    m.add(5000);
    assert.equal(m.rate(), 2000);
    now += 4000;
    assert.equal(m.rate(), 1000, 'the first second left the window');
    now += 60_000;
    assert.equal(m.rate(), 0);
    assert.equal(m.total, 10_000);
  });
});

describe('Throttle', () => {
  test('0 is unlimited', () => {
    const t = new Throttle(0, () => 0);
    assert.ok(t.unlimited);
    assert.ok(t.tryTake(1e12));
    assert.equal(t.waitMs(1e12), 0);
  });

  test('refills at the rate up to the burst', () => {
    let now = 0;
    const t = new Throttle(100_000, () => now);
    assert.ok(t.tryTake(100_000), 'starts with one second of burst');
    assert.ok(!t.tryTake(16384));
    assert.equal(t.waitMs(16384), 164);
    now += 164;
    assert.ok(t.tryTake(16384));
    now += 60_000;
    assert.ok(t.tryTake(100_000));
    assert.ok(!t.tryTake(1), 'never more than the burst');
  });

  test('a low rate still lets a whole block through', () => {
    let now = 0;
    const t = new Throttle(1000, () => now);
    assert.ok(t.tryTake(16384));
    assert.ok(t.tryTake(16384), 'the burst holds two blocks');
    assert.ok(!t.tryTake(16384));
    assert.equal(t.waitMs(16384), 16384);
    now += t.waitMs(16384);
    assert.ok(t.tryTake(16384));
  });

  test('setRate applies live', () => {
    let now = 0;
    const t = new Throttle(0, () => now);
    t.setRate(50_000);
    assert.ok(!t.unlimited);
    now += 1000;
    assert.ok(t.tryTake(50_000));
    assert.ok(!t.tryTake(50_000));
    t.setRate(0);
    assert.ok(t.tryTake(50_000));
  });
});
