import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import {
  PeerListRequest, TorrentListRequest, TorrentPauseRequest, TorrentRemoveRequest, TrackerStartRequest, TrackerStopRequest,
} from '../../../protocol/src';
import { openFolder, pauseTorrent, refresh, removeTorrent, resumeTorrent } from '../../../extension/src/commands/manage';
import { startTracker, statsUrl, stopTracker } from '../../../extension/src/commands/tracker';
import { hash, peer, stubContext, torrent } from './fixtures';

describe('torrent actions', () => {
  test('pause from a tree node updates the store', async () => {
    const { ctx, daemon } = stubContext();
    daemon.request.resolves(torrent({ state: 'paused' }));
    await pauseTorrent(ctx, { kind: 'torrent', infoHash: hash('a') });
    sinon.assert.calledWith(daemon.request, TorrentPauseRequest.type, { infoHash: hash('a') });
    assert.equal(ctx.store.get(hash('a'))?.state, 'paused');
  });

  test('resume without an argument offers only paused torrents', async () => {
    const { ctx, ui } = stubContext();
    ctx.store.reset([torrent({ infoHash: hash('a') }), torrent({ infoHash: hash('b'), state: 'paused', name: 'p' })]);
    ui.pick.callsFake(async (items: { label: string }[]) => {
      assert.deepEqual(items.map((i) => i.label), ['p']);
      return undefined;
    });
    assert.equal(await resumeTorrent(ctx), undefined);
    sinon.assert.calledOnce(ui.pick);
  });

  test('remove from a menu asks first; deleting files is a separate choice', async () => {
    const { ctx, ui, daemon } = stubContext();
    ctx.store.upsert(torrent());
    daemon.request.resolves(null);
    ui.confirm.resolves(undefined);
    assert.equal(await removeTorrent(ctx, { kind: 'torrent', infoHash: hash('a') }), false);
    sinon.assert.notCalled(daemon.request);
    ui.confirm.resolves('Remove and Delete Files');
    assert.equal(await removeTorrent(ctx, { kind: 'torrent', infoHash: hash('a') }), true);
    sinon.assert.calledWith(daemon.request, TorrentRemoveRequest.type, { infoHash: hash('a'), deleteData: true });
    assert.equal(ctx.store.list().length, 0);
  });

  test('remove with { infoHash, deleteData } does not ask', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.resolves(null);
    await removeTorrent(ctx, { infoHash: hash('a'), deleteData: false });
    sinon.assert.notCalled(ui.confirm);
    sinon.assert.calledWith(daemon.request, TorrentRemoveRequest.type, { infoHash: hash('a'), deleteData: false });
  });

  test('open folder shows the torrent folder, else the download folder', async () => {
    const { ctx, ui } = stubContext({ downloadFolder: '/dl' });
    ctx.store.upsert(torrent({ savePath: '/saved' }));
    assert.equal(await openFolder(ctx, { infoHash: hash('a') }), '/saved');
    assert.equal(await openFolder(ctx), '/dl');
    sinon.assert.calledWith(ui.revealFolder, '/dl');
  });

  test('refresh loads torrents then the peers of each', async () => {
    const { ctx, daemon } = stubContext();
    daemon.request0.withArgs(TorrentListRequest.type).resolves({ torrents: [torrent()] });
    daemon.request.withArgs(PeerListRequest.type).resolves({ peers: [peer()] });
    await refresh(ctx);
    assert.equal(ctx.store.peersOf(hash('a')).length, 1);
  });
});

describe('tracker commands', () => {
  test('start uses the btd.trackerPort setting unless a port is given, and remembers the URL', async () => {
    const { ctx, daemon } = stubContext({ trackerPort: 7000 });
    const info = { url: 'http://127.0.0.1:7000/announce', host: '127.0.0.1', port: 7000 };
    daemon.request.resolves(info);
    await startTracker(ctx);
    sinon.assert.calledWith(daemon.request, TrackerStartRequest.type, { port: 7000 });
    assert.equal(ctx.state.tracker, info);
    await startTracker(ctx, { port: 0 });
    sinon.assert.calledWith(daemon.request, TrackerStartRequest.type, { port: 0 });
  });

  test('with btd.trackerUdp the tracker also serves UDP, and the message names both URLs', async () => {
    const { ctx, daemon, ui } = stubContext({ trackerPort: 7000, trackerUdp: true });
    daemon.request.resolves({ url: 'http://127.0.0.1:7000/announce', udpUrl: 'udp://127.0.0.1:7000/announce', host: '127.0.0.1', port: 7000 });
    await startTracker(ctx);
    sinon.assert.calledWith(daemon.request, TrackerStartRequest.type, { port: 7000, udp: true });
    sinon.assert.calledWithMatch(ui.info, 'Tracker running: http://127.0.0.1:7000/announce (UDP: udp://127.0.0.1:7000/announce)');
  });

  test('with btd.trackerStore a Redis URL goes to the daemon as the store, and the message names it', async () => {
    const { ctx, daemon, ui } = stubContext({ trackerPort: 7000, trackerStore: 'redis://127.0.0.1:6379/2' });
    daemon.request.resolves({ url: 'http://127.0.0.1:7000/announce', host: '127.0.0.1', port: 7000 });
    await startTracker(ctx);
    sinon.assert.calledWith(daemon.request, TrackerStartRequest.type, { port: 7000, store: 'redis://127.0.0.1:6379/2' });
    sinon.assert.calledWithMatch(ui.info, 'Tracker running: http://127.0.0.1:7000/announce; swarms in redis://127.0.0.1:6379/2');
  });

  test('btd.trackerStore memory (or empty) sends no store: the daemon keeps its swarms itself', async () => {
    for (const trackerStore of ['memory', '']) {
      const { ctx, daemon } = stubContext({ trackerPort: 7000, trackerStore });
      daemon.request.resolves({ url: 'http://127.0.0.1:7000/announce', host: '127.0.0.1', port: 7000 });
      await startTracker(ctx);
      sinon.assert.calledWith(daemon.request, TrackerStartRequest.type, { port: 7000 });
    }
  });

  test('stop forgets the tracker', async () => {
    const { ctx, daemon } = stubContext();
    ctx.state.tracker = { url: 'u', host: 'h', port: 1 };
    daemon.request0.withArgs(TrackerStopRequest.type).resolves(null);
    assert.equal(await stopTracker(ctx), true);
    assert.equal(ctx.state.tracker, undefined);
  });

  test('the stats page sits next to the announce URL', () => {
    assert.equal(statsUrl('http://127.0.0.1:6969/announce'), 'http://127.0.0.1:6969/stats');
    assert.equal(statsUrl('http://h:1/announce?x=1'), 'http://h:1/stats');
  });
});
