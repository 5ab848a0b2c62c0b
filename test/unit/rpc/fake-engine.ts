/** Test doubles: an in-memory engine whose session, torrents and tracker are plain objects. */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import type { Engine, EngineSession, EngineTorrent, EngineTracker } from '../../../daemon/src/rpc/engine';
import { parseMagnet, type Magnet } from '../../../daemon/src/metainfo/magnet';
import type { AddMagnetOptions } from '../../../daemon/src/session/magnet-choices';
import { SessionError, type Metainfo, type PeerSummary, type SessionOptions, type SessionSettings, type TorrentState, type TorrentSummary } from '../../../daemon/src/session/types';

/** A torrent whose state tests set by hand. */
export class FakeTorrent implements EngineTorrent {
  readonly infoHashHex: string;
  state: TorrentState;
  progress = 0;
  peerList: PeerSummary[] = [];
  /** How many times verify() was called. */
  verifyCalls = 0;
  /** Set for a torrent added from a magnet whose metadata tests have not "fetched". */
  pending: Magnet | undefined;
  get magnet(): Magnet | undefined {
    return this.pending;
  }
  private endCheck: (() => void) | undefined;
  constructor(
    private readonly meta: Metainfo,
    readonly savePath: string,
    paused: boolean,
    /** Tells the session of a state change, as the real torrent's 'state' event does. */
    private readonly stateChanged: (t: FakeTorrent) => void = () => undefined,
  ) {
    this.infoHashHex = meta.infoHashHex;
    this.state = paused ? 'paused' : 'downloading';
  }
  get metainfo(): Metainfo | undefined {
    return this.pending ? undefined : this.meta;
  }
  summary(): TorrentSummary {
    const m = this.meta;
    return {
      infoHash: m.infoHashHex, name: m.name, state: this.state, progress: this.progress, totalLength: m.totalLength, wantedLength: m.totalLength,
      verifiedBytes: Math.round(this.progress * m.totalLength), pieceCount: m.pieceCount, havePieces: 0, downloaded: 0,
      uploaded: 0, downloadRate: 0, uploadRate: 0, ratio: 0, peers: this.peerList.length, seeds: 0, savePath: this.savePath, addedAt: 1,
    };
  }
  peers(): PeerSummary[] {
    return this.peerList;
  }
  trackers() {
    return this.meta.announceList.flatMap((tier, i) => tier.map((url) => ({ url, tier: i })));
  }
  async pause(): Promise<void> {
    this.state = 'paused';
  }
  async resume(): Promise<void> {
    this.state = 'downloading';
  }
  /** Enters 'checking' at once and stays there until finishCheck(); then back to paused, or by progress. */
  async verify(): Promise<void> {
    if (this.endCheck) return;
    this.verifyCalls++;
    const before = this.state;
    const ended = new Promise<void>((end) => (this.endCheck = end));
    this.setState('checking');
    await ended;
    this.setState(before === 'paused' ? 'paused' : this.progress < 1 ? 'downloading' : 'seeding');
  }
  /** Ends a check started by verify(). */
  finishCheck(): void {
    this.endCheck?.();
    this.endCheck = undefined;
  }
  private setState(state: TorrentState): void {
    this.state = state;
    this.stateChanged(this);
  }
}

