/**
 * Failure as a client sees it (in the style of vscode-languageserver-node's fake servers): a daemon that
 * crashes mid-request, one that hangs on shutdown, and the real daemon exiting when its parent dies or
 * its stdin closes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { spawnDaemon } from './daemon-process';

const FAKE = join(__dirname, 'fixtures', 'fake-daemon.js');

function connect(child: ChildProcess): MessageConnection {
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onError(() => undefined);
  conn.listen();
  return conn;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('client side of failures', () => {
  test('a daemon that crashes mid-request: the connection closes and the pending request fails', async (t) => {
    const child = spawn(process.execPath, [FAKE, 'crash'], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    const conn = connect(child);
    const closed = new Promise<void>((resolve) => conn.onClose(() => resolve()));
    await conn.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {} });
    const pending = conn.sendRequest(P.TorrentListRequest.type);
    await closed;
    // vscode-jsonrpc leaves requests pending when the stream closes; disposing rejects them.
    conn.dispose();
    await assert.rejects(pending, /disposed/);
    assert.equal(await exitOf(child), 3);
  });

  test('a daemon that hangs on shutdown: a bounded wait, then the client kills it by pid', async (t) => {
    const child = spawn(process.execPath, [FAKE, 'hang'], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    const conn = connect(child);
    await conn.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {} });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      conn.sendRequest(P.ShutdownRequest.type).then(() => 'answered'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timed out'), 500))),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, 'timed out');
    conn.dispose();
    process.kill(child.pid!, 'SIGKILL');
    assert.equal(await exitOf(child), null);
  });
});

describe('the daemon notices a dead parent', () => {
  for (const how of ['--parent-pid', 'initialize.processId'] as const) {
    test(`exits when the parent dies (${how})`, { timeout: 30_000 }, async (t) => {
      const dir = tempDir(t, 'btd-rpc-parent-');
      const parent = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      t.after(() => parent.kill('SIGKILL'));
      const d = spawnDaemon(join(dir, 'state'), how === '--parent-pid' ? ['--parent-pid', String(parent.pid)] : []);
      t.after(() => d.kill());
      await d.initialize({ downloadDir: join(dir, 'dl'), port: 0 }, how === 'initialize.processId' ? parent.pid : null);
      process.kill(parent.pid!, 'SIGKILL');
      assert.equal(await d.exited, 1);
      assert.match(d.stderr(), new RegExp(`parent process ${parent.pid} is gone`));
    });
  }

  test('exits with 1 when stdin closes without shutdown', { timeout: 30_000 }, async (t) => {
    const dir = tempDir(t, 'btd-rpc-stdin-');
    const d = spawnDaemon(join(dir, 'state'));
    t.after(() => d.kill());
    await d.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
    d.child.stdin!.end();
    assert.equal(await d.exited, 1);
  });

  test('exit without shutdown exits with 1', { timeout: 30_000 }, async (t) => {
    const dir = tempDir(t, 'btd-rpc-exit-');
    const d = spawnDaemon(join(dir, 'state'));
    t.after(() => d.kill());
    await d.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
    await d.conn.sendNotification(P.ExitNotification.type);
    assert.equal(await d.exited, 1);
  });
});
