/** `btd daemon --rpc socket:PATH`: private socket and token file, refused without the token, served with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { BTD } from './daemon-process';

function connect(path: string): Promise<{ conn: MessageConnection; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => {
      const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      const closed = new Promise<void>((done) => conn.onClose(() => done()));
      conn.onError(() => undefined);
      conn.listen();
      resolve({ conn, closed });
    });
    socket.once('error', reject);
  });
}

/** Starts `btd daemon --rpc socket:<dir>/run/btd.sock` and resolves once it has printed its token file. */
async function startSocketDaemon(t: { after(fn: () => void): void }, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sock = join(dir, 'run', 'btd.sock');
  const child = spawn(process.execPath, [BTD, 'daemon', '--rpc', `socket:${sock}`, '--state-dir', join(dir, 'state'), '--download-dir', join(dir, 'dl'), '--port', '0', '--listen-host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let out = '';
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('token file:')) resolve();
    }),
  );
  return { dir, sock, child, exited, out };
}

test('socket daemon: 0600 socket in a 0700 folder, token required, keeps serving other clients', { timeout: 60_000 }, async (t) => {
  const { dir, sock, child, exited, out } = await startSocketDaemon(t, 'btd-rpc-socket-');
  assert.match(out, new RegExp(`listening on ${sock}`));
  assert.equal(statSync(sock).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'run')).mode & 0o777, 0o700);
  assert.equal(statSync(`${sock}.token`).mode & 0o777, 0o600);
  const token = readFileSync(`${sock}.token`, 'utf8').trim();
  assert.match(token, /^[0-9a-f]{64}$/);

  const intruder = await connect(sock);
  await assert.rejects(intruder.conn.sendRequest(P.TorrentListRequest.type), (err: unknown) => err instanceof ResponseError && err.code === P.ErrorCodes.Unauthorized);
  await intruder.closed;
  intruder.conn.dispose();

  const wrong = await connect(sock);
  await assert.rejects(wrong.conn.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token: 'f'.repeat(64) } }), (err: unknown) => err instanceof ResponseError && err.code === P.ErrorCodes.Unauthorized);
  wrong.conn.dispose();

  const client = await connect(sock);
  await client.conn.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token } });
  assert.deepEqual(await client.conn.sendRequest(P.TorrentListRequest.type), { torrents: [] });
  await client.conn.sendRequest(P.ShutdownRequest.type);
  client.conn.sendNotification(P.ExitNotification.type);
  await client.closed;
  client.conn.dispose();

  const other = await connect(sock);
  await other.conn.sendRequest(P.AuthRequest.type, { token });
  await other.conn.sendRequest(P.InitializeRequest.type, { processId: null });
  assert.equal((await other.conn.sendRequest(P.SessionStatsRequest.type)).torrents, 0, 'one client leaving does not stop the daemon');
  other.conn.dispose();

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(existsSync(sock), false);
  assert.equal(existsSync(`${sock}.token`), false);
});

test('socket daemon: initialize names the daemon; daemon/stop stops it for every client, exit code 0', { timeout: 60_000 }, async (t) => {
  const { dir, sock, child, exited } = await startSocketDaemon(t, 'btd-rpc-socket-stop-');
  const state = join(dir, 'state');
  const token = readFileSync(`${sock}.token`, 'utf8').trim();
  const watcher = await connect(sock);
  await watcher.conn.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token } });
  const stopper = await connect(sock);
  const init = await stopper.conn.sendRequest(P.InitializeRequest.type, { processId: null, initializationOptions: { token } });
  assert.deepEqual(init.daemon, { pid: child.pid, mode: 'socket', stateDir: state });
  assert.ok(init.capabilities.methods.includes(P.DaemonStopRequest.method));
  assert.equal(await stopper.conn.sendRequest(P.DaemonStopRequest.type), null);
  await watcher.closed;
  await stopper.closed;
  watcher.conn.dispose();
  stopper.conn.dispose();
  assert.equal(await exited, 0);
  assert.equal(existsSync(sock), false);
  assert.equal(existsSync(join(state, 'btd.lock')), false, 'the lock is released');
});
