/**
 * Child process of the kill -9 test: downloads a torrent from a local source file piece by piece,
 * recording verified pieces in the resume state as a downloading torrent does (`writing`), and prints
 * "verified P" after each piece's check and "saved N" after each state write.
 * Args: torrent file, source data file, save folder, state file.
 */
import { readFileSync } from 'node:fs';
import { parseMetainfo } from '../../../daemon/src/metainfo/parse';
import { createFileStorage, ResumeWriter } from '../../../daemon/src/storage';
import { Bitfield } from '../../../daemon/src/util/bitfield';

async function main(): Promise<void> {
  const [torrentFile, sourceFile, savePath, stateFile] = process.argv.slice(2);
  const m = parseMetainfo(readFileSync(torrentFile));
  const source = readFileSync(sourceFile);
  const storage = createFileStorage(m, savePath);
  const writer = new ResumeWriter({ m, savePath, stateFile, storage, onError: (e) => console.error(e.message) });
  const have = new Bitfield(m.pieceCount);
  for (let p = 0; p < m.pieceCount; p++) {
    const piece = source.subarray(p * m.pieceLength, (p + 1) * m.pieceLength);
    for (let off = 0; off < piece.length; off += 16384) await storage.write(p, off, piece.subarray(off, off + 16384));
    if (!(await storage.verifyPiece(p))) throw new Error(`piece ${p} failed`);
    process.stdout.write(`verified ${p}\n`);
    have.set(p);
    const count = have.count;
    void writer.save(have, true).then(() => process.stdout.write(`saved ${count}\n`));
  }
  await writer.idle();
  process.stdout.write('done\n');
  setInterval(() => undefined, 60_000); // stay alive until killed
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
