/**
 * The tracker over UDP (BEP 15), on the same swarm store as the HTTP tracker: connect, announce and
 * scrape. Connection ids are stateless (an HMAC of the client's IP address and a two-minute time slot,
 * accepted for the current and the previous slot), so a flood of connects holds no memory. Every
 * packet is parsed within its own length; anything malformed is dropped or answered with an error.
 */
import dgram from 'node:dgram';
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { effectiveNumwant, normalizeAddress, TrackerRequestError, type NumwantLimits, type AnnounceEvent, type AnnounceParams } from './params';
import type { AnnounceOutcome } from './swarm';
import type { SwarmStore } from './store';
import { announceNotice, type AnnounceNotice } from './options';
import { copyCompactEntries, countCompactEntries } from './responses';
import { V4_BYTES, V6_BYTES } from './pool';

const PROTOCOL_ID = 0x41727101980n;
const ACTION_CONNECT = 0;
const ACTION_ANNOUNCE = 1;
const ACTION_SCRAPE = 2;
const ACTION_ERROR = 3;
const EVENTS: AnnounceEvent[] = ['', 'completed', 'started', 'stopped'];
/** Info hashes in one scrape: what fits a reply in a 512-byte-safe datagram, as BEP 15 suggests. */
export const MAX_UDP_SCRAPE = 74;
const SLOT_MS = 120_000;

/** What the UDP tracker needs from the tracker it sits beside. */
export interface UdpTrackerContext extends NumwantLimits {
  store: SwarmStore;
  interval: number;
  /** Called for each announce and scrape packet handled (the tracker's statistics). */
  countAnnounce?: () => void;
  countScrape?: () => void;
  /** Called after each accepted announce, as for HTTP announces. */
  onAnnounce?: (info: AnnounceNotice) => void;
  clock?: () => number;
  /**
   * Key of the connection-id HMAC; default random per process. Trackers that share one UDP address (workers,
   * instances behind one balancer) need the same key, or a connect answered by one is refused by another.
   */
  secret?: Uint8Array;
}

/** Answers one datagram; pure apart from the swarm store. Undefined: nothing to send back. */
export class UdpTrackerProtocol {
  private readonly secret: Uint8Array;
  private readonly clock: () => number;

  constructor(private readonly ctx: UdpTrackerContext) {
    this.clock = ctx.clock ?? Date.now;
    this.secret = ctx.secret ?? randomBytes(32);
  }

  /**
   * The connection id a client at `address` gets in time slot `slot`. Bound to the IP address only, as
   * BEP 15 has it: clients may send the announce from another socket than the connect.
   */
  connectionId(address: string, slot = Math.floor(this.clock() / SLOT_MS)): bigint {
    return createHmac('sha256', this.secret).update(`${normalizeAddress(address)}|${slot}`).digest().readBigUInt64BE(0);
  }

  private validId(id: bigint, address: string): boolean {
    const slot = Math.floor(this.clock() / SLOT_MS);
    return id === this.connectionId(address, slot) || id === this.connectionId(address, slot - 1);
  }

  /** The reply to `packet` from `address`, or undefined when it deserves none. */
  async handle(packet: Buffer, address: string): Promise<Buffer | undefined> {
    if (packet.length < 16) return undefined;
    const action = packet.readUInt32BE(8);
    const tx = packet.readUInt32BE(12);
    if (action === ACTION_CONNECT) {
      if (packet.readBigUInt64BE(0) !== PROTOCOL_ID) return undefined;
      const out = Buffer.alloc(16);
      out.writeUInt32BE(ACTION_CONNECT, 0);
      out.writeUInt32BE(tx, 4);
      out.writeBigUInt64BE(this.connectionId(address), 8);
      return out;
    }
    if (action !== ACTION_ANNOUNCE && action !== ACTION_SCRAPE) return errorPacket(tx, `unknown action ${action}`);
    if (!this.validId(packet.readBigUInt64BE(0), address)) return errorPacket(tx, 'connection id expired or unknown: connect again');
    try {
      return await (action === ACTION_ANNOUNCE ? this.announce(packet, tx, address) : this.scrape(packet, tx));
    } catch (err) {
      return errorPacket(tx, err instanceof TrackerRequestError ? err.message : 'internal tracker error');
    }
  }

