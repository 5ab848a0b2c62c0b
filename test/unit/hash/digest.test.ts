import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import sinon from 'sinon';
import { sha1 } from '../../../daemon/src/hash/digest';

describe('sha1 (thread pool)', () => {
  afterEach(() => sinon.restore());

  test('matches node:crypto for empty, small and piece-sized input', async () => {
    for (const size of [0, 3, 1 << 20]) {
      const data = new Uint8Array(size).map((_, i) => i * 7);
      assert.deepEqual(Buffer.from(await sha1(data)), createHash('sha1').update(data).digest());
    }
  });

  test('runs two digests at once; the rest wait their turn in order', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    sinon.stub(webcrypto.subtle, 'digest').callsFake((_alg, data) => {
      const n = (data as Uint8Array)[0];
      started.push(n);
      return new Promise((resolve) => finish.push(() => resolve(new Uint8Array(20).fill(n).buffer)));
    });
    const inputs = [1, 2, 3, 4, 5].map((n) => Uint8Array.of(n));
    const results = inputs.map((d) => sha1(d));
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await turn();
    assert.deepEqual(started, [1, 2]);
    finish.shift()?.();
    await turn();
    assert.deepEqual(started, [1, 2, 3]);
    while (finish.length > 0) {
      finish.shift()?.();
      await turn();
    }
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
    const digests = await Promise.all(results);
    assert.deepEqual(
      digests.map((d) => d[0]),
      [1, 2, 3, 4, 5],
      'each caller gets its own digest',
    );
  });

  test('a failed digest frees its turn', async () => {
    const stub = sinon.stub(webcrypto.subtle, 'digest').rejects(new Error('no'));
    await assert.rejects(sha1(Uint8Array.of(1)), /no/);
    await assert.rejects(sha1(Uint8Array.of(2)), /no/);
    await assert.rejects(sha1(Uint8Array.of(3)), /no/);
    assert.equal(stub.callCount, 3);
  });
});
