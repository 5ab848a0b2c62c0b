import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import type { Metainfo } from '../../../daemon/src/metainfo/types';

/** A listening peer that claims every piece and answers each request with random bytes. */
export async function corruptSeeder(m: Metainfo): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const conns = new Set<PeerConnection>();
  const server = net.createServer((socket) => {
    count++;
    const conn = new PeerConnection(socket, { peerId: Buffer.from('-XX0001-corruptcorru') });
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    conn.on('handshake', () => conn.accept(m.infoHash, m));
    conn.on('ready', () => conn.bitfield(Bitfield.full(m.pieceCount)));
    conn.on('interested', () => conn.unchoke());
    conn.on('request', (index, begin, length) => conn.piece(index, begin, randomBytes(length)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: async () => {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A listening fake seeder: claims every piece, says it does PEX, and never unchokes. Counts the connections it gets. */
export async function fakeSeeder(m: Metainfo, id: number): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const conns = new Set<PeerConnection>();
  const server = net.createServer((socket) => {
    count++;
    const conn = new PeerConnection(socket, { peerId: Buffer.from(`-XX0001-fakeseed${String(id).padStart(4, '0')}`) });
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    conn.on('handshake', () => conn.accept(m.infoHash, m));
    conn.on('ready', () => conn.bitfield(Bitfield.full(m.pieceCount)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: async () => {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
