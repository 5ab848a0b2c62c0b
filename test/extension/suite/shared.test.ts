/**
 * One daemon per user (`btd.daemon.keepRunning`): the extension starts the shared socket daemon, another
 * client of it (as a second window would be) sees the same torrents, closing the window leaves it
 * seeding, a window reattaches to it, and Stop Daemon stops it for everyone.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import * as vscode from 'vscode';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  InitializeRequest, SessionStatsRequest, TorrentCreateRequest, TorrentRemoveRequest, TorrentSeedRequest,
} from '../../../protocol/src';
import { defaultStateDir } from '../../../daemon/src/rpc/paths';
import type { BtdApi } from '../../../extension/src/extension';
import { linkPaths } from '../../../extension/src/daemonLink';
import { btdApi, isAlive, randomFile, waitFor } from './helpers';

/** A second client of the shared daemon, speaking the protocol directly, as another window's extension does. */
async function otherWindow(socketPath: string, token: string): Promise<{ conn: MessageConnection; closed: Promise<void> }> {
  const socket = await new Promise<ReturnType<typeof createConnection>>((resolve, reject) => {
    const s = createConnection(socketPath, () => resolve(s));
    s.once('error', reject);
  });
  const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  const closed = new Promise<void>((done) => conn.onClose(() => done()));
  conn.onError(() => undefined);
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, { processId: null, initializationOptions: { token } });
  return { conn, closed };
}

async function keepRunning(on: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('btd').update('daemon.keepRunning', on, vscode.ConfigurationTarget.Global);
}

describe('one daemon per user', function () {
  this.timeout(90_000);
  let api: BtdApi;
  const paths = linkPaths(defaultStateDir(process.env));

  before(async () => {
    api = await btdApi();
  });

  after(async () => {
    // Back to this host's own daemon for the suites that follow.
    await keepRunning(false);
    await waitFor(api, "the window's own daemon", () => (api.daemon.info?.mode === 'stdio' ? true : undefined));
  });

  it('starts the shared daemon, shares it, outlives the window, and Stop Daemon ends it', async () => {
    const ownPid = api.daemon.pid;
    await keepRunning(true);
    const info = await waitFor(api, 'the shared daemon', () => (api.daemon.info?.mode === 'socket' ? api.daemon.info : undefined));
    assert.notEqual(info.pid, ownPid);
    assert.ok(existsSync(paths.socketPath), `socket at ${paths.socketPath}`);

    // Another window adds a torrent; this one sees it.
    const other = await otherWindow(paths.socketPath, readFileSync(paths.tokenPath, 'utf8').trim());
    const data = randomFile('shared/one.bin', 256 * 1024);
    const made = await other.conn.sendRequest(TorrentCreateRequest.type, { path: data });
    await other.conn.sendRequest(TorrentSeedRequest.type, { torrent: { base64: made.base64 }, dataPath: data });
    await waitFor(api, 'the other window\'s torrent seeding here', () => (api.store.get(made.infoHash)?.state === 'seeding' ? true : undefined));

    // The window closes (what deactivate does): the daemon goes on seeding for the other client.
    await api.daemon.stop();
    assert.equal(api.daemon.running, false);
    assert.ok(isAlive(info.pid), 'the shared daemon outlives the window');
    assert.equal((await other.conn.sendRequest(SessionStatsRequest.type)).torrents, 1);

    // A new window reattaches to the same daemon and finds the torrent.
    await api.daemon.start();
    assert.equal(api.daemon.info?.pid, info.pid);
    await waitFor(api, 'the torrent after reattaching', () => (api.store.get(made.infoHash) ? true : undefined));

    await other.conn.sendRequest(TorrentRemoveRequest.type, { infoHash: made.infoHash, deleteData: false });
    await vscode.commands.executeCommand('btd.daemon.stop');
    await other.closed;
    other.conn.dispose();
    await waitFor(api, 'the shared daemon to exit', () => (isAlive(info.pid) ? undefined : true), 20_000);
    assert.equal(existsSync(paths.socketPath), false);
    assert.equal(api.daemon.running, false, 'not restarted as after a crash');
  });
});
