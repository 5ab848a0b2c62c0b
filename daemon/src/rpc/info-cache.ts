/**
 * `torrent/list` of many idle torrents without a new snapshot per torrent per call. A torrent the
 * session calls quiet (no connection, dial or address: see Session.quiet) changes what its snapshot
 * shows only with a 'progress' or 'state' event, so its last TorrentInfo is kept until one comes; a
 * busy torrent gets a fresh one each time. With 10,000 seeds a list then allocates one array instead
 * of 20,000 objects, and the collector of a large heap has next to nothing to do.
 */
import type { EventEmitter } from 'node:events';
import type * as P from '../../../protocol/src';
import { toTorrentInfo } from './convert';
import { RawJson } from './raw-json';
import type { EngineSession, EngineTorrent } from './engine';

export class InfoCache {
  private readonly infos = new Map<string, { t: EngineTorrent; info: P.TorrentInfo; json?: RawJson }>();

  /** `events` re-emits the session's 'progress', 'state', 'torrent-removed' and 'metadata'. */
  constructor(events: EventEmitter) {
    const drop = (t: EngineTorrent): void => void this.infos.delete(t.infoHashHex);
    events.on('progress', drop);
    events.on('state', drop);
    events.on('metadata', drop);
    events.on('torrent-removed', (infoHash: string) => this.infos.delete(infoHash));
  }

  /** The torrent's TorrentInfo: the kept one while the torrent is quiet and nothing was said since. */
  info(session: Pick<EngineSession, 'quiet'>, t: EngineTorrent): P.TorrentInfo {
    const kept = this.infos.get(t.infoHashHex);
    const quiet = session.quiet?.(t) ?? false;
    if (kept && kept.t === t && quiet) return kept.info;
    const info = toTorrentInfo(t.summary());
    if (quiet) this.infos.set(t.infoHashHex, { t, info });
    else if (kept) this.infos.delete(t.infoHashHex);
    return info;
  }

  /**
   * The torrent's TorrentInfo for a reply: while it is quiet, its JSON text, made once and spliced
   * into each reply as it is (a 10,000-torrent list is then a join, not 10,000 serialisations).
   */
  entry(session: Pick<EngineSession, 'quiet'>, t: EngineTorrent): P.TorrentInfo | RawJson {
    const info = this.info(session, t);
    const kept = this.infos.get(t.infoHashHex);
    if (kept === undefined || kept.info !== info) return info;
    kept.json ??= new RawJson(JSON.stringify(info));
    return kept.json;
  }

  get size(): number {
    return this.infos.size;
  }
}

const caches = new WeakMap<EventEmitter, InfoCache>();

/** The one cache of a daemon (its connections share it). */
export function infoCacheOf(daemon: EventEmitter): InfoCache {
  let c = caches.get(daemon);
  if (!c) caches.set(daemon, (c = new InfoCache(daemon)));
  return c;
}
