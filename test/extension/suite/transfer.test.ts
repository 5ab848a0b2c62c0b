/**
 * End to end through the commands, on real files: create, tracker, seed, a second daemon downloading from
 * us and us downloading from it, peers in the tree, the status bar, pause/resume/remove.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
  SessionGetSettingsRequest, TorrentAddRequest, TorrentCreateRequest, TorrentGetRequest, TorrentSeedRequest,
  type TorrentCreateResult, type TorrentInfo, type TrackerServerInfo,
} from '../../../protocol/src';
import type { BtdApi } from '../../../extension/src/extension';
import type { TreeNode } from '../../../extension/src/treeModel';
import { btdApi, randomFile, setSetting, waitFor, workspaceDir } from './helpers';
import { startPeerDaemon, type PeerDaemon } from './peerDaemon';

const MiB = 1024 * 1024;

function run<T>(command: string, arg?: unknown): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(command, arg));
}

function sameBytes(a: string, b: string): boolean {
  return readFileSync(a).equals(readFileSync(b));
}

describe('commands end to end', function () {
  this.timeout(90_000);
  let api: BtdApi;
  let root: string;
  let tracker: TrackerServerInfo;
  let peer: PeerDaemon | undefined;
  let alpha: TorrentCreateResult;
  let alphaPath: string;

  before(async () => {
    api = await btdApi();
    root = dirname(workspaceDir());
  });

  after(async () => {
    await peer?.stop();
    await setSetting('uploadRateLimit', undefined);
    await setSetting('downloadRateLimit', undefined);
  });

  const torrentRow = (infoHash: string): TreeNode | undefined => api.tree.getChildren().find((n) => n.infoHash === infoHash);

  it('starts the tracker and serves its stats page', async () => {
    tracker = await run<TrackerServerInfo>('btd.tracker.start', { port: 0 });
    assert.match(tracker.url, /^http:\/\/127\.0\.0\.1:\d+\/announce$/);
    const res = await fetch(tracker.url.replace(/\/announce$/, '/stats'));
    assert.equal(res.status, 200);
  });

  it('creates a torrent of a file and offers its magnet link', async () => {
    alphaPath = randomFile('share/alpha.bin', 8 * MiB + 123);
    const outputPath = join(workspaceDir(), 'alpha.torrent');
    alpha = await run<TorrentCreateResult>('btd.torrent.create', { path: alphaPath, trackers: [tracker.url], pieceLength: 256 * 1024, outputPath });
    assert.match(alpha.infoHash, /^[0-9a-f]{40}$/);
    assert.equal(alpha.pieceCount, 33);
    assert.ok(alpha.magnet.startsWith(`magnet:?xt=urn:btih:${alpha.infoHash}`));
    assert.ok(existsSync(outputPath), 'the .torrent was written');
  });

  it('creates a torrent of a folder', async () => {
    randomFile('share/album/one.bin', 100_000);
    randomFile('share/album/sub/two.bin', 70_000);
    const r = await run<TorrentCreateResult>('btd.torrent.create', {
      path: join(workspaceDir(), 'share/album'), trackers: [], pieceLength: 16384, outputPath: join(root, 'album.torrent'),
    });
    assert.equal(r.name, 'album');
    assert.equal(r.totalLength, 170_000);
  });

  it('seeds a torrent and lists it in the tree', async () => {
    const seeded = await run<TorrentInfo>('btd.torrent.seed', { torrentPath: join(workspaceDir(), 'alpha.torrent'), dataPath: alphaPath });
    assert.equal(seeded.infoHash, alpha.infoHash);
    await waitFor(api, 'the torrent to seed', () => (api.store.get(alpha.infoHash)?.state === 'seeding' ? true : undefined));
    const row = await waitFor(api, 'the tree row', () => torrentRow(alpha.infoHash));
    assert.equal(row.label, 'alpha.bin');
    assert.match(row.description, /^seeding 100% /);
  });

  it('a second daemon downloads from us: its connection shows in the tree, the upload in the status bar', async () => {
    await setSetting('uploadRateLimit', 512);
    await waitFor(api, 'the limit to reach the daemon', async () => {
      const settings = await api.daemon.request0(SessionGetSettingsRequest.type);
      return settings.uploadRateLimit === 512 * 1024 ? true : undefined;
    });
    peer = await startPeerDaemon(join(root, 'peer-downloads'), join(root, 'peer-state'));
    const peerDir = join(root, 'peer-downloads', 'alpha');
    mkdirSync(peerDir, { recursive: true });
    await peer.connection.sendRequest(TorrentAddRequest.type, { torrent: { path: join(workspaceDir(), 'alpha.torrent') }, savePath: peerDir });
    const peers = await waitFor(api, 'a peer under the torrent', async () => {
      const row = torrentRow(alpha.infoHash);
      const children = (row ? await api.tree.getChildren(row) : []).filter((n) => n.kind === 'peer');
      return children.length > 0 ? children : undefined;
    });
    assert.equal(peers[0].kind, 'peer');
    assert.match(peers[0].label, /^127\.0\.0\.1:\d+$/);
    await waitFor(api, 'the status bar to show the upload', () => (/^↑ [\d.]+ \w?B\/s \(1 seeding\)$/.test(api.statusText() ?? '') ? true : undefined));
    await setSetting('uploadRateLimit', 0);
    const p = peer;
    await waitFor(api, 'the second daemon to finish', async () => {
      const t = await p.connection.sendRequest(TorrentGetRequest.type, { infoHash: alpha.infoHash });
      return t.progress === 1 ? t : undefined;
    }, 60_000);
    assert.ok(sameBytes(alphaPath, join(peerDir, 'alpha.bin')), 'the downloaded copy matches');
  });

  it('downloads into a second folder from the second daemon, with progress in the status bar', async () => {
    assert.ok(peer, 'the second daemon runs');
    const p = peer;
    const betaDir = join(root, 'peer-share');
    mkdirSync(betaDir, { recursive: true });
    const betaPath = join(betaDir, 'beta.bin');
    writeFileSync(betaPath, randomBytes(6 * MiB));
    const betaTorrent = join(root, 'beta.torrent');
    const beta = await p.connection.sendRequest(TorrentCreateRequest.type, { path: betaPath, trackers: [tracker.url], pieceLength: 256 * 1024, outputPath: betaTorrent });
    await p.connection.sendRequest(TorrentSeedRequest.type, { torrent: { path: betaTorrent }, dataPath: betaPath });
    await setSetting('downloadRateLimit', 512);
    const destination = join(root, 'downloads-2');
    const added = await run<TorrentInfo>('btd.torrent.download', { torrentPath: betaTorrent, destination });
    assert.equal(added.infoHash, beta.infoHash);
    await waitFor(api, 'the status bar to show the download', () => (/^↓ \d+% [\d.]+ \w?B\/s ↑ /.test(api.statusText() ?? '') ? true : undefined));
    await setSetting('downloadRateLimit', 0);
    await waitFor(api, 'the download to complete', () => {
      const t = api.store.get(beta.infoHash);
      return t?.state === 'seeding' && t.progress === 1 ? t : undefined;
    }, 60_000);
    assert.ok(sameBytes(betaPath, join(destination, 'beta.bin')), 'the downloaded copy matches');
  });

  it('pauses and resumes a torrent from its tree node', async () => {
    const node = torrentRow(alpha.infoHash);
    assert.ok(node);
    await run('btd.torrent.pause', node);
    await waitFor(api, 'the paused row', () => (torrentRow(alpha.infoHash)?.kind === 'torrent.paused' ? true : undefined));
    await run('btd.torrent.resume', torrentRow(alpha.infoHash));
    await waitFor(api, 'the resumed row', () => (torrentRow(alpha.infoHash)?.kind === 'torrent' ? true : undefined));
  });

  it('removes a torrent, keeping its files', async () => {
    assert.equal(await run<boolean>('btd.torrent.remove', { infoHash: alpha.infoHash, deleteData: false }), true);
    await waitFor(api, 'the row to go', () => (torrentRow(alpha.infoHash) === undefined ? true : undefined));
    assert.ok(existsSync(alphaPath));
  });

  it('opens the download folder and shows the daemon log', async () => {
    const folder = await run<string>('btd.torrent.openFolder');
    assert.equal(folder, join(root, 'downloads'));
    await run('btd.daemon.showLog');
  });

  it('stops the tracker', async () => {
    assert.equal(await run<boolean>('btd.tracker.stop'), true);
    await assert.rejects(fetch(tracker.url.replace(/\/announce$/, '/stats')));
  });
});
