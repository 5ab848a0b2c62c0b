/**
 * A second btd daemon driven from the test over JSON-RPC (as any non-VS Code client would): the other
 * end of a swarm with the extension's daemon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ExitNotification, InitializedNotification, InitializeRequest, ShutdownRequest } from '../../../protocol/src';
import { REPO_ROOT } from './paths';

/** A running peer daemon. */
export interface PeerDaemon {
  connection: MessageConnection;
  process: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `btd --rpc stdio` with its downloads in `downloadDir` and its state in `stateDir`, on a free port. */
export async function startPeerDaemon(downloadDir: string, stateDir: string): Promise<PeerDaemon> {
  const args = [join(REPO_ROOT, 'bin', 'btd.js'), '--rpc', 'stdio', '--state-dir', stateDir, '--listen-host', '127.0.0.1'];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        child.kill('SIGKILL');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    connection.dispose();
  };
  try {
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      capabilities: {},
      initializationOptions: { downloadDir, port: 0 },
    });
    await connection.sendNotification(InitializedNotification.type, {});
  } catch (err) {
    await stop();
    throw new Error(`the peer daemon did not start: ${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  }
  return { connection, process: child, stderr: () => stderr, stop };
}
