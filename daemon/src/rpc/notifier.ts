/**
 * Turns the daemon's events into one client's notifications. Progress is throttled per torrent and peer
 * updates per connection (the latest state wins); state changes, added and removed peers go out at once.
 */
import * as P from '../../../protocol/src';
import type { LogEntry, PeerChange } from '../session/types';
import { toPeerInfo, toTorrentInfo } from './convert';
import type { Daemon } from './daemon';
import type { EngineTorrent } from './engine';
import { Throttle } from './throttle';

/** Progress notifications per torrent per second, at most. */
export const PROGRESS_PER_SECOND = 4;
/** `peer/changed` 'updated' notifications per connection per second, at most. */
export const PEER_UPDATES_PER_SECOND = 1;
/** `log` notifications per second, at most; the rest are counted and reported in the next second. */
export const LOGS_PER_SECOND = 20;

/** Where notifications go (a vscode-jsonrpc connection satisfies it). */
export interface NotificationSink {
  sendNotification<T>(type: { method: string } & object, params: T): Promise<void>;
}

const LEVELS: Record<P.LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Subscribes to a daemon; call dispose() when the connection ends. */
export class Notifier {
  private readonly progress: Throttle<P.TorrentInfo>;
  private readonly peerUpdates: Throttle<P.PeerChangedParams>;
  private readonly lastState = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  private logWindow = { start: 0, sent: 0, dropped: 0 };

  constructor(
    private readonly daemon: Daemon,
    private readonly sink: NotificationSink,
    private logLevel: P.LogLevel = 'info',
  ) {
    this.progress = new Throttle(1000 / PROGRESS_PER_SECOND, (_k, v) => this.send(P.TorrentProgressNotification.type, v));
    this.peerUpdates = new Throttle(1000 / PEER_UPDATES_PER_SECOND, (_k, v) => this.send(P.PeerChangedNotification.type, v));
    this.on('progress', (t: EngineTorrent) => this.progress.push(t.infoHashHex, toTorrentInfo(t.summary())));
    this.on('state', (t: EngineTorrent) => this.stateOf(t));
    this.on('completed', (t: EngineTorrent) => this.stateOf(t));
    this.on('torrent-added', (t: EngineTorrent) => this.stateOf(t));
    this.on('torrent-removed', (infoHash: string) => this.removed(infoHash));
    this.on('peer', (t: EngineTorrent, c: PeerChange) => this.peer(t, c));
    this.on('log', (e: LogEntry) => this.log(e));
    this.on('tracker-stats', (s: P.TrackerServerStats) => this.send(P.TrackerStatsNotification.type, s));
  }

  /** Changes the lowest level of `log` notifications sent. */
  setLogLevel(level: P.LogLevel): void {
    this.logLevel = level;
  }

  /** Stops listening and drops anything pending. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.progress.dispose();
    this.peerUpdates.dispose();
  }

  private on(event: string, listener: (...args: never[]) => void): void {
    const l = listener as (...args: unknown[]) => void;
    this.daemon.on(event, l);
    this.unsubscribe.push(() => this.daemon.off(event, l));
  }

  /** When state or error differs from the last sent: the latest progress at once, then the state change. */
  private stateOf(t: EngineTorrent): void {
    const info = toTorrentInfo(t.summary());
    const key = `${info.state}\0${info.error ?? ''}`;
    if (this.lastState.get(t.infoHashHex) === key) return;
    this.lastState.set(t.infoHashHex, key);
    this.progress.now(t.infoHashHex, info);
    const params: P.TorrentStateChangedParams = { infoHash: info.infoHash, state: info.state, torrent: info };
    if (info.error !== undefined) params.error = info.error;
    this.send(P.TorrentStateChangedNotification.type, params);
  }

  private removed(infoHash: string): void {
    this.progress.forget(infoHash);
    this.lastState.delete(infoHash);
    this.send(P.TorrentStateChangedNotification.type, { infoHash, state: 'removed' } satisfies P.TorrentStateChangedParams);
  }

  private peer(t: EngineTorrent, c: PeerChange): void {
    const key = `${t.infoHashHex}/${c.peer.id}`;
    const params: P.PeerChangedParams = { infoHash: t.infoHashHex, kind: c.kind, peer: toPeerInfo(c.peer) };
    if (c.kind === 'updated') return this.peerUpdates.push(key, params);
    this.peerUpdates.forget(key);
    this.send(P.PeerChangedNotification.type, params);
  }

  private log(e: LogEntry): void {
    if (LEVELS[e.level] > LEVELS[this.logLevel]) return;
    const now = Date.now();
    const w = this.logWindow;
    if (now - w.start >= 1000) {
      if (w.dropped > 0) this.send(P.LogNotification.type, { level: 'warn', message: `${w.dropped} log entries dropped (more than ${LOGS_PER_SECOND} per second)` } satisfies P.LogParams);
      this.logWindow = { start: now, sent: 0, dropped: 0 };
    }
    if (this.logWindow.sent >= LOGS_PER_SECOND) {
      this.logWindow.dropped++;
      return;
    }
    this.logWindow.sent++;
    const params: P.LogParams = { level: e.level, message: e.message };
    if (e.infoHash !== undefined) params.infoHash = e.infoHash;
    this.send(P.LogNotification.type, params);
  }

  private send<T>(type: { method: string } & object, params: T): void {
    this.sink.sendNotification(type, params).catch(() => undefined);
  }
}
