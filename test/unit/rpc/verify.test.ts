/** `torrent/verify` and the magnet of `torrent/get`, over in-memory streams with a fake engine. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { fakeMetainfo, fakeTorrentBytes, type FakeTorrent } from './fake-engine';
import { harness, type Harness } from './harness';

async function errorOf(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** An initialized harness holding one torrent named `name`, and that torrent's fake. */
async function withTorrent(h: Harness, name: string, paused = false): Promise<FakeTorrent> {
  await h.client.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {} });
  await h.client.sendNotification(P.InitializedNotification.type, {});
  await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: fakeTorrentBytes(name).toString('base64') }, paused });
  return h.engine.session.get(fakeMetainfo(name).infoHashHex)!;
}

/** The states announced by `torrent/stateChanged` for one torrent, and a wait for the next one equal to `state`. */
function stateLog(h: Harness, infoHash: string): { states: string[]; next(state: string): Promise<void> } {
  const states: string[] = [];
  const waiters: { state: string; done: () => void }[] = [];
  h.client.onNotification(P.TorrentStateChangedNotification.type, (p) => {
    if (p.infoHash !== infoHash) return;
    states.push(p.state);
    for (const w of waiters.filter((x) => x.state === p.state)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done();
    }
  });
  return { states, next: (state) => new Promise((done) => waiters.push({ state, done })) };
}

describe('torrent/verify', () => {
  test('answers once checking; the check ends in downloading when pieces are missing', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie');
    const log = stateLog(h, torrent.infoHashHex);
    const result = await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex });
    assert.equal(result.state, 'checking');
    assert.equal(torrent.verifyCalls, 1);
    const back = log.next('downloading');
    torrent.finishCheck();
    await back;
    assert.deepEqual(log.states.slice(-2), ['checking', 'downloading']);
  });

  test('a complete torrent goes back to seeding', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'album');
    torrent.progress = 1;
    const log = stateLog(h, torrent.infoHashHex);
    const result = await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex.toUpperCase() });
    assert.equal(result.state, 'checking');
    assert.equal(torrent.verifyCalls, 1);
    const back = log.next('seeding');
    torrent.finishCheck();
    await back;
    assert.deepEqual(log.states.slice(-2), ['checking', 'seeding']);
  });

  test('while checking, a second verify is a no-op that returns the snapshot', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie');
    await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex });
    const again = await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex });
    assert.equal(again.state, 'checking');
    assert.equal(torrent.verifyCalls, 1);
    torrent.finishCheck();
  });

  test('a paused torrent is checked and stays paused, in the catalog too', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie', true);
    const log = stateLog(h, torrent.infoHashHex);
    assert.equal((await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex })).state, 'checking');
    const back = log.next('paused');
    torrent.finishCheck();
    await back;
    assert.equal(torrent.state, 'paused');
    const catalog = JSON.parse(readFileSync(join(h.stateDir, 'catalog.json'), 'utf8')) as { torrents: { paused: boolean }[] };
    assert.equal(catalog.torrents[0].paused, true);
  });

  test('a check that fails at once still answers, and a later verify runs again', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie');
    const verify = torrent.verify.bind(torrent);
    torrent.verify = async () => {
      torrent.verify = verify;
      throw new Error('EIO: disk gone');
    };
    assert.equal((await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex })).state, 'downloading');
    assert.equal((await h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex })).state, 'checking');
    torrent.finishCheck();
  });

  test('bad params are InvalidParams naming the field; an unknown torrent is UnknownTorrent', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie');
    for (const params of [{ infoHash: 'xyz' }, { infoHash: 'g'.repeat(40) }, { infoHash: 42 }, {}]) {
      const err = await errorOf(h.client.sendRequest(P.TorrentVerifyRequest.type, params as P.TorrentIdParams));
      assert.equal(err.code, P.ErrorCodes.InvalidParams, JSON.stringify(params));
      assert.deepEqual(err.data, { field: 'infoHash' });
    }
    const extra = await errorOf(h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: torrent.infoHashHex, force: true } as P.TorrentIdParams));
    assert.equal(extra.code, P.ErrorCodes.InvalidParams);
    assert.equal((await errorOf(h.client.sendRequest(P.TorrentVerifyRequest.type, { infoHash: 'a'.repeat(40) }))).code, P.ErrorCodes.UnknownTorrent);
    assert.equal(torrent.verifyCalls, 0);
  });

  test('initialize lists torrent/verify among the methods', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const r = await h.client.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {} });
    assert.ok(r.capabilities.methods.includes(P.TorrentVerifyRequest.method));
  });
});

describe('torrent/get magnet', () => {
  test('is the engine magnet of the metainfo', async (t) => {
    const h = harness();
    t.after(() => h.close());
    const torrent = await withTorrent(h, 'movie');
    const details = await h.client.sendRequest(P.TorrentGetRequest.type, { infoHash: torrent.infoHashHex });
    assert.equal(details.magnet, h.engine.buildMagnet(torrent.metainfo!));
    assert.match(details.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${torrent.infoHashHex}`));
  });
});
