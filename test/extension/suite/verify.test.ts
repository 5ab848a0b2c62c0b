/**
 * "Copy Magnet Link" and "Verify Local Data" on a torrent in the tree: the clipboard holds the magnet, and
 * bytes damaged on disk behind the daemon's back are found by a verify, seeding or paused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TorrentCreateResult, TorrentInfo } from '../../../protocol/src';
import type { BtdApi } from '../../../extension/src/extension';
import type { TreeNode } from '../../../extension/src/treeModel';
import { btdApi, randomFile, waitFor, workspaceDir } from './helpers';
import { damage } from '../../fixtures/damage';

const PIECE = 16384;
/** Five whole pieces and a short last one, so the bytes lost name the piece that was lost. */
const LAST = 5000;
const SIZE = 5 * PIECE + LAST;

function run<T>(command: string, arg?: unknown): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(command, arg));
}

describe('copy magnet link and verify local data', function () {
  this.timeout(60_000);
  let api: BtdApi;
  let created: TorrentCreateResult;
  let dataPath: string;

  const row = (): TreeNode | undefined => api.tree.getChildren().find((n) => n.infoHash === created.infoHash);
  /** The torrent once the store shows it in `state` with `havePieces` pieces (a check ends with both). */
  const settled = (state: TorrentInfo['state'], havePieces: number): Promise<TorrentInfo> =>
    waitFor(api, `${state} with ${havePieces} pieces`, () => {
      const t = api.store.get(created.infoHash);
      return t?.state === state && t.havePieces === havePieces ? t : undefined;
    });

  before(async () => {
    api = await btdApi();
    dataPath = randomFile('verify/gamma.bin', SIZE);
    created = await run<TorrentCreateResult>('btd.torrent.create', {
      path: dataPath, trackers: ['http://127.0.0.1:9/announce'], pieceLength: PIECE, outputPath: join(workspaceDir(), 'verify', 'gamma.torrent'),
    });
    await run('btd.torrent.seed', { torrentPath: join(workspaceDir(), 'verify', 'gamma.torrent'), dataPath });
    await settled('seeding', 6);
  });

  after(async () => {
    if (created) await run('btd.torrent.remove', { infoHash: created.infoHash, deleteData: false });
  });

  it('copies the magnet link of a tree node to the clipboard', async () => {
    await vscode.env.clipboard.writeText('something else');
    const node = row();
    assert.ok(node, 'the torrent is in the tree');
    const magnet = await run<string>('btd.torrent.copyMagnet', node);
    assert.equal(magnet, created.magnet);
    assert.equal(await vscode.env.clipboard.readText(), created.magnet);
    assert.ok(created.magnet.startsWith(`magnet:?xt=urn:btih:${created.infoHash}&dn=gamma.bin&tr=`));
  });

  it('verifies a seeding torrent: the damaged last piece goes missing and it downloads again', async () => {
    damage(dataPath, 5 * PIECE + 10);
    const started = await run<TorrentInfo>('btd.torrent.verify', row());
    assert.equal(started.state, 'checking');
    const after = await settled('downloading', 5);
    assert.equal(after.verifiedBytes, SIZE - LAST);
    assert.equal(row()?.kind, 'torrent');
  });

  it('verifies a paused torrent: it stays paused, with the newly damaged piece missing too', async () => {
    await run('btd.torrent.pause', row());
    await waitFor(api, 'the paused row', () => (row()?.kind === 'torrent.paused' ? true : undefined));
    damage(dataPath, PIECE + 100);
    const started = await run<TorrentInfo>('btd.torrent.verify', row());
    assert.equal(started.state, 'checking');
    const after = await settled('paused', 4);
    assert.equal(after.verifiedBytes, SIZE - LAST - PIECE);
    assert.equal(row()?.kind, 'torrent.paused');
  });
});
