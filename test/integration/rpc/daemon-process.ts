/** Test helper: spawns the real daemon (`node bin/btd.js --rpc stdio`) and drives it with vscode-jsonrpc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, type NotificationType } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';

/** Repository root (tests run from out/test/integration/rpc). */
export const ROOT = join(__dirname, '..', '..', '..', '..');
/** The installed entry point. */
export const BTD = join(ROOT, 'bin', 'btd.js');

/** A spawned daemon and its client connection. */
export interface DaemonProcess {
  child: ChildProcess;
  conn: MessageConnection;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stderr(): string;
  /** Sends initialize + initialized. */
  initialize(options?: P.InitializationOptions, processId?: number | null): Promise<P.InitializeResult>;
  /** shutdown + exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Kills the process if it still runs (cleanup). */
  kill(): void;
}

/** Spawns `btd --rpc stdio` with its state in `stateDir`. */
export function spawnDaemon(stateDir: string, extraArgs: string[] = []): DaemonProcess {
  const child = spawn(process.execPath, [BTD, '--rpc', 'stdio', '--state-dir', stateDir, '--listen-host', '127.0.0.1', '--log-level', 'debug', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BTD_LOOPBACK_ONLY: '1' }, // the DHT is on: never a packet or a name lookup off this machine
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onError(() => undefined);
  conn.listen();
  return {
    child,
    conn,
    exited,
    stderr: () => err,
    async initialize(options = {}, processId = null) {
      const r = await conn.sendRequest(P.InitializeRequest.type, { processId, clientInfo: { name: 'btd-tests' }, capabilities: {}, initializationOptions: options });
      await conn.sendNotification(P.InitializedNotification.type, {});
      return r;
    },
    async stop() {
      await conn.sendRequest(P.ShutdownRequest.type);
      await conn.sendNotification(P.ExitNotification.type);
      const code = await exited;
      conn.dispose();
      return code;
    },
    kill() {
      conn.dispose();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Resolves with the first notification of `type` whose params satisfy `match`. vscode-jsonrpc keeps one
 * handler per method, so this replaces any other handler of `type`: wait on one at a time per connection.
 */
export function nextNotification<T>(conn: MessageConnection, type: NotificationType<T>, match: (p: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const sub = conn.onNotification(type, (p: T) => {
      if (!match(p)) return;
      sub.dispose();
      resolve(p);
    });
  });
}
