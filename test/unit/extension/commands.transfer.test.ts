import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, TorrentAddRequest, TorrentSeedRequest } from '../../../protocol/src';
import { downloadTorrent, magnetOnClipboard, seedTorrent } from '../../../extension/src/commands/transfer';
import { stubContext, torrent } from './fixtures';

describe('Seed', () => {
  test('sends the .torrent path and data path, and adds the result to the store', async () => {
    const { ctx, daemon } = stubContext();
    daemon.request.resolves(torrent({ state: 'checking' }));
    const r = await seedTorrent(ctx, { torrentPath: '/w/a.torrent', dataPath: '/w/a' });
    assert.equal(r?.state, 'checking');
    sinon.assert.calledWith(daemon.request, TorrentSeedRequest.type, { torrent: { path: '/w/a.torrent' }, dataPath: '/w/a' });
    assert.equal(ctx.store.list().length, 1);
  });

  test('from a .torrent in the Explorer it asks for the data, starting next to the file', async () => {
    const { ctx, ui, daemon } = stubContext();
    ui.openDialog.resolves('/w/a');
    daemon.request.resolves(torrent());
    await seedTorrent(ctx, { fsPath: '/w/sub/a.torrent' });
    assert.equal(ui.openDialog.firstCall.args[0].defaultPath, '/w/sub');
    assert.equal(ui.openDialog.firstCall.args[0].folders, true);
  });

  test('a data mismatch is shown with what to do', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.rejects(new ResponseError(ErrorCodes.DataMismatch, 'piece 0 differs'));
    assert.equal(await seedTorrent(ctx, { torrentPath: '/a.torrent', dataPath: '/b' }), undefined);
    sinon.assert.calledWithMatch(ui.error, sinon.match(/Choose the file or folder the torrent was created from/));
  });
});

describe('Download', () => {
  test('object arguments without destination use the download folder setting', async () => {
    const { ctx, ui, daemon } = stubContext({ downloadFolder: '/dl' });
    daemon.request.resolves(torrent());
    await downloadTorrent(ctx, { torrentPath: '/w/a.torrent' });
    sinon.assert.calledWith(daemon.request, TorrentAddRequest.type, { torrent: { path: '/w/a.torrent' }, savePath: '/dl' });
    sinon.assert.notCalled(ui.pick);
  });

  test('a .torrent from the Explorer asks where to, offering the download folder first', async () => {
    const { ctx, ui, daemon } = stubContext({ downloadFolder: '/dl' });
    ui.pick.callsFake(async (items: { label: string; value: string }[]) => items[0]);
    daemon.request.resolves(torrent());
    await downloadTorrent(ctx, { fsPath: '/w/a.torrent' });
    sinon.assert.calledWith(daemon.request, TorrentAddRequest.type, { torrent: { path: '/w/a.torrent' }, savePath: '/dl' });
    sinon.assert.calledOnce(ui.pick);
  });

  test('magnet links and explicit destinations are passed through', async () => {
    const { ctx, daemon } = stubContext();
    daemon.request.resolves(torrent());
    await downloadTorrent(ctx, { magnet: 'magnet:?xt=urn:btih:abc', destination: '/x' });
    sinon.assert.calledWith(daemon.request, TorrentAddRequest.type, { torrent: { magnet: 'magnet:?xt=urn:btih:abc' }, savePath: '/x' });
  });

  test('from the palette it asks the source and the destination, defaulting to ~/Downloads', async () => {
    const { ctx, ui, daemon } = stubContext();
    ui.pick.onFirstCall().callsFake(async (items: { value: string }[]) => items[1]);
    ui.input.resolves(' magnet:?xt=urn:btih:abc ');
    ui.pick.onSecondCall().callsFake(async (items: { label: string; value: string }[]) => {
      assert.equal(items[0].label, '/home/u/Downloads');
      return items[0];
    });
    daemon.request.resolves(torrent());
    await downloadTorrent(ctx);
    sinon.assert.calledWith(daemon.request, TorrentAddRequest.type, { torrent: { magnet: 'magnet:?xt=urn:btih:abc' }, savePath: '/home/u/Downloads' });
    const validate = ui.input.firstCall.args[0].validate;
    assert.equal(validate('http://x'), 'A magnet link starts with magnet:?');
  });

  test('a magnet link on the clipboard is offered first, and taken as it is', async () => {
    const { ctx, ui, daemon } = stubContext();
    const link = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=talk.mp4`;
    ui.paste.resolves(`  ${link}\n`);
    ui.pick.onFirstCall().callsFake(async (items: { label: string; value: string }[]) => {
      assert.equal(items[0].value, 'clipboard');
      assert.equal(items.length, 3);
      return items[0];
    });
    ui.pick.onSecondCall().callsFake(async (items: { value: string }[]) => items[0]);
    daemon.request.resolves(torrent());
    await downloadTorrent(ctx);
    sinon.assert.calledWith(daemon.request, TorrentAddRequest.type, { torrent: { magnet: link }, savePath: '/home/u/Downloads' });
    sinon.assert.notCalled(ui.input);
  });

  test('the clipboard counts only when it holds a magnet link and nothing else', () => {
    const hex = 'ab'.repeat(20);
    assert.equal(magnetOnClipboard(`magnet:?xt=urn:btih:${hex}`), `magnet:?xt=urn:btih:${hex}`);
    assert.equal(magnetOnClipboard(`magnet:?xt=urn:btih:${'A'.repeat(32)}&tr=udp%3A%2F%2Fx`), `magnet:?xt=urn:btih:${'A'.repeat(32)}&tr=udp%3A%2F%2Fx`);
    assert.equal(magnetOnClipboard('some text'), undefined);
    assert.equal(magnetOnClipboard(`see magnet:?xt=urn:btih:${hex}`), undefined);
    assert.equal(magnetOnClipboard(`magnet:?xt=urn:btih:${hex} and more`), undefined);
    assert.equal(magnetOnClipboard('magnet:?dn=no-hash'), undefined);
  });

  test('an unsupported magnet link tells the user so', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.rejects(new ResponseError(ErrorCodes.NotSupported, 'magnet links are not supported'));
    await downloadTorrent(ctx, { magnet: 'magnet:?xt=urn:btih:abc' });
    sinon.assert.calledWithMatch(ui.error, sinon.match(/Download failed: magnet links are not supported\. This version of the daemon cannot do that yet/));
  });
});
