import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { peerFlags, peerNodes, torrentNode, torrentNodes } from '../../../extension/src/treeModel';
import { TorrentStore } from '../../../extension/src/torrentStore';
import { hash, peer, torrent } from './fixtures';

describe('tree model', () => {
  test('a torrent row shows state, progress, rates and ratio; kind follows pause', () => {
    const n = torrentNode(torrent({ name: 'movie.mkv', progress: 0.42, downloadRate: 1_200_000, uploadRate: 3000, ratio: 0.1 }));
    assert.equal(n.label, 'movie.mkv');
    assert.equal(n.description, 'downloading 42% ↓ 1.2 MB/s ↑ 3.0 kB/s ratio 0.10');
    assert.equal(n.kind, 'torrent');
    assert.equal(n.expandable, true);
    assert.equal(torrentNode(torrent({ state: 'paused' })).kind, 'torrent.paused');
  });

  test('an errored torrent shows its error', () => {
    assert.match(torrentNode(torrent({ state: 'error', error: 'disk full' })).description, /^error: disk full /);
  });

  test('a torrent being checked shows how far the check has come', () => {
    const n = torrentNode(torrent({ state: 'checking', checkProgress: 0.45, progress: 0.8 }));
    assert.match(n.description, /^checking \(45% checked\) 80% /);
    assert.match(n.tooltip, /^State: checking \(45% checked\)$/m);
    assert.match(torrentNode(torrent({ state: 'checking' })).description, /^checking \d+% /);
  });

  test('a magnet whose metadata is being fetched says so, with how many peers offer it', () => {
    const n = torrentNode(torrent({ name: 'talk.mp4', metadataPending: true, metadataPeers: 2, totalLength: 0, pieceCount: 0 }));
    assert.match(n.description, /^fetching metadata from 2 peers \d+% /);
    assert.match(torrentNode(torrent({ metadataPending: true, state: 'paused' })).description, /^paused /);
  });

  test('peer rows are sorted by address and carry client, progress, rates and flags', () => {
    const s = new TorrentStore();
    s.setPeers(hash('a'), [
      peer({ id: '127.0.0.2:1', client: 'Transmission 3.00', progress: 0.5, amInterested: true, peerChoking: false }),
      peer({ id: '127.0.0.1:9', client: '' }),
    ]);
    const rows = peerNodes(s, hash('a'));
    assert.deepEqual(rows.map((r) => r.label), ['127.0.0.1:9', '127.0.0.2:1']);
    assert.equal(rows[1].description, 'Transmission 3.00 50% ↓ 0 B/s ↑ 0 B/s D');
    assert.equal(rows[0].description, 'unknown client 100% ↓ 0 B/s ↑ 0 B/s');
    assert.equal(rows[1].kind, 'peer');
    assert.equal(rows[1].id, `${hash('a')}/127.0.0.2:1`);
  });

  test('flags: d/D interest and choke on our side, u/U on theirs, I for incoming', () => {
    assert.equal(peerFlags(peer({ amInterested: true, peerChoking: true })), 'd');
    assert.equal(peerFlags(peer({ peerInterested: true, amChoking: false, direction: 'incoming' })), 'UI');
    assert.equal(peerFlags(peer({ peerInterested: true, amChoking: true })), 'u');
    assert.equal(peerFlags(peer({ source: 'pex' })), 'X');
    assert.equal(peerFlags(peer({ source: 'dht' })), 'H', 'H for a peer found through the DHT, as in qBittorrent');
  });

  test('torrent rows follow daemon order', () => {
    const s = new TorrentStore();
    s.reset([torrent({ infoHash: hash('b'), name: 'b' }), torrent({ infoHash: hash('a'), name: 'a' })]);
    assert.deepEqual(torrentNodes(s).map((n) => n.label), ['b', 'a']);
  });
});
