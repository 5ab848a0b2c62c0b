import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Torrent } from '../../../daemon/src/session';
import { openFileData, type OpenData } from '../../../daemon/src/session/data';
import { loadResumeState, type CheckResult } from '../../../daemon/src/storage';
import { stateFileOf } from '../../../daemon/src/storage/torrent-data';
import { checked, Fixture, seederAndLeecher } from './helpers';

/** Rejects with `what` unless `p` settles within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * File data whose writes can be held: once `arm`ed, the next write waits until `release`; every
 * check's result is kept in `checks`.
 */
function gatedData() {
  const checks: CheckResult[] = [];
  let armed = false;
  let release: (() => void) | undefined;
  let onHeld!: (piece: number) => void;
  const held = new Promise<number>((resolve) => (onHeld = resolve));
  const open: OpenData = async (...args) => {
    const data = await openFileData()(...args);
    const write = data.storage.write.bind(data.storage);
    data.storage.write = (piece, offset, bytes) => {
      if (!armed) return write(piece, offset, bytes);
      armed = false;
      onHeld(piece);
      return new Promise<void>((resolve) => (release = resolve)).then(() => write(piece, offset, bytes));
    };
    const check = data.check.bind(data);
    data.check = async (mode, onProgress) => {
      const r = await check(mode, onProgress);
      checks.push(r);
      return r;
    };
    return data;
  };
  return { open, checks, held, arm: () => (armed = true), release: () => release?.() };
}

describe('resume state', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('a pause waits for the write in flight, then saves; the restart trusts the state and hashes nothing', async () => {
    const { leechDir, metainfo, seeder } = await seederAndLeecher(fx, 'quiesce', { 'q.bin': 1_000_000 }, { uploadRateLimit: 250_000 });
    const gate = gatedData();
    const leecher = await fx.session(leechDir, {}, { openData: gate.open });
    const t: Torrent = await leecher.addTorrent(metainfo);
    await checked(t);
    gate.arm();
    t.addPeer('127.0.0.1', seeder.port);
    const piece = await within(gate.held, 20_000, 'write');
    let paused = false;
    const pausing = t.pause().then(() => (paused = true));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(paused, false, 'pause waits for the write in flight');
    gate.release();
    await within(pausing, 10_000, 'pause');
    const stateFile = stateFileOf(metainfo, path.join(leechDir, '.btd'));
    const saved = (await loadResumeState(stateFile, metainfo)).state;
    assert.ok(saved, 'a state was saved');
    assert.ok(saved.have.has(piece), `piece ${piece}, written after the pause began, is recorded`);
    assert.equal(saved.writing, undefined, 'the state of a paused torrent says nothing writes');
    const had = t.summary().havePieces;
    assert.equal(saved.have.count, had);
    await leecher.close();

    const again = gatedData();
    const restarted = await fx.session(leechDir, {}, { openData: again.open });
    const t2 = await restarted.addTorrent(metainfo, { paused: true });
    await checked(t2);
    assert.deepEqual(
      again.checks.map((c) => [c.mode, c.hashed]),
      [['fast', 0]],
      'fast resume: no piece hashed',
    );
    assert.equal(t2.summary().havePieces, had);
  });
});
