import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyChoices, decodeChoices, encodeChoices, sameChoices } from '../../../daemon/src/storage/file-choices';
import { seeded } from '../picker/fixtures';

describe('file choices state', () => {
  test('round trip', () => {
    const c = { priorities: ['skip', 'low', 'normal', 'high'] as const, inParts: [0], sequential: true };
    assert.deepEqual(decodeChoices(encodeChoices({ ...c, priorities: [...c.priorities] }), 4), { ...c, priorities: [...c.priorities] });
  });

  test('rejects what does not fit the torrent', () => {
    const good = { format: 'btd-files', version: 1, priorities: ['normal', 'skip'], inParts: [1], sequential: false };
    const bad = (o: object): Uint8Array => Buffer.from(JSON.stringify({ ...good, ...o }));
    assert.throws(() => decodeChoices(bad({ priorities: ['normal'] }), 2), /priorities/);
    assert.throws(() => decodeChoices(bad({ priorities: ['normal', 'urgent'] }), 2), /priorities/);
    assert.throws(() => decodeChoices(bad({ inParts: [2] }), 2), /parts/);
    assert.throws(() => decodeChoices(bad({ version: 2 }), 2), /version/);
    assert.throws(() => decodeChoices(bad({ sequential: 'yes' }), 2), /sequential/);
    assert.throws(() => decodeChoices(Buffer.from('x'.repeat(10_000)), 2), /too large/);
  });

  test('fuzz: random bytes and mutations never throw anything but Error', () => {
    const rnd = seeded(13);
    const base = encodeChoices({ priorities: ['normal', 'skip', 'high'], inParts: [1], sequential: false });
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from(base);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        const c = decodeChoices(b, 3);
        assert.equal(c.priorities.length, 3);
      } catch (err) {
        assert.ok(err instanceof Error);
      }
    }
  });
});

test('sameChoices: priorities in order, parts files as a set, sequential; nothing saved equals nothing', () => {
  const c = { priorities: ['normal', 'skip', 'high'] as const, inParts: [1, 2], sequential: false };
  const base = { ...c, priorities: [...c.priorities] };
  assert.ok(sameChoices(copyChoices(base), base));
  assert.ok(sameChoices({ ...copyChoices(base), inParts: [2, 1] }, base));
  assert.ok(!sameChoices(undefined, base));
  assert.ok(!sameChoices({ ...copyChoices(base), sequential: true }, base));
  assert.ok(!sameChoices({ ...copyChoices(base), priorities: ['normal', 'skip', 'low'] }, base));
  assert.ok(!sameChoices({ ...copyChoices(base), inParts: [1] }, base));
  assert.ok(!sameChoices({ ...copyChoices(base), inParts: [1, 3] }, base));
  const copy = copyChoices(base);
  copy.priorities[0] = 'skip';
  copy.inParts.push(0);
  assert.deepEqual(base.priorities, ['normal', 'skip', 'high'], 'a copy shares no array');
  assert.deepEqual(base.inParts, [1, 2]);
});
