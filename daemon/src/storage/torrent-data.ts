/** A torrent's files plus its resume state and file choices, bundled the way a running torrent uses them. */
import { join } from 'node:path';
import type { HashPool } from '../hash/pool';
import type { Metainfo } from '../metainfo/types';
import type { FilePriority } from '../picker/priorities';
import { Bitfield } from '../util/bitfield';
import { checkExisting, type CheckResult } from './check';
import { choicesFileOf, copyChoices, defaultChoices, loadChoices, sameChoices, saveChoices, type FileChoices } from './file-choices';
import { createFileStorage, torrentFilePathsSliced } from './file-storage';
import { Placement, partsFileOf } from './placement';
import { ResumeWriter } from './resume';
import type { Storage } from './types';

/** Storage, the check of existing data, resume recording and file choices of one torrent. */
export interface TorrentFiles {
  storage: Storage;
  /** Pieces already good: 'fast' trusts the resume state as far as it holds (see check.ts), 'full' hashes everything present. */
  check(mode: 'fast' | 'full', onProgress?: (checkedPieces: number) => void): Promise<CheckResult>;
  /**
   * A piece became have; it is recorded (after a flush) within SAVE_INTERVAL_MS, together with the
   * pieces verified meanwhile, so that a restart need not download it again (see resume.ts).
   */
  pieceVerified(piece: number): void;
  /**
   * Records the current state now; resolves when written. `writing`: the torrent goes on writing
   * blocks of the pieces it lacks (it is downloading); default false, for a state saved once its
   * writes and hash checks have settled (pause, stop, exit, completion).
   */
  save(writing?: boolean): Promise<void>;
  /** Resolves when no state write is in flight or pending (a timed save not yet due does not count). */
  idle(): Promise<void>;
  /** Where the resume state lives. */
  readonly stateFile: string;
  /** File priorities and sequential mode as they stand (a copy). */
  choices(): FileChoices;
  /**
   * New priorities (one per file, torrent order): skipped files absent from disk go to the parts file,
   * files wanted again leave it with their verified bytes; the choices are saved. Calls run one at a time.
   */
  setFilePriorities(priorities: readonly FilePriority[]): Promise<void>;
  /** Sequential mode on or off, saved. */
  setSequential(on: boolean): Promise<void>;
}

/**
 * How long a verified piece waits to be recorded: the saves of all pieces verified meanwhile fold
 * into one (each save fsyncs the files written since the last, stats every file, and writes the
 * state file with two fsyncs of its own). A `kill -9` costs at most these seconds of pieces, hashed
 * again on the next start, not downloaded again.
 */
export const SAVE_INTERVAL_MS = 5000;

/** Options of openTorrentFiles. */
export interface TorrentFilesOptions {
  pool?: HashPool;
  /** Default SAVE_INTERVAL_MS. */
  saveIntervalMs?: number;
  maxOpenFiles?: number;
  /** Ignored resume files and failed state writes. */
  warn?: (message: string) => void;
  /** Priorities to start with; default the saved ones, else every file normal. */
  filePriorities?: readonly FilePriority[];
  /** Sequential mode to start with; default the saved one, else off. */
  sequential?: boolean;
}

/** The resume state file of a torrent inside `stateDir`. */
export function stateFileOf(m: Pick<Metainfo, 'infoHashHex'>, stateDir: string): string {
  return join(stateDir, `${m.infoHashHex}.resume`);
}

/**
 * Opens the files of `m` under `savePath`, with resume state in `stateDir/<info hash>.resume`, file
 * choices in `<info hash>.files` and bytes of skipped files in `<info hash>.parts`.
 */
