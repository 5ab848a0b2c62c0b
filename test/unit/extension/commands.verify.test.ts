/** "Verify Local Data" and "Copy Magnet Link" over a stubbed window and daemon. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sinon from 'sinon';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, TorrentGetRequest, TorrentVerifyRequest, type TorrentDetails } from '../../../protocol/src';
import { HANDLERS, CommandIds } from '../../../extension/src/commands';
import { copyMagnet, verifyTorrent } from '../../../extension/src/commands/manage';
import { hash, stubContext, torrent } from './fixtures';

const MAGNET = `magnet:?xt=urn:btih:${hash('a')}&dn=file.bin&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce`;

function details(o: Partial<TorrentDetails> = {}): TorrentDetails {
  return { ...torrent(), pieceLength: 16384, private: false, magnet: MAGNET, files: [], trackers: [], ...o };
}

describe('verify local data', () => {
  test('from a tree node: asks the daemon, stores the checking snapshot, says so in the status bar', async () => {
    const { ctx, ui, daemon } = stubContext();
    ctx.store.upsert(torrent());
    daemon.request.withArgs(TorrentVerifyRequest.type).resolves(torrent({ state: 'checking' }));
    const result = await verifyTorrent(ctx, { kind: 'torrent', infoHash: hash('a') });
    sinon.assert.calledOnceWithExactly(daemon.request, TorrentVerifyRequest.type, { infoHash: hash('a') });
    assert.equal(result?.state, 'checking');
    assert.equal(ctx.store.get(hash('a'))?.state, 'checking');
    sinon.assert.calledOnceWithExactly(ui.status, 'Verifying the data of "file.bin"…');
    sinon.assert.notCalled(ui.pick);
  });

  test('from the palette: offers the torrents not already checking, and verifies the one picked', async () => {
    const { ctx, ui, daemon } = stubContext();
    ctx.store.reset([
      torrent({ infoHash: hash('a'), name: 'a', state: 'seeding' }),
      torrent({ infoHash: hash('b'), name: 'b', state: 'checking' }),
      torrent({ infoHash: hash('c'), name: 'c', state: 'paused' }),
    ]);
    ui.pick.callsFake(async (items: { label: string; value: string }[]) => {
      assert.deepEqual(items.map((i) => i.label), ['a', 'c']);
      return items[1];
    });
    daemon.request.resolves(torrent({ infoHash: hash('c'), name: 'c', state: 'checking' }));
    await verifyTorrent(ctx);
    sinon.assert.calledOnceWithExactly(daemon.request, TorrentVerifyRequest.type, { infoHash: hash('c') });
  });

  test('a dismissed pick sends nothing', async () => {
    const { ctx, daemon } = stubContext();
    ctx.store.upsert(torrent());
    assert.equal(await verifyTorrent(ctx), undefined);
    sinon.assert.notCalled(daemon.request);
  });

  test('a failure is shown with advice and nothing is stored', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.rejects(new ResponseError(ErrorCodes.UnknownTorrent, `no torrent with info hash ${hash('a')}`));
    assert.equal(await verifyTorrent(ctx, { infoHash: hash('a') }), undefined);
    sinon.assert.calledOnce(ui.error);
    assert.match(ui.error.firstCall.args[0] as string, /^Verify failed: .*refresh the BitTorrent view/);
    sinon.assert.notCalled(ui.status);
    assert.equal(ctx.store.get(hash('a')), undefined);
  });
});

describe('copy magnet link', () => {
  test('from a tree node: copies the magnet of torrent/get and confirms in the status bar', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.withArgs(TorrentGetRequest.type).resolves(details());
    assert.equal(await copyMagnet(ctx, { kind: 'torrent', infoHash: hash('a') }), MAGNET);
    sinon.assert.calledOnceWithExactly(daemon.request, TorrentGetRequest.type, { infoHash: hash('a') });
    sinon.assert.calledOnceWithExactly(ui.copy, MAGNET);
    sinon.assert.calledOnceWithExactly(ui.status, 'Copied the magnet link of "file.bin".');
  });

  test('from the palette: any torrent may be picked', async () => {
    const { ctx, ui, daemon } = stubContext();
    ctx.store.reset([torrent({ infoHash: hash('a'), name: 'a', state: 'checking' }), torrent({ infoHash: hash('b'), name: 'b', state: 'paused' })]);
    ui.pick.callsFake(async (items: { label: string; value: string }[]) => {
      assert.deepEqual(items.map((i) => i.label), ['a', 'b']);
      return items[1];
    });
    daemon.request.resolves(details({ infoHash: hash('b'), name: 'b', magnet: 'magnet:?xt=urn:btih:b' }));
    assert.equal(await copyMagnet(ctx), 'magnet:?xt=urn:btih:b');
    sinon.assert.calledOnceWithExactly(daemon.request, TorrentGetRequest.type, { infoHash: hash('b') });
    sinon.assert.calledOnceWithExactly(ui.copy, 'magnet:?xt=urn:btih:b');
  });

  test('with no torrents it says how to add one and copies nothing', async () => {
    const { ctx, ui, daemon } = stubContext();
    assert.equal(await copyMagnet(ctx), undefined);
    sinon.assert.calledOnce(ui.info);
    sinon.assert.notCalled(ui.pick);
    sinon.assert.notCalled(daemon.request);
    sinon.assert.notCalled(ui.copy);
  });

  test('a failed request or clipboard is reported, not thrown', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.rejects(new Error('Connection is disposed.'));
    assert.equal(await copyMagnet(ctx, { infoHash: hash('a') }), undefined);
    assert.match(ui.error.firstCall.args[0] as string, /^Copy Magnet Link failed: the BitTorrent daemon is not running/);
    daemon.request.resolves(details());
    ui.copy.rejects(new Error('clipboard unavailable'));
    assert.equal(await copyMagnet(ctx, { infoHash: hash('a') }), undefined);
    assert.match(ui.error.secondCall.args[0] as string, /clipboard unavailable/);
    sinon.assert.notCalled(ui.status);
  });
});

test('both commands are in the command table under their ids', () => {
  assert.equal(CommandIds.verify, 'btd.torrent.verify');
  assert.equal(CommandIds.copyMagnet, 'btd.torrent.copyMagnet');
  assert.equal(HANDLERS[CommandIds.verify], verifyTorrent);
  assert.equal(HANDLERS[CommandIds.copyMagnet], copyMagnet);
});

test('package.json declares both commands and puts them in the torrent context menu', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string }[]> };
  };
  const titles = new Map(pkg.contributes.commands.map((c) => [c.command, c.title]));
  assert.equal(titles.get(CommandIds.verify), 'Verify Local Data');
  assert.equal(titles.get(CommandIds.copyMagnet), 'Copy Magnet Link');
  for (const id of [CommandIds.verify, CommandIds.copyMagnet]) {
    const entry = pkg.contributes.menus['view/item/context'].find((m) => m.command === id);
    assert.match(entry?.when ?? '', /viewItem =~ \/\^torrent\//, id);
  }
});
