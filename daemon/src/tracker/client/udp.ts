/**
 * UDP trackers (BEP 15): the packet codec, pure and bounded, and one announce exchange over a socket
 * of its own (connect, then announce) under a single deadline, with retransmission.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { decodeCompactPeers, encodeCompactPeer, type PeerAddress } from '../compact';
import type { AnnounceRequest, ClientEvent } from './announce-url';
import type { AnnounceResponse } from './response';

/** A UDP tracker that could not be reached, or answered with a packet that is not BEP 15. */
export class TrackerUdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackerUdpError';
  }
}

const PROTOCOL_ID = 0x41727101980n;
const ACTION_CONNECT = 0;
const ACTION_ANNOUNCE = 1;
const ACTION_ERROR = 3;
const EVENT_CODE: Record<ClientEvent, number> = { completed: 1, started: 2, stopped: 3 };
/** Largest answer read: the largest UDP payload. */
export const MAX_UDP_ANSWER = 65_507;
/** Longest error text kept from a tracker. */
const MAX_ERROR_TEXT = 1024;

/** A decoded tracker packet. */
export type UdpAnswer =
  | { action: 'connect'; transactionId: number; connectionId: bigint }
  | { action: 'announce'; transactionId: number; interval: number; leechers: number; seeders: number; peers: PeerAddress[] }
  | { action: 'error'; transactionId: number; message: string };

/** The 16-byte connect request. */
export function encodeConnect(transactionId: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(PROTOCOL_ID, 0);
  b.writeUInt32BE(ACTION_CONNECT, 8);
  b.writeUInt32BE(transactionId >>> 0, 12);
  return b;
}

function uint32(n: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)));
}

function uint64(n: number): bigint {
  return BigInt(Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)));
}

/** The 98-byte announce request. `key` is 8 hex digits (as the HTTP client sends it); `ip` only when IPv4. */
export function encodeAnnounce(connectionId: bigint, transactionId: number, r: AnnounceRequest): Buffer {
  if (r.infoHash.length !== 20 || r.peerId.length !== 20) throw new TrackerUdpError('info hash and peer id must be 20 bytes');
  const b = Buffer.alloc(98);
  b.writeBigUInt64BE(BigInt.asUintN(64, connectionId), 0);
  b.writeUInt32BE(ACTION_ANNOUNCE, 8);
  b.writeUInt32BE(transactionId >>> 0, 12);
  b.set(r.infoHash, 16);
  b.set(r.peerId, 36);
  b.writeBigUInt64BE(uint64(r.downloaded), 56);
  b.writeBigUInt64BE(uint64(r.left), 64);
  b.writeBigUInt64BE(uint64(r.uploaded), 72);
  b.writeUInt32BE(r.event ? EVENT_CODE[r.event] : 0, 80);
  b.writeUInt32BE(r.ip !== undefined && isIPv4(r.ip) ? encodeCompactPeer(r.ip, 0).readUInt32BE(0) : 0, 84);
  b.writeUInt32BE(r.key !== undefined && /^[0-9a-f]{1,8}$/i.test(r.key) ? parseInt(r.key, 16) >>> 0 : 0, 88);
  b.writeInt32BE(r.numwant === undefined ? -1 : Math.min(uint32(r.numwant), 0x7fffffff), 92);
  b.writeUInt16BE(r.port & 0xffff, 96);
  return b;
}

/**
 * Decodes a tracker packet. Peers are 6-byte entries when the tracker was reached over IPv4 and
 * 18-byte entries over IPv6 (`family`). Throws `TrackerUdpError` for anything that is not BEP 15.
 */
export function parseUdpAnswer(packet: Uint8Array, family: 4 | 6): UdpAnswer {
  if (packet.length > MAX_UDP_ANSWER) throw new TrackerUdpError(`answer of ${packet.length} bytes is larger than a UDP datagram`);
  if (packet.length < 8) throw new TrackerUdpError(`answer of ${packet.length} bytes is too short`);
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.length);
  const action = b.readUInt32BE(0);
  const transactionId = b.readUInt32BE(4);
  if (action === ACTION_CONNECT) {
    if (b.length < 16) throw new TrackerUdpError('connect answer shorter than 16 bytes');
    return { action: 'connect', transactionId, connectionId: b.readBigUInt64BE(8) };
  }
  if (action === ACTION_ANNOUNCE) {
    if (b.length < 20) throw new TrackerUdpError('announce answer shorter than 20 bytes');
    const peers = decodeCompactPeers(b.subarray(20), family);
    return { action: 'announce', transactionId, interval: b.readUInt32BE(8), leechers: b.readUInt32BE(12), seeders: b.readUInt32BE(16), peers };
  }
  if (action === ACTION_ERROR) {
    const text = printable(b.subarray(8, 8 + MAX_ERROR_TEXT).toString('utf8'));
    return { action: 'error', transactionId, message: text || 'no reason given' };
  }
  throw new TrackerUdpError(`unknown action ${action}`);
}

/** The text with control characters as spaces, so a tracker's message cannot break a log line. */
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out.trim();
}

