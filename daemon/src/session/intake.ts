import { sha1 } from '../hash/digest';
import type { Metainfo } from '../metainfo/types';
import type { Picker } from '../picker';
import { pieceSizeOf } from '../util/geometry';
import { StorageError } from '../storage/errors';
import { hashMatches } from '../storage/piece-check';
import type { Storage } from '../storage/types';
import { BlockPool } from './block-pool';

/** Shared by every swarm of the process: buffers move between torrents freely. */
const blockPool = new BlockPool();

/**
 * Bytes of pieces held in memory per swarm (being received, hashed or written). The swarm starts
 * new pieces only while they fit (see `pieceCapacity`), so this is also what a swarm has in flight:
 * six 1 MiB pieces keep five loopback peers at full speed in bench/transfer.js (1 -> 4 took the
 * same time with 16 MiB).
 */
export const DEFAULT_HELD_BYTES = 6 * 1024 * 1024;
/** Blocks written one by one waiting for the disk; above this the swarm stops requesting. */
const MAX_WRITE_BACKLOG = 2 * 1024 * 1024;
/**
 * Pieces up to this size written block by block are read back and hashed here rather than by
 * the storage's hash worker, so a download never starts that worker (a thread with its own
 * JavaScript heap, about 11 MB resident).
 */
const MAX_READ_BACK = 4 * 1024 * 1024;

/** The default budget: DEFAULT_HELD_BYTES, raised to hold two pieces of up to 4 MiB (common in large torrents). */
export function defaultHeldBytes(pieceLength: number): number {
  return Math.max(DEFAULT_HELD_BYTES, Math.min(2 * pieceLength, 2 * MAX_READ_BACK));
}

/** The session-wide budget: two swarms at their full budgets of up to 8 MiB. */
export const DEFAULT_SESSION_HELD_BYTES = 16 * 1024 * 1024;

/**
 * Bytes of pieces held in memory by all the swarms of a session together. Each swarm keeps within
 * its own budget and, on top of that, within what the session has left, so several downloads at once
 * share one bound instead of each holding a full budget.
 */
export class HeldBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes not taken by any swarm. */
  get free(): number {
    return this.limit - this.used;
  }

  /** Takes `bytes` if they fit. */
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** Pieces read back and hashed at once; each has its own reused buffer, so this bounds their memory. */
const READ_BACKS = 2;

/** What the intake needs from its swarm. */
export interface IntakeContext {
  metainfo: Metainfo;
  storage: Storage;
  picker: Picker;
  /** A piece passed its hash check and is on disk. */
  verified(piece: number): void;
  /** A piece failed its hash check (the picker already starts it over). */
  corrupt(piece: number): void;
  /** A piece we gave up before it completed; whoever sent its blocks is off the hook. */
  abandoned(piece: number): void;
  storageFailed(err: unknown): void;
  /** The write backlog fell below its bound: requesting may resume. */
  backlogFreed(): void;
}

/** A piece written block by block, straight to disk. */
interface DirectPiece {
  pending: number;
  complete: boolean;
}

/**
 * Where accepted blocks go. A piece is received whole into memory while its size fits the budget,
 * then hashed there (off the event loop) and written with one call only if it matches, so a
 * download costs one write and no read-back per piece. A piece that does not fit (large pieces,
 * or many at once) is written block by block and hashed from disk. The choice is made at a
 * piece's first block and holds until the piece is done.
 */
export class BlockIntake {
  private readonly held = new Map<number, Uint8Array>();
  private readonly direct = new Map<number, DirectPiece>();
  /** Free piece slots of the slab (see `hold`). */
  private free: Uint8Array[] = [];
  private slab: ArrayBuffer | undefined;
  private readonly readBack: Uint8Array[] = [];
  /** Pieces on disk waiting to be read back and hashed (they hold no memory while they wait). */
  private readonly toReadBack: number[] = [];
  private readingBack = 0;
  private heldBytes = 0;
  private writeBacklog = 0;
  /** Writes, hash checks and read-backs under way. */
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  /** `shared`: the session's budget, which this intake's own (`maxHeldBytes`) draws from; default unbounded. */
  constructor(
    private readonly ctx: IntakeContext,
    private readonly maxHeldBytes = defaultHeldBytes(ctx.metainfo.pieceLength),
    private readonly shared = new HeldBudget(Infinity),
  ) {}

