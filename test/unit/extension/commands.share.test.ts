import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TorrentAddRequest, TorrentCreateRequest, TorrentSeedRequest } from '../../../protocol/src';
import { shareFolder, shareTorrentPath } from '../../../extension/src/commands/share';
import { addFromUri, parseAddUri } from '../../../extension/src/commands/uri';
import { downloadDropped, droppedSources, MAX_DROPPED } from '../../../extension/src/commands/drop';
import { hash, stubContext, torrent } from './fixtures';

const MAGNET = `magnet:?xt=urn:btih:${hash('c')}&dn=My%20Album&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce`;
const made = { infoHash: hash('c'), name: 'album', base64: 'ZDRlZQ==', totalLength: 1, pieceLength: 16384, pieceCount: 1, magnet: MAGNET };

describe('Share Folder', () => {
  test('one step: create (announcing to this window\'s tracker), seed from where it lies, magnet on the clipboard', async () => {
    const { ctx, daemon, ui } = stubContext();
    ctx.state.tracker = { url: 'http://127.0.0.1:6969/announce', host: '127.0.0.1', port: 6969 } as never;
    daemon.request.withArgs(TorrentCreateRequest.type).resolves(made);
    daemon.request.withArgs(TorrentSeedRequest.type).resolves(torrent({ infoHash: hash('c'), state: 'seeding' }));
    const r = await shareFolder(ctx, { path: '/data/album' });
    assert.equal(r?.magnet, MAGNET);
    const create = daemon.request.withArgs(TorrentCreateRequest.type).firstCall.args[1] as { path: string; trackers: string[]; outputPath: string };
    assert.equal(create.path, '/data/album');
    assert.deepEqual(create.trackers, ['http://127.0.0.1:6969/announce']);
    assert.equal(create.outputPath, r?.torrentPath);
    assert.deepEqual(daemon.request.withArgs(TorrentSeedRequest.type).firstCall.args[1], { torrent: { base64: made.base64 }, dataPath: '/data/album' });
    sinon.assert.calledWith(ui.copy, MAGNET);
    sinon.assert.calledWithMatch(ui.info, /Sharing "album" through your tracker: its magnet link is on the clipboard\./, 'Copy Magnet', 'Copy .torrent Path', 'Stop Sharing');
    sinon.assert.notCalled(ui.openDialog);
  });

  test('without a tracker it relies on the DHT; with neither it says what to do', async () => {
    const dht = stubContext();
    dht.daemon.request.withArgs(TorrentCreateRequest.type).resolves(made);
    dht.daemon.request.withArgs(TorrentSeedRequest.type).resolves(torrent({ infoHash: hash('c') }));
    await shareFolder(dht.ctx, { path: '/data/album' });
    assert.deepEqual((dht.daemon.request.withArgs(TorrentCreateRequest.type).firstCall.args[1] as { trackers: string[] }).trackers, []);
    const none = stubContext({ dht: false });
    assert.equal(await shareFolder(none.ctx, { path: '/data/album' }), undefined);
    sinon.assert.calledWithMatch(none.ui.error, /start the tracker .* or turn on btd\.dht/);
    sinon.assert.notCalled(none.daemon.request);
  });

  test('a failure is shown, not thrown', async () => {
    const { ctx, daemon, ui } = stubContext();
    daemon.request.rejects(new Error('no such file'));
    assert.equal(await shareFolder(ctx, { path: '/nope' }), undefined);
    sinon.assert.calledOnce(ui.error);
  });

  test('the .torrent file name is safe', () => {
    assert.match(shareTorrentPath('/s', '../x y/é', 'k1'), /^\/s\/shared\/[\w.-]+-k1\.torrent$/);
  });
});

describe('vscode:// add links', () => {
  test('parses /add?magnet=…, with the name from dn', () => {
    assert.deepEqual(parseAddUri('/add', `magnet=${encodeURIComponent(MAGNET)}`), { magnet: MAGNET, name: 'My Album' });
    assert.deepEqual(parseAddUri('/add', `magnet=${encodeURIComponent(`magnet:?xt=urn:btih:${hash('d')}`)}`), { magnet: `magnet:?xt=urn:btih:${hash('d')}`, name: hash('d') });
  });

  test('refuses other paths and links without a valid magnet', () => {
    assert.match((parseAddUri('/remove', 'x=1') as { error: string }).error, /unknown BitTorrent link path/);
    assert.match((parseAddUri('/add', 'magnet=http%3A%2F%2Fevil') as { error: string }).error, /no valid magnet link/);
    assert.match((parseAddUri('/add', '') as { error: string }).error, /no valid magnet link/);
  });

  test('asks first, then downloads into the download folder; a bad link is an error message', async () => {
    const { ctx, daemon, ui } = stubContext({ downloadFolder: '/dl' });
    ui.confirm.resolves('Download');
    daemon.request.withArgs(TorrentAddRequest.type).resolves(torrent({ infoHash: hash('c') }));
    await addFromUri(ctx, '/add', `magnet=${encodeURIComponent(MAGNET)}`);
    sinon.assert.calledWithMatch(ui.confirm, 'Download "My Album"?');
    assert.deepEqual(daemon.request.withArgs(TorrentAddRequest.type).firstCall.args[1], { torrent: { magnet: MAGNET }, savePath: '/dl' });
    const declined = stubContext();
    assert.equal(await addFromUri(declined.ctx, '/add', `magnet=${encodeURIComponent(MAGNET)}`), undefined);
    sinon.assert.notCalled(declined.daemon.request);
    await addFromUri(declined.ctx, '/add', 'magnet=nope');
    sinon.assert.calledWithMatch(declined.ui.error, /BitTorrent link: the link carries no valid magnet link/);
  });
});

describe('drops on the view', () => {
  test('.torrent files from a uri-list, magnet links from a uri-list or plain text; other things ignored', async () => {
    assert.deepEqual(droppedSources('file:///home/u/a%20b.torrent\r\nfile:///home/u/notes.txt\r\n# comment\r\nhttps://x/y.torrent', ''), [{ path: '/home/u/a b.torrent' }]);
    assert.deepEqual(droppedSources('', `  ${MAGNET}  \nhello`), [{ magnet: MAGNET }]);
    assert.deepEqual(droppedSources(MAGNET, 'ignored'), [{ magnet: MAGNET }]);
    assert.deepEqual(droppedSources('', 'nothing here'), []);
    const many = Array.from({ length: 50 }, (_, i) => `file:///t/${i}.torrent`).join('\n');
    assert.equal(droppedSources(many, '').length, MAX_DROPPED);
  });

  test('a drop downloads each torrent into the download folder; an empty one says what to drop', async () => {
    const { ctx, daemon, ui } = stubContext({ downloadFolder: '/dl' });
    daemon.request.withArgs(TorrentAddRequest.type).resolves(torrent());
    await downloadDropped(ctx, 'file:///t/a.torrent', '');
    assert.deepEqual(daemon.request.withArgs(TorrentAddRequest.type).firstCall.args[1], { torrent: { path: '/t/a.torrent' }, savePath: '/dl' });
    await downloadDropped(ctx, '', 'hello');
    sinon.assert.calledWithMatch(ui.warn, /Drop \.torrent files or a magnet link here/);
  });
});
