/**
 * The method table: each entry validates its params, calls the daemon, and converts the result to the
 * protocol's shape. Nothing else happens here. Lifecycle methods are handled by the connection.
 */
import type { CancellationToken } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { toFileStatus, toPeerInfo, toTorrentDetails, toTorrentInfo } from './convert';
import type { Daemon } from './daemon';
import { rpcError } from './errors';
import { validators as v } from './params';
import { fileUrl } from './file-url';
import { infoCacheOf } from './info-cache';

/** What a handler may use beyond its params. */
export interface HandlerContext {
  token: CancellationToken;
  /** Sends `$/progress` for a client-chosen token. */
  sendProgress(token: string | number, value: P.TorrentCreateProgress): void;
}

/** A method implementation over raw params. */
export type Handler = (params: unknown, ctx: HandlerContext) => Promise<unknown>;

/** Builds the handlers of every `area/verb` method, keyed by the protocol's method names. */
export function buildHandlers(daemon: Daemon): Map<string, Handler> {
  const table = new Map<string, Handler>();
  const on = <R>(type: { method: string }, h: (params: unknown, ctx: HandlerContext) => Promise<R> | R): void => {
    table.set(type.method, async (params, ctx) => h(params, ctx));
  };
  const info = (t: ReturnType<Daemon['torrent']>): P.TorrentInfo => toTorrentInfo(t.summary());

  on(P.TorrentCreateRequest.type, (raw, ctx) => createTorrent(daemon, v.torrentCreate(raw, ''), ctx));
  on(P.TorrentAddRequest.type, async (raw) => {
    const { torrent, ...opts } = v.torrentAdd(raw, '');
    return info(await daemon.add(torrent, opts));
  });
  on(P.TorrentFilesRequest.type, (raw): P.TorrentFilesResult => ({ files: daemon.withFiles(v.torrentId(raw, '').infoHash).files().map(toFileStatus) }));
  on(P.TorrentSetFilePrioritiesRequest.type, async (raw): Promise<P.TorrentFilesResult> => {
    const p = v.setFilePriorities(raw, '');
    const t = daemon.withFiles(p.infoHash);
    await t.setFilePriorities(p.priorities);
    return { files: t.files().map(toFileStatus) };
  });
  on(P.TorrentSetSequentialRequest.type, async (raw) => {
    const p = v.setSequential(raw, '');
    const t = daemon.withFiles(p.infoHash);
    await t.setSequential(p.sequential);
    return info(t);
  });
  on(P.TorrentFileUrlRequest.type, (raw) => fileUrl(daemon, daemon.fileServer, v.fileUrl(raw, '')));
  on(P.TorrentSeedRequest.type, async (raw) => {
    const p = v.torrentSeed(raw, '');
    return info(await daemon.seed(p.torrent, p.dataPath));
  });
  on(P.TorrentListRequest.type, (raw): P.TorrentListResult => {
    v.none(raw, '');
    const session = daemon.session();
    const cache = infoCacheOf(daemon);
    // Quiet torrents' entries are their kept JSON text (RawJson), written into the reply as it is.
    return { torrents: session.list().map((t) => cache.entry(session, t)) as P.TorrentInfo[] };
  });
  on(P.TorrentGetRequest.type, (raw) => {
    const t = daemon.torrent(v.torrentId(raw, '').infoHash);
    return toTorrentDetails(t, daemon.magnetOf(t));
  });
  on(P.TorrentPiecesRequest.type, (raw): P.TorrentPiecesResult => {
    const t = daemon.torrent(v.torrentId(raw, '').infoHash);
    if (t.pieceMap === undefined) throw rpcError(P.ErrorCodes.InvalidParams, 'the torrent\'s metadata is still being fetched: it has no pieces yet', { field: 'infoHash' });
    const m = t.pieceMap();
    const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return { pieceCount: m.pieceCount, have: b64(m.have), downloading: b64(m.downloading), availability: b64(m.availability) };
  });
  on(P.TorrentPauseRequest.type, async (raw) => info(await daemon.setPaused(v.torrentId(raw, '').infoHash, true)));
  on(P.TorrentResumeRequest.type, async (raw) => info(await daemon.setPaused(v.torrentId(raw, '').infoHash, false)));
  on(P.TorrentVerifyRequest.type, (raw) => info(daemon.verify(v.torrentId(raw, '').infoHash)));
  on(P.TorrentRemoveRequest.type, async (raw) => {
    const p = v.torrentRemove(raw, '');
    await daemon.remove(p.infoHash, p.deleteData ?? false);
    return null;
  });
  on(P.PeerListRequest.type, (raw): P.PeerListResult => ({ peers: daemon.torrent(v.torrentId(raw, '').infoHash).peers().map(toPeerInfo) }));
  on(P.TrackerStartRequest.type, (raw) => daemon.tracker.start(v.trackerStart(raw, '')));
  on(P.TrackerStopRequest.type, async (raw) => {
    v.none(raw, '');
    await daemon.tracker.stop();
    return null;
  });
  on(P.TrackerStatsRequest.type, (raw) => {
    v.none(raw, '');
    return daemon.tracker.stats();
  });
  on(P.SessionStatsRequest.type, (raw): P.SessionStats => {
    v.none(raw, '');
    const s = daemon.session().stats();
    return { downloadRate: s.downloadRate, uploadRate: s.uploadRate, downloaded: s.downloaded, uploaded: s.uploaded, torrents: s.torrents, peers: s.peers, port: s.port, hashedBytes: s.hashedBytes, ...(s.dhtNodes !== undefined && { dhtNodes: s.dhtNodes }) };
  });
  on(P.DhtStatsRequest.type, (raw): P.DhtStats => {
    v.none(raw, '');
    const s = daemon.session().dhtStats?.();
    if (!s) return { enabled: false, nodeId: '', port: 0, nodes: 0, buckets: [], lookupsInFlight: 0, peersStored: 0, infoHashesStored: 0, queriesInPerSecond: 0, queriesOutPerSecond: 0, torrents: 0 };
    const { nodeId, port, nodes, buckets, lookupsInFlight, peersStored, infoHashesStored, queriesInPerSecond, queriesOutPerSecond, torrents } = s;
    return { enabled: true, nodeId, port, nodes, buckets, lookupsInFlight, peersStored, infoHashesStored, queriesInPerSecond, queriesOutPerSecond, torrents };
  });
  on(P.SessionGetSettingsRequest.type, (raw) => {
    v.none(raw, '');
    return daemon.getSettings();
  });
  on(P.SessionSetSettingsRequest.type, (raw) => daemon.setSettings(v.settings(raw, '')));
  return table;
}

