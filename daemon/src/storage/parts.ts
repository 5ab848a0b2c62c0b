/**
 * The parts file: bytes of skipped files that share a piece with a wanted file. A skipped file that
 * does not exist on disk is kept there (so it is never created); when it is wanted again, the bytes of
 * its verified pieces move into place, and the parts file goes once no file in it holds any.
 */
import { rm, stat } from 'node:fs/promises';
import type { Geometry } from '../util/geometry';
import type { Metainfo } from '../metainfo/types';
import { StorageError } from './errors';
import { readFully, writeFully } from './file-storage';
import type { HandleCache } from './handles';
import type { Placement } from './placement';

/** What moving files in and out of the parts file works on: the storage's own handles and placement. */
export interface PartsContext {
  m: Pick<Metainfo, 'files'>;
  geometry: Geometry;
  placement: Placement;
  handles: HandleCache;
}

/** Pieces that hold bytes of file `index`, as [first, last]; undefined for an empty file. */
function piecesOf(ctx: Pick<PartsContext, 'm' | 'geometry'>, index: number): [number, number] | undefined {
  const f = ctx.m.files[index];
  if (f.length === 0) return undefined;
  return [Math.floor(f.offset / ctx.geometry.pieceLength), Math.floor((f.offset + f.length - 1) / ctx.geometry.pieceLength)];
}

/**
 * A file is skipped (true) or wanted again (false). A skipped file absent from disk goes to the parts
 * file; one with data on disk stays where it is. A wanted file leaves the parts file with the bytes of
 * the pieces in `have`, copied into place and flushed before it is read from there.
 */
export async function setFileSkipped(ctx: PartsContext, index: number, skipped: boolean, have: { has(piece: number): boolean }): Promise<void> {
  const { placement, handles } = ctx;
  const place = placement.place(index);
  if (skipped) {
    if (place.kind === 'file' && !(await exists(place.path))) placement.setInParts(index, true);
    return;
  }
  if (place.kind !== 'parts') return;
  const to = placement.paths[index];
  const range = piecesOf(ctx, index);
  if (!range) await handles.use(to, true, async () => undefined);
  for (let p = range?.[0] ?? 0; range && p <= range[1]; p++) {
    if (!have.has(p)) continue;
    for (const span of ctx.geometry.pieceSpans(p)) {
      if (span.fileIndex !== index) continue;
      const buf = new Uint8Array(span.length);
      try {
        await handles.use(place.path, false, (fh) => readFully(fh, buf, place.base + span.fileOffset, place.path));
      } catch (err) {
        if (err instanceof StorageError && err.code === 'missing') continue; // a piece begun but never written this far
        throw err;
      }
      await handles.use(to, true, (fh) => writeFully(fh, buf, span.fileOffset));
    }
  }
  await handles.flush();
  placement.setInParts(index, false);
}

/** Does a file kept in the parts file hold bytes of a piece in `have`? */
export function partsInUse(ctx: Pick<PartsContext, 'm' | 'geometry' | 'placement'>, have: { has(piece: number): boolean }): boolean {
  return ctx.placement.partsFiles().some((index) => {
    const range = piecesOf(ctx, index);
    for (let p = range?.[0] ?? 0; range && p <= range[1]; p++) if (have.has(p)) return true;
    return false;
  });
}

/** Removes the parts file if nothing in it is needed; its handle is closed first. */
export async function tidyParts(ctx: PartsContext, have: { has(piece: number): boolean }): Promise<void> {
  const path = ctx.placement.partsPath;
  if (!path || partsInUse(ctx, have)) return;
  ctx.handles.forget(path);
  await ctx.handles.flush();
  await rm(path, { force: true }).catch((err: NodeJS.ErrnoException) => {
    throw new StorageError('io', `cannot delete ${path}: ${err.message}`, path, err.code);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
