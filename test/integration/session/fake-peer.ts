import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import type { Metainfo } from '../../../daemon/src/metainfo/types';

/** A listening fake peer: its port, how many connections it got, and a way to close it. */
export interface FakePeer {
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}

/**
 * Listens on 127.0.0.1 as a peer of `m` with `peerId` that claims every piece; `behave` adds what it
 * does beyond that on each connection.
 */
async function listenAsSeeder(m: Metainfo, peerId: string, behave: (conn: PeerConnection) => void = () => undefined): Promise<FakePeer> {
  let count = 0;
  const conns = new Set<PeerConnection>();
  const server = net.createServer((socket) => {
    count++;
    const conn = new PeerConnection(socket, { peerId: Buffer.from(peerId) });
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    conn.on('handshake', () => conn.accept(m.infoHash, m));
    conn.on('ready', () => conn.bitfield(Bitfield.full(m.pieceCount)));
    behave(conn);
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

/** A listening peer that claims every piece and answers each request with random bytes. */
export function corruptSeeder(m: Metainfo): Promise<FakePeer> {
  return listenAsSeeder(m, '-XX0001-corruptcorru', (conn) => {
    conn.on('interested', () => conn.unchoke());
    conn.on('request', (index, begin, length) => conn.piece(index, begin, randomBytes(length)));
  });
}

/** A listening fake seeder: claims every piece, says it does PEX, and never unchokes. Counts the connections it gets. */
export function fakeSeeder(m: Metainfo, id: number): Promise<FakePeer> {
  return listenAsSeeder(m, `-XX0001-fakeseed${String(id).padStart(4, '0')}`);
}
