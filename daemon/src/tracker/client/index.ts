/** The tracker client: announces for one torrent, plus the pure URL and answer helpers it is made of. */
export {
  TrackerClient,
  isSupportedTrackerUrl,
  type TrackerClientOptions,
  type TrackerClientEvents,
  type TrackerStatus,
  type AnnounceInfo,
  type TransferStats,
} from './client';
export { buildAnnounceUrl, scrapeUrlFor, percentEncodeBytes, type AnnounceRequest, type ClientEvent } from './announce-url';
export { parseAnnounceResponse, parseScrapeResponse, TrackerResponseError, type AnnounceResponse, type ScrapeFigures } from './response';
export { httpGet, TrackerHttpError, type HttpGetOptions } from './http';
export { scrape } from './scrape';
export { AnnounceTiers, type TierEntry } from './tiers';
export type { PeerAddress } from '../compact';
export { udpAnnounce, encodeConnect, encodeAnnounce, parseUdpAnswer, parseUdpTrackerUrl, TrackerUdpError, type UdpAnswer, type UdpAnnounceOptions } from './udp';
