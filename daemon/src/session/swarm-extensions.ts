/** Which wire extensions a torrent's swarm offers. */
import type { Metainfo } from '../metainfo/types';
import type { PeerExtension } from './extensions';
import { MetadataServer } from './metadata-serve';
import { PexExchange, type LearnPeer } from './pex';

/** Metadata for magnet downloaders (BEP 9), and PEX (BEP 11) unless the torrent is private (BEP 27). */
export function swarmExtensions(m: Metainfo, learnFromPex: LearnPeer): PeerExtension[] {
  const list: PeerExtension[] = [new MetadataServer(m.infoBytes)];
  if (!m.private) list.push(new PexExchange(learnFromPex));
  return list;
}
