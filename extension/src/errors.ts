/** Turns daemon and connection errors into messages that say what to do next. */
import { ErrorCodes } from '../../protocol/src';

/** True when the user cancelled: such errors are not worth a message. */
export function isCancellation(err: unknown): boolean {
  return errorCode(err) === ErrorCodes.RequestCancelled || (err instanceof Error && err.name === 'Canceled');
}

/** The JSON-RPC error code of a ResponseError-like value, if any. */
export function errorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const ADVICE: Record<number, string> = {
  [ErrorCodes.UnknownTorrent]: 'That torrent is no longer in the session; refresh the BitTorrent view.',
  [ErrorCodes.DuplicateTorrent]: 'It is already in the BitTorrent view.',
  [ErrorCodes.IoError]: 'Check that the path exists and that you may write to it.',
  [ErrorCodes.TrackerAlreadyRunning]: 'Stop it first with "BitTorrent: Stop Tracker".',
  [ErrorCodes.TrackerNotRunning]: 'Start one with "BitTorrent: Start Tracker".',
  [ErrorCodes.NotSupported]: 'This version of the daemon cannot do that yet.',
  [ErrorCodes.InvalidTorrent]: 'Choose a valid .torrent file.',
  [ErrorCodes.DataMismatch]: 'Choose the file or folder the torrent was created from.',
  [ErrorCodes.InvalidParams]: 'Check the values you entered.',
};

/** A one-line message for `action` failing with `err`. */
export function describeError(action: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  const advice = code !== undefined ? ADVICE[code] : undefined;
  if (advice !== undefined) return `${action} failed: ${trimPeriod(raw)}. ${advice}`;
  // vscode-jsonrpc reports a dead or missing daemon with its own codes (-32097, -32099…) or none.
  if (/connection|not running|disposed|stopped/i.test(raw)) {
    return `${action} failed: the BitTorrent daemon is not running (${trimPeriod(raw)}). ` +
      'See the "BitTorrent" output, check the btd.daemonPath setting, then run "BitTorrent: Restart Daemon".';
  }
  return `${action} failed: ${trimPeriod(raw)}. See the "BitTorrent" output for details.`;
}

function trimPeriod(s: string): string {
  return s.replace(/\.\s*$/, '');
}
