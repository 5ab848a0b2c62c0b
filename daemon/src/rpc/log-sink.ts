/** Writes the daemon's log entries to stderr (never stdout, which carries the protocol over stdio). */
import type { LogLevel } from '../../../protocol/src';
import type { LogEntry } from '../session/types';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A listener for the daemon's 'log' event that prints entries at or above `level`. */
export function stderrLog(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): (e: LogEntry) => void {
  return (e) => {
    if (RANK[e.level] > RANK[level]) return;
    write(`btd ${new Date().toISOString()} ${e.level}${e.infoHash ? ` ${e.infoHash.slice(0, 8)}` : ''}: ${e.message}\n`);
  };
}

/** Points console output at stderr, so stray prints cannot corrupt the stdout protocol stream. */
export function consoleToStderr(): void {
  const toErr = (...args: unknown[]): void => console.error(...args);
  console.log = toErr;
  console.info = toErr;
  console.debug = toErr;
  console.warn = toErr;
}

/**
 * Logs errors that escaped every handler instead of dying: one bad event must not stop seeding for
 * every other torrent. Requests are already answered with errors; this catches engine callbacks.
 */
export function surviveStrayErrors(log: (message: string) => void): void {
  process.on('uncaughtException', (err) => log(`uncaught exception: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
}
