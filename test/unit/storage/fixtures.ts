import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bencode } from '../../../daemon/src/bencode';
import { parseMetainfo } from '../../../daemon/src/metainfo/parse';
import type { Metainfo } from '../../../daemon/src/metainfo/types';

/** Deterministic bytes, different per seed. */
export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * A real parsed metainfo for files of the given lengths (paths relative to the torrent folder;
 * one unnamed entry makes a single-file torrent), and the torrent's concatenated data.
 */
export function makeTorrent(
  files: { path: string[]; length: number }[],
  pieceLength: number,
  name = 'fixture',
): { m: Metainfo; data: Uint8Array } {
  const total = files.reduce((n, f) => n + f.length, 0);
  const data = bytes(total, files.length + pieceLength);
  const hashes: Uint8Array[] = [];
  for (let at = 0; at < total; at += pieceLength) hashes.push(createHash('sha1').update(data.subarray(at, at + pieceLength)).digest());
  const single = files.length === 1 && files[0].path.length === 0;
  const info = {
    name,
    'piece length': pieceLength,
    pieces: Buffer.concat(hashes),
    ...(single ? { length: total } : { files: files.map((f) => ({ length: f.length, path: f.path })) }),
  };
  return { m: parseMetainfo(bencode({ info })), data };
}

/** The bytes of one piece of `data`. */
export function pieceOf(m: Metainfo, data: Uint8Array, piece: number): Uint8Array {
  return data.subarray(piece * m.pieceLength, Math.min(data.length, (piece + 1) * m.pieceLength));
}

/** A fresh temp folder and its removal. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'btd-storage-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
