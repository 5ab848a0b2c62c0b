import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVICTION_GRACE_MS, IDLE_GIVE_WAY_MS, leastUseful, neverUseful, pastGrace, TrafficWindow } from '../../../daemon/src/session/eviction';
import type { Peer } from '../../../daemon/src/session/peer';

/** A connection opened at `connectedAt` that last sent something useful at `usefulAt`, with `bytes` moved and `inFlight` requests. */
function peer(key: string, connectedAt: number, usefulAt: number, bytes = 0, inFlight = 0, direction: 'incoming' | 'outgoing' = 'incoming'): Peer {
  return {
    key,
    connectedAt,
    lastUsefulAt: usefulAt,
    uploads: [],
    reading: 0,
    traffic: new TrafficWindow(),
    conn: { outstandingRequests: inFlight, downloadedBytes: bytes, uploadedBytes: 0, direction },
  } as unknown as Peer;
}

describe('eviction', () => {
  test('a young connection is protected only while it is useful', () => {
    assert.equal(IDLE_GIVE_WAY_MS, 10_000);
    assert.equal(pastGrace({ connectedAt: 0, lastUsefulAt: 0 }, IDLE_GIVE_WAY_MS - 1), false);
    assert.equal(pastGrace({ connectedAt: 0, lastUsefulAt: 0 }, IDLE_GIVE_WAY_MS), true, 'nothing useful for 10 s');
    assert.equal(pastGrace({ connectedAt: 0, lastUsefulAt: 5_000 }, IDLE_GIVE_WAY_MS), false, 'a request 5 s ago');
    assert.equal(pastGrace({ connectedAt: 0, lastUsefulAt: EVICTION_GRACE_MS - 1 }, EVICTION_GRACE_MS), true, 'old enough anyway');
  });

  test('an idle newcomer gives way before the grace period; a useful one and one mid-transfer do not', () => {
    const now = 12_000;
    const idle = peer('idle', 1_000, 1_000);
    const useful = peer('useful', 0, 11_000);
    const busy = peer('busy', 0, 0, 0, 3);
    assert.equal(leastUseful([useful, busy, idle], now)?.key, 'idle');
    assert.equal(leastUseful([useful, busy], now), undefined);
  });

  test('a connected newcomer takes the place of the oldest connection that never did anything useful', () => {
    const now = 2_000;
    const first = peer('first', 1_000, 1_000);
    const second = peer('second', 1_500, 1_500);
    const proved = peer('proved', 1_200, 1_300);
    const busy = peer('busy', 1_100, 1_100, 0, 2);
    assert.equal(neverUseful(first), true);
    assert.equal(neverUseful(proved), false);
    assert.equal(leastUseful([second, proved, busy, first], now), undefined, 'a dial makes no room in the grace period');
    assert.equal(leastUseful([second, proved, busy, first], now, undefined, true)?.key, 'first');
    assert.equal(leastUseful([proved, busy], now, undefined, true), undefined, 'a peer that proved itself, or has blocks in flight, stays');
    const dialled = peer('dialled', 900, 900, 0, 0, 'outgoing');
    assert.equal(leastUseful([dialled, second], now, undefined, true)?.key, 'second', 'a connection we dialled keeps its grace period');
  });

  test('among those that may go, the one that moved fewest bytes goes', () => {
    const now = 40_000;
    assert.equal(leastUseful([peer('a', 0, 39_000, 5_000), peer('b', 0, 39_000, 10), peer('c', 35_000, 35_000)], now)?.key, 'b');
  });
});