  /**
   * Pieces the budget holds at once: the own budget, or less when the session has less left. The
   * swarm starts no more pieces than this while it can keep its peers busy with the ones in
   * progress, so pieces rarely have to go to disk block by block.
   */
  get pieceCapacity(): number {
    const pieceLength = this.ctx.metainfo.pieceLength;
    const reachable = Math.min(this.maxHeldBytes, this.heldBytes + this.shared.free);
    return Math.max(1, Math.floor(reachable / pieceLength));
  }

  /** Too many blocks wait for the disk: do not request more for now. */
  get backlogFull(): boolean {
    return this.writeBacklog > MAX_WRITE_BACKLOG;
  }

  /** An accepted block (the picker said so); `data` is only read during the call. */
  add(piece: number, begin: number, data: Uint8Array, pieceComplete: boolean): void {
    let buffer = this.held.get(piece);
    if (!buffer && !this.direct.has(piece)) buffer = this.hold(piece);
    if (!buffer) {
      this.writeBlock(piece, begin, data, pieceComplete);
      return;
    }
    buffer.set(data, begin);
    if (!pieceComplete) return;
    this.held.delete(piece);
    this.track(this.finish(piece, buffer));
  }

  /**
   * Resolves once no write, hash check or read-back is under way or queued (at once if none is):
   * after `stop`, nothing of this intake touches the files or the picker once it resolved, so a
   * resume state saved then records the files as they stay.
   */
  idle(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get quiet(): boolean {
    return this.busy === 0 && this.readingBack === 0 && this.toReadBack.length === 0;
  }

  /** Counts `work` as under way until it settles (it never rejects: each caller handles its errors). */
  private track(work: Promise<unknown>): void {
    this.busy++;
    void work.finally(() => {
      this.busy--;
      if (!this.quiet) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  /** The swarm stops: pieces still being received are started over by the picker; those being checked or written finish (see `idle`). */
  stop(): void {
    const unfinished = [...this.held.keys()];
    for (const [piece, d] of this.direct) if (!d.complete) unfinished.push(piece);
    for (const piece of unfinished) {
      const buffer = this.held.get(piece);
      if (buffer) this.release(buffer);
      this.held.delete(piece);
      this.direct.delete(piece);
      this.ctx.picker.pieceVerified(piece, false);
      this.ctx.abandoned(piece);
    }
    this.free = [];
    this.slab = undefined;
  }

  private pieceSize(piece: number): number {
    return pieceSizeOf(this.ctx.metainfo, piece);
  }

  /** A buffer for a new piece, or undefined if it does not fit the budget (it goes to disk). */
  private hold(piece: number): Uint8Array | undefined {
    const pieceLength = this.ctx.metainfo.pieceLength;
    if (this.heldBytes + pieceLength > this.maxHeldBytes || !this.shared.tryTake(pieceLength)) {
      this.direct.set(piece, { pending: 0, complete: false });
      return undefined;
    }
    this.heldBytes += pieceLength;
    const buffer = this.free.pop() ?? this.newSlot(pieceLength);
    const view = buffer.subarray(0, this.pieceSize(piece));
    this.held.set(piece, view);
    return view;
  }

  private release(view: Uint8Array): void {
    const pieceLength = this.ctx.metainfo.pieceLength;
    this.heldBytes -= pieceLength;
    this.shared.give(pieceLength);
    if (view.buffer === this.slab) this.free.push(new Uint8Array(view.buffer, view.byteOffset, pieceLength));
  }

  /**
   * Piece buffers are slots of one slab outside the JS heap, allocated at the first piece and
   * reused for every piece after it: receiving costs no garbage, and the slab is one large
   * allocation that the C allocator maps on its own instead of placing the pieces among (and
   * fragmenting with) the process's short-lived allocations.
   */
  private newSlot(pieceLength: number): Uint8Array {
    if (!this.slab) {
      const slab = offHeap(Math.max(1, Math.floor(this.maxHeldBytes / pieceLength)) * pieceLength);
      this.slab = slab.buffer as ArrayBuffer;
      for (let at = slab.length - pieceLength; at >= 0; at -= pieceLength) this.free.push(slab.subarray(at, at + pieceLength));
    }
    return this.free.pop() as Uint8Array;
  }

  private async finish(piece: number, data: Uint8Array): Promise<void> {
    const { picker, storage, metainfo } = this.ctx;
    let ok: boolean;
    try {
      ok = hashMatches(metainfo, piece, await sha1(data));
      if (ok) await storage.write(piece, 0, data);
    } catch (err) {
      this.release(data);
      picker.pieceVerified(piece, false);
      this.ctx.storageFailed(err);
      return;
    }
    this.release(data);
    this.settle(piece, ok);
  }

  /** A piece's hash check is done. */
  private settle(piece: number, ok: boolean): void {
    // Even after stop: the picker outlives the swarm and must not keep the piece half-done.
    this.ctx.picker.pieceVerified(piece, ok);
    if (ok) this.ctx.verified(piece);
    else this.ctx.corrupt(piece);
  }

  private writeBlock(piece: number, begin: number, data: Uint8Array, pieceComplete: boolean): void {
    const entry = this.direct.get(piece) as DirectPiece;
    entry.pending++;
    if (pieceComplete) entry.complete = true;
    this.writeBacklog += data.length;
    const block = blockPool.copy(data); // `data` points into the socket's read buffer
    const done = (): void => {
      blockPool.release(block.buffer);
      const wasFull = this.backlogFull;
      this.writeBacklog -= data.length;
      entry.pending--;
      if (wasFull && !this.backlogFull) this.ctx.backlogFreed();
    };
    const write = this.ctx.storage.write(piece, begin, block.view).then(
      () => {
        done();
        if (entry.pending === 0 && entry.complete && this.direct.get(piece) === entry) {
          this.direct.delete(piece);
          this.verifyFromDisk(piece);
        }
      },
      (err) => {
        done();
        this.ctx.storageFailed(err);
      },
    );
    this.track(write);
  }

  private verifyFromDisk(piece: number): void {
    if (this.pieceSize(piece) > MAX_READ_BACK) {
      this.track(
        this.ctx.storage.verifyPiece(piece).then(
          (ok) => this.settle(piece, ok),
          (err) => this.ctx.storageFailed(err),
        ),
      );
      return;
    }
    this.toReadBack.push(piece);
    this.pumpReadBacks();
  }

  private pumpReadBacks(): void {
    while (this.readingBack < READ_BACKS && this.toReadBack.length > 0) {
      const piece = this.toReadBack.shift() as number;
      this.readingBack++;
      const work = this.hashFromDisk(piece)
        .then(
          (ok) => this.settle(piece, ok),
          (err) => this.ctx.storageFailed(err),
        )
        .finally(() => {
          this.readingBack--;
          this.pumpReadBacks();
        });
      this.track(work);
    }
  }

  /** Reads a piece back and hashes it; false when it is not all on disk (as Storage.verifyPiece). */
  private async hashFromDisk(piece: number): Promise<boolean> {
    const buffer = this.readBack.pop() ?? offHeap(this.ctx.metainfo.pieceLength);
    try {
      const data = buffer.subarray(0, this.pieceSize(piece));
      await this.ctx.storage.readInto(piece, 0, data);
      return hashMatches(this.ctx.metainfo, piece, await sha1(data));
    } catch (err) {
      if (err instanceof StorageError && err.code === 'missing') return false;
      throw err;
    } finally {
      this.readBack.push(buffer);
    }
  }
}

/** `length` bytes outside the JS heap, not zero-filled: piece buffers are reused, never left to the GC. */
function offHeap(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}
