import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache } from '../../../daemon/src/session/read-cache';
import type { Storage } from '../../../daemon/src/storage/types';

/** A storage stand-in whose piece p holds bytes of value p, counting reads. */
function fakeStorage(fail = new Set<number>()) {
  const reads: [number, number, number][] = [];
  const storage = {
    read: async (piece: number, offset: number, length: number) => {
      reads.push([piece, offset, length]);
      if (fail.has(piece)) throw new Error('disk gone');
      return new Uint8Array(length).fill(piece);
    },
    readInto: async (piece: number, offset: number, into: Uint8Array) => {
      reads.push([piece, offset, into.length]);
      if (fail.has(piece)) throw new Error('disk gone');
      into.fill(piece);
    },
  } as unknown as Storage;
  return { storage, reads };
}

describe('ReadCache', () => {
  test('reads a piece once and serves its blocks from memory', async () => {
    const { storage, reads } = fakeStorage();
    const cache = new ReadCache(1 << 20);
    const owner = { storage, id: 'a' };
    const blocks = await Promise.all([0, 16384, 32768].map((b) => cache.read(owner, 3, 65536, b, 16384)));
    assert.deepEqual(reads, [[3, 0, 65536]]);
    assert.ok(blocks.every((b) => b.data.length === 16384 && b.data[0] === 3));
  });

  test('evicts the least recently used piece beyond its budget', async () => {
    const { storage, reads } = fakeStorage();
    const cache = new ReadCache(2 * 65536);
    const owner = { storage, id: 'a' };
    await cache.read(owner, 1, 65536, 0, 10);
    await cache.read(owner, 2, 65536, 0, 10);
    await cache.read(owner, 1, 65536, 0, 10); // 1 is now the most recent
    await cache.read(owner, 3, 65536, 0, 10); // evicts 2
    await cache.read(owner, 1, 65536, 0, 10);
    await cache.read(owner, 2, 65536, 0, 10);
    assert.deepEqual(
      reads.map((r) => r[0]),
      [1, 2, 3, 2],
    );
  });

  test('a failed read is not cached; torrents are kept apart and can be forgotten', async () => {
    const failing = new Set([5]);
    const { storage, reads } = fakeStorage(failing);
    const cache = new ReadCache(1 << 20);
    await assert.rejects(cache.read({ storage, id: 'a' }, 5, 1000, 0, 10));
    failing.clear();
    assert.equal((await cache.read({ storage, id: 'a' }, 5, 1000, 0, 10)).data[0], 5);
    await cache.read({ storage, id: 'b' }, 5, 1000, 0, 10);
    cache.forget({ id: 'a' });
    await cache.read({ storage, id: 'a' }, 5, 1000, 0, 10);
    assert.equal(reads.length, 4);
  });

  test('large pieces are read a window at a time, from the window holding the request', async () => {
    const { storage, reads } = fakeStorage();
    const cache = new ReadCache(64 << 20, 65536);
    const owner = { storage, id: 'a' };
    for (let b = 16384; b < 4 * 65536; b += 16384) await cache.read(owner, 0, 8 << 20, b, 16384);
    assert.deepEqual(reads, [
      [0, 0, 65536],
      [0, 65536, 65536],
      [0, 131072, 65536],
      [0, 196608, 65536],
    ]);
    assert.equal(cache.bytesRead, 4 * 65536);
  });

  test('lends the bytes at the request offset inside its window', async () => {
    const storage = {
      readInto: async (_piece: number, offset: number, into: Uint8Array) => {
        for (let i = 0; i < into.length; i++) into[i] = (offset + i) & 0xff;
      },
    } as unknown as Storage;
    const cache = new ReadCache(1 << 20, 65536);
    const block = await cache.read({ storage, id: 'a' }, 0, 1 << 20, 65536 + 1000, 300);
    assert.deepEqual([...block.data.subarray(0, 3)], [(65536 + 1000) & 0xff, (65536 + 1001) & 0xff, (65536 + 1002) & 0xff]);
  });

  test('streams on different large pieces do not evict each other (4 streams, budget of 8 windows)', async () => {
    const { storage } = fakeStorage();
    const window = 65536;
    const cache = new ReadCache(8 * window, window);
    const pieceSize = 4 << 20;
    let served = 0;
    // Four peers, each reading its own piece block by block, their requests interleaved.
    for (let b = 0; b < pieceSize; b += 16384) {
      for (let peer = 0; peer < 4; peer++) {
        const lent = await cache.read({ storage, id: 'a' }, peer, pieceSize, b, 16384);
        served += lent.data.length;
        lent.release();
      }
    }
    assert.equal(cache.bytesRead, served, 'every byte read from storage once');
  });

  test('a window larger than the budget is read block by block', async () => {
    const { storage, reads } = fakeStorage();
    const cache = new ReadCache(32768, 65536);
    await cache.read({ storage, id: 'a' }, 0, 8 << 20, 16384, 16384);
    assert.deepEqual(reads, [[0, 16384, 16384]]);
  });

  test('reuses the buffer of an evicted piece only once every lent block is released', async () => {
    const { storage } = fakeStorage();
    const cache = new ReadCache(65536);
    const owner = { storage, id: 'a' };
    const held = await cache.read(owner, 1, 65536, 0, 16384);
    const other = await cache.read(owner, 2, 65536, 0, 16384); // evicts piece 1, still lent out
    assert.equal(held.data[0], 1, 'a lent block keeps its bytes while in use');
    other.release();
    const third = await cache.read(owner, 3, 65536, 0, 16384); // evicts 2, whose buffer is free
    assert.equal(third.data.buffer, other.data.buffer);
    assert.equal(held.data[0], 1);
    held.release();
    held.release(); // a second release changes nothing
    third.release();
    const fourth = await cache.read(owner, 4, 65536, 0, 16384);
    assert.equal(fourth.data.buffer, held.data.buffer);
    assert.equal(fourth.data[0], 4);
  });
});
