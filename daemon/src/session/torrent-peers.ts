/** Where a torrent's connections come from: known addresses, dials, incoming connections, connections taken over from a metadata fetch. */
import { isIP } from 'node:net';
import type { Metainfo } from '../metainfo/types';
import type { PeerConnection, PieceShape } from '../wire/connection';
import { AddressBook, type PeerSource } from './address-book';
import { admitIncoming, MAX_CONNECTIONS_PER_IP } from './admission';
import { Dialer } from './dialer';
import type { PeerExtension } from './extensions';
import type { HandedOver } from './metadata-fetch';
import type { Swarm } from './swarm';
import { swarmExtensions } from './swarm-extensions';
import type { TorrentContext } from './torrent-context';

/** The peers of one torrent; `swarm()` is the running swarm, if any (none while checking, paused or closed). */
export class TorrentPeers {
  readonly book = new AddressBook();
  readonly dialer: Dialer;
  /** Connections taken over from the metadata fetch, waiting for the swarm. */
  private readonly adopted: HandedOver[] = [];

  constructor(
    private readonly m: Metainfo,
    private readonly geometry: PieceShape,
    private readonly ctx: TorrentContext,
    private readonly swarm: () => Swarm | undefined,
  ) {
    this.dialer = new Dialer(this.book, { peerId: ctx.peerId, infoHash: m.infoHash, geometry, globalRoom: () => ctx.globalRoom(), connect: (ip, port, onData) => ctx.connect(ip, port, onData), ...(ctx.wire ? { wire: ctx.wire } : {}) });
  }

  /** Live connections (half-open dials included). */
  get connectionCount(): number {
    return (this.swarm()?.peers.size ?? 0) + this.dialer.pending;
  }

  /** Dials a known peer directly. */
  addPeer(ip: string, port: number): void {
    this.book.add(ip, port, true, 'manual');
    this.dialMore();
  }

  /** See Torrent.adopt. */
  adopt(connections: readonly HandedOver[]): void {
    for (const h of connections) {
      try {
        h.conn.learnGeometry(this.geometry);
      } catch (err) {
        h.conn.destroy(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      const swarm = this.swarm();
      if (swarm) swarm.attach(h.conn, h.ip, h.port, h.source);
      else this.adopted.push(h);
    }
    this.ctx.wake?.();
  }

  /** The swarm runs: connections waiting for it join, parked addresses are due again, dialling starts. */
  started(swarm: Swarm): void {
    for (const h of this.adopted.splice(0)) swarm.attach(h.conn, h.ip, h.port, h.source);
    this.book.wake();
    this.dialMore();
  }

  /** The swarm stops: connections still waiting for it close. */
  stopped(): void {
    for (const h of this.adopted.splice(0)) h.conn.destroy();
  }

  /** Learns addresses to dial when due. */
  learnPeers(peers: readonly { ip: string; port: number; source?: PeerSource }[]): void {
    for (const p of peers) this.book.add(p.ip, p.port, true, p.source ?? 'magnet');
    this.dialMore();
  }

  /** Takes an incoming connection, from its 'handshake' event; false if refused. */
  acceptIncoming(conn: PeerConnection, ip: string, port: number): boolean {
    const swarm = this.swarm();
    if (!swarm) return false;
    const slots = { connections: this.connectionCount, cap: this.ctx.maxConnectionsPerTorrent(), globalRoom: this.ctx.globalRoom(), perIp: this.ctx.maxConnectionsPerIp?.() ?? MAX_CONNECTIONS_PER_IP };
    if (!admitIncoming(swarm, ip, slots, Date.now())) return false;
    conn.accept(this.m.infoHash, this.geometry);
    conn.once('ready', () => swarm.attach(conn, ip, port));
    this.ctx.wake?.();
    return true;
  }

  /** Once a second while downloading: when full with peers waiting to be tried, makes room so limits never block completion. */
  makeRoomIfDue(now: number): void {
    const swarm = this.swarm();
    if (!swarm || this.connectionCount < this.ctx.maxConnectionsPerTorrent()) return;
    if (this.book.hasDue(now, this.dialer.busy(swarm.peers.keys()))) swarm.makeRoom(now);
  }

  /** Dials known addresses while there is room; seeders dial too, since some clients never dial loopback. */
  dialMore(): void {
    const swarm = this.swarm();
    if (!swarm) return;
    this.ctx.wake?.(); // new addresses, dials or a fresh swarm: ticks until idle again
    this.dialer.dialMore(swarm.peers.keys(), this.ctx.maxConnectionsPerTorrent() - this.connectionCount, (conn, ip, port) => swarm.attach(conn, ip, port, this.book.sourceOf(ip, port)));
  }

  /** The wire extensions of this torrent's connections (PEX feeds the address book). */
  extensions(): PeerExtension[] {
    return swarmExtensions(this.m, (ip, port) => this.learnFromPex(ip, port));
  }

  private learnFromPex(ip: string, port: number): void {
    if (isIP(ip) === 0 || !this.ctx.mayDial(ip)) return;
    if (this.book.add(ip, port, false, 'pex')) this.dialMore();
  }
}
