/**
 * What a running torrent's once-a-second tick has to do. It has news for its listeners only when a
 * figure that a snapshot shows has moved, and nothing at all to do for a swarm with no connection, no
 * dial under way and no address to try, once its last news said so. A session of a thousand idle
 * seeds then spends next to nothing in a second, instead of a thousand snapshots nobody needs.
 */

/** The figures of a snapshot that change while a torrent runs. */
export interface MovingFigures {
  downloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  peers: number;
  seeds: number;
  havePieces: number;
}

/** True when `next` differs from `prev` in any figure (always for the first tick). */
export function figuresMoved(prev: MovingFigures | undefined, next: MovingFigures): boolean {
  if (!prev) return true;
  return (
    prev.downloaded !== next.downloaded ||
    prev.uploaded !== next.uploaded ||
    prev.downloadRate !== next.downloadRate ||
    prev.uploadRate !== next.uploadRate ||
    prev.peers !== next.peers ||
    prev.seeds !== next.seeds ||
    prev.havePieces !== next.havePieces
  );
}

/** What decides whether a tick may skip a swarm. */
export interface SwarmActivity {
  connections: number;
  pendingDials: number;
  knownAddresses: number;
  /** The figures of the last 'progress' a tick emitted. */
  lastFigures: MovingFigures | undefined;
}

/** True when the tick has nothing to do: nobody to serve, dial or time out, and listeners already told rates are 0. */
export function swarmIdle(a: SwarmActivity): boolean {
  const f = a.lastFigures;
  return a.connections === 0 && a.pendingDials === 0 && a.knownAddresses === 0 && f !== undefined && f.peers === 0 && f.downloadRate === 0 && f.uploadRate === 0;
}
