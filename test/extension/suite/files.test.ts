/**
 * Files in the tree: a five-file torrent shows its files under the torrent; two of them set to Skip from
 * their rows are never created, and the other three complete byte-identical from a second daemon.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
  SessionSetSettingsRequest, TorrentAddRequest, TorrentCreateRequest, TorrentRemoveRequest, TorrentSeedRequest, type TorrentCreateResult, type TrackerServerInfo,
} from '../../../protocol/src';
import type { BtdApi } from '../../../extension/src/extension';
import type { TreeNode } from '../../../extension/src/treeModel';
import { btdApi, randomFile, waitFor, workspaceDir } from './helpers';
import { startPeerDaemon, type PeerDaemon } from './peerDaemon';

const NAMES = ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'e.bin'];

describe('files of a torrent in the tree', function () {
  this.timeout(90_000);
  let api: BtdApi;
  let peer: PeerDaemon | undefined;
  let made: TorrentCreateResult | undefined;
  let tracker: TrackerServerInfo | undefined;

  before(async () => {
    api = await btdApi();
  });

  after(async () => {
    if (made) await api.daemon.request(TorrentRemoveRequest.type, { infoHash: made.infoHash, deleteData: true }).catch(() => undefined);
    await vscode.commands.executeCommand('btd.tracker.stop');
    await peer?.stop();
  });

  it('skips two of five files from their rows: they are never created, the other three complete', async () => {
    const root = dirname(workspaceDir());
    tracker = await vscode.commands.executeCommand<TrackerServerInfo>('btd.tracker.start', { port: 0 });
    // Sizes that are not multiples of the piece length, so skipped files share pieces with wanted ones.
    const sources = NAMES.map((n, i) => randomFile(`quint/${n}`, 150_000 + i * 7_777));
    peer = await startPeerDaemon(join(root, 'quint-peer'), join(root, 'quint-peer-state'));
    made = await peer.connection.sendRequest(TorrentCreateRequest.type, { path: join(workspaceDir(), 'quint'), trackers: [tracker.url], pieceLength: 16384 });
    await peer.connection.sendRequest(TorrentSeedRequest.type, { torrent: { base64: made.base64 }, dataPath: join(workspaceDir(), 'quint') });

    const dl = join(root, 'quint-dl');
    await api.daemon.request(TorrentAddRequest.type, { torrent: { base64: made.base64 }, savePath: dl, paused: true });
    const infoHash = made.infoHash;
    const row = await waitFor(api, 'the torrent row', () => api.tree.getChildren().find((n) => n.infoHash === infoHash));
    const group = (await api.tree.getChildren(row)).find((n) => n.kind === 'group.files');
    assert.ok(group, 'a Files row under the torrent');
    const files = await api.tree.getChildren(group);
    assert.deepEqual(files.map((f) => f.label), NAMES);
    assert.ok(files.every((f) => f.checked === true && f.kind === 'file'));
    const byName = (name: string): TreeNode => files.find((f) => f.label === name)!;

    assert.equal(await vscode.commands.executeCommand('btd.file.prioritySkip', byName('b.bin')), true);
    assert.equal(await vscode.commands.executeCommand('btd.file.prioritySkip', byName('d.bin')), true);
    const after = await api.tree.getChildren(group);
    assert.deepEqual(after.map((f) => f.checked), [true, false, true, false, true]);

    await vscode.commands.executeCommand('btd.torrent.resume', { infoHash });
    await waitFor(api, 'the wanted files to complete', () => (api.store.get(infoHash)?.state === 'seeding' ? true : undefined), 60_000);
    for (const [i, name] of NAMES.entries()) {
      const path = join(dl, 'quint', name);
      if (name === 'b.bin' || name === 'd.bin') assert.equal(existsSync(path), false, `${name} is skipped and never created`);
      else assert.ok(readFileSync(path).equals(readFileSync(sources[i])), `${name} is byte-identical`);
    }
    const done = await api.tree.getChildren(group);
    assert.deepEqual(done.map((f) => f.kind), ['file.complete', 'file', 'file.complete', 'file', 'file.complete']);
  });

  it('Open on a text file still downloading shows its first lines', async () => {
    assert.ok(peer);
    const root = dirname(workspaceDir());
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i} of a long log`).join('\n');
    const logDir = join(workspaceDir(), 'logs');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, 'big.log'), lines);
    writeFileSync(join(logDir, 'other.bin'), Buffer.alloc(100_000, 7));
    assert.ok(tracker);
    const logs = await peer.connection.sendRequest(TorrentCreateRequest.type, { path: logDir, trackers: [tracker.url], pieceLength: 32768 });
    await peer.connection.sendRequest(TorrentSeedRequest.type, { torrent: { base64: logs.base64 }, dataPath: logDir });
    // Slow enough that the file is far from complete when it is opened.
    await peer.connection.sendRequest(SessionSetSettingsRequest.type, { uploadRateLimit: 128 * 1024 });
    try {
      await api.daemon.request(TorrentAddRequest.type, { torrent: { base64: logs.base64 }, savePath: join(root, 'logs-dl') });
      const row = await waitFor(api, 'the logs row', () => api.tree.getChildren().find((n) => n.infoHash === logs.infoHash));
      const group = (await api.tree.getChildren(row)).find((n) => n.kind === 'group.files');
      assert.ok(group);
      const big = (await api.tree.getChildren(group)).find((n) => n.label === 'big.log');
      assert.ok(big && big.kind === 'file', 'still downloading');
      const opened = await vscode.commands.executeCommand<string>('btd.file.open', big);
      assert.match(opened ?? '', /^http:\/\/127\.0\.0\.1:\d+\//);
      const doc = vscode.window.activeTextEditor?.document;
      assert.ok(doc, 'an editor with the text');
      assert.equal(doc.lineAt(0).text, 'line 0 of a long log');
      assert.equal(doc.lineAt(1).text, 'line 1 of a long log');
      assert.notEqual(api.store.get(logs.infoHash)?.state, 'seeding', 'opened before the download completed');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      await api.daemon.request(TorrentRemoveRequest.type, { infoHash: logs.infoHash, deleteData: true }).catch(() => undefined);
    }
  });

  it('opens a .torrent file as what is inside it, not binary noise', async () => {
    assert.ok(made);
    const path = join(workspaceDir(), 'quint.torrent');
    writeFileSync(path, Buffer.from(made.base64, 'base64'));
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
    const tab = await waitFor(api, 'the torrent editor tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.uri.fsPath === path ? input : undefined;
    });
    assert.equal(tab.viewType, 'btd.torrentFile');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
