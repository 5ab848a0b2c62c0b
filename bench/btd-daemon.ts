/** A `btd daemon --rpc socket:PATH` process for the benchmarks, and a JSON-RPC client on its socket (token from the token file). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as P from '../protocol/src';

/** Where one daemon keeps its state and which peer port it takes. */
export interface BtdConfig {
  /** A folder only we can enter (mkdtemp): the socket goes in `<dir>/run`. */
  dir: string;
  downloadDir: string;
  port: number;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

/** A running daemon; `ready` resolves once it printed its token file. */
export class BtdDaemon {
  private readonly exited: Promise<void>;
  private stderr = '';
  conn: MessageConnection | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly socketPath: string,
    readonly ready: Promise<void>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-4000)));
  }

  static start(c: BtdConfig): BtdDaemon {
    const socketPath = join(c.dir, 'run', 'btd.sock');
    const args = [
      ...(c.nodeFlags ?? []),
      join(__dirname, '..', '..', 'bin', 'btd.js'),
      'daemon',
      '--rpc',
      `socket:${socketPath}`,
      '--state-dir',
      join(c.dir, 'state'),
      '--download-dir',
      c.downloadDir,
      '--port',
      String(c.port),
      '--listen-host',
      '127.0.0.1',
      '--no-dht',
      '--log-level',
      'error',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('token file:')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`btd daemon exited (code ${code}) before it listened`)));
    });
    ready.catch(() => undefined);
    return new BtdDaemon(child, socketPath, ready);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits for the socket, connects, and sends initialize with the token; resolves with the connection. */
  async initialize(): Promise<MessageConnection> {
    await this.ready;
    const token = readFileSync(`${this.socketPath}.token`, 'utf8').trim();
    const conn = await new Promise<MessageConnection>((resolve, reject) => {
      const socket = createConnection(this.socketPath, () => resolve(createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket))));
      socket.once('error', reject);
    });
    conn.onError(() => undefined);
    conn.listen();
    await conn.sendRequest(P.InitializeRequest.type, { processId: null, capabilities: {}, initializationOptions: { token } });
    await conn.sendNotification(P.InitializedNotification.type, {});
    this.conn = conn;
    return conn;
  }

  /** SIGTERM (the daemon saves its resume data), then waits for the exit. */
  async stop(): Promise<void> {
    this.conn?.dispose();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** The last of what the daemon wrote on stderr. */
  get log(): string {
    return this.stderr;
  }
}