export async function openTorrentFiles(m: Metainfo, savePath: string, stateDir: string, opts: TorrentFilesOptions = {}): Promise<TorrentFiles> {
  const stateFile = stateFileOf(m, stateDir);
  const choicesFile = choicesFileOf(m, stateDir);
  const warn = opts.warn;
  const loaded = await loadChoices(choicesFile, m.files.length);
  if (loaded.problem) warn?.(loaded.problem);
  if (opts.filePriorities && opts.filePriorities.length !== m.files.length) throw new RangeError(`${opts.filePriorities.length} priorities for ${m.files.length} files`);
  const choices: FileChoices = loaded.choices ?? defaultChoices(m.files.length);
  if (opts.filePriorities) choices.priorities = [...opts.filePriorities];
  if (opts.sequential !== undefined) choices.sequential = opts.sequential;
  await torrentFilePathsSliced(m, savePath); // built here in slices; placement and storage reuse them
  const placement = new Placement(m, savePath, partsFileOf(m, stateDir), choices.inParts);
  // Any block written changes the files' times the state records, verified or not (see `changes`).
  const storage = createFileStorage(m, savePath, { ...opts, placement, onWrite: () => changes++ });
  let failures = 0;
  const writer = new ResumeWriter({ m, savePath, stateFile, storage, onError: (e) => (failures++, warn?.(`resume state not saved: ${e.message}`)) });
  let have = new Bitfield(m.pieceCount);
  /** What the torrent said at its last save: it is downloading. */
  let writing = false;
  /** File moves running (apply): the state on disk must not say `writing` meanwhile. */
  let moving = 0;
  let timer: NodeJS.Timeout | undefined;
  /**
   * `changes` counts what changed `have` or the files' places; `onDisk` is the count the resume state
   * file is known to hold (-1: not known), `onDiskWriting` the flag it holds. A save with nothing new
   * writes nothing: a daemon stopping with many idle seeds reads no folder and writes no file for them.
   */
  let changes = 0;
  let onDisk = -1;
  let onDiskWriting = false;
  const saveNow = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const at = changes;
    const failed = failures;
    const flag = writing && moving === 0;
    return writer.save(have, flag).then(() => {
      if (failures === failed && at >= onDisk) {
        onDisk = at;
        onDiskWriting = flag;
      }
    });
  };
  let queue: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>): Promise<void> => (queue = queue.then(fn, fn));
  /** Known once the first check ran: until then, nothing leaves the parts file (its pieces are not known). */
  let checkedOnce = false;
  /** The choices as the file on disk holds them (undefined: none there). */
  let saved: FileChoices | undefined = loaded.choices && copyChoices(loaded.choices);
  /**
   * Puts every file where its priority says, then records the choices and the resume state. After a
   * check (`changed` false) they are written only if they differ from what is on disk: a start of
   * many torrents whose files stay where they are writes nothing.
   */
  const apply = async (changed: boolean): Promise<void> => {
    // Moves write verified bytes: a state saying `writing` would let a half-done move pass unhashed.
    moving++;
    let moved = false;
    try {
      if (writing) await writer.save(have, false);
      const partsBefore = placement.partsFiles();
      for (let i = 0; i < m.files.length; i++) {
        const skipped = choices.priorities[i] === 'skip';
        if (skipped || checkedOnce) await storage.setFileSkipped(i, skipped, have);
      }
      // No file was or is in the parts file, nor in the choices on disk: there is no parts file to tidy
      // (a start of many torrents makes no failed delete per torrent).
      const noParts = partsBefore.length === 0 && placement.partsFiles().length === 0 && saved !== undefined && saved.inParts.length === 0;
      if (checkedOnce && (changed || !noParts)) await storage.tidyParts(have);
      choices.inParts = placement.partsFiles();
      if (changed || !sameChoices(saved, choices)) {
        await saveChoices(choicesFile, choices);
        saved = copyChoices(choices);
      }
      moved = partsBefore.length !== choices.inParts.length || partsBefore.some((f, i) => f !== choices.inParts[i]);
    } finally {
      moving--;
    }
    if (changed || moved) {
      changes++;
      await saveNow(); // files moved in or out: the recorded file states follow
    }
  };
  // Skipped files go to the parts file before anything can write them; files wanted again move after the check.
  await serial(async () => {
    for (let i = 0; i < m.files.length; i++) if (choices.priorities[i] === 'skip') await storage.setFileSkipped(i, true, have);
    choices.inParts = placement.partsFiles();
  });
  return {
    storage,
    stateFile,
    async check(mode, onProgress) {
      writing = false; // nothing downloads while a check runs
      const result = await checkExisting(m, savePath, {
        stateFile,
        full: mode === 'full',
        pool: opts.pool,
        warn,
        placement,
        onProgress: onProgress && ((checked) => onProgress(checked)),
      });
      have = result.have.clone();
      changes++;
      // A fast check found the state file true to the files: it holds `have` as it is now.
      if (result.mode === 'fast') onDisk = changes;
      checkedOnce = true;
      await serial(() => apply(false));
      // After hashing the state is rewritten, so the next start is fast again.
      if (result.mode !== 'fast') await saveNow();
      return result;
    },
    pieceVerified(piece) {
      have.set(piece);
      changes++;
      if (timer) return;
      timer = setTimeout(() => void saveNow(), opts.saveIntervalMs ?? SAVE_INTERVAL_MS);
      timer.unref();
    },
    idle() {
      return writer.idle();
    },
    save(downloading = false) {
      writing = downloading;
      if (onDisk === changes && onDiskWriting === (writing && moving === 0) && !timer) return writer.idle();
      return saveNow();
    },
    choices() {
      return copyChoices(choices);
    },
    setFilePriorities(priorities) {
      if (priorities.length !== m.files.length) return Promise.reject(new RangeError(`${priorities.length} priorities for ${m.files.length} files`));
      return serial(async () => {
        choices.priorities = [...priorities];
        await apply(true);
      });
    },
    setSequential(on) {
      return serial(async () => {
        choices.sequential = on;
        await saveChoices(choicesFile, choices);
        saved = copyChoices(choices);
      });
    },
  };
}