/** A session holding FakeTorrents. */
export class FakeSession extends EventEmitter implements EngineSession {
  readonly port = 6881;
  readonly torrents = new Map<string, FakeTorrent>();
  options: SessionSettings = {};
  closed = false;
  /** When set, setOptions rejects with it. */
  failSetOptions: Error | undefined;
  async addTorrent(m: Metainfo, opts: { savePath?: string; paused?: boolean; after?: Promise<unknown> } = {}): Promise<FakeTorrent> {
    await opts.after?.catch(() => undefined); // as the session: listed only once the one before is in
    if (this.torrents.has(m.infoHashHex)) throw new SessionError('duplicate-torrent', 'duplicate');
    const t = new FakeTorrent(m, opts.savePath ?? '/dl', opts.paused ?? false, (x) => this.emit('state', x));
    this.torrents.set(m.infoHashHex, t);
    this.emit('torrent-added', t);
    return t;
  }
  /** The options each magnet was added with, by info hash. */
  readonly magnetOptions = new Map<string, AddMagnetOptions>();
  /** Magnets stay pending: a FakeTorrent over a metainfo named like the magnet, with no metainfo exposed. */
  addMagnet(magnet: Magnet, opts: AddMagnetOptions = {}): FakeTorrent {
    if (this.torrents.has(magnet.infoHashHex)) throw new SessionError('duplicate-torrent', 'duplicate');
    this.magnetOptions.set(magnet.infoHashHex, opts);
    const t = new FakeTorrent({ ...fakeMetainfo(magnet.name ?? magnet.infoHashHex), infoHashHex: magnet.infoHashHex }, opts.savePath ?? '/dl', opts.paused ?? false, (x) => this.emit('state', x));
    t.pending = magnet;
    this.torrents.set(magnet.infoHashHex, t);
    this.emit('torrent-added', t);
    return t;
  }
  get(h: string): FakeTorrent | undefined {
    return this.torrents.get(h);
  }
  list(): FakeTorrent[] {
    return [...this.torrents.values()];
  }
  async remove(h: string): Promise<void> {
    if (!this.torrents.delete(h)) throw new SessionError('unknown-torrent', 'unknown');
    this.emit('torrent-removed', h);
  }
  async setOptions(p: SessionSettings): Promise<void> {
    if (this.failSetOptions) throw this.failSetOptions;
    this.options = { ...this.options, ...p };
  }
  stats() {
    return { downloadRate: 0, uploadRate: 0, downloaded: 0, uploaded: 0, torrents: this.torrents.size, peers: 0, port: this.port, hashedBytes: 0 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A metainfo for a name; the "torrent bytes" are just `fake:<name>`, which fakeEngine.parseMetainfo reads back. */
export function fakeMetainfo(name: string): Metainfo {
  const infoHash = createHash('sha1').update(name).digest();
  return {
    infoHash, infoHashHex: infoHash.toString('hex'), name, pieceLength: 16384, pieceCount: 1, totalLength: 100,
    pieces: new Uint8Array(20), files: [{ path: [name], length: 100, offset: 0 }], announceList: [['http://127.0.0.1:1/announce']], private: false,
    multiFile: false, urlList: [], infoBytes: new Uint8Array(0), raw: fakeTorrentBytes(name), dict: new Map(),
  };
}

/** Bytes that fakeEngine parses into fakeMetainfo(name). */
export function fakeTorrentBytes(name: string): Buffer {
  return Buffer.from(`fake:${name}`);
}

/** An Engine over a FakeSession; `started` receives the options the session was started with. */
export function fakeEngine(session = new FakeSession()): Engine & { session: FakeSession; started: SessionOptions[]; tracker?: EngineTracker } {
  const engine: Engine & { session: FakeSession; started: SessionOptions[]; tracker?: EngineTracker } = {
    session,
    started: [],
    async startSession(opts) {
      engine.started.push(opts);
      return session;
    },
    parseMetainfo(bytes) {
      const text = Buffer.from(bytes).toString();
      if (!text.startsWith('fake:')) throw new SessionError('invalid', 'not a fake torrent');
      return fakeMetainfo(text.slice(5));
    },
    async createTorrent(input, opts) {
      opts.onProgress?.(50, 100);
      opts.onProgress?.(100, 100);
      const name = input.split('/').pop()!;
      return { bytes: fakeTorrentBytes(name), metainfo: fakeMetainfo(name) };
    },
    buildMagnet: (m) => `magnet:?xt=urn:btih:${m.infoHashHex}`,
    parseMagnet: (uri) => parseMagnet(uri),
    async startTracker(opts) {
      engine.tracker = {
        url: `http://${opts.host}:7000/announce`, host: opts.host, port: 7000,
        stats: () => ({ torrents: 0, seeders: 0, leechers: 0, announces: 0, scrapes: 0 }),
        close: async () => undefined,
      };
      return engine.tracker;
    },
  };
  return engine;
}
