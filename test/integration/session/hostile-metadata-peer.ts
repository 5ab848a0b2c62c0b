/** A peer on 127.0.0.1 that offers a magnet's metadata and lies: a huge size, or pieces that do not hash. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { decodeMetadataMessage, encodeMetadataMessage, METADATA_PIECE_LENGTH } from '../../../daemon/src/wire/ut-metadata';

/** How the peer lies. */
export interface HostileMetadataOptions {
  /** The `metadata_size` it announces. */
  metadataSize: number;
  /** Answer requests with random bytes of the right lengths. */
  lie?: boolean;
}

/** The listening hostile peer. */
export class HostileMetadataPeer {
  /** Metadata requests received. */
  requests = 0;
  /** Resolves once it answered a request with garbage. */
  readonly served: Promise<void>;
  private markServed!: () => void;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly infoHash: Uint8Array,
    private readonly opts: HostileMetadataOptions,
  ) {
    this.served = new Promise((resolve) => (this.markServed = resolve));
    server.on('connection', (socket) => this.serve(socket));
  }

  /** Starts listening on a free loopback port. */
  static async start(infoHash: Uint8Array, opts: HostileMetadataOptions): Promise<HostileMetadataPeer> {
    const server = net.createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return new HostileMetadataPeer(server, infoHash, opts);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stops listening and drops every connection (a server's close alone waits for them to end). */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((done) => this.server.close(() => done()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const conn = new PeerConnection(socket, { peerId: Buffer.from('-XX0001-hostilemeta0') });
    conn.on('handshake', () => conn.accept(this.infoHash, undefined));
    conn.on('ready', () => conn.ext.sendHandshake({ m: { ut_metadata: 1 }, metadataSize: this.opts.metadataSize }));
    conn.on('extended', (name, payload) => {
      if (name !== 'ut_metadata') return;
      const m = decodeMetadataMessage(payload);
      if (m.msgType !== 'request') return;
      this.requests++;
      if (!this.opts.lie) return;
      const size = this.opts.metadataSize;
      const length = Math.min(METADATA_PIECE_LENGTH, size - m.piece * METADATA_PIECE_LENGTH);
      conn.ext.send('ut_metadata', encodeMetadataMessage({ msgType: 'data', piece: m.piece, totalSize: size, data: randomBytes(length) }));
      this.markServed();
    });
    conn.on('close', () => socket.destroy());
  }
}
