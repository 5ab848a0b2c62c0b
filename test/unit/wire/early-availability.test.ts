import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EarlyAvailability, MAX_EARLY_HAVES } from '../../../daemon/src/wire/early-availability';
import { WireError } from '../../../daemon/src/wire/errors';

describe('availability announced before the piece count is known', () => {
  test('have none, have all, a bitfield and haves resolve once the count is known', () => {
    const e = new EarlyAvailability();
    assert.equal(e.resolve(10).count, 0);
    e.have(3);
    e.have(9);
    assert.deepEqual([...Array(10).keys()].filter((i) => e.resolve(10).has(i)), [3, 9]);
    e.all();
    assert.ok(e.resolve(10).complete);
    e.have(2);
    assert.ok(e.resolve(10).complete);
    e.bitfield(Uint8Array.from([0b1000_0000, 0b0100_0000]));
    const f = e.resolve(10);
    assert.ok(f.has(0) && f.has(9) && f.count === 2);
    e.none();
    assert.equal(e.resolve(10).count, 0);
  });

  test('what does not fit the torrent is a WireError', () => {
    const e = new EarlyAvailability();
    e.have(10);
    assert.throws(() => e.resolve(10), WireError);
    e.bitfield(Uint8Array.from([0xff, 0xff, 0xff]));
    assert.throws(() => e.resolve(10), WireError, 'a bitfield of the wrong length');
    e.bitfield(Uint8Array.from([0xff, 0xff]));
    assert.throws(() => e.resolve(10), WireError, 'spare bits set');
  });

  test('haves are bounded, and any input resolves or is a WireError', () => {
    const e = new EarlyAvailability();
    for (let i = 0; i < MAX_EARLY_HAVES + 1000; i++) e.have(i);
    assert.equal(e.resolve(MAX_EARLY_HAVES + 1000).count, MAX_EARLY_HAVES);
    for (let round = 0; round < 500; round++) {
      const x = new EarlyAvailability();
      const bytes = randomBytes(round % 7);
      if (round % 3 === 0) x.bitfield(bytes);
      x.have(bytes[0] ?? 0);
      const count = 1 + (round % 50);
      try {
        assert.ok(x.resolve(count).length === count);
      } catch (err) {
        assert.ok(err instanceof WireError, String(err));
      }
    }
  });
});