/** Limits of one UDP announce. */
export interface UdpAnnounceOptions {
  /** Deadline of the whole exchange (connect and announce). */
  timeoutMs: number;
  /** Delay before a request is sent again (BEP 15 says 15 s; it is shortened to fit the deadline). */
  retransmitMs?: number;
}

/** Connection ids may be used for one minute after they are received (BEP 15); kept a little less. */
const CONNECTION_ID_TTL_MS = 50_000;
const MAX_CACHED_IDS = 256;
const connectionIds = new Map<string, { id: bigint; expires: number }>();

/** `udp://host:port[/...]` as host (brackets stripped), port and socket family; throws for anything else. */
export function parseUdpTrackerUrl(url: string): { host: string; port: number; family: 4 | 6 } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TrackerUdpError(`bad tracker URL: ${url}`);
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'udp:' || !parsed.hostname || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TrackerUdpError(`bad UDP tracker URL (expected udp://host:port): ${url}`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, family: isIPv6(host) ? 6 : 4 };
}

/** Announces `r` to the UDP tracker at `url`; resolves with the same shape as an HTTP answer. */
export async function udpAnnounce(url: string, r: AnnounceRequest, opts: UdpAnnounceOptions): Promise<AnnounceResponse> {
  const { host, port, family } = parseUdpTrackerUrl(url);
  const exchange = await Exchange.open(host, port, family, opts);
  try {
    const cacheKey = `${family}/${host}/${port}`;
    const cached = connectionIds.get(cacheKey);
    if (cached && cached.expires > Date.now()) {
      const answer = await exchange.ask((tx) => encodeAnnounce(cached.id, tx, r));
      if (answer.action === 'announce') return announced(answer);
      // The tracker may have forgotten the id (restarted, shorter lifetime): connect afresh, once.
      connectionIds.delete(cacheKey);
    }
    const connected = await exchange.ask((tx) => encodeConnect(tx));
    if (connected.action !== 'connect') return refusal(connected);
    const id = connected.connectionId;
    if (connectionIds.size >= MAX_CACHED_IDS) connectionIds.delete(connectionIds.keys().next().value as string);
    connectionIds.set(cacheKey, { id, expires: Date.now() + CONNECTION_ID_TTL_MS });
    const answer = await exchange.ask((tx) => encodeAnnounce(id, tx, r));
    if (answer.action === 'announce') return announced(answer);
    connectionIds.delete(cacheKey);
    return refusal(answer);
  } finally {
    exchange.close();
  }
}

function announced(answer: Extract<UdpAnswer, { action: 'announce' }>): AnnounceResponse {
  return { interval: answer.interval, complete: answer.seeders, incomplete: answer.leechers, peers: answer.peers };
}

function refusal(answer: UdpAnswer): AnnounceResponse {
  if (answer.action === 'error') return { failureReason: answer.message, peers: [] };
  throw new TrackerUdpError(`expected another answer than ${answer.action}`);
}

/** One socket, one deadline: sends a request until its answer (same transaction id) arrives. */
class Exchange {
  private readonly deadline: number;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly family: 4 | 6,
    private readonly opts: UdpAnnounceOptions,
  ) {
    this.deadline = Date.now() + opts.timeoutMs;
  }

  static open(host: string, port: number, family: 4 | 6, opts: UdpAnnounceOptions): Promise<Exchange> {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: MAX_UDP_ANSWER + 1 });
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        socket.close();
        reject(new TrackerUdpError(`cannot reach ${host}:${port}: ${err.message}`));
      };
      socket.once('error', failed);
      // A connected socket hears "port unreachable" at once instead of waiting for the deadline.
      socket.connect(port, host, () => {
        socket.off('error', failed);
        resolve(new Exchange(socket, family, opts));
      });
    });
  }

  ask(encode: (transactionId: number) => Buffer): Promise<UdpAnswer> {
    const transactionId = randomBytes(4).readUInt32BE(0);
    const packet = encode(transactionId);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined, answer?: UdpAnswer): void => {
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        this.socket.off('error', onError);
        if (err) reject(err);
        else resolve(answer as UdpAnswer);
      };
      const onMessage = (msg: Buffer): void => {
        let answer: UdpAnswer;
        try {
          answer = parseUdpAnswer(msg, this.family);
        } catch (err) {
          finish(err as Error);
          return;
        }
        // A late answer to an earlier request is not ours: keep waiting.
        if (answer.transactionId === transactionId) finish(undefined, answer);
      };
      const onError = (err: Error): void => finish(new TrackerUdpError(err.message));
      const send = (): void => {
        const left = this.deadline - Date.now();
        if (left <= 0) {
          finish(new TrackerUdpError(`tracker did not answer within ${this.opts.timeoutMs} ms`));
          return;
        }
        this.socket.send(packet, (err) => {
          if (err) finish(new TrackerUdpError(err.message));
        });
        timer = setTimeout(send, Math.min(this.opts.retransmitMs ?? 5000, left));
      };
      this.socket.on('message', onMessage);
      this.socket.on('error', onError);
      send();
    });
  }

  close(): void {
    this.socket.close();
  }
}
