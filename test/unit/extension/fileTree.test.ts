import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TorrentFileUrlRequest, TorrentSetFilePrioritiesRequest, type FilePriority, type TorrentFileStatus } from '../../../protocol/src';
import { buildFileTree, checkboxPriorities, entryDescription, entryPriority, findEntry, isWanted } from '../../../extension/src/fileTree';
import { fileNodes } from '../../../extension/src/treeModel';
import { openFileRow, opensInEditor, setRowPriority, setRowWanted } from '../../../extension/src/commands/files';
import { hash, stubContext, torrent } from './fixtures';

/** Files from compact specs: "path:length:done:priority". */
function files(...specs: string[]): TorrentFileStatus[] {
  return specs.map((s, index) => {
    const [path, length, done, priority] = s.split(':');
    return { index, path: path.split('/'), length: Number(length), priority: (priority ?? 'normal') as FilePriority, bytesDone: Number(done), pieceCount: 1, piecesDone: 0 };
  });
}

const SEASON = files('show/s1/e2.mkv:200:0:normal', 'show/s1/e1.mkv:100:100:high', 'show/notes.txt:10:10:skip', 'show/s2/e1.mkv:300:0:skip');

describe('buildFileTree', () => {
  test('the torrent\'s top folder is left out; folders first, then files, by name; sizes add up', () => {
    const root = buildFileTree(SEASON);
    assert.deepEqual(root.children.map((c) => c.name), ['s1', 's2', 'notes.txt']);
    const s1 = findEntry(root, ['s1'])!;
    assert.deepEqual(s1.children.map((c) => c.name), ['e1.mkv', 'e2.mkv']);
    assert.equal(s1.length, 300);
    assert.equal(s1.bytesDone, 100);
    assert.deepEqual([...s1.indexes].sort(), [0, 1]);
    assert.equal(root.length, 610);
    assert.deepEqual(findEntry(root, ['s1', 'e1.mkv'])?.file?.index, 1);
    assert.equal(findEntry(root, ['nope']), undefined);
  });

  test('a single-file torrent is its one file', () => {
    const root = buildFileTree(files('movie.mkv:5:0'));
    assert.deepEqual(root.children.map((c) => c.name), ['movie.mkv']);
  });

  test('files at different tops keep every folder', () => {
    const root = buildFileTree(files('a/x:1:0', 'b/y:1:0'));
    assert.deepEqual(root.children.map((c) => c.name), ['a', 'b']);
  });

  test('wanted, priorities and descriptions of files and folders', () => {
    const root = buildFileTree(SEASON);
    const s2 = findEntry(root, ['s2'])!;
    assert.equal(isWanted(s2), false);
    assert.equal(isWanted(findEntry(root, ['s1'])!), true);
    assert.equal(entryPriority(findEntry(root, ['s1'])!), 'mixed');
    assert.equal(entryDescription(findEntry(root, ['s1', 'e1.mkv'])!), '100% of 100 B · high');
    assert.equal(entryDescription(findEntry(root, ['s1', 'e2.mkv'])!), '0% of 200 B');
    assert.equal(entryDescription(s2), '0% of 300 B · skip');
  });

  test('check boxes: unticking skips every file below; ticking wants the skipped ones and keeps high/low', () => {
    const root = buildFileTree(SEASON);
    assert.deepEqual(checkboxPriorities(findEntry(root, ['s1'])!, false).sort((a, b) => a.index - b.index), [{ index: 0, priority: 'skip' }, { index: 1, priority: 'skip' }]);
    assert.deepEqual(checkboxPriorities(root, true).sort((a, b) => a.index - b.index), [{ index: 2, priority: 'normal' }, { index: 3, priority: 'normal' }]);
  });
});

