import { BLOCK_SIZE, Geometry, type PieceShape } from '../util/geometry';
import { Bitfield, forEachSet } from '../util/bitfield';
import { BlockState, PieceBlocks } from './piece-blocks';
import { PiecePriority, wantedMask } from './priorities';
import { RarityOrder } from './rarity';
import { DEADLINE_NEAR_MS, orderDeadlines, type PieceDeadline } from './deadlines';

/** One block to ask a peer for: offset and length inside the piece. */
export interface BlockRequest {
  piece: number;
  offset: number;
  length: number;
}

/** What to do after a block arrived. */
export interface BlockReceipt {
  /** False for a duplicate or a block nobody requested: drop the data. */
  accepted: boolean;
  /** Other peers that were asked for the same block (endgame) and should get a `cancel`. */
  cancel: { peerKey: string; req: BlockRequest }[];
  /** Every block of the piece is received: hash it next. */
  pieceComplete: boolean;
}

/** Tuning and injected randomness (tests pass a seeded random). */
export interface PickerOptions {
  random?: () => number;
  /** Most peers one block may be requested from at once in endgame. */
  endgameRequesters?: number;
  /**
   * In endgame, a peer gets duplicate requests only while it has fewer than this many outstanding,
   * so a deep pipeline is not filled with blocks others are already sending.
   */
  endgameBurst?: number;
}

/** Per-call hints of `pick`. */
export interface PickHints {
  /** The clock deadlines are measured on; without it no deadline counts as near. */
  now?: number;
}

/**
 * Chooses which blocks to request from which peer: partial pieces first, then by piece priority
 * (higher first; skipped pieces never), rarest first with random ties inside one priority (or in
 * index order when sequential), endgame once every wanted missing block is requested. Pieces with a
 * deadline (a reader needs them) pre-empt all of that, soonest first, and near their deadline a block
 * may be asked of two peers. Tracks
 * availability and the block states of partial pieces; pieces we have live in `have`.
 */
export class Picker {
  private readonly haveSet: Bitfield;
  private readonly rarity: RarityOrder;
  private readonly partials = new Map<number, PieceBlocks>();
  /** Partial pieces that still have blocks in state none, oldest first. */
  private readonly open = new Set<number>();
  /** Block ids (piece * blocksPerPiece + index) each peer has outstanding. */
  private readonly byPeer = new Map<string, Set<number>>();
  private readonly random: () => number;
  private readonly geometry: Geometry;
  private readonly blocksPerPiece: number;
  private readonly maxRequesters: number;
  private readonly endgameBurst: number;
  /** Unrequested blocks of wanted missing pieces. */
  private unrequested = 0;
  /** Per-piece priority, or undefined while every piece is normal. */
  private priority: Uint8Array | undefined;
  /** One bit per wanted piece, while some piece is skipped. */
  private wantBits: Uint8Array | undefined;
  /** The priorities some missing piece has, highest first. */
  private levels: number[] = [PiecePriority.normal];
  private wantedMissing: number;
  /** Pieces in index order instead of rarest first. */
  private inOrder = false;
  /** No piece below this index is missing (sequential scans start here). */
  private firstMissing = 0;
  /** Pieces a reader waits for, soonest first. */
  private deadlines: PieceDeadline[] = [];

  constructor(layout: PieceShape, have?: Bitfield, opts: PickerOptions = {}) {
    this.geometry = new Geometry({ pieceLength: layout.pieceLength, totalLength: layout.totalLength, files: [] });
    const n = this.geometry.pieceCount;
    if (n !== layout.pieceCount) throw new RangeError(`${layout.pieceCount} pieces do not fit ${layout.totalLength} bytes`);
    if (have && have.length !== n) throw new RangeError(`have has ${have.length} pieces, torrent has ${n}`);
    this.haveSet = have ? have.clone() : new Bitfield(n);
    this.random = opts.random ?? Math.random;
    this.blocksPerPiece = Math.ceil(layout.pieceLength / BLOCK_SIZE);
    this.maxRequesters = Math.max(1, opts.endgameRequesters ?? 3);
    this.endgameBurst = Math.max(1, opts.endgameBurst ?? 4);
    this.rarity = new RarityOrder(n, (p) => this.haveSet.has(p));
    for (let p = 0; p < n; p++) if (!this.haveSet.has(p)) this.unrequested += this.blockCount(p);
    this.wantedMissing = n - this.haveSet.count;
  }

