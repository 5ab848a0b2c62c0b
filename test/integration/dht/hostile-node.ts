/** A DHT node that lies, for tests: a raw UDP socket that answers queries as `answer` decides. */
import dgram from 'node:dgram';
import { decodeKrpc, encodeKrpc, type KrpcMessage, type KrpcQuery, type KrpcResponse, type NodeAddress } from '../../../daemon/src/dht/krpc';

/** How the hostile node answers one query; undefined = stay silent. */
export type Answerer = (q: KrpcQuery, from: NodeAddress) => KrpcResponse | undefined;

/** The fake node; `received` counts every datagram that came to it. */
export class HostileNode {
  received = 0;
  readonly answers: KrpcMessage[] = [];

  private constructor(
    readonly socket: dgram.Socket,
    answer: Answerer,
  ) {
    socket.on('message', (msg, rinfo) => {
      this.received++;
      let m: KrpcMessage;
      try {
        m = decodeKrpc(msg);
      } catch {
        return;
      }
      if (m.y !== 'q') {
        this.answers.push(m);
        return;
      }
      const r = answer(m.q, { ip: rinfo.address, port: rinfo.port });
      if (r) socket.send(encodeKrpc({ t: m.t, y: 'r', r }), rinfo.port, rinfo.address);
    });
  }

  /** Binds on 127.0.0.1, any port. */
  static async start(answer: Answerer): Promise<HostileNode> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new HostileNode(socket, answer);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends raw bytes to a node. */
  send(bytes: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
