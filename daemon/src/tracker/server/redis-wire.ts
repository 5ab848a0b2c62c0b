/** The Redis store's arguments and replies: key names, the peer argument, handed-out peers, refusals. */
import type { AnnounceParams } from './params';
import { TrackerRequestError } from './params';
import { PeerPool, V4_BYTES, V6_BYTES } from './pool';
import type { SwarmLimits } from './swarm';
import { encodeCompactPeer, decodeCompactPeers } from '../compact';
import { FULL_PEERS, FULL_RATE, FULL_SWARM, FULL_TORRENTS, MOVED_PEER } from './redis-scripts';
import { TOO_MANY_NEW_SWARMS } from './ip-share';

const NO_BYTES = new Uint8Array(0);

/** Keys of one swarm, the info hash in a hash tag so they share a Cluster slot. */
export function swarmKeys(hex: string): [string, string, string, string] {
  return [`btd:{${hex}}:s`, `btd:{${hex}}:l`, `btd:{${hex}}:p`, `btd:{${hex}}:i`];
}

/** A cap as a script argument: "no cap" as a number no count reaches. */
export function capArgument(cap: number | undefined): number {
  return cap === undefined || !Number.isFinite(cap) ? 2 ** 31 : cap;
}

/** The peer argument: its id, then its record (address part, key part), in one allocation. */
export function peerArgument(p: AnnounceParams): Buffer {
  const v4 = p.ipv4 === undefined ? NO_BYTES : encodeCompactPeer(p.ipv4, p.port);
  const v6 = p.ipv6 === undefined ? NO_BYTES : encodeCompactPeer(p.ipv6, p.port);
  const keyBytes = p.key === undefined ? 0 : 1 + Buffer.byteLength(p.key, 'latin1');
  const out = Buffer.allocUnsafe(20 + 2 + v4.length + v6.length + keyBytes);
  let at = out.write(p.peerId, 0, 'latin1');
  out[at++] = v4.length;
  out.set(v4, at);
  at += v4.length;
  out[at++] = v6.length;
  out.set(v6, at);
  at += v6.length;
  if (p.key !== undefined) {
    out[at++] = 1;
    out.write(p.key, at, 'latin1');
  }
  return out;
}

/**
 * The peers a script handed out as one pool: its compact stores are the script's entry strings as they
 * came, so a compact answer copies them whole. Peer objects are made only for the dictionary model.
 */
export function poolOf(reply: (number | Buffer)[], withPeers: boolean): PeerPool {
  const pool = new PeerPool();
  // A stop hands out nobody: the reply ends with the counts.
  if (reply.length <= 6) return pool;
  const count = reply[6] as number;
  pool.v4 = reply[7] as Buffer;
  pool.v6 = reply[8] as Buffer;
  pool.withoutV4 = reply[9] as number;
  pool.withV6 = reply[10] as number;
  if (!withPeers) {
    pool.peers.length = count;
    return pool;
  }
  const ids = reply[11] as Buffer;
  for (let i = 0; i < count; i++) {
    const v4 = decodeCompactPeers(pool.v4.subarray(i * V4_BYTES, (i + 1) * V4_BYTES), 4)[0];
    const v6 = pool.withV6 > 0 ? decodeCompactPeers(pool.v6.subarray(i * V6_BYTES, (i + 1) * V6_BYTES), 6)[0] : undefined;
    const port = v4.port !== 0 ? v4.port : (v6?.port ?? 0);
    pool.peers.push({
      peerId: ids.toString('latin1', i * 20, (i + 1) * 20),
      ipv4: v4.port !== 0 ? v4.ip : undefined,
      ipv6: v6 && v6.port !== 0 ? v6.ip : undefined,
      port,
      seeder: false,
      lastSeen: 0,
      key: undefined,
      index: i,
    });
  }
  return pool;
}

export function refusal(code: number, limits: SwarmLimits): TrackerRequestError {
  switch (code) {
    case FULL_TORRENTS:
      return new TrackerRequestError(`tracker is full: it tracks at most ${limits.maxTorrents} torrents`);
    case FULL_SWARM:
      return new TrackerRequestError(`swarm is full: at most ${limits.maxPeersPerTorrent} peers per torrent`);
    case MOVED_PEER:
      return new TrackerRequestError('peer id already announced from another address');
    case FULL_PEERS:
      return new TrackerRequestError(`tracker is full: it tracks at most ${limits.maxPeers} peers`);
    case FULL_RATE:
      return new TrackerRequestError(TOO_MANY_NEW_SWARMS);
    default:
      return new TrackerRequestError('internal tracker error');
  }
}