  /**
   * Sets the priority of every piece (PiecePriority values, one byte each; see piecePriorities for
   * files), or undefined for all normal. Partial pieces of skipped pieces are finished only if their
   * blocks are in flight; nothing new of them is requested.
   */
  setPriorities(priority: Uint8Array | undefined): void {
    if (priority && priority.length !== this.haveSet.length) throw new RangeError(`${priority.length} priorities, torrent has ${this.haveSet.length} pieces`);
    const uniform = !priority || priority.every((v) => v === PiecePriority.normal);
    const before = this.priority;
    this.priority = uniform ? undefined : Uint8Array.from(priority);
    // Skipped pieces leave the rarity order, so a scan never walks them.
    for (let p = 0; p < this.haveSet.length; p++) {
      const was = !before || before[p] !== PiecePriority.skip;
      if (was === this.wanted(p) || this.haveSet.has(p)) continue;
      if (was) this.rarity.markHave(p);
      else this.rarity.restore(p);
    }
    this.wantBits = this.priority && this.priority.includes(PiecePriority.skip) ? wantedMask(this.priority) : undefined;
    const seen = new Set<number>();
    this.unrequested = 0;
    this.wantedMissing = 0;
    for (let p = 0; p < this.haveSet.length; p++) {
      if (this.haveSet.has(p) || !this.wanted(p)) continue;
      seen.add(this.priority?.[p] ?? PiecePriority.normal);
      this.wantedMissing++;
      this.unrequested += this.partials.get(p)?.unrequested ?? this.blockCount(p);
    }
    this.levels = [...seen].sort((a, b) => b - a);
  }

  /** Pieces in index order (for reading or watching front to back) instead of rarest first. */
  setSequential(on: boolean): void {
    this.inOrder = on;
  }

  /**
   * Replaces the deadlines: piece → time it is needed by (the clock of `pick`'s `now`), or undefined
   * for none. Pieces we have or skip are ignored; a piece leaves the list once verified.
   */
  setDeadlines(deadlines: ReadonlyMap<number, number> | undefined): void {
    this.deadlines = orderDeadlines(deadlines, this.haveSet.length);
  }

  /** Pieces with a deadline that we still lack. */
  get deadlineCount(): number {
    return this.deadlines.length;
  }

  /** True in sequential mode. */
  get sequential(): boolean {
    return this.inOrder;
  }

  /** Is this piece wanted (not skipped)? */
  wanted(piece: number): boolean {
    return !this.priority || this.priority[piece] !== PiecePriority.skip;
  }

  /** Pieces we have (verified); do not mutate. */
  get have(): Bitfield {
    return this.haveSet;
  }

  /** Wanted pieces we do not have yet (0: everything wanted is here). */
  get missingPieces(): number {
    return this.wantedMissing;
  }

  /** True once every wanted missing block has been requested from someone. */
  get endgame(): boolean {
    return this.unrequested === 0 && this.missingPieces > 0;
  }

  /** Connected peers that have `piece`. */
  availability(piece: number): number {
    return this.rarity.availability(piece);
  }

  /** Pieces started and not yet verified (being requested, received or checked). */
  get partialCount(): number {
    return this.partials.size;
  }

  /** Which pieces those are. */
  partialPieces(): IterableIterator<number> {
    return this.partials.keys();
  }

  /** Blocks `peerKey` has outstanding. */
  outstanding(peerKey: string): number {
    return this.byPeer.get(peerKey)?.size ?? 0;
  }

