/**
 * When a running torrent's once-a-second tick has news for its listeners: only when a figure that a
 * snapshot shows has moved. A session of a thousand idle seeds then emits nothing in a second, instead
 * of a thousand snapshots nobody needs.
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
