/** One-shot scrape (BEP 48) of a tracker for some info hashes. */
import { scrapeUrlFor } from './announce-url';
import { httpGet, TrackerHttpError } from './http';
import { MAX_RESPONSE_BYTES, parseScrapeResponse, type ScrapeFigures } from './response';

/**
 * Scrapes the tracker whose announce URL is `announceUrl`. Resolves with figures keyed by hex info hash;
 * rejects with `TrackerHttpError` or `TrackerResponseError`.
 */
export async function scrape(announceUrl: string, infoHashes: Uint8Array[], timeoutMs = 15_000): Promise<Map<string, ScrapeFigures>> {
  const url = scrapeUrlFor(announceUrl, infoHashes);
  if (url === undefined) throw new TrackerHttpError(`tracker ${announceUrl} does not support scrape (its path does not end in /announce)`);
  return parseScrapeResponse(await httpGet(url, { timeoutMs, maxBytes: MAX_RESPONSE_BYTES }));
}
