/** Test helper: a daemon connection over in-memory streams, with a vscode-jsonrpc client on the other end. */
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { serveConnection, type ConnectionOptions, type RpcConnection } from '../../../daemon/src/rpc/connection';
import { Daemon } from '../../../daemon/src/rpc/daemon';
import { defaultSettings } from '../../../daemon/src/rpc/settings';
import { fakeEngine } from './fake-engine';

/** Both ends plus the fakes behind the daemon. */
export interface Harness {
  client: MessageConnection;
  server: RpcConnection;
  daemon: Daemon;
  engine: ReturnType<typeof fakeEngine>;
  stateDir: string;
  /** Another client on the same daemon (socket mode tests). */
  connect(opts?: Partial<ConnectionOptions>): { client: MessageConnection; server: RpcConnection };
  close(): Promise<void>;
}

/** Starts a daemon over a fake engine and connects one client. */
export function harness(opts: Partial<ConnectionOptions> = {}, engine = fakeEngine()): Harness {
  const stateDir = mkdtempSync(join(tmpdir(), 'btd-rpc-unit-'));
  const daemon = new Daemon(engine, { stateDir, settings: { ...defaultSettings(), downloadDir: '/downloads' } });
  const links: { client: MessageConnection; server: RpcConnection }[] = [];
  const connect = (o: Partial<ConnectionOptions> = {}): { client: MessageConnection; server: RpcConnection } => {
    const up = new PassThrough();
    const down = new PassThrough();
    const server = serveConnection(up, down, { mode: 'stdio', daemon, ...opts, ...o });
    const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    client.listen();
    links.push({ client, server });
    return { client, server };
  };
  const first = connect();
  return {
    ...first,
    daemon,
    engine,
    stateDir,
    connect,
    async close() {
      for (const l of links) {
        l.client.dispose();
        l.server.dispose();
      }
      await daemon.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
