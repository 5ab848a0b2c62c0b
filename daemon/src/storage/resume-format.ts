/**
 * The resume state file: which pieces were verified (and flushed), for which torrent, and how each
 * file looked on disk when that was recorded. JSON, versioned, validated field by field on load.
 */
import { Bitfield } from '../util/bitfield';

/** How one file stood on disk: absent, or its size and modification time (ns, as a decimal string). */
export type FileState = { size: number; mtimeNs: string } | null;

/** A decoded resume state. */
export interface ResumeState {
  infoHashHex: string;
  have: Bitfield;
  files: FileState[];
  /**
   * The torrent went on downloading after this state was written: the files may since hold blocks
   * of pieces not in `have` (and nothing else of ours changed). False after a clean stop.
   */
  writing?: boolean;
}

/** The resume file is unusable (corrupt, foreign, from another version); the reason is for a log line. */
export class ResumeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeFormatError';
  }
}

const FORMAT = 'btd-resume';
const VERSION = 1;

/** Largest state file accepted for a torrent of this shape (bitfield in base64 plus ~100 bytes per file). */
export function maxStateSize(pieceCount: number, fileCount: number): number {
  return 4096 + Math.ceil(pieceCount / 6) * 2 + fileCount * 100;
}

/** Serializes a resume state. */
export function encodeResumeState(state: ResumeState): Uint8Array {
  const json = {
    format: FORMAT,
    version: VERSION,
    infoHash: state.infoHashHex,
    pieceCount: state.have.length,
    have: Buffer.from(state.have.bytes).toString('base64'),
    files: state.files.map((f) => (f ? [f.size, f.mtimeNs] : null)),
    ...(state.writing ? { writing: true } : {}),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** What the state must match: the torrent's info hash, piece count and file count. */
export interface ResumeExpect {
  infoHashHex: string;
  pieceCount: number;
  fileCount: number;
}

/** Parses and validates a state file's bytes against the torrent; throws ResumeFormatError on anything off. */
export function decodeResumeState(bytes: Uint8Array, expect: ResumeExpect): ResumeState {
  if (bytes.length > maxStateSize(expect.pieceCount, expect.fileCount)) throw new ResumeFormatError(`state file too large (${bytes.length} bytes)`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch {
    throw new ResumeFormatError('state file is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ResumeFormatError('state file is not an object');
  const o = json as Record<string, unknown>;
  if (o.format !== FORMAT || o.version !== VERSION) throw new ResumeFormatError('not a btd resume file of a known version');
  if (o.infoHash !== expect.infoHashHex) throw new ResumeFormatError('state file belongs to another torrent');
  if (o.pieceCount !== expect.pieceCount) throw new ResumeFormatError('piece count differs');
  if (o.writing !== undefined && typeof o.writing !== 'boolean') throw new ResumeFormatError('writing is not a boolean');
  const state: ResumeState = { infoHashHex: expect.infoHashHex, have: decodeHave(o.have, expect.pieceCount), files: decodeFiles(o.files, expect.fileCount) };
  if (o.writing === true) state.writing = true;
  return state;
}

function decodeHave(value: unknown, pieceCount: number): Bitfield {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new ResumeFormatError('have is not base64');
  const bytes = Buffer.from(value, 'base64');
  try {
    return new Bitfield(pieceCount, bytes);
  } catch (err) {
    throw new ResumeFormatError(`have: ${(err as Error).message}`);
  }
}

function decodeFiles(value: unknown, fileCount: number): FileState[] {
  if (!Array.isArray(value) || value.length !== fileCount) throw new ResumeFormatError('file list does not match the torrent');
  return value.map((f: unknown, i) => {
    if (f === null) return null;
    const ok = Array.isArray(f) && f.length === 2 && Number.isSafeInteger(f[0]) && f[0] >= 0 && typeof f[1] === 'string' && /^\d{1,30}$/.test(f[1]);
    if (!ok) throw new ResumeFormatError(`file ${i}: bad size or mtime`);
    return { size: f[0] as number, mtimeNs: f[1] as string };
  });
}

/** Same files on disk as recorded: same presence, sizes and modification times. */
export function sameFiles(recorded: readonly FileState[], current: readonly FileState[]): boolean {
  if (recorded.length !== current.length) return false;
  return recorded.every((r, i) => sameFile(r, current[i]));
}

/** One file as recorded: same presence, size and modification time. */
export function sameFile(r: FileState, c: FileState): boolean {
  return r === null || c === null ? r === c : r.size === c.size && r.mtimeNs === c.mtimeNs;
}

/** The file is there and no shorter than recorded (what writes of blocks can do to it, and all they can). */
export function grewOrSame(r: FileState, c: FileState): boolean {
  return c !== null && (r === null || c.size >= r.size);
}
