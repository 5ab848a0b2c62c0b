import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AddressBook, MAX_ADDRESSES } from '../../../daemon/src/session/address-book';

describe('AddressBook', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] })));
  afterEach(() => clock.restore());

  test('hands out each address once until it is due again', () => {
    const b = new AddressBook();
    assert.ok(b.add('10.0.0.1', 6881));
    assert.ok(!b.add('10.0.0.1', 6881));
    assert.ok(!b.add('10.0.0.2', 0), 'port 0 is ignored');
    assert.deepEqual(b.take(Date.now(), new Set(), 10), [{ ip: '10.0.0.1', port: 6881 }]);
    assert.deepEqual(b.take(Date.now(), new Set(), 10), []);
    assert.deepEqual(b.take(Date.now() + 15_000, new Set(), 10).length, 1);
  });

  test('skips busy addresses and respects the limit', () => {
    const b = new AddressBook();
    for (let i = 1; i <= 5; i++) b.add(`10.0.0.${i}`, 1000);
    assert.equal(b.take(Date.now(), new Set(['10.0.0.1:1000']), 3).length, 3);
    assert.equal(b.take(Date.now(), new Set(['10.0.0.1:1000']), 3).length, 1);
  });

  test('failures back off exponentially; success resets', () => {
    const b = new AddressBook();
    b.add('h', 1);
    const now = Date.now();
    b.take(now, new Set(), 1);
    b.failed('h', 1, now);
    b.failed('h', 1, now);
    assert.equal(b.take(now + 29_999, new Set(), 1).length, 0);
    assert.equal(b.take(now + 30_000, new Set(), 1).length, 1);
    b.succeeded('h', 1);
    b.failed('h', 1, now);
    assert.equal(b.take(now + 15_000, new Set(), 1).length, 1);
  });

  test('banned addresses never come back; wake and add(now) make others due at once', () => {
    const b = new AddressBook();
    b.add('a', 1);
    b.add('b', 1);
    b.ban('a', 1);
    b.ban('c', 1);
    assert.ok(!b.add('c', 1));
    const now = Date.now();
    assert.deepEqual(b.take(now, new Set(), 10), [{ ip: 'b', port: 1 }]);
    b.wake();
    assert.deepEqual(b.take(now, new Set(), 10), [{ ip: 'b', port: 1 }]);
    b.add('b', 1, true);
    assert.equal(b.take(now, new Set(), 10).length, 1);
    b.add('a', 1, true);
    assert.equal(b.take(now, new Set(), 10).length, 0);
  });

  test('is bounded', () => {
    const b = new AddressBook();
    for (let i = 0; i < MAX_ADDRESSES + 10; i++) b.add(`p${i}`, 1);
    assert.equal(b.size, MAX_ADDRESSES);
  });
});
