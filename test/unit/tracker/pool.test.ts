import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCompactPeer } from '../../../daemon/src/tracker/compact';
import { PeerPool, V4_BYTES, V6_BYTES, type SwarmPeer } from '../../../daemon/src/tracker/server/pool';
import { PeerSelection } from '../../../daemon/src/tracker/server/selection';

function peer(n: number, ipv4: string | undefined, ipv6: string | undefined, port: number): SwarmPeer {
  return { peerId: String(n).padEnd(20, '.'), ipv4, ipv6, port, seeder: false, lastSeen: 0, key: undefined, index: -1 };
}

const address = fc.record({
  v4: fc.option(fc.ipV4(), { nil: undefined }),
  v6: fc.option(fc.ipV6(), { nil: undefined }),
  port: fc.integer({ min: 1, max: 65535 }),
});
const op = fc.oneof(
  address.map((a) => ({ kind: 'add' as const, ...a })),
  fc.nat().map((at) => ({ kind: 'remove' as const, at })),
  fc.tuple(fc.nat(), address).map(([at, a]) => ({ kind: 'readdress' as const, at, ...a })),
);

/** Checks every store entry and counter against the peers' own fields. */
function assertConsistent(pool: PeerPool): void {
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  assert.ok(pool.v4.length >= pool.length * V4_BYTES);
  pool.peers.forEach((p, i) => {
    assert.equal(p.index, i);
    const v4 = [...pool.v4.subarray(i * V4_BYTES, (i + 1) * V4_BYTES)];
    assert.deepEqual(v4, p.ipv4 === undefined ? zeros(V4_BYTES) : [...encodeCompactPeer(p.ipv4, p.port)]);
    if (p.ipv6 !== undefined) assert.deepEqual([...pool.v6.subarray(i * V6_BYTES, (i + 1) * V6_BYTES)], [...encodeCompactPeer(p.ipv6, p.port)]);
    else if (pool.v6.length > 0) assert.deepEqual([...pool.v6.subarray(i * V6_BYTES, (i + 1) * V6_BYTES)], zeros(V6_BYTES));
  });
  assert.equal(pool.withoutV4, pool.peers.filter((p) => p.ipv4 === undefined).length);
  assert.equal(pool.withV6, pool.peers.filter((p) => p.ipv6 !== undefined).length);
}

describe('peer pool', () => {
  test('fuzz: after any adds, removes and address changes, entry i is the compact form of peer i', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const pool = new PeerPool();
        ops.forEach((o, n) => {
          if (o.kind === 'add') pool.add(peer(n, o.v4, o.v6, o.port));
          else if (pool.length > 0 && o.kind === 'remove') pool.remove(pool.peers[o.at % pool.length]);
          else if (pool.length > 0 && o.kind === 'readdress') {
            const p = pool.peers[o.at % pool.length];
            const before = { ipv4: p.ipv4, ipv6: p.ipv6 };
            Object.assign(p, { ipv4: o.v4, ipv6: o.v6, port: o.port });
            pool.readdress(p, before);
          }
          assertConsistent(pool);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('a pool that empties gives back its memory', () => {
    const pool = new PeerPool();
    const peers = Array.from({ length: 1000 }, (_, i) => peer(i, '10.0.0.1', '::1', 1 + i));
    for (const p of peers) pool.add(p);
    for (const p of peers) pool.remove(p);
    assert.ok(pool.v4.length <= 4 * V4_BYTES, `v4 store still ${pool.v4.length} bytes`);
    assert.equal(pool.v6.length, 0);
  });
});

describe('peer selection', () => {
  const pools = fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 30 }));
  test('fuzz: a window never holds the announcer, holds no peer twice, and is as large as allowed', () => {
    fc.assert(
      fc.property(pools, fc.nat({ max: 70 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.nat(), (sizes, count, r, selfPick) => {
        const [first, second] = sizes.map((size, k) => {
          const pool = new PeerPool();
          for (let i = 0; i < size; i++) pool.add(peer(k * 100 + i, '10.0.0.1', undefined, 1 + i));
          return pool;
        });
        const all = [...first.peers, ...second.peers];
        // The announcer is in one of the pools, or (a seeder asking for leechers) in neither.
        const self = selfPick % (all.length + 1) < all.length ? all[selfPick % (all.length + 1)] : peer(999, '10.0.0.2', undefined, 1);
        const selection = new PeerSelection();
        selection.addWindow(first, second, count, self, () => r);
        const got = selection.peers();
        assert.ok(!got.includes(self));
        assert.equal(new Set(got).size, got.length);
        assert.equal(got.length, Math.min(count, all.length - (all.includes(self) ? 1 : 0)));
        assert.equal(selection.size, got.length);
      }),
      { numRuns: 2000 },
    );
  });

  test('the window starts at a random position and wraps once', () => {
    const pool = new PeerPool();
    for (let i = 0; i < 5; i++) pool.add(peer(i, '10.0.0.1', undefined, 1 + i));
    const selection = new PeerSelection();
    selection.addWindow(pool, undefined, 3, pool.peers[4], () => 0.7);
    assert.deepEqual(selection.peers().map((p) => p.port), [4, 1, 2]);
    selection.clear();
    assert.deepEqual(selection.peers(), []);
  });
});