/** `torrent/create` with `$/progress` (begin, report at most once per percent, end) and cancellation. */
async function createTorrent(daemon: Daemon, p: ReturnType<typeof v.torrentCreate>, ctx: HandlerContext): Promise<P.TorrentCreateResult> {
  const abort = new AbortController();
  const sub = ctx.token.onCancellationRequested(() => abort.abort());
  const token = p.workDoneToken;
  let lastPercent = -1;
  if (token !== undefined) ctx.sendProgress(token, { kind: 'begin', title: `Hashing ${p.path}`, percentage: 0 });
  try {
    const result = await daemon.create(p as P.TorrentCreateParams, abort.signal, (hashedBytes, totalBytes) => {
      const percentage = totalBytes === 0 ? 100 : Math.floor((hashedBytes / totalBytes) * 100);
      if (token === undefined || percentage === lastPercent) return;
      lastPercent = percentage;
      ctx.sendProgress(token, { kind: 'report', percentage, hashedBytes, totalBytes });
    });
    if (token !== undefined) ctx.sendProgress(token, { kind: 'end', message: `created ${result.name}` });
    return result;
  } catch (err) {
    if (token !== undefined) ctx.sendProgress(token, { kind: 'end', message: abort.signal.aborted ? 'cancelled' : 'failed' });
    if (abort.signal.aborted) throw Object.assign(new Error('torrent/create cancelled'), { name: 'AbortError' });
    throw err;
  } finally {
    sub.dispose();
  }
}
