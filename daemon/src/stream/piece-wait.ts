/** Waiting for a piece to be verified, with one 'piece' listener per torrent however many readers wait. */
import type { StreamTorrent } from './types';

/** Why a wait ended without the piece. */
export class StreamWaitError extends Error {
  constructor(
    readonly code: 'aborted' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'StreamWaitError';
  }
}

/** How often a waiter checks that its torrent is still in the session (a removed one never verifies anything). */
export const ALIVE_CHECK_MS = 1000;

/** Per torrent: the waiters of each piece and the one 'piece' listener serving them. */
const waiting = new WeakMap<StreamTorrent, { byPiece: Map<number, Set<() => void>>; listener: (p: number) => void }>();

/**
 * Resolves once `piece` of `t` is verified. Rejects with StreamWaitError('aborted') when `signal`
 * aborts and StreamWaitError('gone') once `alive()` turns false.
 */
export function waitVerified(t: StreamTorrent, piece: number, signal: AbortSignal, alive: () => boolean): Promise<void> {
  if (t.verifiedPieces.has(piece)) return Promise.resolve();
  if (signal.aborted) return Promise.reject(new StreamWaitError('aborted', 'the request was closed'));
  return new Promise((resolve, reject) => {
    const done = (err?: StreamWaitError): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      removeWaiter(t, piece, onPiece);
      if (err) reject(err);
      else resolve();
    };
    const onPiece = (): void => done();
    const onAbort = (): void => done(new StreamWaitError('aborted', 'the request was closed'));
    const timer = setInterval(() => {
      if (!alive()) done(new StreamWaitError('gone', `torrent ${t.infoHashHex} was removed`));
    }, ALIVE_CHECK_MS);
    timer.unref?.();
    signal.addEventListener('abort', onAbort, { once: true });
    addWaiter(t, piece, onPiece);
  });
}

function addWaiter(t: StreamTorrent, piece: number, fn: () => void): void {
  let entry = waiting.get(t);
  if (!entry) {
    const byPiece = new Map<number, Set<() => void>>();
    const listener = (p: number): void => {
      const set = byPiece.get(p);
      if (set) for (const f of [...set]) f();
    };
    entry = { byPiece, listener };
    waiting.set(t, entry);
    t.on('piece', listener);
  }
  let set = entry.byPiece.get(piece);
  if (!set) entry.byPiece.set(piece, (set = new Set()));
  set.add(fn);
}

function removeWaiter(t: StreamTorrent, piece: number, fn: () => void): void {
  const entry = waiting.get(t);
  const set = entry?.byPiece.get(piece);
  if (!entry || !set) return;
  set.delete(fn);
  if (set.size === 0) entry.byPiece.delete(piece);
  if (entry.byPiece.size === 0) {
    t.off('piece', entry.listener);
    waiting.delete(t);
  }
}
