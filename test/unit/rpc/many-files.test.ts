/**
 * A daemon with a torrent of very many files goes on answering: the parse of `torrent/add` hands the
 * event loop back, and a restart answers `initialize` before the catalog's torrents are back.
 * Order is asserted, never time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as P from '../../../protocol/src';
import { bencode } from '../../../daemon/src/bencode';
import { parseMetainfoSliced } from '../../../daemon/src/metainfo';
import { Daemon } from '../../../daemon/src/rpc/daemon';
import { defaultSettings } from '../../../daemon/src/rpc/settings';
import type { Metainfo } from '../../../daemon/src/metainfo';
import { within } from '../../support/deadline';
import { fakeEngine, fakeTorrentBytes } from './fake-engine';
import { harness } from './harness';

const DEADLINE_MS = 60_000;

function manyFiles(n: number): Uint8Array {
  const files = Array.from({ length: n }, (_, i) => ({ length: 1, path: [`d${i % 100}`, `f${i}`] }));
  return bencode({ info: { files, name: 'many', 'piece length': 1 << 20, pieces: new Uint8Array(20) } });
}

describe('a torrent of many files', () => {
  test('a request sent while torrent/add parses 50,000 files is answered before the parse ends', async (t) => {
    const engine = fakeEngine();
    const order: string[] = [];
    let started: () => void = () => undefined;
    const parsing = new Promise<void>((resolve) => (started = resolve));
    engine.parseMetainfo = (bytes) => {
      started();
      return parseMetainfoSliced(bytes).finally(() => order.push('parsed'));
    };
    const h = harness({}, engine);
    t.after(() => h.close());
    await h.client.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {}, initializationOptions: {} });
    const add = h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: Buffer.from(manyFiles(50_000)).toString('base64') }, paused: true });
    await within(DEADLINE_MS, parsing, 'the parse started');
    await within(DEADLINE_MS, h.client.sendRequest(P.SessionStatsRequest.type), 'session/stats answered');
    order.push('stats');
    assert.equal((await within(DEADLINE_MS, add, 'torrent/add answered')).name, 'many');
    assert.deepEqual(order, ['stats', 'parsed']);
  });

  test('a restart answers initialize before the catalog torrents are back, then restores them', async (t) => {
    const h = harness();
    t.after(() => h.close());
    await h.client.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {}, initializationOptions: {} });
    await h.client.sendRequest(P.TorrentAddRequest.type, { torrent: { base64: fakeTorrentBytes('big').toString('base64') } });

    const engine = fakeEngine();
    const parse = engine.parseMetainfo.bind(engine);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The restore's parse waits until the test lets it go: as a torrent of a million files would take.
    engine.parseMetainfo = async (bytes): Promise<Metainfo> => {
      await held;
      return parse(bytes);
    };
    const again = new Daemon(engine, { stateDir: h.stateDir, settings: defaultSettings() });
    t.after(() => again.close());
    await within(DEADLINE_MS, again.start(), 'start returned while the restore waits');
    assert.deepEqual(engine.session.list(), [], 'nothing restored yet');
    release();
    await within(DEADLINE_MS, again.restored(), 'the catalog restored');
    assert.deepEqual(engine.session.list().map((x) => x.metainfo?.name), ['big']);
  });
});
