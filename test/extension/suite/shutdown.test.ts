/** Daemon lifecycle: a crashed daemon is restarted within its budget; deactivation stops it. Runs last. */
import assert from 'node:assert/strict';
import { TorrentListRequest } from '../../../protocol/src';
import { deactivate } from '../../../extension/src/extension';
import { btdApi, isAlive, waitFor } from './helpers';

describe('daemon lifecycle', () => {
  it('restarts the daemon after a crash', async () => {
    const api = await btdApi();
    const before = api.daemon.pid;
    assert.ok(before !== undefined);
    process.kill(before, 'SIGKILL');
    await waitFor(api, 'a new daemon', () => (api.daemon.running && api.daemon.pid !== undefined && api.daemon.pid !== before ? true : undefined));
    const list = await api.daemon.request0(TorrentListRequest.type);
    assert.ok(Array.isArray(list.torrents));
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
