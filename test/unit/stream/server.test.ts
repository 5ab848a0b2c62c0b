/** The file server over a fake torrent in memory: status codes, headers, waiting for pieces, releases. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { FileServer, type StreamTorrent } from '../../../daemon/src/stream';
import { StreamDeadlines } from '../../../daemon/src/session/stream-deadlines';
import type { FileEntry } from '../../../daemon/src/metainfo/types';
import type { FilePriority } from '../../../daemon/src/picker';
import { until, within } from '../../support/deadline';
import { httpGet } from '../../support/http-get';

const PL = 1024;
const HASH = 'cd'.repeat(20);
const TOKEN = 'secret-token';

class FakeTorrent extends EventEmitter implements StreamTorrent {
  readonly infoHashHex = HASH;
  readonly data = randomBytes(10 * PL + 100);
  readonly metainfo: StreamTorrent['metainfo'];
  readonly verified = new Set<number>();
  readonly verifiedPieces = { has: (p: number): boolean => this.verified.has(p) };
  deadlines: ReadonlyMap<number, number> | undefined;
  readonly readers = new StreamDeadlines({ pieceLength: PL, totalLength: this.data.length }, (d) => (this.deadlines = d));
  priorities: FilePriority[] = ['normal', 'normal', 'skip'];

  constructor() {
    super();
    const files: FileEntry[] = [
      { path: ['t', 'movie.mp4'], length: 6 * PL, offset: 0 },
      { path: ['t', '.pad', '0'], length: 100, offset: 6 * PL, padding: true },
      { path: ['t', 'notes.txt'], length: 4 * PL, offset: 6 * PL + 100 },
    ];
    this.metainfo = { pieceLength: PL, totalLength: this.data.length, pieceCount: 11, files };
  }
  read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    const at = piece * PL + offset;
    return Promise.resolve(this.data.subarray(at, at + length));
  }
  files(): { index: number; priority: FilePriority }[] {
    return this.priorities.map((priority, index) => ({ index, priority }));
  }
  setFilePriorities(changes: readonly { index: number; priority: FilePriority }[]): Promise<void> {
    for (const c of changes) this.priorities[c.index] = c.priority;
    return Promise.resolve();
  }
  verify(...pieces: number[]): void {
    for (const p of pieces) {
      this.verified.add(p);
      this.emit('piece', p);
    }
  }
}

const get = httpGet;

async function setup(t: { after(fn: () => Promise<void>): void }, maxStreams?: number): Promise<{ torrent: FakeTorrent; server: FileServer; base: string; catalog: Map<string, FakeTorrent> }> {
  const torrent = new FakeTorrent();
  const catalog = new Map([[HASH, torrent]]);
  const server = new FileServer((h) => catalog.get(h), { token: TOKEN, ...(maxStreams !== undefined ? { maxStreams } : {}) });
  const port = await server.start();
  t.after(() => server.close());
  return { torrent, server, base: `http://127.0.0.1:${port}`, catalog };
}

describe('file server', () => {
  test('urlFor names the file; bad torrent or index are typed errors', async (t) => {
    const { server, base } = await setup(t);
    assert.equal(await server.urlFor(HASH.toUpperCase(), 0), `${base}/${TOKEN}/${HASH}/0/movie.mp4`);
    await assert.rejects(server.urlFor('ee'.repeat(20), 0), { name: 'FileServerError', code: 'unknown-torrent' });
    await assert.rejects(server.urlFor(HASH, 1), { name: 'FileServerError', code: 'no-file' }, 'a padding file');
    await assert.rejects(server.urlFor(HASH, 3), { name: 'FileServerError', code: 'no-file' });
  });

  test('403 without the token, 404 for unknown torrents and files, 405 for other methods', async (t) => {
    const { base } = await setup(t);
    assert.equal((await get(`${base}/${HASH}/0/movie.mp4`)).status, 403);
    assert.equal((await get(`${base}/wrong/${HASH}/0/movie.mp4`)).status, 403);
    assert.equal((await get(`${base}/`)).status, 403);
    assert.equal((await get(`${base}/${TOKEN}/${'ee'.repeat(20)}/0/x`)).status, 404);
    assert.equal((await get(`${base}/${TOKEN}/${HASH}/1/x`)).status, 404, 'padding file');
    assert.equal((await get(`${base}/${TOKEN}/${HASH}/9/x`)).status, 404);
    assert.equal((await get(`${base}/${TOKEN}`)).status, 404);
    assert.equal((await get(`${base}/${TOKEN}/${HASH}/0/movie.mp4`, { method: 'POST' })).status, 405);
  });

  test('HEAD and 416 answer at once, whatever is downloaded', async (t) => {
    const { base } = await setup(t);
    const url = `${base}/${TOKEN}/${HASH}/0/movie.mp4`;
    const head = await within(5000, get(url, { method: 'HEAD' }), 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(6 * PL));
    assert.equal(head.headers['content-type'], 'video/mp4');
    assert.equal(head.headers['accept-ranges'], 'bytes');
    const headRange = await within(5000, get(url, { method: 'HEAD', range: 'bytes=100-199' }), 'HEAD range');
    assert.equal(headRange.status, 206);
    assert.equal(headRange.headers['content-range'], `bytes 100-199/${6 * PL}`);
    const bad = await within(5000, get(url, { range: `bytes=${6 * PL}-` }), '416');
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], `bytes */${6 * PL}`);
  });

  test('a range waits for its pieces, with deadlines, and is byte-identical; done readers release them', async (t) => {
    const { torrent, base } = await setup(t);
    const file2 = 6 * PL + 100;
    const answer = get(`${base}/${TOKEN}/${HASH}/2/notes.txt`, { range: `bytes=${PL - 10}-${2 * PL + 10}` });
    await until(() => torrent.deadlines !== undefined, 5000, 'deadlines set');
    const first = Math.floor((file2 + PL - 10) / PL);
    assert.equal([...(torrent.deadlines ?? new Map()).keys()][0], first, 'the piece under the reader first');
    assert.deepEqual(torrent.priorities[2], 'normal', 'a skipped file is wanted once read');
    torrent.verify(first, first + 1, first + 2);
    const a = await within(5000, answer, 'range body');
    assert.equal(a.status, 206);
    assert.equal(a.headers['content-type'], 'text/plain; charset=utf-8');
    assert.deepEqual(a.body, torrent.data.subarray(file2 + PL - 10, file2 + 2 * PL + 11));
    await until(() => torrent.deadlines === undefined, 5000, 'deadlines released after the answer');
  });

  test('the whole file once all is there', async (t) => {
    const { torrent, base } = await setup(t);
    torrent.verify(0, 1, 2, 3, 4, 5);
    const a = await within(5000, get(`${base}/${TOKEN}/${HASH}/0/movie.mp4`), 'full body');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, torrent.data.subarray(0, 6 * PL));
  });

  test('a closed request releases its deadlines; a bound on streams answers 503', async (t) => {
    const { torrent, server, base } = await setup(t, 1);
    const abort = new AbortController();
    const waiting = get(`${base}/${TOKEN}/${HASH}/0/movie.mp4`, { signal: abort.signal }).catch((err: Error) => err);
    await until(() => torrent.readers.readerCount === 1, 5000, 'one reader');
    const busy = await within(5000, get(`${base}/${TOKEN}/${HASH}/0/movie.mp4`), 'second stream');
    assert.equal(busy.status, 503);
    abort.abort();
    await within(5000, waiting, 'the aborted request settles');
    await until(() => torrent.readers.readerCount === 0 && server.activeStreams === 0, 5000, 'reader released');
    assert.equal(torrent.deadlines, undefined);
    assert.equal(torrent.listenerCount('piece'), 0, 'no piece listener left behind');
  });

  test('a removed torrent ends the response instead of hanging', async (t) => {
    const { torrent, base, catalog } = await setup(t);
    const answer = get(`${base}/${TOKEN}/${HASH}/0/movie.mp4`).then(
      (a) => a,
      (err: Error) => err,
    );
    await until(() => torrent.readers.readerCount === 1, 5000, 'one reader');
    catalog.delete(HASH);
    const result = await within(5000, answer, 'the response ends');
    assert.ok(result instanceof Error || result.body.length < 6 * PL, 'cut short');
    await until(() => torrent.readers.readerCount === 0, 5000, 'reader released');
  });
});
