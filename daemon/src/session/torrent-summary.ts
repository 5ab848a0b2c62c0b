/** The snapshot of a torrent, from the figures its parts keep. */
import { bytesOfPieces } from '../util/geometry';
import type { Bitfield } from '../util/bitfield';
import type { Swarm } from './swarm';
import type { Metainfo, TorrentState, TorrentSummary } from './types';

/** What a snapshot is made from. */
export interface SummaryInput {
  m: Metainfo;
  state: TorrentState;
  have: Bitfield;
  /** Every wanted piece is verified. */
  complete: boolean;
  wanted: { wantedLength: number; wantedDone: number; skipped: boolean };
  sequential: boolean;
  downloaded: number;
  uploaded: number;
  savePath: string;
  addedAt: number;
  error: string | undefined;
  /** Pieces checked so far while a check runs. */
  checkedPieces: number | undefined;
}

/** A snapshot for display: progress and the time left count the wanted files only. */
export function summarize(i: SummaryInput, swarm: Swarm | undefined, duplicateBefore: number): TorrentSummary {
  const { m, have, wanted } = i;
  const downloadRate = swarm?.downloadRate.rate() ?? 0;
  const left = wanted.wantedLength - wanted.wantedDone;
  const s: TorrentSummary = {
    infoHash: m.infoHashHex,
    name: m.name,
    state: i.state,
    progress: wanted.wantedLength === 0 ? 1 : wanted.wantedDone / wanted.wantedLength,
    totalLength: m.totalLength,
    wantedLength: wanted.wantedLength,
    verifiedBytes: bytesOfPieces(m, have),
    pieceCount: m.pieceCount,
    havePieces: have.count,
    downloaded: i.downloaded,
    uploaded: i.uploaded,
    downloadRate,
    uploadRate: swarm?.uploadRate.rate() ?? 0,
    ratio: i.downloaded > 0 ? i.uploaded / i.downloaded : 0,
    peers: swarm?.peers.size ?? 0,
    seeds: swarm?.seeds ?? 0,
    savePath: i.savePath,
    addedAt: i.addedAt,
    duplicateBytes: duplicateBefore + (swarm?.duplicateBytes ?? 0),
    peersMet: { ...swarm?.peersMet },
    downloadedFromSeeds: swarm?.downloadedFromSeeds ?? 0,
  };
  if (i.error !== undefined) s.error = i.error;
  if (wanted.skipped && i.complete) s.partial = true;
  if (i.sequential) s.sequential = true;
  if (i.state === 'checking' && i.checkedPieces !== undefined) s.checkProgress = m.pieceCount === 0 ? 1 : i.checkedPieces / m.pieceCount;
  if (left > 0 && downloadRate > 0 && i.state === 'downloading') s.etaSeconds = Math.ceil(left / downloadRate);
  return s;
}
