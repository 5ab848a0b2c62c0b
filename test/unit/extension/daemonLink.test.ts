import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import sinon from 'sinon';
import {
  ATTACH_DEADLINE_MS, ATTACH_RETRY_MS, AttachError, attachSharedDaemon, linkPaths, sharedDaemonArgs, type LinkDeps,
} from '../../../extension/src/daemonLink';

const STATE = '/home/me/.local/state/btd';
const { socketPath, tokenPath, logPath } = linkPaths(STATE);

function sysError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

/** Stubs on a clock that moves only when the code under test waits. */
function deps(over: Partial<LinkDeps> = {}): LinkDeps & { clock: { t: number } } {
  const clock = { t: 0 };
  return {
    clock,
    connect: sinon.stub().resolves(new PassThrough()),
    readFile: sinon.stub().callsFake(async (p: string) => {
      if (p === tokenPath) return 'ab'.repeat(32) + '\n';
      throw sysError('ENOENT');
    }),
    startDaemon: sinon.stub(),
    delay: async (ms: number) => {
      clock.t += ms;
    },
    now: () => clock.t,
    ...over,
  };
}

describe('attachSharedDaemon', () => {
  test('paths: the socket and token in <state>/run, the log beside them', () => {
    assert.equal(socketPath, `${STATE}/run/btd.sock`);
    assert.equal(tokenPath, `${STATE}/run/btd.sock.token`);
    assert.equal(logPath, `${STATE}/run/daemon.log`);
    assert.deepEqual(sharedDaemonArgs(STATE), ['daemon', '--rpc', 'socket', '--state-dir', STATE]);
  });

  test('a running daemon is attached to, with its token, and none is started', async () => {
    const d = deps();
    const link = await attachSharedDaemon(STATE, d);
    assert.equal(link.token, 'ab'.repeat(32));
    assert.equal(link.started, false);
    sinon.assert.calledOnceWithExactly(d.connect as sinon.SinonStub, socketPath);
    sinon.assert.notCalled(d.startDaemon as sinon.SinonStub);
  });

  for (const code of ['ENOENT', 'ECONNREFUSED']) {
    test(`${code}: the daemon is started detached, then attached to once it listens`, async () => {
      const connect = sinon.stub();
      connect.onCall(0).rejects(sysError(code));
      connect.onCall(1).rejects(sysError('ENOENT'));
      connect.onCall(2).rejects(sysError('ECONNREFUSED'));
      connect.onCall(3).resolves(new PassThrough());
      const d = deps({ connect });
      const link = await attachSharedDaemon(STATE, d);
      assert.equal(link.started, true);
      sinon.assert.calledOnce(d.startDaemon as sinon.SinonStub);
      sinon.assert.calledWith(d.startDaemon as sinon.SinonStub, sharedDaemonArgs(STATE), logPath);
      assert.equal(connect.callCount, 4);
      assert.equal(d.clock.t, 2 * ATTACH_RETRY_MS);
    });
  }

  test('a started daemon that exits fails at once, with the end of its log', async () => {
    const startDaemon = sinon.stub().callsFake((_a: string[], _l: string, onExit: (c: number | null) => void) => onExit(1));
    const readFile = sinon.stub().callsFake(async (p: string) => {
      if (p === logPath) return 'starting\nbtd: the state folder /x is in use by another btd daemon (pid 77)\n';
      throw sysError('ENOENT');
    });
    const d = deps({ connect: sinon.stub().rejects(sysError('ENOENT')), startDaemon, readFile });
    await assert.rejects(attachSharedDaemon(STATE, d), (err: unknown) => {
      assert.ok(err instanceof AttachError);
      assert.match(err.message, /exited with code 1/);
      assert.match(err.message, /in use by another btd daemon \(pid 77\)/);
      return true;
    });
    assert.equal(d.clock.t, 0, 'no waiting for a daemon that is gone');
  });

  test('a daemon that never listens fails at the deadline', async () => {
    const d = deps({ connect: sinon.stub().rejects(sysError('ENOENT')) });
    await assert.rejects(attachSharedDaemon(STATE, d), /did not listen within 20 s/);
    assert.ok(d.clock.t >= ATTACH_DEADLINE_MS && d.clock.t < ATTACH_DEADLINE_MS + 2 * ATTACH_RETRY_MS);
  });

  test('a socket we may not use is an error, and nothing is started', async () => {
    const d = deps({ connect: sinon.stub().rejects(sysError('EACCES')) });
    await assert.rejects(attachSharedDaemon(STATE, d), (err: unknown) => err instanceof AttachError && /cannot reach the btd daemon at .*btd\.sock/.test(err.message));
    sinon.assert.notCalled(d.startDaemon as sinon.SinonStub);
  });

  test('an unreadable token file is an error, and the socket is closed', async () => {
    const socket = new PassThrough();
    const d = deps({ connect: sinon.stub().resolves(socket), readFile: sinon.stub().rejects(sysError('EACCES')) });
    await assert.rejects(attachSharedDaemon(STATE, d), /token file .*btd\.sock\.token cannot be read/);
    assert.equal(socket.destroyed, true);
  });
});
