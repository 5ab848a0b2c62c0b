/** Engine snapshots → protocol shapes. Fields are copied by name so engine internals never leak to clients. */
import type * as P from '../../../protocol/src';
import type { PeerSummary, TorrentFileReport, TorrentSummary, TrackerStatus } from '../session/types';
import type { EngineTorrent } from './engine';

/** A torrent snapshot as the protocol sends it. */
export function toTorrentInfo(s: TorrentSummary): P.TorrentInfo {
  const out: P.TorrentInfo = {
    infoHash: s.infoHash,
    name: s.name,
    state: s.state,
    progress: s.progress,
    totalLength: s.totalLength,
    wantedLength: s.wantedLength,
    verifiedBytes: s.verifiedBytes,
    pieceCount: s.pieceCount,
    havePieces: s.havePieces,
    downloaded: s.downloaded,
    uploaded: s.uploaded,
    downloadRate: s.downloadRate,
    uploadRate: s.uploadRate,
    ratio: s.ratio,
    peers: s.peers,
    seeds: s.seeds,
    savePath: s.savePath,
    addedAt: s.addedAt,
  };
  if (s.error !== undefined) out.error = s.error;
  if (s.partial) out.partial = true;
  if (s.sequential) out.sequential = true;
  if (s.checkProgress !== undefined) out.checkProgress = s.checkProgress;
  if (s.etaSeconds !== undefined && Number.isFinite(s.etaSeconds)) out.etaSeconds = s.etaSeconds;
  if (s.metadataPending) {
    out.metadataPending = true;
    out.metadataPeers = s.metadataPeers ?? 0;
    out.metadataProgress = s.metadataProgress ?? 0;
  }
  return out;
}

/** A connection snapshot as the protocol sends it. */
export function toPeerInfo(p: PeerSummary): P.PeerInfo {
  return {
    id: p.id,
    ip: p.ip,
    port: p.port,
    client: p.client,
    progress: p.progress,
    downloadRate: p.downloadRate,
    uploadRate: p.uploadRate,
    downloaded: p.downloaded,
    uploaded: p.uploaded,
    amChoking: p.amChoking,
    amInterested: p.amInterested,
    peerChoking: p.peerChoking,
    peerInterested: p.peerInterested,
    direction: p.direction,
    source: p.source,
  };
}

/** A tracker of a torrent as the protocol sends it. */
export function toTrackerInfo(t: TrackerStatus): P.TrackerAnnounceInfo {
  const out: P.TrackerAnnounceInfo = { url: t.url, tier: t.tier };
  for (const k of ['lastAnnounce', 'nextAnnounce', 'seeders', 'leechers'] as const) if (t[k] !== undefined) out[k] = t[k];
  if (t.lastError !== undefined) out.lastError = t.lastError;
  if (t.lastWarning !== undefined) out.lastWarning = t.lastWarning;
  return out;
}

/**
 * `torrent/get`'s detailed view; `magnet` is the torrent's magnet URI, built by the caller's engine.
 * A magnet whose metadata is pending has no files yet and a piece length of 0.
 */
export function toTorrentDetails(t: EngineTorrent, magnet: string): P.TorrentDetails {
  const m = t.metainfo;
  return {
    ...toTorrentInfo(t.summary()),
    pieceLength: m?.pieceLength ?? 0,
    magnet,
    private: m?.private ?? false,
    files: m ? m.files.filter((f) => !f.padding).map((f) => ({ path: [...f.path], length: f.length, ...(f.attr ? { attr: f.attr } : {}) })) : [],
    trackers: t.trackers().map(toTrackerInfo),
  };
}

/** A file report as the protocol sends it. */
export function toFileStatus(f: TorrentFileReport): P.TorrentFileStatus {
  const out: P.TorrentFileStatus = {
    index: f.index,
    path: [...f.path],
    length: f.length,
    priority: f.priority,
    bytesDone: f.bytesDone,
    pieceCount: f.pieceCount,
    piecesDone: f.piecesDone,
  };
  if (f.attr) out.attr = f.attr;
  return out;
}
