import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Picker } from '../../../daemon/src/picker';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { BlockIntake, DEFAULT_HELD_BYTES, HeldBudget, defaultHeldBytes } from '../../../daemon/src/session/intake';
import { createMemoryStorage } from '../../../daemon/src/storage';
import type { Storage } from '../../../daemon/src/storage/types';

const BLOCK = 16384;

/** A metainfo over random data with 32 KiB pieces (two blocks each). */
function torrent(pieces: number, lastPiece = 2 * BLOCK): { m: Metainfo; data: Buffer } {
  const pieceLength = 2 * BLOCK;
  const totalLength = (pieces - 1) * pieceLength + lastPiece;
  const data = randomBytes(totalLength);
  const hashes = Array.from({ length: pieces }, (_, i) => createHash('sha1').update(data.subarray(i * pieceLength, (i + 1) * pieceLength)).digest());
  const m = {
    infoHash: Buffer.alloc(20, 1),
    infoHashHex: '01'.repeat(20),
    name: 'intake',
    pieceLength,
    pieceCount: pieces,
    totalLength,
    pieces: Buffer.concat(hashes),
    files: [{ path: ['intake'], length: totalLength, offset: 0 }],
    announceList: [],
    private: false,
  } as unknown as Metainfo;
  return { m, data };
}

/** `storage` with its write replaced (every other method still reaches the original). */
function withWrite(storage: Storage, write: Storage['write']): Storage {
  return Object.assign(Object.create(storage) as Storage, { write });
}

/** An intake over memory storage that records what happens; `settled` resolves after n outcomes. */
function setup(m: Metainfo, maxHeld: number, storage: Storage = createMemoryStorage(m), shared?: HeldBudget) {
  const picker = new Picker(m);
  const verified: number[] = [];
  const corrupt: number[] = [];
  const abandoned: number[] = [];
  const failures: unknown[] = [];
  const writes: [number, number, number][] = [];
  const counting = withWrite(storage, (piece, offset, data) => {
    writes.push([piece, offset, data.length]);
    return storage.write(piece, offset, data);
  });
  let waiting: { n: number; done: () => void } | undefined;
  const outcome = (): void => {
    if (waiting && verified.length + corrupt.length + failures.length >= waiting.n) waiting.done();
  };
  const intake = new BlockIntake(
    {
      metainfo: m,
      storage: counting,
      picker,
      verified: (p) => (verified.push(p), outcome()),
      corrupt: (p) => (corrupt.push(p), outcome()),
      abandoned: (p) => abandoned.push(p),
      storageFailed: (err) => (failures.push(err), outcome()),
      backlogFreed: () => undefined,
    },
    maxHeld,
    shared,
  );
  const settled = (n: number): Promise<void> =>
    new Promise((done) => {
      waiting = { n, done };
      outcome();
    });
  /** Requests every block of `piece` from peer 'p' and delivers them from `data` through the intake. */
  const everything = new Picker(m).have.clone();
  for (let i = 0; i < m.pieceCount; i++) everything.set(i);
  picker.addPeer(everything);
  const deliver = (piece: number, data: Buffer, blocks?: number[]): void => {
    const asked = picker.pick(everything, 1000, 'p').filter((r) => r.piece === piece);
    for (const r of asked) {
      if (blocks && !blocks.includes(r.offset / BLOCK)) continue;
      const receipt = picker.blockReceived(r, 'p');
      const at = piece * m.pieceLength + r.offset;
      intake.add(piece, r.offset, data.subarray(at, at + r.length), receipt.pieceComplete);
    }
    picker.releasePeer('p');
  };
  return { intake, picker, verified, corrupt, abandoned, failures, writes, settled, deliver, storage, everything };
}