  /** A peer's bitfield arrived (or have-all). RangeError if its length is not the piece count. */
  addPeer(bitfield: Bitfield): void {
    this.checkLength(bitfield);
    forEachSet(bitfield, (p) => this.rarity.increment(p));
  }

  /** A peer left: pass its bitfield as it stood last (including its `have`s). */
  removePeer(bitfield: Bitfield): void {
    this.checkLength(bitfield);
    forEachSet(bitfield, (p) => this.rarity.decrement(p));
  }

  /** A peer announced one more piece. */
  peerHave(piece: number): void {
    if (Number.isInteger(piece) && piece >= 0 && piece < this.geometry.pieceCount) this.rarity.increment(piece);
  }

  /** Does the peer have a wanted piece we lack? */
  isInteresting(peerHas: Bitfield): boolean {
    if (peerHas.length !== this.haveSet.length || this.wantedMissing === 0) return false;
    const theirs = peerHas.bytes;
    const ours = this.haveSet.bytes;
    const want = this.wantBits;
    for (let i = 0; i < theirs.length; i++) if ((theirs[i] & ~ours[i] & (want ? want[i] : 0xff)) !== 0) return true;
    return false;
  }

  /**
   * Up to `count` blocks to request from `peerKey`, marked as requested by it. Blocks of partial
   * pieces come first; at most `newPieces` pieces are started by this call (the caller's memory
   * budget for pieces in progress).
   */
  pick(peerHas: Bitfield, count: number, peerKey: string, newPieces = Infinity, hints: PickHints = {}): BlockRequest[] {
    const out: BlockRequest[] = [];
    if (count <= 0 || this.missingPieces === 0 || peerHas.length !== this.haveSet.length) return out;
    if (this.deadlines.length > 0) this.takeDeadlines(peerHas, peerKey, count, out, hints.now);
    for (const piece of this.open) {
      if (out.length >= count) return out;
      if (peerHas.has(piece) && this.wanted(piece)) this.takeUnrequested(piece, this.partials.get(piece) as PieceBlocks, peerKey, count, out);
    }
    if (out.length < count && this.unrequested > 0 && newPieces > 0) {
      let started = 0;
      const start = (piece: number): boolean => {
        started++;
        const blocks = new PieceBlocks(this.blockCount(piece));
        this.partials.set(piece, blocks);
        this.open.add(piece);
        this.takeUnrequested(piece, blocks, peerKey, count, out);
        return out.length >= count || started >= newPieces;
      };
      for (const level of this.levels) {
        const fits = (piece: number): boolean =>
          !this.partials.has(piece) && peerHas.has(piece) && (this.priority ? this.priority[piece] === level : true);
        let stop = false;
        if (this.inOrder) {
          while (this.haveSet.has(this.firstMissing)) this.firstMissing++;
          for (let piece = this.firstMissing; piece < this.haveSet.length && !stop; piece++) if (!this.haveSet.has(piece) && fits(piece)) stop = start(piece);
        } else {
          this.rarity.scan(this.random, (piece) => (stop = fits(piece) && start(piece)));
        }
        if (stop) break;
      }
    }
    if (out.length < count && this.endgame) {
      this.takeDuplicates(peerHas, peerKey, Math.min(count, out.length + this.endgameBurst - this.outstanding(peerKey)), out);
    }
    return out;
  }

