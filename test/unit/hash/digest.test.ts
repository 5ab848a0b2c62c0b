import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import sinon from 'sinon';
import { HASH_ON_THREAD_MAX, sha1 } from '../../../daemon/src/hash/digest';

describe('sha1', () => {
  afterEach(() => sinon.restore());

  test('matches node:crypto for empty, small and piece-sized input', async () => {
    for (const size of [0, 3, 1 << 20, HASH_ON_THREAD_MAX, HASH_ON_THREAD_MAX + 1]) {
      const data = new Uint8Array(size).map((_, i) => i * 7);
      assert.deepEqual(Buffer.from(await sha1(data)), createHash('sha1').update(data).digest());
    }
  });

  test('hashes piece-sized input on this thread, without the thread pool', async () => {
    const pool = sinon.spy(webcrypto.subtle, 'digest');
    await sha1(new Uint8Array(HASH_ON_THREAD_MAX));
    assert.equal(pool.callCount, 0);
  });

  /** An input for the thread pool whose first byte is `n`. */
  const large = (n: number): Uint8Array => {
    const d = new Uint8Array(HASH_ON_THREAD_MAX + 1);
    d[0] = n;
    return d;
  };

  test('runs two thread-pool digests at once; the rest wait their turn in order', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    sinon.stub(webcrypto.subtle, 'digest').callsFake((_alg, data) => {
      const n = (data as Uint8Array)[0];
      started.push(n);
      return new Promise((resolve) => finish.push(() => resolve(new Uint8Array(20).fill(n).buffer)));
    });
    const inputs = [1, 2, 3, 4, 5].map(large);
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
    await assert.rejects(sha1(large(1)), /no/);
    await assert.rejects(sha1(large(2)), /no/);
    await assert.rejects(sha1(large(3)), /no/);
    assert.equal(stub.callCount, 3);
  });
});
