/**
 * Bringing back the catalog's torrents at start: several are opened at once (their files are read while
 * others are parsed), yet each goes into the session's list only after the one before it, so
 * `torrent/list` keeps the catalog's order.
 */

/** Torrents being restored at once. */
export const RESTORE_WINDOW = 16;

/** What restoring needs from the daemon. */
export interface RestoreSteps<E> {
  /** True once the daemon stops: no further entry is started. */
  stopped(): boolean;
  /**
   * Restores one entry; it may open and read what it likes at once, but puts the torrent in the list
   * only after `turn` resolved (the entry before it is in, or failed). A failure is its own to log.
   */
  restore(entry: E, turn: Promise<void>): Promise<void>;
}

/** Restores `entries` with at most `window` in flight; resolves once every one started is done. */
export async function restoreInOrder<E>(entries: readonly E[], steps: RestoreSteps<E>, window = RESTORE_WINDOW): Promise<void> {
  let turn: Promise<void> = Promise.resolve();
  const inFlight = new Set<Promise<void>>();
  for (const entry of entries) {
    if (steps.stopped()) break;
    await new Promise<void>((resolve) => setImmediate(resolve)); // requests are served between entries
    const before = turn;
    // Done only when the one before is done too: the next entry's turn follows the catalog's order.
    const done = steps
      .restore(entry, before)
      .catch(() => undefined)
      .then(() => before);
    turn = done;
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}
