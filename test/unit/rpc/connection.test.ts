/** The connection and method table over in-memory streams, with a fake engine behind the daemon. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource, ProgressType, ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { Daemon } from '../../../daemon/src/rpc/daemon';
import { AUTH_TIMEOUT_MS } from '../../../daemon/src/rpc/connection';
import sinon from 'sinon';
import { defaultSettings } from '../../../daemon/src/rpc/settings';
import { fakeEngine, fakeMetainfo, fakeTorrentBytes } from './fake-engine';
import { harness, type Harness } from './harness';

const b64 = (name: string): string => fakeTorrentBytes(name).toString('base64');

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResponseError) return err.code;
    throw err;
  }
  throw new Error('expected the request to fail');
}

async function ready(h: Harness, options: P.InitializationOptions = {}): Promise<P.InitializeResult> {
  const r = await h.client.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {}, initializationOptions: options });
  await h.client.sendNotification(P.InitializedNotification.type, {});
  return r;
}

describe('lifecycle', () => {
  test('requests before initialize get -32002; initialize starts the session with the client settings', async (t) => {
    const h = harness();
    t.after(() => h.close());
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentListRequest.type)), P.ErrorCodes.ServerNotInitialized);
    const r = await ready(h, { downloadDir: '/data', port: 0, maxConnections: 7 });
    assert.equal(r.serverInfo.name, 'btd');
    assert.deepEqual(
      { dir: h.engine.started[0].downloadDir, port: h.engine.started[0].port, max: h.engine.started[0].maxConnections, state: h.engine.started[0].stateDir },
      { dir: '/data', port: 0, max: 7, state: h.stateDir },
    );
    assert.equal(await codeOf(h.client.sendRequest(P.InitializeRequest.type, { processId: null })), P.ErrorCodes.InvalidRequest);
  });

  test('a failed initialize (session cannot start) can be retried', async (t) => {
    const engine = fakeEngine();
    const start = engine.startSession;
    engine.startSession = async () => {
      engine.startSession = start;
      throw Object.assign(new Error('listen EADDRINUSE: address already in use'), { code: 'EADDRINUSE', syscall: 'listen' });
    };
    const h = harness({}, engine);
    t.after(() => h.close());
    assert.equal(await codeOf(h.client.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { port: 6881 } })), P.ErrorCodes.IoError);
    await ready(h, { port: 0 });
    assert.equal((await h.client.sendRequest(P.SessionGetSettingsRequest.type)).port, 6881, 'the fake session listens on 6881');
    assert.deepEqual(engine.started.map((o) => o.port), [0]);
  });

  test('shutdown closes the session, later requests are refused, exit ends with 0', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    assert.equal(await h.client.sendRequest(P.ShutdownRequest.type), null);
    assert.equal(h.engine.session.closed, true);
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentListRequest.type)), P.ErrorCodes.InvalidRequest);
    await h.client.sendNotification(P.ExitNotification.type);
    assert.deepEqual(await h.server.ended, { reason: 'exit', exitCode: 0 });
  });

  test('exit without shutdown ends with 1; LSP notifications are accepted', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    await h.client.sendNotification('$/setTrace', { value: 'verbose' });
    await h.client.sendNotification('workspace/didChangeConfiguration', { settings: { btd: { maxConnections: 9 } } });
    assert.deepEqual((await h.client.sendRequest(P.TorrentListRequest.type)).torrents, []);
    assert.equal(h.engine.session.options.maxConnections, 9);
    await h.client.sendNotification(P.ExitNotification.type);
    assert.deepEqual(await h.server.ended, { reason: 'exit', exitCode: 1 });
  });

  test('a socket client without the token is refused and disconnected; auth lets it in', async (t) => {
    const h = harness({ mode: 'socket', token: 'secret' });
    t.after(() => h.close());
    await h.daemon.start();
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentListRequest.type)), P.ErrorCodes.Unauthorized);
    assert.equal((await h.server.ended).reason, 'unauthorized');
    const other = h.connect({ mode: 'socket', token: 'secret' });
    assert.equal(await codeOf(other.client.sendRequest(P.AuthRequest.type, { token: 'wrong' })), P.ErrorCodes.Unauthorized);
    const third = h.connect({ mode: 'socket', token: 'secret' });
    await third.client.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token: 'secret' } });
    assert.deepEqual((await third.client.sendRequest(P.TorrentListRequest.type)).torrents, []);
  });

  test('a socket client that never authenticates is disconnected after the auth timeout; one that does stays', async (t) => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.after(() => clock.restore());
    const h = harness({ mode: 'socket', token: 'secret' });
    t.after(() => h.close());
    await h.daemon.start();
    const idle = h.connect({ mode: 'socket', token: 'secret' });
    const good = h.connect({ mode: 'socket', token: 'secret' });
    await good.client.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token: 'secret' } });
    let ended = false;
    void idle.server.ended.then(() => (ended = true));
    await clock.tickAsync(AUTH_TIMEOUT_MS - 1);
    assert.equal(ended, false);
    await clock.tickAsync(1);
    assert.deepEqual(await idle.server.ended, { reason: 'unauthorized', exitCode: 1 });
    assert.deepEqual((await good.client.sendRequest(P.TorrentListRequest.type)).torrents, [], 'the authenticated client stays');
  });
});

describe('torrents', () => {
  test('add, list, get, pause, resume, remove; the catalog follows', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    const m = fakeMetainfo('movie');
    const added = await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('movie') }, savePath: '/x' });
    assert.equal(added.infoHash, m.infoHashHex);
    assert.equal(added.savePath, '/x');
    assert.deepEqual((await h.client.sendRequest(P.TorrentListRequest.type)).torrents.map((x) => x.name), ['movie']);
    const details = await h.client.sendRequest(P.TorrentGetRequest.type, { infoHash: m.infoHashHex.toUpperCase() });
    assert.deepEqual(details.files, [{ path: ['movie'], length: 100 }]);
    assert.equal((await h.client.sendRequest(P.TorrentPauseRequest.type, { infoHash: m.infoHashHex })).state, 'paused');
    const catalog = () => JSON.parse(readFileSync(join(h.stateDir, 'catalog.json'), 'utf8')) as { torrents: { infoHash: string; paused: boolean }[] };
    assert.equal(catalog().torrents[0].paused, true);
    assert.equal((await h.client.sendRequest(P.TorrentResumeRequest.type, { infoHash: m.infoHashHex })).state, 'downloading');
    assert.equal(catalog().torrents[0].paused, false);
    assert.equal(await h.client.sendRequest(P.TorrentRemoveRequest.type, { infoHash: m.infoHashHex }), null);
    assert.deepEqual(catalog().torrents, []);
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentGetRequest.type, { infoHash: m.infoHashHex })), P.ErrorCodes.UnknownTorrent);
  });

  test('a duplicate is refused and changes nothing', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('a') } });
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('a') }, paused: true })), P.ErrorCodes.DuplicateTorrent);
    const list = (await h.client.sendRequest(P.TorrentListRequest.type)).torrents;
    assert.deepEqual(list.map((x) => x.state), ['downloading']);
  });

  test('when the catalog cannot be written the add is undone and reported as an I/O error', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    rmSync(join(h.stateDir, 'torrents'), { recursive: true });
    writeFileSync(join(h.stateDir, 'torrents'), 'not a folder');
    assert.equal(await codeOf(h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('lost') } })), P.ErrorCodes.IoError);
    assert.deepEqual((await h.client.sendRequest(P.TorrentListRequest.type)).torrents, []);
  });

  test('torrents come back after a restart, paused ones paused', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('one') } });
    await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: b64('two') }, paused: true });
    const engine = fakeEngine();
    const again = new Daemon(engine, { stateDir: h.stateDir, settings: defaultSettings() });
    await again.start();
    await again.restored();
    assert.deepEqual(engine.session.list().map((x) => [x.metainfo?.name, x.state]), [['one', 'downloading'], ['two', 'paused']]);
    await again.close();
  });

  test('a magnet\'s filePriorities and sequential go to the session, and come back with it after a restart', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    const hash = 'cd'.repeat(20);
    const filePriorities: P.FilePriorityEntry[] = [{ index: 7, priority: 'skip' }, { index: 1, priority: 'high' }];
    await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { magnet: `magnet:?xt=urn:btih:${hash}&so=1-3` }, filePriorities, sequential: true });
    assert.deepEqual(h.engine.session.magnetOptions.get(hash), { savePath: '/downloads', paused: false, filePriorities, sequential: true });
    const engine = fakeEngine();
    const again = new Daemon(engine, { stateDir: h.stateDir, settings: defaultSettings() });
    await again.start();
    await again.restored();
    assert.deepEqual(engine.session.magnetOptions.get(hash), { savePath: '/downloads', paused: false, filePriorities, sequential: true });
    assert.deepEqual(engine.session.get(hash)?.magnet?.selectOnly, [[1, 3]], 'the so selection comes back with the magnet link');
    await again.close();
  });

  test('seed checks that the data path is named like the torrent', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    const code = await codeOf(h.client.sendRequest(P.TorrentSeedRequest.type, { torrent: { base64: b64('album') }, dataPath: '/music/other' }));
    assert.equal(code, P.ErrorCodes.DataMismatch);
    assert.deepEqual((await h.client.sendRequest(P.TorrentListRequest.type)).torrents, []);
  });

  test('create reports $/progress and can be cancelled', async (t) => {
    const engine = fakeEngine();
    const h = harness({}, engine);
    t.after(() => h.close());
    await ready(h);
    const seen: P.TorrentCreateProgress[] = [];
    h.client.onProgress(new ProgressType<P.TorrentCreateProgress>(), 'tok', (v) => {
      seen.push(v);
    });
    const r = await h.client.sendRequest(P.TorrentCreateRequest.type, { path: '/data/film', workDoneToken: 'tok' });
    assert.equal(r.name, 'film');
    assert.deepEqual(seen.map((s) => [s.kind, s.percentage]), [['begin', 0], ['report', 50], ['report', 100], ['end', undefined]]);

    engine.createTorrent = (_input, opts) =>
      new Promise((_resolve, reject) => opts.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    const cts = new CancellationTokenSource();
    const pending = h.client.sendRequest(P.TorrentCreateRequest.type, { path: '/data/big' }, cts.token);
    await h.client.sendRequest(P.TorrentListRequest.type);
    cts.cancel();
    assert.equal(await codeOf(pending), P.ErrorCodes.RequestCancelled);
  });
});

describe('settings and tracker', () => {
  test('setSettings applies only changes; an engine failure leaves settings as they were', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h, { downloadDir: '/d' });
    const after = await h.client.sendRequest(P.SessionSetSettingsRequest.type, { uploadRateLimit: 1000 });
    assert.equal(after.uploadRateLimit, 1000);
    assert.deepEqual(h.engine.session.options, { uploadRateLimit: 1000 });
    h.engine.session.failSetOptions = new Error('port busy');
    assert.equal(await codeOf(h.client.sendRequest(P.SessionSetSettingsRequest.type, { port: 7000 })), P.ErrorCodes.InternalError);
    assert.deepEqual(await h.client.sendRequest(P.SessionGetSettingsRequest.type), after);
  });

  test('one tracker at a time', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await ready(h);
    const info = await h.client.sendRequest(P.TrackerStartRequest.type, {});
    assert.equal(info.url, 'http://127.0.0.1:7000/announce');
    assert.equal(await codeOf(h.client.sendRequest(P.TrackerStartRequest.type, {})), P.ErrorCodes.TrackerAlreadyRunning);
    assert.equal((await h.client.sendRequest(P.TrackerStatsRequest.type)).announces, 0);
    await h.client.sendRequest(P.TrackerStopRequest.type);
    assert.equal(await codeOf(h.client.sendRequest(P.TrackerStopRequest.type)), P.ErrorCodes.TrackerNotRunning);
  });
});