describe('file rows', () => {
  test('rows carry check boxes, the path on disk and whether the file is complete', () => {
    const t = torrent({ infoHash: hash('b'), name: 'show', savePath: '/dl' });
    const root = buildFileTree(SEASON);
    const rows = fileNodes(t, findEntry(root, ['s1'])!.children);
    assert.deepEqual(rows.map((r) => [r.kind, r.label, r.checked, r.diskPath]), [
      ['file.complete', 'e1.mkv', true, '/dl/show/s1/e1.mkv'],
      ['file', 'e2.mkv', true, '/dl/show/s1/e2.mkv'],
    ]);
    const top = fileNodes(t, root.children);
    assert.deepEqual(top.map((r) => [r.kind, r.checked, r.expandable]), [['folder', true, true], ['folder', false, true], ['file.complete', false, false]]);
  });

  test('Priority menu and check boxes send setFilePriorities for every file below the row', async () => {
    const { ctx, daemon } = stubContext();
    daemon.request.resolves({ files: [] });
    const t = torrent({ infoHash: hash('b'), name: 'show', savePath: '/dl' });
    const root = buildFileTree(SEASON);
    const [s1] = fileNodes(t, root.children);
    const entryOf = (n: { path?: string[] }) => findEntry(root, n.path ?? []);
    assert.equal(await setRowPriority(ctx, entryOf, s1, 'low'), true);
    const [type, params] = daemon.request.firstCall.args as [unknown, { infoHash: string; priorities: { index: number }[] }];
    assert.equal(type, TorrentSetFilePrioritiesRequest.type);
    assert.equal(params.infoHash, hash('b'));
    assert.deepEqual(params.priorities.map((p) => p.index).sort(), [0, 1]);
    const [, s2] = fileNodes(t, root.children);
    assert.equal(await setRowWanted(ctx, entryOf, s2, true), true);
    assert.deepEqual(daemon.request.secondCall.args[1], { infoHash: hash('b'), priorities: [{ index: 3, priority: 'normal' }] });
    assert.equal(await setRowPriority(ctx, entryOf, { kind: 'peer' }, 'low'), false, 'not a file row');
  });

  test('a refused change is shown, not thrown', async () => {
    const { ctx, daemon, ui } = stubContext();
    daemon.request.rejects(new Error('unknown torrent'));
    const root = buildFileTree(SEASON);
    const [s1] = fileNodes(torrent({ name: 'show' }), root.children);
    assert.equal(await setRowPriority(ctx, (n) => findEntry(root, n.path ?? []), s1, 'skip'), false);
    sinon.assert.calledOnce(ui.error);
  });

  test('Open: text and images in VS Code, media with the system; media still downloading by its stream URL', async () => {
    assert.equal(opensInEditor('/a/notes.txt'), true);
    assert.equal(opensInEditor('/a/README'), true);
    assert.equal(opensInEditor('/a/pic.png'), true);
    assert.equal(opensInEditor('/a/e1.mkv'), false);
    const { ctx, ui } = stubContext();
    const t = torrent({ name: 'show', savePath: '/dl' });
    const root = buildFileTree(SEASON);
    const [e1, e2] = fileNodes(t, findEntry(root, ['s1'])!.children);
    const [notes] = fileNodes(t, root.children).slice(2);
    assert.equal(await openFileRow(ctx, notes), '/dl/show/notes.txt');
    sinon.assert.calledOnceWithExactly(ui.openFile, '/dl/show/notes.txt');
    assert.equal(await openFileRow(ctx, e1), '/dl/show/s1/e1.mkv');
    sinon.assert.calledOnceWithExactly(ui.openExternal, 'file:///dl/show/s1/e1.mkv');
    const { daemon } = { daemon: (ctx.daemon as unknown as { request: sinon.SinonStub }) };
    daemon.request.withArgs(TorrentFileUrlRequest.type).resolves({ url: 'http://127.0.0.1:9/t/x/0/e2.mkv' });
    assert.equal(await openFileRow(ctx, e2), 'http://127.0.0.1:9/t/x/0/e2.mkv', 'media still downloading goes to the player by URL');
    sinon.assert.calledWith(ui.openExternal, 'http://127.0.0.1:9/t/x/0/e2.mkv');
  });

  test('Open on a text file still downloading shows its first bytes, fetched from the stream URL', async () => {
    const { ctx, ui, daemon } = stubContext();
    const t = torrent({ name: 'show', savePath: '/dl' });
    const root = buildFileTree(files('show/notes.txt:100:0:normal', 'show/x.bin:1:0'));
    const [notes] = fileNodes(t, root.children.filter((e) => e.name === 'notes.txt'));
    daemon.request.withArgs(TorrentFileUrlRequest.type).resolves({ url: 'http://127.0.0.1:9/tok/h/0/notes.txt' });
    const fetchStub = sinon.stub(globalThis, 'fetch').resolves(new Response('first lines\n', { status: 206 }));
    try {
      assert.equal(await openFileRow(ctx, notes), 'http://127.0.0.1:9/tok/h/0/notes.txt');
      assert.equal((fetchStub.firstCall.args[1] as RequestInit).headers && (fetchStub.firstCall.args[1] as { headers: Record<string, string> }).headers.Range, 'bytes=0-1048575');
      sinon.assert.calledOnceWithExactly(ui.showText, 'first lines\n');
      fetchStub.resolves(new Response('', { status: 404 }));
      assert.equal(await openFileRow(ctx, notes), undefined);
      sinon.assert.calledWithMatch(ui.error, /Opening "notes.txt"/);
    } finally {
      fetchStub.restore();
    }
  });
});
