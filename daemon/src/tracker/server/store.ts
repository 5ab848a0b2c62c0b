/**
 * The swarm store: where the tracker keeps its swarms. Announce, scrape, expiry, caps and the allow-list
 * all go through it, for HTTP and UDP alike. Two implementations: the in-process memory store (the
 * default) and a Redis store that many tracker processes share.
 */
import { TrackerRequestError, type AnnounceParams } from './params';
import type { AnnounceOutcome, ScrapeEntry } from './swarm';

/** Swarm and peer totals, as one instance sees them (the Redis store: the totals all instances share). */
export interface StoreTotals {
  torrents: number;
  seeders: number;
  leechers: number;
  peers: number;
}

/** The store's state as `/stats` shows it. */
export interface StoreHealth {
  kind: 'memory' | 'redis';
  /** False while the store cannot be reached: announces are refused until it can. */
  available: boolean;
  /** ISO 8601 time the current outage began. */
  unavailableSince?: string;
  /** Outages seen since start. */
  outages: number;
  /** Requests refused because the store was unavailable or too slow. */
  failures: number;
  lastError?: string;
}

/** Figures the stats page lists per swarm. */
export interface SwarmSummary {
  /** The info hash as a 20-character latin1 string. */
  infoHash: string;
  complete: number;
  incomplete: number;
  downloaded: number;
}

/** Counters that all instances sharing a store add to (the Redis store only). */
export interface SharedCounters {
  announces: number;
  scrapes: number;
  announcesPerSecond: number;
  scrapesPerSecond: number;
}

/** The failure reason of every request the store could not serve in time. */
export const STORE_UNAVAILABLE = 'tracker storage unavailable, retry later';

/** The store could not be reached, or did not answer within its bound; the client should retry later. */
export class StoreUnavailableError extends TrackerRequestError {
  constructor(override readonly cause?: unknown) {
    super(STORE_UNAVAILABLE);
    this.name = 'StoreUnavailableError';
  }
}

/** Where swarms live. Every method settles within the store's bound; refusals reject with `TrackerRequestError`. */
export interface SwarmStore {
  readonly kind: StoreHealth['kind'];
  /**
   * Applies one announce and hands the outcome to `encode`, whose result it resolves with. The outcome is
   * valid only during `encode` (stores may reuse it).
   */
  announce<T>(p: AnnounceParams, encode: (outcome: AnnounceOutcome) => T): Promise<T>;
  /** Figures for each info hash (latin1 byte strings), zeros for one nobody announced. */
  scrape(infoHashes: readonly string[]): Promise<ScrapeEntry[]>;
  /** Up to `limit` swarms with their figures, for a scrape that names none. */
  scrapeAll(limit: number): Promise<[string, ScrapeEntry][]>;
  /** Up to `limit` swarms with the most peers first, for the stats page (may be empty where not kept). */
  busiest(limit: number): Promise<SwarmSummary[]>;
  /** Drops peers silent for longer than the TTL and swarms left empty; resolves with how many peers went. */
  sweep(): Promise<number>;
  /** The latest totals, without waiting (the Redis store refreshes them about once a second). */
  totals(): StoreTotals;
  health(): StoreHealth;
  /** Totals of requests over all instances, where the store keeps them. */
  shared?(): SharedCounters;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