  /**
   * A seek: a piece near its deadline still has blocks nobody was asked for, and peers answer in
   * order. The newest blocks `peerKey` was asked for that have no deadline, beyond its first `keep`
   * (already on their way), go back to the pool, as many as such pieces of this peer lack (at least
   * `batch`, the caller's smallest refill); they are returned for the caller to cancel, so that the
   * deadline blocks take their place in its queue.
   */
  yieldToDeadlines(peerHas: Bitfield, peerKey: string, keep: number, now: number, batch = 1): BlockRequest[] {
    const ids = this.byPeer.get(peerKey);
    if (!ids || ids.size <= keep || peerHas.length !== this.haveSet.length) return [];
    let lacking = 0;
    for (const { piece, at } of this.deadlines) {
      if (at - now > DEADLINE_NEAR_MS || !peerHas.has(piece) || !this.wanted(piece) || this.haveSet.has(piece)) continue;
      lacking += this.partials.get(piece)?.unrequested ?? this.blockCount(piece);
    }
    if (lacking === 0) return [];
    const due = new Set(this.deadlines.map((d) => d.piece));
    const give = [...ids].slice(keep).filter((id) => !due.has(Math.floor(id / this.blocksPerPiece))).slice(-Math.max(lacking, batch));
    return give.map((id) => {
      const req = this.request(Math.floor(id / this.blocksPerPiece), id % this.blocksPerPiece);
      this.releaseBlock(req, peerKey);
      return req;
    });
  }

  /**
   * A block arrived from `peerKey`. Ask before writing: only an accepted block may be written
   * (anything else could overwrite verified data). Hash the piece once the writes of all its
   * blocks have resolved; if a write fails, report the piece with `pieceVerified(piece, false)`.
   */
  blockReceived(req: BlockRequest, peerKey: string): BlockReceipt {
    const rejected: BlockReceipt = { accepted: false, cancel: [], pieceComplete: false };
    const index = this.blockIndexOf(req);
    const blocks = index < 0 ? undefined : this.partials.get(req.piece);
    if (!blocks || blocks.state[index] !== BlockState.requested) return rejected;
    const cancel: BlockReceipt['cancel'] = [];
    for (const other of blocks.receive(index)) {
      this.byPeer.get(other)?.delete(this.blockId(req.piece, index));
      if (other !== peerKey) cancel.push({ peerKey: other, req: this.request(req.piece, index) });
    }
    return { accepted: true, cancel, pieceComplete: blocks.complete };
  }

  /** The peer choked us or disconnected: its outstanding blocks go back to the pool. */
  releasePeer(peerKey: string): void {
    const ids = this.byPeer.get(peerKey);
    if (!ids) return;
    this.byPeer.delete(peerKey);
    for (const id of ids) this.unrequestBlock(Math.floor(id / this.blocksPerPiece), id % this.blocksPerPiece, peerKey);
  }

  /** One request to `peerKey` timed out or was rejected. */
  releaseBlock(req: BlockRequest, peerKey: string): void {
    const index = this.blockIndexOf(req);
    if (index < 0) return;
    this.byPeer.get(peerKey)?.delete(this.blockId(req.piece, index));
    this.unrequestBlock(req.piece, index, peerKey);
  }

