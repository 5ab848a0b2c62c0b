/** Tokens rotate every 5 minutes with the previous one accepted; announced peers expire and are capped. */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TokenIssuer, TOKEN_ROTATION_MS } from '../../../daemon/src/dht/tokens';
import { PeerStore, PEER_TTL_MS } from '../../../daemon/src/dht/peer-store';

const HASH_A = new Uint8Array(20).fill(1);
const HASH_B = new Uint8Array(20).fill(2);

describe('tokens', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  test('a token is bound to its address and lives through one rotation, not two', () => {
    const tokens = new TokenIssuer();
    const t = tokens.issue('127.0.0.1');
    assert.ok(tokens.check(t, '127.0.0.1'));
    assert.ok(!tokens.check(t, '127.0.0.2'), 'another address');
    assert.ok(!tokens.check(new Uint8Array(8), '127.0.0.1'), 'a made-up token');
    clock.tick(TOKEN_ROTATION_MS + 1);
    assert.ok(tokens.check(t, '127.0.0.1'), 'the previous secret is accepted');
    assert.notDeepEqual(tokens.issue('127.0.0.1'), t, 'a new token after rotation');
    clock.tick(TOKEN_ROTATION_MS);
    assert.ok(!tokens.check(t, '127.0.0.1'), 'two rotations later it is refused');
  });

  test('a long silence refuses every old token at once', () => {
    const tokens = new TokenIssuer();
    const t = tokens.issue('127.0.0.1');
    clock.tick(3 * TOKEN_ROTATION_MS);
    assert.ok(!tokens.check(t, '127.0.0.1'));
  });
});

describe('peer store', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  test('announced peers expire 30 minutes after their last announce', () => {
    const store = new PeerStore();
    store.add(HASH_A, { ip: '127.0.0.1', port: 1 });
    clock.tick(PEER_TTL_MS - 1000);
    store.add(HASH_A, { ip: '127.0.0.1', port: 2 });
    store.add(HASH_A, { ip: '127.0.0.1', port: 1 }); // re-announced: lives on
    clock.tick(2000);
    assert.deepEqual(store.get(HASH_A).map((p) => p.port).sort(), [1, 2]);
    clock.tick(PEER_TTL_MS);
    assert.deepEqual(store.get(HASH_A), []);
    assert.equal(store.size, 0);
    assert.equal(store.hashes, 0);
  });

  test('caps per info hash and in total drop the oldest first', () => {
    const store = new PeerStore(3, 5);
    for (let port = 1; port <= 5; port++) {
      store.add(HASH_A, { ip: '127.0.0.1', port });
      clock.tick(1);
    }
    assert.deepEqual(store.get(HASH_A).map((p) => p.port), [5, 4, 3], 'newest first, oldest dropped');
    for (let port = 1; port <= 3; port++) store.add(HASH_B, { ip: '127.0.0.2', port });
    assert.equal(store.size, 5);
    assert.deepEqual(store.get(HASH_A).map((p) => p.port), [5, 4], 'the total cap dropped the oldest of all');
    assert.equal(store.get(HASH_B).length, 3);
    assert.equal(store.get(HASH_A, 1).length, 1, 'max per answer');
  });
});