describe('BlockIntake', () => {
  test('a piece held in memory is hashed there and written with one call', async () => {
    const { m, data } = torrent(3, 1000);
    const t = setup(m, 1 << 20);
    for (let p = 0; p < 3; p++) t.deliver(p, data);
    await t.settled(3);
    assert.deepEqual(t.verified.sort(), [0, 1, 2]);
    assert.deepEqual(t.writes.sort(), [
      [0, 0, 2 * BLOCK],
      [1, 0, 2 * BLOCK],
      [2, 0, 1000],
    ]);
    assert.equal(t.picker.missingPieces, 0);
    assert.deepEqual(Buffer.from(await t.storage.read(2, 0, 1000)), data.subarray(2 * m.pieceLength));
  });

  test('a corrupt piece is never written and starts over', async () => {
    const { m, data } = torrent(2);
    const t = setup(m, 1 << 20);
    const bad = Buffer.from(data);
    bad[5] ^= 0xff;
    t.deliver(0, bad);
    await t.settled(1);
    assert.deepEqual(t.corrupt, [0]);
    assert.deepEqual(t.writes, []);
    assert.equal(t.picker.have.has(0), false);
    t.deliver(0, data); // the picker hands the piece out again
    await t.settled(2);
    assert.deepEqual(t.verified, [0]);
  });

  test('beyond the budget pieces go to disk block by block and are read back to be hashed', async () => {
    const { m, data } = torrent(3);
    const t = setup(m, 2 * BLOCK); // room for one piece
    t.deliver(0, data, [0]); // piece 0 is held, half received
    t.deliver(1, data); // no room: written block by block
    const bad = Buffer.from(data);
    bad[2 * m.pieceLength + 7] ^= 1;
    t.deliver(2, bad);
    await t.settled(2);
    assert.deepEqual(t.verified, [1]);
    assert.deepEqual(t.corrupt, [2]);
    assert.deepEqual(
      t.writes.filter((w) => w[0] === 1),
      [
        [1, 0, BLOCK],
        [1, BLOCK, BLOCK],
      ],
    );
    t.deliver(0, data, [1]); // the held piece completes
    await t.settled(3);
    assert.deepEqual(t.verified, [1, 0]);
  });

  test('intakes sharing a session budget hold pieces only while the session has room', async () => {
    const { m, data } = torrent(3);
    const session = new HeldBudget(2 * m.pieceLength);
    const a = setup(m, 1 << 20, createMemoryStorage(m), session);
    const b = setup(m, 1 << 20, createMemoryStorage(m), session);
    assert.equal(a.intake.pieceCapacity, 2, 'the session bound, below the own budget');
    a.deliver(0, data, [0]);
    a.deliver(1, data, [0]); // a holds the whole session budget
    assert.equal(session.free, 0);
    assert.equal(a.intake.pieceCapacity, 2);
    assert.equal(b.intake.pieceCapacity, 1, 'never below one piece');
    b.deliver(0, data); // no room left: written block by block, read back to be hashed
    await b.settled(1);
    assert.deepEqual(b.writes, [
      [0, 0, BLOCK],
      [0, BLOCK, BLOCK],
    ]);
    a.deliver(0, data, [1]);
    await a.settled(1);
    assert.equal(session.free, m.pieceLength, 'a verified piece gives its room back');
    b.deliver(1, data); // held now: one write of the whole piece
    await b.settled(2);
    assert.deepEqual(b.writes.slice(2), [[1, 0, 2 * BLOCK]]);
    assert.deepEqual(b.verified, [0, 1]);
    a.intake.stop();
    assert.equal(session.free, 2 * m.pieceLength, 'stopping gives back the pieces still being received');
  });

  test('pieces read back from disk are read two at a time, however many wait', async () => {
    const { m, data } = torrent(6);
    const storage = createMemoryStorage(m);
    const gates: (() => void)[] = [];
    const gated = Object.assign(Object.create(storage) as Storage, {
      readInto: (piece: number, offset: number, out: Uint8Array) =>
        new Promise<void>((resolve, reject) => gates.push(() => storage.readInto(piece, offset, out).then(resolve, reject))),
    });
    const t = setup(m, 0, gated); // no room in memory: every piece goes to disk block by block
    for (let p = 0; p < 6; p++) t.deliver(p, data);
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const until = async (ready: () => boolean): Promise<void> => {
      while (!ready()) await turn();
    };
    await until(() => gates.length === 2);
    for (let i = 0; i < 5; i++) await turn(); // every block write has settled by now
    assert.equal(gates.length, 2, 'two read-backs started, four wait without a buffer');
    while (t.verified.length < 6) {
      const open = gates.splice(0);
      assert.ok(open.length <= 2, `${open.length} read-backs at once`);
      for (const go of open) go();
      // The hash runs on the thread pool: wait for its outcome or the next read-back.
      const before = t.verified.length;
      await until(() => gates.length > 0 || t.verified.length === 6 || (open.length === 0 && t.verified.length > before));
    }
    assert.deepEqual([...t.verified].sort(), [0, 1, 2, 3, 4, 5]);
  });

  test('the default budget holds at least two pieces of up to 4 MiB', () => {
    const MiB = 1 << 20;
    assert.equal(defaultHeldBytes(MiB), DEFAULT_HELD_BYTES);
    assert.equal(defaultHeldBytes(16384), DEFAULT_HELD_BYTES);
    assert.equal(defaultHeldBytes(4 * MiB), 8 * MiB);
    assert.equal(defaultHeldBytes(16 * MiB), 8 * MiB, 'larger pieces go to disk block by block');
  });

  test('stop forgets pieces still being received; the picker starts them over', async () => {
    const { m, data } = torrent(3);
    const t = setup(m, 2 * BLOCK);
    t.deliver(0, data, [0]); // held
    t.deliver(1, data, [1]); // direct
    t.intake.stop();
    assert.deepEqual(t.abandoned.sort(), [0, 1]);
    const again = t.picker.pick(t.everything, 100, 'q');
    assert.equal(again.filter((r) => r.piece === 0).length, 2, 'both blocks of piece 0 are wanted again');
    assert.equal(again.filter((r) => r.piece === 1).length, 2);
  });

  test('a failed write of a held piece reports the storage failure and leaves the piece missing', async () => {
    const { m, data } = torrent(1);
    const storage = createMemoryStorage(m);
    const broken = withWrite(storage, () => Promise.reject(new Error('disk full')));
    const t = setup(m, 1 << 20, broken);
    t.deliver(0, data);
    await t.settled(1);
    assert.equal((t.failures[0] as Error).message, 'disk full');
    assert.deepEqual(t.verified, []);
    assert.equal(t.picker.have.has(0), false);
  });

  test('idle waits for a write in flight at stop, whose piece is verified first', async () => {
    const { m, data } = torrent(2);
    const storage = createMemoryStorage(m);
    const held: (() => void)[] = [];
    let wrote!: () => void;
    const writing = new Promise<void>((resolve) => (wrote = resolve));
    const deferred = withWrite(storage, (piece, offset, bytes) => {
      wrote();
      return new Promise<void>((resolve, reject) => held.push(() => storage.write(piece, offset, bytes).then(resolve, reject)));
    });
    const t = setup(m, 2 * BLOCK, deferred); // piece 0 in memory, piece 1 block by block
    t.deliver(0, data);
    await writing; // hashed, its one write waits for the disk
    t.deliver(1, data, [0]);
    t.intake.stop();
    let idle = false;
    const quiet = t.intake.idle().then(() => (idle = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(idle, false, 'a write is still in flight');
    assert.equal(held.length, 2, "piece 0's write and the block of piece 1");
    for (const release of held) release();
    await quiet;
    assert.deepEqual(t.verified, [0], 'the piece being written when the swarm stopped was verified before idle resolved');
    assert.equal(t.picker.have.has(0), true);
    assert.deepEqual(t.abandoned, [1]);
    let again = false;
    await t.intake.idle().then(() => (again = true));
    assert.equal(again, true, 'idle resolves at once with nothing in flight');
  });
});
