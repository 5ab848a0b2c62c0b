/**
 * The swarm table's fair shares: one IP cannot shut newcomers out of a swarm or the table. A fake clock
 * drives the per-minute rate of new swarms.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { SwarmTable, type SwarmLimits } from '../../../daemon/src/tracker/server/swarm';
import type { AnnounceParams } from '../../../daemon/src/tracker/server/params';
import { TOO_MANY_NEW_SWARMS } from '../../../daemon/src/tracker/server/ip-share';
import { announceOf, hash } from './fixtures';

const LIMITS: SwarmLimits = { maxTorrents: 3, maxPeersPerTorrent: 5, maxPeers: 100, peerTtlMs: 60_000, maxPeersPerIp: 3, maxNewSwarmsPerIpPerMinute: 2 };
function announce(name: string, ip: string, over: Partial<AnnounceParams> = {}): AnnounceParams {
  return announceOf(name, { ipv4: ip, ...over });
}

const names = (table: SwarmTable, n = 1): string[] =>
  [...table.entries()]
    .filter((s) => s.key === hash(n))
    .flatMap((s) => [...s.peers.keys()])
    .map((k) => k.replace(/\.+$/, ''))
    .sort();

describe('swarm table fair shares', () => {
  let clock: sinon.SinonFakeTimers;
  let table: SwarmTable;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
    table = new SwarmTable(LIMITS, () => Date.now(), () => 0);
  });
  afterEach(() => clock.restore());

  test('one IP holds at most maxPeersPerIp peers of a swarm: a new one replaces its oldest', () => {
    for (const n of ['f1', 'f2', 'f3', 'f4']) table.announce(announce(n, '10.0.0.1'));
    assert.deepEqual(names(table), ['f2', 'f3', 'f4']);
    table.announce(announce('f2', '10.0.0.1'));
    table.announce(announce('f5', '10.0.0.1'));
    assert.deepEqual(names(table), ['f3', 'f4', 'f5'], 'oldest by first announce: announcing again does not renew it');
    assert.equal(table.peers, 3);
  });

  test('a full swarm lets a newcomer from a fresh IP in by evicting the over-represented IP oldest', () => {
    for (const n of ['f1', 'f2', 'f3']) table.announce(announce(n, '10.0.0.1'));
    table.announce(announce('g1', '10.0.0.2'));
    table.announce(announce('g2', '10.0.0.2'));
    const out = table.announce(announce('new', '10.0.0.3'));
    assert.deepEqual(names(table), ['f2', 'f3', 'g1', 'g2', 'new']);
    assert.equal(out.incomplete, 5);
    table.announce(announce('new2', '10.0.0.4'));
    assert.deepEqual(names(table), ['f2', 'f3', 'g2', 'new', 'new2'], 'the greatest address gives way among equals');
  });

  test('a swarm full of one peer per IP refuses the newcomer', () => {
    for (let i = 1; i <= 5; i++) table.announce(announce(`p${i}`, `10.0.0.${i}`));
    assert.throws(() => table.announce(announce('new', '10.0.0.9')), /swarm is full: at most 5 peers per torrent/);
    assert.throws(() => table.announce(announce('p6', '10.0.0.1')), /swarm is full/, 'an IP with one does not evict another with one');
  });

  test('one IP creates at most maxNewSwarmsPerIpPerMinute swarms a minute', () => {
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(1) }));
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(2) }));
    assert.throws(() => table.announce(announce('f', '10.0.0.1', { infoHash: hash(3) })), (err: Error) => err.message === TOO_MANY_NEW_SWARMS);
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(1) }));
    table.announce(announce('g', '10.0.0.2', { infoHash: hash(3) }));
    clock.tick(60_000);
    assert.throws(() => table.announce(announce('f', '10.0.0.1', { infoHash: hash(4) })), /tracker is full: it tracks at most 3 torrents/);
  });

  test('a full torrent table drops the oldest swarm of the IP that created the most', () => {
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(1) }));
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(2) }));
    clock.tick(60_000);
    table.announce(announce('f', '10.0.0.1', { infoHash: hash(3) }));
    table.announce(announce('g', '10.0.0.2', { infoHash: hash(1) }));
    table.announce(announce('new', '10.0.0.3', { infoHash: hash(4) }));
    assert.equal(table.torrents, 3);
    assert.equal(table.scrape(hash(1)), undefined, 'the flooder oldest swarm went, with every peer in it');
    assert.equal(table.peers, 3);
    assert.deepEqual(names(table, 4), ['new']);
  });
});
