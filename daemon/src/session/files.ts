/**
 * A torrent's files as the session sees them: priorities into piece priorities for the picker, the
 * bytes of wanted files (progress, `left`), per-file reports, and checking a priority change.
 */
import { spansOf } from '../util/geometry';
import type { Metainfo } from '../metainfo/types';
import { fileBytesDone, piecePriorities, type FilePriority, type Picker } from '../picker';
import type { Bitfield } from '../util/bitfield';
import type { TorrentData } from './data';
import { SessionError } from './types';
import type { TorrentFileReport } from './types';

/** Priorities and sequential mode applied to a picker. */
export function applyChoices(picker: Picker, m: Metainfo, choices: { priorities: readonly FilePriority[]; sequential: boolean }): void {
  picker.setPriorities(piecePriorities(m, choices.priorities));
  picker.setSequential(choices.sequential);
}

/** The priorities after `changes`; SessionError('invalid') for an index out of range or a padding file. */
export function changedPriorities(m: Metainfo, current: readonly FilePriority[], changes: readonly { index: number; priority: FilePriority }[]): FilePriority[] {
  const next = [...current];
  for (const { index, priority } of changes) {
    if (!Number.isInteger(index) || index < 0 || index >= m.files.length) throw new SessionError('invalid', `no file ${index} in ${m.name} (it has ${m.files.length})`);
    if (m.files[index].padding) throw new SessionError('invalid', `file ${index} of ${m.name} is a padding file`);
    next[index] = priority;
  }
  return next;
}

/**
 * Wanted bytes and the verified part of them. Per-file done bytes are kept up to date piece by piece
 * (`pieceVerified`), and recomputed in full only when the pieces or priorities were replaced.
 */
export class WantedBytes {
  private done: number[] = [];
  private have: Bitfield | undefined;
  private counted = -1;
  private version = -1;
  private value = { wantedLength: 0, wantedDone: 0, skipped: false };

  constructor(private readonly m: Metainfo) {}

  /** The figures for `have` under `priorities` (`version` changes with every priority change). */
  get(have: Bitfield, priorities: readonly FilePriority[], version: number): { wantedLength: number; wantedDone: number; skipped: boolean } {
    if (have === this.have && have.count === this.counted && version === this.version) return this.value;
    if (have !== this.have || have.count !== this.counted) {
      this.done = fileBytesDone(this.m, have);
      this.have = have;
      this.counted = have.count;
    }
    this.version = version;
    return (this.value = this.sum(priorities));
  }

  /** `piece` was just set in the bitfield last passed to `get`: its bytes count without a full recount. */
  pieceVerified(piece: number, priorities: readonly FilePriority[]): void {
    const have = this.have;
    if (!have || !have.has(piece) || have.count !== this.counted + 1) return;
    const offset = piece * this.m.pieceLength;
    for (const s of spansOf(this.m.files, offset, Math.min(this.m.pieceLength, this.m.totalLength - offset))) this.done[s.fileIndex] += s.length;
    this.counted++;
    this.value = this.sum(priorities);
  }

  private sum(priorities: readonly FilePriority[]): { wantedLength: number; wantedDone: number; skipped: boolean } {
    let wantedLength = 0;
    let wantedDone = 0;
    let skipped = false;
    this.m.files.forEach((f, i) => {
      if (f.padding) return;
      if (priorities[i] === 'skip') {
        skipped ||= f.length > 0;
        return;
      }
      wantedLength += f.length;
      wantedDone += this.done[i];
    });
    return { wantedLength, wantedDone, skipped };
  }
}

/** One report per file, padding files left out. */
export function fileReports(m: Metainfo, have: Bitfield, priorities: readonly FilePriority[]): TorrentFileReport[] {
  const done = fileBytesDone(m, have);
  const out: TorrentFileReport[] = [];
  m.files.forEach((f, index) => {
    if (f.padding) return;
    const first = Math.floor(f.offset / m.pieceLength);
    const pieceCount = f.length === 0 ? 0 : Math.floor((f.offset + f.length - 1) / m.pieceLength) - first + 1;
    let piecesDone = 0;
    for (let p = first; p < first + pieceCount; p++) if (have.has(p)) piecesDone++;
    const report: TorrentFileReport = { index, path: [...f.path], length: f.length, priority: priorities[index], bytesDone: done[index], pieceCount, piecesDone };
    if (f.attr) report.attr = f.attr;
    out.push(report);
  });
  return out;
}

/** The file choices of one torrent: its data's saved priorities and mode, applied to its picker. */
export class FileControl {
  private version = 0;
  private readonly wanted: WantedBytes;

  constructor(
    private readonly m: Metainfo,
    private readonly data: Pick<TorrentData, 'choices' | 'setFilePriorities' | 'setSequential'>,
  ) {
    this.wanted = new WantedBytes(m);
  }

  /** Wanted bytes, the verified part of them, and whether any file is skipped. */
  figures(have: Bitfield): { wantedLength: number; wantedDone: number; skipped: boolean } {
    return this.wanted.get(have, this.data.choices().priorities, this.version);
  }

  /** A piece was verified (after the picker's bitfield has it). */
  pieceVerified(piece: number): void {
    this.wanted.pieceVerified(piece, this.data.choices().priorities);
  }

  get sequential(): boolean {
    return this.data.choices().sequential;
  }

  /** Each file with its priority and progress. */
  reports(have: Bitfield): TorrentFileReport[] {
    return fileReports(this.m, have, this.data.choices().priorities);
  }

  /** Puts the saved choices into `picker`. */
  apply(picker: Picker): void {
    applyChoices(picker, this.m, this.data.choices());
  }

  /** Checks and saves a priority change (the caller then applies it); SessionError('invalid') changes nothing. */
  async setPriorities(changes: readonly { index: number; priority: FilePriority }[]): Promise<void> {
    await this.data.setFilePriorities(changedPriorities(this.m, this.data.choices().priorities, changes));
    this.version++;
  }

  /** Saves sequential mode and sets it on `picker`. */
  async setSequential(on: boolean, picker: Picker): Promise<void> {
    await this.data.setSequential(on);
    picker.setSequential(on);
  }
}
