/**
 * Readers of a torrent's data and the piece deadlines they imply: a reader at byte X gives the pieces
 * covering X..X+window a deadline, the nearest piece soonest. Several readers of one piece: the
 * earliest deadline wins. A released reader takes its deadlines with it.
 */

/** Bytes ahead of a reader that get deadlines. */
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
/** Deadline of the piece under a reader; each next piece is due this much later (ms). */
export const PIECE_STEP_MS = 250;
/** Pieces ahead of a reader at least, whatever the piece length. */
const MIN_WINDOW_PIECES = 2;

/** One reader's place: it reads bytes `offset` up to (not including) `end` of the torrent. */
export interface StreamReader {
  /** The reader moved on (to `offset`, torrent byte offset). */
  move(offset: number): void;
  /** The reader is gone; its deadlines go. Idempotent. */
  release(): void;
}

/** The deadlines of all readers of one torrent, pushed to `apply` after every change. */
export class StreamDeadlines {
  private readonly readers = new Map<number, { offset: number; end: number; since: number }>();
  private nextId = 0;

  constructor(
    private readonly layout: { pieceLength: number; totalLength: number },
    private readonly apply: (deadlines: ReadonlyMap<number, number> | undefined) => void,
    private readonly now: () => number = Date.now,
    private readonly windowBytes = STREAM_WINDOW_BYTES,
  ) {}

  /** Readers now. */
  get readerCount(): number {
    return this.readers.size;
  }

  /** A reader of torrent bytes [offset, end). */
  open(offset: number, end: number): StreamReader {
    const id = this.nextId++;
    this.readers.set(id, { offset, end: Math.min(end, this.layout.totalLength), since: this.now() });
    this.push();
    return {
      move: (to) => {
        const r = this.readers.get(id);
        if (!r || r.offset === to) return;
        const before = Math.floor(r.offset / this.layout.pieceLength);
        r.offset = to;
        r.since = this.now();
        if (Math.floor(to / this.layout.pieceLength) !== before) this.push();
      },
      release: () => {
        if (this.readers.delete(id)) this.push();
      },
    };
  }

  /** The deadlines as they stand (piece → ms), undefined without readers. */
  current(): Map<number, number> | undefined {
    if (this.readers.size === 0) return undefined;
    const out = new Map<number, number>();
    const pl = this.layout.pieceLength;
    const window = Math.max(this.windowBytes, MIN_WINDOW_PIECES * pl);
    for (const r of this.readers.values()) {
      if (r.offset >= r.end) continue;
      const first = Math.floor(r.offset / pl);
      const last = Math.floor((Math.min(r.end, r.offset + window) - 1) / pl);
      for (let p = first; p <= last; p++) {
        const at = r.since + (p - first) * PIECE_STEP_MS;
        const was = out.get(p);
        if (was === undefined || at < was) out.set(p, at);
      }
    }
    return out;
  }

  private push(): void {
    this.apply(this.current());
  }
}