  private async announce(p: Buffer, tx: number, address: string): Promise<Buffer> {
    this.ctx.countAnnounce?.();
    if (p.length < 98) throw new TrackerRequestError('announce packet shorter than 98 bytes');
    const event = EVENTS[p.readUInt32BE(80)];
    if (event === undefined) throw new TrackerRequestError(`unknown event ${p.readUInt32BE(80)}`);
    const port = p.readUInt16BE(96);
    if (port === 0) throw new TrackerRequestError('invalid port 0');
    const source = normalizeAddress(address);
    const v4 = isIPv4(source);
    const params: AnnounceParams = {
      infoHash: p.toString('latin1', 16, 36),
      peerId: p.toString('latin1', 36, 56),
      downloaded: safeCount(p.readBigUInt64BE(56)),
      left: safeCount(p.readBigUInt64BE(64)),
      uploaded: safeCount(p.readBigUInt64BE(72)),
      event,
      key: p.readUInt32BE(88).toString(16).padStart(8, '0'),
      numwant: effectiveNumwant(p.readInt32BE(92), this.ctx),
      port,
      compact: true,
      noPeerId: true,
      ipv4: v4 ? source : undefined,
      ipv6: v4 ? undefined : source,
    };
    // Peers of the asker's family only: an IPv4 reply has 6-byte entries, an IPv6 one 18-byte entries.
    const family = v4 ? 4 : 6;
    const encode = (outcome: AnnounceOutcome): Buffer => {
      const entries = countCompactEntries(outcome.selection, family);
      const out = Buffer.allocUnsafe(20 + entries * (v4 ? V4_BYTES : V6_BYTES));
      out.writeUInt32BE(ACTION_ANNOUNCE, 0);
      out.writeUInt32BE(tx, 4);
      out.writeUInt32BE(this.ctx.interval, 8);
      out.writeUInt32BE(outcome.incomplete, 12);
      out.writeUInt32BE(outcome.complete, 16);
      copyCompactEntries(outcome.selection, family, out, 20);
      return out;
    };
    const out = await this.ctx.store.announce(params, encode);
    this.ctx.onAnnounce?.(announceNotice(params));
    return out;
  }

  private async scrape(p: Buffer, tx: number): Promise<Buffer> {
    this.ctx.countScrape?.();
    const count = Math.floor((p.length - 16) / 20);
    if (count === 0) throw new TrackerRequestError('scrape packet names no info hash');
    if (count > MAX_UDP_SCRAPE) throw new TrackerRequestError(`at most ${MAX_UDP_SCRAPE} info hashes per scrape`);
    const out = Buffer.alloc(8 + 12 * count);
    out.writeUInt32BE(ACTION_SCRAPE, 0);
    out.writeUInt32BE(tx, 4);
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) hashes.push(p.toString('latin1', 16 + 20 * i, 36 + 20 * i));
    const figures = await this.ctx.store.scrape(hashes);
    for (let i = 0; i < count; i++) {
      const e = figures[i];
      out.writeUInt32BE(e.complete, 8 + 12 * i);
      out.writeUInt32BE(e.downloaded, 12 + 12 * i);
      out.writeUInt32BE(e.incomplete, 16 + 12 * i);
    }
    return out;
  }
}

function safeCount(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

function errorPacket(tx: number, message: string): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(ACTION_ERROR, 0);
  out.writeUInt32BE(tx, 4);
  return Buffer.concat([out, Buffer.from(message, 'utf8')]);
}

/** A bound UDP tracker socket. */
export interface UdpTrackerSocket {
  port: number;
  close(): Promise<void>;
}

/** Binds the UDP tracker on `host:port` (port 0: any free port). */
export function listenUdpTracker(ctx: UdpTrackerContext, host: string, port: number): Promise<UdpTrackerSocket> {
  const protocol = new UdpTrackerProtocol(ctx);
  const socket = dgram.createSocket({ type: isIPv4(host) || host === 'localhost' ? 'udp4' : 'udp6' });
  socket.on('message', (msg, from) => {
    // The answer may come after close (a slow store): sending then throws, and nobody is left to hear it.
    void protocol.handle(msg, from.address).then((reply) => {
      if (reply) socket.send(reply, from.port, from.address, () => undefined);
    }).catch(() => undefined);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      // A failed send to one client (unreachable, buffer full) must not end the tracker.
      socket.on('error', () => undefined);
      resolve({
        port: socket.address().port,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
