/**
 * The user's shared daemon (`btd daemon --rpc socket`): attach to it when it runs, start it detached when it
 * does not, so that every VS Code window talks to one daemon that keeps seeding after the last one closes.
 * Everything that touches the system comes in through LinkDeps, so the logic is tested with stubs.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, promises as fs } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { defaultSocketPath } from '../../daemon/src/rpc/paths';
import type { DaemonCommand } from './daemonCommand';

/** How long a daemon started here may take to listen: its state lock waits up to 10 s for an old daemon. */
export const ATTACH_DEADLINE_MS = 20_000;
/** Pause between two connection attempts while a started daemon comes up. */
export const ATTACH_RETRY_MS = 100;

/** What attaching touches: the socket, the token file, the clock, and a way to start the daemon. */
export interface LinkDeps {
  /** Connects to a Unix socket; rejects with the system error (`code` ENOENT, ECONNREFUSED, …). */
  connect(path: string): Promise<Duplex>;
  readFile(path: string): Promise<string>;
  /** Starts the daemon detached; `onExit` is called if it ends (e.g. it could not take the state folder). */
  startDaemon(args: string[], logPath: string, onExit: (code: number | null) => void): void;
  delay(ms: number): Promise<void>;
  now(): number;
}

/** A connection to the shared daemon, with the token that opens it. */
export interface Link {
  socket: Duplex;
  token: string;
  socketPath: string;
  /** True when this call started the daemon. */
  started: boolean;
}

/** Where the shared daemon of a state folder listens and logs. */
export function linkPaths(stateDir: string): { socketPath: string; tokenPath: string; logPath: string } {
  const socketPath = defaultSocketPath(stateDir);
  return { socketPath, tokenPath: `${socketPath}.token`, logPath: join(stateDir, 'run', 'daemon.log') };
}

/** The daemon's arguments after the script: a socket daemon on this state folder. */
export function sharedDaemonArgs(stateDir: string): string[] {
  return ['daemon', '--rpc', 'socket', '--state-dir', stateDir];
}

/** An attach that failed, with what the user should read (the daemon's last log lines). */
export class AttachError extends Error {}

/** Errors of connect() that mean "no daemon listens there", as opposed to a socket we may not use. */
function nobodyThere(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/** Connects to the daemon of `stateDir`, starting it first when none runs. */
export async function attachSharedDaemon(stateDir: string, deps: LinkDeps): Promise<Link> {
  const { socketPath, tokenPath, logPath } = linkPaths(stateDir);
  try {
    const socket = await deps.connect(socketPath);
    return { socket, token: await readToken(deps, tokenPath, socket), socketPath, started: false };
  } catch (err) {
    if (!nobodyThere(err)) throw new AttachError(`cannot reach the btd daemon at ${socketPath}: ${message(err)}`);
  }
  let exited: number | null | undefined;
  deps.startDaemon(sharedDaemonArgs(stateDir), logPath, (code) => (exited = code));
  const deadline = deps.now() + ATTACH_DEADLINE_MS;
  for (;;) {
    try {
      const socket = await deps.connect(socketPath);
      return { socket, token: await readToken(deps, tokenPath, socket), socketPath, started: true };
    } catch (err) {
      if (err instanceof AttachError) throw err;
      if (!nobodyThere(err)) throw new AttachError(`cannot reach the btd daemon at ${socketPath}: ${message(err)}`);
    }
    // A daemon that exited (the state folder held by a window's own daemon, a bad setting) will not
    // come: say why at once.
    if (deps.now() >= deadline || exited !== undefined) {
      const why = exited !== undefined ? `it exited with code ${String(exited)}` : `it did not listen within ${ATTACH_DEADLINE_MS / 1000} s`;
      throw new AttachError(`the btd daemon could not be started (${why}). Its log: ${logPath}${await logTail(deps, logPath)}`);
    }
    await deps.delay(ATTACH_RETRY_MS);
  }
}

async function readToken(deps: LinkDeps, tokenPath: string, socket: Duplex): Promise<string> {
  try {
    const token = (await deps.readFile(tokenPath)).trim();
    if (token !== '') return token;
  } catch {
    // Reported below.
  }
  socket.destroy();
  throw new AttachError(`the btd daemon's token file ${tokenPath} cannot be read`);
}

/** The last lines of the daemon's log, to show with a failure. */
async function logTail(deps: LinkDeps, logPath: string): Promise<string> {
  try {
    const lines = (await deps.readFile(logPath)).trim().split('\n').slice(-3).join('\n');
    return lines === '' ? '' : `\n${lines}`;
  } catch {
    return '';
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The real LinkDeps: `command` is the daemon executable (with its script, if any) and its environment. */
export function nodeLinkDeps(command: DaemonCommand): LinkDeps {
  return {
    connect: (path) => new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    }),
    readFile: (path) => fs.readFile(path, 'utf8'),
    startDaemon: (args, logPath, onExit) => {
      mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
      const log = openSync(logPath, 'a', 0o600);
      try {
        // Its own process group, no terminal and no pipes to this window: it outlives every window.
        const child = spawn(command.command, [...command.args, ...args], { detached: true, stdio: ['ignore', log, log], env: command.options.env });
        child.once('error', () => onExit(null));
        child.once('exit', (code) => onExit(code));
        child.unref();
      } finally {
        closeSync(log);
      }
    },
    delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
