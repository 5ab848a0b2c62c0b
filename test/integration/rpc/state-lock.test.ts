/**
 * One daemon per state folder: a second daemon on a folder in use refuses to start and names the pid
 * that holds it; once the first has stopped — or been killed, leaving its lock behind — the folder
 * can be used again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { within } from '../../support/deadline';
import { spawnDaemon, type DaemonProcess } from './daemon-process';

const DEADLINE = 20_000;

test('a second daemon on a state folder in use is refused and told whose it is; a stale lock is taken over', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-state-lock-'));
  const state = join(dir, 'state');
  const daemons: DaemonProcess[] = [];
  t.after(() => {
    for (const d of daemons) d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (): DaemonProcess => {
    const d = spawnDaemon(state);
    daemons.push(d);
    return d;
  };

  const first = start();
  await within(DEADLINE, first.initialize({ downloadDir: join(dir, 'dl'), port: 0 }), 'the first daemon did not start');
  assert.equal(readFileSync(join(state, 'btd.lock'), 'utf8').trim(), String(first.child.pid));

  // A refusal at once: no waiting for the holder to let go.
  process.env.BTD_STATE_LOCK_WAIT_MS = '0';
  const second = start();
  delete process.env.BTD_STATE_LOCK_WAIT_MS;
  const refused = await within(DEADLINE, second.initialize({ downloadDir: join(dir, 'dl'), port: 0 }).then(
    () => undefined,
    (err: { code?: number; message?: string; data?: unknown }) => err,
  ), 'the second daemon did not answer');
  assert.equal(refused?.code, P.ErrorCodes.IoError);
  assert.match(refused?.message ?? '', new RegExp(`in use by another btd daemon \\(pid ${first.child.pid}\\)`));
  assert.deepEqual(refused?.data, { pid: first.child.pid });
  // The first one is untouched and still serving.
  assert.deepEqual((await first.conn.sendRequest(P.TorrentListRequest.type)).torrents, []);
  second.kill();

  // A daemon killed with SIGKILL leaves its lock; the next one takes it over.
  first.kill();
  await first.exited;
  assert.ok(existsSync(join(state, 'btd.lock')), 'the killed daemon left its lock');
  const third = start();
  await within(DEADLINE, third.initialize({ downloadDir: join(dir, 'dl'), port: 0 }), 'a stale lock was not taken over');
  assert.equal(readFileSync(join(state, 'btd.lock'), 'utf8').trim(), String(third.child.pid));
  // A restart: the next daemon starts while the old one is still stopping, and waits for its lock.
  const stopping = third.stop();
  const fourth = start();
  await within(DEADLINE, fourth.initialize({ downloadDir: join(dir, 'dl'), port: 0 }), 'the restarted daemon did not get the lock');
  assert.equal(await stopping, 0);
  assert.equal(readFileSync(join(state, 'btd.lock'), 'utf8').trim(), String(fourth.child.pid));
  assert.equal(await fourth.stop(), 0);
  assert.ok(!existsSync(join(state, 'btd.lock')), 'a clean stop removes the lock');
});
