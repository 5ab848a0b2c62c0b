/**
 * Announces one torrent to its trackers (BEP 3, BEP 12 tiers) for as long as it runs. Every tracker
 * problem becomes an event or a status field; nothing here throws into the torrent that owns it.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { PeerAddress } from '../compact';
import { buildAnnounceUrl, type AnnounceRequest, type ClientEvent } from './announce-url';
import { httpGet, type HttpGetOptions } from './http';
import { MAX_RESPONSE_BYTES, parseAnnounceResponse, type AnnounceResponse } from './response';
import { AnnounceTiers } from './tiers';
import { udpAnnounce, type UdpAnnounceOptions } from './udp';

/** Transfer figures sent with every announce. */
export interface TransferStats {
  uploaded: number;
  downloaded: number;
  left: number;
}

/** What a `TrackerClient` needs. `fetch` and `random` are injectable for tests. */
export interface TrackerClientOptions {
  announceList: string[][];
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  ip?: string;
  numwant?: number;
  getStats(): TransferStats;
  /** Deadline of one announce (default 15 s). */
  timeoutMs?: number;
  /** Deadline of the `stopped` announce sent by `stop()` (default 2 s). */
  stopTimeoutMs?: number;
  fetch?: (url: string, opts: HttpGetOptions) => Promise<Uint8Array>;
  /** The UDP exchange (BEP 15); injectable for tests like `fetch`. */
  udp?: (url: string, r: AnnounceRequest, opts: UdpAnnounceOptions) => Promise<AnnounceResponse>;
  random?: () => number;
}

/** One successful announce, as reported by the `announce` event. */
export interface AnnounceInfo {
  url: string;
  interval: number;
  complete?: number;
  incomplete?: number;
}

/** What the client knows about one tracker. Times are milliseconds since the epoch. */
export interface TrackerStatus {
  url: string;
  tier: number;
  lastAnnounce?: number;
  nextAnnounce?: number;
  seeders?: number;
  leechers?: number;
  lastError?: string;
  lastWarning?: string;
}

/** Typed events of `TrackerClient`. An `error` event is only emitted when someone listens. */
export interface TrackerClientEvents {
  peers: [peers: PeerAddress[]];
  warning: [message: string];
  error: [message: string, url: string];
  announce: [info: AnnounceInfo];
}

/** Seconds between announces when a tracker names none. */
const DEFAULT_INTERVAL = 1800;
/** Floor on any tracker-given interval, so a bad tracker cannot make us hammer it. */
const MIN_INTERVAL_FLOOR = 1;
/** Retry delays after a round where every tracker failed: 15 s doubling up to 30 min. */
const RETRY_BASE = 15;
const RETRY_MAX = 1800;

/** True for the tracker URLs this client announces to: http, https and udp. */
export function isSupportedTrackerUrl(url: string): boolean {
  return /^(https?|udp):\/\//i.test(url);
}

function isUdp(url: string): boolean {
  return /^udp:\/\//i.test(url);
}

/** Announces one torrent to its trackers; see the module comment. */
export class TrackerClient extends EventEmitter<TrackerClientEvents> {
  private readonly tiers: AnnounceTiers;
  private readonly statuses = new Map<string, TrackerStatus>();
  private readonly trackerIds = new Map<string, Uint8Array>();
  private readonly key = randomBytes(4).toString('hex');
  private readonly fetch: (url: string, opts: HttpGetOptions) => Promise<Uint8Array>;
  private readonly udp: (url: string, r: AnnounceRequest, opts: UdpAnnounceOptions) => Promise<AnnounceResponse>;
  private running = false;
  private pendingEvent: ClientEvent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private again = false;
  private failures = 0;
  private lastSuccess: { url: string; at: number; minInterval: number } | undefined;

  constructor(private readonly opts: TrackerClientOptions) {
    super();
    this.tiers = new AnnounceTiers(opts.announceList, opts.random);
    this.fetch = opts.fetch ?? httpGet;
    this.udp = opts.udp ?? udpAnnounce;
    for (const { url, tier } of this.tiers.order()) {
      this.statuses.set(url, { url, tier, lastError: isSupportedTrackerUrl(url) ? undefined : 'unsupported scheme (only http, https and udp)' });
    }
  }

  /** Sends `started`, then re-announces on the tracker's interval until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const s of this.statuses.values()) {
      if (!isSupportedTrackerUrl(s.url)) this.emit('warning', `skipping tracker ${s.url}: only http, https and udp trackers are supported`);
    }
    this.pendingEvent = 'started';
    this.runSoon(0);
  }

  /** Tells the trackers the download finished (sent at once). */
  complete(): void {
    if (!this.running) return;
    this.pendingEvent = 'completed';
    this.runSoon(0);
  }