  /** The hash check of a complete piece finished: have it, or start it over. */
  pieceVerified(piece: number, ok: boolean): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.geometry.pieceCount || this.haveSet.has(piece)) return;
    const blocks = this.partials.get(piece);
    if (blocks) this.dropPartial(piece, blocks);
    if (!ok) return;
    if (this.wanted(piece)) {
      this.unrequested -= this.blockCount(piece);
      this.wantedMissing--;
    }
    this.haveSet.set(piece);
    this.rarity.markHave(piece);
    if (this.deadlines.length > 0) this.deadlines = this.deadlines.filter((d) => d.piece !== piece);
  }

  private blockCount(piece: number): number {
    return this.geometry.blockCount(piece);
  }

  private request(piece: number, index: number): BlockRequest {
    return { piece, offset: index * BLOCK_SIZE, length: this.geometry.blockSize(piece, index) };
  }

  private checkLength(bitfield: Bitfield): void {
    if (bitfield.length !== this.haveSet.length) throw new RangeError(`bitfield of ${bitfield.length} pieces, torrent has ${this.haveSet.length}`);
  }

  private blockId(piece: number, index: number): number {
    return piece * this.blocksPerPiece + index;
  }

  /** Block index of a well-formed request for a missing piece, else -1. */
  private blockIndexOf(req: BlockRequest): number {
    const { piece, offset, length } = req;
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.geometry.pieceCount || this.haveSet.has(piece)) return -1;
    if (!Number.isInteger(offset) || offset < 0 || offset % BLOCK_SIZE !== 0) return -1;
    const index = offset / BLOCK_SIZE;
    if (index >= this.blockCount(piece) || this.request(piece, index).length !== length) return -1;
    return index;
  }

  private takeUnrequested(piece: number, blocks: PieceBlocks, peerKey: string, count: number, out: BlockRequest[]): void {
    while (out.length < count) {
      const index = blocks.nextNone();
      if (index < 0) break;
      blocks.request(index, peerKey);
      this.unrequested--;
      this.noteRequest(peerKey, piece, index, out);
    }
    if (blocks.unrequested === 0) this.open.delete(piece);
  }

  /**
   * Deadline pieces first, soonest first: their unrequested blocks (starting the piece if need be,
   * whatever the budget of new pieces: a reader waits), then, near the deadline, blocks one other
   * peer is already sending, so one slow peer cannot hold the reader up.
   */
  private takeDeadlines(peerHas: Bitfield, peerKey: string, count: number, out: BlockRequest[], now: number | undefined): void {
    for (const { piece, at } of this.deadlines) {
      if (out.length >= count) return;
      if (!peerHas.has(piece) || !this.wanted(piece) || this.haveSet.has(piece)) continue;
      let blocks = this.partials.get(piece);
      if (!blocks) {
        blocks = new PieceBlocks(this.blockCount(piece));
        this.partials.set(piece, blocks);
        this.open.add(piece);
      }
      this.takeUnrequested(piece, blocks, peerKey, count, out);
      if (now === undefined || at - now > DEADLINE_NEAR_MS) continue;
      for (let i = 0; i < blocks.blockCount && out.length < count; i++) {
        const list = blocks.requesters[i];
        if (!list || list.length !== 1 || list[0] === peerKey) continue;
        blocks.request(i, peerKey);
        this.noteRequest(peerKey, piece, i, out);
      }
    }
  }

  /** Endgame: ask this peer too for blocks others are slow to deliver, least-asked first, until `out` holds `count`. */
  private takeDuplicates(peerHas: Bitfield, peerKey: string, count: number, out: BlockRequest[]): void {
    for (let asked = 1; asked < this.maxRequesters; asked++) {
      for (const [piece, blocks] of this.partials) {
        if (!peerHas.has(piece) || !this.wanted(piece)) continue;
        for (let i = 0; i < blocks.blockCount; i++) {
          if (out.length >= count) return;
          const list = blocks.requesters[i];
          if (!list || list.length !== asked || list.includes(peerKey)) continue;
          blocks.request(i, peerKey);
          this.noteRequest(peerKey, piece, i, out);
        }
      }
    }
  }

  private noteRequest(peerKey: string, piece: number, index: number, out: BlockRequest[]): void {
    let ids = this.byPeer.get(peerKey);
    if (!ids) this.byPeer.set(peerKey, (ids = new Set()));
    ids.add(this.blockId(piece, index));
    out.push(this.request(piece, index));
  }

  private unrequestBlock(piece: number, index: number, peerKey: string): void {
    const blocks = this.partials.get(piece);
    if (!blocks || !blocks.unrequest(index, peerKey)) return;
    if (this.wanted(piece)) this.unrequested++;
    if (blocks.requested === 0 && blocks.received === 0) {
      this.partials.delete(piece);
      this.open.delete(piece);
    } else {
      this.open.add(piece);
    }
  }

  /** Forgets a partial piece: outstanding requests are dropped, every block is none again. */
  private dropPartial(piece: number, blocks: PieceBlocks): void {
    for (let i = 0; i < blocks.blockCount; i++) {
      for (const peerKey of blocks.requesters[i] ?? []) this.byPeer.get(peerKey)?.delete(this.blockId(piece, i));
    }
    if (this.wanted(piece)) this.unrequested += blocks.requested + blocks.received;
    this.partials.delete(piece);
    this.open.delete(piece);
  }
}
