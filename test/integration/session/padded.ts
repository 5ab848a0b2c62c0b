import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bencode, type Encodable } from '../../../daemon/src/bencode';
import { parseMetainfo } from '../../../daemon/src/metainfo';
import type { Metainfo } from '../../../daemon/src/metainfo/types';

/**
 * A torrent laid out as libtorrent's hybrid torrents are: every file but the last is followed by a
 * BEP 47 padding file `.pad/N` (attr 'p') up to the next piece boundary. The real files are written
 * under `root/name`; the padding files are not. `attrs` adds flags to a file ('x', 'h').
 */
export async function makePaddedTorrent(
  root: string,
  name: string,
  files: Record<string, number>,
  pieceLength = 32768,
  attrs: Record<string, string> = {},
): Promise<{ metainfo: Metainfo; contents: Map<string, Buffer> }> {
  const contents = new Map<string, Buffer>();
  const entries: Encodable[] = [];
  const data: Buffer[] = [];
  const names = Object.keys(files);
  for (const [i, rel] of names.entries()) {
    const bytes = randomBytes(files[rel]);
    contents.set(rel, bytes);
    const p = path.join(root, name, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, bytes);
    entries.push({ length: bytes.length, path: rel.split('/'), ...(attrs[rel] ? { attr: attrs[rel] } : {}) });
    data.push(bytes);
    const pad = (pieceLength - (bytes.length % pieceLength)) % pieceLength;
    if (pad > 0 && i < names.length - 1) {
      entries.push({ attr: 'p', length: pad, path: ['.pad', String(pad)] });
      data.push(Buffer.alloc(pad));
    }
  }
  const all = Buffer.concat(data);
  const hashes: Buffer[] = [];
  for (let at = 0; at < all.length; at += pieceLength) hashes.push(createHash('sha1').update(all.subarray(at, at + pieceLength)).digest());
  const info = { files: entries, name, 'piece length': pieceLength, pieces: Buffer.concat(hashes) };
  return { metainfo: parseMetainfo(bencode({ info })), contents };
}
