import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { InfoCache } from '../../../daemon/src/rpc/info-cache';
import { RawJson } from '../../../daemon/src/rpc/raw-json';
import type { EngineTorrent } from '../../../daemon/src/rpc/engine';
import type { TorrentSummary } from '../../../daemon/src/session/types';

function fakeTorrent(hex: string): EngineTorrent & { calls: number; uploaded: number } {
  const t = {
    infoHashHex: hex,
    metainfo: undefined,
    savePath: '/d',
    calls: 0,
    uploaded: 0,
    summary(): TorrentSummary {
      t.calls++;
      return { infoHash: hex, name: hex, state: 'seeding', progress: 1, totalLength: 1, wantedLength: 1, verifiedBytes: 1, pieceCount: 1, havePieces: 1, downloaded: 0, uploaded: t.uploaded, downloadRate: 0, uploadRate: 0, ratio: 0, peers: 0, seeds: 0, savePath: '/d', addedAt: 0, duplicateBytes: 0, peersMet: {} };
    },
    peers: () => [],
    trackers: () => [],
    pause: async () => undefined,
    resume: async () => undefined,
    verify: async () => undefined,
  };
  return t;
}

test('a quiet torrent keeps its TorrentInfo until a progress or state event; a busy one is built every time', () => {
  const events = new EventEmitter();
  const cache = new InfoCache(events);
  const t = fakeTorrent('aa');
  let quiet = true;
  const session = { quiet: () => quiet };
  const first = cache.info(session, t);
  assert.equal(cache.info(session, t), first, 'kept while quiet');
  assert.equal(t.calls, 1);
  t.uploaded = 5;
  events.emit('progress', t);
  assert.equal(cache.info(session, t).uploaded, 5, 'a progress event drops it');
  events.emit('state', t);
  cache.info(session, t);
  assert.equal(t.calls, 3);
  quiet = false;
  t.uploaded = 7;
  assert.equal(cache.info(session, t).uploaded, 7, 'busy: built afresh');
  assert.equal(cache.size, 0, 'and not kept');
  quiet = true;
  cache.info(session, t);
  events.emit('torrent-removed', 'aa');
  assert.equal(cache.size, 0);
});

test('a session without quiet() (or another torrent object under the same hash) never gets a kept TorrentInfo', () => {
  const cache = new InfoCache(new EventEmitter());
  const t = fakeTorrent('bb');
  cache.info({}, t);
  cache.info({}, t);
  assert.equal(t.calls, 2);
  const session = { quiet: () => true };
  cache.info(session, t);
  const other = fakeTorrent('bb');
  cache.info(session, other);
  assert.equal(other.calls, 1, 'a replaced torrent (a magnet that got its metadata) is not served the old one');
});

test('a quiet torrent\'s list entry is its kept JSON text, made once; a busy one\'s is a fresh TorrentInfo', () => {
  const events = new EventEmitter();
  const cache = new InfoCache(events);
  const t = fakeTorrent('cc');
  let quiet = true;
  const session = { quiet: () => quiet };
  const first = cache.entry(session, t);
  assert.ok(first instanceof RawJson);
  assert.equal(cache.entry(session, t), first, 'the same text again');
  assert.deepEqual(JSON.parse(first.text), cache.info(session, t));
  t.uploaded = 9;
  events.emit('progress', t);
  const after = cache.entry(session, t);
  assert.ok(after instanceof RawJson && after !== first);
  assert.equal((JSON.parse(after.text) as { uploaded: number }).uploaded, 9, 'a progress event makes new text');
  quiet = false;
  assert.ok(!(cache.entry(session, t) instanceof RawJson), 'busy: no kept text');
});