  /** Announces as soon as the last tracker's `min interval` allows. */
  announceNow(): void {
    if (!this.running) return;
    const earliest = this.lastSuccess ? this.lastSuccess.at + this.lastSuccess.minInterval * 1000 : 0;
    this.runSoon(Math.max(0, earliest - Date.now()));
  }

  /** Sends `stopped` to the tracker that last answered, waiting at most `stopTimeoutMs`; never rejects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimer();
    const url = this.lastSuccess?.url;
    if (url === undefined) return;
    try {
      await this.request(url, 'stopped', 0, this.opts.stopTimeoutMs ?? 2000);
    } catch {
      // Stopping must not fail: the tracker forgets us after its TTL anyway.
    }
  }

  /** One row per tracker, in tier order. */
  status(): TrackerStatus[] {
    return this.tiers.order().map(({ url, tier }) => ({ ...(this.statuses.get(url) as TrackerStatus), tier }));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runSoon(delayMs: number): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.schedule(delayMs / 1000);
  }

  private async request(url: string, event: ClientEvent | undefined, numwant: number | undefined, timeoutMs: number): Promise<AnnounceResponse> {
    const stats = this.opts.getStats();
    const request: AnnounceRequest = {
      infoHash: this.opts.infoHash,
      peerId: this.opts.peerId,
      port: this.opts.port,
      ...stats,
      event,
      numwant,
      key: this.key,
      ip: this.opts.ip,
      trackerId: this.trackerIds.get(url),
    };
    if (isUdp(url)) return this.udp(url, request, { timeoutMs });
    const full = buildAnnounceUrl(url, request);
    return parseAnnounceResponse(await this.fetch(full, { timeoutMs, maxBytes: MAX_RESPONSE_BYTES }));
  }

  /** Tries trackers in tier order until one answers, then schedules the next round. */
  private async round(): Promise<void> {
    this.timer = undefined;
    this.inFlight = true;
    const event = this.pendingEvent;
    let answered = false;
    for (const { url } of this.tiers.order()) {
      if (!this.running) break;
      if (!isSupportedTrackerUrl(url)) continue;
      answered = await this.tryTracker(url, event);
      if (answered) break;
    }
    this.inFlight = false;
    if (!this.running) return;
    if (!answered) {
      this.failures++;
      this.schedule(Math.min(RETRY_BASE * 2 ** (this.failures - 1), RETRY_MAX));
    }
    if (this.again) {
      this.again = false;
      this.runSoon(0);
    }
  }

  private async tryTracker(url: string, event: ClientEvent | undefined): Promise<boolean> {
    const status = this.statuses.get(url) as TrackerStatus;
    let res: AnnounceResponse;
    try {
      res = await this.request(url, event, this.opts.numwant ?? 50, this.opts.timeoutMs ?? 15_000);
    } catch (err) {
      this.reportError(status, err instanceof Error ? err.message : String(err));
      return false;
    }
    if (!this.running) return true;
    if (res.failureReason !== undefined) {
      this.reportError(status, `tracker refused: ${res.failureReason}`);
      return false;
    }
    this.succeeded(status, event, res);
    return true;
  }

  private succeeded(status: TrackerStatus, event: ClientEvent | undefined, res: AnnounceResponse): void {
    const interval = Math.max(res.interval ?? DEFAULT_INTERVAL, MIN_INTERVAL_FLOOR);
    const minInterval = Math.min(Math.max(res.minInterval ?? 0, MIN_INTERVAL_FLOOR), interval);
    const now = Date.now();
    this.tiers.promote(status.url);
    if (res.trackerId) this.trackerIds.set(status.url, res.trackerId);
    if (this.pendingEvent === event) this.pendingEvent = undefined;
    this.failures = 0;
    this.lastSuccess = { url: status.url, at: now, minInterval };
    Object.assign(status, { lastAnnounce: now, seeders: res.complete, leechers: res.incomplete, lastError: undefined });
    if (res.warningMessage !== undefined) {
      status.lastWarning = res.warningMessage;
      this.emit('warning', `${status.url}: ${res.warningMessage}`);
    }
    this.schedule(interval);
    this.emit('announce', { url: status.url, interval, complete: res.complete, incomplete: res.incomplete });
    this.emit('peers', res.peers);
  }

  private schedule(seconds: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => void this.round(), seconds * 1000);
    const next = Date.now() + seconds * 1000;
    for (const s of this.statuses.values()) if (isSupportedTrackerUrl(s.url)) s.nextAnnounce = next;
  }

  private reportError(status: TrackerStatus, message: string): void {
    status.lastError = message;
    if (this.listenerCount('error') > 0) this.emit('error', message, status.url);
  }
}
