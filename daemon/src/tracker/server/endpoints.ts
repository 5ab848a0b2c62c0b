/**
 * The hot path: GET /announce and /scrape answered straight on node:http objects, parse → store → encode.
 * Every refusal is a 200 with a bencoded failure reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAnnounceParams, parseScrapeParams, TrackerRequestError, type AnnounceParseOptions } from './params';
import type { AnnounceOutcome, ScrapeEntry } from './swarm';
import type { SwarmStore } from './store';
import { CompactAnnounceEncoder, encodeAnnounce, encodeFailure, encodeScrape, type AnnounceIntervals } from './responses';
import type { RateCounter } from './stats';
import { announceNotice, type AnnounceNotice, type ResolvedOptions } from './options';

const TEXT = 'text/plain; charset=latin1';
/** The answer to anything unforeseen: still a tracker answer, never a 500. */
export const INTERNAL = Buffer.from(encodeFailure('internal tracker error'));

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** True when the URL's path is exactly `path` (with or without a query string). */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 0x3f);
}

/** The last hop of X-Forwarded-For is what our own proxy saw; earlier entries are client-supplied. */
function sourceAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header[header.length - 1] : header;
    const last = value?.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}

/** Writes a tracker answer straight to the response: Koa's generic body handling is measurable per announce. */
export function reply(res: ServerResponse, body: Uint8Array): void {
  // Raw header pairs skip the header map and the per-call validation of setHeader.
  res.writeHead(200, ['Content-Type', TEXT, 'Content-Length', String(body.byteLength)]);
  // As a latin1 string (one character per byte), node:http sends the body in one write with the head
  // instead of a two-buffer writev.
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  res.end(bytes.toString('latin1'), 'latin1');
}

/** The body for a refusal: its own reason when it is a tracker refusal, else the generic one. */
export function failureBody(err: unknown): Uint8Array {
  return err instanceof TrackerRequestError ? encodeFailure(err.message) : INTERNAL;
}

/** Announce and scrape handling over one swarm store. */
export class TrackerEndpoints {
  private readonly intervals: AnnounceIntervals;
  private readonly compactEncoder: CompactAnnounceEncoder;
  /** One options object for every announce: only `source` changes, and an object per request is garbage. */
  private readonly parseOptions: AnnounceParseOptions;

  constructor(
    private readonly store: SwarmStore,
    private readonly counters: { announces: RateCounter; scrapes: RateCounter },
    private readonly o: ResolvedOptions,
    private readonly onAnnounce?: (info: AnnounceNotice) => void,
  ) {
    this.intervals = { interval: o.interval, minInterval: o.minInterval };
    this.compactEncoder = new CompactAnnounceEncoder(this.intervals);
    this.parseOptions = { source: '', trustIpParam: o.trustIpParam, defaultNumwant: o.defaultNumwant, maxNumwant: o.maxNumwant };
  }

  /** Answers GET /announce and /scrape and returns true; returns false for anything else. */
  hotPath(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (req.method !== 'GET') return false;
    if (isPath(url, '/announce')) this.announce(req, res, url);
    else if (isPath(url, '/scrape')) this.scrape(res, url);
    else return false;
    return true;
  }

  private announce(req: IncomingMessage, res: ServerResponse, url: string): void {
    this.counters.announces.hit();
    let params;
    try {
      this.parseOptions.source = sourceAddress(req, this.o.trustProxy);
      params = parseAnnounceParams(rawQuery(url), this.parseOptions);
    } catch (err) {
      reply(res, failureBody(err));
      return;
    }
    const p = params;
    // Encoded inside the store's call: an outcome lives only until the store's next announce.
    const encode = (outcome: AnnounceOutcome): Uint8Array => (p.compact ? this.compactEncoder.encode(outcome) : encodeAnnounce(outcome, p, this.intervals));
    this.store.announce(p, encode).then(
      (body) => {
        try {
          this.onAnnounce?.(announceNotice(p));
        } catch {
          reply(res, INTERNAL);
          return;
        }
        reply(res, body);
      },
      (err: unknown) => reply(res, failureBody(err)),
    );
  }

  private scrape(res: ServerResponse, url: string): void {
    this.counters.scrapes.hit();
    let infoHashes: string[];
    try {
      infoHashes = parseScrapeParams(rawQuery(url), this.o.maxScrapeInfoHashes).infoHashes;
    } catch (err) {
      reply(res, failureBody(err));
      return;
    }
    const entries = infoHashes.length > 0
      ? this.store.scrape(infoHashes).then((figures) => figures.map((e, i): [string, ScrapeEntry] => [infoHashes[i], e]))
      : this.store.scrapeAll(this.o.maxScrapeAll);
    entries.then(
      (list) => reply(res, encodeScrape(list)),
      (err: unknown) => reply(res, failureBody(err)),
    );
  }
}
