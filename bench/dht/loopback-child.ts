/**
 * One network of the DHT loopback benchmark, in its own process so its RSS is its own: 200 nodes of
 * one implementation (btd or npm bittorrent-dht) on 127.0.0.1, each bootstrapping from up to three
 * earlier nodes; a random node announces each info hash, another looks it up. Every datagram sent is
 * counted (queries by their `y` key) and any destination outside 127.0.0.0/8 is refused.
 * Prints one JSON line.
 *
 *   node out/bench/dht/loopback-child.js --impl btd|bittorrent-dht [--nodes 200] [--lookups 100] [--seed N]
 */
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Dht } from '../../daemon/src/dht/dht';
import { prng } from './sim-net';

const { values: args } = parseArgs({ options: { impl: { type: 'string', default: 'btd' }, nodes: { type: 'string', default: '200' }, lookups: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } } });
const rand = prng(Number(args.seed));
const QUERY_MARK = Buffer.from('1:y1:q');
let queries = 0;

// Count queries and keep every datagram on loopback, whatever the implementation.
const send = dgram.Socket.prototype.send as (...a: unknown[]) => void;
dgram.Socket.prototype.send = function guarded(this: dgram.Socket, ...a: unknown[]): void {
  const msg = a[0];
  const host = a.find((x, i) => i > 0 && typeof x === 'string');
  if (typeof host !== 'string' || !host.startsWith('127.')) throw new Error(`refused: datagram to ${String(host)}`);
  if (Buffer.isBuffer(msg) && msg.indexOf(QUERY_MARK) >= 0) queries++;
  send.apply(this, a);
} as typeof dgram.Socket.prototype.send;

/** What the benchmark needs of a node. */
interface BenchNode {
  port: number;
  announce(ih: Buffer, port: number): Promise<void>;
  /** Resolves true if a peer with this port came back. */
  lookup(ih: Buffer, wantPort: number): Promise<boolean>;
  close(): Promise<void>;
}

async function btdNode(bootstrap: number[]): Promise<BenchNode> {
  const dht = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: bootstrap.map((p) => `127.0.0.1:${p}`) });
  await dht.bootstrapped;
  return {
    port: dht.port,
    announce: (ih, port) => dht.announce(ih, port, () => undefined).then(() => undefined),
    async lookup(ih, wantPort) {
      let found = false;
      await dht.getPeers(ih, (peers) => (found ||= peers.some((p) => p.port === wantPort)));
      return found;
    },
    close: () => dht.close(),
  };
}

interface BtDht {
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  once(ev: 'ready', cb: () => void): void;
  on(ev: 'peer', cb: (peer: { host: string; port: number }, ih: Buffer) => void): void;
  off(ev: 'peer', cb: (peer: { host: string; port: number }, ih: Buffer) => void): void;
  announce(ih: Buffer, port: number, cb: (err?: Error) => void): void;
  lookup(ih: Buffer, cb: (err?: Error) => void): void;
  destroy(cb: () => void): void;
}

async function loadBtDht(): Promise<new (opts: object) => BtDht> {
  const paths = createRequire(join(resolve(__dirname, '../../..'), 'bench/package.json')).resolve.paths('bittorrent-dht') ?? [];
  const folder = paths.map((p) => join(p, 'bittorrent-dht')).find((p) => existsSync(join(p, 'package.json')));
  if (!folder) throw new Error('bittorrent-dht is not installed in bench/ (cd bench && npm ci --ignore-scripts)');
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { main?: string };
  return ((await import(pathToFileURL(join(folder, pkg.main ?? 'index.js')).href)) as { default: new (opts: object) => BtDht }).default;
}

async function btNode(Ctor: new (opts: object) => BtDht, bootstrap: number[]): Promise<BenchNode> {
  const dht = new Ctor({ bootstrap: bootstrap.length > 0 ? bootstrap.map((p) => `127.0.0.1:${p}`) : false, host: '127.0.0.1' });
  const ready = new Promise<void>((r) => dht.once('ready', r));
  await new Promise<void>((r) => dht.listen(0, '127.0.0.1', r));
  await ready;
  return {
    port: dht.address().port,
    announce: (ih, port) => new Promise((r) => dht.announce(ih, port, () => r())),
    lookup: (ih, wantPort) =>
      new Promise((r) => {
        let found = false;
        const onPeer = (p: { port: number }, h: Buffer): void => void (h.equals(ih) && p.port === wantPort && (found = true));
        dht.on('peer', onPeer);
        dht.lookup(ih, () => (dht.off('peer', onPeer), r(found)));
      }),
    close: () => new Promise((r) => dht.destroy(r)),
  };
}

async function main(): Promise<void> {
  const n = Number(args.nodes);
  const lookups = Number(args.lookups);
  const Ctor = args.impl === 'bittorrent-dht' ? await loadBtDht() : undefined;
  const nodes: BenchNode[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const from = [...new Set([0, 1, 2].map(() => Math.floor(rand() * i)))].filter((j) => j < i).map((j) => nodes[j].port);
    nodes.push(Ctor ? await btNode(Ctor, from) : await btdNode(from));
  }
  const setupS = (performance.now() - t0) / 1000;
  const pick = (): BenchNode => nodes[Math.floor(rand() * n)];
  let ok = 0;
  let lookupQueries = 0;
  let lookupMs = 0;
  for (let i = 0; i < lookups; i++) {
    const ih = Buffer.from(Array.from({ length: 20 }, () => Math.floor(rand() * 256)));
    const announcer = pick();
    const peerPort = 20_000 + i;
    await announcer.announce(ih, peerPort);
    let asker = pick();
    while (asker === announcer) asker = pick();
    const q0 = queries;
    const s = performance.now();
    if (await asker.lookup(ih, peerPort)) ok++;
    lookupMs += performance.now() - s;
    lookupQueries += queries - q0;
  }
  const rss = process.memoryUsage().rss;
  console.log(JSON.stringify({ impl: args.impl, nodes: n, lookups, setupS, lookupsPerSecond: lookups / (lookupMs / 1000), queriesPerLookup: lookupQueries / lookups, success: ok / lookups, rssMiBPer100: rss / 2 ** 20 / (n / 100) }));
  await Promise.all(nodes.map((x) => x.close()));
  process.exit(0);
}

void main().catch((err: Error) => {
  console.error(err.stack);
  process.exit(1);
});
