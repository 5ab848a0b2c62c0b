/**
 * Data of the many-torrents benchmark: `count` single-file torrents of small, distinct random files
 * (16 KiB pieces, no trackers), and a minimal peer-wire client on 127.0.0.1 that proves a seeder serves
 * one of them: handshake, bitfield, interested, unchoke, one request of piece 0, its SHA-1 checked.
 */
export { freePort } from './proc';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { bencode } from '../daemon/src/bencode';

export const PIECE_LENGTH = 16384;

/** One torrent of the benchmark; the data lives in `<dataDir>/<name>`. */
export interface BenchTorrent {
  name: string;
  infoHash: Buffer;
  infoHashHex: string;
  /** The .torrent file. */
  bytes: Buffer;
  /** SHA-1 of piece 0 (what a leecher checks). */
  piece0: Buffer;
}

/** Writes `count` files of `size` random bytes into `dataDir` and returns their torrents (kept in memory: about 250 bytes each). */
export function makeTorrents(dataDir: string, count: number, size: number): BenchTorrent[] {
  mkdirSync(dataDir, { recursive: true });
  const out: BenchTorrent[] = [];
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(6, '0')}.bin`;
    const data = randomBytes(size);
    writeFileSync(join(dataDir, name), data);
    const hashes: Buffer[] = [];
    for (let o = 0; o < size; o += PIECE_LENGTH) hashes.push(createHash('sha1').update(data.subarray(o, o + PIECE_LENGTH)).digest());
    const info = { length: size, name, 'piece length': PIECE_LENGTH, pieces: Buffer.concat(hashes) };
    const infoHash = createHash('sha1').update(bencode(info)).digest();
    out.push({ name, infoHash, infoHashHex: infoHash.toString('hex'), bytes: Buffer.from(bencode({ 'created by': 'btd bench', info })), piece0: hashes[0] });
  }
  return out;
}


function handshake(infoHash: Buffer): Buffer {
  const peerId = Buffer.concat([Buffer.from('-BB0001-'), randomBytes(12)]);
  return Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), Buffer.alloc(8), infoHash, peerId]);
}

function message(id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + 1, 0);
  head[4] = id;
  return Buffer.concat([head, payload]);
}

/** Reads a socket as "a handshake, then length-prefixed messages"; `onMessage(id, payload)`. */
function wire(socket: Socket, onHandshake: (infoHash: Buffer) => void, onMessage: (id: number, payload: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  let shook = false;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (!shook) {
      if (buf.length < 68) return;
      shook = true;
      onHandshake(buf.subarray(28, 48));
      buf = buf.subarray(68);
    }
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (len > 1 << 20) return void socket.destroy(new Error(`frame of ${len} bytes`));
      if (buf.length < 4 + len) return;
      if (len > 0) onMessage(buf[4], buf.subarray(5, 4 + len));
      buf = buf.subarray(4 + len);
    }
  });
}

/** Connects to 127.0.0.1:port and resolves once the peer answered our handshake for `infoHash` (then closes). */
export function probeHandshake(port: number, infoHash: Buffer, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(new Error(`no handshake answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('close', () => (clearTimeout(timer), reject(new Error('closed before the handshake answer'))));
    socket.once('connect', () => socket.write(handshake(infoHash)));
    wire(
      socket,
      (theirs) => {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        socket.destroy();
        if (theirs.equals(infoHash)) resolve();
        else reject(new Error('handshake answered for another info hash'));
      },
      () => undefined,
    );
  });
}

/** What one leecher saw: ms from connect to the handshake answer, the bitfield, the unchoke and the checked block. */
export interface LeechResult {
  handshakeMs: number;
  bitfieldMs: number;
  unchokeMs: number;
  pieceMs: number;
}

/**
 * Leeches piece 0 of `t` from 127.0.0.1:port and checks its SHA-1; rejects with what went wrong, or
 * after `timeoutMs`. `localAddress` (another 127.x address) makes each leecher a host of its own, as
 * in a real swarm: transmission takes one incoming handshake per address at a time.
 */
export function leechPiece0(port: number, t: BenchTorrent, timeoutMs: number, localAddress?: string): Promise<LeechResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const at = (): number => performance.now() - t0;
    const r: Partial<LeechResult> = {};
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`${t.name}: ${err.message} (after ${at().toFixed(0)} ms; saw ${Object.keys(r).join(', ') || 'nothing'})`));
    };
    const timer = setTimeout(() => fail(new Error(`not served within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('connection closed')));
    socket.once('connect', () => socket.write(handshake(t.infoHash)));
    const request = Buffer.alloc(12);
    request.writeUInt32BE(PIECE_LENGTH, 8);
    wire(
      socket,
      (theirs) => {
        r.handshakeMs = at();
        if (!theirs.equals(t.infoHash)) fail(new Error('handshake answered for another info hash'));
      },
      (id, payload) => {
        if (id === 5 && r.bitfieldMs === undefined) {
          r.bitfieldMs = at();
          if (!(payload[0] & 0x80)) return fail(new Error('bitfield without piece 0'));
          socket.write(message(2)); // interested
        } else if (id === 1 && r.unchokeMs === undefined) {
          r.unchokeMs = at();
          socket.write(message(6, request));
        } else if (id === 7) {
          r.pieceMs = at();
          const block = payload.subarray(8);
          if (payload.readUInt32BE(0) !== 0 || block.length !== PIECE_LENGTH) return fail(new Error('a piece message for another block'));
          if (!createHash('sha1').update(block).digest().equals(t.piece0)) return fail(new Error('piece 0 does not match its hash'));
          clearTimeout(timer);
          socket.removeAllListeners('close');
          socket.destroy();
          resolve(r as LeechResult);
        }
      },
    );
  });
}
