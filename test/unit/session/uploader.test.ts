import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Throttle } from '../../../daemon/src/util/throttle';
import { UPLOAD_QUEUE_LENGTH, type Peer } from '../../../daemon/src/session/peer';
import { cancelUpload, dropChokedUploads, queueUpload, type UploadContext } from '../../../daemon/src/session/uploader';

/** A peer whose connection records what we answer: blocks sent and rejects (the fast extension is on). */
function fakePeer(opts: { choked?: boolean; allowedFast?: number[] } = {}) {
  const sent: string[] = [];
  const rejected: string[] = [];
  const conn = {
    amChoking: opts.choked ?? false,
    closed: false,
    writeBuffered: 0,
    reject: (i: number, b: number, l: number) => rejected.push(`${i}/${b}/${l}`),
    piece: (i: number, b: number, _d: Uint8Array, done?: () => void) => {
      sent.push(`${i}/${b}`);
      done?.();
    },
  };
  const peer = { conn, uploads: [], reading: 0, uploadWaiting: false, allowedFast: new Set(opts.allowedFast ?? []) } as unknown as Peer;
  return { peer, conn, sent, rejected };
}

/** Serves from memory; reads resolve when `release()` is called, so requests stay queued until then. */
function context(have: Bitfield) {
  const pending: (() => void)[] = [];
  const ctx: UploadContext = {
    read: (_i, _b, length) => new Promise((resolve) => pending.push(() => resolve({ data: new Uint8Array(length), release: () => undefined }))),
    have,
    throttle: new Throttle(0),
    uploaded: () => undefined,
    readFailed: (err) => assert.fail(String(err)),
  };
  return { ctx, release: () => pending.splice(0).forEach((f) => f()) };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('serving requests', () => {
  test('a request while we choke, for a piece we lack, or past the queue is rejected; the rest are served', async () => {
    const { ctx, release } = context(Bitfield.fromString('** '));
    const choked = fakePeer({ choked: true, allowedFast: [1] });
    queueUpload(ctx, choked.peer, 0, 0, 16384);
    queueUpload(ctx, choked.peer, 1, 0, 16384);
    assert.deepEqual(choked.rejected, ['0/0/16384'], 'choked: only the allowed-fast piece is served');
    const open = fakePeer();
    queueUpload(ctx, open.peer, 2, 0, 16384);
    assert.deepEqual(open.rejected, ['2/0/16384'], 'a piece we do not have');
    for (let i = 0; i < UPLOAD_QUEUE_LENGTH + 20; i++) queueUpload(ctx, open.peer, 0, 0, 16384);
    const answeredNow = open.rejected.length - 1;
    assert.ok(answeredNow >= 20 - 8 && answeredNow <= 20, `past the queue of ${UPLOAD_QUEUE_LENGTH}: ${answeredNow} rejected`);
    for (let round = 0; round < 200 && open.sent.length + answeredNow < UPLOAD_QUEUE_LENGTH + 20; round++) {
      release();
      await flush();
    }
    release();
    await flush();
    assert.equal(open.sent.length + answeredNow, UPLOAD_QUEUE_LENGTH + 20, 'every request got exactly one answer');
    assert.deepEqual(choked.sent, ['1/0']);
  });

  test('choking rejects the queued requests it will not serve, and a read that ends after the choke is rejected too', async () => {
    const { ctx, release } = context(Bitfield.fromString('***'));
    const p = fakePeer({ allowedFast: [2] });
    for (let i = 0; i < 12; i++) queueUpload(ctx, p.peer, i % 3, 0, 16384);
    p.conn.amChoking = true;
    dropChokedUploads(p.peer);
    for (let round = 0; round < 4; round++) {
      release();
      await flush();
    }
    // 8 reads were in flight: their pieces 0 and 1 are rejected when they come back, piece 2 is sent.
    const answered = p.sent.length + p.rejected.length;
    assert.equal(answered, 12, `every request answered once (${p.sent.length} sent, ${p.rejected.length} rejected)`);
    assert.ok(p.sent.every((s) => s.startsWith('2/')), `only allowed-fast blocks after the choke: ${p.sent.join(' ')}`);
  });

  test('a cancelled request that was still queued gets its reject', () => {
    const { ctx } = context(Bitfield.fromString('*'));
    const p = fakePeer();
    p.peer.reading = 8; // reads busy: the requests stay queued
    queueUpload(ctx, p.peer, 0, 0, 16384);
    queueUpload(ctx, p.peer, 0, 16384, 16384);
    cancelUpload(p.peer, 0, 16384, 16384);
    cancelUpload(p.peer, 0, 99, 16384);
    assert.deepEqual(p.rejected, ['0/16384/16384']);
    assert.equal(p.peer.uploads.length, 1);
  });
});
