/**
 * Daemon lifecycle: a crashed daemon is restarted; one that keeps crashing is given up on with a message
 * saying what to do, and Restart Daemon brings it back; deactivation stops it. Runs last.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TorrentListRequest } from '../../../protocol/src';
import { deactivate } from '../../../extension/src/extension';
import { btdApi, isAlive, waitFor } from './helpers';
import { REPO_ROOT } from './paths';

const CRASHING_DAEMON = join(REPO_ROOT, 'out/test/extension/fixtures/crashingDaemon.js');

describe('daemon lifecycle', function () {
  this.timeout(60_000);

  it('restarts the daemon after a crash', async () => {
    const api = await btdApi();
    const before = api.daemon.pid;
    assert.ok(before !== undefined);
    process.kill(before, 'SIGKILL');
    await waitFor(api, 'a new daemon', () => (api.daemon.running && api.daemon.pid !== undefined && api.daemon.pid !== before ? true : undefined));
    const list = await api.daemon.request0(TorrentListRequest.type);
    assert.ok(Array.isArray(list.torrents));
  });

  it('gives up on a daemon that keeps crashing, and Restart Daemon recovers', async () => {
    const api = await btdApi();
    const config = vscode.workspace.getConfiguration('btd');
    await config.update('daemonPath', CRASHING_DAEMON, vscode.ConfigurationTarget.Global);
    try {
      const message = await waitFor(api, 'the restart budget to run out', () => api.daemon.gaveUp);
      assert.match(message, /was not restarted\. See the "BitTorrent" output .* "BitTorrent: Restart Daemon"/);
      assert.equal(api.daemon.running, false);
    } finally {
      await config.update('daemonPath', undefined, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('btd.daemon.restart');
    await waitFor(api, 'the bundled daemon to run again', () => (api.daemon.running && api.daemon.gaveUp === undefined ? true : undefined));
    assert.ok(Array.isArray((await api.daemon.request0(TorrentListRequest.type)).torrents));
  });

  it('stops the daemon on deactivate', async () => {
    const api = await btdApi();
    const pid = api.daemon.pid;
    assert.ok(pid !== undefined && isAlive(pid));
    await deactivate();
    await waitFor(api, 'the daemon process to exit', () => (isAlive(pid) ? undefined : true), 10_000);
    assert.equal(api.daemon.running, false);
  });
});
