/** Share Folder…: one command from a folder to a magnet link on the clipboard, which another daemon downloads. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { TorrentAddRequest, TorrentGetRequest, TorrentRemoveRequest, type TrackerServerInfo } from '../../../protocol/src';
import type { ShareResult } from '../../../extension/src/commands/share';
import type { DetailsPanel } from '../../../extension/src/details/detailsPanel';
import type { BtdApi } from '../../../extension/src/extension';
import { btdApi, randomFile, waitFor, workspaceDir } from './helpers';
import { startPeerDaemon, type PeerDaemon } from './peerDaemon';

describe('Share Folder', function () {
  this.timeout(90_000);
  let api: BtdApi;
  let peer: PeerDaemon | undefined;
  let shared: ShareResult | undefined;

  before(async () => {
    api = await btdApi();
  });

  after(async () => {
    if (shared) await api.daemon.request(TorrentRemoveRequest.type, { infoHash: shared.torrent.infoHash, deleteData: false }).catch(() => undefined);
    await vscode.commands.executeCommand('btd.tracker.stop');
    await peer?.stop();
  });

  it('puts a magnet link on the clipboard that a second daemon downloads, byte-identical', async () => {
    await vscode.commands.executeCommand<TrackerServerInfo>('btd.tracker.start', { port: 0 });
    const one = randomFile('to-share/one.bin', 300_000);
    const two = randomFile('to-share/deep/two.bin', 123_456);
    shared = await vscode.commands.executeCommand<ShareResult>('btd.torrent.share', vscode.Uri.file(join(workspaceDir(), 'to-share')));
    assert.ok(shared, 'shared');
    assert.equal(await vscode.env.clipboard.readText(), shared.magnet);
    assert.match(shared.magnet, /&tr=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fannounce/);
    await waitFor(api, 'the share to seed', () => (api.store.get(shared!.torrent.infoHash)?.state === 'seeding' ? true : undefined));

    const root = dirname(workspaceDir());
    peer = await startPeerDaemon(join(root, 'share-peer'), join(root, 'share-peer-state'));
    const dl = join(root, 'share-peer', 'dl');
    const added = await peer.connection.sendRequest(TorrentAddRequest.type, { torrent: { magnet: shared.magnet }, savePath: dl });
    const p = peer;
    await waitFor(api, 'the second daemon to complete', async () => {
      const t = await p.connection.sendRequest(TorrentGetRequest.type, { infoHash: added.infoHash });
      return t.state === 'seeding' ? true : undefined;
    }, 60_000);
    assert.ok(readFileSync(join(dl, 'to-share', 'one.bin')).equals(readFileSync(one)));
    assert.ok(readFileSync(join(dl, 'to-share', 'deep', 'two.bin')).equals(readFileSync(two)));
  });

  it('shows the torrent\'s details: pieces map, trackers and facts, then closes cleanly', async () => {
    assert.ok(shared);
    const infoHash = shared.torrent.infoHash;
    const details = await vscode.commands.executeCommand<DetailsPanel>('btd.torrent.details', { infoHash });
    assert.ok(details, 'a panel');
    const update = await waitFor(api, 'an update on the page', () => details.last);
    assert.equal(update.torrent.infoHash, infoHash);
    assert.ok(update.pieces, 'the pieces map');
    const have = Buffer.from(update.pieces.have, 'base64');
    for (let i = 0; i < update.pieces.pieceCount; i++) assert.ok((have[i >> 3] & (0x80 >> (i & 7))) !== 0, `piece ${i} is had`);
    assert.equal(update.torrent.trackers.length, 1);
    assert.ok(update.facts.some(([k, v]) => k === 'Info hash' && v === infoHash));
    const again = await vscode.commands.executeCommand<DetailsPanel>('btd.torrent.details', { infoHash });
    assert.equal(again, details, 'one panel per torrent');
    details.panel.dispose();
  });
});
