import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TorrentStore } from '../../../extension/src/torrentStore';
import { hash, peer, torrent } from './fixtures';

describe('TorrentStore', () => {
  test('reset replaces the list and drops peers of vanished torrents', () => {
    const s = new TorrentStore();
    s.reset([torrent({ infoHash: hash('a') }), torrent({ infoHash: hash('b') })]);
    s.setPeers(hash('b'), [peer()]);
    s.reset([torrent({ infoHash: hash('a') })]);
    assert.deepEqual(s.list().map((t) => t.infoHash), [hash('a')]);
    assert.deepEqual(s.peersOf(hash('b')), []);
  });

  test('progress notifications upsert and notify', () => {
    const s = new TorrentStore();
    const listener = sinon.spy();
    s.onChange(listener);
    s.upsert(torrent({ progress: 0.1 }));
    s.upsert(torrent({ progress: 0.2 }));
    assert.equal(s.get(hash('a'))?.progress, 0.2);
    assert.equal(listener.callCount, 2);
  });

  test('stateChanged updates the state, carries the error, and removes on "removed"', () => {
    const s = new TorrentStore();
    s.upsert(torrent());
    s.applyStateChanged({ infoHash: hash('a'), state: 'error', error: 'disk full' });
    assert.equal(s.get(hash('a'))?.state, 'error');
    assert.equal(s.get(hash('a'))?.error, 'disk full');
    s.applyStateChanged({ infoHash: hash('a'), state: 'seeding' });
    assert.equal(s.get(hash('a'))?.error, undefined);
    s.applyStateChanged({ infoHash: hash('a'), state: 'removed' });
    assert.equal(s.get(hash('a')), undefined);
  });

  test('stateChanged with a snapshot adds an unknown torrent; without one it is ignored', () => {
    const s = new TorrentStore();
    s.applyStateChanged({ infoHash: hash('c'), state: 'downloading' });
    assert.equal(s.list().length, 0);
    s.applyStateChanged({ infoHash: hash('c'), state: 'downloading', torrent: torrent({ infoHash: hash('c') }) });
    assert.equal(s.list().length, 1);
  });

  test('peer/changed adds, updates and removes connections', () => {
    const s = new TorrentStore();
    const p = peer({ id: '1.2.3.4:5' });
    s.applyPeerChanged({ infoHash: hash('a'), kind: 'added', peer: p });
    s.applyPeerChanged({ infoHash: hash('a'), kind: 'updated', peer: { ...p, progress: 0.5 } });
    assert.equal(s.peersOf(hash('a'))[0].progress, 0.5);
    const listener = sinon.spy();
    s.onChange(listener);
    s.applyPeerChanged({ infoHash: hash('a'), kind: 'removed', peer: p });
    s.applyPeerChanged({ infoHash: hash('a'), kind: 'removed', peer: p });
    assert.deepEqual(s.peersOf(hash('a')), []);
    assert.equal(listener.callCount, 1, 'removing an unknown peer is not a change');
  });

  test('a listener can be removed', () => {
    const s = new TorrentStore();
    const listener = sinon.spy();
    const off = s.onChange(listener);
    off();
    s.upsert(torrent());
    assert.equal(listener.callCount, 0);
  });
});
