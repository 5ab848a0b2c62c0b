/** The extension activates inside a real VS Code and starts its daemon. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { btdApi } from './helpers';

describe('activation', () => {
  it('registers every BitTorrent command', async () => {
    await btdApi();
    const ids = await vscode.commands.getCommands(true);
    for (const id of ['btd.torrent.create', 'btd.torrent.seed', 'btd.torrent.download', 'btd.tracker.start', 'btd.tracker.stop',
      'btd.torrent.pause', 'btd.torrent.resume', 'btd.torrent.remove', 'btd.torrent.openFolder', 'btd.daemon.showLog']) {
      assert.ok(ids.includes(id), `missing command ${id}`);
    }
  });

  it('starts the daemon over stdio', async () => {
    const api = await btdApi();
    assert.equal(api.daemon.running, true);
    assert.ok(typeof api.daemon.pid === 'number' && api.daemon.pid > 0);
  });
});
