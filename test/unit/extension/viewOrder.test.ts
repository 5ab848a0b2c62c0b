import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { orderTorrents, passes } from '../../../extension/src/viewOrder';
import { hash, torrent } from './fixtures';

const list = [
  torrent({ infoHash: hash('1'), name: 'beta', state: 'seeding', progress: 1, uploadRate: 10 }),
  torrent({ infoHash: hash('2'), name: 'Alpha', state: 'downloading', progress: 0.5, downloadRate: 500 }),
  torrent({ infoHash: hash('3'), name: 'gamma', state: 'paused', progress: 0.2, downloadRate: 0, uploadRate: 0 }),
  torrent({ infoHash: hash('4'), name: 'delta', state: 'error', progress: 0.2, downloadRate: 0, uploadRate: 0 }),
];
const names = (ts: { name: string }[]): string[] => ts.map((t) => t.name);

describe('view order', () => {
  test('sorts by name (case-insensitive), progress, state and rates; ties keep the order added', () => {
    assert.deepEqual(names(orderTorrents(list, 'added', 'all')), ['beta', 'Alpha', 'gamma', 'delta']);
    assert.deepEqual(names(orderTorrents(list, 'name', 'all')), ['Alpha', 'beta', 'delta', 'gamma']);
    assert.deepEqual(names(orderTorrents(list, 'progress', 'all')), ['gamma', 'delta', 'Alpha', 'beta']);
    assert.deepEqual(names(orderTorrents(list, 'state', 'all')), ['delta', 'Alpha', 'beta', 'gamma']);
    assert.deepEqual(names(orderTorrents(list, 'downloadRate', 'all')), ['Alpha', 'beta', 'gamma', 'delta']);
  });

  test('filters by state and activity', () => {
    assert.deepEqual(names(orderTorrents(list, 'added', 'seeding')), ['beta']);
    assert.deepEqual(names(orderTorrents(list, 'added', 'active')), ['beta', 'Alpha']);
    assert.deepEqual(names(orderTorrents(list, 'name', 'error')), ['delta']);
    assert.equal(passes(torrent({ state: 'checking' }), 'downloading'), true);
  });
});
