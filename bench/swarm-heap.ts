/**
 * Heap held per peer by the memory store's swarm table, in this process: `--peers` distinct peers over
 * swarms of `--per-swarm`, each peer at an address of its own (as in a real swarm), or `--per-ip` peers
 * per address.
 *
 *   node --expose-gc out/bench/swarm-heap.js [--peers 100000] [--per-swarm 50] [--per-ip 1]
 */
import { SwarmTable, type AnnounceParams } from '../daemon/src/tracker/server';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const peers = flag('--peers', 100_000);
const perSwarm = flag('--per-swarm', 50);
const perIp = flag('--per-ip', 1);
const table = new SwarmTable({ maxTorrents: 1e7, maxPeersPerTorrent: 1e7, maxPeers: 1e8, peerTtlMs: 3_600_000, maxPeersPerIp: 1e7, maxNewSwarmsPerIpPerMinute: 1e9 });
gc();
const before = process.memoryUsage().heapUsed;
for (let n = 0; n < peers; n++) {
  const a = Math.floor(n / perIp);
  const p: AnnounceParams = {
    infoHash: `h${Math.floor(n / perSwarm)}`.padEnd(20, '.'),
    peerId: `p${n}`.padEnd(20, '.'),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 1,
    event: '',
    numwant: 0,
    compact: true,
    noPeerId: false,
    ipv4: `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`,
    ipv6: undefined,
    key: undefined,
  };
  table.announce(p);
}
gc();
const after = process.memoryUsage().heapUsed;
console.log(`${table.peers} peers in ${table.torrents} swarms, ${perIp} per address: ${((after - before) / peers).toFixed(0)} bytes of heap per peer`);
