import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, TorrentCreateRequest, type TorrentCreateResult } from '../../../protocol/src';
import { createTorrent } from '../../../extension/src/commands/create';
import { hash, stubContext } from './fixtures';

const RESULT: TorrentCreateResult = {
  infoHash: hash('a'), name: 'data', base64: '', totalLength: 10, pieceLength: 16384, pieceCount: 1,
  magnet: `magnet:?xt=urn:btih:${hash('a')}`, outputPath: '/w/data.torrent',
};

const CANCEL_TOKEN = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

describe('Create Torrent', () => {
  test('with every argument given it asks nothing and sends them', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.resolves(RESULT);
    const r = await createTorrent(ctx, { path: '/w/data', trackers: ['http://t/announce'], pieceLength: 32768, outputPath: '/w/data.torrent' });
    assert.equal(r, RESULT);
    const [type, params] = daemon.request.firstCall.args;
    assert.equal(type, TorrentCreateRequest.type);
    assert.deepEqual({ ...params, workDoneToken: undefined }, {
      path: '/w/data', trackers: ['http://t/announce'], pieceLength: 32768, outputPath: '/w/data.torrent', overwrite: false, workDoneToken: undefined,
    });
    assert.equal(typeof params.workDoneToken, 'string');
    sinon.assert.notCalled(ui.openDialog);
    sinon.assert.notCalled(ui.input);
    sinon.assert.calledOnce(ui.info);
  });

  test('from the Explorer (a Uri) it asks trackers, piece length and where to save, with defaults', async () => {
    const { ctx, ui, daemon } = stubContext();
    ctx.state.tracker = { url: 'http://127.0.0.1:6969/announce', host: '127.0.0.1', port: 6969 };
    ui.input.resolves('http://127.0.0.1:6969/announce');
    ui.pick.callsFake(async (items: { value: number }[]) => items[0]);
    ui.saveDialog.resolves('/w/out.torrent');
    daemon.request.resolves(RESULT);
    await createTorrent(ctx, { fsPath: '/w/data' });
    assert.equal(ui.input.firstCall.args[0].value, 'http://127.0.0.1:6969/announce', 'the running tracker is the default');
    assert.equal(ui.saveDialog.firstCall.args[0].defaultPath, '/w/data.torrent');
    const params = daemon.request.firstCall.args[1];
    assert.equal(params.pieceLength, undefined, 'Automatic lets the daemon choose');
    assert.deepEqual(params.trackers, ['http://127.0.0.1:6969/announce']);
    assert.equal(params.overwrite, true, 'the save dialog asked about replacing a file');
  });

  test('dismissing a prompt sends nothing', async () => {
    const { ctx, ui, daemon } = stubContext();
    ui.openDialog.resolves('/w/data');
    ui.input.resolves('');
    ui.pick.resolves(undefined);
    assert.equal(await createTorrent(ctx), undefined);
    sinon.assert.notCalled(daemon.request);
  });

  test('daemon progress drives the notification in increments', async () => {
    const { ctx, ui, daemon } = stubContext();
    const reports: [string, number | undefined][] = [];
    ui.withProgress.callsFake(async (_t: string, cancellable: boolean, task: (r: (m: string, i?: number) => void, tok: unknown) => Promise<unknown>) => {
      assert.equal(cancellable, true);
      return task((m, i) => reports.push([m, i]), CANCEL_TOKEN);
    });
    daemon.request.callsFake(async () => {
      const handler = daemon.onProgress.firstCall.args[1];
      handler({ kind: 'report', percentage: 25, hashedBytes: 250_000, totalBytes: 1_000_000 });
      handler({ kind: 'report', percentage: 75, hashedBytes: 750_000, totalBytes: 1_000_000 });
      return RESULT;
    });
    await createTorrent(ctx, { path: '/w/data', trackers: [], pieceLength: 0, outputPath: '/w/o.torrent' });
    assert.deepEqual(reports, [['250 kB of 1.0 MB hashed', 25], ['750 kB of 1.0 MB hashed', 50]]);
    assert.equal(daemon.request.firstCall.args[2], CANCEL_TOKEN, 'the Cancel button of the notification reaches the request');
    const token = daemon.onProgress.firstCall.args[0];
    assert.equal(daemon.request.firstCall.args[1].workDoneToken, token);
    sinon.assert.calledOnce(daemon.onProgress.firstCall.returnValue.dispose);
  });

  test('cancellation is reported quietly, failures with advice', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.rejects(new ResponseError(ErrorCodes.RequestCancelled, 'cancelled'));
    assert.equal(await createTorrent(ctx, { path: '/w/d', trackers: [], pieceLength: 0, outputPath: '/o' }), undefined);
    sinon.assert.calledWithMatch(ui.info, sinon.match(/cancelled/));
    sinon.assert.notCalled(ui.error);
    daemon.request.rejects(new ResponseError(ErrorCodes.IoError, 'ENOENT: /w/d'));
    await createTorrent(ctx, { path: '/w/d', trackers: [], pieceLength: 0, outputPath: '/o' });
    sinon.assert.calledWithMatch(ui.error, sinon.match(/Create Torrent failed: ENOENT: \/w\/d\. Check that the path exists/));
  });

  test('the magnet link is copied when asked', async () => {
    const { ctx, ui, daemon } = stubContext();
    daemon.request.resolves(RESULT);
    ui.info.onFirstCall().resolves('Copy Magnet Link');
    await createTorrent(ctx, { path: '/w/d', trackers: [], pieceLength: 0, outputPath: '/o' });
    await ui.info.firstCall.returnValue;
    await new Promise((r) => setImmediate(r));
    sinon.assert.calledWith(ui.copy, RESULT.magnet);
  });
});
