/** Session plumbing shared by `btd download` and `btd seed`: start, log, wait for the check, stop on signals. */
import type { Writable } from 'node:stream';
import { Session, type LogEntry, type SessionOptions, type Torrent, type TorrentSummary } from '../session';
import { CliError } from './errors';

/** Starts a session, turning the usual listen failures into one-line errors. */
export async function startCliSession(opts: SessionOptions): Promise<Session> {
  try {
    return await Session.start(opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${opts.listenHost ?? '0.0.0.0'}:${opts.port ?? 6881}`;
    if (code === 'EADDRINUSE') throw new CliError(`cannot listen on ${where}: address in use (choose another with -p)`);
    if (code === 'EACCES') throw new CliError(`cannot listen on ${where}: permission denied (choose a port above 1023 with -p)`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${where}: no such local address`);
    throw err;
  }
}

/** Prints the session's log: warnings and errors always, info and debug with `-d`. */
export function attachLog(session: Session, stream: Writable, debug: boolean): void {
  session.on('log', (entry: LogEntry) => {
    if (!debug && (entry.level === 'info' || entry.level === 'debug')) return;
    stream.write(`${entry.level}: ${entry.message}\n`);
  });
}

/** Resolves with the torrent's summary once its data check is over (at once if it already is). */
export function waitChecked(session: Session, torrent: Torrent): Promise<TorrentSummary> {
  return new Promise((resolve) => {
    const now = torrent.summary();
    if (now.state !== 'checking') return resolve(now);
    const onState = (t: Torrent): void => {
      if (t !== torrent) return;
      const s = t.summary();
      if (s.state === 'checking') return;
      session.off('state', onState);
      resolve(s);
    };
    session.on('state', onState);
  });
}

/** Resolves once every piece of `torrent` is verified; rejects with a CliError if it enters the error state. */
export function waitComplete(session: Session, torrent: Torrent): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (): boolean => {
      const s = torrent.summary();
      if (s.state === 'error') reject(new CliError(`${s.name}: ${s.error ?? 'failed'}`));
      else if (s.havePieces === s.pieceCount || s.state === 'seeding') resolve();
      else return false;
      return true;
    };
    const onEvent = (t: Torrent): void => {
      if (t === torrent && settle()) {
        session.off('completed', onEvent);
        session.off('state', onEvent);
        session.off('progress', onEvent);
      }
    };
    if (settle()) return;
    session.on('completed', onEvent);
    session.on('state', onEvent);
    session.on('progress', onEvent);
  });
}

/**
 * Calls `onSignal` once on the first SIGINT or SIGTERM; a second signal exits at once (status 130),
 * for when a tracker or disk does not answer.
 */
export function onInterrupt(onSignal: (signal: NodeJS.Signals) => void): () => void {
  let seen = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (seen) process.exit(130);
    seen = true;
    onSignal(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** The exit status conventional for a process ended by `signal`. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
