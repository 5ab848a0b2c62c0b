/**
 * `btd daemon --rpc socket[:PATH]`: the API on a Unix domain socket, so a daemon can keep seeding after
 * the editor closes and clients can attach. The socket is 0600 inside a private (0700) folder, and every
 * client must first present a random token, stored 0600 in `<socket>.token`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type * as P from '../../../protocol/src';
import { writeAtomic } from '../session/catalog';
import { serveConnection } from './connection';
import { defaultSocketPath } from './paths';
import { Daemon, MAX_CLIENTS } from './daemon';
import type { Engine } from './engine';
import { stderrLog, surviveStrayErrors } from './log-sink';
import { watchParent } from './parent-watch';

/** Options of the socket daemon. */
export interface SocketOptions {
  engine: Engine;
  stateDir: string;
  settings: P.Settings;
  /** Settings the command line named: they win over the saved ones. */
  explicit?: Partial<P.Settings>;
  /** Default `<stateDir>/run/btd.sock`. */
  socketPath?: string;
  listenHost?: string;
  logLevel: P.LogLevel;
  parentPid?: number;
  /** Told where to connect once listening. */
  onListening?: (socketPath: string, tokenPath: string) => void;
  /** Resolves to stop the daemon (e.g. on SIGTERM). */
  stop: Promise<void>;
}

export { defaultSocketPath } from './paths';

/** Runs until `stop` resolves or the parent dies; returns the exit code. */
export async function runSocketDaemon(opts: SocketOptions): Promise<number> {
  const socketPath = opts.socketPath ?? defaultSocketPath(opts.stateDir);
  const tokenPath = `${socketPath}.token`;
  await preparePrivateFolder(dirname(socketPath));
  const daemon = new Daemon(opts.engine, {
    stateDir: opts.stateDir,
    settings: opts.settings,
    persistSettings: true,
    explicit: opts.explicit ?? {},
    ...(opts.listenHost && { listenHost: opts.listenHost }),
  });
  daemon.on('log', stderrLog(opts.logLevel));
  surviveStrayErrors((m) => daemon.log('error', m));
  // The state folder's lock first: a daemon that loses a start race must not touch the winner's socket
  // or token file.
  await daemon.start();
  const token = randomBytes(32).toString('hex');
  try {
    await removeStaleSocket(socketPath);
    await writeAtomic(tokenPath, `${token}\n`);
  } catch (err) {
    await daemon.close();
    throw err;
  }
  let stopRequested!: () => void;
  const stopByClient = new Promise<number>((resolve) => (stopRequested = () => resolve(0)));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = serveConnection(socket, socket, { mode: 'socket', daemon, token, logLevel: opts.logLevel, onStopDaemon: () => {
      daemon.log('info', 'daemon/stop: stopping for every client');
      stopRequested();
    } });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      conn.dispose();
    });
    void conn.ended.then(() => socket.end());
  });
  server.maxConnections = MAX_CLIENTS;
  await listenPrivately(server, socketPath);
  opts.onListening?.(socketPath, tokenPath);
  let orphaned!: () => void;
  const parentGone = new Promise<number>((resolve) => (orphaned = () => resolve(1)));
  const unwatch = opts.parentPid !== undefined ? watchParent(opts.parentPid, orphaned) : () => undefined;
  const code = await Promise.race([opts.stop.then(() => 0), parentGone, stopByClient]);
  unwatch();
  await new Promise<void>((done) => {
    server.close(() => done());
    for (const s of sockets) s.destroy();
  });
  await fs.rm(tokenPath, { force: true });
  await daemon.close();
  return code;
}

/** Creates the folder 0700, and refuses one that others can enter or that belongs to someone else. */
async function preparePrivateFolder(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.stat(dir);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`socket folder ${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) throw new Error(`socket folder ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); use a private folder (0700)`);
}

/** A socket file left by a daemon that died is removed; a live one is an error. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`a daemon is already listening on ${socketPath}`);
  await fs.rm(socketPath, { force: true });
}

/** Listens with a umask that makes the socket 0600 from its first moment. */
async function listenPrivately(server: Server, socketPath: string): Promise<void> {
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  await fs.chmod(socketPath, 0o600);
}
