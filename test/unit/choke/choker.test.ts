import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseUnchoked, pickOptimistic, type ChokePeer, OPTIMISTIC_INTERVAL_MS, SEED_TURN_MS, UNCHOKE_INTERVAL_MS } from '../../../daemon/src/choke';

/**
 * Peers from a compact fixture: "key:down/since[i][s][n][u]" — `since` is when we last choked or
 * unchoked it (s), i interested, s snubbed, n new, u unchoked now, x left an unchoke unused, a asked for data.
 */
function peers(spec: string): ChokePeer[] {
  return spec.split(/\s+/).filter(Boolean).map((item) => {
    const m = /^(\w+):(\d+)\/(\d+)([isnuxa]*)$/.exec(item);
    if (!m) throw new Error(`bad fixture ${item}`);
    return {
      key: m[1],
      downloadRate: Number(m[2]),
      chokeChangedAt: Number(m[3]) * 1000,
      interested: m[4].includes('i'),
      snubbed: m[4].includes('s'),
      newConnection: m[4].includes('n'),
      choked: !m[4].includes('u'),
      unused: m[4].includes('x'),
      asked: m[4].includes('a'),
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

  test('seeding serves waiting peers that asked for data before those that only say interested', () => {
    // idle1..3 waited longest but never requested anything; honest asked for its allowed-fast pieces.
    const swarm = peers('idle1:0/1i idle2:0/2i idle3:0/3i honest:0/9ia busy:0/95iua');
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: true, slots: 2, now: 100_000 })), ['busy', 'honest']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: true, slots: 3, now: 100_000 })), ['busy', 'honest', 'idle1']);
    // Leeching: at the same rate, the peer that asked comes first.
    assert.deepEqual(sorted(chooseUnchoked(peers('a:0/1i b:0/1ia'), { seeding: false, slots: 1 })), ['b']);
  });

  test('seeding serves the interested peers that waited longest, and ignores snubbing', () => {
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: true, slots: 3, now: 100_000 })), ['a', 'e', 'g']);
    assert.deepEqual(sorted(chooseUnchoked(peers('x:0/1is y:0/5i'), { seeding: true, slots: 1, now: 100_000 })), ['x']);
  });

  test('seeding keeps a peer unchoked for its turn, then rotates the slot to one that waited', () => {
    const round = (now: number, spec: string): string[] => sorted(chooseUnchoked(peers(spec), { seeding: true, slots: 2, now }));
    const turnS = SEED_TURN_MS / 1000;
    // a and b were unchoked at 0 s; c and d wait, choked at 0 s.
    assert.deepEqual(round((turnS - 1) * 1000, 'a:99/0iu b:99/0iu c:0/0i d:0/0i'), ['a', 'b'], 'within their turn');
    assert.deepEqual(round(turnS * 1000, 'a:99/0iu b:99/0iu c:0/0i d:0/0i'), ['c', 'd'], 'turn over: the waiting peers');
    assert.deepEqual(round(turnS * 1000, 'a:99/0iu b:99/0iu c:0/0i'), ['a', 'c'], 'one waits: it takes the longest-served slot');
    assert.deepEqual(round(turnS * 1000, 'a:99/0iu b:99/0iu'), ['a', 'b'], 'nobody waits: they keep their slots');
  });

  test('every interested leecher of a seed is served within a few rounds', () => {
    // Eight leechers, four slots, a round every 10 s: with rates alone the first four would stay for ever.
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const state = new Map(keys.map((k) => [k, { choked: true, at: 0, served: false }]));
    for (let now = 0; now <= 120_000; now += UNCHOKE_INTERVAL_MS) {
      const view: ChokePeer[] = keys.map((key) => ({ key, interested: true, downloadRate: 0, choked: state.get(key)!.choked, chokeChangedAt: state.get(key)!.at, snubbed: false, newConnection: false }));
      const chosen = chooseUnchoked(view, { seeding: true, slots: 4, now });
      for (const [key, s] of state) {
        const unchoke = chosen.has(key);
        if (unchoke === s.choked) s.at = now;
        s.choked = !unchoke;
        if (unchoke) s.served = true;
      }
    }
    assert.deepEqual(keys.filter((k) => !state.get(k)!.served), []);
  });

  test('the optimistic peer comes on top of the slots, if still connected', () => {
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'e' })), ['a', 'b', 'e']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'a' })), ['a', 'b']);
    assert.deepEqual(sorted(chooseUnchoked(swarm, { seeding: false, slots: 2, optimistic: 'gone' })), ['a', 'b']);
  });

  test('a peer that left an unchoke unused gets no regular slot, leeching or seeding', () => {
    const ps = peers('a:90/1ix b:10/9i c:0/5ixu');
    assert.deepEqual(sorted(chooseUnchoked(ps, { seeding: false, slots: 2 })), ['b']);
    assert.deepEqual(sorted(chooseUnchoked(ps, { seeding: true, slots: 2, now: 10_000 })), ['b']);
    assert.deepEqual(sorted(chooseUnchoked(ps, { seeding: true, slots: 2, optimistic: 'a', now: 10_000 })), ['a', 'b'], 'the optimistic slot may still take it');
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

  test('a peer that left an unchoke unused is five times less likely', () => {
    const ps = peers('idle:0/0ix real:0/0i');
    const counts = { idle: 0, real: 0 };
    for (let i = 0; i < 120; i++) counts[pickOptimistic(ps, undefined, () => (i + 0.5) / 120) as 'idle' | 'real']++;
    assert.deepEqual(counts, { idle: 20, real: 100 });
  });

  test('peers already unchoked are excluded', () => {
    assert.equal(pickOptimistic(peers('a:0/0i b:0/0i'), undefined, () => 0, new Set(['a'])), 'b');
  });

  test('intervals follow BEP 3 practice', () => {
    assert.equal(UNCHOKE_INTERVAL_MS, 10_000);
    assert.equal(OPTIMISTIC_INTERVAL_MS, 30_000);
  });
});
