/** Whether a torrent takes one more incoming connection, making room for it if need be. */
import { isLoopbackAddress } from '../util/loopback';
import type { Peer } from './peer';
import type { Swarm } from './swarm';

/** Default of the most connections from one (non-loopback) address (the maxConnectionsPerIp setting). */
export const MAX_CONNECTIONS_PER_IP = 3;
/** Share of a torrent's connection slots that incoming connections may fill. */
export const INCOMING_SHARE = 0.8;

/**
 * True if a connection from `ip` may join `swarm`; when the slots are full, the least useful
 * connection (an incoming one, if incoming connections have their share) is closed to make room,
 * which may be one that has done nothing useful since it connected (see eviction.ts's neverUseful).
 */
export function admitIncoming(swarm: Swarm, ip: string, slots: { connections: number; cap: number; globalRoom: boolean; perIp: number }, now: number): boolean {
  // One address may not take all the slots (loopback is exempt: every local test peer is there).
  if (!isLoopbackAddress(ip) && swarm.connectionsFrom(ip) >= slots.perIp) return false;
  // A share of the slots stays for connections we open, so peers dialling in cannot take them all.
  const incomingFull = swarm.incomingCount >= Math.max(1, Math.floor(slots.cap * INCOMING_SHARE));
  if (incomingFull || slots.connections >= slots.cap || !slots.globalRoom) {
    return swarm.makeRoom(now, incomingFull ? (p) => p.conn.direction === 'incoming' : undefined, true);
  }
  return true;
}

/**
 * Of two connections with the same peer, whether the new one (`added`) stays rather than `existing`:
 * both ends keep the connection dialled by the smaller peer id, so they agree on which to drop.
 */
export function keepsNewConnection(added: Peer, existing: Peer, ourIdHex: string): boolean {
  const dialler = (p: Peer): string => (p.conn.direction === 'outgoing' ? ourIdHex : p.peerIdHex);
  return dialler(added) < dialler(existing);
}
