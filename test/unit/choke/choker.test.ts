import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseUnchoked, pickOptimistic, type ChokePeer, OPTIMISTIC_INTERVAL_MS, UNCHOKE_INTERVAL_MS } from '../../../daemon/src/choke';

/** Peers from a compact fixture: "key:down/up[i][s][n]" — i interested, s snubbed, n new. */
function peers(spec: string): ChokePeer[] {
  return spec.split(/\s+/).filter(Boolean).map((item) => {
    const m = /^(\w+):(\d+)\/(\d+)([isn]*)$/.exec(item);
    if (!m) throw new Error(`bad fixture ${item}`);
    return {
      key: m[1],
      downloadRate: Number(m[2]),
      uploadRate: Number(m[3]),
      interested: m[4].includes('i'),
      snubbed: m[4].includes('s'),
      newConnection: m[4].includes('n'),
    };
  });
}

const sorted = (s: Set<string>): string[] => [...s].sort();

describe('chooseUnchoked', () => {
  const swarm = peers('a:50/1i b:40/9i c:30/8i d:20/7i e:10/6i f:90/90 g:80/1is');

  test('leeching ranks interested peers by what they give us', () => {
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false })), ['a', 'b', 'c', 'd']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2 })), ['a', 'b']);
  });

  test('seeding ranks by upload rate and ignores snubbing', () => {
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: true, slots: 3 })), ['b', 'c', 'd']);
    assert.deepEqual(sorted(chooseUnchoked(peers('x:0/5is y:0/1i'), { seeding: true, slots: 1 })), ['x']);
  });

  test('the optimistic peer comes on top of the slots, if still connected', () => {
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'e' })), ['a', 'b', 'e']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'a' })), ['a', 'b']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'gone' })), ['a', 'b']);
  });

  test('equal rates break ties on the key', () => {
    assert.deepEqual(sorted(chooseUnchoked(peers('b:5/0i a:5/0i c:5/0i'), { seeding: false, slots: 2 })), ['a', 'b']);
    assert.deepEqual(sorted(chooseUnchoked([], { seeding: false })), []);
  });
});

describe('pickOptimistic', () => {
  test('rotates away from the current peer and skips uninterested ones', () => {
    const ps = peers('a:0/0i b:0/0i c:0/0');
    assert.equal(pickOptimistic(ps, 'a', () => 0), 'b');
    assert.equal(pickOptimistic(ps, 'b', () => 0.99), 'a');
    assert.equal(pickOptimistic(peers('a:0/0i'), 'a', () => 0.5), 'a');
    assert.equal(pickOptimistic(peers('a:0/0'), undefined, () => 0.5), undefined);
  });

  test('new connections are three times as likely', () => {
    const ps = peers('old:0/0i new:0/0in');
    const counts = { old: 0, new: 0 };
    for (let i = 0; i < 100; i++) counts[pickOptimistic(ps, undefined, () => i / 100) as 'old' | 'new']++;
    assert.deepEqual(counts, { old: 25, new: 75 });
  });

  test('peers already unchoked are excluded', () => {
    assert.equal(pickOptimistic(peers('a:0/0i b:0/0i'), undefined, () => 0, new Set(['a'])), 'b');
  });

  test('intervals follow BEP 3 practice', () => {
    assert.equal(UNCHOKE_INTERVAL_MS, 10_000);
    assert.equal(OPTIMISTIC_INTERVAL_MS, 30_000);
  });
});
